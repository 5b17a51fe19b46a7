package io.tcpsim.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.Event;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.ProcessEnd;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.SockAddr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The kernel backend driven with Call records, as the runner drives it. Every test runs in its own network
 * namespace, so fixed ports are safe. Needs root (or CAP_NET_ADMIN+CAP_NET_RAW) and libpcap: without them the
 * backend's constructor fails with its one-line message, and so do these tests.
 */
class KernelBackendTest {
    static final int PORT = 4321;
    static final SockAddr SERVER = SockAddr.loopback(PORT);
    static final byte[] X = {'x'};

    /** server: socket/bind/listen on 3; client: socket 3, connect; server: accept 4. */
    static void established(KernelBackend k) {
        assertEquals(Result.ok(3), k.call("server", new Call.Socket(0)));
        assertEquals(Result.ok(0), k.call("server", new Call.Bind(3, SERVER)));
        assertEquals(Result.ok(0), k.call("server", new Call.Listen(3, 5)));
        assertEquals(Result.ok(3), k.call("client", new Call.Socket(0)));
        assertEquals(Result.ok(0), k.call("client", new Call.Connect(3, SERVER)));
        assertEquals(Result.ok(4), k.call("server", new Call.Accept(3, 0)));
    }

    static List<String> handshake(int win) {
        return List.of(
                "C>S [S] seq 0 ack 0 win 65495 len 0 <mss,sackOK,TS,nop,wscale>",
                "S>C [S.] seq 0 ack 1 win 65483 len 0 <mss,sackOK,TS,nop,wscale>",
                "C>S [.] seq 1 ack 1 win " + win + " len 0 <nop,nop,TS>");
    }

    /** Result is a record holding arrays, whose equals compares them by identity: compare the printed form. */
    static void same(Result expected, Result actual) {
        assertEquals(show(expected), show(actual));
    }

    static String show(Result r) {
        return "value=" + r.value() + " errno=" + r.errno() + " data=" + Arrays.toString(r.data()) + " fds="
                + Arrays.toString(r.fds()) + " revents=" + Arrays.toString(r.revents()) + " events=" + r.events()
                + " optval=" + Arrays.toString(r.optval()) + " sigpipe=" + r.sigpipe() + " blocked="
                + r.blockedForever();
    }

    static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    @Test
    void closeThenSendDrawsRstThenEpipeAndSigpipeKillsTheProcess() {
        try (KernelBackend k = new KernelBackend()) {
            established(k);
            assertEquals(Result.ok(0), k.call("client", new Call.Close(3)));
            assertEquals(Result.ok(1), k.call("server", new Call.Send(4, X, 0, false)));
            assertEquals(Result.error(Errno.EPIPE), k.call("server", new Call.Send(4, X, Bits.MSG_NOSIGNAL, false)));
            Result killed = k.call("server", new Call.Send(4, X, 0, false));
            assertEquals(Result.error(Errno.EPIPE).withSigpipe(), killed);
            // Killed: its descriptors are gone, so the listener is gone too; a new call makes a fresh process.
            assertEquals(List.of(), k.netstat());
            assertEquals(Result.ok(3), k.call("server", new Call.Socket(0)));

            List<Event> events = k.drainEvents();
            int win = Wire.windowAfterHandshake(events);
            // The FIN's ACK may ride alone or not at all before the data, depending on timing (pcap4j-notes):
            // check the fixed part and the end.
            List<String> wire = Wire.render(events, PORT);
            assertEquals(handshake(win), wire.subList(0, 3));
            assertEquals("C>S [F.] seq 1 ack 1 win " + win + " len 0 <nop,nop,TS>", wire.get(3));
            assertEquals(List.of(
                    "S>C [P.] seq 1 ack 2 win " + win + " len 1 <nop,nop,TS>",
                    "C>S [R] seq 2 ack 0 win 0 len 0"), wire.subList(wire.size() - 2, wire.size()));

            // Drops are left out: which one the orphan makes races the FIN's ACK (ReasonTracerTest, check).
            List<Event> rest = events.stream()
                    .filter(e -> !(e instanceof Event.PacketSent) && !(e instanceof Event.Dropped)).toList();
            assertEquals(2, rest.size(), rest.toString());
            Event.SignalDelivered sig = (Event.SignalDelivered) rest.get(0);
            assertEquals("server", sig.process());
            assertEquals(Bits.SIGPIPE, sig.signo());
            assertTrue(sig.fatal());
            Event.ProcessEnded end = (Event.ProcessEnded) rest.get(1);
            assertEquals(new Event.ProcessEnded(end.timeNanos(), "server", ProcessEnd.KILLED_BY_SIGPIPE), end);
            assertTrue(end.timeNanos() >= sig.timeNanos());
            // Packets and events share one clock and come out sorted.
            for (int i = 1; i < events.size(); i++) {
                assertTrue(events.get(i - 1).timeNanos() <= events.get(i).timeNanos(), events.toString());
            }
        }
    }

