package io.tcpsim.replay;

import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Result;
import io.tcpsim.compare.Divergence;
import io.tcpsim.compare.Rule;
import io.tcpsim.replay.Classifier.Mismatch;
import io.tcpsim.replay.Predictions.Predicted;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.TcpdumpPrinter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a flow's report says, as it happens: the inferred calls, the state timeline, the notes, the divergences
 * (the first {@link #MAX_DIVERGENCES}; the count is exact), the equivalence rules used, the annotation of the packet being replayed
 * ({@code --annotate}) and, when asked, the packet-by-packet {@link FlowTrace} for the picture. Times are capture
 * times. Bounded like the rest of a flow: at most {@link #MAX_CALLS} calls and {@link #MAX_TIMELINE} state changes.
 */
final class FlowRecorder {
    static final int MAX_DIVERGENCES = 20;
    static final int MAX_CALLS = 40;
    static final int MAX_TIMELINE = 40;

    private final boolean annotate;
    private final List<FlowReport.InferredCall> calls = new ArrayList<>();
    private long droppedCalls;
    private final List<FlowReport.StateChange> timeline = new ArrayList<>();
    private long droppedStates;
    private final List<String> notes = new ArrayList<>();
    private final List<Divergence> divergences = new ArrayList<>();
    private long divergenceCount;
    /** Per kept divergence that other packets repeat (same side, kind and detail): its index and how often. */
    private java.util.Map<String, int[]> repeated;
    private long repeats;
    private FlowReport.Judged judged = FlowReport.Judged.ALL;
    private final List<String> facts = new ArrayList<>(2);
    private static final Rule[] RULES = Rule.values();
    private int[] rulesUsed; // made on first use: most flows need no rule

    /** For the picture: every packet with what it caused; null unless asked for. */
    private final List<FlowTrace.Step> traced;
    private final List<FlowTrace.Event> tracedAfter; // these two stay empty unless the trace is asked for
    private final List<FlowTrace.Call> tracedCalls;
    private List<FlowTrace.Event> currentEvents;
    private long tracedDropped;
    private int tracedDivergences;
    private TcpdumpPrinter tcpdump;

    /** The packet being replayed; null between packets and after the last one. */
    private Captured current;
    private FlowModel model;
    private Predictions predictions;

    FlowRecorder(boolean annotate, boolean trace) {
        this.annotate = annotate;
        this.traced = trace ? new ArrayList<>() : null;
        this.tracedAfter = trace ? new ArrayList<>() : List.of();
        this.tracedCalls = trace ? new ArrayList<>() : List.of();
    }

    /** The model's clock and predictions, once the flow's first packet has set them up. */
    void attach(FlowModel model, Predictions predictions) {
        this.model = model;
        this.predictions = predictions;
    }

    /** The flow is reported: nothing more is recorded. */
    void detach() {
        this.model = null;
        this.predictions = null;
    }

    boolean annotating() {
        return annotate;
    }

    boolean tracing() {
        return traced != null;
    }

    // ------------------------------------------------------------------ the packet being replayed

    void begin(Captured c) {
        current = c;
        currentEvents = traced == null ? null : new ArrayList<>(2);
    }

    void end(Captured c, Role role) {
        if (traced != null) {
            if (traced.size() < FlowTrace.MAX_PACKETS) {
                if (tcpdump == null) tcpdump = new TcpdumpPrinter();
                traced.add(new FlowTrace.Step(c.index, c.shown, role.word, tcpdump.print(c.shown), currentEvents));
            } else {
                tracedDropped++;
            }
        }
        currentEvents = null;
        current = null;
    }

    /** A line under the packet being replayed in {@code --annotate}. */
    void annotate(String note) {
        if (annotate && current != null) current.note(note);
    }

    /** Where an event goes: the packet being replayed, else the events after the last packet. */
    void event(FlowTrace.Event e) {
        if (currentEvents != null) currentEvents.add(e);
        else tracedAfter.add(e);
    }

    void events(List<FlowTrace.Event> es) {
        if (es == null) return;
        for (FlowTrace.Event e : es) event(e);
    }

    /** A prediction the capture showed, or gave up on: what its arrival did belongs to the packet being replayed. */
    void arrived(Predicted p) {
        if (current != null && p.notes() != null) for (String n : p.notes()) current.note(n);
        events(p.events());
    }

    /** A packet accepted under an equivalence rule: counted, and named under the packet. */
    void rule(Rule rule, String how) {
        if (rulesUsed == null) rulesUsed = new int[RULES.length];
        rulesUsed[rule.ordinal()]++;
        annotate(rule.note(how));
    }

    // ------------------------------------------------------------------ the report's lines

    void note(String text) {
        notes.add(text);
    }

    /** What replay recognised about the flow (a side's system, the path, the profile): one line of the report. */
    void fact(String text) {
        facts.add(text);
    }

    /** Whether packets are still judged (nothing has stopped the judging). */
    boolean judging() {
        return judged.all();
    }

    /**
     * Nothing after packet {@code after} (0: nothing at all) is judged, because of {@code why}: what the model does
     * not know. The first reason stands; divergences found later are not recorded.
     */
    void notJudged(long after, String why) {
        if (!judged.all()) return;
        judged = new FlowReport.Judged(after, why);
        annotate("not judged from here: " + why);
    }

    /**
     * An inferred call; {@code observed}: it put packet {@code packet} on the wire. The same call with the same result
     * again is counted, not listed again.
     */
    void call(Role role, String call, Result r, long packet, boolean observed, String note) {
        String res = result(r);
        if (traced != null) {
            FlowTrace.Call tc = new FlowTrace.Call(model.captureNow(),
                    new FlowReport.InferredCall(role.word, call, res, packet, observed, note, 1));
            tracedCalls.add(tc);
            // A call without a packet of its own (accept) follows the state change that allowed it, which belongs
            // to the packet the model predicted last, if the capture has not shown it yet.
            Predicted last = predictions.last();
            if (!observed && last != null && last.events() != null && predictions.pending(last)) last.events().add(tc);
            else event(tc);
        }
        if (!calls.isEmpty()) {
            FlowReport.InferredCall prev = calls.get(calls.size() - 1);
            if (prev.side().equals(role.word) && prev.call().equals(call) && prev.result().equals(res)
                    && prev.observed() == observed && Objects.equals(prev.note(), note)) {
                calls.set(calls.size() - 1, new FlowReport.InferredCall(prev.side(), call, res, prev.packet(),
                        observed, note, prev.count() + 1));
                return;
            }
        }
        if (calls.size() >= MAX_CALLS) {
            droppedCalls++;
            return;
        }
        calls.add(new FlowReport.InferredCall(role.word, call, res, packet, observed, note, 1));
        if (current != null && packet == current.index) annotate(role.word + ": " + call + " = " + res);
    }

    /**
     * The model connects without blocking (so that replay, not the call, moves the clock); the result reported is
     * what a blocking connect() returns once the handshake ends.
     */
    void connectDone(TcpState to) {
        for (int i = 0; i < calls.size(); i++) {
            FlowReport.InferredCall ic = calls.get(i);
            if (!ic.side().equals(Role.CLIENT.word) || !ic.call().startsWith("connect(")) continue;
            String res = to == TcpState.ESTABLISHED ? "0" : "-1 ECONNREFUSED (Connection refused)";
            calls.set(i, new FlowReport.InferredCall(ic.side(), ic.call(), res, ic.packet(), true, null, 1));
            for (FlowTrace.Call tc : tracedCalls) {
                FlowReport.InferredCall t = tc.call();
                if (t.side().equals(Role.CLIENT.word) && t.call().startsWith("connect(")) {
                    tc.set(new FlowReport.InferredCall(t.side(), t.call(), res, t.packet(), true, null, 1));
                    break;
                }
            }
            return;
        }
    }

    /** Rewrites the FIN's call record once it is known which call it was. */
    void amendFin(Role role, String callText, Result r, String why) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            FlowReport.InferredCall ic = calls.get(i);
            if (ic.side().equals(role.word) && ic.call().equals("shutdown(SHUT_WR)")) {
                calls.set(i, new FlowReport.InferredCall(ic.side(), callText, r == null ? ic.result() : result(r),
                        ic.packet(), true, "FIN; " + why, 1));
                break;
            }
        }
        for (int i = tracedCalls.size() - 1; i >= 0; i--) {
            FlowReport.InferredCall ic = tracedCalls.get(i).call();
            if (ic.side().equals(role.word) && ic.call().equals("shutdown(SHUT_WR)")) {
                tracedCalls.get(i).set(new FlowReport.InferredCall(ic.side(), callText, r == null ? ic.result()
                        : result(r), ic.packet(), true, "FIN; " + why, 1));
                return;
            }
        }
    }

    /**
     * A state change of the model's endpoint at capture time {@code time}. It belongs to the packet whose arrival
     * caused it: the model's last packet, once the capture shows it.
     */
    void state(Role role, long time, TcpState from, TcpState to) {
        if (timeline.size() < MAX_TIMELINE) {
            timeline.add(new FlowReport.StateChange(time, role.word, FlowSide.name(from), to.netstatName()));
        } else {
            droppedStates++;
        }
        Predicted last = predictions.last();
        if (annotate) {
            String note = role.word + " " + FlowSide.name(from) + " -> " + to.netstatName();
            if (last != null && last.notes() != null && predictions.pending(last)) last.notes().add(note);
            else if (current != null) current.note(note);
        }
        if (traced != null) {
            FlowTrace.State st = new FlowTrace.State(time, role.word, from, to);
            if (last != null && last.events() != null && predictions.pending(last)) last.events().add(st);
            else event(st);
        }
    }

    /** Records a divergence; its text is built only when it is kept or shown (a long flow may have millions). */
    void diverge(Mismatch m, long packet, Packet captured, PacketLines lines) {
        if (!judged.all() && !(m instanceof Anomalies.Anomaly)) return; // an anomaly needs no model: always said
        if (m instanceof Classifier.DifferentFields) {
            // The same fields with the same values again from the same side: one difference that persists (a window
            // the kernel computes otherwise, say), not a new one at every packet.
            String key = m.role().word + " " + m.detail();
            int[] at = repeated == null ? null : repeated.get(key);
            if (at != null) {
                at[1]++;
                repeats++;
                annotate("! " + m.kind().word + " again: " + m.detail());
                return;
            }
            if (divergences.size() < MAX_DIVERGENCES) {
                if (repeated == null) repeated = new java.util.HashMap<>();
                repeated.put(key, new int[] {divergences.size(), 0});
            }
        }
        divergenceCount++;
        boolean keep = divergences.size() < MAX_DIVERGENCES;
        boolean trace = traced != null && tracedDivergences < FlowTrace.MAX_DIVERGENCES;
        if (!keep && !annotate && !trace) return;
        String d = m.detail();
        annotate("! " + m.kind().word + ": " + d);
        if (!keep && !trace) return;
        Divergence dv = Classifier.divergence(m, packet, d, captured == null ? null : lines.captured(captured, m.role()),
                m.expected() == null ? null : lines.predicted(m.expected()));
        if (keep) divergences.add(dv);
        if (trace) {
            tracedDivergences++;
            long at = current != null ? current.packet.timeNanos() : model.captureNow();
            event(new FlowTrace.Diverged(at, m.role().word, dv));
        }
    }

    // ------------------------------------------------------------------ the report

    FlowReport report(int number, FlowSide client, FlowSide server, long firstPacket, long lastPacket, long packets,
                      long startNanos, long endNanos, String ended, ZeekState zeek) {
        List<FlowReport.InferredCall> cs = new ArrayList<>(calls);
        if (droppedCalls > 0) {
            cs.add(new FlowReport.InferredCall("both", "...", "", 0, false, droppedCalls + " more calls not listed", 1));
        }
        List<String> ns = new ArrayList<>(notes);
        if (droppedStates > 0) ns.add(droppedStates + " more state changes not listed");
        Map<String, Integer> rules = Map.of();
        if (rulesUsed != null) {
            rules = new TreeMap<>();
            for (Rule r : RULES) if (rulesUsed[r.ordinal()] > 0) rules.put(r.id(), rulesUsed[r.ordinal()]);
        }
        List<Divergence> ds = new ArrayList<>(divergences);
        if (repeated != null) {
            repeated.forEach((key, at) -> {
                if (at[1] == 0) return;
                Divergence d = ds.get(at[0]);
                String who = key.substring(0, key.indexOf(' '));
                ds.set(at[0], new Divergence(d.kind(), d.packet(), d.at(), d.detail() + " (the same in " + at[1]
                        + " later packet" + (at[1] == 1 ? "" : "s") + " of the " + who + ")", d.expected(), d.actual()));
            });
        }
        return new FlowReport(number, client.addr.toString(), server.addr.toString(), firstPacket, lastPacket,
                packets, startNanos, endNanos, List.copyOf(timeline), cs, ended, zeek.connState(), zeek.history(),
                List.copyOf(ds), divergenceCount, ns, rules, false,
                traced == null ? null : new FlowTrace(traced, tracedAfter, tracedDropped), judged, List.copyOf(facts),
                repeats, zeek.log());
    }

    /** How the connection ended, as the model's two endpoints tell it. */
    static String ended(FlowSide c, FlowSide s, boolean listener) {
        String states = " (client " + c.stateName() + ", server " + s.stateName() + ")";
        if (!listener && s.state == null && (c.reset || c.given && s.rstReason != null)) return "refused: the server's kernel answered the SYN "
                + "with an RST, reason NO_SOCKET (nothing listens on " + s.addr + ")" + states;
        if (c.rstByApp || s.rstByApp) {
            FlowSide x = c.rstByApp ? c : s;
            if (x.given) return x.role.word + " (taken as given) reset the connection" + states;
            // The same [R.] leaves for unread data (TCP_ABORT_ON_CLOSE) and for SO_LINGER {1, 0} (TCP_STATE): a
            // capture cannot tell them apart when the side had received data.
            String why = x.bytesReceived > 0 ? "reason TCP_ABORT_ON_CLOSE if it left data unread, else TCP_STATE "
                    + "(SO_LINGER {1, 0})" : "reason " + reasonName(x.rstReason) + " (SO_LINGER {1, 0})";
            return x.role.word + " aborted the connection: close() sent an RST, " + why + states;
        }
        if (s.reset || c.reset) {
            FlowSide x = s.reset ? c : s;
            if (x.given) return "reset by " + x.role.word + " (taken as given): an RST answered a packet" + states;
            return "reset by " + x.role.word + "'s kernel: an RST answered a packet it could not take, reason "
                    + reasonName(x.rstReason) + states;
        }
        if (c.fin != FlowSide.Fin.NONE && s.fin != FlowSide.Fin.NONE) return "closed: FIN from both sides (client at "
                + "packet " + c.finPacket + ", server at packet " + s.finPacket + ")" + states;
        if (c.fin != FlowSide.Fin.NONE || s.fin != FlowSide.Fin.NONE) {
            Role x = c.fin != FlowSide.Fin.NONE ? Role.CLIENT : Role.SERVER;
            return "half-closed at the end of the capture: only " + x.word + " sent a FIN" + states;
        }
        return "open at the end of the capture" + states;
    }

    private static String reasonName(io.tcpsim.backend.RstReason r) {
        return r == null ? "unknown" : r.name();
    }

    static String result(Result r) {
        if (r.blockedForever()) return "blocks";
        if (r.failed()) return "-1 " + r.errno().name() + " (" + r.errno().text + ")";
        return "" + r.value();
    }
}
