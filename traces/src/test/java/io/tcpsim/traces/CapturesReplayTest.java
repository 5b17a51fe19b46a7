package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.compare.Divergence;
import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.replay.FlowReport;
import io.tcpsim.replay.Replay;
import io.tcpsim.replay.ReplayOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every capture under traces/captures, the kernel's own packets (traces/captures/scenarios: one per scenario, written
 * by {@code tcpsim capture}; traces/captures/replay: tools/replay-captures; traces/captures/loaded-host: a capture
 * made on a loaded host, where a timer ran a tick late), replays through the model with zero
 * divergences (docs/replay.md). A capture that does not is a replay or model bug: it is listed in {@link #KNOWN}
 * with the reason, and must still diverge, so that a fix is noticed and the entry removed.
 */
class CapturesReplayTest {
    static final Path CAPTURES = Scenarios.MODULE.resolve("captures");
    static final Path SCENARIO_CAPTURES = CAPTURES.resolve("scenarios");

    /**
     * Captures that do not replay clean, by file name, with the reason (the replay output around the divergence).
     * The last six loopback ones (a SYN dropped by a full accept queue, a timer packet a tick late, a receiver that
     * never reads) were fixed in replay.
     */
    static final Map<String, String> KNOWN = Map.of(
            // Made on the two-host wire (traces/captures/foreign/README.md): the client's receive window after its
            // sixth full segment is 78 (x1024) in the capture, 77 in the model, then 78 against 79. The model charges
            // a received segment lo's truesize (its bytes + 832); the wire's af_packet frames cost a linear skb from
            // a kmalloc bucket (2304 for 1448 bytes), measured by the network work (issue 12) with the same result:
            // 77 with lo's cost where the kernel says 74. Replay on the model's two hosts gets it.
            "path-25ms-at-client-6.18.44-fc-v1147.pcap", "receive window: lo's truesize, not the wire's af_packet skbs",
            "path-25ms-at-server-6.18.44-fc-v1147.pcap", "receive window: lo's truesize, not the wire's af_packet skbs",
            // A bulk answer on lo (traces/captures/foreign/README.md): curl ACKs each 32 KB GSO segment and opens its
            // window from 93 to 314 after reading 100 KB; receive-buffer autotuning (tcp_rcv_space_adjust) and GSO
            // are not modelled (docs/model.md, "What is not modelled yet").
            "curl-lighttpd-100k-6.18.44-fc-v1147.pcap", "bulk on lo: receive-buffer autotuning and GSO not modelled",
            // traces/scenarios/api/tcp-quickack.yaml: setsockopt(TCP_QUICKACK, 1) sends a delayed ACK at once
            // (__tcp_sock_set_quickack); a capture does not show the call, so replay expects the ACK 40 ms later.
            "api-tcp-quickack-6.18.44-fc-v1252.pcap", "an ACK sent by setsockopt(TCP_QUICKACK): the call is not in the capture",
            // traces/scenarios/api/tcp-maxseg.yaml: each end set its own TCP_MAXSEG (1000, 1200); replay takes one
            // MSS for the host from the SYN (1000), so its SYN-ACK announces mss 1000 and a window rounded to it.
            "api-tcp-maxseg-6.18.44-fc-v1252.pcap", "a listener's own TCP_MAXSEG: replay takes the host's MSS from the SYN",
            // traces/scenarios/cover/keepalive-loopback.yaml, cover/linger2-over-60s.yaml, cover/tcp-cork.yaml and
            // reasons/linger2-orphan-fin-acked.yaml: what they show is made by a socket option (SO_KEEPALIVE's probes,
            // TCP_LINGER2's timer or its RST, TCP_CORK holding the last bytes until the FIN), and a capture does not
            // show the setsockopt: replay's model, without it, sends what a socket without the option sends.
            "cover-keepalive-loopback-6.18.44-fc-v1252.pcap", "keepalive probes: SO_KEEPALIVE is not in the capture",
            "cover-linger2-over-60s-6.18.44-fc-v1252.pcap", "TCP_LINGER2's timer and RST: the option is not in the capture",
            "cover-tcp-cork-6.18.44-fc-v1252.pcap", "TCP_CORK held the last bytes for the FIN: the option is not in the capture",
            "reasons-linger2-orphan-fin-acked-6.18.44-fc-v1252.pcap", "TCP_LINGER2 < 0's RST: the option is not in the capture");

    static List<Path> captures() {
        try (Stream<Path> s = Files.walk(CAPTURES)) {
            return s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Result(List<FlowReport> flows, Replay.Totals totals) {
        long divergences() {
            return flows.stream().mapToLong(FlowReport::divergenceCount).sum();
        }

        String describe() {
            List<String> out = new ArrayList<>();
            for (FlowReport f : flows) {
                for (Divergence d : f.divergences()) out.add("flow " + f.number() + ": " + ReplayOutput.text(d));
            }
            return String.join("\n", out);
        }
    }

    static Result replay(Path file) throws IOException {
        List<FlowReport> flows = new ArrayList<>();
        Replay r = new Replay(new Replay.Sink() {
            @Override public void flow(FlowReport f) { flows.add(f); }
        }, false);
        try (CaptureRecords records = CaptureRecords.open(file)) {
            r.learned(io.tcpsim.replay.CaptureFacts.learn(file)); // as tcpsim replay does: a first pass
        }
        try (CaptureRecords records = CaptureRecords.open(file)) {
            r.run(records, null);
        }
        return new Result(flows, r.totals());
    }

    @TestFactory
    Stream<DynamicTest> everyCaptureReplaysWithoutADivergence() {
        List<Path> all = captures();
        assertFalse(all.isEmpty(), "no captures under " + CAPTURES);
        return all.stream().map(p -> DynamicTest.dynamicTest(Scenarios.ROOT.relativize(p).toString(), () -> {
            Result r = replay(p);
            String name = p.getFileName().toString();
            if (KNOWN.containsKey(name)) {
                assertTrue(r.divergences() > 0, name + " now replays clean; remove it from CapturesReplayTest.KNOWN ("
                        + KNOWN.get(name) + ")");
            } else {
                assertEquals(0, r.divergences(), () -> name + ":\n" + r.describe());
            }
        }));
    }

    /** traces/captures/scenarios holds one capture per scenario: DIR-NAME-KERNEL.pcap (tcpsim capture). */
    @Test
    void everyScenarioHasAKernelCapture() throws IOException {
        List<Path> scenarios = new ArrayList<>(Scenarios.all());
        scenarios.addAll(Scenarios.regressions());
        List<String> names;
        try (Stream<Path> s = Files.list(SCENARIO_CAPTURES)) {
            names = s.map(p -> p.getFileName().toString()).toList();
        }
        List<String> missing = new ArrayList<>();
        for (Path sc : scenarios) {
            Path rel = Scenarios.SCENARIOS.relativize(sc);
            String prefix = rel.getParent() + "-" + rel.getFileName().toString().replaceAll("\\.(yaml|json)$", "") + "-";
            // the kernel release (uname -r) starts with a digit; a scenario name after the prefix would not
            if (names.stream().noneMatch(n -> n.startsWith(prefix) && n.endsWith(".pcap")
                    && n.length() > prefix.length() && Character.isDigit(n.charAt(prefix.length())))) {
                missing.add(prefix + "$(uname -r).pcap");
            }
        }
        assertEquals(List.of(), missing, "write them with ./tcpsim capture FILE -o traces/captures/scenarios/DIR-NAME-$(uname -r).pcap");
    }
}
