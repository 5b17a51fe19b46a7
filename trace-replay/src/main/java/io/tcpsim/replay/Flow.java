package io.tcpsim.replay;

import io.tcpsim.backend.TcpState;
import io.tcpsim.compare.Rule;
import io.tcpsim.compare.Tolerance;
import io.tcpsim.model.Model;
import io.tcpsim.replay.Classifier.Mismatch;
import io.tcpsim.replay.Predictions.Predicted;
import io.tcpsim.run.Clock;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * One TCP connection of the capture, replayed through its own model ({@link FlowModel}): the client binds the
 * captured port and connects, the server listens on its port ({@link FlowSetup}), and the model follows the capture's
 * clock with {@code sleep}.
 *
 * <p>Each captured packet is either caused by an application call (a SYN by connect, data by send, a FIN by close or
 * shutdown, an RST by an aborting close) or sent by the kernel on its own (SYN-ACK, ACKs, RSTs in answer). A packet
 * the model already predicted is matched against the prediction ({@link Predictions}). Otherwise, if a call can
 * cause it, replay makes that call on the model at the packet's time ({@link CallInference}), and the model's packet
 * must match. A kernel packet the model has not predicted yet lets the model's clock run on, up to the timer rules'
 * allowance. What is left over either way is classified ({@link Classifier}) into a divergence, recorded with
 * everything else the report says ({@link FlowRecorder}).
 *
 * <p>Decisions that depend on what comes later (close or shutdown? a listener or none?) look at the packets of this
 * flow buffered behind the current one ({@link #LOOKAHEAD}). State is bounded: the buffer, at most
 * {@link Predictions#MAX} predictions, and the recorder's bounds.
 */
final class Flow {
    static final int LOOKAHEAD = 4;
    /** The timing tolerance of check: 4 ms, or 12.5 % of the time since the flow's previous packet if larger. */
    static final Tolerance TOLERANCE = Tolerance.DEFAULT;

    final int number;
    /** The flow table's key for this flow. */
    Object key;
    private final Replay replay;
    private final ArrayDeque<Captured> buffer = new ArrayDeque<>();
    private final Sides sides = new Sides();
    private final FlowSide client = sides.client(), server = sides.server();
    private final FlowRecorder recorder;
    private final ZeekState zeek = new ZeekState();
    private Role zeekOrig = Role.CLIENT;
    /** Set up by the flow's first packet; null again once the flow is reported (with the parts that use it). */
    private FlowModel model;
    private Predictions predictions;
    private CallInference calls;
    private PacketLines lines;
    private long firstPacket, lastPacket, packets, lastTime, prevRel;
    /** For the report, which outlives the model: the flow's first packet's time, and whether a server listened. */
    private long startNanos;
    private boolean listener;
    /** Being reported ({@link #finish}): a connection that ends meanwhile is reported by that call, once. */
    private boolean finishing;
    private boolean finished;
    Captured lastCaptured;

    /** Where a prediction the capture does not have goes. */
    private final Consumer<Predicted> missing = this::missing;

    Flow(int number, Replay replay, boolean annotate, boolean trace) {
        this.number = number;
        this.replay = replay;
        this.recorder = new FlowRecorder(annotate, trace);
    }

    // ------------------------------------------------------------------ feeding

    /** Takes the flow's next packet; processes what has enough lookahead behind it. */
    void offer(Captured c) {
        c.flow = this;
        buffer.add(c);
        while (buffer.size() > LOOKAHEAD && !finished) process(buffer.poll());
    }

    /** Processes buffered packets up to and including {@code c} (forced: the capture moved on). */
    void processThrough(Captured c) {
        while (!buffer.isEmpty() && !c.processed && !finished) process(buffer.poll());
    }

    /** A SYN starting a new connection on this 4-tuple ends this flow. */
    boolean isNewConnection(Segment s) {
        if (!s.has(TcpFlags.SYN) || s.has(TcpFlags.ACK) || model == null && buffer.isEmpty()) return false;
        var clientAddr = client.addr;
        long isn = client.captured.isn();
        if (model == null) { // not started yet: the flow's first packet is still buffered
            Segment first = buffer.peek().packet.segment();
            if (!FlowSetup.isSyn(first)) return true;
            clientAddr = first.src();
            isn = first.seq();
        }
        // The client's SYN again, same sequence number: a retransmission (tcp_retransmit_timer), same connection.
        if (!s.src().equals(clientAddr)) return true;
        return isn >= 0 && s.seq() != isn;
    }

    boolean finished() {
        return finished;
    }

    /** Replays what is left, lets the model run to the end of the capture, and reports. */
    FlowReport finish(long captureEnd) {
        finishing = true;
        while (!buffer.isEmpty()) process(buffer.poll());
        if (model != null) {
            long end = Math.min(captureEnd - model.origin, lastTime - model.origin + 5_000_000_000L);
            model.collect();
            calls.abandonConnect(end);
            if (end > model.now()) model.sleep(end - model.now());
            model.collect();
            predictions.expire(end, true, prevRel, TOLERANCE, missing);
            calls.consequences();
        }
        finished = true;
        FlowReport r = recorder.report(number, client, server, firstPacket, lastPacket, packets, startNanos, lastTime,
                FlowRecorder.ended(client, server, listener), zeek);
        // The model is most of a flow's memory, and a reported flow may stay referenced by the lookahead window.
        model = null;
        predictions = null;
        calls = null;
        lines = null;
        recorder.detach();
        return r;
    }

    // ------------------------------------------------------------------ one packet

    private void process(Captured c) {
        recorder.begin(c);
        Segment s = c.packet.segment();
        if (model == null) start(c);
        FlowSide me = s.src().equals(client.addr) ? client : server, peer = sides.peer(me);
        packets++;
        lastPacket = c.index;
        lastCaptured = c;
        zeek.packet(s, me.role == zeekOrig, c.packet.timeNanos(), ZeekState.ipLength(s), c.payloadCut);
        if (s.has(TcpFlags.SYN) && !me.captured.known()) me.captured.learn(s.seq());
        // Mid-stream, an ISN is the number before the first one seen (as Zeek takes a partial connection's).
        if (s.has(TcpFlags.ACK) && !peer.captured.known() && model.midstream) peer.captured.learn(s.ack() - 1);
        if (!me.captured.known() && model.midstream) me.captured.learn(s.seq() - 1);
        if (me.captured.known()) {
            me.capNextBefore = me.capNext;
            me.capNext = Math.max(me.capNext, me.captured.relative(s.seq()) + s.seqLength());
        }
        long t = c.packet.timeNanos() - model.origin;
        long tol = TOLERANCE.allowed(t - prevRel);
        if (model.standInQueued && me == client && FlowSetup.isSyn(s)) {
            FlowSetup.acceptStandIn(c, buffer, model, server, recorder);
        }
        model.advance(t);
        if (!match(c, me, t, tol) && !inferred(c, me, t, tol) && !stepForward(c, me, t, tol)) unmatched(c, me, t);
        calls.afterPacket(c, me);
        predictions.expire(t, false, prevRel, TOLERANCE, missing);
        prevRel = t;
        lastTime = c.packet.timeNanos();
        c.processed = true;
        recorder.end(c, me.role);
        if (terminal()) {
            while (!buffer.isEmpty()) {
                Captured n = buffer.peek();
                if (FlowSetup.isSyn(n.packet.segment())) break;
                buffer.poll();
                process(n);
                if (finished || !terminal()) return; // reported meanwhile, or not over after all
            }
            if (buffer.isEmpty() && !finishing) replay.flowDone(this);
        }
    }

    /** Sets the model up for the flow's first packet. */
    private void start(Captured c) {
        Segment s = c.packet.segment();
        firstPacket = c.index;
        startNanos = c.packet.timeNanos();
        zeekOrig = FlowSetup.roles(s, client, server);
        zeek.firstSenderIsClient(zeekOrig == Role.CLIENT);
        Model m = new Model(FlowSetup.isSyn(s) ? Profiles.forSyn(s) : Profiles.LINUX6, number);
        predictions = new Predictions(sides, m.profile().jiffyNanos());
        model = new FlowModel(m, c.packet.timeNanos(), sides, predictions, recorder, missing);
        recorder.attach(model, predictions);
        calls = new CallInference(model, sides, predictions, recorder, buffer);
        FlowSetup.start(c, buffer, model, client, server, recorder, calls);
        listener = model.listenFd >= 0;
    }

    /** Matches the packet against the model's predictions; consumes the match. */
    private boolean match(Captured c, FlowSide me, long t, long tol) {
        Segment s = c.packet.segment();
        Predicted p = predictions.match(s, me.role, t, tol, CallInference.causedByCall(s));
        if (p == null) return false;
        recorder.arrived(p);
        List<Rule> rules = predictions.matchedUnder();
        if (rules == null) {
            diverge(new Classifier.Timing(me.role, p, model.sinceStart(t), model.sinceStart(p.time())), c);
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

    /** Lets the model's clock run on for a kernel packet that has not been predicted yet. */
    private boolean stepForward(Captured c, FlowSide me, long t, long tol) {
        long limit = predictions.earlyLimit(t, tol);
        long step = 1_000_000L;
        while (model.now() < limit) {
            model.sleep(Math.min(step, limit - model.now()));
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
        Predicted used = m.consumed();
        if (used != null) {
            predictions.remove(used);
            recorder.events(used.events()); // what the model's packet did on arrival happened in the model all the same
        }
        diverge(m, c);
    }

    /** A prediction the capture does not have. */
    private void missing(Predicted p) {
        recorder.arrived(p);
        if (model.resyncing) return;
        diverge(new Classifier.Missing(p), null);
    }

    private void diverge(Mismatch m, Captured c) {
        if (lines == null) lines = new PacketLines(sides, model); // most flows print no line
        recorder.diverge(m, c == null ? 0 : c.index, c == null ? null : c.packet, lines);
    }

    /** Both sides are gone or in TIME_WAIT, and nothing predicted is outstanding: the flow can be reported. */
    private boolean terminal() {
        return predictions.isEmpty() && gone(client) && gone(server) && client.state != null;
    }

    private static boolean gone(FlowSide sd) {
        return sd.state == TcpState.CLOSE || sd.state == TcpState.TIME_WAIT || sd.state == null;
    }
}