    @Test
    void sigpipeUnderSigIgnAndHandlerDoesNotKill() {
        try (KernelBackend k = new KernelBackend()) {
            established(k);
            assertEquals(Result.ok(0), k.call("server", new Call.Signal(Bits.SIGPIPE, Call.Disposition.SIG_IGN)));
            assertEquals(Result.ok(0), k.call("client", new Call.Close(3)));
            assertEquals(Result.ok(1), k.call("server", new Call.Send(4, X, 0, false)));
            assertEquals(Result.error(Errno.EPIPE).withSigpipe(), k.call("server", new Call.Send(4, X, 0, true)));
            assertEquals(Result.ok(0), k.call("server", new Call.Signal(Bits.SIGPIPE, Call.Disposition.HANDLER)));
            assertEquals(Result.error(Errno.EPIPE).withSigpipe(), k.call("server", new Call.Send(4, X, 0, false)));
            List<Event> rest = k.drainEvents().stream()
                    .filter(e -> !(e instanceof Event.PacketSent) && !(e instanceof Event.Dropped)).toList();
            assertEquals(1, rest.size(), rest.toString());
            Event.SignalDelivered sig = (Event.SignalDelivered) rest.get(0);
            assertFalse(sig.fatal());
            assertEquals(1, k.netstat().stream().filter(NetstatRow::listening).count());
        }
    }

    @Test
    void nonBlockingConnectToAClosedPortIsRefused() {
        try (KernelBackend k = new KernelBackend()) {
            assertEquals(Result.ok(3), k.call("client", new Call.Socket(Bits.SOCK_NONBLOCK)));
            assertEquals(Result.error(Errno.EINPROGRESS), k.call("client", new Call.Connect(3, SERVER)));
            Result poll = k.call("client", new Call.Poll(List.of(new Call.PollFd(3, Bits.POLLIN | Bits.POLLOUT)), 0));
            assertEquals(1, poll.value());
            assertEquals("POLLIN|POLLOUT|POLLERR|POLLHUP", Bits.format(poll.revents()[0], Bits.POLL_NAMES));
            Result err = k.call("client", new Call.GetSockOpt(3, SockOpt.SO_ERROR));
            assertArrayEquals(new int[] {Errno.ECONNREFUSED.number}, err.optval());
            assertArrayEquals(new int[] {0}, k.call("client", new Call.GetSockOpt(3, SockOpt.SO_ERROR)).optval());
            // A socket in CLOSE is unhashed: netstat does not list it.
            assertEquals(List.of(), k.netstat());
            assertEquals(List.of(
                    "C>S [S] seq 0 ack 0 win 65495 len 0 <mss,sackOK,TS,nop,wscale>",
                    "S>C [R.] seq 0 ack 1 win 0 len 0"), Wire.render(k.drainEvents(), PORT));
        }
    }

