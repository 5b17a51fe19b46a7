package io.tcpsim.replay;

import io.tcpsim.backend.TcpState;
import io.tcpsim.compare.Difference;
import io.tcpsim.compare.Divergence;
import io.tcpsim.compare.PacketFields;
import io.tcpsim.replay.Predictions.Predicted;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where replay decides that a packet diverges, and what the divergence says. A captured packet that no prediction
 * matched in time ({@link Predictions#match}), that no call explains (CallInference) and that the model's clock
 * running on did not produce either, is {@link #classify classified} into one {@link Verdict}; so is a prediction the
 * capture never shows ({@link Missing}) and one it shows too late ({@link Timing}). Each {@link Mismatch} becomes
 * one {@link Divergence}, its text built only when it is kept or shown.
 */
final class Classifier {
    private Classifier() {}

    /** What replay concludes about a packet nothing explained. */
    sealed interface Verdict permits NotCompared, Mismatch {}

    /** After a start mid-connection, until the first application packet: the model is resynchronising. */
    record NotCompared() implements Verdict {
        static final String NOTE = "not compared: the model is resynchronising";
    }

    /** A divergence: its side, kind, words, and the model's closest packet (null when there is none to show). */
    sealed interface Mismatch extends Verdict
            permits Retransmission, Resegmented, AcksUnsentData, DifferentFields, UnexpectedRst, DataAfterClose,
            NoSuchPacket, Missing, Timing, Anomalies.Anomaly {
        Role role();

        Divergence.Kind kind();

        String detail();

        Predicted expected();

        /** A prediction this verdict uses up (it was that packet, with other fields); else null. */
        default Predicted consumed() {
            return null;
        }
    }

    /** Data the capture already showed this side send: loopback loses nothing, so the model never resends it. */
    record Retransmission(Role role) implements Mismatch {
        public Divergence.Kind kind() { return Divergence.Kind.RETRANSMISSION; }
        public Predicted expected() { return null; }
        public String detail() {
            return role.word + " sends data again that the model sent once (loopback loses nothing); the replay goes "
                    + "on with the capture";
        }
    }

    /**
     * Bytes the application handed over that the model sends cut at other places ({@code cuts}: the model's segments
     * over them, {@code 1:1449 (1448), 1449:2001 (552)}), or has not sent yet ({@code cuts} empty: tcp_write_xmit
     * holds them, for Nagle or the window).
     */
    record Resegmented(Role role, String cuts, Predicted expected) implements Mismatch {
        public Divergence.Kind kind() { return Divergence.Kind.DIFFERENT; }
        public String detail() {
            return cuts.isEmpty() ? "the model has not sent these bytes yet (tcp_write_xmit holds them back)"
                    : "the model sends these bytes cut at other places: " + cuts;
        }
    }

    /** An ACK beyond what the peer's application ever handed over. */
    record AcksUnsentData(Role role, long ack, long sentUpTo, Predicted expected, boolean sameKind)
            implements Mismatch {
        public Divergence.Kind kind() { return Divergence.Kind.UNEXPECTED; }
        public Predicted consumed() { return sameKind ? expected : null; }
        public String detail() {
            String peer = role.other().word;
            return "it ACKs data " + peer + " never sent (ack " + ack + ", " + peer + " sent up to " + sentUpTo + ")";
        }
    }

    /** The packet the model sent, with other fields. */
    record DifferentFields(Role role, Segment captured, Predicted expected, FlowSide me, FlowSide peer)
            implements Mismatch {
        public Divergence.Kind kind() { return Divergence.Kind.DIFFERENT; }
        public Predicted consumed() { return expected; }
        public String detail() {
            return differences(captured, expected, me, peer);
        }
    }

    /** An RST the model's side would not send in its state. */
    record UnexpectedRst(Role role, TcpState state, boolean hasDescriptor, Predicted expected) implements Mismatch {
        public Divergence.Kind kind() { return Divergence.Kind.UNEXPECTED; }
        public String detail() {
            return "an RST the model's " + role.word + " would not send (its state: " + FlowSide.name(state)
                    + (hasDescriptor ? "" : ", no descriptor open") + ")";
        }
    }

    /** Data from a side whose descriptor is closed. */
    record DataAfterClose(Role role, TcpState state, Predicted expected) implements Mismatch {
        public Divergence.Kind kind() { return Divergence.Kind.UNEXPECTED; }
        public String detail() {
            return role.word + " sends data after its socket is gone (" + FlowSide.name(state) + ")";
        }
    }

    /** Anything else: no call and no kernel rule of the model sends it. */
    record NoSuchPacket(Role role, TcpState state, Predicted expected) implements Mismatch {
        public Divergence.Kind kind() { return Divergence.Kind.UNEXPECTED; }
        public String detail() {
            return "the model's " + role.word + " (" + FlowSide.name(state) + ") sends no such packet";
        }
    }

    /** A prediction the capture does not have (past its late limit, or at the end of the flow). */
    record Missing(Predicted expected) implements Mismatch {
        public Role role() { return expected.role(); }
        public Divergence.Kind kind() { return Divergence.Kind.MISSING; }
        public String detail() {
            return "the model's " + role().word + " sends this packet (" + describe(expected.segment())
                    + "); the capture does not have it";
        }
    }

    /** A packet with the model's fields, outside the tolerance and every rule. */
    record Timing(Role role, Predicted expected, long capturedSinceStart, long modelSinceStart) implements Mismatch {
        public Divergence.Kind kind() { return Divergence.Kind.TIMING; }
        public Predicted consumed() { return expected; }
        public String detail() {
            return String.format(java.util.Locale.ROOT, "sent %+.3f ms after the capture's flow start, the model sent it at %+.3f ms",
                    capturedSinceStart / 1e6, modelSinceStart / 1e6);
        }
    }

    /**
     * The verdict on captured segment {@code s} from {@code me} at {@code t} (the model's clock), which nothing
     * explained; {@code sinceStart} is what to add to a model time for the time since the flow's first packet.
     */
    static Verdict classify(Segment s, long t, FlowSide me, FlowSide peer, Predictions predictions, boolean resyncing,
                            long sinceStart) {
        Role x = me.role;
        // Resynchronising after a midstream start: handshake leftovers and ACKs the model already sent are expected.
        if (resyncing && !CallInference.causedByCall(s)) return new NotCompared();
        // Data the capture already showed this side send is a retransmission; data the application handed over but
        // the model has not sent in this shape is a difference in segmentation (Nagle, coalescing).
        long end = me.captured.relative(s.seq()) + s.length();
        boolean data = s.length() > 0 && !s.has(TcpFlags.RST);
        if (data && end <= me.capNextBefore) return new Retransmission(x);
        Predicted best = predictions.closest(x, s, me);
        boolean sameKind = best != null && (best.segment().flags() == s.flags()
                || s.length() == 0 && best.segment().length() == 0 || sameBytes(s, best, me));
        // The model's segment with these very bytes, other fields differing, is that packet; bytes the model sends
        // cut at other places are a difference in segmentation (Nagle, coalescing).
        if (data && end <= me.appNext && !(best != null && sameBytes(s, best, me))) {
            return new Resegmented(x, predictions.cuts(x, me.captured.relative(s.seq()), end, me), best);
        }
        if (s.has(TcpFlags.ACK) && !s.has(TcpFlags.RST) && peer.captured.relative(s.ack()) > peer.appNext) {
            return new AcksUnsentData(x, peer.captured.relative(s.ack()), peer.appNext, best, sameKind);
        }
        if (sameKind && predictions.same(s, x, best)) {
            // The packet the model sent, from a call or not, but not in time.
            return new Timing(x, best, t + sinceStart, best.time() + sinceStart);
        }
        if (sameKind) return new DifferentFields(x, s, best, me, peer);
        if (s.has(TcpFlags.RST)) return new UnexpectedRst(x, me.state, me.fd >= 0, best);
        if (s.length() > 0 && me.fd < 0) return new DataAfterClose(x, me.state, best);
        return new NoSuchPacket(x, me.state, best);
    }

    /** Whether the model's packet {@code p} carries the same bytes (seq and length) as captured segment {@code s}. */
    static boolean sameBytes(Segment s, Predicted p, FlowSide me) {
        return s.length() > 0 && p.segment().length() == s.length()
                && me.model.relative(p.segment().seq()) == me.captured.relative(s.seq());
    }

    /** The divergence of a verdict, with the two packets as {@code captured} and {@code expected} print them. */
    static Divergence divergence(Mismatch m, long packet, String detail, String captured, String expected) {
        String at = m.kind().word + (packet > 0 ? " at packet " + packet : "");
        return new Divergence(m.kind(), packet, at, detail, expected, captured);
    }

    /** The compared fields that differ, model expected: {@code flags: expected [R.] vs actual [R]; ...}. */
    static String differences(Segment captured, Predicted expected, FlowSide me, FlowSide peer) {
        List<Difference> d = PacketFields.of(expected.segment(), me.role.word, peer.role.word, me.model, peer.model)
                .differences(PacketFields.of(captured, me.role.word, peer.role.word, me.captured, peer.captured));
        return d.stream().filter(x -> me.windowNotJudged == null || !x.field().equals("win")).map(Difference::text)
                .collect(Collectors.joining("; "));
    }

    private static String describe(Segment s) {
        if (s.has(TcpFlags.RST)) return "an RST";
        if (s.has(TcpFlags.SYN)) return s.has(TcpFlags.ACK) ? "the SYN-ACK" : "a SYN";
        if (s.has(TcpFlags.FIN)) return "a FIN";
        if (s.length() > 0) return s.length() + " bytes of data";
        return "an ACK";
    }
}
