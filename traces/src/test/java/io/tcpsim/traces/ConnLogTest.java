package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.cli.InProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcpsim replay --conn-log}: the rows are what Zeek itself wrote for the public captures Zeek's own test suite
 * reads (its baselines, in traces/captures-public/zeek-baselines, copied byte for byte from zeek/zeek), and the file
 * is read by a real Zeek log reader, Debian's {@code bro-cut} (the zeek-cut of Zeek's older name).
 */
class ConnLogTest {
    static final Path PUBLIC = Scenarios.MODULE.resolve("captures-public");
    static final Path BASELINES = PUBLIC.resolve("zeek-baselines");

    /**
     * Zeek's columns tcpsim does not give as Zeek: ts is masked in the baselines (btest's canonifier), uid is Zeek's
     * random id, service is Zeek's protocol detection (tcpsim does none: it writes '-').
     */
    static final Set<String> NOT_COMPARED = Set.of("ts", "uid", "service");

    @TempDir
    Path dir;

    @Test
    void aPartialConnectionIsWhatZeekWroteFlippedRolesIncluded() throws IOException {
        // No SYN: the first packet is the server's SYN-ACK from port 80, so Zeek flips the roles ('^').
        assertRowsAreZeeks("zeek-tcp-missing-syn.pcap", "zeek-tcp-missing-syn/core.tcp.missing-syn/conn.log");
    }

    @Test
    void aCaptureWithoutPayloadsIsWhatZeekWroteGapsAndMissedBytesIncluded() throws IOException {
        // A snap length of 54: no payload byte was captured, so every acknowledged byte is missing (G, g) and
        // missed_bytes is orig_bytes + resp_bytes; the retransmission is a 't'.
        assertRowsAreZeeks("zeek-tcp-retransmit-fast009.pcap", "zeek-tcp-retransmit-fast009/core.tcp.rxmit-history/conn-1.log");
    }

