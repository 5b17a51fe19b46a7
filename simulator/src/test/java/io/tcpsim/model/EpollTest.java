package io.tcpsim.model;

import static io.tcpsim.model.Harness.SERVER;
import static io.tcpsim.model.Harness.recv;
import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** epoll, level- and edge-triggered: kernel-measurements exp7 (ep_poll_callback, ep_insert). */
class EpollTest {
    private static final int IN = Bits.POLLIN, OUT = Bits.POLLOUT, RDHUP = Bits.POLLRDHUP, ET = Bits.EPOLLET;

    private static int epoll(Harness h, int fd, int events) {
        int ep = (int) h.ok(new Call.EpollCreate());
        h.ok(new Call.EpollCtl(ep, Bits.EPOLL_CTL_ADD, fd, events));
        return ep;
    }

    /** The masks reported, one per event. */
    private static List<Integer> wait(Harness h, int ep, int timeoutMs) {
        Result r = h.call(new Call.EpollWait(ep, 16, timeoutMs));
        List<Integer> out = new ArrayList<>();
        for (Result.EpollEvent e : r.events()) out.add(e.events());
        return out;
    }

    private static void connect(Harness h) {
        int c = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c, SERVER));
    }

    /** exp7 7a LT: a listener with pending connections reports [0x1] on every wait; none left -> [] after the timeout. */
    @Test
    void levelTriggeredListener() {
        Harness h = new Harness();
        int a = h.listener();
        int ep = epoll(h, a, IN);
        connect(h);
        connect(h);
        assertEquals(List.of(0x1), wait(h, ep, 0));
        assertEquals(List.of(0x1), wait(h, ep, 0));
        h.ok(new Call.Accept(a, 0));
        assertEquals(List.of(0x1), wait(h, ep, 0));
        h.ok(new Call.Accept(a, 0));
        long t0 = h.model.now();
        assertEquals(List.of(), wait(h, ep, 100));
        assertEquals(100_000_000L, h.model.now() - t0);
    }

    /** exp7 7a ET: one [0x1] only; accept one (one still pending) -> wait(100) times out; a new connection -> [0x1] once. */
    @Test
    void edgeTriggeredListener() {
        Harness h = new Harness();
        int a = h.listener();
        int ep = epoll(h, a, IN | ET);
        connect(h);
        connect(h);
        assertEquals(List.of(0x1), wait(h, ep, 0));
        assertEquals(List.of(), wait(h, ep, 0));
        h.ok(new Call.Accept(a, 0));
        assertEquals(List.of(), wait(h, ep, 100));
        connect(h);
        assertEquals(List.of(0x1), wait(h, ep, 0));
        assertEquals(List.of(), wait(h, ep, 0));
    }

    /** exp7 7a: ET registered while connections are already pending -> [0x1] once (ep_insert checks readiness). */
    @Test
    void edgeTriggeredRegisteredWhenReady() {
        Harness h = new Harness();
        int a = h.listener();
        connect(h);
        connect(h);
        int ep = epoll(h, a, IN | ET);
        assertEquals(List.of(0x1), wait(h, ep, 0));
        assertEquals(List.of(), wait(h, ep, 0));
    }

    /**
     * exp7 7b: ET on ESTABLISHED with IN|OUT|RDHUP|PRI|ET: registration -> [0x4] once; two arrivals -> one [0x5];
     * a 3rd arrival with data unread -> [0x5] again; after reading all -> [].
     */
    @Test
    void edgeTriggeredEstablished() {
        Harness h = new Harness();
        int[] e = h.established();
        int ep = epoll(h, e[1], IN | OUT | RDHUP | Bits.POLLPRI | ET);
        assertEquals(List.of(0x4), wait(h, ep, 0));
        assertEquals(List.of(), wait(h, ep, 0));
        h.ok(send(e[2], "a", 0));
        h.sleepMs(20);
        h.ok(send(e[2], "b", 0));
        assertEquals(List.of(0x5), wait(h, ep, 0));
        assertEquals(List.of(), wait(h, ep, 0));
        h.ok(send(e[2], "c", 0));
        assertEquals(List.of(0x5), wait(h, ep, 0));
        h.read(e[1], 10);
        assertEquals(List.of(), wait(h, ep, 0));
    }

    /** exp7 7b: EPOLLIN|EPOLLET only: each arrival -> [0x1] even if unread; our own send being ACKed -> []. */
    @Test
    void edgeTriggeredInOnly() {
        Harness h = new Harness();
        int[] e = h.established();
        int ep = epoll(h, e[1], IN | ET);
        h.ok(send(e[2], "a", 0));
        assertEquals(List.of(0x1), wait(h, ep, 0));
        h.ok(send(e[2], "b", 0));
        assertEquals(List.of(0x1), wait(h, ep, 0));
        h.ok(send(e[1], "z", 0));
        assertEquals(List.of(), wait(h, ep, 0));
    }

    /** exp7 7c: peer FIN -> LT [0x2005] every wait, also after recv 0; after our own SHUT_WR -> [0x2015]. */
    @Test
    void levelTriggeredRdhup() {
        Harness h = new Harness();
        int[] e = h.established();
        int ep = epoll(h, e[2], IN | OUT | RDHUP);
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_WR));
        assertEquals(List.of(0x2005), wait(h, ep, 0));
        assertEquals(0, h.call(recv(e[2], 10, 0)).value());
        assertEquals(List.of(0x2005), wait(h, ep, 0));
        h.ok(new Call.Shutdown(e[2], Bits.SHUT_WR));
        assertEquals(List.of(0x2015), wait(h, ep, 0));
    }

    /** exp7 7c ET: peer FIN -> [0x2005] once; our own SHUT_WR re-arms -> [0x2015]. */
    @Test
    void edgeTriggeredRdhup() {
        Harness h = new Harness();
        int[] e = h.established();
        int ep = epoll(h, e[2], IN | OUT | RDHUP | ET);
        wait(h, ep, 0); // registration: [0x4]
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_WR));
        assertEquals(List.of(0x2005), wait(h, ep, 0));
        assertEquals(List.of(), wait(h, ep, 0));
        h.ok(new Call.Shutdown(e[2], Bits.SHUT_WR));
        assertEquals(List.of(0x2015), wait(h, ep, 0));
    }

    /** exp7 7d: peer RST -> [0x201d] (LT repeated); after recv ECONNRESET LT [0x2015]. */
    @Test
    void levelTriggeredReset() {
        Harness h = new Harness();
        int[] e = h.established();
        int ep = epoll(h, e[1], IN | OUT | RDHUP);
        h.linger(e[2], 1, 0);
        h.ok(new Call.Close(e[2]));
        assertEquals(List.of(0x201d), wait(h, ep, 0));
        assertEquals(List.of(0x201d), wait(h, ep, 0));
        h.fails(recv(e[1], 10, 0), Errno.ECONNRESET);
        assertEquals(List.of(0x2015), wait(h, ep, 0));
    }

    /** exp7 7d ET: peer RST -> [0x201d] once; after recv ECONNRESET -> []. */
    @Test
    void edgeTriggeredReset() {
        Harness h = new Harness();
        int[] e = h.established();
        int ep = epoll(h, e[1], IN | OUT | RDHUP | ET);
        wait(h, ep, 0);
        h.linger(e[2], 1, 0);
        h.ok(new Call.Close(e[2]));
        assertEquals(List.of(0x201d), wait(h, ep, 0));
        h.fails(recv(e[1], 10, 0), Errno.ECONNRESET);
        assertEquals(List.of(), wait(h, ep, 0));
    }

    /** exp7 7d: registered with events=0: nothing before, [0x18] EPOLLERR|EPOLLHUP after the RST. */
    @Test
    void errAndHupAlwaysReported() {
        Harness h = new Harness();
        int[] e = h.established();
        int ep = epoll(h, e[1], 0);
        assertEquals(List.of(), wait(h, ep, 0));
        h.linger(e[2], 1, 0);
        h.ok(new Call.Close(e[2]));
        assertEquals(List.of(0x18), wait(h, ep, 0));
    }

    /**
     * exp7 7e: EPOLLOUT|EPOLLET only: registration [0x4] once; incoming data -> no event; peer FIN -> [0x4];
     * peer RST -> [0x1c].
     */
    @Test
    void edgeTriggeredOutOnly() {
        Harness h = new Harness();
        int[] e = h.established();
        int ep = epoll(h, e[1], OUT | ET);
        assertEquals(List.of(0x4), wait(h, ep, 0));
        assertEquals(List.of(), wait(h, ep, 0));
        h.ok(send(e[2], "data", 0));
        assertEquals(List.of(), wait(h, ep, 0));
        h.ok(new Call.Shutdown(e[2], Bits.SHUT_WR));
        assertEquals(List.of(0x4), wait(h, ep, 0));
        h.linger(e[2], 1, 0);
        h.ok(new Call.Close(e[2]));
        assertEquals(List.of(0x1c), wait(h, ep, 0));
    }

    /** exp7 7e: LT EPOLLOUT -> [0x4] on every wait. */
    @Test
    void levelTriggeredOut() {
        Harness h = new Harness();
        int[] e = h.established();
        int ep = epoll(h, e[1], OUT);
        assertEquals(List.of(0x4), wait(h, ep, 0));
        assertEquals(List.of(0x4), wait(h, ep, 0));
    }
}
