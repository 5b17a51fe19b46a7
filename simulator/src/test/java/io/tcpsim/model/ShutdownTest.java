package io.tcpsim.model;

import static io.tcpsim.model.Harness.SERVER;
import static io.tcpsim.model.Harness.recv;
import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import java.util.List;
import org.junit.jupiter.api.Test;

/** shutdown(): af_inet.c inet_shutdown, tcp.c tcp_shutdown ([M§14], [M§10] 10.13-10.15b). */
class ShutdownTest {

    /** [M§14], [M§1]: SHUT_WR sends the FIN immediately; the peer ACKs it on the next tick (no data received). */
    @Test
    void shutWrSendsFinAtOnce() {
        Harness h = new Harness();
        int[] e = h.established();
        assertEquals(0, h.ok(new Call.Shutdown(e[1], Bits.SHUT_WR)));
        assertEquals(List.of("C>S [F.] seq 1 ack 1 win 64 [nop,nop,TS] len 0"), h.take());
        h.sleepMs(5);
        assertEquals(List.of("S>C [.] seq 1 ack 2 win 64 [nop,nop,TS] len 0"), h.take());
        assertEquals(0x104, h.pollNow(e[1]));
    }

    /** [M§14]: SHUT_RD sends no packet; recv returns queued data then 0 at once, even non-blocking. */
    @Test
    void shutRdSendsNothingAndReadsZero() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[2], "hello", 0));
        h.clear();
        assertEquals(0, h.ok(new Call.Shutdown(e[1], Bits.SHUT_RD)));
        h.sleepMs(100);
        assertEquals(List.of(), h.take());
        assertEquals(0x2145, h.pollNow(e[1]));
        assertEquals("hello", h.read(e[1], 10));
        assertEquals(0, h.call(recv(e[1], 10, Bits.MSG_DONTWAIT)).value());
        assertEquals(0x2145, h.pollNow(e[1]));
    }

    /** [M§14]: after SHUT_RD, later data is accepted, ACKed normally and readable; Recv-Q grows; then 0 again. */
    @Test
    void shutRdStillAcceptsData() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_RD));
        h.ok(send(e[2], "abc", 0));
        assertEquals(List.of(
                "S>C [P.] seq 1:4 ack 1 win 64 [nop,nop,TS] len 3",
                "C>S [.] seq 1 ack 4 win 64 [nop,nop,TS] len 0"), h.take());
        assertEquals(List.of("LISTEN 0 0", "ESTABLISHED 0 0", "ESTABLISHED 3 0"), h.netstatBrief());
        assertEquals("abc", h.read(e[1], 10));
        assertEquals(0, h.call(recv(e[1], 10, 0)).value());
    }

    /** [M§14]: close() while data that arrived after SHUT_RD is unread -> RST. */
    @Test
    void shutRdThenCloseWithUnreadDataResets() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_RD));
        h.ok(send(e[2], "abc", 0));
        h.clear();
        h.ok(new Call.Close(e[1]));
        assertEquals(List.of("C>S [R.] seq 1 ack 4 win 64 [nop,nop,TS] len 0"), h.take());
    }

    /** [M§17]: SHUT_RDWR sends the FIN; both directions shut -> poll 0x2155 once the peer's FIN came. */
    @Test
    void shutRdwr() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_RDWR));
        assertEquals(List.of("C>S [F.] seq 1 ack 1 win 64 [nop,nop,TS] len 0"), h.take());
        assertEquals(0x2155, h.pollNow(e[1]));
    }

    /** [M§10] 10.13 and [M§14]: shutdown on a fresh socket -> ENOTCONN for all three, but the bits are OR-ed in. */
    @Test
    void freshSocketEnotconnButBitsSet() {
        Harness h = new Harness();
        for (int how : new int[] {Bits.SHUT_RD, Bits.SHUT_WR, Bits.SHUT_RDWR}) {
            int f = (int) h.ok(new Call.Socket(0));
            h.fails(new Call.Shutdown(f, how), Errno.ENOTCONN);
        }
        int f = (int) h.ok(new Call.Socket(0));
        assertEquals(0x114, h.pollNow(f));
        h.fails(new Call.Shutdown(f, Bits.SHUT_RD), Errno.ENOTCONN);
        assertEquals(0x2155, h.pollNow(f));
    }

    /** [M§14]: any other how -> EINVAL. */
    @Test
    void badHowIsEinval() {
        Harness h = new Harness();
        int[] e = h.established();
        h.fails(new Call.Shutdown(e[1], 3), Errno.EINVAL);
        h.fails(new Call.Shutdown(e[1], -1), Errno.EINVAL);
    }

    /** exp10 10.14: SHUT_WR on a listener -> 0, still LISTEN, connect+accept still work. */
    @Test
    void listenerShutWrDoesNothing() {
        Harness h = new Harness();
        int a = h.listener();
        assertEquals(0, h.ok(new Call.Shutdown(a, Bits.SHUT_WR)));
        assertEquals(List.of("LISTEN 0 0"), h.netstatBrief());
        int c = (int) h.ok(new Call.Socket(0));
        assertEquals(0, h.ok(new Call.Connect(c, SERVER)));
        h.ok(new Call.Accept(a, 0));
    }

    /**
     * exp10 10.15: SHUT_RD on a listener -> 0; it leaves LISTEN; accept EINVAL; listen again -> LISTEN, now with
     * Send-Q 2: tcp_disconnect added max_window + 2 (0 + 2) to write_seq (kernel, 20 of 20 tcpsim check runs of
     * traces/scenarios/cover/shutdown-listener.yaml).
     */
    @Test
    void listenerShutRdStopsListening() {
        Harness h = new Harness();
        int a = h.listener();
        assertEquals(0, h.ok(new Call.Shutdown(a, Bits.SHUT_RD)));
        assertEquals(List.of(), h.netstatBrief());
        h.fails(new Call.Accept(a, 0), Errno.EINVAL);
        int c = (int) h.ok(new Call.Socket(0));
        h.fails(new Call.Connect(c, SERVER), Errno.ECONNREFUSED);
        assertEquals("S>C [R.] seq 0 ack 1 win 0 len 0", h.take().get(1));
        assertEquals(0, h.ok(new Call.Listen(a, 4)));
        assertEquals(List.of("LISTEN 0 2"), h.netstatBrief());
    }

    /** exp10 10.15b: SHUT_RDWR on a listener -> 0; accept EINVAL; a second shutdown -> ENOTCONN. */
    @Test
    void listenerShutRdwrThenEnotconn() {
        Harness h = new Harness();
        int a = h.listener();
        assertEquals(0, h.ok(new Call.Shutdown(a, Bits.SHUT_RDWR)));
        h.fails(new Call.Accept(a, 0), Errno.EINVAL);
        h.fails(new Call.Shutdown(a, Bits.SHUT_RDWR), Errno.ENOTCONN);
    }

    /** [M§14]: SYN_SENT, any how -> tcp_disconnect: returns 0, no packet, the socket vanishes from netstat. */
    @Test
    void synSentShutdownAbortsSilently() {
        Harness h = new Harness();
        int[] s = h.synSent();
        assertEquals(List.of("LISTEN 1 0", "ESTABLISHED 0 0", "ESTABLISHED 0 0", "SYN_SENT 0 1"), h.netstatBrief());
        assertEquals(0, h.ok(new Call.Shutdown(s[2], Bits.SHUT_WR)));
        h.sleepMs(3000);
        assertEquals(List.of(), h.take());
        assertEquals(List.of("LISTEN 1 0", "ESTABLISHED 0 0", "ESTABLISHED 0 0"), h.netstatBrief());
    }

    /** [M§13]: shutdown after an RST -> ENOTCONN. */
    @Test
    void shutdownAfterResetIsEnotconn() {
        Harness h = new Harness();
        int[] e = h.established();
        h.linger(e[2], 1, 0);
        h.ok(new Call.Close(e[2]));
        h.fails(new Call.Shutdown(e[1], Bits.SHUT_WR), Errno.ENOTCONN);
    }
}
