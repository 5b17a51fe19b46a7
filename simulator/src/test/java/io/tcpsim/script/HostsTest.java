package io.tcpsim.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tcpsim.backend.LinkCommand;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** hosts:, link:, sysctl: and the link steps (issue 12's script contract, docs/scripts.md "Two hosts on a link"). */
class HostsTest {

    static final String HEAD = "name: t\nhosts:\n  client: 10.0.1.1\n  server: 10.0.1.2\n";
    static final String STEPS = "steps:\n  - 'server: a = socket()'\n  - 'client: c = socket()'\n";

    static Script parse(String text) throws ScriptException {
        return ScriptParser.parse("t.yaml", text);
    }

    static String error(String text) {
        return assertThrows(ScriptException.class, () -> parse(text)).getMessage();
    }

    /** A two-host script with these extra steps after the two sockets. */
    static String with(String... steps) {
        StringBuilder b = new StringBuilder(HEAD).append(STEPS);
        for (String s : steps) b.append("  - ").append(s).append('\n');
        return b.toString();
    }

    @Test
    void theIssuesExampleParses() throws Exception {
        Script s = parse("""
                name: t
                hosts:                 # each process on its own host
                  client: 10.0.1.1
                  server: 10.0.1.2
                link:
                  delay: 25ms
                  mtu: 1500
                sysctl:
                  net.ipv4.tcp_retries2: 4
                  net.ipv4.tcp_rmem: 4096 131072 6291456
                steps:
                  - 'server: a = socket()'
                  - 'server: bind(a, 10.0.1.2:5001)'
                  - 'server: listen(a, 1)'
                  - 'client: c = socket()'
                  - 'client: connect(c, 10.0.1.2:5001) = 0'
                  - link down
                  - link up
                  - link drop 1 client>server data
                  - link drop 3 server>client syn-ack
                  - link drop 1 client>server data after 99
                  - netstat
                """);
        Topology t = s.topology();
        assertEquals(Map.of("client", SockAddr.parseIp("10.0.1.1"), "server", SockAddr.parseIp("10.0.1.2")), t.hosts());
        assertEquals(List.of("client", "server"), t.names());
        assertEquals(new Topology.Link(25_000_000, 25_000_000, 1500), t.link());
        assertEquals(List.of("net.ipv4.tcp_retries2", "net.ipv4.tcp_rmem"), List.copyOf(t.sysctls().keySet()));
        assertEquals("4", t.sysctls().get("net.ipv4.tcp_retries2"));
        assertEquals("4096 131072 6291456", t.sysctls().get("net.ipv4.tcp_rmem"));
        assertEquals("2:1", t.source().line(0) + ":" + t.source().column(0));
        assertEquals("9:3", t.at("net.ipv4.tcp_retries2").line(0) + ":" + t.at("net.ipv4.tcp_retries2").column(0));
        assertEquals("server", t.hostAt(SockAddr.parseIp("10.0.1.2")));
        assertEquals("10.0.1.1", t.address("client"));
        List<String> links = s.steps().stream().filter(x -> x instanceof Step.Link)
                .map(x -> x.line() + ":" + x.column() + " " + ((Step.Link) x).command().text()).toList();
        assertEquals(List.of("17:5 link down", "18:5 link up", "19:5 link drop 1 client>server data",
                "20:5 link drop 3 server>client syn-ack", "21:5 link drop 1 client>server data after 99"), links);
        assertEquals(new LinkCommand.Drop("client", "server", LinkCommand.Kind.DATA, 1, 99), ((Step.Link) s.steps().get(9)).command());
        Step.Link drop = (Step.Link) s.steps().get(8);
        assertEquals(new LinkCommand.Drop("server", "client", LinkCommand.Kind.SYN_ACK, 3), drop.command());
        assertInstanceOf(LinkCommand.Down.class, ((Step.Link) s.steps().get(5)).command());
        assertEquals("main", drop.process());
    }

    @Test
    void defaultsAndPerDirectionDelay() throws Exception {
        Topology t = parse(with()).topology();
        assertEquals(Topology.Link.DEFAULT, t.link());
        assertEquals(Map.of(), t.sysctls());
        Topology d = parse(HEAD + "link:\n  delay: {client>server: 10ms, server>client: 1.5s}\n  mtu: 68\n" + STEPS).topology();
        assertEquals(new Topology.Link(10_000_000, 1_500_000_000, 68), d.link());
        assertEquals(10_000_000, d.delayNanos("client", "server"));
        assertEquals(1_500_000_000, d.delayNanos("server", "client"));
        assertEquals(0, parse(HEAD + "link:\n  delay: 0\n" + STEPS).topology().link().delayNanos());
        assertEquals(250_000, parse(HEAD + "link:\n  delay: 250us\n" + STEPS).topology().link().delayNanos());
        assertEquals(new Topology.Link(0, 0, 1500, 5_000), parse(HEAD + "link:\n  loss: 0.5%\n" + STEPS).topology().link());
        assertEquals(1_000_000, parse(HEAD + "link:\n  loss: 100%\n" + STEPS).topology().link().lossPpm());
        assertEquals(1, parse(HEAD + "link:\n  loss: 0.0001%\n" + STEPS).topology().link().lossPpm());
    }

    @Test
    void aLoopbackScriptHasNoTopology() throws Exception {
        assertNull(parse("name: t\nsteps:\n  - c = socket()\n").topology());
    }

    @Test
    void badHosts() {
        assertEquals("t.yaml:2:8: hosts must be a mapping of process names to IPv4 addresses (client: 10.0.1.1), got '10.0.1.1'",
                error("name: t\nhosts: 10.0.1.1\n" + STEPS));
        assertEquals("t.yaml:3:11: bad address '10.0.1' for host 'client'; expected A.B.C.D, e.g. 10.0.1.1",
                error("name: t\nhosts:\n  client: 10.0.1\n  server: 10.0.1.2\n" + STEPS));
        assertEquals("t.yaml:3:11: bad address '10.0.1.256' for host 'client'; expected A.B.C.D, e.g. 10.0.1.1",
                error("name: t\nhosts:\n  client: 10.0.1.256\n  server: 10.0.1.2\n" + STEPS));
        assertEquals("t.yaml:4:10: host 'server' needs an IPv4 address like 10.0.1.1, got nothing",
                error("name: t\nhosts:\n  client: 10.0.1.1\n  server:\n" + STEPS));
        for (String bad : List.of("0.1.2.3", "127.0.0.2", "224.0.0.1", "255.255.255.255"))
            assertEquals("t.yaml:3:11: " + bad + " cannot be a host's address (0/8, 127/8 and 224/3 are not unicast host "
                    + "addresses); use one like 10.0.1.1",
                    error("name: t\nhosts:\n  client: " + bad + "\n  server: 10.0.1.2\n" + STEPS));
        assertEquals("t.yaml:4:11: hosts 'client' and 'server' have the same address 10.0.1.1",
                error("name: t\nhosts:\n  client: 10.0.1.1\n  server: 10.0.1.1\n" + STEPS));
        assertEquals("t.yaml:3:3: hosts must name exactly two processes (the link joins two hosts), got 1",
                error("name: t\nhosts:\n  client: 10.0.1.1\nsteps:\n  - 'client: c = socket()'\n"));
        assertEquals("t.yaml:3:3: bad process name '1x' in hosts: expected letters, digits and _",
                error("name: t\nhosts:\n  1x: 10.0.1.1\n  server: 10.0.1.2\n" + STEPS));
    }

    @Test
    void everyProcessHasAHostAndEveryHostAProcess() {
        assertEquals("t.yaml:8:6: process 'other' has no host: with hosts:, every process is one of client, server",
                error(with("'other: x = socket()'")));
        assertEquals("t.yaml:8:5: process 'main' has no host: with hosts:, every process is one of client, server "
                + "(name it: 'client: ...')", error(with("x = socket()")));
        assertEquals("t.yaml:8:5: process 'other' has no host: with hosts:, every process is one of client, server",
                error(with("exit other")));
        assertEquals("t.yaml:4:3: unknown process 'server' in hosts: no step runs in it",
                error(HEAD + "steps:\n  - 'client: c = socket()'\n  - sleep 1s\n  - netstat\n"));
    }

    @Test
    void ipv6WithHostsIsNotModelledYet() {
        assertEquals("t.yaml:8:6: IPv6 with hosts: (the link between two hosts is IPv4) is not modelled yet "
                + io.tcpsim.backend.NotModelled.DOCS, error(with("'client: x = socket(AF_INET6)'")));
    }

    @Test
    void badLink() {
        assertEquals("t.yaml:6:10: bad duration '25'; expected a number and a unit s, ms or us, e.g. delay: 25ms",
                error(HEAD + "link:\n  delay: 25\n" + STEPS));
        assertEquals("t.yaml:6:10: bad duration '25 ms'; expected a number and a unit s, ms or us, e.g. delay: 25ms",
                error(HEAD + "link:\n  delay: 25 ms\n" + STEPS));
        assertEquals("t.yaml:6:10: bad delay '1.5'; expected a number and a unit s, ms or us, e.g. 25ms",
                error(HEAD + "link:\n  delay: 1.5\n" + STEPS));
        assertEquals("t.yaml:6:10: bad duration '1.5ns'; expected a number and a unit s, ms or us, e.g. delay: 25ms",
                error(HEAD + "link:\n  delay: 1.5ns\n" + STEPS));
        assertEquals("t.yaml:6:10: bad duration '0.0001us': the clock counts whole nanoseconds",
                error(HEAD + "link:\n  delay: 0.0001us\n" + STEPS));
        assertEquals("t.yaml:6:11: unknown direction 'client>client'; expected client>server or server>client",
                error(HEAD + "link:\n  delay: {client>client: 1ms}\n" + STEPS));
        assertEquals("t.yaml:6:10: a delay per direction needs both client>server and server>client",
                error(HEAD + "link:\n  delay: {client>server: 1ms}\n" + STEPS));
        for (String mtu : List.of("67", "65536", "0", "-1", "1500.0", "big"))
            assertEquals("t.yaml:6:8: mtu must be a number of bytes from 68 to 65535, got '" + mtu + "'",
                    error(HEAD + "link:\n  mtu: " + mtu + "\n" + STEPS));
        for (String loss : List.of("1", "101%", "-1%", "0.00001%", "1 %", "x%"))
            assertEquals("t.yaml:6:9: loss must be a percentage from 0% to 100% (like 1% or 0.5%), got '" + loss + "'",
                    error(HEAD + "link:\n  loss: " + loss + "\n" + STEPS));
        assertEquals("t.yaml:6:3: unknown link key 'rate'; known keys: delay, mtu, loss", error(HEAD + "link:\n  rate: 1\n" + STEPS));
        assertEquals("t.yaml:5:7: link must be a mapping with keys delay, mtu, loss, got '25ms'", error(HEAD + "link: 25ms\n" + STEPS));
        assertEquals("t.yaml:2:1: 'link' needs hosts: (two hosts joined by the link); a script without hosts: runs on loopback",
                error("name: t\nlink:\n  delay: 1ms\nsteps:\n  - c = socket()\n"));
    }

    @Test
    void badSysctl() {
        assertEquals("t.yaml:6:3: sysctl 'net.core.rmem_max': only net.ipv4.* settings are set per host, e.g. net.ipv4.tcp_retries2",
                error(HEAD + "sysctl:\n  net.core.rmem_max: 1\n" + STEPS));
        assertEquals("t.yaml:6:3: sysctl 'tcp_retries2': only net.ipv4.* settings are set per host, e.g. net.ipv4.tcp_retries2",
                error(HEAD + "sysctl:\n  tcp_retries2: 1\n" + STEPS));
        assertEquals("t.yaml:6:25: sysctl 'net.ipv4.tcp_retries2' needs a value of numbers or words, got nothing",
                error(HEAD + "sysctl:\n  net.ipv4.tcp_retries2:\n" + STEPS));
        assertEquals("t.yaml:6:26: sysctl 'net.ipv4.tcp_retries2' needs a value of numbers or words, got '1; reboot'",
                error(HEAD + "sysctl:\n  net.ipv4.tcp_retries2: '1; reboot'\n" + STEPS));
        assertEquals("t.yaml:2:1: 'sysctl' needs hosts: (two hosts joined by the link); a script without hosts: runs on loopback",
                error("name: t\nsysctl:\n  net.ipv4.tcp_retries2: 1\nsteps:\n  - c = socket()\n"));
    }

    @Test
    void badLinkSteps() {
        assertEquals("t.yaml:3:5: 'link' needs the script's hosts: (a link joins two hosts; without hosts: everything is on loopback)",
                error("name: t\nsteps:\n  - link down\n"));
        assertEquals("t.yaml:8:10: expected link down, link up or link drop COUNT FROM>TO KIND [after SKIP], got 'sideways'",
                error(with("link sideways")));
        assertEquals("t.yaml:8:9: expected link down, link up or link drop COUNT FROM>TO KIND [after SKIP]", error(with("link")));
        assertEquals("t.yaml:8:15: the number of packets to drop must be at least 1, got 0",
                error(with("link drop 0 client>server data")));
        assertEquals("t.yaml:8:15: the number of packets to drop must be at least 1, got -2",
                error(with("link drop -2 client>server data")));
        assertEquals("t.yaml:8:15: expected the number of packets to drop, got 'client>server': link down, link up or link "
                + "drop COUNT FROM>TO KIND [after SKIP]", error(with("link drop client>server data")));
        assertEquals("t.yaml:8:15: at most 2147483647 packets per drop, got 99999999999",
                error(with("link drop 99999999999 client>server data")));
        assertEquals("t.yaml:8:17: unknown host 'clent' in the direction; hosts: client, server",
                error(with("link drop 1 clent>server data")));
        assertEquals("t.yaml:8:24: unknown host 'srv' in the direction; hosts: client, server",
                error(with("link drop 1 client>srv data")));
        assertEquals("t.yaml:8:17: a direction joins two different hosts, got 'client>client'",
                error(with("link drop 1 client>client data")));
        assertEquals("t.yaml:8:17: expected a direction FROM>TO, e.g. client>server, got 'client'",
                error(with("link drop 1 client data")));
        assertEquals("t.yaml:8:16: expected a direction FROM>TO after the count, e.g. client>server", error(with("link drop 1")));
        assertEquals("t.yaml:8:31: unknown packet kind 'syn_ack'; valid: syn, syn-ack, ack, data, fin, rst, any",
                error(with("link drop 1 client>server syn_ack")));
        assertEquals("t.yaml:8:30: expected the kind of packet after the direction: syn, syn-ack, ack, data, fin, rst, any",
                error(with("link drop 1 client>server")));
        assertEquals("t.yaml:8:36: unexpected 'now' after the kind: link down, link up or link drop COUNT FROM>TO KIND [after SKIP]",
                error(with("link drop 1 client>server data now")));
        assertEquals("t.yaml:8:42: expected the number of matching packets to let through after 'after', got 'x'",
                error(with("link drop 1 client>server data after x")));
        assertEquals("t.yaml:8:6: 'link' concerns every process: write it without one", error(with("'client: link down'")));
    }

    @Test
    void dropKindsMatchWhatBothBackendsDrop() {
        int syn = TcpFlags.SYN, ack = TcpFlags.ACK, fin = TcpFlags.FIN, rst = TcpFlags.RST, psh = TcpFlags.PSH;
        assertEquals(List.of("syn", "any"), kinds(syn, 0));
        assertEquals(List.of("syn-ack", "any"), kinds(syn | ack, 0));
        assertEquals(List.of("ack", "any"), kinds(ack, 0));
        assertEquals(List.of("data", "any"), kinds(psh | ack, 10));
        assertEquals(List.of("data", "fin", "any"), kinds(fin | psh | ack, 10));
        assertEquals(List.of("fin", "any"), kinds(fin | ack, 0));
        assertEquals(List.of("rst", "any"), kinds(rst | ack, 0));
        assertEquals(List.of("rst", "any"), kinds(rst, 0));
    }

    private static List<String> kinds(int flags, int payload) {
        return java.util.Arrays.stream(LinkCommand.Kind.values()).filter(k -> k.matches(flags, payload)).map(k -> k.text).toList();
    }

    @Test
    void aDropNeedsACountAndTwoHosts() {
        assertThrows(IllegalArgumentException.class, () -> new LinkCommand.Drop("a", "b", LinkCommand.Kind.ANY, 0));
        assertThrows(IllegalArgumentException.class, () -> new LinkCommand.Drop("a", "a", LinkCommand.Kind.ANY, 1));
    }
}
