package io.tcpsim.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.compare.Divergence;
import io.tcpsim.pcap.CaptureFormatException;
import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.pcap.PcapWriter;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay of captures made with tcpdump on lo from the programs in tools/replay-captures/programs.py (Linux
 * 6.18.44): every one is explained; edited copies holding an impossible packet are flagged at that packet.
 */
class ReplayTest {
    static final String KERNEL = "6.18.44-fc-v669";
    static final Path CAPTURES = Path.of("../traces/captures/replay");

    @TempDir
    Path dir;

    record Run(List<FlowReport> flows, Replay.Totals totals, List<String> annotated) {}

    static Run replay(Path file) throws IOException {
        List<FlowReport> flows = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        Replay.Sink sink = new Replay.Sink() {
            @Override public void flow(FlowReport f) { flows.add(f); }
            @Override public void packet(Packet p, long index, String skipped, int flow, List<String> notes) {
                lines.add(index + (notes == null ? "" : " " + String.join(" | ", notes)));
            }
        };
        Replay r = new Replay(sink, true);
        try (CaptureRecords records = CaptureRecords.open(file)) {
            r.learned(CaptureFacts.learn(file)); // as tcpsim replay does: a first pass over the file
        }
        try (CaptureRecords records = CaptureRecords.open(file)) {
            r.run(records, null);
        }
        return new Run(flows, r.totals(), lines);
    }

    static Path capture(String name) {
        return CAPTURES.resolve(name + "-" + KERNEL + (name.endsWith("pcapng") ? "" : ".pcap"));
    }

    static String calls(FlowReport f, String side) {
        List<String> out = new ArrayList<>();
        for (FlowReport.InferredCall c : f.calls()) if (c.side().equals(side)) out.add(c.text());
        return String.join(", ", out);
    }

    static FlowReport only(Run r) {
        assertEquals(1, r.flows().size(), () -> "flows: " + r.flows());
        FlowReport f = r.flows().get(0);
        assertEquals(List.of(), f.divergences(), () -> "divergences of flow " + f.number());
        return f;
    }

    // ------------------------------------------------------------------ captures that replay clean

    @Test
    void closeThenSend() throws IOException {
        FlowReport f = only(replay(capture("close-then-send")));
        assertEquals("RSTO", f.connState());
        assertEquals("ShAFadR", f.history());
        assertEquals("connect(127.0.0.1:4321) = 0 [packet 1], close() = 0 [packet 4] "
                + "(FIN; not shutdown: the RST at packet 7 answers data)", calls(f, "client"));
        assertEquals("accept() = 4 (no packet of its own), send(1) = 1 [packet 6], send() = -1 EPIPE (Broken pipe) "
                + "(consequence: the next call fails; reset by peer while in CLOSE_WAIT)", calls(f, "server"));
        // The model's reason for the RST, the one the kernel's tcp_send_reset reports (check: seeds/close-then-send).
        assertEquals("reset by client's kernel: an RST answered a packet it could not take, reason TCP_TIMEWAIT_SOCKET"
                + " (client CLOSE, server CLOSE)", f.ended());
    }

    @Test
    void closeThenSendAsPcapngReadsTheSame() throws IOException {
        FlowReport a = only(replay(capture("close-then-send")));
        FlowReport b = only(replay(capture("close-then-send.pcapng").resolveSibling("close-then-send-" + KERNEL + ".pcapng")));
        assertEquals(a.history(), b.history());
        assertEquals(a.calls(), b.calls());
        assertEquals(a.startNanos(), b.startNanos()); // if_tsresol 9: nanoseconds survive
    }

    @Test
    void shutdownThenSend() throws IOException {
        FlowReport f = only(replay(capture("shutdown-then-send")));
        assertEquals("RSTO", f.connState());
        assertEquals("connect(127.0.0.1:4321) = 0 [packet 1], shutdown(SHUT_WR) = 0 [packet 4] (FIN; not close: "
                + "data arriving later is ACKed at packet 7), close() = 0 [packet 10] (RST: close() with unread data, "
                + "or with SO_LINGER {1, 0})", calls(f, "client"));
        assertTrue(calls(f, "server").contains("send(1) = 1 (x2) [packet 6]"), calls(f, "server"));
    }

