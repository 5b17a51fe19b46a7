package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.cli.InProcess;
import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.pcap.PcapWriter;
import io.tcpsim.replay.CaptureFacts;
import io.tcpsim.replay.Replay;
import io.tcpsim.replay.SyntheticCapture;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code replay --workers N}: the same bytes, in the same order, for 1, 2 and 3 workers, in every output (text,
 * --summary, --json, --conn-log), on every capture in traces/captures and captures-public and on made ones: many
 * flows whose times go back (ShortFlowsCapture's layout: each flow written whole, the next one starting earlier
 * than the last one ended), and more connections left open than replay follows (eviction decided across workers).
 * Each capture without IPv6 is checked to be replayed by the workers asked for, so the comparison is not of one
 * thread with itself.
 */
class ReplayWorkersTest {
    @TempDir
    static Path dir;

    static List<Path> captures() throws Exception {
        List<Path> all = new ArrayList<>();
        for (Path root : List.of(CapturesReplayTest.CAPTURES, PublicCapturesTest.PUBLIC)) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(p -> p.toString().matches(".*\\.pcap(ng)?$")).sorted().forEach(all::add);
            }
        }
        Path many = dir.resolve("many-flows-times-back.pcap");
        SyntheticCapture.manyFlows(many, CaptureRecords.readPackets(ReplaySummaryTest.SEED), 1200, 1_000_000L);
        all.add(many);
        all.add(openFlows(dir.resolve("open-flows.pcap"), Replay.MAX_OPEN_FLOWS + 300));
        return all;
    }

    @BeforeAll
    static void made() throws Exception {
        Files.createDirectories(dir);
    }

    /** {@code n} handshakes left open, 10 us apart (issue 19's item 6, smaller). */
    static Path openFlows(Path file, int n) throws Exception {
        List<TcpOption> syn = List.of(new TcpOption.Mss(65495), TcpOption.SACK_PERMITTED,
                new TcpOption.Timestamps(1, 0), TcpOption.NOP, new TcpOption.WindowScale(7));
        SockAddr server = SockAddr.loopback(80);
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file)); PcapWriter w = PcapWriter.open(os)) {
            for (int i = 0; i < n; i++) {
                SockAddr client = new SockAddr(0x7f000002 + i / 60000, 1024 + i % 60000);
                long t = 1_700_000_000_000_000_000L + i * 10_000L;
                w.write(new Packet(t, 1, new Segment(client, server, 1000, 0, TcpFlags.SYN, 65495, 0, syn, null)));
                w.write(new Packet(t + 2000, 2, new Segment(server, client, 5000, 1001, TcpFlags.SYN | TcpFlags.ACK,
                        65483, 0, syn, null)));
                w.write(new Packet(t + 4000, 3, new Segment(client, server, 1001, 5001, TcpFlags.ACK, 512, 0,
                        List.of(), null)));
            }
        }
        return file;
    }

    @ParameterizedTest
    @MethodSource("captures")
    void everyOutputIsTheSameForOneTwoAndThreeWorkers(Path capture) throws Exception {
        String name = capture.getFileName().toString();
        boolean ipv6 = false;
        for (String[] mode : List.of(new String[0], new String[] {"--summary"}, new String[] {"--json"},
                new String[] {"--blocks"})) {
            InProcess.Outcome one = replay(capture, 1, mode);
            for (int w : new int[] {2, 3}) {
                InProcess.Outcome more = replay(capture, w, mode);
                assertEquals(one.code(), more.code(), name + " " + List.of(mode) + " with " + w + " workers");
                assertEquals(one.out(), more.out(), name + " " + List.of(mode) + " with " + w + " workers");
                assertEquals(one.err(), more.err(), name + " " + List.of(mode) + " with " + w + " workers");
            }
        }
        byte[] log1 = connLog(capture, 1);
        for (int w : new int[] {2, 3}) assertArrayEquals(log1, connLog(capture, w), name + " --conn-log, " + w);

        Replay r = new Replay(new Replay.Sink() {}, false);
        CaptureFacts facts = CaptureFacts.learn(capture);
        r.learned(facts);
        r.workers(3);
        try (CaptureRecords records = CaptureRecords.open(capture)) {
            r.run(records, null);
        } catch (io.tcpsim.pcap.CaptureFormatException e) {
            // a capture cut short: the flows before it were still replayed
        }
        assertEquals(hasIpv6(capture) ? 1 : 3, r.workersUsed(), name + ": workers used");
        if (name.startsWith("open-flows")) assertTrue(r.totals().evicted > 0, "no flow was evicted");
    }

    /** Whether a record of the capture is IPv6 (such a capture is replayed by one thread). */
    private static boolean hasIpv6(Path capture) throws Exception {
        try (CaptureRecords r = CaptureRecords.open(capture)) {
            while (r.next()) {
                long net = io.tcpsim.pcap.LinkLayer.network(r.linkType(), r.data(), r.frameOffset(), r.capturedLength());
                if (net >= 0 && (int) (net >>> 32) == io.tcpsim.pcap.LinkLayer.V6) return true;
            }
        } catch (io.tcpsim.pcap.CaptureFormatException e) {
            return false;
        }
        return false;
    }

    private static InProcess.Outcome replay(Path capture, int workers, String... mode) {
        List<String> args = new ArrayList<>(List.of("replay", capture.toString(), "--workers", String.valueOf(workers)));
        args.addAll(List.of(mode));
        return InProcess.run(args.toArray(String[]::new));
    }

    private static byte[] connLog(Path capture, int workers) throws Exception {
        Path log = dir.resolve("conn-" + workers + ".log");
        Files.deleteIfExists(log);
        InProcess.Outcome o = replay(capture, workers, "--summary", "--conn-log", log.toString());
        assertTrue(o.code() <= 2, o.err());
        return Files.exists(log) ? Files.readAllBytes(log) : new byte[0];
    }
}
