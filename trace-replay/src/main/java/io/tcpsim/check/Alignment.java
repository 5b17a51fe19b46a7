package io.tcpsim.check;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.compare.Difference;
import io.tcpsim.compare.Divergence;
import io.tcpsim.compare.PacketFields;
import io.tcpsim.compare.Rule;
import io.tcpsim.compare.SequenceSpace;
import io.tcpsim.compare.Tolerance;
import io.tcpsim.run.Clock;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.TextOutput;
import io.tcpsim.script.Step;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpdumpPrinter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The model's log and the kernel's, line against line: steps by the script step they ran, packets in order (with the
 * {@link Rule equivalence rules} applied here, check's only place for them), signals and process ends in order.
 * Packets are compared as {@link PacketFields} with seq and ack in each run's {@link SequenceSpace}; every difference
 * becomes a {@link Divergence} (expected: the model's line, actual: the kernel's); {@link #rows()} is the
 * side-by-side view.
 */
final class Alignment {
    /** One row of the side-by-side view: a model line, a kernel line, or both; {@code note} names a rule used. */
    record Row(LogLine model, LogLine kernel, String note) {}

    /** A divergence with the lines it concerns (either may be null), so that the report can mark their row. */
    record Found(Divergence divergence, LogLine model, LogLine kernel) {}

    private final RunLog m, k;
    private final Tolerance tolerance;
    private final Side ms, ks;
    private final Map<LogLine, LogLine> partner = new IdentityHashMap<>();
    private final Map<LogLine, String> notes = new IdentityHashMap<>();
    private final List<Found> found = new ArrayList<>();
    private final Map<String, Integer> rulesUsed = new java.util.TreeMap<>();
    private final List<Row> rows = new ArrayList<>();
    /** Connections on which {@link Rule#ACK_CARRIED_BY_NEXT_PACKET} paired the runs. */
    private final java.util.Set<String> ackRaced = new java.util.HashSet<>();

    /** One log with what check derives from it. */
    static final class Side {
        final RunLog log;
        final List<LogLine> lines = new ArrayList<>();
        final List<LogLine> packets = new ArrayList<>();
        final List<LogLine> events = new ArrayList<>();
        final Map<Step, LogLine> steps = new HashMap<>();
        /** Each netstat step's tables: one on loopback, one per host on two hosts. */
        final Map<Step, List<LogLine.NetstatLine>> tables = new HashMap<>();
        /** Drops in log order, and the packet line each one threw away (null: no captured packet matches). */
        final List<LogLine.DropLine> drops = new ArrayList<>();
        final Map<LogLine, LogLine> dropped = new IdentityHashMap<>();
        final Map<LogLine, PacketFields> views = new IdentityHashMap<>();
        /** Each line as tcpsim run prints it: packets as tcpdump -nn (one printer per log, in order). */
        final Map<LogLine, String> printed = new IdentityHashMap<>();
        /** The step line (call, sleep, netstat) each packet follows in log order. */
        final Map<LogLine, LogLine> anchor = new IdentityHashMap<>();
        final Roles roles;

        Side(RunLog log) {
            this.log = log;
            this.roles = new Roles(log.script(), log);
            SequenceSpace isns = new SequenceSpace();
            TextOutput text = new TextOutput(log.script());
            TcpdumpPrinter printer = new TcpdumpPrinter();
            LogLine last = null;
            for (LogLine l : log.lines()) {
                switch (l.kind()) {
                    // Transitions are the model's alone: the kernel backend does not see them.
                    case STATE -> { continue; }
                    case DROP -> {
                        LogLine.DropLine d = (LogLine.DropLine) l;
                        drops.add(d);
                        LogLine p = droppedPacket(d);
                        if (p != null) dropped.put(d, p);
                    }
                    case PACKET -> {
                        Segment s = ((LogLine.PacketLine) l).packet().segment();
                        isns.see(s);
                        views.put(l, PacketFields.of(s, roles.addr(s.src()), roles.addr(s.dst()), isns));
                        packets.add(l);
                        anchor.put(l, last);
                    }
                    case LOST -> {
                        // The link lost the packet just before it (its sender's capture has it, the other host's not).
                        LogLine p = lostPacket((LogLine.LostLine) l);
                        if (p != null) lost.put(p, (LogLine.LostLine) l);
                    }
                    // A call left running returns when another step wakes it, at a moment each backend times on
                    // its own: packets are timed from the steps that ran, not from its return.
                    case CALL -> {
                        steps.put(((LogLine.CallLine) l).step(), l);
                        if (!((LogLine.CallLine) l).resumed()) last = l;
                    }
                    case NOT_REACHED -> steps.put(((LogLine.NotReachedLine) l).step(), l);
                    case SLEEP -> { steps.put(((LogLine.SleepLine) l).step(), l); last = l; }
                    case NETSTAT -> {
                        // A script with hosts: prints one table per host for one netstat step, in host order.
                        Step st = ((LogLine.NetstatLine) l).step();
                        steps.putIfAbsent(st, l);
                        tables.computeIfAbsent(st, k -> new ArrayList<>()).add((LogLine.NetstatLine) l);
                        last = l;
                    }
                    case SIGNAL, PROCESS_END -> events.add(l);
                }
                lines.add(l);
                // A netstat's rows are in the side-by-side view; its first line stands for it.
                printed.put(l, l instanceof LogLine.PacketLine p ? printer.print(p.packet()) + TextOutput.rstReason(p)
                        : text.format(l).get(0));
            }
        }

        /** The packet each {@code [lost]} line says the link lost. */
        final Map<LogLine, LogLine.LostLine> lost = new IdentityHashMap<>();

        /** The last packet before the lost line with its segment's addresses, numbers and flags. */
        private LogLine lostPacket(LogLine.LostLine l) {
            Segment x = l.segment();
            for (int n = packets.size() - 1; n >= 0; n--) {
                Segment s = ((LogLine.PacketLine) packets.get(n)).packet().segment();
                if (s.src().equals(x.src()) && s.dst().equals(x.dst()) && s.seq() == x.seq() && s.ack() == x.ack()
                        && s.flags() == x.flags()) return packets.get(n);
            }
            return null;
        }

        /** The last packet before the drop with the dropped segment's addresses, numbers and flags. */
        private LogLine droppedPacket(LogLine.DropLine d) {
            Segment x = d.segment();
            for (int n = packets.size() - 1; n >= 0; n--) {
                Segment s = ((LogLine.PacketLine) packets.get(n)).packet().segment();
                if (s.src().equals(x.src()) && s.dst().equals(x.dst()) && s.seq() == x.seq() && s.ack() == x.ack()
                        && s.flags() == x.flags()) return packets.get(n);
            }
            return null;
        }

        long sinceAnchor(LogLine packet) {
            LogLine a = anchor.get(packet);
            return packet.time() - (a == null ? 0 : a.time());
        }
    }

    Alignment(RunLog model, RunLog kernel, Tolerance tolerance) {
        this.m = model;
        this.k = kernel;
        this.tolerance = tolerance;
        this.ms = new Side(model);
        this.ks = new Side(kernel);
        alignSteps();
        alignPackets();
        judgePendingDurations();
        alignLosses();
        alignReasons();
        alignEvents();
        buildRows();
        sortDivergences();
    }

    List<Row> rows() { return rows; }

    List<Found> found() { return found; }

    /** Rule id to the number of times it was used. */
    Map<String, Integer> rulesUsed() { return rulesUsed; }

    Side model() { return ms; }

    Side kernel() { return ks; }

    // ---- steps: calls, not reached, sleeps, netstat tables ----

    private void alignSteps() {
        for (Step step : m.script().steps()) {
            LogLine a = ms.steps.get(step), b = ks.steps.get(step);
            if (a == null || b == null) {
                if (a != null || b != null) diverge(a == null ? Divergence.Kind.UNEXPECTED : Divergence.Kind.MISSING,
                        "line " + step.line(), (a == null ? "the model" : "the kernel") + " did not run this step", a, b);
                continue;
            }
            pair(a, b);
            String what = "call at line " + step.line() + " (" + stepText(step) + ")";
            if (a.kind() != b.kind()) {
                differs(Divergence.Kind.DIFFERENT, what, new Difference("result", shortText(a), shortText(b)), a, b);
            } else if (a instanceof LogLine.CallLine x && b instanceof LogLine.CallLine y) {
                compareCalls(what, x, y);
            } else if (a instanceof LogLine.NotReachedLine x && b instanceof LogLine.NotReachedLine y) {
                if (!x.why().equals(y.why()))
                    differs(Divergence.Kind.DIFFERENT, what, new Difference("not reached", x.why(), y.why()), a, b);
            } else if (a instanceof LogLine.NetstatLine && b instanceof LogLine.NetstatLine) {
                List<LogLine.NetstatLine> ta = ms.tables.get(step), tb = ks.tables.get(step);
                for (int n = 1; n < Math.min(ta.size(), tb.size()); n++) pair(ta.get(n), tb.get(n));
                for (int n = 0; n < Math.min(ta.size(), tb.size()); n++) {
                    compareNetstat("netstat at line " + step.line() + tableName(ta.get(n), n, ta.size()), ta.get(n), tb.get(n));
                }
                if (ta.size() != tb.size()) differs(Divergence.Kind.DIFFERENT, "netstat at line " + step.line(),
                        new Difference("tables", Integer.toString(ta.size()), Integer.toString(tb.size())), a, b);
            }
        }
    }

    private void compareCalls(String what, LogLine.CallLine x, LogLine.CallLine y) {
        var a = x.result();
        var b = y.result();
        String field = null, mv = null, kv = null;
        if (a.blockedForever() != b.blockedForever()) {
            field = "blocked";
            mv = a.blockedForever() ? "blocks" : "returns";
            kv = b.blockedForever() ? "blocks" : "returns";
        } else if (a.errno() != b.errno()) {
            field = "errno";
            mv = a.errno() == null ? "none (" + x.resultText() + ")" : a.errno().name();
            kv = b.errno() == null ? "none (" + y.resultText() + ")" : b.errno().name();
        } else if (a.value() != b.value()) {
            field = "value";
            mv = Long.toString(a.value());
            kv = Long.toString(b.value());
        } else if (a.addr() != null && b.addr() != null) {
            // getsockname, getpeername: an ephemeral port by its role (E1), as packets and netstat rows are.
            String ma = ms.roles.addr(a.addr()) + (a.addr().ip() == io.tcpsim.wire.SockAddr.LOOPBACK ? " on 127.0.0.1" : "");
            String ka = ks.roles.addr(b.addr()) + (b.addr().ip() == io.tcpsim.wire.SockAddr.LOOPBACK ? " on 127.0.0.1" : "");
            if (!ma.equals(ka)) {
                field = "address";
                mv = ma;
                kv = ka;
            }
        } else if (!x.resultText().equals(y.resultText())) {
            field = "result";
            mv = x.resultText();
            kv = y.resultText();
        } else if (a.sigpipe() != b.sigpipe()) {
            field = "SIGPIPE";
            mv = a.sigpipe() ? "raised" : "not raised";
            kv = b.sigpipe() ? "raised" : "not raised";
        } else if (!a.blockedForever()) {
            long dm = x.endTime() - x.time(), dk = y.endTime() - y.time();
            boolean blocks = dm >= Tolerance.BLOCKS || dk >= Tolerance.HOST_NOISE;
            if (blocks && !tolerance.agrees(dm, dk - dm) && !startedLate(x, y) && !heldLate(dm, dk, y)) {
                field = "duration";
                mv = Clock.millis(dm);
                kv = Clock.millis(dk) + " (allowed ±" + Clock.millis(tolerance.allowed(dm)) + ")";
            }
        }
        if (field != null && field.equals("duration") && m.script().topology() != null) {
            // Decided once the packets are paired: the packet that ended the wait may explain it (wokenByPacket).
            pendingDurations.add(new PendingDuration(what, new Difference(field, mv, kv), x, y));
            return;
        }
        if (field != null) differs(field.equals("duration") ? Divergence.Kind.TIMING : Divergence.Kind.DIFFERENT, what,
                new Difference(field, mv, kv), x, y);
    }

    /** Two hosts: blocked calls whose duration differs, to be judged against the packet that ended their wait. */
    private record PendingDuration(String what, Difference difference, LogLine.CallLine model, LogLine.CallLine kernel) {}

    private final List<PendingDuration> pendingDurations = new ArrayList<>();

    /**
     * {@link Rule#TIMED_FROM_LINK_PACKET}: on two hosts a blocked call ends when a packet across the link (or its
     * answer) comes, so its end is timed from the last packet both runs have before the model's call returned,
     * within the tolerance and {@link Rule#LINK_HELD_LATE}'s jiffy; else its duration is the divergence it was.
     */
    private void judgePendingDurations() {
        long jiffy = m.script().profile().jiffyNanos();
        for (PendingDuration f : pendingDurations) {
            LogLine.CallLine x = f.model(), y = f.kernel();
            LogLine pm = null;
            for (LogLine l : ms.packets) {
                if (l.time() > x.endTime()) break;
                if (l.time() >= x.time() - 1 && partner.containsKey(l)) pm = l; // sent while the call waited
            }
            LogLine pk = pm == null ? null : partner.get(pm);
            if (pk != null) {
                long endM = x.endTime() - pm.time(), endK = y.endTime() - pk.time();
                long diff = endK - endM;
                if (Math.abs(diff) <= Rule.TIMED_FROM_LINK_PACKET.window(tolerance.allowed(endM), jiffy)) {
                    use(Rule.TIMED_FROM_LINK_PACKET, y, "kernel returned " + Clock.millis(endK) + " after packet "
                            + (ms.packets.indexOf(pm) + 1) + ", model " + Clock.millis(endM));
                    continue;
                }
            }
            differs(Divergence.Kind.TIMING, f.what(), f.difference(), x, y);
        }
    }

    /**
     * {@link Rule#BLOCKED_CALL_STARTED_LATE}: the kernel's call started later after the step before it than the
     * model's, waited less, and ended within the tolerance of the model's end, both measured from that step.
     */
    private boolean startedLate(LogLine.CallLine x, LogLine.CallLine y) {
        LogLine pm = previousEvent(x), pk = pm == null ? null : partner.get(pm);
        if (pk == null || m.script().topology() == null) return false; // two hosts only, where it was found
        long startM = x.time() - pm.time(), startK = y.time() - pk.time();
        long endM = x.endTime() - pm.time(), endK = y.endTime() - pk.time();
        long dk = y.endTime() - y.time();
        if (startK <= startM || dk >= x.endTime() - x.time()) return false;
        // Its end within the tolerance of the model's; or it did not wait at all because it started only after the
        // model's call had returned (what the model waited for had already come).
        boolean ended = tolerance.agrees(endM, endK - endM);
        boolean after = dk < Tolerance.BLOCKS && startK >= endM - tolerance.allowed(endM);
        if (!ended && !after) return false;
        use(Rule.BLOCKED_CALL_STARTED_LATE, y, "kernel started " + Clock.millis(startK - startM) + " later");
        return true;
    }

    /**
     * {@link Rule#LINK_HELD_LATE} for a blocked call on two hosts: it returned up to one jiffy beyond the tolerance
     * later, as a packet across the link may (what it waited for came through the forwarder).
     */
    private boolean heldLate(long dm, long dk, LogLine y) {
        if (m.script().topology() == null || dk <= dm) return false;
        if (dk - dm > Rule.LINK_HELD_LATE.window(tolerance.allowed(dm), m.script().profile().jiffyNanos())) return false;
        use(Rule.LINK_HELD_LATE, y, "kernel returned " + Clock.millis(dk - dm) + " later");
        return true;
    }

    private void compareNetstat(String what, LogLine.NetstatLine x, LogLine.NetstatLine y) {
        List<String> a = netstatRows(ms, x), b = netstatRows(ks, y);
        List<String> onlyA = new ArrayList<>(a), onlyB = new ArrayList<>(b);
        for (String r : a) if (onlyB.remove(r)) onlyA.remove(r);
        if (onlyA.isEmpty() && onlyB.isEmpty()) return;
        // Rows of the same connection (local and foreign) that differ: name the column.
        for (String r : onlyA) {
            String key = key(r);
            for (String s : onlyB) {
                if (!key(s).equals(key)) continue;
                String[] p = r.trim().split("\\s+"), q = s.trim().split("\\s+");
                String[] names = {"Recv-Q", "Send-Q", "local", "foreign", "State"};
                for (int i = 0; i < Math.max(p.length, q.length); i++) {
                    String pi = i < p.length ? p[i] : "(none)", qi = i < q.length ? q[i] : "(none)";
                    if (!pi.equals(qi)) {
                        String name = i < names.length ? names[i] : "tcp_info";
                        differs(Divergence.Kind.DIFFERENT, what + " row " + key, new Difference(name, pi, qi), x, y);
                        return;
                    }
                }
            }
        }
        if (!onlyA.isEmpty()) {
            diverge(Divergence.Kind.MISSING, what, "the model lists " + onlyA.get(0).trim().replaceAll("\\s+", " ")
                    + ", the kernel does not", x, y);
        } else {
            diverge(Divergence.Kind.UNEXPECTED, what, "the kernel lists " + onlyB.get(0).trim().replaceAll("\\s+", " ")
                    + ", the model does not", x, y);
        }
    }

    /** {@code ""} for a step's only table; which host's otherwise. */
    private static String tableName(LogLine.NetstatLine t, int index, int count) {
        return count == 1 ? "" : " (table " + (index + 1) + " of " + count + ")";
    }

    private static String key(String row) {
        String[] p = row.trim().split("\\s+");
        return p[2] + " > " + p[3];
    }

    /** The table's rows with ports by role, sorted: /proc/net/tcp lists in hash order, which means nothing. */
    static List<String> netstatRows(Side side, LogLine.NetstatLine n) {
        List<String> out = new ArrayList<>();
        for (NetstatRow r : n.rows()) {
            out.add(String.format(java.util.Locale.ROOT, "%6d %6d %-8s %-8s %s", r.recvQ(), r.sendQ(), side.roles.addr(r.local()),
                    side.roles.addr(r.foreign()), r.state())
                    + (r.info() == null ? "" : " " + io.tcpsim.calls.TcpInfo.ssLine(r.info()).trim()));
        }
        out.sort(null);
        return out;
    }

    // ---- packets ----

    /**
     * On loopback every packet is captured once, on one lo, and the runs' orders are compared as they are. On two
     * hosts (a script with {@code hosts:}) each packet is in the log as its sender's capture saw it, and the order
     * of two packets sent by different hosts at nearly the same moment is a race of the two hosts, not a fact either
     * end saw: the packets are paired sender by sender (host A's in order, then host B's), and each is still timed
     * from the previous event of the whole log. Found on the kernel against itself: transfer-1mb-50ms-one-loss's
     * packet 134 was the client's data in one run and the server's ACK in the next.
     */
    private void alignPackets() {
        if (m.script().topology() == null) {
            alignPackets(new ArrayList<>(ms.packets), new ArrayList<>(ks.packets), false);
            return;
        }
        for (int ip : m.script().topology().hosts().values()) {
            alignPackets(new ArrayList<>(ms.packets.stream().filter(l -> sender(l) == ip).toList()),
                    new ArrayList<>(ks.packets.stream().filter(l -> sender(l) == ip).toList()), true);
        }
    }

    private static int sender(LogLine packet) {
        return ((LogLine.PacketLine) packet).packet().segment().src().ip();
    }

    /** "packet N": the index in the list being aligned on loopback (as always), in the whole model log on two hosts. */
    private String label(List<LogLine> a, int i, boolean byHost) {
        if (!byHost) return "packet " + (i + 1);
        if (i < a.size()) return "packet " + (ms.packets.indexOf(a.get(i)) + 1);
        return "packet " + (ms.packets.size() + 1);
    }

    private void alignPackets(List<LogLine> a, List<LogLine> b, boolean byHost) {
        int i = 0, j = 0;
        while (i < a.size() || j < b.size()) {
            LogLine x = i < a.size() ? a.get(i) : null, y = j < b.size() ? b.get(j) : null;
            PacketFields vx = x == null ? null : ms.views.get(x), vy = y == null ? null : ks.views.get(y);
            int later;
            if (x != null && y != null && vx.firstDifference(vy) == null) {
                pair(x, y);
                compareTime(label(a, i, byHost), x, y);
                i++;
                j++;
            } else if (x != null && carriedByNext(ms, a, i)) {
                use(Rule.ACK_CARRIED_BY_NEXT_PACKET, x, "model only");
                i++;
            } else if (y != null && carriedByNext(ks, b, j)) {
                use(Rule.ACK_CARRIED_BY_NEXT_PACKET, y, "kernel only");
                j++;
            } else if (y != null && cancelledTimerAck(a, i, b, j)) {
                use(Rule.TIMER_ACK_CANCELLED, y, "kernel only");
                j++;
            } else if (y != null && (later = timerPacketMatching(a, i, ms, vy, x)) >= 0) {
                // The kernel's tick came earlier: a model timer packet further on left first there.
                LogLine xk = a.remove(later);
                pair(xk, y);
                compareTime(label(a, later, byHost), xk, y);
                use(Rule.TIMER_PACKET_REORDERED, y, "kernel sent it " + (later - i) + " packet(s) earlier");
                j++;
            } else if (x != null && (later = kernelPacketMatching(b, j, vx, x)) >= 0) {
                // The kernel's tick came later: this model timer packet left after the next one(s) there.
                LogLine yk = b.remove(later);
                pair(x, yk);
                compareTime(label(a, i, byHost), x, yk);
                use(Rule.TIMER_PACKET_REORDERED, yk, "kernel sent it " + (later - j) + " packet(s) later");
                i++;
            } else if (x != null && y != null) {
                pair(x, y);
                differs(Divergence.Kind.DIFFERENT, label(a, i, byHost), vx.firstDifference(vy), x, y);
                i++;
                j++;
            } else if (x != null) {
                diverge(Divergence.Kind.MISSING, label(a, i, byHost), "the model sends " + vx.text()
                        + (byHost ? ", the kernel's host sends nothing more" : ", the kernel sends nothing more"), x, null);
                i++;
            } else {
                diverge(Divergence.Kind.UNEXPECTED, label(a, a.size(), byHost), "the kernel sends " + vy.text()
                        + (byHost ? ", the model's host sends nothing more" : ", the model sends nothing more"), null, y);
                j++;
            }
        }
    }

    /**
     * {@link Rule#TIMER_PACKET_REORDERED}, kernel earlier: the index of a model packet after {@code i} that left from
     * a timer (on a model tick), matches the kernel packet {@code vy}, and is due within one jiffy plus the tolerance
     * of the model packet at {@code i}; or -1.
     */
    private int timerPacketMatching(List<LogLine> a, int i, Side side, PacketFields vy, LogLine x) {
        if (x == null) return -1;
        long jiffy = m.script().profile().jiffyNanos();
        for (int k = i + 1; k < a.size() && k <= i + Rule.REORDER_REACH; k++) {
            LogLine xk = a.get(k);
            if (xk.time() % jiffy != 0) continue;
            if (xk.time() - x.time() > Rule.TIMER_PACKET_REORDERED.window(tolerance.allowed(0), jiffy)) break;
            if (side.views.get(xk).firstDifference(vy) == null) return k;
        }
        return -1;
    }

    /**
     * {@link Rule#TIMER_PACKET_REORDERED}, kernel later: if the model packet {@code x} left from a timer, the index of
     * a kernel packet after {@code j} that matches it and left within one jiffy plus the tolerance of the kernel
     * packet at {@code j}; or -1.
     */
    private int kernelPacketMatching(List<LogLine> b, int j, PacketFields vx, LogLine x) {
        long jiffy = m.script().profile().jiffyNanos();
        if (x.time() % jiffy != 0 || j >= b.size()) return -1;
        LogLine y = b.get(j);
        for (int k = j + 1; k < b.size() && k <= j + Rule.REORDER_REACH; k++) {
            LogLine yk = b.get(k);
            if (yk.time() - y.time() > Rule.TIMER_PACKET_REORDERED.window(tolerance.allowed(0), jiffy)) break;
            if (vx.firstDifference(ks.views.get(yk)) == null) return k;
        }
        return -1;
    }

    /**
     * {@link Rule#ACK_CARRIED_BY_NEXT_PACKET}: packet {@code at} is a pure ACK and the next packet from the same
     * endpoint to the same peer carries the same ack number within the tolerance.
     */
    private boolean carriedByNext(Side side, List<LogLine> packets, int at) {
        PacketFields v = side.views.get(packets.get(at));
        if (!v.pureAck()) return false;
        long jiffy = m.script().profile().jiffyNanos();
        for (int n = at + 1; n < packets.size(); n++) {
            PacketFields w = side.views.get(packets.get(n));
            if (!w.from().equals(v.from()) || !w.to().equals(v.to())) continue;
            if (w.ack() != v.ack()) return false;
            long gap = packets.get(n).time() - packets.get(at).time();
            // The lone ACK is a delayed or next-tick ACK racing the application's next packet: the kernel's tick
            // phase moves it by up to one jiffy (found by the kernel fuzzer: a 5 ms gap on a loaded host) ...
            Rule rule = Rule.ACK_CARRIED_BY_NEXT_PACKET;
            if (gap <= rule.window(tolerance.allowed(side.sinceAnchor(packets.get(at))), jiffy)) return true;
            // ... or it is plainly a next-tick ACK, within a jiffy of the segment it acknowledges, and the
            // application's packet that would have carried it came later only because the host was slow.
            return nextTickAck(packets, at, side, v, jiffy, rule);
        }
        return false;
    }

    /**
     * {@link Rule#TIMER_ACK_CANCELLED}: the kernel packet at {@code j} is a lone pure ACK that left within a jiffy of
     * the segment it acknowledges (a next-tick ACK), and the model's endpoint sends nothing more to that peer from
     * model packet {@code i} on: on the model the connection ended (an RST, a close) before its tick, which cancels
     * the timer (tcp_done -> tcp_clear_xmit_timers).
     */
    private boolean cancelledTimerAck(List<LogLine> a, int i, List<LogLine> b, int j) {
        PacketFields vy = ks.views.get(b.get(j));
        if (!vy.pureAck()) return false;
        if (!nextTickAck(b, j, ks, vy, m.script().profile().jiffyNanos(), Rule.TIMER_ACK_CANCELLED)) return false;
        for (int n = i; n < a.size(); n++) {
            PacketFields w = ms.views.get(a.get(n));
            if (w.from().equals(vy.from()) && w.to().equals(vy.to())) return false;
        }
        return true;
    }

    /**
     * The pure ACK at {@code at} left within {@code rule}'s jiffy (plus the floor tolerance) of the peer's packet
     * before it.
     */
    private boolean nextTickAck(List<LogLine> packets, int at, Side side, PacketFields v, long jiffy, Rule rule) {
        // The peer's packets are in the whole log (on two hosts the list being aligned holds one sender's only).
        LogLine ack = packets.get(at);
        List<LogLine> all = m.script().topology() == null ? packets : side.packets;
        for (int n = all.indexOf(ack) - 1; n >= 0; n--) {
            PacketFields p = side.views.get(all.get(n));
            if (!p.from().equals(v.to()) || !p.to().equals(v.from())) continue;
            return ack.time() - all.get(n).time() <= rule.window(tolerance.allowed(0), jiffy);
        }
        return false;
    }

    private void use(Rule rule, LogLine line, String side) {
        rulesUsed.merge(rule.id(), 1, Integer::sum);
        notes.put(line, rule.note(side));
        if (rule == Rule.ACK_CARRIED_BY_NEXT_PACKET) {
            PacketFields v = (side.startsWith("model") ? ms : ks).views.get(line);
            if (v != null) ackRaced.add(connection(v));
        }
    }

    /** The connection a packet is on, by roles, the same whichever way it goes. */
    private static String connection(PacketFields v) {
        String a = v.from(), b = v.to();
        return a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
    }

    /**
     * The kernel packet's time against the model's, both measured from the previous event: the last line before the
     * packet in the model's log (a call's start, a sleep, a netstat, a packet) that has a partner in the kernel's log.
     * A call the host stretched (scheduling, JIT: the kernel call took longer than the model's) widens the window
     * by that much, since what the call sends may leave at any point while it runs.
     */
    private void compareTime(String label, LogLine x, LogLine y) {
        long jiffy = m.script().profile().jiffyNanos();
        if (x.time() % jiffy == 0 && compareTimerPacket(x, y, jiffy)) return;
        LogLine am = previousEvent(x);
        LogLine ak = am == null ? null : partner.get(am);
        long since = x.time() - (am == null ? 0 : am.time());
        long diff = y.time() - ((ak == null ? 0 : ak.time()) + since);
        if (diff > 0 && am instanceof LogLine.CallLine cm && ak instanceof LogLine.CallLine ck) {
            long stretched = (ck.endTime() - ck.time()) - (cm.endTime() - cm.time());
            diff = Math.max(0, diff - Math.max(0, stretched));
        }
        if (tolerance.agrees(since, diff)) return;
        boolean fromTimer = x.time() % jiffy == 0;
        if (fromTimer && diff > 0 && diff <= Rule.TIMER_TICK_LATE.window(tolerance.allowed(since), jiffy)) {
            use(Rule.TIMER_TICK_LATE, y, "kernel " + Clock.millis(diff) + " late");
            return;
        }
        if (fromTimer && diff < 0 && -diff <= Rule.TIMER_TICK_PHASE.window(tolerance.allowed(since), jiffy)) {
            use(Rule.TIMER_TICK_PHASE, y, "kernel " + Clock.millis(-diff) + " early");
            return;
        }
        if (m.script().topology() != null && diff > 0 && am != null && am.kind() == LogLine.Kind.PACKET
                && sender(am) != sender(x) && diff <= Rule.LINK_HELD_LATE.window(tolerance.allowed(since), jiffy)) {
            use(Rule.LINK_HELD_LATE, y, "kernel " + Clock.millis(diff) + " late");
            return;
        }
        if (m.script().topology() != null && am != null && am.kind() != LogLine.Kind.PACKET && fromLinkPacket(x, y, jiffy)) {
            return;
        }
        differs(Divergence.Kind.TIMING, label, new Difference("time",
                Clock.millis(since) + " after " + describe(am),
                Clock.millis(y.time() - (ak == null ? 0 : ak.time())) + " (allowed ±"
                        + Clock.millis(tolerance.allowed(since)) + ")"), x, y);
    }

    /**
     * A packet the model sends from a timer (on one of its jiffy ticks) is timed from the packet before it, which on
     * loopback is what armed the timer (the data or FIN whose ACK it is): calls in between, which the host may
     * stretch, do not move a kernel timer. Within the tolerance it agrees; up to one jiffy more either way it agrees
     * under {@link Rule#TIMER_TICK_LATE} or {@link Rule#TIMER_TICK_PHASE}. Returns false when there is no such
     * packet pair, or when the timer packet is outside even that window (the caller then reports it as usual).
     */
    private boolean compareTimerPacket(LogLine x, LogLine y, long jiffy) {
        LogLine pm = null;
        int at = ms.lines.indexOf(x);
        for (int n = at - 1; n >= 0 && pm == null; n--) {
            LogLine l = ms.lines.get(n);
            if (l.kind() == LogLine.Kind.PACKET && partner.containsKey(l)) pm = l;
        }
        if (pm == null) return false;
        LogLine pk = partner.get(pm);
        long since = x.time() - pm.time();
        long diff = (y.time() - pk.time()) - since;
        if (y.time() < pk.time()) return false; // a timer never fires before what armed it
        if (tolerance.agrees(since, diff)) return true;
        if (diff > 0 && diff <= Rule.TIMER_TICK_LATE.window(tolerance.allowed(since), jiffy)) {
            use(Rule.TIMER_TICK_LATE, y, "kernel " + Clock.millis(diff) + " late");
            return true;
        }
        if (diff < 0 && -diff <= Rule.TIMER_TICK_PHASE.window(tolerance.allowed(since), jiffy)) {
            use(Rule.TIMER_TICK_PHASE, y, "kernel " + Clock.millis(-diff) + " early");
            return true;
        }
        // Two hosts only: loopback has no retransmission timers beyond the SYN's, whose 1 s is exact.
        if (m.script().topology() != null && diff > 0
                && diff <= tolerance.allowed(since) + Rule.wheelGranularity(since / jiffy) * jiffy) {
            use(Rule.TIMER_WHEEL_LEVEL, y, "kernel " + Clock.millis(diff) + " late");
            return true;
        }
        return false;
    }

    /**
     * {@link Rule#TIMED_FROM_LINK_PACKET} for a packet: timed from the other host's last paired packet before it (what
     * it answers) instead of from the step before it, within the tolerance and one jiffy.
     */
    private boolean fromLinkPacket(LogLine x, LogLine y, long jiffy) {
        LogLine pm = null;
        for (int n = ms.packets.indexOf(x) - 1; n >= 0 && pm == null; n--) {
            LogLine l = ms.packets.get(n);
            if (sender(l) != sender(x) && partner.containsKey(l)) pm = l;
        }
        if (pm == null) return false;
        LogLine pk = partner.get(pm);
        long since = x.time() - pm.time(), diff = (y.time() - pk.time()) - since;
        if (y.time() < pk.time() || Math.abs(diff) > Rule.TIMED_FROM_LINK_PACKET.window(tolerance.allowed(since), jiffy)) {
            return false;
        }
        use(Rule.TIMED_FROM_LINK_PACKET, y, "kernel " + Clock.millis(y.time() - pk.time()) + " after packet "
                + (ms.packets.indexOf(pm) + 1) + ", model " + Clock.millis(since));
        return true;
    }

    private LogLine previousEvent(LogLine x) {
        int at = ms.lines.indexOf(x);
        for (int n = at - 1; n >= 0; n--) {
            LogLine l = ms.lines.get(n);
            boolean event = switch (l.kind()) {
                case CALL, SLEEP, NETSTAT, PACKET -> true;
                default -> false;
            };
            if (event && partner.containsKey(l)) return l;
        }
        return null;
    }

    private String describe(LogLine l) {
        if (l == null) return "the start";
        if (l.kind() == LogLine.Kind.PACKET) return "packet " + (ms.packets.indexOf(l) + 1);
        return "line " + step(l).line();
    }

    // ---- losses on the link (two hosts) ----

    /**
     * Each paired packet is lost on the link on both sides or on neither: the link's controls are exact ("the next N
     * that match"), so a packet one side lost and the other delivered is a divergence. A lost line of a packet that
     * did not pair is left to the packet's own divergence.
     */
    private void alignLosses() {
        for (int n = 0; n < ms.packets.size(); n++) {
            LogLine x = ms.packets.get(n), y = partner.get(x);
            if (y == null) continue;
            LogLine.LostLine a = ms.lost.get(x), b = ks.lost.get(y);
            if (a != null && b != null) pair(a, b);
            else if (a != null) diverge(Divergence.Kind.MISSING, "packet " + (n + 1), "the model's link loses it, the "
                    + "kernel's delivers it", a, null);
            else if (b != null) diverge(Divergence.Kind.UNEXPECTED, "packet " + (n + 1), "the kernel's link loses it, "
                    + "the model's delivers it", null, b);
        }
    }

    // ---- reasons: each RST's sk_rst_reason, each drop's skb_drop_reason ----

    /**
     * RST by RST and drop by drop: a pair of RSTs must carry the same reason, and each packet the same drops (by
     * reason, in order) on both sides. A drop or a reason one side lacks is a divergence like a missing packet. Drops
     * of packets that did not pair are left to the packet's own divergence.
     */
    private void alignReasons() {
        for (int n = 0; n < ms.packets.size(); n++) {
            LogLine x = ms.packets.get(n), y = partner.get(x);
            if (!(x instanceof LogLine.PacketLine px) || !(y instanceof LogLine.PacketLine py)) continue;
            if (!px.packet().segment().has(io.tcpsim.wire.TcpFlags.RST)) continue;
            if (px.rstReason() != py.rstReason()) {
                if (minisockRace(px.rstReason(), py.rstReason(), x)) {
                    use(Rule.REASON_AFTER_ACK_RACE, y, "model " + name(px.rstReason()));
                    continue;
                }
                differs(Divergence.Kind.DIFFERENT, "packet " + (n + 1), new Difference("reason",
                        name(px.rstReason()), name(py.rstReason())), x, y);
            }
        }
        Map<LogLine, List<LogLine.DropLine>> byPacket = new IdentityHashMap<>();
        for (Side side : List.of(ms, ks)) {
            for (LogLine.DropLine d : side.drops) {
                LogLine p = side.dropped.get(d);
                if (p == null) {
                    if (side == ks) diverge(Divergence.Kind.UNEXPECTED, "drop", "the kernel drops "
                            + side.printed.get(d) + ", a segment it was not seen to send", null, d);
                    continue;
                }
                byPacket.computeIfAbsent(p, k -> new ArrayList<>()).add(d);
            }
        }
        for (int n = 0; n < ms.packets.size(); n++) {
            LogLine x = ms.packets.get(n), y = partner.get(x);
            if (y == null) continue;
            List<LogLine.DropLine> md = byPacket.getOrDefault(x, List.of()), kd = byPacket.getOrDefault(y, List.of());
            String at = "drop of packet " + (n + 1);
            for (int i = 0; i < Math.max(md.size(), kd.size()); i++) {
                LogLine.DropLine a = i < md.size() ? md.get(i) : null, b = i < kd.size() ? kd.get(i) : null;
                if (a != null && b != null) {
                    pair(a, b);
                    if (a.reason() == b.reason()) continue;
                    if (minisockDrops(a.reason(), b.reason()) && ackRaced.contains(connection(ms.views.get(x)))) {
                        use(Rule.REASON_AFTER_ACK_RACE, b, "model " + a.reason().name());
                    } else {
                        differs(Divergence.Kind.DIFFERENT, at, new Difference("reason", a.reason().name(),
                                b.reason().name()), a, b);
                    }
                } else if (afterAckRace(a != null ? a : b, a != null ? x : y, a != null ? ms : ks)) {
                    use(Rule.REASON_AFTER_ACK_RACE, a != null ? a : b, (a != null ? "model" : "kernel") + " only");
                } else if (a != null) {
                    diverge(Divergence.Kind.MISSING, at, "the model drops it (" + a.reason().name()
                            + "), the kernel does not", a, null);
                } else {
                    diverge(Divergence.Kind.UNEXPECTED, at, "the kernel drops it (" + b.reason().name()
                            + "), the model does not", null, b);
                }
            }
        }
    }

    /** {@link Rule#REASON_AFTER_ACK_RACE} for two RSTs: a minisock's TCP_TW_RST against a full socket's abort. */
    private boolean minisockRace(io.tcpsim.backend.RstReason a, io.tcpsim.backend.RstReason b, LogLine modelPacket) {
        var tw = io.tcpsim.backend.RstReason.TCP_TIMEWAIT_SOCKET;
        var data = io.tcpsim.backend.RstReason.TCP_ABORT_ON_DATA;
        return (a == tw && b == data || a == data && b == tw) && ackRaced.contains(connection(ms.views.get(modelPacket)));
    }

    /** {@link Rule#REASON_AFTER_ACK_RACE} for two drops: a minisock's NOT_SPECIFIED against an abort on data. */
    private static boolean minisockDrops(io.tcpsim.backend.DropReason a, io.tcpsim.backend.DropReason b) {
        var tw = io.tcpsim.backend.DropReason.NOT_SPECIFIED;
        var data = io.tcpsim.backend.DropReason.TCP_ABORT_ON_DATA;
        return a == tw && b == data || a == data && b == tw;
    }

    /**
     * {@link Rule#REASON_AFTER_ACK_RACE}: a drop with NOT_SPECIFIED (what a timewait minisock frees every segment with)
     * that only one side has, on a connection where {@link Rule#ACK_CARRIED_BY_NEXT_PACKET} paired the runs.
     */
    private boolean afterAckRace(LogLine.DropLine d, LogLine packet, Side side) {
        return d.reason() == io.tcpsim.backend.DropReason.NOT_SPECIFIED
                && ackRaced.contains(connection(side.views.get(packet)));
    }

    private static String name(io.tcpsim.backend.RstReason r) {
        return r == null ? "unknown" : r.name();
    }

    // ---- signals and process ends ----

    private void alignEvents() {
        List<LogLine> a = ms.events, b = ks.events;
        for (int n = 0; n < Math.max(a.size(), b.size()); n++) {
            LogLine x = n < a.size() ? a.get(n) : null, y = n < b.size() ? b.get(n) : null;
            if (x != null && y != null) {
                pair(x, y);
                if (!eventText(x).equals(eventText(y))) differs(Divergence.Kind.DIFFERENT, "event " + (n + 1),
                        new Difference("text", eventText(x), eventText(y)), x, y);
            } else {
                diverge(x != null ? Divergence.Kind.MISSING : Divergence.Kind.UNEXPECTED, "event " + (n + 1),
                        "only the " + (x != null ? "model" : "kernel") + " has " + eventText(x != null ? x : y), x, y);
            }
        }
    }

    static String eventText(LogLine l) {
        if (l instanceof LogLine.SignalLine s)
            return "[" + s.process() + "] --- " + (s.signo() == 13 ? "SIGPIPE" : "signal " + s.signo()) + " (" + s.how() + ") ---";
        LogLine.ProcessEndLine e = (LogLine.ProcessEndLine) l;
        return "[" + e.process() + "] +++ " + e.how() + " +++";
    }

    // ---- the side-by-side rows ----

    private void pair(LogLine a, LogLine b) {
        partner.put(a, b);
        partner.put(b, a);
    }

    /** Both logs in order; paired lines share a row, a line without a partner gets its own. */
    private void buildRows() {
        List<LogLine> a = ms.lines, b = ks.lines;
        Map<LogLine, Integer> ib = new IdentityHashMap<>();
        for (int n = 0; n < b.size(); n++) ib.put(b.get(n), n);
        Map<LogLine, Integer> ia = new IdentityHashMap<>();
        for (int n = 0; n < a.size(); n++) ia.put(a.get(n), n);
        int i = 0, j = 0;
        while (i < a.size() || j < b.size()) {
            LogLine x = i < a.size() ? a.get(i) : null, y = j < b.size() ? b.get(j) : null;
            LogLine px = x == null ? null : partner.get(x), py = y == null ? null : partner.get(y);
            if (x != null && px == null) {
                rows.add(new Row(x, null, notes.get(x)));
                i++;
            } else if (y != null && py == null) {
                rows.add(new Row(null, y, notes.get(y)));
                j++;
            } else if (x != null && px == y) {
                rows.add(new Row(x, y, null));
                i++;
                j++;
            } else if (x != null && (y == null || ib.get(px) < j || ia.get(py) > i)) {
                // The kernel line here pairs with a later model line (or x's partner was already shown): show x alone.
                rows.add(new Row(x, null, "out of order"));
                i++;
            } else {
                rows.add(new Row(null, y, "out of order"));
                j++;
            }
        }
    }

    private void differs(Divergence.Kind kind, String at, Difference d, LogLine model, LogLine kernel) {
        found.add(new Found(Divergence.field(kind, packetNumber(kernel), at, d, print(ms, model), print(ks, kernel)),
                model, kernel));
    }

    private void diverge(Divergence.Kind kind, String at, String detail, LogLine model, LogLine kernel) {
        found.add(new Found(new Divergence(kind, packetNumber(kernel), at, detail, print(ms, model), print(ks, kernel)),
                model, kernel));
    }

    /** The kernel packet's number in its run (1-based), 0 for a line that is not a packet. */
    private long packetNumber(LogLine kernel) {
        if (kernel == null || kernel.kind() != LogLine.Kind.PACKET) return 0;
        for (int n = 0; n < ks.packets.size(); n++) if (ks.packets.get(n) == kernel) return n + 1;
        return 0;
    }

    private static String print(Side side, LogLine l) {
        return l == null ? null : side.printed.get(l);
    }

    private void sortDivergences() {
        Map<LogLine, Integer> at = new IdentityHashMap<>();
        for (int n = 0; n < rows.size(); n++) {
            Row r = rows.get(n);
            if (r.model() != null) at.putIfAbsent(r.model(), n);
            if (r.kernel() != null) at.putIfAbsent(r.kernel(), n);
        }
        found.sort(java.util.Comparator.comparingInt(d -> Math.min(
                d.model() == null ? Integer.MAX_VALUE : at.getOrDefault(d.model(), Integer.MAX_VALUE),
                d.kernel() == null ? Integer.MAX_VALUE : at.getOrDefault(d.kernel(), Integer.MAX_VALUE))));
    }

    // ---- text ----

    static Step step(LogLine l) {
        if (l instanceof LogLine.CallLine c) return c.step();
        if (l instanceof LogLine.SleepLine s) return s.step();
        if (l instanceof LogLine.NetstatLine n) return n.step();
        if (l instanceof LogLine.NotReachedLine r) return r.step();
        return null;
    }

    static String stepText(Step s) {
        return switch (s.kind()) {
            case CALL -> ((Step.CallStep) s).text();
            case SLEEP -> "sleep " + ((Step.Sleep) s).duration();
            case NETSTAT -> ((Step.Netstat) s).all() ? "netstat -a" : "netstat";
            case EXIT -> "exit";
            case LINK -> ((Step.Link) s).command().text();
        };
    }

    private static String shortText(LogLine l) {
        if (l instanceof LogLine.CallLine c) return c.resultText();
        if (l instanceof LogLine.NotReachedLine r) return "not reached (" + r.why() + ")";
        return Objects.toString(l.kind());
    }
}
