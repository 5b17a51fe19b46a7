package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.cli.InProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcpsim replay A.pcap B.pcapng DIR/}: the files one after the other, each as it is replayed alone but with
 * flows numbered on across them, then the totals of all; one conn.log for all; a directory's captures by name; every
 * error naming its file.
 */
class ReplayFilesTest {
    static final Path REPLAY = CapturesReplayTest.CAPTURES.resolve("replay");
    static final Path A = REPLAY.resolve("echo-threads-6.18.44-fc-v669.pcap");
    static final Path B = REPLAY.resolve("close-then-send-6.18.44-fc-v669.pcapng");
    static final Path C = REPLAY.resolve("refused-6.18.44-fc-v669.pcap"), D = REPLAY.resolve("linger-zero-6.18.44-fc-v669.pcap");

    @TempDir
    Path dir;

    /** {@code text} with every flow number shifted by {@code by} ({@code flow N} and {@code "flow":N}). */
    static String shifted(String text, int by) {
        Matcher m = Pattern.compile("(^flow |\"flow\":|^C)(\\d+)", Pattern.MULTILINE).matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) m.appendReplacement(b, m.group(1) + (Integer.parseInt(m.group(2)) + by));
        return m.appendTail(b).toString();
    }

    static int flows(String summaryText) {
        return (int) summaryText.lines().filter(l -> l.startsWith("flow ")).count();
    }

    @Test
    void filesAndADirectoryAreReplayedInOrderWithFlowsNumberedOnAndTheirTotals() throws Exception {
        Path d = Files.createDirectories(dir.resolve("d"));
        Files.copy(D, d.resolve("b-" + D.getFileName()));
        Files.copy(C, d.resolve("a-" + C.getFileName()));
        Files.writeString(d.resolve("notes.txt"), "not a capture");
        for (String mode : List.of("--summary", "--json", "--blocks")) {
            List<String> alone = new ArrayList<>();
            int n = 0;
            for (Path p : List.of(A, B, d.resolve("a-" + C.getFileName()), d.resolve("b-" + D.getFileName()))) {
                InProcess.Outcome o = InProcess.run("replay", p.toString(), mode, "--workers", "1");
                assertEquals(0, o.code(), o.err());
                alone.add(shifted(o.out(), n));
                n += flows(InProcess.run("replay", p.toString(), "--summary").out());
            }
            InProcess.Outcome together = InProcess.run("replay", A.toString(), B.toString(), d.toString(), mode);
            assertEquals(0, together.code(), together.err());
            String expected = String.join("", alone);
            assertTrue(together.out().startsWith(expected), mode + ":\n" + together.out());
            String end = together.out().substring(expected.length());
            if (mode.equals("--json")) {
                assertTrue(end.matches("\\{\"type\":\"total\",\"files\":4,\"flows\":" + n + ",\"explained\":" + n
                        + ",\"diverged\":0,.*\\}\n"), end);
            } else {
                assertTrue(end.matches("# 4 files: " + n + " flow\\(s\\): " + n + " explained, 0 diverged, .*\n"), end);
            }
        }
    }

    @Test
    void oneConnLogForAllTheFilesWithAUidPerFlow() throws Exception {
        Path log = dir.resolve("conn.log");
        InProcess.Outcome o = InProcess.run("replay", A.toString(), B.toString(), "--summary", "--conn-log", log.toString());
        assertEquals(0, o.code(), o.err());
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("#fields")).count());
        List<String> rows = lines.stream().filter(l -> !l.startsWith("#")).toList();
        int flows = flows(o.out());
        assertEquals(flows, rows.size());
        for (int i = 0; i < rows.size(); i++) assertEquals("C" + (i + 1), rows.get(i).split("\t")[1]);
        String a = Files.readString(connLog(A)), b = Files.readString(connLog(B));
        List<String> aloneRows = new ArrayList<>();
        a.lines().filter(l -> !l.startsWith("#")).forEach(aloneRows::add);
        int n = aloneRows.size();
        b.lines().filter(l -> !l.startsWith("#")).forEach(aloneRows::add);
        for (int i = 0; i < rows.size(); i++) {
            String want = aloneRows.get(i);
            if (i >= n) want = want.replaceFirst("\tC" + (i - n + 1) + "\t", "\tC" + (i + 1) + "\t");
            assertEquals(want, rows.get(i));
        }
    }

    private Path connLog(Path capture) {
        Path log = dir.resolve(capture.getFileName() + ".log");
        assertEquals(0, InProcess.run("replay", capture.toString(), "--summary", "--conn-log", log.toString()).code());
        return log;
    }

    @Test
    void errorsNameTheirFile() throws Exception {
        Path missing = dir.resolve("missing.pcap"), empty = Files.createDirectories(dir.resolve("empty"));
        InProcess.Outcome o = InProcess.run("replay", A.toString(), missing.toString());
        assertEquals(2, o.code());
        assertEquals("", o.out());
        assertEquals("tcpsim: cannot read " + missing + ": No such file or directory\n", o.err());

        o = InProcess.run("replay", A.toString(), empty.toString());
        assertEquals(2, o.code());
        assertEquals("tcpsim: " + empty + ": a directory with no capture in it (no file named *.pcap, *.pcapng or "
                + "*.cap)\n", o.err());

        // A bad file in the middle: the files before it are reported, then its error; no conn.log is written.
        Path bad = Files.writeString(dir.resolve("bad.pcap"), "not a capture at all");
        Path log = dir.resolve("conn.log");
        o = InProcess.run("replay", B.toString(), bad.toString(), A.toString(), "--summary", "--conn-log", log.toString());
        assertEquals(2, o.code());
        assertTrue(o.out().startsWith(InProcess.run("replay", B.toString(), "--summary").out()), o.out());
        assertFalse(o.out().contains(A.getFileName().toString()), o.out());
        assertEquals("tcpsim: " + bad + ": capture byte 0: not a pcap or pcapng file: magic 0x6e6f7420\n", o.err());
        assertFalse(Files.exists(log));

        o = InProcess.run("replay", A.toString(), "--workers", "0");
        assertEquals(2, o.code());
        assertEquals("tcpsim: --workers must be from 1 to 64, got 0 (see tcpsim replay --help)\n", o.err());

        o = InProcess.run("replay", A.toString(), B.toString(), "--svg", dir.resolve("x.svg").toString());
        assertEquals(2, o.code());
        assertEquals("tcpsim: --svg and --html draw the flows of one capture, not of 2 (see tcpsim replay --help)\n",
                o.err());
    }
}