    @Test
    void soLingerZeroCloseSendsRstAck() {
        try (KernelBackend k = new KernelBackend()) {
            established(k);
            assertEquals(Result.ok(0), k.call("client", new Call.SetSockOpt(3, SockOpt.SO_LINGER, new int[] {1, 0})));
            Result linger = k.call("client", new Call.GetSockOpt(3, SockOpt.SO_LINGER));
            assertArrayEquals(new int[] {1, 0}, linger.optval());
            assertEquals(Result.ok(0), k.call("client", new Call.Close(3)));
            assertEquals(Result.error(Errno.ECONNRESET), k.call("server", new Call.Send(4, X, 0, false)));
            assertEquals(Result.error(Errno.EPIPE).withSigpipe(), k.call("server", new Call.Send(4, X, 0, false)));
            List<Event> events = k.drainEvents();
            int win = Wire.windowAfterHandshake(events);
            assertEquals(concat(handshake(win), "C>S [R.] seq 1 ack 1 win " + win + " len 0 <nop,nop,TS>"),
                    Wire.render(events, PORT));
        }
    }

    @Test
    void blockingAcceptWithNothingPendingIsReportedBlockedAndTheRunGoesOn() {
        Duration limit = Duration.ofMillis(300);
        try (KernelBackend k = new KernelBackend(limit)) {
            assertEquals(Result.ok(3), k.call("server", new Call.Socket(0)));
            assertEquals(Result.ok(0), k.call("server", new Call.Bind(3, SERVER)));
            assertEquals(Result.ok(0), k.call("server", new Call.Listen(3, 5)));
            long t0 = System.nanoTime();
            assertEquals(Result.blocked(), k.call("server", new Call.Accept(3, 0)));
            long took = System.nanoTime() - t0;
            assertTrue(took >= limit.toNanos() && took < limit.toNanos() + 500_000_000L, "took " + took / 1e6 + " ms");
            // poll with an infinite timeout and recv on an idle connection block the same way
            assertEquals(Result.blocked(), k.call("server",
                    new Call.Poll(List.of(new Call.PollFd(3, Bits.POLLIN)), -1)));
            // A finite poll timeout is the call's own: it runs to its end and returns 0.
            same(Result.poll(0, new int[] {0}), k.call("server",
                    new Call.Poll(List.of(new Call.PollFd(3, Bits.POLLIN)), 400)));
            // The listener is untouched: a connection now is accepted at once.
            assertEquals(Result.ok(3), k.call("client", new Call.Socket(0)));
            assertEquals(Result.ok(0), k.call("client", new Call.Connect(3, SERVER)));
            assertEquals(Result.ok(4), k.call("server", new Call.Accept(3, 0)));
            assertEquals(Result.blocked(), k.call("server", new Call.Recv(4, 10, 0, false)));
            assertEquals(Result.ok(2), k.call("client", new Call.Send(3, new byte[] {'h', 'i'}, 0, false)));
            Result got = k.call("server", new Call.Recv(4, 10, 0, false));
            assertArrayEquals(new byte[] {'h', 'i'}, got.data());
        }
    }

