package io.tcpsim.replay;

import io.tcpsim.compare.Divergence;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.TcpdumpPrinter;
import java.io.PrintWriter;
import java.util.List;

/**
 * The three outputs of {@code tcpsim replay}: the human summary (default), the annotated capture ({@code --annotate}:
 * each packet as {@code tcpdump -nn} prints it, followed by the state changes, calls and divergences it caused) and
 * JSON lines ({@code --json}: one object per flow, then a summary object).
 */
public final class ReplayOutput implements Replay.Sink {
    /**
     * SUMMARY: a block per flow ({@code --blocks}); AUTO (the default output): a block per flow, or a line per flow
     * when there are more than {@link #MAX_BLOCKS} flows (the blocks are held until that is known); LINES: a line per
     * flow ({@code --summary}); ANNOTATE; JSON.
     */
    public enum Mode { SUMMARY, AUTO, LINES, ANNOTATE, JSON }

    /** Above this many flows the default output is a line per flow: a block each is more than anyone reads. */
    public static final int MAX_BLOCKS = 1000;

    private final PrintWriter out;
    private final Mode mode;
    private final int only;
    private final boolean divergedOnly;
    private final TcpdumpPrinter printer = new TcpdumpPrinter();
    /** The default output's first flows, held until it is known whether there are more than MAX_BLOCKS. */
    private java.util.List<FlowReport> held = new java.util.ArrayList<>();
    private boolean lines;

    /** {@code only}: the flow number to show, or 0 for all. */
    public ReplayOutput(PrintWriter out, Mode mode, int only) {
        this(out, mode, only, false);
    }

    /** {@code divergedOnly}: only the flows that diverged ({@code --diverged}). */
    public ReplayOutput(PrintWriter out, Mode mode, int only, boolean divergedOnly) {
        this.out = out;
        this.mode = mode;
        this.only = only;
        this.divergedOnly = divergedOnly;
    }

    @Override
    public void packet(Packet packet, long index, String skipped, int flow, List<String> notes) {
        if (only > 0 && flow != only) return;
        if (packet.segment() == null) {
            out.println(time(packet.timeNanos()) + " (packet " + index + ": " + skipped + "; skipped)");
            return;
        }
        out.println(printer.print(packet));
        if (notes != null) for (String n : notes) out.println("    [flow " + flow + "] " + n);
    }

    @Override
    public void flow(FlowReport f) {
        if (only > 0 && f.number() != only) return;
        if (divergedOnly && f.verdict() != FlowReport.Verdict.DIVERGED) return;
        switch (mode) {
            case JSON -> out.println(json(f));
            case LINES -> out.println(line(f));
            case SUMMARY -> summary(f);
            case AUTO -> {
                if (lines) {
                    out.println(line(f));
                } else if (only > 0) {
                    summary(f);
                } else {
                    held.add(f);
                    if (held.size() > MAX_BLOCKS) {
                        lines = true;
                        out.println("# more than " + MAX_BLOCKS + " flows: one line each (a flow's block: --flow N; "
                                + "every block: --blocks; only the flows that diverged: --diverged)");
                        for (FlowReport h : held) out.println(line(h));
                        held = null;
                    }
                }
            }
            case ANNOTATE -> {
                if (!f.annotated()) out.println("    [flow " + f.number() + "] done: " + done(f));
            }
        }
    }

    /**
     * One line for a flow: {@code flow 3 10.0.0.1:5000 > 10.0.0.2:80: 39 packets, 60.991770 s, zeek RSTO ShADadtR,
     * diverged (3; first: ...), reason NO_SOCKET}.
     */
    private static final java.util.regex.Pattern REASON = java.util.regex.Pattern.compile("reason ([A-Z0-9_]+)");

