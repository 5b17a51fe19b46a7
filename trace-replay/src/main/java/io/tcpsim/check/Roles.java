package io.tcpsim.check;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.script.CallTemplate;
import io.tcpsim.script.Script;
import io.tcpsim.script.Step;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.SockAddr;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ports in the terms both runs share. A port the script names (bind, connect) is itself on both backends; any other
 * port is ephemeral, chosen by each backend on its own, and is named {@code E1}, {@code E2}, ... in the order it
 * first appears in the run's log (packets in time order, then netstat rows). The first connection's client is
 * {@code E1} on both sides as long as both make their connections in the same order, which the script fixes.
 */
final class Roles {
    private final Set<Integer> named = new HashSet<>();
    private final Map<Integer, String> ephemeral = new HashMap<>();

    Roles(Script script, RunLog log) {
        for (Step s : script.steps()) {
            if (!(s instanceof Step.CallStep c)) continue;
            if (c.call() instanceof CallTemplate.Bind b && b.addr() != null && b.addr().port() != 0) named.add(b.addr().port());
            if (c.call() instanceof CallTemplate.Connect k && k.addr() != null) named.add(k.addr().port());
        }
        for (LogLine l : log.lines()) {
            if (l instanceof LogLine.PacketLine p) {
                Packet packet = p.packet();
                port(packet.segment().src().port());
                port(packet.segment().dst().port());
            } else if (l instanceof LogLine.NetstatLine n) {
                // /proc/net/tcp is in hash order: name a table's new ports in an order that does not depend on it.
                List<NetstatRow> rows = n.rows().stream()
                        .sorted(Comparator.comparing(NetstatRow::state).thenComparing(r -> r.foreign().port()))
                        .toList();
                for (NetstatRow r : rows) {
                    port(r.local().port());
                    port(r.foreign().port());
                }
            }
        }
    }

    String port(int port) {
        if (port == 0) return "*";
        if (named.contains(port)) return Integer.toString(port);
        return ephemeral.computeIfAbsent(port, p -> "E" + (ephemeral.size() + 1));
    }

    /** {@code E1} on 127.0.0.1, else {@code 10.0.0.1:E1}. */
    String addr(SockAddr a) {
        String p = port(a.port());
        return a.ip() == SockAddr.LOOPBACK ? p : a.ipString() + ":" + p;
    }
}