    @Test
    void requestResponseIsSf() throws IOException {
        for (String name : List.of("request-response", "request-response-any")) {
            FlowReport f = only(replay(capture(name)));
            assertEquals("SF", f.connState(), name);
            assertEquals("ShADadFf", f.history(), name);
            assertTrue(f.ended().startsWith("closed: FIN from both sides (client at packet 8, server at packet 9)"),
                    f.ended());
        }
        try (CaptureRecords r = CaptureRecords.open(capture("request-response-any"))) {
            assertTrue(r.next());
            assertEquals(276, r.linkType()); // tcpdump -i any writes Linux cooked v2
        }
        FlowReport be = only(replay(CAPTURES.resolve("request-response-be-" + KERNEL + ".pcapng")));
        assertEquals("SF", be.connState());
    }

    @Test
    void refusedIsRej() throws IOException {
        FlowReport f = only(replay(capture("refused")));
        assertEquals("REJ", f.connState());
        assertEquals("Sr", f.history());
        assertEquals("connect(127.0.0.1:4321) = -1 ECONNREFUSED (Connection refused) [packet 1]", calls(f, "client"));
    }

    @Test
    void lingerZeroAndUnreadClose() throws IOException {
        FlowReport l = only(replay(capture("linger-zero")));
        assertEquals("RSTO", l.connState());
        assertEquals("ShADaR", l.history());
        assertTrue(calls(l, "client").endsWith("close() = 0 [packet 6] (RST: close() with SO_LINGER {1, 0})"));
        FlowReport spb = only(replay(CAPTURES.resolve("linger-zero-spb-" + KERNEL + ".pcapng")));
        assertEquals(l.calls(), spb.calls());
        FlowReport u = only(replay(capture("unread-close")));
        assertEquals("RSTO", u.connState());
        assertTrue(calls(u, "server").endsWith("send() = -1 ECONNRESET (Connection reset by peer) (consequence: the "
                + "next call fails; reset by peer while in ESTABLISHED)"), calls(u, "server"));
    }

    @Test
    void serverClosesFirstAndTwoConnections() throws IOException {
        FlowReport f = only(replay(capture("server-closes-first")));
        assertEquals("SF", f.connState());
        assertEquals("ShADadfF", f.history());
        Run two = replay(capture("two-connections"));
        assertEquals(2, two.flows().size());
        for (FlowReport x : two.flows()) assertTrue(x.explained());
        assertEquals(11, two.flows().get(1).firstPacket());
    }

    @Test
    void annotatedStateChangesFollowTheirPacket() throws IOException {
        Run r = replay(capture("close-then-send"));
        assertEquals("2 client SYN_SENT -> ESTABLISHED", r.annotated().get(1));
        assertEquals("3 server CLOSE -> SYN_RECV | server SYN_RECV -> ESTABLISHED", r.annotated().get(2));
        assertTrue(r.annotated().get(6).startsWith("7 client FIN_WAIT2 -> CLOSE | server CLOSE_WAIT -> CLOSE | done: zeek RSTO"),
                r.annotated().get(6));
    }

    // ------------------------------------------------------------------ edited captures

    private Path edited(String name, java.util.function.UnaryOperator<List<Packet>> edit) throws IOException {
        return edited(capture(name), edit);
    }

    private Path edited(Path file, java.util.function.UnaryOperator<List<Packet>> edit) throws IOException {
        String name = file.getFileName().toString().replaceAll("\\.pcap$", "");
        List<Packet> packets = new ArrayList<>(CaptureRecords.readPackets(file));
        Path out = dir.resolve(name + "-edited.pcap");
        PcapWriter.write(out, edit.apply(packets));
        return out;
    }