    public static String line(FlowReport f) {
        StringBuilder b = new StringBuilder(160);
        b.append("flow ").append(f.number()).append(' ').append(f.client()).append(" > ").append(f.server())
                .append(": ").append(f.packets()).append(" packets, ")
                .append(ConnLog.seconds(f.endNanos() - f.startNanos())).append(" s, zeek ").append(f.connState())
                .append(' ').append(f.history().isEmpty() ? "-" : f.history()).append(", ");
        switch (f.verdict()) {
            case EXPLAINED -> b.append("explained");
            case NOT_JUDGED -> b.append(f.judged().text());
            case DIVERGED -> {
                b.append("diverged (").append(f.divergenceCount());
                if (!f.divergences().isEmpty()) b.append("; first: ").append(f.divergences().get(0).text());
                b.append(')');
                if (!f.judged().all()) b.append(", ").append(f.judged().text());
            }
        }
        java.util.regex.Matcher m = REASON.matcher(f.ended());
        if (m.find()) b.append(", reason ").append(m.group(1));
        return b.toString();
    }

    /** The default output's held blocks, once the capture has ended with at most MAX_BLOCKS flows. */
    private void flushHeld() {
        if (held == null) return;
        for (FlowReport h : held) summary(h);
        held = null;
    }

    static String done(FlowReport f) {
        return "zeek " + f.connState() + " " + f.history() + "; " + f.ended() + "; " + verdict(f);
    }

    /** {@code explained}, {@code 2 divergence(s)}, {@code not judged: why}, with what was not judged after them. */
    static String verdict(FlowReport f) {
        return switch (f.verdict()) {
            case EXPLAINED -> "explained";
            case DIVERGED -> f.divergenceCount() + " divergence(s)" + (f.judged().all() ? "" : "; " + f.judged().text());
            case NOT_JUDGED -> f.judged().text();
        };
    }

    private void summary(FlowReport f) {
        out.println("flow " + f.number() + ": " + f.client() + " > " + f.server() + ", packets " + f.firstPacket()
                + "-" + f.lastPacket() + " (" + f.packets() + "), " + time(f.startNanos()) + " - " + time(f.endNanos()));
        out.println("  zeek: conn_state " + f.connState() + ", history " + f.history());
        for (String x : f.facts()) out.println("  " + x);
        out.println("  ended: " + f.ended());
        out.println("  timeline:");
        for (FlowReport.StateChange s : f.timeline()) {
            out.println("    " + offset(s.timeNanos() - f.startNanos()) + " " + s.side() + " " + s.from() + " -> "
                    + s.to());
        }
        out.println("  calls:");
        for (String side : new String[] {"client", "server", "both"}) {
            StringBuilder b = new StringBuilder();
            for (FlowReport.InferredCall c : f.calls()) {
                if (!c.side().equals(side)) continue;
                if (b.length() > 0) b.append(c.observed() ? ", " : ", then ");
                b.append(c.text());
            }
            if (b.length() > 0) out.println("    " + side + ": " + b);
        }
        for (String n : f.notes()) out.println("  note: " + n);
        if (!f.rules().isEmpty()) out.println("  rules used: " + rules(f));
        switch (f.verdict()) {
            case EXPLAINED -> out.println("  explained: every packet is what the model predicts");
            case NOT_JUDGED -> out.println("  " + f.judged().text()
                    + (f.judged().after() > 0 ? " (every packet before it is what the model predicts)" : ""));
            case DIVERGED -> {
                out.println("  divergences: " + f.divergenceCount()
                        + (f.divergenceCount() > f.divergences().size() ? " (first " + f.divergences().size() + " listed)" : "")
                        + (f.repeats() > 0 ? "; " + f.repeats() + " more packet(s) repeat one of them" : ""));
                for (Divergence d : f.divergences()) out.println("    " + text(d));
                if (!f.judged().all()) out.println("  " + f.judged().text());
            }
        }
        out.println();
    }

    /** {@code ack-carried-by-next-packet x2, timer-tick-late x1}, as check prints the rules it used. */
    static String rules(FlowReport f) {
        StringBuilder b = new StringBuilder();
        f.rules().forEach((id, n) -> b.append(b.length() > 0 ? ", " : "").append(id).append(" x").append(n));
        return b.toString();
    }

