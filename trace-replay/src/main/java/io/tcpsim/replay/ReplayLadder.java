package io.tcpsim.replay;

import io.tcpsim.backend.TcpState;
import io.tcpsim.compare.Divergence;
import io.tcpsim.picture.Ladder;
import io.tcpsim.picture.LadderHtml;
import io.tcpsim.picture.LadderSvg;
import io.tcpsim.picture.PacketLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ladder diagram of a replayed flow ({@code tcpsim replay --svg}), built from its {@link FlowTrace}: the client's
 * and the server's lifelines, every captured packet as an arrow labelled the tcpdump way, the inferred calls on
 * their side (those that put the packet on the wire solid, those inferred without a packet of their own lighter),
 * each side's state changes, and every divergence as a red band under its packet with the model's expectation
 * beside the side that sent it. Times are the capture's, from the flow's first packet.
 */
public final class ReplayLadder {
    private ReplayLadder() {}

    /** Band texts longer than this are cut; the hover detail has them whole. */
    static final int BAND_MAX = 110;

    /** Every flow with a trace, one under the other. */
    public static String svg(String title, List<String> subtitle, List<FlowReport> flows) {
        return LadderSvg.render(title, subtitle, ladders(flows));
    }

    public static String html(String title, List<String> subtitle, List<FlowReport> flows) {
        return LadderHtml.render(title, subtitle, ladders(flows));
    }

    static List<Ladder> ladders(List<FlowReport> flows) {
        List<Ladder> out = new ArrayList<>();
        for (FlowReport f : flows) if (f.trace() != null) out.add(of(f));
        return out;
    }

    /** The heading of a flow's diagram: {@code flow 1: A > B, conn_state SF, history ShAdDaFf}. */
    public static String heading(FlowReport f) {
        return "flow " + f.number() + ": " + f.client() + " > " + f.server() + ", conn_state " + f.connState()
                + ", history " + f.history();
    }

    public static Ladder of(FlowReport f) {
        FlowTrace trace = f.trace();
        if (trace == null) throw new IllegalArgumentException("flow " + f.number() + " was replayed without a trace");
        long t0 = f.startNanos();
        List<Ladder.Mark> marks = new ArrayList<>();
        List<Ladder.StepDetail> steps = new ArrayList<>();
        PacketLabels labels = new PacketLabels();
        Sides sides = new Sides();
        long last = 0;
        for (FlowTrace.Step p : trace.packets()) {
            int step = steps.size();
            long t = p.packet().timeNanos() - t0;
            last = Math.max(last, t);
            Role sender = role(p.side());
            int from = sender.ordinal(), to = sender.other().ordinal();
            // The calls that put this packet on the wire come first, then the packet, then what its arrival did.
            List<FlowTrace.Event> after = new ArrayList<>();
            StringBuilder detail = new StringBuilder("packet " + p.index() + " (" + p.side() + ")\n" + p.tcpdump());
            for (FlowTrace.Event e : p.events()) {
                if (e instanceof FlowTrace.Call c && c.call().observed() && c.call().packet() == p.index()) {
                    marks.add(call(t, c, step));
                    sides.after(marks, c, t, p.events());
                } else {
                    after.add(e);
                    if (e instanceof FlowTrace.Diverged d) detail.append("\n\n").append(ReplayOutput.text(d.divergence()));
                }
            }
            marks.add(new Ladder.Arrow(t, t, from, to, labels.label(p.packet().segment()),
                    PacketLabels.tone(p.packet().segment()), detail.toString(), step));
            for (FlowTrace.Event e : after) {
                event(marks, e, t, step);
                sides.after(marks, e, t, after);
            }
            steps.add(new Ladder.StepDetail("after packet " + p.index() + " (+" + seconds(t) + " s)",
                    sides.lines(f)));
        }
        if (!trace.after().isEmpty()) {
            int step = steps.size();
            for (FlowTrace.Event e : trace.after()) {
                long t = Math.max(last, e.timeNanos() - t0);
                event(marks, e, t, step);
                sides.after(marks, e, t, trace.after());
                last = Math.max(last, t);
            }
            List<String> lines = new ArrayList<>(sides.lines(f));
            lines.add("ended: " + f.ended());
            steps.add(new Ladder.StepDetail("after the last packet", lines));
        }
        List<String> subtitle = new ArrayList<>();
        subtitle.add("packets " + f.firstPacket() + "-" + f.lastPacket() + " of the capture (" + f.packets()
                + "), " + ReplayOutput.time(f.startNanos()) + " - " + ReplayOutput.time(f.endNanos()) + "; ended: "
                + f.ended());
        subtitle.add(switch (f.verdict()) {
            case EXPLAINED -> "explained: every packet is what the model predicts";
            case NOT_JUDGED -> f.judged().text();
            case DIVERGED -> f.divergenceCount() + " divergence(s) from the model, each a red band under its packet";
        });
        for (String x : f.facts()) subtitle.add(x);
        for (String n : f.notes()) subtitle.add("note: " + n);
        if (trace.dropped() > 0) subtitle.add("only the first " + trace.packets().size() + " packets are drawn ("
                + trace.dropped() + " more)");
        boolean refused = f.ended().startsWith("refused");
        List<Ladder.Column> columns = List.of(
                new Ladder.Column("client " + f.client(), "connects", null),
                new Ladder.Column("server " + f.server(), refused ? "nothing listens" : "listens", null));
        return new Ladder(heading(f), subtitle, columns, marks, Math.max(last, f.endNanos() - t0), steps,
                "end of the flow");
    }

