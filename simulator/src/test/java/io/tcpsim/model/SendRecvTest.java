package io.tcpsim.model;

import static io.tcpsim.model.Harness.recv;
import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import java.util.List;
import org.junit.jupiter.api.Test;

/** send/recv: tcp_sendmsg_locked, sk_stream_error, tcp_recvmsg_locked ([M§4], [M§10], [M§13]-[M§15]). */
class SendRecvTest {

    /** Reference line 4 and exp2: a 5-byte send is [P.] seq 1:6 ack 1 win 64 [nop,nop,TS] len 5, quick-ACKed. */
    @Test
    void smallSendIsOnePushSegment() {
        Harness h = new Harness();
        int[] e = h.established();
        assertEquals(5, h.ok(send(e[1], "hello", 0)));
        assertEquals(List.of(
                "C>S [P.] seq 1:6 ack 1 win 64 [nop,nop,TS] len 5",
                "S>C [.] seq 1 ack 6 win 64 [nop,nop,TS] len 0"), h.take());
        assertEquals("hello", h.read(e[2], 100));
    }

    /** [M§14]: send after SHUT_WR -> EPIPE + SIGPIPE; with MSG_NOSIGNAL EPIPE and no signal. */
    @Test
    void msgNosignalSuppressesSigpipe() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_WR));
        Result r = h.call(send(e[1], "x", Bits.MSG_NOSIGNAL));
        assertEquals(Errno.EPIPE, r.errno());
        assertFalse(r.sigpipe());
        h.ok(new Call.Signal(Bits.SIGPIPE, Call.Disposition.SIG_IGN));
        Result r2 = h.call(send(e[1], "x", 0));
        assertEquals(Errno.EPIPE, r2.errno());
        assertTrue(r2.sigpipe());
    }

    /** tcp_recvmsg_locked: nothing queued, non-blocking -> EAGAIN; MSG_DONTWAIT on a blocking socket -> EAGAIN. */
    @Test
    void emptyQueueEagain() {
        Harness h = new Harness();
        int[] e = h.established();
        h.fails(recv(e[1], 10, Bits.MSG_DONTWAIT), Errno.EAGAIN);
        h.ok(new Call.Fcntl(e[1], Bits.F_SETFL, Bits.O_NONBLOCK));
        h.fails(recv(e[1], 10, 0), Errno.EAGAIN);
    }

    /** exp10 10.18: raw recv(buf, 0) non-blocking with nothing queued -> EAGAIN; with 3 B queued -> 0, data kept. */
    @Test
    void zeroLengthRecv() {
        Harness h = new Harness();
        int[] e = h.established();
        h.fails(recv(e[1], 0, Bits.MSG_DONTWAIT), Errno.EAGAIN);
        h.ok(send(e[2], "abc", 0));
        assertEquals(0, h.call(recv(e[1], 0, 0)).value());
        assertEquals("abc", h.read(e[1], 10));
    }

    /** exp10 10.18: blocking recv(0), peer sends 2 B 100 ms later: blocks until the data arrives, returns 0. */
    @Test
    void zeroLengthBlockingRecvWaitsForData() {
        Harness h = new Harness();
        int[] e = h.established();
        // The peer process sends after 100 ms: schedule it as a separate process call after a sleep is not possible
        // from one thread, so check the blocking part via the model's "blocked forever" when nothing can come.
        Result r = h.call(recv(e[1], 0, 0));
        assertTrue(r.blockedForever(), "recv(0) waits for data (sock_rcvlowat target 1)");
    }

    /** MSG_PEEK leaves the data queued. */
    @Test
    void msgPeekKeepsData() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "hello", 0));
        Result p = h.call(recv(e[2], 10, Bits.MSG_PEEK));
        assertEquals("hello", new String(p.data()));
        assertEquals("hello", h.read(e[2], 10));
    }

    /** [M§20] (tcp_recvmsg_locked, SOCK_DONE): after the peer's FIN, recv returns the data, then 0 every time. */
    @Test
    void zeroAfterFin() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "abc", 0));
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_WR));
        assertEquals("abc", h.read(e[2], 10));
        assertEquals(0, h.call(recv(e[2], 10, 0)).value());
        assertEquals(0, h.call(recv(e[2], 10, Bits.MSG_DONTWAIT)).value());
    }

    /** [M§15]: sending in CLOSE_WAIT is allowed; the data goes out as [P.] acking the FIN. */
    @Test
    void sendInCloseWait() {
        Harness h = new Harness();
        int[] e = h.closeWait();
        assertEquals(3, h.ok(send(e[2], "abc", 0)));
        assertEquals("S>C [P.] seq 1:4 ack 2 win 64 [nop,nop,TS] len 3", h.take().get(0));
    }

    /** exp10 10.18: send of 0 bytes on an established socket -> 0, no packet, no SIGPIPE. */
    @Test
    void zeroByteSendSendsNothing() {
        Harness h = new Harness();
        int[] e = h.established();
        Result r = h.call(send(e[1], "", 0));
        assertEquals(0, r.value());
        assertFalse(r.sigpipe());
        h.sleepMs(100);
        assertEquals(List.of(), h.take());
    }

    /** exp10 10.10: send on a fresh socket -> EPIPE + SIGPIPE (also 0 bytes, also non-blocking). */
    @Test
    void sendOnFreshSocketIsEpipe() {
        Harness h = new Harness();
        h.ok(new Call.Signal(Bits.SIGPIPE, Call.Disposition.SIG_IGN));
        int f = (int) h.ok(new Call.Socket(0));
        Result r = h.call(send(f, "x", 0));
        assertEquals(Errno.EPIPE, r.errno());
        assertTrue(r.sigpipe());
        Result r0 = h.call(send(f, "", 0));
        assertEquals(Errno.EPIPE, r0.errno());
        assertTrue(r0.sigpipe());
        Result rn = h.call(send(f, "x", Bits.MSG_NOSIGNAL | Bits.MSG_DONTWAIT));
        assertEquals(Errno.EPIPE, rn.errno());
        assertFalse(rn.sigpipe());
    }

    /** exp10 10.11, 10.12: recv on a fresh socket / listener -> ENOTCONN; send on a listener -> EPIPE + SIGPIPE. */
    @Test
    void recvOnFreshOrListenerIsEnotconn() {
        Harness h = new Harness();
        h.ok(new Call.Signal(Bits.SIGPIPE, Call.Disposition.SIG_IGN));
        int f = (int) h.ok(new Call.Socket(0));
        h.fails(recv(f, 10, 0), Errno.ENOTCONN);
        h.fails(recv(f, 0, 0), Errno.ENOTCONN);
        int a = h.listener();
        h.fails(recv(a, 10, 0), Errno.ENOTCONN);
        Result r = h.call(send(a, "x", 0));
        assertEquals(Errno.EPIPE, r.errno());
        assertTrue(r.sigpipe());
    }

    /**
     * exp4: a non-blocking 10 MiB send to a peer that never reads returns a partial count (3919467 on the
     * reference machine, about 3.9 MB), then EAGAIN. Asserted as a range: the exact count depends on skb truesize.
     */
    @Test
    void partialNonBlockingSendThenEagain() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(new Call.Fcntl(e[1], Bits.F_SETFL, Bits.O_NONBLOCK));
        byte[] big = new byte[10 * 1024 * 1024];
        Result r = h.call(new Call.Send(e[1], big, Bits.MSG_NOSIGNAL, false));
        assertTrue(r.value() > 3_700_000 && r.value() < 4_200_000, "accepted " + r.value());
        Result r2 = h.call(new Call.Send(e[1], big, Bits.MSG_NOSIGNAL, false));
        assertEquals(Errno.EAGAIN, r2.errno());
    }
}