    /** A divergence as replay prints it: {@code different at packet 6: ...}, then the captured and the model's packet. */
    public static String text(Divergence d) {
        StringBuilder b = new StringBuilder(d.text());
        if (d.actual() != null) b.append("\n      capture: ").append(d.actual());
        if (d.expected() != null) b.append("\n      model:   ").append(d.expected());
        return b.toString();
    }

    public void end(Replay.Totals t, String file) {
        end(t, file, List.of());
    }

    /** The summary, after {@code capture}: what the whole capture showed (CaptureFacts.lines). */
    public void end(Replay.Totals t, String file, List<String> capture) {
        flushHeld();
        String line = totals(t);
        if (mode == Mode.JSON) {
            out.println("{\"type\":\"summary\",\"file\":" + str(file) + ",\"flows\":" + t.flows + ",\"explained\":"
                    + t.explained + ",\"diverged\":" + t.diverged + ",\"not_judged\":" + t.notJudged
                    + ",\"packets\":" + t.records + ",\"tcp\":" + t.tcp
                    + ",\"skipped\":" + t.nonTcp + ",\"ipv6_flows\":" + t.ipv6Flows + ",\"ipv6_packets\":"
                    + t.ipv6Packets + ",\"divergences\":" + t.divergences + ",\"repeats\":" + t.repeats
                    + (t.evicted > 0 ? ",\"evicted\":" + t.evicted : "")
                    + ",\"capture\":[" + String.join(",", capture.stream().map(ReplayOutput::str).toList()) + "]}");
        } else {
            for (String c : capture) out.println("# capture: " + c);
            out.println("# " + file + ": " + line);
        }
    }

    /**
     * After several captures, their totals together: {@code # 3 files: 12 flow(s): ...} (text), or an object of type
     * {@code total} with the summary's counts and {@code "files":3} (JSON).
     */
    public void endAll(Replay.Totals t, int files) {
        if (mode == Mode.JSON) {
            out.println("{\"type\":\"total\",\"files\":" + files + ",\"flows\":" + t.flows + ",\"explained\":"
                    + t.explained + ",\"diverged\":" + t.diverged + ",\"not_judged\":" + t.notJudged
                    + ",\"packets\":" + t.records + ",\"tcp\":" + t.tcp + ",\"skipped\":" + t.nonTcp
                    + ",\"ipv6_flows\":" + t.ipv6Flows + ",\"ipv6_packets\":" + t.ipv6Packets + ",\"divergences\":"
                    + t.divergences + ",\"repeats\":" + t.repeats + (t.evicted > 0 ? ",\"evicted\":" + t.evicted : "")
                    + "}");
        } else {
            out.println("# " + files + " files: " + totals(t));
        }
    }

    /** The summary line: flows, explained, diverged, packets. */
    public static String totals(Replay.Totals t) {
        return t.flows + " flow(s): " + t.explained + " explained, " + t.diverged + " diverged, " + t.notJudged
                + " not judged; " + t.divergences + " divergence(s); " + t.records + " packets (" + t.tcp + " IPv4 TCP, "
                + (t.ipv6Flows > 0 ? t.ipv6Packets + " IPv6 TCP in " + t.ipv6Flows + " flow(s), not judged, " : "")
                + t.nonTcp + " skipped)"
                + (t.evicted > 0 ? "; " + t.evicted + " flow(s) evicted: more than " + Replay.MAX_OPEN_FLOWS
                        + " open at once" : "");
    }

    /** HH:MM:SS.uuuuuu in UTC, as tcpdump prints a packet's time. */
    static String time(long nanos) {
        long us = Math.floorDiv(nanos, 1000);
        long day = Math.floorMod(us, 86_400_000_000L);
        return pad(day / 3_600_000_000L, 2) + ":" + pad(day / 60_000_000L % 60, 2) + ":" + pad(day / 1_000_000L % 60, 2)
                + "." + pad(day % 1_000_000L, 6);
    }

    static String offset(long nanos) {
        return "+" + nanos / 1_000_000_000L + "." + pad(nanos / 1000 % 1_000_000L, 6);
    }

