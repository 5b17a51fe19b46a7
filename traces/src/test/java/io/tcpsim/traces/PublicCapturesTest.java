package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpsim.cli.InProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The twelve public captures (traces/captures-public, SOURCES.md) through {@code tcpsim replay} and {@code replay
 * --json}, as issue 13 asks: exit 0, 1 or 2 only, nothing on the error stream but one-line messages, every JSON line
 * an object; and each file's counts (flows explained, diverged, not judged, divergences, packets, exit code) are the
 * row docs/replay.md shows for it, so that the page says what replay does today. Together the divergences stay under
 * 1 % of the packets.
 */
class PublicCapturesTest {
    static final Path PUBLIC = Scenarios.MODULE.resolve("captures-public");
    static final Path DOC = Scenarios.ROOT.resolve("docs/replay.md");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    /** A row of the table: the counts replay prints in its summary, and its exit code. */
    record Row(int flows, int explained, int diverged, int notJudged, long divergences, long packets, int exit) {
        @Override
        public String toString() {
            return "| " + flows + " | " + explained + " | " + diverged + " | " + notJudged + " | " + divergences + " | "
                    + packets + " | " + exit + " |";
        }
    }

    /** The table's rows by file name: lines "| `FILE` | flows | explained | diverged | not judged | div | packets | exit |". */
    static Map<String, Row> documented() throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOC)) {
            if (!line.startsWith("| `") || !line.contains(".pcap`")) continue;
            String[] c = line.split("\\|");
            String file = c[1].trim().replace("`", "");
            rows.put(file, new Row(n(c[2]), n(c[3]), n(c[4]), n(c[5]), n(c[6]), n(c[7]), n(c[8])));
        }
        return rows;
    }

    private static int n(String cell) {
        return Integer.parseInt(cell.trim().replace(",", ""));
    }

    static List<Path> captures() {
        try (Stream<Path> s = Files.list(PUBLIC)) {
            return s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcap.gz")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The capture as replay reads it: a .gz copy gunzipped into the test's directory. */
    static Path readable(Path p) throws IOException {
        if (!p.toString().endsWith(".gz")) return p;
        Path out = tmp.resolve(p.getFileName().toString().replaceAll("\\.gz$", ""));
        if (!Files.exists(out)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
                Files.copy(in, out);
            }
        }
        return out;
    }

    static String name(Path p) {
        return p.getFileName().toString().replaceAll("\\.gz$", "");
    }

    private static final Map<String, Row> measured = new LinkedHashMap<>();

    @TestFactory
    Stream<DynamicTest> eachCaptureReplaysAsDocumented() throws IOException {
        Map<String, Row> doc = documented();
        List<Path> all = captures();
        assertEquals(12, all.size(), "SOURCES.md lists twelve captures");
        return all.stream().map(p -> DynamicTest.dynamicTest(name(p), () -> {
            Path file = readable(p);
            InProcess.Outcome text = InProcess.run("replay", file.toString());
            InProcess.Outcome json = InProcess.run("replay", "--json", file.toString());
            assertTrue(text.code() >= 0 && text.code() <= 2, "exit " + text.code());
            assertEquals(text.code(), json.code(), "the same exit code with --json");
            for (InProcess.Outcome o : List.of(text, json)) {
                assertFalse(o.err().contains("Exception") || o.err().contains("\tat "), o.err());
            }
            JsonNode summary = null;
            for (String line : json.out().split("\n")) {
                JsonNode node = JSON.readTree(line); // every line parses
                assertTrue(node.isObject(), line);
                if (node.path("type").asText().equals("summary")) summary = node;
            }
            assertTrue(summary != null, "a summary line");
            Row row = new Row(summary.get("flows").asInt(), summary.get("explained").asInt(),
                    summary.get("diverged").asInt(), summary.get("not_judged").asInt(),
                    summary.get("divergences").asLong(), summary.get("packets").asLong(), text.code());
            measured.put(name(p), row);
            assertEquals(String.valueOf(doc.get(name(p))), row.toString(), name(p) + ": the row of docs/replay.md's "
                    + "table of the public captures (the counts of today's replay) differs");
        }));
    }

    /** Divergences under 1 % of the packets, over the twelve files (161 % before issue 13). */
    @Test
    void divergencesStayUnderOnePercentOfThePackets() throws IOException {
        Map<String, Row> doc = documented();
        assertEquals(12, doc.size(), "docs/replay.md lists the twelve captures");
        long divergences = 0, packets = 0;
        List<String> files = new ArrayList<>();
        for (Path p : captures()) files.add(name(p));
        for (Map.Entry<String, Row> e : doc.entrySet()) {
            assertTrue(files.contains(e.getKey()), e.getKey() + " is in docs/replay.md but not in " + PUBLIC);
            divergences += e.getValue().divergences();
            packets += e.getValue().packets();
        }
        assertTrue(divergences * 100 < packets, divergences + " divergences in " + packets + " packets");
    }
}
