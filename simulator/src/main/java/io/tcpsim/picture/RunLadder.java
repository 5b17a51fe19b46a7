package io.tcpsim.picture;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Cause;
import io.tcpsim.backend.Inspectable;
import io.tcpsim.backend.Inspectable.EndpointSnapshot;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Bits;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.run.TextOutput;
import io.tcpsim.script.CallTemplate;
import io.tcpsim.script.Script;
import io.tcpsim.script.Step;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpdumpPrinter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ladder of one run. A lifeline is a local TCP address (a listener and the connections it accepted share one:
 * the server), a pipe or socketpair end, or a process that has neither. Calls go to the lifeline of the first
 * descriptor they make or use; a client's address comes from the SYN its connect sent.
 *
 * <p>A lifeline is solid while a descriptor holds one of its sockets, dashed while only orphans (or a timewait
 * minisock) remain, and ends when nothing is left.
 */
public final class RunLadder {
    private RunLadder() {}

    /** Calls and gaps shorter than this are not worth a label. */
    static final long SHOWN_NANOS = 1_000_000L;

    /** A step as the runner reported it, and the endpoints after it (empty when the backend cannot show them). */
    public record StepState(Runner.StepDone done, List<EndpointSnapshot> endpoints) {
        public StepState { endpoints = List.copyOf(endpoints); }
    }

    /** Collects the steps of a run as it goes: pass it to {@link Runner#run(Script, Backend, java.util.function.Consumer)}. */
    public static final class Recorder implements java.util.function.Consumer<Runner.StepDone> {
        private final Backend backend;
        private final List<StepState> steps = new ArrayList<>();
        private long snapshots;

        public Recorder(Backend backend) {
            this.backend = backend;
        }

        /**
         * Records nothing for a backend that cannot show its endpoints (the kernel): the picture then goes by
         * descriptors. Past {@link TooLarge#MAX_SNAPSHOTS} endpoint states in all, nothing more is kept: the picture
         * is refused ({@link #steps}), and the run's memory stays bounded.
         */
        @Override
        public void accept(Runner.StepDone done) {
            if (!(backend instanceof Inspectable i) || snapshots > TooLarge.MAX_SNAPSHOTS) return;
            List<EndpointSnapshot> now = i.endpoints();
            snapshots += now.size();
            if (snapshots <= TooLarge.MAX_SNAPSHOTS) steps.add(new StepState(done, now));
            else steps.clear();
        }

        /** The steps recorded; {@link TooLarge} past the bound on endpoint states. */
        public List<StepState> steps() {
            if (snapshots > TooLarge.MAX_SNAPSHOTS)
                throw new TooLarge("more than " + TooLarge.MAX_SNAPSHOTS + " endpoint states to show, summed over the steps");
            return List.copyOf(steps);
        }
    }

    /** {@code command} is the line that repeats the run ("tcpsim run FILE --seed 1"). */
    public static Ladder of(RunLog log, List<StepState> steps, String command) {
        return new Builder(log, steps, command).build();
    }