    /**
     * {@code String.format("%0WIDTHd", v)} in the root locale, without the formatter: a line per flow of a large
     * capture calls this a few times, and the formatter was a tenth of replay's time on 76,000 flows.
     */
    static String pad(long v, int width) {
        String digits = Long.toString(Math.abs(v));
        int zeros = width - digits.length() - (v < 0 ? 1 : 0);
        StringBuilder b = new StringBuilder(Math.max(width, digits.length() + 1));
        if (v < 0) b.append('-');
        for (int i = 0; i < zeros; i++) b.append('0');
        return b.append(digits).toString();
    }

    static String json(FlowReport f) {
        StringBuilder b = new StringBuilder(512);
        b.append("{\"type\":\"flow\",\"flow\":").append(f.number()).append(",\"client\":").append(str(f.client()))
                .append(",\"server\":").append(str(f.server())).append(",\"first_packet\":").append(f.firstPacket())
                .append(",\"last_packet\":").append(f.lastPacket()).append(",\"packets\":").append(f.packets())
                .append(",\"start_ns\":").append(f.startNanos()).append(",\"end_ns\":").append(f.endNanos())
                .append(",\"conn_state\":").append(str(f.connState())).append(",\"history\":").append(str(f.history()))
                .append(",\"ended\":").append(str(f.ended())).append(",\"explained\":").append(f.explained())
                .append(",\"verdict\":").append(str(f.verdict().word)).append(",\"judged\":")
                .append(f.judged().all() ? "true" : "{\"after_packet\":" + f.judged().after() + ",\"why\":"
                        + str(f.judged().why()) + "}")
                .append(",\"timeline\":[");
        for (int i = 0; i < f.timeline().size(); i++) {
            FlowReport.StateChange s = f.timeline().get(i);
            if (i > 0) b.append(',');
            b.append("{\"time_ns\":").append(s.timeNanos()).append(",\"side\":").append(str(s.side()))
                    .append(",\"from\":").append(str(s.from())).append(",\"to\":").append(str(s.to())).append('}');
        }
        b.append("],\"calls\":[");
        for (int i = 0; i < f.calls().size(); i++) {
            FlowReport.InferredCall c = f.calls().get(i);
            if (i > 0) b.append(',');
            b.append("{\"side\":").append(str(c.side())).append(",\"call\":").append(str(c.call()))
                    .append(",\"result\":").append(str(c.result())).append(",\"packet\":").append(c.packet())
                    .append(",\"observed\":").append(c.observed()).append(",\"count\":").append(c.count())
                    .append(",\"note\":").append(c.note() == null ? "null" : str(c.note())).append('}');
        }
        b.append("],\"divergence_count\":").append(f.divergenceCount()).append(",\"repeats\":").append(f.repeats())
                .append(",\"divergences\":[");
        for (int i = 0; i < f.divergences().size(); i++) {
            Divergence d = f.divergences().get(i);
            if (i > 0) b.append(',');
            b.append("{\"kind\":").append(str(d.kind().word)).append(",\"packet\":").append(d.packet())
                    .append(",\"detail\":").append(str(d.detail())).append(",\"captured\":")
                    .append(d.actual() == null ? "null" : str(d.actual())).append(",\"expected\":")
                    .append(d.expected() == null ? "null" : str(d.expected())).append('}');
        }
        b.append("],\"rules\":{");
        int n = 0;
        for (var r : f.rules().entrySet()) {
            b.append(n++ > 0 ? "," : "").append(str(r.getKey())).append(':').append(r.getValue());
        }
        b.append("},\"facts\":[");
        for (int i = 0; i < f.facts().size(); i++) {
            if (i > 0) b.append(',');
            b.append(str(f.facts().get(i)));
        }
        b.append("],\"notes\":[");
        for (int i = 0; i < f.notes().size(); i++) {
            if (i > 0) b.append(',');
            b.append(str(f.notes().get(i)));
        }
        return b.append("]}").toString();
    }
    /** A JSON string literal, escaped by Jackson (already a dependency) rather than by hand. */
    static String str(String s) {
        return '"' + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
    }
}
