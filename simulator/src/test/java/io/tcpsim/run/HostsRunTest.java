package io.tcpsim.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tcpsim.backend.LinkCommand;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.NotModelled;
import io.tcpsim.backend.TcpState;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptParser;
import io.tcpsim.wire.SockAddr;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the runner runs a script with hosts: its link steps go to the backend, netstat prints one table per host. */
class HostsRunTest {

    static final String SCRIPT = """
            name: t
            hosts:
              client: 10.0.1.1
              server: 10.0.1.2
            link:
              delay: 25ms
            steps:
              - 'server: a = socket()'
              - 'client: c = socket()'
              - link drop 2 client>server syn
              - link down
              - netstat
              - link up
            """;

    @Test
    void linkStepsReachTheBackendAndNetstatPrintsEachHost() throws Exception {
        Script s = ScriptParser.parse("t.yaml", SCRIPT);
        FakeBackend fake = new FakeBackend();
        SockAddr c = new SockAddr(SockAddr.parseIp("10.0.1.1"), 40000), srv = new SockAddr(SockAddr.parseIp("10.0.1.2"), 5001);
        Map<String, List<NetstatRow>> tables = Map.of(
                "client", List.of(new NetstatRow(0, 1, c, srv, TcpState.SYN_SENT, "on (1.00/0/0)", false)),
                "server", List.of(new NetstatRow(0, 0, srv, new SockAddr(0, 0), TcpState.LISTEN, "off (0.00/0/0)", false)));
        fake.hosts = tables::get;
        RunLog log = Runner.run(s, fake);
        assertEquals(List.of("prepared t.yaml", "link drop 2 client>server syn at 10000", "link down at 10000",
                "netstat client", "netstat server", "link up at 10010000"), fake.hostLog);
        assertEquals(List.of(
                "00:00:00.000000 [server] a = socket() = 3",
                "00:00:00.000005 [client] c = socket() = 4",
                "00:00:00.000010 -- link drop 2 client>server syn",
                "00:00:00.000010 -- link down",
                "00:00:00.010010 netstat -tn on client (10.0.1.1)",
                NetstatRow.HEADER,
                "tcp        0      1 10.0.1.1:40000          10.0.1.2:5001           SYN_SENT   ",
                "00:00:00.010010 netstat -tn on server (10.0.1.2)",
                NetstatRow.HEADER,
                "00:00:00.010010 -- link up"), new TextOutput(s).lines(log.lines()));
        String json = String.join("\n", new JsonOutput(s).lines(log.lines()));
        assertEquals(true, json.contains("\"type\":\"link\",\"time\":\"00:00:00.000010\",\"time_ns\":10000,\"line\":10,"
                + "\"text\":\"link drop 2 client>server syn\""), json);
        assertEquals(true, json.contains("\"all\":false,\"host\":\"server\",\"rows\":[]"), json);
        assertEquals(log.lines(), log.relativeTo(0).lines());
    }

    @Test
    void aBackendWithoutHostsRefusesTheScriptBeforeAnythingRuns() throws Exception {
        Script s = ScriptParser.parse("t.yaml", SCRIPT);
        FakeBackend fake = new FakeBackend();
        NotModelled e = assertThrows(NotModelled.class, () -> Runner.run(s, fake));
        assertEquals("t.yaml:2:1: hosts: the fake backend runs everything on one host's loopback; two hosts on a link are "
                + "not modelled yet (docs/model.md, \"What is not modelled yet\")", e.getMessage());
        assertEquals(List.of(), fake.calls);
    }

    @Test
    void aBackendWithoutALinkRefusesLinkCommands() {
        Model m = new Model(Profile.linux6(), 1);
        assertThrows(UnsupportedOperationException.class, () -> m.link(new LinkCommand.Down()));
        assertThrows(UnsupportedOperationException.class, () -> m.netstat("client"));
    }
}
