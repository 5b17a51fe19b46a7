package io.tcpsim.traces;

import io.tcpsim.packetdrill.Event;
import io.tcpsim.packetdrill.Expr;
import io.tcpsim.packetdrill.Packet;
import io.tcpsim.packetdrill.PktScript;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One change to a passing script that must make it fail at the changed line, on the model and on the kernel: an
 * outbound packet's ACK number, its PSH flag or its window, or a call's result. Which kind a script gets turns with
 * its place in the list ({@code kind}), so that every kind is tried; a script without a line of that kind gets the
 * next kind.
 *
 * @param line     the changed line
 * @param field    what the failure must name (as {@link io.tcpsim.pktrun.PktVerdict#field()} names it)
 * @param what     the change, for a message: {@code ack 1001 -> ack 1002}
 * @param text     the changed script
 */
record Mutation(int line, String field, String what, String text) {
    static final String[] KINDS = {"ack", "psh", "result", "window"};

    static Mutation of(PktScript s, String text, int kind) {
        for (int k = 0; k < KINDS.length; k++) {
            Mutation m = of(s, text, KINDS[(kind + k) % KINDS.length]);
            if (m != null) return m;
        }
        throw new IllegalArgumentException(s.file() + ": nothing to change");
    }

    private static Mutation of(PktScript s, String text, String kind) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        List<Event> events = s.events();
        for (int i = events.size() - 1; i >= 0; i--) {
            Event e = events.get(i);
            String line = lines.get(e.line() - 1);
            if (e instanceof Event.PacketEvent p && p.packet() instanceof Packet.Tcp t
                    && t.direction() == Packet.Direction.OUTBOUND) {
                int gt = line.indexOf('>');
                if (gt < 0) continue;
                String head = line.substring(0, gt + 1), rest = line.substring(gt + 1);
                switch (kind) {
                    case "ack" -> {
                        if (t.ack() == null) continue;
                        Matcher m = Pattern.compile("\\back ([0-9]+)").matcher(rest);
                        if (!m.find()) continue;
                        long n = Long.parseLong(m.group(1));
                        String changed = rest.substring(0, m.start()) + "ack " + (n + 1) + rest.substring(m.end());
                        return at(lines, e.line(), head + changed, "tcp_ack_seq", "ack " + n + " -> ack " + (n + 1));
                    }
                    case "psh" -> {
                        Matcher m = Pattern.compile("^(\\s*)([FSRP.UEWA]+)(\\s)").matcher(rest);
                        if (!m.find() || t.flags().contains("S")) continue;
                        String f = m.group(2);
                        String g = f.contains("P") ? f.replace("P", "") : f.replace(".", "P.");
                        if (g.isEmpty() || g.equals(f)) continue;
                        return at(lines, e.line(), head + m.group(1) + g + rest.substring(m.end(2)), "tcp_psh",
                                "flags " + f + " -> " + g);
                    }
                    case "window" -> {
                        if (t.window() != null || t.ack() == null) continue;
                        Matcher m = Pattern.compile("\\back ([0-9]+)").matcher(rest);
                        if (!m.find()) continue;
                        String changed = rest.substring(0, m.end()) + " win 7" + rest.substring(m.end());
                        return at(lines, e.line(), head + changed, "tcp_window", "win 7 added");
                    }
                    default -> { }
                }
            } else if (kind.equals("result") && e instanceof Event.SyscallEvent c && c.result() instanceof Expr.Int r
                    && !List.of("socket", "accept", "accept4", "epoll_create", "epoll_create1").contains(c.name())
                    && c.errno() == null && r.value() >= 0 && c.line() == endLine(lines, c.line())) {
                Matcher m = Pattern.compile("\\)\\s*=\\s*([0-9]+)").matcher(line);
                if (!m.find()) continue;
                long v = Long.parseLong(m.group(1));
                String changed = line.substring(0, m.start(1)) + (v + 1) + line.substring(m.end(1));
                return at(lines, c.line(), changed, "call " + c.name(), c.name() + " = " + v + " -> " + (v + 1));
            }
        }
        return null;
    }

    /** A call written on one line (a multi-line struct argument is left alone). */
    private static int endLine(List<String> lines, int line) {
        return lines.get(line - 1).contains("=") ? line : -1;
    }

    private static Mutation at(List<String> lines, int line, String changed, String field, String what) {
        List<String> out = new ArrayList<>(lines);
        out.set(line - 1, changed);
        return new Mutation(line, field, what, String.join("\n", out));
    }
}