    @Test
    void fiveHundredEchoConnectionsLastAsLongAsZeekMeasured() throws IOException {
        // Zeek's baseline for this capture is a histogram of conn durations: 500 connections, their sum, and the
        // bucket counts (<= 2, 3, 4, 5, 6, 10 s, more).
        Path pcap = dir.resolve("echo-connections.pcap");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(PUBLIC.resolve("zeek-echo-connections.pcap.gz")))) {
            Files.copy(in, pcap);
        }
        List<Map<String, String>> rows = connLog(pcap);
        long sumMicros = 0;
        long[] buckets = new long[7];
        double[] bounds = {2, 3, 4, 5, 6, 10, Double.POSITIVE_INFINITY};
        for (Map<String, String> r : rows) {
            String[] d = r.get("duration").split("\\.");
            long us = Long.parseLong(d[0]) * 1_000_000 + Long.parseLong(d[1]);
            sumMicros += us;
            for (int i = 0; i < bounds.length; i++) {
                if (us / 1e6 <= bounds[i]) {
                    buckets[i]++;
                    break;
                }
            }
        }
        List<String> baseline = Files.readAllLines(BASELINES.resolve(
                "zeek-echo-connections/scripts.base.frameworks.telemetry.conn-duration-histogram/out"));
        assertEquals("[0.0, 322.0, 90.0, 5.0, 76.0, 7.0, 0.0]", baseline.get(5));
        assertEquals("500.0, 1650.264644", baseline.get(6));
        assertEquals(500, rows.size());
        assertEquals("[0, 322, 90, 5, 76, 7, 0]", Arrays.toString(buckets));
        // Zeek adds 500 doubles; the exact sum of the microsecond durations is 1650.264645 s.
        assertEquals(1_650_264_645L, sumMicros);
    }

    @Test
    void broCutReadsTheFile() throws Exception {
        Path log = dir.resolve("conn.log");
        InProcess.Outcome o = InProcess.run("replay", PUBLIC.resolve("zeek-tcp-missing-syn.pcap").toString(),
                "--conn-log", log.toString());
        assertEquals(0, o.code(), o.err());
        assertEquals(List.of("141.42.64.125\t56730\t125.190.109.199\t80\tSF\t^hADdFaf\tnot judged\t-"),
                broCut(log, "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "conn_state", "history",
                        "tcpsim_verdict", "tcpsim_rst_reason"));
        // -c keeps the header: bro-cut read the #fields line to find the columns.
        List<String> withHeader = broCut(log, "-c", "conn_state", "tcpsim_calls");
        assertTrue(withHeader.contains("#fields\tconn_state\ttcpsim_calls"), String.join("\n", withHeader));
    }

    @Test
    void anEmptyCaptureIsAHeaderAndAClose() throws IOException {
        Path empty = dir.resolve("empty.pcap");
        // A pcap header of no records (microseconds, little-endian, Ethernet).
        byte[] h = {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                (byte) 0xff, (byte) 0xff, 0, 0, 1, 0, 0, 0};
        Files.write(empty, h);
        Path log = dir.resolve("conn.log");
        InProcess.Outcome o = InProcess.run("replay", empty.toString(), "--conn-log", log.toString());
        assertEquals(0, o.code(), o.err());
        List<String> lines = Files.readAllLines(log);
        assertEquals(List.of("#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-",
                "#path\tconn", "#open\t1970-01-01-00-00-00"), lines.subList(0, 6));
        assertEquals("#close\t1970-01-01-00-00-00", lines.get(lines.size() - 1));
        assertEquals(9, lines.size());
    }

    @Test
    void aCaptureThatEndsBadlyWritesNoConnLog() throws IOException {
        Path cut = dir.resolve("cut.pcap");
        byte[] whole = Files.readAllBytes(PUBLIC.resolve("zeek-tcp-missing-syn.pcap"));
        Files.write(cut, Arrays.copyOf(whole, 24 + 16 + 10));
        Path log = dir.resolve("conn.log");
        InProcess.Outcome o = InProcess.run("replay", cut.toString(), "--conn-log", log.toString());
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().startsWith("tcpsim: " + cut + ": "), o.err());
        assertTrue(!Files.exists(log), "nothing is half-written");
    }

    private void assertRowsAreZeeks(String capture, String baseline) throws IOException {
        List<Map<String, String>> ours = connLog(PUBLIC.resolve(capture));
        List<Map<String, String>> zeeks = read(Files.readAllLines(BASELINES.resolve(baseline)));
        assertEquals(zeeks.size(), ours.size());
        for (int i = 0; i < zeeks.size(); i++) {
            Map<String, String> z = new LinkedHashMap<>(zeeks.get(i)), t = new LinkedHashMap<>();
            for (String k : z.keySet()) t.put(k, ours.get(i).get(k));
            z.keySet().removeAll(NOT_COMPARED);
            t.keySet().removeAll(NOT_COMPARED);
            assertEquals(z, t, capture + " row " + (i + 1));
        }
    }

    private List<Map<String, String>> connLog(Path pcap) throws IOException {
        Path log = dir.resolve(pcap.getFileName() + ".conn.log");
        InProcess.Outcome o = InProcess.run("replay", pcap.toString(), "--conn-log", log.toString());
        assertTrue(o.code() == 0 || o.code() == 1, o.err());
        return read(Files.readAllLines(log));
    }

    /** The rows of a Zeek ASCII log, each as column name to text (the btest header line skipped). */
    static List<Map<String, String>> read(List<String> lines) {
        List<String> fields = null;
        List<Map<String, String>> rows = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("#fields\t")) fields = List.of(l.substring(8).split("\t"));
            if (l.startsWith("#")) continue;
            String[] v = l.split("\t", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < fields.size(); i++) row.put(fields.get(i), v[i]);
            rows.add(row);
        }
        return rows;
    }

    private static List<String> broCut(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bro-cut"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(log.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }
}
