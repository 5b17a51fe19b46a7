package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpsim.cli.InProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: IPv6 flows replay. The kernel's capture of the seed close-then-send run on {@code ::1}
 * (traces/scenarios/ipv6/close-then-send.yaml) replays clean, its output as stored in traces/replay-expected.
 */
class Ipv6ReplayTest {
    static final String CAPTURE = "traces/captures/scenarios/ipv6-close-then-send-6.18.44-fc-v1252.pcap";
    static final Path EXPECTED = Scenarios.MODULE.resolve("replay-expected/ipv6-close-then-send.txt");

    @Test
    void theSeedOnLoopbackSixReplaysAsStored() throws Exception {
        InProcess.Outcome o = InProcess.run("replay", Scenarios.ROOT.resolve(CAPTURE).toString());
        assertEquals(0, o.code(), o.err());
        List<String> want = Files.readAllLines(EXPECTED, StandardCharsets.UTF_8);
        List<String> got = o.out().replace(Scenarios.ROOT.resolve(CAPTURE).toString(), CAPTURE).lines().toList();
        assertEquals(String.join("\n", want), String.join("\n", got));
    }

    @Test
    void theJsonSummaryCountsTheIpv6Flow() throws Exception {
        InProcess.Outcome o = InProcess.run("replay", "--json", Scenarios.ROOT.resolve(CAPTURE).toString());
        assertEquals(0, o.code(), o.err());
        JsonNode summary = null;
        ObjectMapper json = new ObjectMapper();
        for (String line : o.out().split("\n")) {
            JsonNode n = json.readTree(line);
            if (n.path("type").asText().equals("summary")) summary = n;
            if (n.path("type").asText().equals("flow")) assertEquals("[::1]:4321", n.get("server").asText());
        }
        assertEquals(1, summary.get("explained").asInt());
        assertEquals(1, summary.get("ipv6_flows").asInt());
        assertEquals(7, summary.get("ipv6_packets").asInt());
        assertEquals(0, summary.get("divergences").asInt());
    }
}
