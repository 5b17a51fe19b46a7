package io.tcpsim.replay;

import io.tcpsim.compare.Rule;
import io.tcpsim.compare.Tolerance;
import io.tcpsim.replay.Classifier.Mismatch;
import io.tcpsim.replay.Predictions.Predicted;
import io.tcpsim.run.Clock;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayDeque;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * What exists of a {@link Flow} only while it is judged: its model, the model's predictions, the calls inferred on
 * it, the given side and the packets on their way in the model. A flow whose judging stops drops this object, and
 * with it most of its memory. Set up by {@link FlowStart}.
 *
 * <p>One packet of a judged side is explained in this order: it matches a prediction ({@link #match}); else a call
 * causes it ({@link CallInference#infer}); else a read flushes the ACK it is ({@link #readNow}); else the model's clock
 * runs on, within the timer rules' allowance, to the timer or delivery that sends it ({@link #stepForward}); else it
 * is classified into a divergence ({@link #unmatched}).
 */
final class Judging {
    final FlowModel model;
    final Predictions predictions;
    final CallInference calls;
    /** The side taken as given, when only one side is Linux; else null. */
    final GivenPeer given;
    private final Flow flow;
    private final Sides sides;
    private final FlowRecorder recorder;
    private final FlowPlan plan;
    private final Tolerance tolerance;
    /** Packets on their way in the model: what follows their arrival (a read, an injection) waits for it. */
    private final ArrayDeque<Arrival> arrivals = new ArrayDeque<>();
    /** The model time of the previous judged packet: the tolerance grows with the time since it. */
    long prevRel;
    /** Where a prediction the capture does not have goes. */
    final Consumer<Predicted> missing = this::missing;

    /**
     * A captured packet's arrival at its receiver in the model, at model time {@code time}: then the receiver reads
     * it (CallInference.afterPacket), and a given side's packet is delivered ({@code inject}, else null).
     */
    private record Arrival(long time, Captured c, FlowSide from, Segment inject) {}

    Judging(Flow flow, Sides sides, FlowRecorder recorder, FlowPlan plan, Tolerance tolerance, FlowModel model,
            Predictions predictions, CallInference calls, GivenPeer given) {
        this.flow = flow;
        this.sides = sides;
        this.recorder = recorder;
        this.plan = plan;
        this.tolerance = tolerance;
        this.model = model;
        this.predictions = predictions;
        this.calls = calls;
        this.given = given;
    }

    /** Judges captured packet {@code c} from {@code me}: explains it, then lets what it carries arrive. */
    void judge(Captured c, FlowSide me, FlowSide peer, ArrayDeque<Captured> buffer) {
        Segment s = c.packet.segment();
        long t = c.packet.timeNanos() - model.origin;
        long tol = tolerance.allowed(t - prevRel);
        calls.current = c;
        arrive(t, me.given ? null : s);
        if (me.given) {
            model.advance(t);
            me.appNext = Math.max(me.appNext, me.capNext);
            givenEnds(c, me);
            arrivals.add(new Arrival(t + model.givenDelay(), c, me, given.translate(s)));
            arrive(t, null);
        } else {
            if (model.standInQueued && me == sides.client() && FlowSetup.isSyn(s)) {
                FlowSetup.acceptStandIn(c, buffer, model, sides.server(), recorder);
            }
            model.advance(t);
            if (!match(c, me, t, tol) && !inferred(c, me, t, tol) && !readNow(c, me, t, tol)
                    && !stepForward(c, me, t, tol)) {
                unmatched(c, me, t);
            }
            arrivals.add(new Arrival(t + model.delayTo(peer), c, me, null));
            arrive(t, null);
        }
        predictions.expire(t, false, prevRel, tolerance, missing);
        prevRel = t;
    }

    /** The capture is over at model time {@code end}: what is on its way arrives, the model runs to the end. */
    void finish(long end) {
        arrive(Long.MAX_VALUE, null);
        model.collect();
        calls.abandonConnect(end);
        if (end > model.now()) model.sleep(end - model.now());
        model.collect();
        predictions.expire(end, true, prevRel, Flow.TOLERANCE, missing);
        calls.undecidedFins();
        calls.consequences();
    }

    /**
     * Whether the judged sides are gone or in TIME_WAIT and nothing predicted is outstanding: the flow can be
     * reported.
     */
    boolean terminal() {
        if (!predictions.isEmpty()) return false;
        FlowSide client = sides.client(), server = sides.server();
        if (given != null) {
            FlowSide j = client.given ? server : client;
            return j.state != null && gone(j);
        }
        return gone(client) && gone(server) && client.state != null;
    }

    private static boolean gone(FlowSide sd) {
        return sd.state == io.tcpsim.backend.TcpState.CLOSE || sd.state == io.tcpsim.backend.TcpState.TIME_WAIT
                || sd.state == null;
    }

    /**
     * What arrives in the model by model time {@code t}: each captured packet reaches its receiver (which then reads
     * it), a given side's packet is delivered; and, for {@code ack}, a packet of a judged side, the given packets it
     * acknowledges arrive first (a side cannot acknowledge what it has not received: a path's jitter).
     */
    private void arrive(long t, Segment ack) {
        long acked = ack != null && given != null && ack.has(TcpFlags.ACK) ? sides.peer(sides.of(
                ack.src().equals(sides.client().addr) ? Role.CLIENT : Role.SERVER)).captured.relative(ack.ack()) : -1;
        while (!arrivals.isEmpty()) {
            Arrival a = arrivals.peek();
            long end = a.inject == null ? 0 : a.from.captured.relative(a.c.packet.segment().seq())
                    + a.c.packet.segment().seqLength();
            if (a.time > t && !(a.inject != null && acked >= end && end > 0)) return;
            arrivals.poll();
            long at = Math.min(a.time, t); // early only when acknowledged by the packet at t: then at t
            if (at > model.now()) model.advance(at);
            if (a.inject != null) {
                model.model.inject(a.inject, model.now());
                model.sleep(0);
                model.collect();
            }
            calls.afterPacket(a.c, a.from, model.origin + Math.max(a.time, 0));
        }
    }

    /** A given side's FIN or RST, for how the connection ended. */
    private static void givenEnds(Captured c, FlowSide g) {
        Segment s = c.packet.segment();
        if (s.has(TcpFlags.FIN) && g.fin == FlowSide.Fin.NONE) {
            g.fin = FlowSide.Fin.SHUTDOWN;
            g.finPacket = c.index;
        }
        if (s.has(TcpFlags.RST)) g.rstByApp = true;
    }

    /** Matches the packet against the model's predictions; consumes the match. */
    private boolean match(Captured c, FlowSide me, long t, long tol) {
        Segment s = c.packet.segment();
        Predicted p = predictions.match(s, me.role, t, tol, CallInference.causedByCall(s));
        if (p == null) return false;
        recorder.arrived(p);
        List<Rule> rules = predictions.matchedUnder();
        if (rules == null) {
            flow.diverge(new Classifier.Timing(me.role, p, model.sinceStart(t), model.sinceStart(p.time())), c);
            return true;
        }
        if (!rules.isEmpty()) {
            long d = t - p.time();
            String how = "capture " + Clock.millis(Math.abs(d)) + (d > 0 ? " late" : " early");
            for (Rule r : rules) recorder.rule(r, how);
        }
        for (Predicted rider : predictions.forgiveRiders(s, me.role, t, tol)) {
            recorder.events(rider.events()); // what its arrival changed belongs to the packet it rode on
            recorder.rule(Rule.ACK_CARRIED_BY_NEXT_PACKET, "model only");
        }
        return true;
    }

    /** Makes the call that causes the packet, if one can; true when the model's packet then matches. */
    private boolean inferred(Captured c, FlowSide me, long t, long tol) {
        if (!calls.infer(c, me)) return false;
        model.collect();
        return match(c, me, t, tol);
    }

    /**
     * A bare ACK from a side that has not read what arrived, before its delayed-ACK timer: its application read now,
     * and the read sent the scheduled ACK (tcp_cleanup_rbuf). The read is made on the model, and its ACK must match.
     */
    private boolean readNow(Captured c, FlowSide me, long t, long tol) {
        Segment s = c.packet.segment();
        if (!me.unread || s.length() > 0 || (s.flags() & ~TcpFlags.PSH) != TcpFlags.ACK) return false;
        if (!calls.readNow(me)) return false;
        return match(c, me, t, tol);
    }

    /**
     * A kernel packet the model has not sent yet, because what it answers or the timer that sends it is a little
     * later in the model: a timer packet (a delayed ACK, the ACK of a FIN on the next tick, a retransmitted SYN) that
     * the capture shows up to a jiffy before the model's tick, or an answer (an ACK of data) whose cause is still on its
     * way in the model across a path, whose delay the handshake measured only to within its jitter. The model's
     * clock runs on to that side's next timer within the jiffy's window, or to the next delivery within the tolerance,
     * and no further: nothing else moves the model's clock ahead of the capture, so a packet that diverges does not
     * make every later packet late.
     */
    private boolean stepForward(Captured c, FlowSide me, long t, long tol) {
        Segment s = c.packet.segment();
        boolean kernelPacket = s.length() == 0 && (s.flags() & ~TcpFlags.PSH) == TcpFlags.ACK || FlowSetup.isSyn(s);
        if (!kernelPacket) return false;
        FlowSide peer = sides.peer(me);
        long limit = predictions.earlyLimit(t, tol), deliveries = t + tol;
        for (int i = 0; i < 4; i++) {
            OptionalLong timer = model.model.nextTimer(me.modelAddr, peer.modelAddr);
            OptionalLong delivery = plan.loopback() ? OptionalLong.empty() : model.model.nextDelivery();
            long due = Long.MAX_VALUE;
            if (timer.isPresent() && timer.getAsLong() <= limit) due = timer.getAsLong();
            if (delivery.isPresent() && delivery.getAsLong() <= deliveries) due = Math.min(due, delivery.getAsLong());
            if (due == Long.MAX_VALUE) return false;
            if (due > model.now()) model.sleep(due - model.now());
            model.model.settle(); // and what it sent arrives, as it does on the wire at once
            model.collect();
            if (match(c, me, t, tol)) return true;
        }
        return false;
    }

    private void unmatched(Captured c, FlowSide me, long t) {
        Segment s = c.packet.segment();
        Classifier.Verdict v = Classifier.classify(s, t, me, sides.peer(me), predictions, model.resyncing,
                model.sinceStart(0));
        if (v instanceof Classifier.NotCompared) {
            recorder.annotate(Classifier.NotCompared.NOTE);
            return;
        }
        Mismatch m = (Mismatch) v;
        if (m instanceof Classifier.Retransmission) {
            // A resent segment means one was lost: across a real path on the way, on loopback at the receiver (a full
            // accept queue drops the handshake's last ACK and the data behind it, LISTENOVERFLOWS). Retransmission
            // is not modelled yet (issue 12): what follows cannot be judged, rather than a cascade of differences.
            long from = me.captured.relative(s.seq());
            String lost = plan.loopback() ? "a segment was dropped on its way in (nothing is lost on lo itself: a "
                    + "full accept queue or receive buffer)" : "the path lost a segment";
            recorder.notJudged(c.index, lost + ": packet " + c.index + " sends " + me.role.word + " bytes " + from
                    + ":" + (from + s.length()) + " again, and retransmission is not modelled yet");
            return;
        }
        Predicted used = m.consumed();
        if (used != null) {
            predictions.remove(used);
            recorder.events(used.events()); // what the model's packet did on arrival happened in the model all the same
        }
        flow.diverge(m, c);
    }

    /** A prediction the capture does not have. */
    private void missing(Predicted p) {
        recorder.arrived(p);
        if (model.resyncing) return;
        flow.diverge(new Classifier.Missing(p), null);
    }
}
