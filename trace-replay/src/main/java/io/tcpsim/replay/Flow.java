package io.tcpsim.replay;

import io.tcpsim.compare.Tolerance;
import io.tcpsim.replay.Classifier.Mismatch;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayDeque;

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
    /** For a capture without usable time: every time is in time (the fields are still compared). */
    static final Tolerance TIMELESS = new Tolerance(Long.MAX_VALUE / 8, 0);

    /** From 1, in the order flows start; with several workers, given when the batch it started in is done (Workers). */
    int number;
    /** The capture record that started this flow (its first packet), and the record of its latest packet. */
    long firstRecord, seen;
    /** The flow table's key for this flow. */
    Object key;
    private final Replay replay;
    private final ArrayDeque<Captured> buffer = new ArrayDeque<>();
    private final Sides sides = new Sides();
    private final FlowSide client = sides.client(), server = sides.server();
    private final FlowRecorder recorder;
    private final ZeekState zeek = new ZeekState();
    private Role zeekOrig = Role.CLIENT;
    /** Decided by the flow's first packet: what is judged, the path (see FlowPlan). */
    private FlowPlan plan;
    /** The model and what goes with it, while the flow is judged (see FlowStart); null when not, or no longer. */
    private Judging judging;
    /** A flow that is not judged ends when an RST or both FINs and their ACK are seen. */
    private boolean finSeenClient, finSeenServer, over;
    private PacketLines lines;
    private long firstPacket, lastPacket, packets, lastTime;
    /** For the report, which outlives the model: the flow's first packet's time, and whether a server listened. */
    private long startNanos;
    private boolean listener;
    /** Being reported ({@link #finish}): a connection that ends meanwhile is reported by that call, once. */
    private boolean finishing;
    private boolean finished;
    Captured lastCaptured;

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
        if (!s.has(TcpFlags.SYN) || s.has(TcpFlags.ACK) || plan == null && buffer.isEmpty()) return false;
        var clientAddr = client.addr;
        long isn = client.captured.isn();
        if (plan == null) { // not started yet: the flow's first packet is still buffered
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

    /** The replay (with several workers: the shard) that follows this flow. */
    Replay replay() {
        return replay;
    }

    /**
     * Whether the flow is not on loopback, as {@link #onPath} says while {@code c}, its newest packet, waits: before
     * the flow's plan, its first packet's addresses, which are {@code c}'s when the buffer is empty.
     */
    boolean onPathFor(Captured c) {
        if (plan != null) return !plan.loopback();
        Segment s = (buffer.isEmpty() ? c : buffer.peek()).packet.segment();
        return !((s.src().ip() >>> 24) == 127 && (s.dst().ip() >>> 24) == 127 || s.src().ip() == s.dst().ip());
    }

    /** Whether the flow is not on loopback (its packets wait longer for lookahead: Replay.PATH_WINDOW_NANOS). */
    boolean onPath() {
        if (plan != null) return !plan.loopback();
        Segment s = buffer.isEmpty() ? null : buffer.peek().packet.segment();
        return s != null && !((s.src().ip() >>> 24) == 127 && (s.dst().ip() >>> 24) == 127 || s.src().ip() == s.dst().ip());
    }

    /** Replays what is left, lets the model run to the end of the capture, and reports. */
    FlowReport finish(long captureEnd) {
        finishing = true;
        while (!buffer.isEmpty()) process(buffer.poll());
        if (judging != null) {
            FlowModel model = judging.model;
            judging.finish(Math.min(captureEnd - model.origin, lastTime - model.origin + 5_000_000_000L));
        }
        finished = true;
        FlowReport r = recorder.report(number, client, server, firstPacket, lastPacket, packets, startNanos, lastTime,
                judging == null && plan != null && plan.mode() == FlowPlan.Mode.NONE ? zeekEnded()
                        : FlowRecorder.ended(client, server, listener), zeek);
        // The model is most of a flow's memory, and a reported flow may stay referenced by the lookahead window.
        judging = null;
        lines = null;
        recorder.detach();
        return r;
    }

    /**
     * Replay forgets this flow before its end, at capture record {@code record}: more than {@code limit} were open
     * at once (Replay.MAX_OPEN_FLOWS). It is reported as it stands; a later packet of it starts a new flow.
     */
    void evicted(int limit, long record) {
        recorder.note("evicted at packet " + record + ": more than " + limit + " connections were open at once, and "
                + "this one had been quiet longest (docs/limits.md); its later packets, if any, start a new flow");
    }

    /** How a flow that was not judged ended, from its packets alone. */
    private String zeekEnded() {
        return "not replayed; as Zeek sees it: " + zeek.connState();
    }

    // ------------------------------------------------------------------ one packet

    private void process(Captured c) {
        recorder.begin(c);
        Segment s = c.packet.segment();
        if (plan == null) start(c);
        if (plan.blankedTs()) s = c.judgeAs(SideSystem.unblank(s));
        FlowSide me = s.src().equals(client.addr) ? client : server, peer = sides.peer(me);
        if (duplicate(c, me)) return;
        packets++;
        lastPacket = c.index;
        lastCaptured = c;
        zeek.packet(s, me.role == zeekOrig, c.packet.timeNanos(), ZeekState.ipLength(s), c.payloadCut);
        Anomalies.Anomaly bad = Anomalies.check(c, me, peer, buffer);
        if (bad != null) { // not the sender's: reported, and not replayed (its receiver ignored it)
            diverge(bad, c);
            lastTime = c.packet.timeNanos();
            c.processed = true;
            recorder.end(c, me.role);
            return;
        }
        if (s.has(TcpFlags.SYN) && !me.captured.known()) me.captured.learn(s.seq());
        if (judging == null) { // not judged: followed to its end, not replayed
            follow(c, me);
            return;
        }
        // Mid-stream, an ISN is the number before the first one seen (as Zeek takes a partial connection's).
        boolean midstream = judging.model.midstream;
        if (s.has(TcpFlags.ACK) && !peer.captured.known() && midstream) peer.captured.learn(s.ack() - 1);
        if (!me.captured.known() && midstream) me.captured.learn(s.seq() - 1);
        if (me.captured.known()) {
            me.capNextBefore = me.capNext;
            me.capNext = Math.max(me.capNext, me.captured.relative(s.seq()) + s.seqLength());
        }
        if (me.capTs0 < 0 && s.timestamps() != null) me.capTs0 = s.timestamps().val();
        String loss = plan.loopback() ? null : PathLoss.seen(c, me, peer);
        if (loss != null) { // what the model would do next is what the path did not: stop here, and say why
            recorder.notJudged(c.index, loss + ", and retransmission is not modelled yet");
            stopJudging();
            follow(c, me);
            return;
        }
        judging.judge(c, me, peer, buffer);
        lastTime = c.packet.timeNanos();
        c.processed = true;
        recorder.end(c, me.role);
        if (!recorder.judging()) stopJudging();
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

    /**
     * The same packet again, byte for byte with its IP id, within a millisecond: the capture recorded it twice (NFLOG
     * logs a packet at each rule it matches; a capture on two interfaces merged). A sender's retransmission has a new
     * IP id and comes an RTO or a round trip later. Noted and left out.
     */
    private boolean duplicate(Captured c, FlowSide me) {
        Captured last = me.lastPacket;
        me.lastPacket = c;
        if (last == null || last.packet.ipId() != c.packet.ipId()
                || c.packet.timeNanos() - last.packet.timeNanos() > 1_000_000L
                || !last.packet.segment().equals(c.packet.segment())) {
            return false;
        }
        recorder.note("packet " + c.index + " is packet " + last.index + " again (the same bytes and IP id): recorded "
                + "twice by the capture, left out");
        recorder.annotate("a duplicate of packet " + last.index + " in the capture: left out");
        c.processed = true;
        recorder.end(c, me.role);
        return true;
    }

    /** A flow that is not judged: over at an RST, or when both FINs were sent and the last one ACKed. */
    private void follow(Captured c, FlowSide me) {
        Segment s = c.packet.segment();
        if (s.has(TcpFlags.FIN)) {
            if (me == client) finSeenClient = true;
            else finSeenServer = true;
        }
        boolean ackOfLastFin = finSeenClient && finSeenServer && !s.has(TcpFlags.FIN) && s.has(TcpFlags.ACK);
        if (s.has(TcpFlags.RST) || ackOfLastFin) over = true;
        lastTime = c.packet.timeNanos();
        c.processed = true;
        recorder.end(c, me.role);
        if (over && buffer.isEmpty() && !finishing) replay.flowDone(this);
    }

    /** Judging stopped (what follows is not modelled): the model is let go, the flow is followed to its end. */
    private void stopJudging() {
        judging = null;
        recorder.detach();
    }

    private PacketLines lines() {
        if (lines == null) lines = new PacketLines(sides, judging == null ? null : judging.model); // most flows print no line
        return lines;
    }

    /** Plans the flow from its first packet, and sets the model up for what is judged. */
    private void start(Captured c) {
        Segment s = c.packet.segment();
        firstPacket = c.index;
        startNanos = c.packet.timeNanos();
        zeekOrig = FlowSetup.roles(s, client, server);
        zeek.firstSenderIsClient(zeekOrig == Role.CLIENT);
        FlowStart.Started started = FlowStart.start(this, c, buffer, sides, recorder, replay.facts());
        plan = started.plan();
        judging = started.judging();
        listener = started.listener();
    }

    /** Records a divergence found at captured packet {@code c} (null: a prediction the capture lacks). */
    void diverge(Mismatch m, Captured c) {
        recorder.diverge(m, c == null ? 0 : c.index, c == null ? null : c.shown, lines());
    }

    /**
     * The flow can be reported: the judged sides are gone or in TIME_WAIT with nothing predicted outstanding
     * ({@link Judging#terminal}), or, not judged (any more), an RST or both FINs and their ACK were seen.
     */
    private boolean terminal() {
        return judging == null ? over : judging.terminal();
    }
}
