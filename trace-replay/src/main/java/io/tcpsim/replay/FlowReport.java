package io.tcpsim.replay;

import io.tcpsim.compare.Divergence;
import java.util.List;
import java.util.Map;

/**
 * What replay says about one flow. Times are capture times (nanoseconds since the epoch). {@code calls} are the
 * application calls replay inferred, in order, each with what the model returned; {@code divergenceCount} may exceed
 * the divergences listed (the first {@link FlowRecorder#MAX_DIVERGENCES} are kept). {@code rules}: the equivalence
 * rules ({@link io.tcpsim.compare.Rule} ids) that accepted a packet, with how often. {@code trace} is every packet with
 * what it caused, for the picture; null unless the replay was asked to keep it. {@code judged}: whether every packet
 * was judged, else from where and why not; {@code facts}: what replay recognised (each side's system, the path and
 * where the capture was taken, the profile), one line each; {@code repeats}: packets whose only difference repeats an
 * earlier divergence of the same side (the same fields, the same values), counted apart from the divergences.
 * {@code zeek}: the rest of what Zeek's conn.log says of the flow (who Zeek takes as the originator, the duration,
 * each side's counts).
 */
public record FlowReport(int number, String client, String server, long firstPacket, long lastPacket, long packets,
                         long startNanos, long endNanos, List<StateChange> timeline, List<InferredCall> calls,
                         String ended, String connState, String history, List<Divergence> divergences,
                         long divergenceCount, List<String> notes, Map<String, Integer> rules, boolean annotated,
                         FlowTrace trace, Judged judged, List<String> facts, long repeats,
                         ZeekState.Log zeek) {
    /** What replay concluded about the flow as a whole. */
    public enum Verdict {
        /** Every packet judged is what the model predicts, and every packet was judged. */
        EXPLAINED("explained"),
        /** At least one packet is not what the model predicts. */
        DIVERGED("diverged"),
        /** Nothing diverged, but the flow, or its part after a packet, could not be judged (see {@link Judged}). */
        NOT_JUDGED("not judged");

        public final String word;

        Verdict(String word) {
            this.word = word;
        }
    }

    /**
     * How much of the flow was judged: all of it ({@link #ALL}), or nothing after packet {@code after} (0: nothing at
     * all) because of {@code why}.
     */
    public record Judged(long after, String why) {
        public static final Judged ALL = new Judged(-1, null);

        public boolean all() {
            return why == null;
        }

        /** {@code not judged: why} or {@code not judged after packet N: why}. */
        public String text() {
            return all() ? "judged" : "not judged" + (after > 0 ? " after packet " + after : "") + ": " + why;
        }
    }

    public FlowReport {
        rules = rules.isEmpty() ? Map.of() : java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(rules));
    }


    /** The same report, marked as already shown after its last packet in the annotated listing. */
    /** The same report under another number (Workers numbers a flow once every flow before it is known). */
    FlowReport withNumber(int n) {
        return n == number ? this : new FlowReport(n, client, server, firstPacket, lastPacket, packets, startNanos,
                endNanos, timeline, calls, ended, connState, history, divergences, divergenceCount, notes, rules,
                annotated, trace, judged, facts, repeats, zeek);
    }

    public FlowReport withAnnotated() {
        return new FlowReport(number, client, server, firstPacket, lastPacket, packets, startNanos, endNanos, timeline,
                calls, ended, connState, history, divergences, divergenceCount, notes, rules, true, trace, judged, facts,
                repeats, zeek);
    }

    /** One side's state change, as the model made it. */
    public record StateChange(long timeNanos, String side, String from, String to) {}

    /**
     * A call replay inferred. {@code observed}: it produced the packet {@code packet}; otherwise it is a consequence
     * the model predicts (the next call fails) or a call that produces no packet (accept). {@code count} > 1 when
     * the same call with the same result repeated.
     */
    public record InferredCall(String side, String call, String result, long packet, boolean observed, String note,
                               long count) {
        public String text() {
            String s = call + " = " + result + (count > 1 ? " (x" + count + ")" : "");
            if (packet > 0) s += " [packet " + packet + "]";
            if (note != null) s += " (" + note + ")";
            return s;
        }
    }

    public Verdict verdict() {
        if (divergenceCount > 0) return Verdict.DIVERGED;
        return judged.all() ? Verdict.EXPLAINED : Verdict.NOT_JUDGED;
    }

    /** Every packet was judged and is what the model predicts. */
    public boolean explained() {
        return verdict() == Verdict.EXPLAINED;
    }
}