    @Test
    void netstatShowsFinWait2AndCloseWaitWithTheFinInRecvQ() {
        try (KernelBackend k = new KernelBackend()) {
            established(k);
            assertEquals(Result.ok(0), k.call("client", new Call.Shutdown(3, Bits.SHUT_WR)));
            // The FIN's ACK is a delayed ACK (ato is 0 before any data: it fires on the next jiffy). Timers fire
            // while time passes, on the kernel as in the model: sleep before looking.
            k.sleep(10_000_000);
            List<NetstatRow> rows = k.netstat();
            assertEquals(3, rows.size(), rows.toString());
            NetstatRow listen = rows.get(0);
            assertEquals(new NetstatRow(0, 0, SERVER, SockAddr.ANY, TcpState.LISTEN, "off (0.00/0/0)", false), listen);
            assertEquals("tcp        0      0 127.0.0.1:4321          0.0.0.0:*               LISTEN     ",
                    listen.format());
            NetstatRow finWait2 = find(rows, TcpState.FIN_WAIT2);
            NetstatRow closeWait = find(rows, TcpState.CLOSE_WAIT);
            assertEquals(new NetstatRow(0, 0, closeWait.foreign(), SERVER, TcpState.FIN_WAIT2, "off (0.00/0/0)", false),
                    finWait2);
            assertEquals(new NetstatRow(1, 0, SERVER, finWait2.local(), TcpState.CLOSE_WAIT, "off (0.00/0/0)", false),
                    closeWait);

            // Closed instead of shut down: the client becomes an orphan FIN_WAIT2, a timewait sock with inode 0.
            assertEquals(Result.ok(0), k.call("client", new Call.Close(3)));
            NetstatRow orphan = find(k.netstat(), TcpState.FIN_WAIT2);
            assertTrue(orphan.orphan());
            assertTrue(orphan.timer().matches("timewait \\(\\d+\\.\\d\\d/0/0\\)"), orphan.timer());
            // Reading the EOF moves copied_seq past the FIN: Recv-Q drops to 0.
            same(Result.data(new byte[0]), k.call("server", new Call.Recv(4, 10, 0, false)));
            assertEquals(0, find(k.netstat(), TcpState.CLOSE_WAIT).recvQ());
        }
    }

    private static NetstatRow find(List<NetstatRow> rows, TcpState state) {
        return rows.stream().filter(r -> r.state() == state).findFirst()
                .orElseThrow(() -> new AssertionError("no " + state + " in " + rows));
    }

    @Test
    void twoRunsInParallelUseTheSamePortWithoutMeeting() throws Exception {
        try (KernelBackend a = new KernelBackend(); KernelBackend b = new KernelBackend()) {
            CompletableFuture<List<Event>> fa = CompletableFuture.supplyAsync(() -> exchange(a, (byte) 'a'));
            CompletableFuture<List<Event>> fb = CompletableFuture.supplyAsync(() -> exchange(b, (byte) 'b'));
            for (var pair : List.of(List.of(fa.get(), 'a'), List.of(fb.get(), 'b'))) {
                @SuppressWarnings("unchecked") List<Event> events = (List<Event>) pair.get(0);
                byte tag = (byte) (char) (Character) pair.get(1);
                List<Packet> packets = Wire.packets(events);
                // handshake, the data, its ACK (quickack mode: immediate)
                assertEquals(5, packets.size(), Wire.render(events, PORT).toString());
                assertArrayEquals(new byte[] {tag}, packets.get(3).segment().payload());
            }
            // Each run sees only its own two sockets (the listener was closed).
            assertEquals(2, a.netstat().size(), a.netstat().toString());
            assertEquals(2, b.netstat().size(), b.netstat().toString());
        }
    }

    /** Both runs bind 127.0.0.1:4321 at once; each capture must hold exactly its own packets. */
    private static List<Event> exchange(KernelBackend k, byte tag) {
        assertEquals(Result.ok(3), k.call("server", new Call.Socket(0)));
        assertEquals(Result.ok(0), k.call("server", new Call.Bind(3, SERVER)));
        assertEquals(Result.ok(0), k.call("server", new Call.Listen(3, 5)));
        assertEquals(Result.ok(3), k.call("client", new Call.Socket(0)));
        assertEquals(Result.ok(0), k.call("client", new Call.Connect(3, SERVER)));
        assertEquals(Result.ok(1), k.call("client", new Call.Send(3, new byte[] {tag}, 0, false)));
        assertEquals(Result.ok(4), k.call("server", new Call.Accept(3, 0)));
        assertEquals(Result.ok(0), k.call("server", new Call.Close(3)));
        return k.drainEvents();
    }

