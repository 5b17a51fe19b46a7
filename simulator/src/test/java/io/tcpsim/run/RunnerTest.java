package io.tcpsim.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.Event;
import io.tcpsim.backend.ProcessEnd;
import io.tcpsim.backend.TcpState;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptException;
import io.tcpsim.script.ScriptParser;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpdumpPrinter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunnerTest {
    static final int SYN = TcpFlags.SYN, ACK = TcpFlags.ACK, FIN = TcpFlags.FIN, RST = TcpFlags.RST, PSH = TcpFlags.PSH;

    static Script script(String... steps) throws ScriptException {
        StringBuilder b = new StringBuilder("name: t\nsteps:\n");
        for (String s : steps) b.append("  - ").append(s).append('\n');
        return ScriptParser.parse("t.yaml", b.toString());
    }

    static List<String> text(Script s, RunLog log) {
        return new TextOutput(s).lines(log.lines());
    }

    /** The lines tcpdump prints for the packets, in order, with one printer as the output uses. */
    static List<String> tcpdump(List<Packet> packets) {
        TcpdumpPrinter p = new TcpdumpPrinter();
        List<String> out = new ArrayList<>();
        for (Packet x : packets) out.add(p.print(x));
        return out;
    }

    static NetstatRow row(TcpState state, long recvQ) {
        return new NetstatRow(recvQ, 0, FakeBackend.CLIENT, FakeBackend.SERVER, state, "off (0.00/0/0)", false);
    }

    @Test
    void theExampleRunsAndPrintsAsSpecified() throws IOException, ScriptException {
        String source;
        try (InputStream in = getClass().getResourceAsStream("/scripts/close-then-send.yaml")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Script s = ScriptParser.parse("close-then-send.yaml", source);
        FakeBackend b = new FakeBackend();
        List<Packet> packets = new ArrayList<>();
        b.reply((x, p, c) -> Result.ok(x.nextFd++))                  // a = socket()
                .reply(Result.ok(0)).reply(Result.ok(0)).reply(Result.ok(0))
                .reply((x, p, c) -> Result.ok(x.nextFd++))           // c = socket()
                .reply(Result.ok(0))
                .reply((x, p, c) -> {                                // connect: the handshake
                    packets.add(x.packet(x.now + 1000, FakeBackend.CLIENT, FakeBackend.SERVER, SYN, ""));
                    packets.add(x.packet(x.now + 2000, FakeBackend.SERVER, FakeBackend.CLIENT, SYN | ACK, ""));
                    packets.add(x.packet(x.now + 3000, FakeBackend.CLIENT, FakeBackend.SERVER, ACK, ""));
                    return Result.error(Errno.EINPROGRESS);
                })
                .reply(Result.ok(0))
                .reply((x, p, c) -> Result.ok(x.nextFd++))           // s = accept(a)
                .reply(Result.poll(1, new int[] {Bits.POLLOUT}))
                .reply((x, p, c) -> {
                    x.table = List.of(row(TcpState.ESTABLISHED, 0));
                    return Result.option(0);
                })
                .reply((x, p, c) -> {                                // close(c)
                    packets.add(x.packet(x.now + 1000, FakeBackend.CLIENT, FakeBackend.SERVER, FIN | ACK, ""));
                    packets.add(x.packet(x.now + 2000, FakeBackend.SERVER, FakeBackend.CLIENT, ACK, ""));
                    x.table = List.of(row(TcpState.FIN_WAIT2, 0));
                    return Result.ok(0);
                })
                .reply((x, p, c) -> {                                // the first send draws an RST
                    packets.add(x.packet(x.now + 1000, FakeBackend.SERVER, FakeBackend.CLIENT, PSH | ACK, "a"));
                    packets.add(x.packet(x.now + 2000, FakeBackend.CLIENT, FakeBackend.SERVER, RST, ""));
                    x.table = List.of();
                    return Result.ok(1);
                })
                .reply(Result.error(Errno.EPIPE));

        RunLog log = Runner.run(s, b);

        List<String> p = tcpdump(packets);
        assertEquals(List.of(
                "00:00:00.000000 [main] a = socket() = 3",
                "00:00:00.000005 [main] setsockopt(a, SO_REUSEADDR, 1) = 0",
                "00:00:00.000010 [main] bind(a, 127.0.0.1:4321) = 0",
                "00:00:00.000015 [main] listen(a, 1) = 0",
                "00:00:00.000020 [main] c = socket() = 4",
                "00:00:00.000025 [main] fcntl(c, F_SETFL, O_NONBLOCK) = 0",
                "00:00:00.000030 [main] connect(c, 127.0.0.1:4321) = -1 EINPROGRESS (Operation now in progress)",
                p.get(0), p.get(1), p.get(2),
                "00:00:00.000035 [main] fcntl(c, F_SETFL, 0) = 0",
                "00:00:00.000040 [main] s = accept(a) = 5",
                "00:00:00.000045 [main] poll(c, POLLOUT) = POLLOUT",
                "00:00:00.000050 [main] getsockopt(c, SO_ERROR) = 0",
                "00:00:00.010055 netstat -tn",
                NetstatRow.HEADER,
                "tcp        0      0 127.0.0.1:40000         127.0.0.1:4321          ESTABLISHED",
                "00:00:00.010055 [main] close(c) = 0",
                p.get(3), p.get(4),
                "00:00:00.020060 netstat -tn",
                NetstatRow.HEADER,
                "tcp        0      0 127.0.0.1:40000         127.0.0.1:4321          FIN_WAIT2  ",
                "00:00:00.020060 [main] send(s, \"a\", MSG_NOSIGNAL) = 1",
                // The fake backend reports no reason for its RST.
                p.get(5), p.get(6) + ", reason unknown",
                "00:00:00.030065 netstat -tn",
                NetstatRow.HEADER,
                "00:00:00.030065 [main] send(s, \"a\", MSG_NOSIGNAL) = -1 EPIPE (Broken pipe)",
                "00:00:00.030070 -- sleep 5s"), text(s, log));
        assertTrue(log.ok());
        assertEquals(List.of("main Socket[flags=0]", "main SetSockOpt[fd=3, option=SO_REUSEADDR, values=ints]",
                "main Bind[fd=3, addr=127.0.0.1:4321]", "main Listen[fd=3, backlog=1]", "main Socket[flags=0]",
                "main Fcntl[fd=4, cmd=4, arg=2048]", "main Connect[fd=4, addr=127.0.0.1:4321]", "main Fcntl[fd=4, cmd=4, arg=0]",
                "main Accept[fd=3, flags=0]", "main Poll[fds=[PollFd[fd=4, events=4]], timeoutMs=-1]",
                "main GetSockOpt[fd=4, option=SO_ERROR]", "main Close[fd=4]",
                "main Send[fd=5, data=bytes, flags=16384, write=false]", "main Send[fd=5, data=bytes, flags=16384, write=false]"),
                b.calls);
        assertEquals(5_030_070_000L, b.now);
    }

    @Test
    void aFailedExpectationIsShownUnderTheCallAndFailsTheRun() throws ScriptException {
        Script s = script("c = socket()", "close(c) = -1 EBADF");
        RunLog log = Runner.run(s, new FakeBackend());
        assertEquals(List.of(
                "00:00:00.000000 [main] c = socket() = 3",
                "00:00:00.000005 [main] close(c) = 0",
                "    ^ expected: -1 EBADF (t.yaml:4)"), text(s, log));
        assertFalse(log.ok());
        assertEquals(1, log.failures());
    }

    @Test
    void aFatalSigpipeEndsTheProcessAndItsLaterStepsAreNotReached() throws ScriptException {
        Script s = script("server: s = socket()", "server: send(s, \"a\") = -1 EPIPE", "server: close(s) = 0",
                "server: t = socket()", "c = socket()");
        FakeBackend b = new FakeBackend().reply((x, p, c) -> Result.ok(x.nextFd++)).reply((x, p, c) -> {
            x.pending.add(new Event.SignalDelivered(x.now + 100, "server", Bits.SIGPIPE, true));
            x.pending.add(new Event.ProcessEnded(x.now + 100, "server", ProcessEnd.KILLED_BY_SIGPIPE));
            return Result.error(Errno.EPIPE).withSigpipe();
        });
        RunLog log = Runner.run(s, b);
        assertEquals(List.of(
                "00:00:00.000000 [server] s = socket() = 3",
                "00:00:00.000005 [server] send(s, \"a\") = -1 EPIPE (Broken pipe)",
                "00:00:00.000005 [server] --- SIGPIPE (fatal) ---",
                "00:00:00.000005 [server] +++ killed by SIGPIPE +++",
                "00:00:00.000010 [server] close(s) = not reached (killed by SIGPIPE)",
                "    ^ expected: 0 (t.yaml:5)",
                "00:00:00.000010 [server] t = socket() = not reached (killed by SIGPIPE)",
                "00:00:00.000010 [main] c = socket() = 4"), text(s, log));
        assertEquals(1, log.failures());
        assertEquals(List.of("server Socket[flags=0]", "server Send[fd=3, data=bytes, flags=0, write=false]", "main Socket[flags=0]"), b.calls);
    }

    @Test
    void aSigpipeTheBackendDoesNotReportIsWrittenWhereTheCallRaisedIt() throws ScriptException {
        Script s = script("signal(SIGPIPE, SIG_IGN)", "s = socket()", "send(s, 3) = -1 EPIPE", "close(s)");
        FakeBackend b = new FakeBackend().reply(Result.ok(0)).reply(Result.ok(3))
                .reply(Result.error(Errno.EPIPE).withSigpipe());
        RunLog log = Runner.run(s, b);
        assertEquals(List.of(
                "00:00:00.000000 [main] signal(SIGPIPE, SIG_IGN) = 0",
                "00:00:00.000005 [main] s = socket() = 3",
                "00:00:00.000010 [main] send(s, 3) = -1 EPIPE (Broken pipe)",
                "00:00:00.000015 [main] --- SIGPIPE (ignored) ---",
                "00:00:00.000015 [main] close(s) = 0"), text(s, log));
        assertTrue(log.ok());
    }

    @Test
    void aSigpipeWithTheDefaultDispositionKillsEvenWhenTheBackendIsLate() throws ScriptException {
        Script s = script("s = socket()", "send(s, 1) = -1 EPIPE", "close(s)");
        FakeBackend b = new FakeBackend().reply(Result.ok(3)).reply((x, p, c) -> {
            x.holdUntilClose = true;
            x.pending.add(new Event.SignalDelivered(x.now, "main", Bits.SIGPIPE, true));
            x.pending.add(new Event.ProcessEnded(x.now, "main", ProcessEnd.KILLED_BY_SIGPIPE));
            return Result.error(Errno.EPIPE).withSigpipe();
        });
        RunLog log = Runner.run(s, b);
        assertEquals(List.of(
                "00:00:00.000000 [main] s = socket() = 3",
                "00:00:00.000005 [main] send(s, 1) = -1 EPIPE (Broken pipe)",
                "00:00:00.000010 [main] --- SIGPIPE (fatal) ---",
                "00:00:00.000010 [main] +++ killed by SIGPIPE +++",
                "00:00:00.000010 [main] close(s) = not reached (killed by SIGPIPE)"), text(s, log));
        assertTrue(log.ok());
    }

    @Test
    void aCallThatBlocksForeverStopsItsProcess() throws ScriptException {
        Script s = script("e = epoll_create()", "epoll_wait(e) = blocks forever", "close(e)", "netstat");
        FakeBackend b = new FakeBackend().reply(Result.ok(3)).reply(Result.blocked());
        RunLog log = Runner.run(s, b);
        assertEquals(List.of(
                "00:00:00.000000 [main] e = epoll_create() = 3",
                "00:00:00.000005 [main] epoll_wait(e) = blocks forever: nothing left in the simulation can wake it",
                "00:00:00.000010 [main] close(e) = not reached (blocked for ever at line 4)",
                "00:00:00.010010 netstat -tn",
                NetstatRow.HEADER), text(s, log));
        assertTrue(log.ok());
    }

    @Test
    void aCallThatTakesAMillisecondOrMoreSaysHowLongItBlocked() throws ScriptException {
        Script s = script("s = socket()", "close(s)", "c = socket()");
        FakeBackend b = new FakeBackend().reply(Result.ok(3)).reply((x, p, c) -> {
            x.now += 41_123_456;
            return Result.ok(0);
        }).reply((x, p, c) -> {
            x.now += 994_999;
            return Result.ok(4);
        });
        assertEquals(List.of(
                "00:00:00.000000 [main] s = socket() = 3",
                "00:00:00.000005 [main] close(s) = 0 <blocked 41.128 ms>",
                "00:00:00.041133 [main] c = socket() = 4"), text(s, Runner.run(s, b)));
    }

    @Test
    void packetsHeldUntilCloseAreSortedIntoPlace() throws ScriptException {
        Script s = script("s = socket()", "close(s)", "sleep 1ms");
        FakeBackend b = new FakeBackend();
        b.holdUntilClose = true;
        List<Packet> packets = new ArrayList<>();
        b.reply(Result.ok(3)).reply((x, p, c) -> {
            packets.add(x.packet(x.now, FakeBackend.CLIENT, FakeBackend.SERVER, FIN | ACK, ""));
            packets.add(x.packet(x.now + 2_000, FakeBackend.SERVER, FakeBackend.CLIENT, ACK, ""));
            return Result.ok(0);
        });
        List<String> out = text(s, Runner.run(s, b));
        List<String> p = tcpdump(packets);
        assertEquals(List.of(
                "00:00:00.000000 [main] s = socket() = 3",
                "00:00:00.000005 [main] close(s) = 0",
                p.get(0), p.get(1),
                "00:00:00.000010 -- sleep 1ms"), out);
    }

    @Test
    void descriptorsGetTheNumbersTheBackendGaveAndClosedNamesBecomeMinusOne() throws ScriptException {
        Script s = script("'[r, w] = pipe()'", "write(w, \"hi\\n\") = 3", "close(w)", "close(w) = -1 EBADF",
                "read(r, 10) = 3 \"hi\\n\"", "read(r, 10) = 0");
        FakeBackend b = new FakeBackend().reply(Result.fds(7, 9)).reply(Result.ok(3)).reply(Result.ok(0))
                .reply(Result.error(Errno.EBADF)).reply(Result.data("hi\n".getBytes())).reply(Result.data(new byte[0]));
        RunLog log = Runner.run(s, b);
        assertEquals(List.of(
                "00:00:00.000000 [main] [r, w] = pipe() = 0 [7, 9]",
                "00:00:00.000005 [main] write(w, \"hi\\n\") = 3",
                "00:00:00.000010 [main] close(w) = 0",
                "00:00:00.000015 [main] close(w) = -1 EBADF (Bad file descriptor)",
                "00:00:00.000020 [main] read(r, 10) = 3 \"hi\\n\"",
                "00:00:00.000025 [main] read(r, 10) = 0"), text(s, log));
        assertEquals(List.of("main Pipe[]", "main Send[fd=9, data=bytes, flags=0, write=true]", "main Close[fd=9]",
                "main Close[fd=-1]", "main Recv[fd=7, length=10, flags=0, read=true]",
                "main Recv[fd=7, length=10, flags=0, read=true]"), b.calls);
        assertTrue(log.ok());
    }

    @Test
    void pollAndEpollResultsNameTheDescriptors() throws ScriptException {
        Script s = script("a = socket()", "b = socket()", "e = epoll_create1(0)", "epoll_ctl(e, ADD, a, EPOLLIN)",
                "poll([a, POLLIN], [b, POLLOUT|POLLIN], 0) = b:POLLOUT, a:POLLIN",
                "epoll_wait(e, 8, 100) = a:EPOLLIN|EPOLLHUP", "poll([a, POLLIN], [b, POLLIN], 10) = 0",
                "poll(a, POLLIN, 10) = POLLIN");
        FakeBackend b = new FakeBackend().reply(Result.ok(3)).reply(Result.ok(4)).reply(Result.ok(5)).reply(Result.ok(0))
                .reply(Result.poll(2, new int[] {Bits.POLLIN, Bits.POLLOUT}))
                .reply(Result.epoll(List.of(new Result.EpollEvent(3, Bits.POLLIN | Bits.POLLHUP))))
                .reply(Result.poll(0, new int[] {0, 0}))
                .reply(Result.poll(0, new int[] {0}));
        RunLog log = Runner.run(s, b);
        assertEquals(List.of(
                "00:00:00.000000 [main] a = socket() = 3",
                "00:00:00.000005 [main] b = socket() = 4",
                "00:00:00.000010 [main] e = epoll_create() = 5",
                "00:00:00.000015 [main] epoll_ctl(e, EPOLL_CTL_ADD, a, EPOLLIN) = 0",
                "00:00:00.000020 [main] poll([a, POLLIN], [b, POLLIN|POLLOUT], 0) = a:POLLIN, b:POLLOUT",
                "00:00:00.000025 [main] epoll_wait(e, 8, 100) = a:EPOLLIN|EPOLLHUP",
                "00:00:00.000030 [main] poll([a, POLLIN], [b, POLLIN], 10) = 0",
                "00:00:00.000035 [main] poll(a, POLLIN, 10) = 0",
                "    ^ expected: POLLIN (t.yaml:10)"), text(s, log));
        assertEquals(1, log.failures());
    }

    @Test
    void longDataIsCutAfter64BytesAndOptionsPrintAsWritten() throws ScriptException {
        Script s = script("c = socket()", "recv(c, 100)", "getsockopt(c, SO_LINGER) = {1, 5}",
                "getsockopt(c, SO_ERROR) = ECONNRESET", "getsockopt(c, SO_REUSEADDR) = 1", "fcntl(c, F_GETFL) = O_RDWR|O_NONBLOCK");
        byte[] data = new byte[70];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i < 2 ? 0 : 'x');
        FakeBackend b = new FakeBackend().reply(Result.ok(3)).reply(Result.data(data)).reply(Result.option(1, 5))
                .reply(Result.option(Errno.ECONNRESET.number)).reply(Result.option(1)).reply(Result.ok(2 | Bits.O_NONBLOCK));
        RunLog log = Runner.run(s, b);
        assertEquals(List.of(
                "00:00:00.000000 [main] c = socket() = 3",
                "00:00:00.000005 [main] recv(c, 100) = 70 \"\\0\\0" + "x".repeat(62) + "\"...",
                "00:00:00.000010 [main] getsockopt(c, SO_LINGER) = {1, 5}",
                "00:00:00.000015 [main] getsockopt(c, SO_ERROR) = ECONNRESET",
                "00:00:00.000020 [main] getsockopt(c, SO_REUSEADDR) = 1",
                "00:00:00.000025 [main] fcntl(c, F_GETFL) = O_RDWR|O_NONBLOCK"), text(s, log));
        assertTrue(log.ok());
    }

    @Test
    void exitEndsTheProcessAndOtherProcessesGoOn() throws ScriptException {
        Script s = script("client: c = socket()", "exit client", "s = socket()");
        FakeBackend b = new FakeBackend();
        RunLog log = Runner.run(s, b);
        assertEquals(List.of(
                "00:00:00.000000 [client] c = socket() = 3",
                "00:00:00.000005 [client] +++ exited +++",
                "00:00:00.000005 [main] s = socket() = 4"), text(s, log));
        assertEquals(List.of("client Socket[flags=0]", "client exit", "main Socket[flags=0]"), b.calls);
    }

    @Test
    void stepByStepGivesEachStepsLines() throws ScriptException {
        Script s = script("c = socket()", "close(c)");
        FakeBackend b = new FakeBackend();
        Runner r = new Runner(s, b);
        TextOutput out = new TextOutput(s);
        assertEquals(List.of("00:00:00.000000 [main] c = socket() = 3"), out.lines(r.step()));
        assertTrue(r.hasNext());
        assertEquals(List.of("00:00:00.000005 [main] close(c) = 0"), out.lines(r.step()));
        assertFalse(r.hasNext());
        assertEquals(2, r.finish().lines().size());
    }
}