    /** String literals longer than {@link #STRING_SHOWN} characters are cut: the hover detail has them whole. */
    static String shortStrings(String text) {
        return SHORT.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement("\"" + m.group(1) + "\u2026\""));
    }

    static final int STRING_SHOWN = 16;
    static final java.util.regex.Pattern SHORT =
            java.util.regex.Pattern.compile("\"((?:[^\"\\\\]|\\\\.){" + STRING_SHOWN + "})(?:[^\"\\\\]|\\\\.)+\"(?:\\.\\.\\.)?");

    /** A descriptor the script made, from its making to its closing. */
    private static final class Fd {
        final String name, process;
        final CallTemplate madeBy;
        String addr;
        Lane lane;
        boolean listener; // the kernel reports no LISTEN state: the call says it
        boolean open = true;

        Fd(String name, String process, CallTemplate madeBy) {
            this.name = name;
            this.process = process;
            this.madeBy = madeBy;
        }
    }

    private enum LaneKind { TCP, PIPE, UNIX, PROCESS }

    private static final class Lane {
        final String key;
        final LaneKind kind;
        final Set<String> processes = new LinkedHashSet<>();
        final Set<String> fds = new LinkedHashSet<>();
        boolean listens, connects;
        Lane target; // the lane a client's SYN went to
        int column = -1;
        // Drawing state while the marks are made.
        int held;
        final Map<String, Integer> live = new HashMap<>();
        final Map<String, TcpState> shown = new HashMap<>();
        Boolean many;
        Ladder.Line line;

        Lane(String key, LaneKind kind) {
            this.key = key;
            this.kind = kind;
        }

        int liveCount() {
            int n = 0;
            for (int v : live.values()) n += v;
            return n;
        }
    }

    private static final class Builder {
        final RunLog log;
        final Script script;
        final List<StepState> steps;
        final String command;
        final Map<LogLine, Integer> stepOf = new IdentityHashMap<>();
        final Map<LogLine, List<Fd>> fdsOf = new IdentityHashMap<>();
        final Map<String, Lane> lanes = new LinkedHashMap<>();
        final Map<String, Lane> home = new HashMap<>();
        final List<Fd> allFds = new ArrayList<>();
        final List<Ladder.Mark> marks = new ArrayList<>();
        final Map<String, Lane> lastLane = new HashMap<>();

        Builder(RunLog log, List<StepState> steps, String command) {
            this.log = log;
            this.script = log.script();
            this.steps = steps;
            this.command = command;
            for (int i = 0; i < steps.size(); i++) for (LogLine l : steps.get(i).done().lines()) stepOf.put(l, i);
        }

        Ladder build() {
            findDescriptors();
            homesNeeded();
            List<Lane> order = order();
            List<Ladder.Column> columns = new ArrayList<>();
            for (Lane lane : order) {
                lane.column = columns.size();
                columns.add(new Ladder.Column(title(lane), subtitle(lane), null));
            }
            if (columns.isEmpty()) columns.add(new Ladder.Column("process " + Script.MAIN, "no calls", null));
            TooLarge.check(columns.size(), log.lines().size());
            makeMarks();
            TooLarge.check(columns.size(), marks.size());
            List<Ladder.StepDetail> details = new ArrayList<>();
            int total = script.steps().size();
            for (StepState s : steps) {
                Step step = s.done().step();
                List<String> lines = new ArrayList<>();
                for (EndpointSnapshot e : s.endpoints()) lines.addAll(TextOutput.endpoint(e));
                if (lines.isEmpty()) lines.add("  (no TCP endpoint)");
                details.add(new Ladder.StepDetail("after step " + (s.done().index() + 1) + "/" + total + " ("
                        + script.file() + ":" + step.line() + "): " + step.source().text(), lines));
            }
            List<String> subtitle = new ArrayList<>();
            if (script.description() != null && !script.description().isBlank())
                subtitle.add(script.description().strip().replaceAll("\\s+", " "));
            subtitle.add(command + " \u00b7 " + log.backend());
            return new Ladder(script.name(), subtitle, columns, marks, end(), details);
        }

        long end() {
            long end = 0;
            for (LogLine l : log.lines()) {
                end = Math.max(end, l.time());
                if (l instanceof LogLine.SleepLine s) end = Math.max(end, s.time() + s.step().nanos());
                if (l instanceof LogLine.CallLine c) end = Math.max(end, c.endTime());
            }
            return end;
        }

        // ------------------------------------------------------------ who is where

        /** First pass: every descriptor the script made, and the local address of the TCP ones. */
        void findDescriptors() {
            Map<String, Fd> current = new HashMap<>();
            List<Fd> connecting = new ArrayList<>();
            List<String> connectingTo = new ArrayList<>();
            for (LogLine l : log.lines()) {
                if (l instanceof LogLine.CallLine c) {
                    Step.CallStep step = c.step();
                    List<Fd> used = new ArrayList<>();
                    for (String n : step.call().uses()) if (current.containsKey(n)) used.add(current.get(n));
                    List<Fd> made = new ArrayList<>();
                    if (!c.result().failed() && !c.result().blockedForever()) {
                        for (String n : step.binds()) {
                            Fd fd = new Fd(n, step.process(), step.call());
                            if (step.call() instanceof CallTemplate.Accept && !used.isEmpty()) fd.addr = used.get(0).addr;
                            current.put(n, fd);
                            allFds.add(fd);
                            made.add(fd);
                        }
                        if (step.call() instanceof CallTemplate.Bind b && !used.isEmpty()) used.get(0).addr = b.addr().toString();
                        if (step.call() instanceof CallTemplate.Listen && !used.isEmpty()) used.get(0).listener = true;
                    }
                    if (step.call() instanceof CallTemplate.Connect k && !used.isEmpty() && used.get(0).addr == null) {
                        connecting.add(used.get(0));
                        connectingTo.add(k.addr().toString());
                    }
                    List<Fd> all = new ArrayList<>(made);
                    all.addAll(used);
                    fdsOf.put(l, all);
                } else if (l instanceof LogLine.NotReachedLine r && r.step() instanceof Step.CallStep cs) {
                    List<Fd> used = new ArrayList<>();
                    for (String n : cs.call().uses()) if (current.containsKey(n)) used.add(current.get(n));
                    fdsOf.put(l, used);
                } else if (l instanceof LogLine.PacketLine p) {
                    Segment s = p.packet().segment();
                    if (s.has(TcpFlags.SYN) && !s.has(TcpFlags.ACK)) {
                        String dst = s.dst().toString(), src = s.src().toString();
                        for (int i = 0; i < connecting.size(); i++) {
                            if (connectingTo.get(i).equals(dst)) {
                                connecting.remove(i).addr = src;
                                connectingTo.remove(i);
                                break;
                            }
                        }
                        Lane from = tcpLane(src), to = tcpLane(dst);
                        from.connects = true;
                        if (from.target == null) from.target = to;
                    }
                    tcpLane(s.src().toString());
                    tcpLane(s.dst().toString());
                } else if (l instanceof LogLine.StateLine st) {
                    Lane lane = tcpLane(local(st.endpoint()));
                    if (st.to() == TcpState.LISTEN) lane.listens = true;
                }
            }
            // Each descriptor to its lifeline; then every process to its first one (for epoll, signal, exit...).
            for (Fd fd : allFds) {
                if (fd.madeBy instanceof CallTemplate.Pipe) fd.lane = lane("pipe:" + fd.name + "#" + allFds.indexOf(fd), LaneKind.PIPE);
                else if (fd.madeBy instanceof CallTemplate.SocketPair) fd.lane = lane("unix:" + fd.name + "#" + allFds.indexOf(fd), LaneKind.UNIX);
                else if (fd.addr != null) fd.lane = tcpLane(fd.addr);
                if (fd.lane != null) {
                    fd.lane.listens |= fd.listener;
                    fd.lane.processes.add(fd.process);
                    fd.lane.fds.add(fd.name);
                    home.putIfAbsent(fd.process, fd.lane);
                }
            }
            for (Fd fd : allFds) {
                if (fd.lane != null) continue;
                fd.lane = homeOf(fd.process);
            }
        }

        /**
         * The lane of a process whose first line touches no descriptor's lane (a script that is only
         * {@code close(5) = -1 EBADF}, issue 19 item 13): made before the columns are numbered, as laneOf will
         * ask for it when the marks are made.
         */
        void homesNeeded() {
            Set<String> seen = new HashSet<>();
            for (LogLine l : log.lines()) {
                String process = l instanceof LogLine.CallLine c ? c.step().process()
                        : l instanceof LogLine.NotReachedLine r ? r.step().process()
                        : l instanceof LogLine.SignalLine g ? g.process()
                        : l instanceof LogLine.ProcessEndLine e ? e.process() : null;
                if (process == null || !seen.add(process)) continue;
                boolean onFd = false;
                for (Fd fd : fdsOf.getOrDefault(l, List.of())) onFd |= fd.lane != null && fd.lane.kind != LaneKind.PROCESS;
                if (!onFd) homeOf(process);
            }
        }

        Lane homeOf(String process) {
            Lane h = home.get(process);
            if (h == null) {
                h = lane("process:" + process, LaneKind.PROCESS);
                h.processes.add(process);
                home.put(process, h);
            }
            return h;
        }

        Lane tcpLane(String addr) {
            return lane(addr, LaneKind.TCP);
        }

        Lane lane(String key, LaneKind kind) {
            return lanes.computeIfAbsent(key, k -> new Lane(k, kind));
        }

        static String local(String endpoint) {
            int i = endpoint.indexOf(" > ");
            return i < 0 ? endpoint : endpoint.substring(0, i);
        }

        static String remote(String endpoint) {
            int i = endpoint.indexOf(" > ");
            return i < 0 ? null : endpoint.substring(i + 3);
        }

        /**
         * Left to right in order of appearance, each connection's client left of its server; a server with more
         * clients has the first on its left and the others on its right, so no arrow crosses a third lifeline.
         */
        List<Lane> order() {
            List<Lane> out = new ArrayList<>();
            Set<Lane> placed = new LinkedHashSet<>();
            for (Lane lane : lanes.values()) {
                if (lane.kind == LaneKind.TCP && lane.processes.isEmpty() && lane.target == null && !isTarget(lane)
                        && lane.live.isEmpty() && !hasPackets(lane)) continue;
                Lane group = lane.target != null ? lane.target : lane;
                if (placed.contains(group) && placed.contains(lane)) continue;
                List<Lane> clients = new ArrayList<>();
                for (Lane c : lanes.values()) if (c.target == group && !placed.contains(c)) clients.add(c);
                if (!clients.isEmpty()) add(out, placed, clients.get(0));
                add(out, placed, group);
                for (int i = 1; i < clients.size(); i++) add(out, placed, clients.get(i));
                add(out, placed, lane);
            }
            return out;
        }

        boolean isTarget(Lane lane) {
            for (Lane c : lanes.values()) if (c.target == lane) return true;
            return false;
        }

        boolean hasPackets(Lane lane) {
            for (LogLine l : log.lines())
                if (l instanceof LogLine.PacketLine p && (p.packet().segment().src().toString().equals(lane.key)
                        || p.packet().segment().dst().toString().equals(lane.key))) return true;
            return false;
        }

        static void add(List<Lane> out, Set<Lane> placed, Lane lane) {
            if (placed.add(lane)) out.add(lane);
        }

        static String title(Lane lane) {
            return switch (lane.kind) {
                case TCP -> (lane.listens ? "server " : lane.connects ? "client " : "") + lane.key;
                case PIPE -> "pipe end " + String.join(", ", lane.fds);
                case UNIX -> "socketpair end " + String.join(", ", lane.fds);
                case PROCESS -> "process " + String.join(", ", lane.processes);
            };
        }

        static String subtitle(Lane lane) {
            if (lane.kind == LaneKind.PROCESS) return "no socket of its own";
            String who = lane.processes.isEmpty() ? "no descriptor"
                    : (lane.processes.size() == 1 ? "process " : "processes ") + String.join(", ", lane.processes);
            if (lane.fds.isEmpty()) return who;
            return who + " \u00b7 " + (lane.fds.size() == 1 ? "fd " : "fds ") + String.join(", ", lane.fds);
        }

        // ------------------------------------------------------------ marks

        void makeMarks() {
            TcpdumpPrinter printer = new TcpdumpPrinter();
            PacketLabels labels = new PacketLabels();
            long delay = script.profile().loopbackDelayNanos();
            int lastStep = -1;
            for (LogLine l : log.lines()) {
                int step = stepOf.getOrDefault(l, -1);
                if (step != lastStep || steps.isEmpty() && l.time() > until) settle(lastStep);
                lastStep = step;
                until = Math.max(until, l.time());
                switch (l.kind()) {
                    case PACKET -> {
                        LogLine.PacketLine p = (LogLine.PacketLine) l;
                        Segment s = p.packet().segment();
                        // An RST's arrow names the kernel's reason for it (tcp_send_reset's sk_rst_reason).
                        String reason = TextOutput.rstReason(p);
                        marks.add(new Ladder.Arrow(l.time(), l.time() + delay, column(s.src().toString()),
                                column(s.dst().toString()), labels.label(s) + reason.replaceFirst("^, ", " \u00b7 "),
                                PacketLabels.tone(s), printer.print(p.packet()) + reason, step));
                    }
                    case DROP -> {
                        // A segment the receiver threw away, marked where it arrived, with kfree_skb's reason.
                        LogLine.DropLine d = (LogLine.DropLine) l;
                        Segment s = d.segment();
                        marks.add(new Ladder.Note(l.time(), column(s.dst().toString()), "\u2715 dropped ["
                                + TcpFlags.tcpdump(s.flags()) + "]: " + d.reason().name(), Ladder.Tone.WARN,
                                TextOutput.drop(d), step));
                    }
                    case CALL -> call((LogLine.CallLine) l, step);
                    case SIGNAL -> {
                        LogLine.SignalLine s = (LogLine.SignalLine) l;
                        String name = s.signo() == Bits.SIGPIPE ? "SIGPIPE" : "signal " + s.signo();
                        Ladder.Tone tone = s.how().equals("fatal") ? Ladder.Tone.ERROR : Ladder.Tone.WARN;
                        marks.add(new Ladder.Signal(l.time(), laneOfProcess(s.process()).column, name + " (" + s.how() + ")",
                                tone, "[" + s.process() + "] --- " + name + " (" + s.how() + ") ---", step));
                    }
                    case PROCESS_END -> end((LogLine.ProcessEndLine) l, step);
                    case STATE -> state((LogLine.StateLine) l, step);
                    case SLEEP -> {
                        Step.Sleep s = ((LogLine.SleepLine) l).step();
                        marks.add(new Ladder.Span(l.time(), "sleep " + s.duration() + " (every process)", List.of(),
                                "-- sleep " + s.duration() + " (" + script.file() + ":" + s.line() + ")", step));
                    }
                    case NETSTAT -> {
                        LogLine.NetstatLine n = (LogLine.NetstatLine) l;
                        List<String> rows = new ArrayList<>();
                        String title = "netstat " + (n.step().all() ? "-tan" : "-tn") + (n.host() == null ? "" : " on " + n.host());
                        List<String> full = new ArrayList<>(List.of(title, NetstatRow.HEADER));
                        for (NetstatRow r : n.rows()) {
                            rows.add(r.local() + " > " + (r.listening() ? "*" : r.foreign().toString()) + "  " + r.state()
                                    + (r.recvQ() > 0 ? "  Recv-Q " + r.recvQ() : "") + (r.sendQ() > 0 ? "  Send-Q " + r.sendQ() : ""));
                            full.add(r.format());
                        }
                        if (rows.isEmpty()) rows.add("(no sockets listed)");
                        marks.add(new Ladder.Span(l.time(), title, rows,
                                String.join("\n", full), step));
                    }
                    case LOST -> {
                        // A packet the link lost: marked at its sender, which sent it (the receiver never saw it).
                        LogLine.LostLine x = (LogLine.LostLine) l;
                        Segment s = x.segment();
                        marks.add(new Ladder.Note(l.time(), column(s.src().toString()), "\u2715 lost on the link ["
                                + TcpFlags.tcpdump(s.flags()) + "]", Ladder.Tone.WARN, TextOutput.lost(x), step));
                    }
                    case LINK -> {
                        Step.Link k = ((LogLine.LinkLine) l).step();
                        marks.add(new Ladder.Span(l.time(), k.command().text(), List.of(),
                                "-- " + k.command().text() + " (" + script.file() + ":" + k.line() + ")", step));
                    }
                    case NOT_REACHED -> {
                        LogLine.NotReachedLine r = (LogLine.NotReachedLine) l;
                        Lane lane = laneOf(l, r.step().process());
                        String text = stepText(r.step()) + " \u2014 not reached (" + r.why() + ")";
                        marks.add(new Ladder.Note(l.time(), lane.column, text, r.failed() ? Ladder.Tone.FAILED : Ladder.Tone.MUTED,
                                "[" + r.step().process() + "] " + text, step));
                    }
                }
            }
            settle(lastStep);
        }

        int column(String addr) {
            return tcpLane(addr).column;
        }

        void call(LogLine.CallLine c, int step) {
            Step.CallStep s = c.step();
            Lane lane = laneOf(c, s.process());
            lastLane.put(s.process(), lane);
            String result = c.resultText();
            if (c.result().failed()) result = result.replaceFirst(" \\(.*\\)$", "");
            if (c.result().blockedForever()) result = "blocks forever";
            String text = shortStrings(s.text() + " = " + result);
            long took = c.endTime() - c.time();
            if (took >= SHOWN_NANOS && !c.result().blockedForever()) text += "  (blocked " + Durations.text(took) + ")";
            Ladder.Tone tone = c.failed() ? Ladder.Tone.FAILED
                    : c.result().blockedForever() ? Ladder.Tone.WARN
                    : c.result().failed() ? Ladder.Tone.ERROR : Ladder.Tone.OK;
            String detail = "[" + s.process() + "] " + s.text() + " = " + c.resultText();
            if (c.failed()) {
                text += "  \u2717 expected " + s.expected().text();
                detail += "\n    ^ expected: " + s.expected().text() + " (" + script.file() + ":" + s.line() + ")";
            }
            marks.add(new Ladder.Note(c.time(), lane.column, text, tone, detail, step));
            // Descriptors made, and the one a close ends.
            List<Fd> fds = fdsOf.getOrDefault(c, List.of());
            int made = c.result().failed() || c.result().blockedForever() ? 0 : s.binds().size();
            for (int i = 0; i < made && i < fds.size(); i++) hold(fds.get(i), c.time());
            // close() takes the descriptor away first (close_fd), then closes the socket.
            if (s.call() instanceof CallTemplate.Close && !c.result().failed() && fds.size() > 0) release(fds.get(0), c.time());
        }

        Lane laneOf(LogLine l, String process) {
            for (Fd fd : fdsOf.getOrDefault(l, List.of())) if (fd.lane != null && fd.lane.kind != LaneKind.PROCESS) return fd.lane;
            return laneOfProcess(process);
        }

        Lane laneOfProcess(String process) {
            Lane last = lastLane.get(process);
            return last != null ? last : homeOf(process);
        }

        void end(LogLine.ProcessEndLine e, int step) {
            boolean killed = e.how().startsWith("killed");
            String text = "process " + e.process() + " " + e.how();
            Set<Lane> where = new LinkedHashSet<>();
            where.add(laneOfProcess(e.process()));
            for (Fd fd : allFds) if (fd.open && fd.process.equals(e.process()) && fd.lane.column >= 0) where.add(fd.lane);
            for (Lane lane : where) {
                if (lane.column < 0) continue;
                marks.add(new Ladder.Signal(e.time(), lane.column, text, killed ? Ladder.Tone.ERROR : Ladder.Tone.MUTED,
                        "[" + e.process() + "] +++ " + e.how() + " +++", step));
            }
            for (Fd fd : allFds) if (fd.open && fd.process.equals(e.process()) && held(fd)) release(fd, e.time());
        }

        /** The states an endpoint goes through, one label per change; the handover to a timewait minisock is no change. */
        void state(LogLine.StateLine st, int step) {
            Lane lane = tcpLane(local(st.endpoint()));
            if (lane.column < 0) return;
            String ep = st.endpoint();
            boolean birth = st.from() == null || st.from() == TcpState.CLOSE;
            if (birth) lane.live.merge(ep, 1, Integer::sum);
            if (st.to() == TcpState.CLOSE) {
                int left = lane.live.merge(ep, -1, Integer::sum);
                if (left > 0) return; // a minisock took over: same endpoint, same state
                lane.live.remove(ep);
            }
            if (st.to() == lane.shown.get(ep)) return;
            lane.shown.put(ep, st.to());
            String qualifier = null;
            String peer = remote(ep);
            if (peer != null && manyConnections(lane)) qualifier = "peer :" + peer.substring(peer.lastIndexOf(':') + 1);
            // The listener shares the server's lifeline; after LISTEN its states would read as the connection's.
            if (peer == null && lane.listens && st.to() != TcpState.LISTEN && hasConnections(lane)) qualifier = "listener";
            // What an RST left behind for the next call (tcp_reset's sk_err), the reason for the errors that follow.
            if (st.cause() == Cause.RESET_RECEIVED) {
                String pending = "sk_err=" + st.detail();
                qualifier = qualifier == null ? pending : qualifier + ", " + pending;
            }
            marks.add(new Ladder.State(st.time(), lane.column, st.to().netstatName(), qualifier,
                    ep + ": " + st.fromName() + " \u2192 " + st.to().netstatName() + " (" + st.why() + ")", step));
            restyle(lane, st.time());
        }

        boolean hasConnections(Lane lane) {
            for (LogLine l : log.lines())
                if (l instanceof LogLine.StateLine s && remote(s.endpoint()) != null && local(s.endpoint()).equals(lane.key))
                    return true;
            return false;
        }

        /** Whether the lane hosts several connections over the whole run (decided up front, so labels agree). */
        boolean manyConnections(Lane lane) {
            if (lane.many != null) return lane.many;
            Set<String> eps = new LinkedHashSet<>();
            for (LogLine l : log.lines())
                if (l instanceof LogLine.StateLine s && remote(s.endpoint()) != null && local(s.endpoint()).equals(lane.key))
                    eps.add(s.endpoint());
            lane.many = eps.size() > 1;
            return lane.many;
        }

        boolean held(Fd fd) {
            return fd.lane != null && fd.lane.kind != LaneKind.PROCESS;
        }

        void hold(Fd fd, long time) {
            fd.open = true;
            if (!held(fd)) return;
            fd.lane.held++;
            restyle(fd.lane, time);
        }

        void release(Fd fd, long time) {
            if (!fd.open) return;
            fd.open = false;
            if (!held(fd)) return;
            fd.lane.held--;
            restyle(fd.lane, time);
        }

        /**
         * Where in {@link #marks} something happened that may change a lane's line (a descriptor made or closed, a
         * state), and when; {@link #until} is the latest time seen since the lines were last settled.
         */
        final Map<Lane, long[]> dirty = new LinkedHashMap<>();
        long until;

        void restyle(Lane lane, long time) {
            if (lane.column < 0) return;
            dirty.putIfAbsent(lane, new long[] {marks.size(), time});
        }

        /**
         * Decides every lane's line once a step is over (without snapshots: also when time moves on), so that a
         * close with SO_LINGER 0, which releases the descriptor and resets the socket in one step, ends the line
         * instead of showing an orphan for no time. An orphan is drawn from where its descriptor went; an end after
         * everything of the step (the last RST leaves first).
         */
        void settle(int finished) {
            List<EndpointSnapshot> snapshot = finished >= 0 && finished < steps.size() ? steps.get(finished).endpoints() : null;
            List<Ladder.Lifeline> ends = new ArrayList<>();
            List<long[]> at = new ArrayList<>(); // index, position in changes
            List<Ladder.Lifeline> changes = new ArrayList<>();
            for (Lane lane : lanes.values()) {
                if (lane.column < 0) continue;
                Ladder.Line line = snapshot != null && lane.kind == LaneKind.TCP ? fromSnapshot(lane, snapshot)
                        : lane.held > 0 ? Ladder.Line.HELD : lane.liveCount() > 0 ? Ladder.Line.ORPHAN : Ladder.Line.ENDED;
                long[] where = dirty.get(lane);
                Ladder.Lifeline change = change(lane, line, where == null ? until : where[1]);
                if (change == null) continue;
                if (change.line() == Ladder.Line.ENDED || where == null) {
                    ends.add(new Ladder.Lifeline(until, change.column(), change.line(), change.text()));
                } else {
                    at.add(new long[] {where[0], changes.size()});
                    changes.add(change);
                }
            }
            dirty.clear();
            at.sort((a, b) -> Long.compare(b[0], a[0]));
            for (long[] a : at) marks.add((int) a[0], changes.get((int) a[1]));
            marks.addAll(ends);
        }

        /**
         * From the endpoints after the step: a lane that has connections is held while a descriptor or the accept
         * queue holds one of them, and orphaned when only orphans are left (the listener beside them does not
         * count: it is the connection the arrows are about); without connections, the listener or bound socket
         * decides; with nothing on the address, the descriptors that are still open do (a socket never bound).
         */
        Ladder.Line fromSnapshot(Lane lane, List<EndpointSnapshot> snapshot) {
            boolean conns = false, connHeld = false, any = false, anyHeld = false;
            for (EndpointSnapshot e : snapshot) {
                if (!e.local().equals(lane.key)) continue;
                boolean owned = !e.owner().equals("orphan") && !e.owner().equals("timewait minisock");
                any = true;
                anyHeld |= owned;
                if (!e.remote().equals("*") && !e.remote().endsWith(":0")) {
                    conns = true;
                    connHeld |= owned;
                }
            }
            if (conns) return connHeld ? Ladder.Line.HELD : Ladder.Line.ORPHAN;
            if (any) return anyHeld ? Ladder.Line.HELD : Ladder.Line.ORPHAN;
            return lane.held > 0 ? Ladder.Line.HELD : Ladder.Line.ENDED;
        }

        Ladder.Lifeline change(Lane lane, Ladder.Line line, long time) {
            if (line == lane.line) return null;
            if (lane.line == null && line != Ladder.Line.HELD) {
                // A lifeline seen first through the wire (a peer that no descriptor holds yet).
                lane.line = line;
                if (line == Ladder.Line.ENDED) return null;
            }
            lane.line = line;
            String text = line == Ladder.Line.ORPHAN && lane.kind == LaneKind.TCP ? "no descriptor left: orphan" : null;
            return new Ladder.Lifeline(time, lane.column, line, text);
        }

        static String stepText(Step step) {
            return switch (step.kind()) {
                case CALL -> ((Step.CallStep) step).text();
                case SLEEP -> "sleep " + ((Step.Sleep) step).duration();
                case NETSTAT -> ((Step.Netstat) step).all() ? "netstat -a" : "netstat";
                case EXIT -> "exit";
                case LINK -> ((Step.Link) step).command().text();
            };
        }
    }
}