    @Test
    void descriptorsAreNumberedPerProcessFromThreeUp() {
        try (KernelBackend k = new KernelBackend()) {
            assertEquals(Result.ok(3), k.call("a", new Call.Socket(0)));
            assertEquals(Result.ok(4), k.call("a", new Call.Socket(0)));
            same(Result.fds(5, 6), k.call("a", new Call.Pipe()));
            assertEquals(Result.ok(3), k.call("b", new Call.Socket(0)));
            assertEquals(Result.ok(0), k.call("a", new Call.Close(4)));
            assertEquals(Result.error(Errno.EBADF), k.call("a", new Call.Close(4)));
            assertEquals(Result.ok(4), k.call("a", new Call.EpollCreate()));
            same(Result.fds(7, 8), k.call("a", new Call.SocketPair()));
            // b's 3 is not a's: a's 9 does not exist.
            assertEquals(Result.error(Errno.EBADF), k.call("a", new Call.Listen(9, 1)));
            Result nval = k.call("a", new Call.Poll(List.of(new Call.PollFd(9, Bits.POLLIN)), 0));
            assertEquals("POLLNVAL", Bits.format(nval.revents()[0], Bits.POLL_NAMES));
            // The pipe works through the virtual numbers; epoll hands back the virtual number.
            assertEquals(Result.ok(0), k.call("a", new Call.EpollCtl(4, Bits.EPOLL_CTL_ADD, 5, Bits.POLLIN)));
            assertEquals(Result.ok(2), k.call("a", new Call.Send(6, new byte[] {1, 2}, 0, true)));
            assertEquals(Result.epoll(List.of(new Result.EpollEvent(5, Bits.POLLIN))),
                    k.call("a", new Call.EpollWait(4, 8, 0)));
            // F_GETFL on a socket: O_RDWR (2), plus O_NONBLOCK once set
            assertEquals(Result.ok(2), k.call("b", new Call.Fcntl(3, Bits.F_GETFL, 0)));
            assertEquals(Result.ok(0), k.call("b", new Call.Fcntl(3, Bits.F_SETFL, Bits.O_NONBLOCK)));
            assertEquals(Result.ok(2 | Bits.O_NONBLOCK), k.call("b", new Call.Fcntl(3, Bits.F_GETFL, 0)));
            k.exit("a");
            assertEquals(Result.ok(3), k.call("a", new Call.Socket(0)));
            List<Event> events = k.drainEvents();
            assertEquals(List.of(new Event.ProcessEnded(events.get(0).timeNanos(), "a", ProcessEnd.EXITED)), events);
        }
    }

    @Test
    void closeSettlesStopsTheCaptureAndTheTailCanStillBeDrained() {
        KernelBackend k = new KernelBackend();
        established(k);
        List<Event> events = new ArrayList<>(k.drainEvents());
        int win = Wire.windowAfterHandshake(events);
        assertEquals(Result.ok(0), k.call("client", new Call.Close(3)));
        k.close(); // no sleep: the FIN's delayed ACK (next jiffy) must still be caught by the settle
        events.addAll(k.drainEvents());
        assertEquals(concat(handshake(win),
                "C>S [F.] seq 1 ack 1 win " + win + " len 0 <nop,nop,TS>",
                "S>C [.] seq 1 ack 2 win " + win + " len 0 <nop,nop,TS>"), Wire.render(events, PORT));
        assertEquals(List.of(), k.drainEvents());
        k.close(); // idempotent
    }

    @Test
    void libcErrnoSurvivesUntilTheNextNativeCall() {
        assertEquals(-1, LibC.C.close(Integer.MAX_VALUE));
        byte[] garbage = new byte[1 << 20]; // Java work in between (allocation, maybe GC) must not disturb it
        assertEquals(1 << 20, garbage.length);
        assertEquals(Errno.EBADF.number, LibC.errno());
    }
}