    /** A copy of {@code file} with packet {@code number} (1-based) moved by {@code dtNanos}. */
    private Path moved(Path file, int number, long dtNanos) throws IOException {
        return edited(file, ps -> {
            Packet p = ps.get(number - 1);
            ps.set(number - 1, new Packet(p.timeNanos() + dtNanos, p.ipId(), p.segment()));
            return ps;
        });
    }

    private static Packet with(Packet p, long seq, long ack, int flags, byte[] payload, long dt) {
        Segment s = p.segment();
        return new Packet(p.timeNanos() + dt, p.ipId(), new Segment(s.src(), s.dst(), seq, ack, flags, s.window(),
                s.urgent(), s.options(), payload));
    }

    private static Divergence first(Run r) {
        FlowReport f = r.flows().get(0);
        assertTrue(f.divergenceCount() > 0, "expected a divergence");
        return f.divergences().get(0);
    }

    // ------------------------------------------------------------------ what the capture shows the applications did

    static Path scenarioCapture(String dirAndName) {
        return Path.of("../traces/captures/scenarios/" + dirAndName + "-" + KERNEL + ".pcap");
    }

    static Path loadedHostCapture(String dirAndName) {
        return Path.of("../traces/captures/loaded-host/" + dirAndName + "-" + KERNEL + ".pcap");
    }

    @Test
    void aSynDroppedByAFullAcceptQueueIsRetransmittedInTheSameFlowAndAnsweredOnceTheServerAccepts() throws IOException {
        // cover/accept-queue-full: listen(0) holds the first connection; the second client's SYN (packet 4) gets no
        // answer, is retransmitted at packets 5-7, and is answered once the server has accepted the first.
        Run r = replay(scenarioCapture("cover-accept-queue-full"));
        assertEquals(2, r.flows().size(), () -> "flows: " + r.flows());
        FlowReport f = r.flows().get(1);
        assertEquals(List.of(), f.divergences());
        assertEquals(4, f.firstPacket());
        assertEquals(10, f.packets());
        assertEquals("connect(127.0.0.1:4321) = 0 [packet 4], shutdown(SHUT_WR) = 0 [packet 12] (FIN; or close(): both "
                + "send this FIN, and no data reached the client after it to tell them apart)", calls(f, "client"));
        assertEquals("accept() = 4 [packet 7] (another connection, not in this flow: the accept queue has room "
                + "again, so the retransmitted SYN is answered), accept() = 5 (no packet of its own), "
                + "shutdown(SHUT_WR) = 0 [packet 16] (FIN; or close(): both send this FIN, and no data reached the "
                + "server after it to tell them apart)", calls(f, "server"));
        assertEquals(List.of("packet 4: the server does not answer the SYN: its listener's accept queue was full "
                + "(tcp_conn_request drops a SYN while sk_acceptq_is_full); the model's queue holds another "
                + "connection"), f.notes());
        assertEquals("ShAFaf", f.history());
    }

    @Test
    void aProgramWhoseSecondSynFindsTheQueueFull() throws IOException {
        // tools/replay-captures/programs.py backlog-full (two threads of timing, never run through tcpsim).
        Run r = replay(capture("backlog-full"));
        assertEquals(2, r.flows().size());
        for (FlowReport f : r.flows()) assertEquals(List.of(), f.divergences(), () -> "flow " + f.number());
        FlowReport second = r.flows().get(1);
        assertEquals("connect(127.0.0.1:4321) = 0 [packet 4], send(2) = 2 [packet 13], shutdown(SHUT_WR) = 0 "
                + "[packet 18] (FIN; or close(): both send this FIN, and no data reached the client after it to tell "
                + "them apart)", calls(second, "client"));
        assertTrue(calls(second, "server").startsWith("accept() = 4 [packet 6] (another connection, not in this "
                + "flow"), calls(second, "server"));
    }