    /** The side's lifeline: the client's left, the server's right. */
    private static int column(String side) {
        return role(side).ordinal();
    }

    private static Role role(String side) {
        return side.equals(Role.SERVER.word) ? Role.SERVER : Role.CLIENT;
    }

    private static void event(List<Ladder.Mark> marks, FlowTrace.Event e, long t, int step) {
        if (e instanceof FlowTrace.State s) {
            marks.add(new Ladder.State(t, column(s.side()), s.to().netstatName(), null,
                    s.side() + " " + s.fromName() + " -> " + s.to().netstatName(),
                    step));
        } else if (e instanceof FlowTrace.Call c) {
            marks.add(call(t, c, step));
        } else if (e instanceof FlowTrace.Diverged d) {
            Divergence v = d.divergence();
            String where = v.packet() > 0 ? " at packet " + v.packet() : "";
            marks.add(new Ladder.Band(t, cut("\u2717 " + v.kind().word + where + ": " + v.detail(), BAND_MAX),
                    ReplayOutput.text(v), step));
            String expected = v.expected() == null ? null : shortLine(v.expected());
            String note = switch (v.kind()) {
                case MISSING -> "model sends " + expected + "; not in the capture";
                case RETRANSMISSION -> "model: sent once, never again";
                default -> expected == null ? "model: no such packet" : "model: " + expected;
            };
            marks.add(new Ladder.Note(t, column(d.side()), note, Ladder.Tone.FAILED, ReplayOutput.text(v), step));
        }
    }

    private static Ladder.Note call(long t, FlowTrace.Call c, int step) {
        FlowReport.InferredCall ic = c.call();
        String result = ic.result().replaceFirst("^(-1 [A-Z0-9]+) \\(.*\\)$", "$1");
        StringBuilder text = new StringBuilder(ic.call()).append(" = ").append(result);
        if (ic.count() > 1) text.append(" (x").append(ic.count()).append(')');
        String note = ic.note();
        if (note != null) {
            if (note.startsWith("FIN; ")) note = note.substring(5);
            if (note.startsWith("consequence")) note = "consequence";
            text.append("  (").append(note).append(')');
        }
        Ladder.Tone tone = !ic.observed() ? Ladder.Tone.INFERRED
                : ic.result().startsWith("-1 ") ? Ladder.Tone.ERROR : Ladder.Tone.OK;
        String detail = c.side() + ": " + ic.text() + (ic.observed() ? "" : "\n(inferred: not seen on the wire)");
        return new Ladder.Note(t, column(c.side()), text.toString(), tone, detail, step);
    }

    /**
     * Each side's state and descriptor as the picture tells it (calls and state changes in the order drawn), and its
     * lifeline: dashed (an orphan) once its descriptor is closed, ended once its socket is CLOSE without one.
     */
    private static final class Sides {
        final TcpState[] state = new TcpState[2];
        final boolean[] held = {true, true};
        final boolean[] ended = {false, false};

        void after(List<Ladder.Mark> marks, FlowTrace.Event e, long t, List<FlowTrace.Event> all) {
            int x = column(e.side());
            if (e instanceof FlowTrace.State s) {
                state[x] = s.to();
                if (!held[x] && s.to() == TcpState.CLOSE && !ended[x]) {
                    marks.add(new Ladder.Lifeline(t, x, Ladder.Line.ENDED, null));
                    ended[x] = true;
                }
            } else if (e instanceof FlowTrace.Call c && c.call().call().startsWith("close(") && held[x]) {
                held[x] = false;
                // No orphan when the same packet's arrival ends the socket (an aborting close).
                boolean closes = false;
                for (FlowTrace.Event o : all.subList(all.indexOf(e) + 1, all.size()))
                    if (o instanceof FlowTrace.State s && column(s.side()) == x && s.to() == TcpState.CLOSE) closes = true;
                if (state[x] == TcpState.CLOSE || closes) {
                    if (!closes && !ended[x]) {
                        marks.add(new Ladder.Lifeline(t, x, Ladder.Line.ENDED, null));
                        ended[x] = true;
                    }
                } else {
                    marks.add(new Ladder.Lifeline(t, x, Ladder.Line.ORPHAN, "no descriptor left: orphan"));
                }
            }
        }

        List<String> lines(FlowReport f) {
            return List.of(line(Role.CLIENT, f.client()), line(Role.SERVER, f.server()));
        }

        String line(Role side, String addr) {
            int x = side.ordinal();
            return side.word + " " + addr + "  " + (state[x] == null ? "-" : state[x].netstatName())
                    + (held[x] ? "" : "  (no descriptor: closed)");
        }
    }

    private static final Pattern FLAGS = Pattern.compile("Flags \\[([^\\]]*)\\](.*)$");

    /**
     * {@code 127.0.0.1.4321 > 127.0.0.1.48272: Flags [R.], seq 2, ack 2, win 0, options [...], length 0} as a packet
     * label: {@code [R.] seq 2, ack 2}.
     */
    static String shortLine(String line) {
        Matcher m = FLAGS.matcher(line);
        if (!m.find()) return line;
        String rest = m.group(2).replaceAll(", win \\d+", "").replaceAll(", options \\[[^\\]]*\\]", "")
                .replaceAll(", length 0$", "").replaceFirst("^, ", " ");
        return "[" + m.group(1) + "]" + rest;
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%d.%06d", nanos / 1_000_000_000L, nanos / 1000 % 1_000_000L);
    }

}
