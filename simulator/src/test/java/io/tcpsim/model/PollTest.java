package io.tcpsim.model;

import static io.tcpsim.model.Harness.SERVER;
import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import org.junit.jupiter.api.Test;

/** tcp_poll masks, all events requested, timeout 0: [M§17] and [M§11] (hex as returned). */
class PollTest {

    /** exp11: listener with nothing pending 0; with one completed connection POLLIN|POLLRDNORM; 0 again after accept. */
    @Test
    void listener() {
        Harness h = new Harness();
        int a = h.listener();
        assertEquals(0, h.pollNow(a));
        int c = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c, SERVER));
        assertEquals(0x41, h.pollNow(a));
        h.ok(new Call.Accept(a, 0));
        assertEquals(0, h.pollNow(a));
    }

    /** exp11: fresh socket (also after bind) POLLOUT|POLLHUP|POLLWRNORM = 0x114. */
    @Test
    void freshSocket() {
        Harness h = new Harness();
        int f = (int) h.ok(new Call.Socket(0));
        assertEquals(0x114, h.pollNow(f));
        h.ok(new Call.Bind(f, SERVER));
        assertEquals(0x114, h.pollNow(f));
    }

    /** [M§11]: SYN_SENT 0. */
    @Test
    void synSent() {
        Harness h = new Harness();
        int[] s = h.synSent();
        assertEquals(0, h.pollNow(s[2]));
    }

    /** [M§17], [M§11]: ESTABLISHED idle POLLOUT|POLLWRNORM; with 5 B unread 0x145. */
    @Test
    void established() {
        Harness h = new Harness();
        int[] e = h.established();
        assertEquals(0x104, h.pollNow(e[1]));
        h.ok(send(e[1], "hello", 0));
        assertEquals(0x145, h.pollNow(e[2]));
    }

    /** [M§17]: FIN received (CLOSE_WAIT) 0x2145, no HUP; own SHUT_WR (FIN_WAIT2) 0x104. */
    @Test
    void halfClosed() {
        Harness h = new Harness();
        int[] e = h.closeWait();
        assertEquals(0x2145, h.pollNow(e[2]));
        assertEquals(0x104, h.pollNow(e[1]));
    }

    /** [M§17]: both directions shut (SHUT_WR + peer FIN) 0x2155. */
    @Test
    void bothShut() {
        Harness h = new Harness();
        int[] e = h.closeWait();
        h.ok(new Call.Shutdown(e[2], Bits.SHUT_WR));
        assertEquals(0x2155, h.pollNow(e[2]));
    }

    /** exp11: shutdown(SHUT_RD) with 5 B queued 0x2145. */
    @Test
    void shutRd() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[2], "hello", 0));
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_RD));
        assertEquals(0x2145, h.pollNow(e[1]));
    }

    /** exp11: RST received, error pending 0x215d; consumed 0x2155. */
    @Test
    void afterReset() {
        Harness h = new Harness();
        int[] e = h.established();
        h.linger(e[2], 1, 0);
        h.ok(new Call.Close(e[2]));
        assertEquals(0x215d, h.pollNow(e[1]));
        h.soError(e[1]);
        assertEquals(0x2155, h.pollNow(e[1]));
    }

    /** poll(2): a descriptor that is not open reports POLLNVAL. */
    @Test
    void closedFdIsPollnval() {
        Harness h = new Harness();
        assertEquals(Bits.POLLNVAL, h.pollNow(42));
    }

    /** poll(2): revents = mask & (events | POLLERR | POLLHUP): asking for POLLIN only on an idle socket gives 0. */
    @Test
    void eventsFilterTheMask() {
        Harness h = new Harness();
        int[] e = h.established();
        assertEquals(0, h.call(Harness.poll(e[1], Bits.POLLIN, 0)).revents()[0]);
        int f = (int) h.ok(new Call.Socket(0));
        assertEquals(Bits.POLLHUP, h.call(Harness.poll(f, Bits.POLLIN, 0)).revents()[0]);
    }
}