    @Test
    void aConnectAbandonedInSynSentIsAClose() throws IOException {
        // cover/linger-zero-syn-sent: the dropped SYN is never retransmitted: the client closed (SO_LINGER {1, 0}).
        Run r = replay(scenarioCapture("cover-linger-zero-syn-sent"));
        FlowReport f = r.flows().get(1);
        assertEquals(List.of(), f.divergences());
        assertEquals("connect(127.0.0.1:4321) = -1 EINPROGRESS (Operation now in progress) [packet 4], "
                + "close() = 0 (the capture has no retransmission of the SYN at +1023.970 ms: the connect was "
                + "abandoned (close or shutdown in SYN_SENT sends nothing))", calls(f, "client"));
        assertEquals("S0", f.connState());
    }

    @Test
    void aSynAnsweredLaterThanLoopbackCanIsFlagged() throws IOException {
        // The SYN-ACK of request-response moved 20 ms after the SYN: not a dropped SYN (no retransmission before it).
        Divergence d = first(replay(moved(capture("request-response"), 2, 20_000_000L)));
        assertEquals(2, d.packet());
        assertEquals(Divergence.Kind.UNEXPECTED, d.kind());
    }

    @Test
    void aReceiverThatHasNotReadSendsTheDelayedAck() throws IOException {
        // cover/quick-acks-and-nagle: the server never reads; the 17th segment (packet 36) is ACKed 41 ms later on
        // the delayed-ACK timer (packet 37), not at once as a read would (tcp_cleanup_rbuf).
        Path file = scenarioCapture("cover-quick-acks-and-nagle");
        Run r = replay(file);
        assertEquals(List.of(), only(r).divergences());
        // The same ACK 20 ms after the segment: the application read then, and the read sent the scheduled ACK.
        assertEquals(List.of(), only(replay(moved(file, 37, -21_300_000L))).divergences()); // 41.3 ms -> 20 ms
        // 20 ms after the delayed ACK's tick: the model's ACK, out of time (a read before it would have sent it
        // sooner, the timer sent it at 41 ms).
        Divergence d = first(replay(moved(file, 37, 20_000_000L)));
        assertEquals(37, d.packet());
        assertEquals(Divergence.Kind.TIMING, d.kind());
    }

    @Test
    void aTimerPacketUpToOneTickLateIsExplainedAndThreeTicksLateIsNot() throws IOException {
        // seeds/shutdown-then-send on a loaded host: the ACK of the FIN (packet 5) left a tick late, 6.42 ms after it.
        Path file = loadedHostCapture("seeds-shutdown-then-send-late-tick");
        Run run = replay(file);
        assertEquals(List.of(), only(run).divergences());
        assertEquals(Map.of("timer-tick-late", 1), only(run).rules());
        assertEquals("5 client FIN_WAIT1 -> FIN_WAIT2 | rule timer-tick-late (capture 4.916 ms late)",
                run.annotated().get(4));
        java.io.StringWriter summary = new java.io.StringWriter(), json = new java.io.StringWriter();
        new ReplayOutput(new java.io.PrintWriter(summary), ReplayOutput.Mode.SUMMARY, 0).flow(only(run));
        assertTrue(summary.toString().contains("\n  rules used: timer-tick-late x1\n  explained: "), summary.toString());
        new ReplayOutput(new java.io.PrintWriter(json), ReplayOutput.Mode.JSON, 0).flow(only(run));
        assertTrue(json.toString().contains("\"rules\":{\"timer-tick-late\":1},\"facts\":[],\"notes\":[]"), json.toString());
        Divergence d = first(replay(moved(file, 5, 8_000_000L)));
        assertEquals(5, d.packet());
        assertEquals(Divergence.Kind.TIMING, d.kind());
    }

