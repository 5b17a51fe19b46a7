package io.tcpsim.replay;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.model.Link;
import io.tcpsim.model.Model;
import io.tcpsim.replay.Predictions.Predicted;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A flow's own {@link Model}, the two sides as its processes {@code client} and {@code server}: its clock against the
 * capture's, its listener, and what it did ({@link #collect}): each packet it sent between the flow's two endpoints
 * becomes a prediction, each state change of those endpoints a line of the timeline.
 */
final class FlowModel {
    final Model model;
    /** The capture time of the flow's first packet. */
    final long start;
    /** The capture time of the model's time 0: the flow's first packet, less the model's set-up time (a stand-in). */
    long origin;
    int listenFd = -1;
    /**
     * Whether the model's listen(0) queue holds the stand-in for the other connections that filled the listener's
     * accept queue when the capture's SYN went unanswered (until the capture shows the server answering again).
     */
    boolean standInQueued;
    /** The capture starts mid-connection; until its first application packet, the model is resynchronising. */
    boolean midstream, resyncing;

    private final FlowSide client, server;
    /** The model's names of the flow's two endpoints (other endpoints in the model, a listener's, are not followed). */
    private final String clientName, serverName;
    private final Predictions predictions;
    private final FlowRecorder recorder;
    private final boolean annotate;
    private final Consumer<Predicted> missing;

    FlowModel(Model model, long start, Sides sides, Predictions predictions, FlowRecorder recorder,
              Consumer<Predicted> missing) {
        this.model = model;
        this.start = start;
        this.origin = start;
        this.client = sides.client();
        this.server = sides.server();
        this.clientName = client.modelAddr + " > " + server.modelAddr;
        this.serverName = server.modelAddr + " > " + client.modelAddr;
        this.predictions = predictions;
        this.recorder = recorder;
        this.annotate = recorder.annotating();
        this.missing = missing;
    }

    /** Delivery delays in the model, per receiver: the loopback's unless a path or a given side says otherwise. */
    private long toServer = -1, toClient = -1;
    private FlowSide outside;
    private long outsideDelay;

    /** Both sides in the model, across a path: each direction takes the round trip from the capture to its receiver. */
    void link(long toServer, long toClient, long loopback) {
        this.toServer = toServer;
        this.toClient = toClient;
        SockAddr s = server.modelAddr, c = client.modelAddr;
        model.link(seg -> seg.dst().equals(s) ? toServer : seg.dst().equals(c) ? toClient : loopback);
    }

    /**
     * {@code given} is not in the model: what the judged side sends it leaves the host; its own packets reach the
     * judged side {@code delay} after the capture shows them (Flow delivers them).
     */
    void link(FlowSide given, long delay, long loopback) {
        this.outside = given;
        this.outsideDelay = delay;
        SockAddr g = given.modelAddr;
        model.link(seg -> seg.dst().equals(g) ? Link.LEAVES : loopback);
    }

    /** How long after its capture a packet for {@code receiver} reaches it in the model. */
    long delayTo(FlowSide receiver) {
        if (receiver == outside) return 0; // it leaves the model: nothing receives it here
        if (outside != null) return 0;
        long d = receiver == server ? toServer : toClient;
        return d < 0 ? 0 : d;
    }

    /** How long after its capture a given side's packet reaches the judged side. */
    long givenDelay() {
        return outsideDelay;
    }

    Result call(Role role, Call call) {
        return model.call(role.word, call);
    }

    long now() {
        return model.now();
    }

    /** The model's present as a capture time. */
    long captureNow() {
        return origin + model.now();
    }

    /** A model time as the time since the capture's first packet of the flow. */
    long sinceStart(long modelTime) {
        return modelTime + origin - start;
    }

    void sleep(long nanos) {
        model.sleep(nanos);
    }

    /** Moves the model's clock to {@code t} (it never goes back) and collects what happened. */
    void advance(long t) {
        if (t > model.now()) model.sleep(t - model.now());
        collect();
    }

    /** Whether a read by {@code role} now would send the scheduled ACK at once (tcp_cleanup_rbuf). */
    boolean readFlushesAck(Role role, int fd) {
        return model.readFlushesAck(role.word, fd);
    }

    /** What the model has done since the last look, set aside: the set-up that is compared with nothing. */
    List<Event> discard() {
        return model.drainEvents();
    }

    /** The packets the model sent between the two endpoints become predictions; their state changes are recorded. */
    void collect() {
        for (Event e : model.drainEvents()) {
            if (e instanceof Event.PacketSent ps) {
                Segment seg = ps.packet().segment();
                FlowSide me;
                if (seg.src().equals(client.modelAddr) && seg.dst().equals(server.modelAddr)) me = client;
                else if (seg.src().equals(server.modelAddr) && seg.dst().equals(client.modelAddr)) me = server;
                else continue; // the stand-in connection's packets are not the capture's
                if (seg.has(TcpFlags.SYN)) me.model.learn(seg.seq());
                if (me.modelTs0 < 0 && seg.timestamps() != null) me.modelTs0 = seg.timestamps().val();
                if (seg.has(TcpFlags.RST) && me.rstReason == null) me.rstReason = ps.rstReason();
                Predicted old = predictions.overflow();
                if (old != null) missing.accept(old);
                predictions.add(ps.packet().timeNanos(), me.role, seg, annotate ? new ArrayList<>(1) : null,
                        recorder.tracing() ? new ArrayList<>(1) : null);
            } else if (e instanceof Event.StateChanged sc) {
                FlowSide me;
                if (sc.endpoint().equals(clientName)) me = client;
                else if (sc.endpoint().equals(serverName)) me = server;
                else continue;
                // A timewait minisock taking over is one state change on the wire, not two (tcp_time_wait).
                if (sc.cause() == Cause.TIMEWAIT_HANDOVER) continue;
                TcpState from = sc.from() == null ? me.state : sc.from();
                if (from == sc.to()) continue;
                if (sc.to() == TcpState.CLOSE && !me.reset && sc.cause() == Cause.RESET_RECEIVED) {
                    me.reset = true;
                    me.stateWhenReset = from;
                }
                // An abandoned connect (close in SYN_SENT) never completes: its result stays EINPROGRESS.
                if (me == client && from == TcpState.SYN_SENT && (sc.to() == TcpState.ESTABLISHED || me.reset)) {
                    recorder.connectDone(sc.to());
                }
                me.state = sc.to();
                recorder.state(me.role, origin + sc.timeNanos(), from, sc.to());
            }
        }
    }
}
