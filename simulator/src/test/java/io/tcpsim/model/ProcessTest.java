package io.tcpsim.model;

import static io.tcpsim.model.Harness.SERVER;
import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.Event;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Processes: SIGPIPE from sk_stream_error ([M§14], [M§16]), do_exit -> exit_files closing descriptors in ascending order
 * (fs/file.c close_files [SRC, not measured]), inet_release not lingering for an exiting process ([M§23]).
 */
class ProcessTest {

    /** Two connections made by process p: returns {listener(main), p's c1, p's c2, s1(main), s2(main)}. */
    private static int[] twoConnections(Harness h) {
        int a = h.listener();
        int c1 = (int) h.call("p", new Call.Socket(0)).value();
        h.call("p", new Call.Connect(c1, SERVER));
        int s1 = (int) h.ok(new Call.Accept(a, 0));
        int c2 = (int) h.call("p", new Call.Socket(0)).value();
        h.call("p", new Call.Connect(c2, SERVER));
        int s2 = (int) h.ok(new Call.Accept(a, 0));
        h.clear();
        return new int[] {a, c1, c2, s1, s2};
    }

    private static List<Event> nonState(Harness h) {
        List<Event> out = new ArrayList<>();
        for (Event e : h.events()) if (!(e instanceof Event.StateChanged)) out.add(e);
        return out;
    }

    /** [M§14], [M§16]: send after SHUT_WR without MSG_NOSIGNAL raises SIGPIPE; SIG_DFL kills the process, whose fds then close in order. */
    @Test
    void sigpipeKillsAndClosesFdsInOrder() {
        Harness h = new Harness();
        int[] x = twoConnections(h);
        h.call("p", new Call.Shutdown(x[1], Bits.SHUT_WR));
        h.sleepMs(10);
        h.clear();
        h.events().clear();
        Result r = h.call("p", send(x[1], "x", 0));
        assertEquals(Errno.EPIPE, r.errno());
        assertTrue(r.sigpipe());
        List<Event> ev = nonState(h);
        assertEquals(2, ev.size(), ev.toString());
        Event.SignalDelivered sig = (Event.SignalDelivered) ev.get(0);
        assertEquals("p", sig.process());
        assertEquals(Bits.SIGPIPE, sig.signo());
        assertTrue(sig.fatal());
        assertEquals("p", ((Event.ProcessEnded) ev.get(1)).process());
        // c1 (FIN_WAIT2, fd 3) closes first: nothing to send; c2 (fd 4) sends its FIN.
        assertEquals(List.of("C>S [F.] seq 1 ack 1 win 64 [nop,nop,TS] len 0"), h.take());
        assertEquals(Errno.EBADF, h.call("p", new Call.Close(x[1])).errno());
    }

    /** exit: descriptors close in ascending order: the FIN of the lower fd (c1) leaves first. */
    @Test
    void exitClosesInAscendingOrder() {
        Harness h = new Harness();
        int[] x = twoConnections(h);
        assertTrue(x[1] < x[2]);
        // Learn c1's port: c1 sends a byte first.
        h.call("p", send(x[1], "a", 0));
        int c1Port = h.raw().get(0).segment().src().port();
        h.read(x[3], 10);
        h.clear();
        h.model.exit("p");
        h.sleepMs(0.1);
        List<io.tcpsim.wire.Packet> raw = h.raw();
        assertEquals(2, raw.size(), h.take().toString());
        assertEquals(c1Port, raw.get(0).segment().src().port());
        assertTrue(raw.get(0).segment().has(io.tcpsim.wire.TcpFlags.FIN));
        assertTrue(raw.get(1).segment().has(io.tcpsim.wire.TcpFlags.FIN));
    }

    /** SIG_IGN: the call still fails with EPIPE, the process lives on. */
    @Test
    void sigIgnKeepsTheProcess() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(new Call.Signal(Bits.SIGPIPE, Call.Disposition.SIG_IGN));
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_WR));
        Result r = h.call(send(e[1], "x", 0));
        assertEquals(Errno.EPIPE, r.errno());
        for (Event ev : h.events()) assertFalse(ev instanceof Event.ProcessEnded);
        assertEquals(0, h.ok(new Call.Close(e[1])));
    }

    /** MSG_NOSIGNAL: EPIPE, no signal, the SIG_DFL process lives. */
    @Test
    void msgNosignalKeepsTheProcess() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_WR));
        Result r = h.call(send(e[1], "x", Bits.MSG_NOSIGNAL));
        assertEquals(Errno.EPIPE, r.errno());
        assertFalse(r.sigpipe());
        for (Event ev : h.events()) assertFalse(ev instanceof Event.ProcessEnded);
        assertEquals(0, h.ok(new Call.Close(e[1])));
    }

    /** [M§23]: SO_LINGER never makes an exiting process wait (inet_release checks PF_EXITING). */
    @Test
    void exitDoesNotLinger() {
        Harness h = new Harness();
        int a = h.listener();
        int c = (int) h.call("p", new Call.Socket(0)).value();
        h.call("p", new Call.Connect(c, SERVER));
        int s = (int) h.ok(new Call.Accept(a, 0));
        h.call("p", send(c, "hello", 0));
        h.read(s, 10);
        h.call("p", new Call.SetSockOpt(c, io.tcpsim.calls.SockOpt.SO_LINGER, new int[] {1, 5}));
        long t0 = h.model.now();
        h.model.exit("p");
        assertTrue(h.model.now() - t0 < 1_000_000, "exit returned after " + (h.model.now() - t0) + " ns");
    }
}