    @Test
    void aFlowThatEndsWhileItIsReportedIsReportedOnce() throws IOException {
        // cover/time-wait-new-syn: a new SYN on the tuple ends flow 1, whose last packets then close it. It was
        // reported twice ("2 flow(s): 3 explained").
        Run r = replay(scenarioCapture("cover-time-wait-new-syn"));
        assertEquals(List.of(1, 2), r.flows().stream().map(FlowReport::number).toList());
        assertEquals(2, r.totals().explained);
        String last = r.annotated().get(6);
        assertEquals(1, last.split("done: ", -1).length - 1, last);
    }

    @Test
    void thePacketTheModelSentButAtAnotherTimeIsATimingDivergence() throws IOException {
        // close-then-send with the ACK of the FIN (packet 5) 13 ms later, after the data and the RST: the model's
        // clock has moved on, and its RST, the same as packet 7, leaves later than packet 7's time.
        FlowReport f = replay(moved(capture("close-then-send"), 5, 13_000_000L)).flows().get(0);
        Divergence d = f.divergences().get(f.divergences().size() - 1);
        assertEquals(Divergence.Kind.TIMING, d.kind());
        assertEquals(7, d.packet());
        assertEquals("sent +20.488 ms after the capture's flow start, the model sent it at +27.365 ms", d.detail());
    }

    @Test
    void anAckThatRodeOnTheAnswerIsAcceptedAndNamed() throws IOException {
        // request-response with the server answering at once: its 5 bytes (packet 6) leave where its pure ACK of the
        // request (packet 5) was, and carry that ACK, and the client's ACK of them follows as soon; the model's own
        // ACK is accepted under the rule.
        Path f = edited("request-response", ps -> {
            Packet ack = ps.get(4), data = ps.remove(5), clientAck = ps.get(5);
            ps.set(4, new Packet(ack.timeNanos(), data.ipId(), data.segment()));
            ps.set(5, new Packet(ack.timeNanos() + clientAck.timeNanos() - data.timeNanos(), clientAck.ipId(),
                    clientAck.segment()));
            return ps;
        });
        Run r = replay(f);
        FlowReport flow = only(r);
        assertEquals(Map.of("ack-carried-by-next-packet", 1), flow.rules());
        assertEquals("5 server: send(5) = 5 | rule ack-carried-by-next-packet (model only)", r.annotated().get(4));
    }

    @Test
    void anAckForDataNeverSentIsFlagged() throws IOException {
        // Packet 5 is the server's ACK of the client's 5 bytes (ack 6); make it ACK 9 bytes.
        Path f = edited("request-response", ps -> {
            Packet p = ps.get(4);
            ps.set(4, with(p, p.segment().seq(), p.segment().ack() + 3, p.segment().flags(), p.segment().payload(), 0));
            return ps;
        });
        Divergence d = first(replay(f));
        assertEquals(Divergence.Kind.UNEXPECTED, d.kind());
        assertEquals(5, d.packet());
        assertEquals("it ACKs data client never sent (ack 9, client sent up to 6)", d.detail());
    }

    @Test
    void anRstLinuxWouldNotSendIsFlagged() throws IOException {
        // After packet 5, an [R] without ACK from the established server: an application's close() sends [R.].
        Path f = edited("request-response", ps -> {
            Packet p = ps.get(4);
            ps.add(5, with(p, p.segment().seq(), 0, TcpFlags.RST, new byte[0], 1000));
            return ps;
        });
        Divergence d = first(replay(f));
        assertEquals(Divergence.Kind.DIFFERENT, d.kind());
        assertEquals(6, d.packet());
        assertTrue(d.detail().startsWith("flags: expected [R.] vs actual [R]"), d.detail());
    }

    @Test
    void dataAfterAnRstIsFlagged() throws IOException {
        // The client aborted at packet 6; then it sends 3 more bytes.
        Path f = edited("linger-zero", ps -> {
            Packet p = ps.get(3); // the client's 4 data bytes
            Packet rst = ps.get(5);
            ps.add(with(p, p.segment().seq() + 4, p.segment().ack(), TcpFlags.PSH | TcpFlags.ACK, new byte[3],
                    rst.timeNanos() - p.timeNanos() + 1000));
            return ps;
        });
        Run r = replay(f);
        Divergence d = first(r);
        assertEquals(Divergence.Kind.UNEXPECTED, d.kind());
        assertEquals(7, d.packet());
        assertEquals("client sends data after its socket is gone (CLOSE)", d.detail());
    }

