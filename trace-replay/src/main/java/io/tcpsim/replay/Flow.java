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
    /** For a capture without usable time: every time is in time (the fields are still compared). */
    static final Tolerance TIMELESS = new Tolerance(Long.MAX_VALUE / 8, 0);
    private Tolerance tolerance = TOLERANCE;

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
    /** Decided by the flow's first packet: what is judged, the path (see FlowPlan). */
    private FlowPlan plan;
    /** Set up by the flow's first packet (none when nothing is judged); null again once the flow is reported. */
    private FlowModel model;
    /** The side taken as given, when only one side is Linux. */
    private GivenPeer given;
    /** Packets on their way in the model: what follows their arrival (a read, an injection) waits for it. */
    private final ArrayDeque<Arrival> arrivals = new ArrayDeque<>();
    /** A flow that is not judged ends when an RST or both FINs and their ACK are seen. */
    private boolean finSeenClient, finSeenServer, over;
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

    /**
     * A captured packet's arrival at its receiver in the model, at model time {@code time}: then the receiver reads
     * it (CallInference.afterPacket), and a given side's packet is delivered ({@code inject}, else null).
     */
    private record Arrival(long time, Captured c, FlowSide from, Segment inject) {}

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
        if (model != null) {
            long end = Math.min(captureEnd - model.origin, lastTime - model.origin + 5_000_000_000L);
            arrive(Long.MAX_VALUE, null);
            model.collect();
            calls.abandonConnect(end);
            if (end > model.now()) model.sleep(end - model.now());
            model.collect();
            predictions.expire(end, true, prevRel, TOLERANCE, missing);
            calls.undecidedFins();
            calls.consequences();
        }
        finished = true;
        FlowReport r = recorder.report(number, client, server, firstPacket, lastPacket, packets, startNanos, lastTime,
                model == null && plan != null && plan.mode() == FlowPlan.Mode.NONE ? zeekEnded()
                        : FlowRecorder.ended(client, server, listener), zeek);
        // The model is most of a flow's memory, and a reported flow may stay referenced by the lookahead window.
        model = null;
        predictions = null;
        calls = null;
        lines = null;
        given = null;
        arrivals.clear();
        recorder.detach();
        return r;
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
        if (model == null) { // not judged: followed to its end, not replayed
            follow(c, me);
            return;
        }
        // Mid-stream, an ISN is the number before the first one seen (as Zeek takes a partial connection's).
        if (s.has(TcpFlags.ACK) && !peer.captured.known() && model.midstream) peer.captured.learn(s.ack() - 1);
        if (!me.captured.known() && model.midstream) me.captured.learn(s.seq() - 1);
        if (me.captured.known()) {
            me.capNextBefore = me.capNext;
            me.capNext = Math.max(me.capNext, me.captured.relative(s.seq()) + s.seqLength());
        }
        if (me.capTs0 < 0 && s.timestamps() != null) me.capTs0 = s.timestamps().val();
        String loss = plan.loopback() ? null : lossSeen(c, me, peer);
        if (loss != null) { // what the model would do next is what the path did not: stop here, and say why
            recorder.notJudged(c.index, loss + ", and retransmission is not modelled yet");
            stopJudging();
            follow(c, me);
            return;
        }
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
            if (model.standInQueued && me == client && FlowSetup.isSyn(s)) {
                FlowSetup.acceptStandIn(c, buffer, model, server, recorder);
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
     * What arrives in the model by model time {@code t}: each captured packet reaches its receiver (which then reads
     * it), a given side's packet is delivered; and, for {@code ack}, a packet of a judged side, the given packets it
     * acknowledges arrive first (a side cannot acknowledge what it has not received: a path's jitter).
     */
    private void arrive(long t, Segment ack) {
        long acked = ack != null && given != null && ack.has(TcpFlags.ACK) ? sides.peer(sides.of(
                ack.src().equals(client.addr) ? Role.CLIENT : Role.SERVER)).captured.relative(ack.ack()) : -1;
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

    /**
     * Whether captured packet {@code c} shows that the path lost a segment of a flow not on loopback: data from
     * {@code me} that starts past what the capture has seen of it (a hole the capture point never saw: lost between
     * the sender and the capture), or a SACK block above the ACK (the receiver is missing bytes; tcp_sacktag_write_queue's
     * input). Returns how it says so, or null.
     */
    private String lossSeen(Captured c, FlowSide me, FlowSide peer) {
        Segment s = c.packet.segment();
        if (s.length() > 0 && me.captured.known() && !s.has(TcpFlags.SYN)) {
            long seq = me.captured.relative(s.seq());
            if (seq > me.capNextBefore && me.capNextBefore > 0) {
                return "the path lost a segment before the capture point: packet " + c.index + " sends "
                        + me.role.word + " bytes from " + seq + ", and " + me.capNextBefore + ":" + seq
                        + " are not in the capture";
            }
        }
        if (s.has(TcpFlags.ACK) && peer.captured.known()) {
            long ack = peer.captured.relative(s.ack());
            for (io.tcpsim.wire.TcpOption o : s.options()) {
                if (!(o instanceof io.tcpsim.wire.TcpOption.Sack sack)) continue;
                for (long[] b : sack.blocks()) {
                    long left = peer.captured.relative(b[0]);
                    if (left > ack && left - ack < 1L << 30) {
                        return "the path lost a segment: packet " + c.index + " ACKs " + peer.role.word + " bytes "
                                + "up to " + ack + " with a SACK block from " + left + " (bytes " + ack + ":" + left
                                + " did not arrive)";
                    }
                }
            }
        }
        return null;
    }

    /** A given side's FIN or RST, for how the connection ended. */
    private void givenEnds(Captured c, FlowSide g) {
        Segment s = c.packet.segment();
        if (s.has(TcpFlags.FIN) && g.fin == FlowSide.Fin.NONE) {
            g.fin = FlowSide.Fin.SHUTDOWN;
            g.finPacket = c.index;
        }
        if (s.has(TcpFlags.RST)) g.rstByApp = true;
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
        model = null;
        predictions = null;
        calls = null;
        given = null;
        arrivals.clear();
        recorder.detach();
    }

    private PacketLines lines() {
        if (lines == null) lines = new PacketLines(sides, model); // most flows print no line
        return lines;
    }

    /** Plans the flow from its first packet, and sets the model up for what is judged. */
    private void start(Captured c) {
        Segment s = c.packet.segment();
        firstPacket = c.index;
        startNanos = c.packet.timeNanos();
        zeekOrig = FlowSetup.roles(s, client, server);
        zeek.firstSenderIsClient(zeekOrig == Role.CLIENT);
        plan = FlowPlan.of(c, buffer, client, server, replay.facts());
        String vlan = io.tcpsim.pcap.LinkLayer.describeVlans(c.vlans);
        if (vlan != null) recorder.fact("link: " + vlan + " (a flow is its 4-tuple in its VLANs)");
        if (plan.mode() != FlowPlan.Mode.BOTH || !plan.loopback()) {
            recorder.fact(plan.client().describe(Role.CLIENT));
            recorder.fact(plan.server().describe(Role.SERVER));
        }
        if (plan.where() != null) recorder.fact(plan.where());
        if (replay.facts().timeless()) {
            tolerance = TIMELESS;
            recorder.fact("time: " + replay.facts().sameTimes() + " share their timestamp with the one before (the "
                    + "capture keeps no usable time): packets are compared without their times");
        }
        if (plan.mode() == FlowPlan.Mode.NONE) {
            recorder.notJudged(0, plan.notJudged());
            return;
        }
        Role judged = plan.judged();
        FlowSide j = judged == null ? null : sides.of(judged), g = judged == null ? null : sides.peer(j);
        if (g != null) {
            g.given = true;
            recorder.fact(g.role.word + ": taken as given (its packets are delivered to the " + j.role.word
                    + " in the model, as a script's inbound packets are; only the " + j.role.word + " is judged)");
        }
        if (plan.blankedTs()) {
            recorder.fact("options: ten NOPs stand where the TS option goes (the capture was anonymised, or a "
                    + "middlebox rewrote them): compared as TS");
        }
        Profiles.Chosen chosen = chooseProfile(c, judged);
        Model m = new Model(chosen.profile(), number);
        predictions = new Predictions(sides, m.profile().jiffyNanos());
        model = new FlowModel(m, c.packet.timeNanos(), sides, predictions, recorder, missing);
        recorder.attach(model, predictions);
        calls = new CallInference(model, sides, predictions, recorder, buffer);
        long lo = m.profile().loopbackDelayNanos();
        if (g != null) {
            model.link(g, Math.max(judged == Role.SERVER ? plan.toServer() : plan.toClient(), 0), lo);
            given = new GivenPeer(g, j);
            FlowSetup.startOne(c, buffer, model, j, g, recorder);
        } else {
            if (!plan.loopback() && plan.toServer() >= 0 && plan.toClient() >= 0) {
                model.link(Math.max(plan.toServer(), lo), Math.max(plan.toClient(), lo), lo);
            }
            FlowSetup.start(c, buffer, model, client, server, recorder, calls, plan.loopback());
        }
        listener = model.listenFd >= 0;
        if (chosen.olderKernel() != null) {
            String why = chosen.olderKernel() + "; its receive-window accounting (tcp_adv_win_scale) is not the model's";
            for (FlowSide sd : new FlowSide[] {client, server}) if (!sd.given) sd.windowNotJudged = why;
            recorder.fact("window: not compared (" + why + ")");
        }
        if (!chosen.keys().isEmpty()) {
            recorder.note("profile from the handshake: " + String.join(", ", chosen.keys()));
        }
    }

    /**
     * The model's profile, from the flow's SYN and the SYN-ACK that answers it, when the lookahead has them: the
     * judged side's, when only one side is judged.
     */
    private Profiles.Chosen chooseProfile(Captured first, Role judged) {
        Segment s = first.packet.segment();
        if (!FlowSetup.isSyn(s)) return new Profiles.Chosen(Profiles.LINUX6, List.of());
        Segment synAck = null;
        for (Captured n : buffer) {
            Segment ns = n.packet.segment();
            if (ns.src().equals(s.dst()) && ns.has(TcpFlags.SYN) && ns.has(TcpFlags.ACK)) {
                synAck = ns;
                break;
            }
        }
        Profiles.SynFacts cf = Profiles.SynFacts.of(s), sf = synAck == null ? null : Profiles.SynFacts.of(synAck);
        if (judged == Role.SERVER && sf != null) {
            return Profiles.forHandshake(sf, cf, -1, replay.facts().pingpong(s.dst().ip()), true, -1);
        }
        return Profiles.forHandshake(cf, sf, replay.facts().synLinearTimeouts(s.src().ip()),
                replay.facts().pingpong(s.dst().ip()), false, replay.facts().hz());
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
            java.util.OptionalLong timer = model.model.nextTimer(me.modelAddr, peer.modelAddr);
            java.util.OptionalLong delivery = plan.loopback() ? java.util.OptionalLong.empty()
                    : model.model.nextDelivery();
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
        diverge(m, c);
    }

    /** A prediction the capture does not have. */
    private void missing(Predicted p) {
        recorder.arrived(p);
        if (model.resyncing) return;
        diverge(new Classifier.Missing(p), null);
    }

    private void diverge(Mismatch m, Captured c) {
        recorder.diverge(m, c == null ? 0 : c.index, c == null ? null : c.shown, lines());
    }

    /**
     * The judged sides are gone or in TIME_WAIT, and nothing predicted is outstanding: the flow can be reported. A flow
     * no longer judged is over as one that is not judged is.
     */
    private boolean terminal() {
        if (model == null) return over;
        if (!predictions.isEmpty()) return false;
        if (given != null) {
            FlowSide j = client.given ? server : client;
            return j.state != null && gone(j);
        }
        return gone(client) && gone(server) && client.state != null;
    }

    private static boolean gone(FlowSide sd) {
        return sd.state == TcpState.CLOSE || sd.state == TcpState.TIME_WAIT || sd.state == null;
    }
}
