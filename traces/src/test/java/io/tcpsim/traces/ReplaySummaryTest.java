package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.cli.InProcess;
import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.replay.SyntheticCapture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** replay's one line per flow: --summary, the default output above 1,000 flows, --blocks and --diverged. */
class ReplaySummaryTest {
    static final Path SEED = CapturesReplayTest.SCENARIO_CAPTURES.resolve("seeds-close-then-send-6.18.44-fc-v669.pcap");

    @TempDir
    Path dir;

    @Test
    void summaryIsOneLinePerFlow() {
        InProcess.Outcome o = InProcess.run("replay", SEED.toString(), "--summary");
        assertEquals(0, o.code(), o.err());
        List<String> lines = o.out().lines().toList();
        assertEquals(2, lines.size(), o.out());
        assertTrue(lines.get(0).matches("flow 1 127\\.0\\.0\\.1:\\d+ > 127\\.0\\.0\\.1:4321: 7 packets, "
                + "\\d+\\.\\d{6} s, zeek RSTO ShAFadR, explained, reason TCP_TIMEWAIT_SOCKET"), lines.get(0));
        assertTrue(lines.get(1).startsWith("# " + SEED + ": 1 flow(s): 1 explained, 0 diverged, 0 not judged;"),
                lines.get(1));
    }

    @Test
    void aboveAThousandFlowsTheDefaultOutputIsALineEachAndBlocksKeepsTheBlocks() throws Exception {
        Path big = dir.resolve("many.pcap"), small = dir.resolve("thousand.pcap");
        var template = CaptureRecords.readPackets(SEED);
        SyntheticCapture.manyFlows(big, template, 1001, 1_000_000L);
        SyntheticCapture.manyFlows(small, template, 1000, 1_000_000L);

        InProcess.Outcome many = InProcess.run("replay", big.toString());
        List<String> lines = many.out().lines().toList();
        assertEquals("# more than 1000 flows: one line each (a flow's block: --flow N; every block: --blocks; only "
                + "the flows that diverged: --diverged)", lines.get(0));
        assertEquals(1003, lines.size());
        assertTrue(lines.get(1001).startsWith("flow 1001 127."), lines.get(1001));
        assertEquals(String.join("\n", lines.subList(1, lines.size())) + "\n",
                InProcess.run("replay", big.toString(), "--summary").out());

        InProcess.Outcome blocks = InProcess.run("replay", big.toString(), "--blocks");
        assertEquals(1001, blocks.out().lines().filter(l -> l.startsWith("flow ")).count());
        assertTrue(blocks.out().contains("\n  timeline:\n"));

        InProcess.Outcome thousand = InProcess.run("replay", small.toString());
        assertEquals(1000, thousand.out().lines().filter(l -> l.startsWith("  zeek: conn_state ")).count());
    }

    @Test
    void divergedKeepsOnlyTheFlowsThatDiverged() {
        InProcess.Outcome o = InProcess.run("replay", SEED.toString(), "--diverged");
        assertEquals(0, o.code(), o.err());
        assertEquals(1, o.out().lines().count(), o.out());
        // bro.org: 7 flows explained, 6 diverged (docs/replay.md, the public captures); not judged ones are left out too.
        InProcess.Outcome foreign = InProcess.run("replay", ConnLogTest.PUBLIC.resolve("zeek-http-bro.org.pcap").toString(),
                "--diverged", "--summary");
        assertEquals(1, foreign.code());
        List<String> flows = foreign.out().lines().filter(l -> l.startsWith("flow ")).toList();
        assertEquals(6, flows.size(), foreign.out());
        assertTrue(flows.stream().allMatch(l -> l.contains(", diverged (")), foreign.out());
        InProcess.Outcome notJudged = InProcess.run("replay", ConnLogTest.PUBLIC.resolve("zeek-tcp-fast-open.pcap")
                .toString(), "--diverged", "--summary");
        assertEquals(0, notJudged.code());
        assertEquals(1, notJudged.out().lines().count(), notJudged.out());
    }

    @Test
    void optionsThatCannotGoTogetherAreRefusedInOneLine() {
        assertEquals(new InProcess.Outcome(2, "", "tcpsim: --summary and --json cannot be combined (see tcpsim replay --help)\n"),
                InProcess.run("replay", SEED.toString(), "--summary", "--json"));
        assertEquals(new InProcess.Outcome(2, "", "tcpsim: --diverged with --annotate is not supported yet (the listing is "
                + "printed packet by packet, before a flow's verdict is known); use --diverged with --summary, --json or "
                + "the default\n"), InProcess.run("replay", SEED.toString(), "--diverged", "--annotate"));
        assertEquals(new InProcess.Outcome(2, "", "tcpsim: --blocks is for the default output only, not with --summary "
                + "(see tcpsim replay --help)\n"), InProcess.run("replay", SEED.toString(), "--blocks", "--summary"));
        assertEquals(new InProcess.Outcome(2, "", "tcpsim: only one output can be '-' (the standard output), got --svg "
                + "and --conn-log\n"), InProcess.run("replay", SEED.toString(), "--svg", "-", "--conn-log", "-"));
    }
}
