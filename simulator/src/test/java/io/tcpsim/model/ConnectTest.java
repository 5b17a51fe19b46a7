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

/** connect(): af_inet.c __inet_stream_connect ([M§10], [M§11], [M§13], [M§14]). */
class ConnectTest {

    /** Blocking connect returns 0 when established; a second connect -> EISCONN (exp10 10.5), other address too. */
    @Test
    void blockingConnectThenEisconn() {
        Harness h = new Harness();
        h.listener();
        int c = (int) h.ok(new Call.Socket(0));
        assertEquals(0, h.ok(new Call.Connect(c, SERVER)));
        h.fails(new Call.Connect(c, SERVER), Errno.EISCONN);
        h.fails(new Call.Connect(c, io.tcpsim.wire.SockAddr.loopback(9)), Errno.EISCONN);
    }

    /** [M§10] 10.6c: non-blocking connect -> EINPROGRESS with the SYN on the wire; again -> 0; then EISCONN. */
    @Test
    void nonBlockingConnectInProgressThenZeroThenEisconn() {
        Harness h = new Harness();
        h.listener();
        int c = (int) h.ok(new Call.Socket(Bits.SOCK_NONBLOCK));
        h.fails(new Call.Connect(c, SERVER), Errno.EINPROGRESS);
        assertEquals("C>S [S] seq ISN win 65495 [mss 65495,sackOK,TS,nop,wscale 10] len 0", h.take().get(0));
        assertEquals(0x104, h.pollNow(c));
        assertEquals(0, h.soError(c));
        assertEquals(0, h.ok(new Call.Connect(c, SERVER)));
        h.fails(new Call.Connect(c, SERVER), Errno.EISCONN);
    }

    /** exp10 10.6b: SO_ERROR read first (0) does not consume the "first connect returns 0". */
    @Test
    void soErrorDoesNotConsumeConnectZero() {
        Harness h = new Harness();
        h.listener();
        int c = (int) h.ok(new Call.Socket(Bits.SOCK_NONBLOCK));
        h.fails(new Call.Connect(c, SERVER), Errno.EINPROGRESS);
        assertEquals(0, h.soError(c));
        assertEquals(0, h.ok(new Call.Connect(c, SERVER)));
    }

    /** [M§14]: connect again while still in SYN_SENT -> EALREADY; poll 0; SO_ERROR 0; nonblocking recv/send EAGAIN (exp11). */
    @Test
    void synSentConnectAgainIsEalready() {
        Harness h = new Harness();
        int[] s = h.synSent();
        h.fails(new Call.Connect(s[2], SERVER), Errno.EALREADY);
        assertEquals(0, h.pollNow(s[2]));
        assertEquals(0, h.soError(s[2]));
        h.fails(recv(s[2], 10, 0), Errno.EAGAIN);
        h.fails(send(s[2], "x", Bits.MSG_NOSIGNAL), Errno.EAGAIN);
    }

    /** [M§13]: refused non-blocking connect: SO_ERROR ECONNREFUSED then 0; poll shows POLLERR (0x215d). */
    @Test
    void nonBlockingRefusedReportsViaSoError() {
        Harness h = new Harness();
        int c = (int) h.ok(new Call.Socket(Bits.SOCK_NONBLOCK));
        h.fails(new Call.Connect(c, SERVER), Errno.EINPROGRESS);
        assertEquals(0x215d, h.pollNow(c));
        assertEquals(Errno.ECONNREFUSED.number, h.soError(c));
        assertEquals(0, h.soError(c));
        assertEquals(0x2155, h.pollNow(c));
    }

    /** [M§13]: connect again after a refusal with the error pending -> ECONNREFUSED. */
    @Test
    void connectAgainWithRefusalPending() {
        Harness h = new Harness();
        int c = (int) h.ok(new Call.Socket(Bits.SOCK_NONBLOCK));
        h.fails(new Call.Connect(c, SERVER), Errno.EINPROGRESS);
        h.fails(new Call.Connect(c, SERVER), Errno.ECONNREFUSED);
    }

    /** [M§13]: connect again after the refusal was consumed -> ECONNABORTED (sock_error ?: -ECONNABORTED). */
    @Test
    void connectAgainAfterRefusalConsumedIsEconnaborted() {
        Harness h = new Harness();
        int c = (int) h.ok(new Call.Socket(Bits.SOCK_NONBLOCK));
        h.fails(new Call.Connect(c, SERVER), Errno.EINPROGRESS);
        assertEquals(Errno.ECONNREFUSED.number, h.soError(c));
        h.fails(new Call.Connect(c, SERVER), Errno.ECONNABORTED);
    }

    /** [M§13]: a blocking connect to a closed port returns ECONNREFUSED; the socket is not listed (CLOSE). */
    @Test
    void blockingConnectRefused() {
        Harness h = new Harness();
        int c = (int) h.ok(new Call.Socket(0));
        h.fails(new Call.Connect(c, SERVER), Errno.ECONNREFUSED);
        assertEquals(List.of(), h.netstatBrief());
    }

    /** exp10 10.4: connect() on a LISTEN socket -> EISCONN, still listening. */
    @Test
    void connectOnListenerIsEisconn() {
        Harness h = new Harness();
        int a = h.listener();
        h.fails(new Call.Connect(a, SERVER), Errno.EISCONN);
        assertEquals(List.of("LISTEN 0 0"), h.netstatBrief());
    }

    /** exp10 10.1-10.3, 10.7: accept on a fresh/connected socket EINVAL; listen on connected EINVAL; bind twice EINVAL. */
    @Test
    void wrongStateCallsAreEinval() {
        Harness h = new Harness();
        int[] e = h.established();
        int f = (int) h.ok(new Call.Socket(0));
        h.fails(new Call.Accept(f, 0), Errno.EINVAL);
        h.fails(new Call.Accept(e[1], 0), Errno.EINVAL);
        h.fails(new Call.Accept(e[2], 0), Errno.EINVAL);
        h.fails(new Call.Listen(e[1], 5), Errno.EINVAL);
        h.fails(new Call.Listen(e[2], 5), Errno.EINVAL);
        int b = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Bind(b, io.tcpsim.wire.SockAddr.loopback(5555)));
        h.fails(new Call.Bind(b, io.tcpsim.wire.SockAddr.loopback(5555)), Errno.EINVAL);
        h.fails(new Call.Bind(b, io.tcpsim.wire.SockAddr.loopback(5556)), Errno.EINVAL);
    }

    /** exp11 11g: connect() again on the fd left by TIME_WAIT -> EISCONN. */
    @Test
    void connectAfterTimeWaitIsEisconn() {
        Harness h = new Harness();
        int[] e = h.timeWait();
        h.fails(new Call.Connect(e[1], SERVER), Errno.EISCONN);
    }

    /** [M§10] 10.15: connect to a listener that did shutdown(SHUT_RD) -> ECONNREFUSED. */
    @Test
    void connectToShutRdListenerIsRefused() {
        Harness h = new Harness();
        int a = h.listener();
        h.ok(new Call.Shutdown(a, Bits.SHUT_RD));
        int c = (int) h.ok(new Call.Socket(0));
        h.fails(new Call.Connect(c, SERVER), Errno.ECONNREFUSED);
    }
}