    @Test
    void aLostPacketIsReportedAndTheReplayResumes() throws IOException {
        // Drop the server's ACK of the client's data (packet 5): the model expected it.
        Path f = edited("request-response", ps -> {
            ps.remove(4);
            return ps;
        });
        FlowReport r = replay(f).flows().get(0);
        assertEquals(1, r.divergenceCount());
        assertEquals(Divergence.Kind.MISSING, r.divergences().get(0).kind());
        assertEquals("SF", r.connState());
    }

    @Test
    void aCaptureThatStartsMidConnectionIsFollowed() throws IOException {
        Path f = edited("request-response", ps -> new ArrayList<>(ps.subList(3, ps.size())));
        FlowReport r = replay(f).flows().get(0);
        assertTrue(r.notes().get(0).startsWith("the capture starts mid-connection (packet 1 is not a SYN)"),
                r.notes().toString());
        // Zeek: both endpoints PARTIAL, then both FINs: CLOSED and CLOSED is SF, with no S or H in the history.
        assertEquals("SF", r.connState());
        assertEquals("DadAFf", r.history());
        assertEquals(List.of(), r.divergences());
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void badInputNamesTheByteOffset() throws IOException {
        byte[] good = Files.readAllBytes(capture("close-then-send"));
        Path empty = Files.write(dir.resolve("empty.pcap"), new byte[0]);
        assertEquals("capture byte 0: the file is empty",
                assertThrows(CaptureFormatException.class, () -> replay(empty)).getMessage());
        Path magic = Files.write(dir.resolve("magic.pcap"), "hello, world, not a capture".getBytes());
        assertEquals("capture byte 0: not a pcap or pcapng file: magic 0x68656c6c",
                assertThrows(CaptureFormatException.class, () -> replay(magic)).getMessage());
        Path cut = Files.write(dir.resolve("cut.pcap"), java.util.Arrays.copyOf(good, good.length - 10));
        CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> replay(cut));
        assertTrue(e.getMessage().matches("pcap byte \\d+: record 7: truncated record data: \\d+ of 54 bytes"),
                e.getMessage());
        byte[] snap = good.clone();
        snap[16] = 60; snap[17] = 0; snap[18] = 0; snap[19] = 0; // snaplen 60 < the 74-byte SYN
        Path s = Files.write(dir.resolve("snap.pcap"), snap);
        assertEquals("pcap byte 32: record 1: captured length 74 is larger than the snapshot length 60",
                assertThrows(CaptureFormatException.class, () -> replay(s)).getMessage());
        byte[] link = good.clone();
        link[20] = (byte) 147;
        Path l = Files.write(dir.resolve("link.pcap"), link);
        assertEquals("pcap byte 20: link type 147 is not supported (Ethernet 1, raw IP 101/228/229, BSD loopback "
                + "0/108, Linux cooked 113 and 276, NFLOG 239 are)",
                assertThrows(CaptureFormatException.class, () -> replay(l)).getMessage());
    }

    @Test
    void aTruncatedFileStillReportsWhatWasRead() throws IOException {
        byte[] good = Files.readAllBytes(capture("two-connections"));
        Path cut = Files.write(dir.resolve("cut.pcap"), java.util.Arrays.copyOf(good, good.length - 10));
        List<FlowReport> flows = new ArrayList<>();
        Replay r = new Replay(new Replay.Sink() {
            @Override public void flow(FlowReport f) { flows.add(f); }
        }, false);
        try (CaptureRecords records = CaptureRecords.open(cut)) {
            assertThrows(CaptureFormatException.class, () -> r.run(records, null));
        }
        assertEquals(2, flows.size());
        assertTrue(flows.get(0).explained());
    }
}
