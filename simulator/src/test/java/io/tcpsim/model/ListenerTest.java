package io.tcpsim.model;

import static io.tcpsim.model.Harness.SERVER;
import static io.tcpsim.model.Harness.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.wire.Packet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Listeners: sk_acceptq_is_full, tcp_conn_request, inet_csk_listen_stop (kernel-measurements exp6). */
class ListenerTest {

    private static int listener(Harness h, int backlog) {
        int a = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.SetSockOpt(a, SockOpt.SO_REUSEADDR, new int[] {1}));
        h.ok(new Call.Bind(a, SERVER));
        h.ok(new Call.Listen(a, backlog));
        return a;
    }

    private static int connectNb(Harness h) {
        int c = (int) h.ok(new Call.Socket(Bits.SOCK_NONBLOCK));
        h.call(new Call.Connect(c, SERVER));
        return c;
    }

    /** exp6: listen(0) admits 1 connection, listen(1) admits 2; the next SYN is dropped silently (no SYN-ACK, no RST). */
    @Test
    void backlogAdmitsNPlusOne() {
        for (int backlog = 0; backlog <= 1; backlog++) {
            Harness h = new Harness();
            listener(h, backlog);
            for (int i = 0; i <= backlog; i++) assertEquals(0, h.soError(connectNb(h)));
            h.clear();
            int late = connectNb(h);
            assertEquals(List.of("C>S [S] seq ISN win 65495 [mss 65495,sackOK,TS,nop,wscale 10] len 0"), h.take());
            assertEquals(0, h.pollNow(late));
            assertEquals("LISTEN " + (backlog + 1) + " 0", h.netstatBrief().get(0));
            assertTrue(h.netstatBrief().contains("SYN_SENT 0 1"));
        }
    }

    /**
     * exp6: the dropped client retransmits its SYN (same seq and options) 5 times about 1 s apart (1000-1032 ms),
     * then after about 2 s (2016-2020 ms): linear timeouts (tcp_syn_linear_timeouts 4), then doubling.
     */
    @Test
    void droppedSynIsRetransmittedLinearlyThenDoubling() {
        Harness h = new Harness();
        listener(h, 0);
        connectNb(h);
        h.clear();
        connectNb(h);
        h.sleepMs(7_500);
        List<Packet> raw = h.raw();
        List<String> d = h.take();
        assertEquals(7, raw.size(), d.toString());
        for (String s : d) assertEquals("C>S [S] seq ISN win 65495 [mss 65495,sackOK,TS,nop,wscale 10] len 0", s);
        for (int i = 1; i < 7; i++) {
            assertEquals(raw.get(0).segment().seq(), raw.get(i).segment().seq());
            double gap = Harness.ms(raw.get(i - 1), raw.get(i));
            if (i <= 5) assertTrue(gap >= 1000 && gap <= 1032, "retransmission " + i + " after " + gap);
            else assertTrue(gap >= 2000 && gap <= 2032, "retransmission " + i + " after " + gap);
        }
    }

    /** exp6: accept() frees a slot; the waiting client completes with its next SYN retransmission, answered at once. */
    @Test
    void acceptFreesSlotAndRetransmittedSynCompletes() {
        Harness h = new Harness();
        int a = listener(h, 0);
        connectNb(h);
        int late = connectNb(h);
        h.sleepMs(1_500);
        h.ok(new Call.Accept(a, 0));
        h.clear();
        h.sleepMs(1_000);
        List<Packet> raw = h.raw();
        assertEquals(List.of(
                "C>S [S] seq ISN win 65495 [mss 65495,sackOK,TS,nop,wscale 10] len 0",
                "S>C [S.] seq ISN ack 1 win 65483 [mss 65495,sackOK,TS,nop,wscale 10] len 0",
                "C>S [.] seq 1 ack 1 win 64 [nop,nop,TS] len 0"), h.take());
        assertTrue(Harness.ms(raw.get(0), raw.get(1)) < 0.1);
        assertEquals(0x104, h.pollNow(late));
    }

    /**
     * exp6 6d: closing a listener (no SO_LINGER) with an ESTABLISHED child and a CLOSE_WAIT child sends
     * [R.] seq 1, ack 1 and [R.] seq 1, ack 2 (RCV.NXT after the FIN), with TS, in accept-queue order; both clients
     * (the FIN_WAIT2 one too) get ECONNRESET then 0.
     */
    @Test
    void closingListenerResetsQueuedChildren() {
        Harness h = new Harness();
        int a = listener(h, 8);
        int c1 = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c1, SERVER));
        int c2 = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c2, SERVER));
        h.ok(new Call.Shutdown(c2, Bits.SHUT_WR));
        h.sleepMs(10);
        assertEquals(List.of("LISTEN 2 0", "CLOSE_WAIT 1 0", "ESTABLISHED 0 0", "ESTABLISHED 0 0", "FIN_WAIT2 0 0"),
                h.netstatBrief());
        h.clear();
        h.ok(new Call.Close(a));
        assertEquals(List.of(
                "S>C [R.] seq 1 ack 1 win 64 [nop,nop,TS] len 0",
                "S>C [R.] seq 1 ack 2 win 64 [nop,nop,TS] len 0"), h.take());
        for (int c : new int[] {c1, c2}) {
            assertEquals(0x215d, h.pollNow(c));
            h.fails(recv(c, 10, 0), Errno.ECONNRESET);
            assertEquals(0, h.call(recv(c, 10, 0)).value());
        }
        assertEquals(List.of(), h.netstatBrief());
    }

    /** exp6: a queued (never accepted) client is fully ESTABLISHED: poll POLLOUT|POLLWRNORM, SO_ERROR 0. */
    @Test
    void queuedClientIsEstablished() {
        Harness h = new Harness();
        listener(h, 0);
        int c = connectNb(h);
        assertEquals(0x104, h.pollNow(c));
        assertEquals(0, h.soError(c));
    }
}
