package io.tcpsim.replay;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.compare.Tolerance;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import io.tcpsim.wire.TcpdumpPrinter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/**
 * One TCP connection of the capture, replayed through its own {@link Model}: the client binds the captured port and
 * connects, the server listens on its port, and the model follows the capture's clock with {@code sleep}.
 *
 * <p>Each captured packet is either caused by an application call (a SYN by connect, data by send, a FIN by close or
 * shutdown, an RST by an aborting close) or sent by the kernel on its own (SYN-ACK, ACKs, RSTs in answer). A packet
 * the model already predicted is matched against the prediction. Otherwise, if a call can cause it, replay makes
 * that call on the model at the packet's time, and the model's packet must match. A kernel packet the model has not
 * predicted yet lets the model's clock run on up to the timing tolerance (a delayed ACK fires on the model's own
 * tick). What is left over either way is a {@link Divergence}.
 *
 * <p>Decisions that depend on what comes later (close or shutdown? a listener or none?) look at the packets of this
 * flow buffered behind the current one ({@link #LOOKAHEAD}). State is bounded: the buffer, at most
 * {@link #MAX_PENDING} predictions, {@link #MAX_DIVERGENCES} divergences and {@link #MAX_CALLS} call records.
 */
final class Flow {
    static final int LOOKAHEAD = 4;
    static final int MAX_PENDING = 256;
    static final int MAX_DIVERGENCES = 20;
    static final int MAX_CALLS = 40;
    static final int MAX_TIMELINE = 40;
    /** The timing tolerance of check: 4 ms, or 12.5 % of the time since the flow's previous packet if larger. */
    private static final Tolerance TOLERANCE = Tolerance.DEFAULT;
    static final long TOLERANCE_NANOS = TOLERANCE.floorNanos();
    private static final long MASK = 0xffffffffL;
    private static final int C = 0, S = 1;
    private static final String[] SIDE = {"client", "server"};

    private enum Fin { NONE, UNDECIDED, SHUTDOWN, CLOSE }

    /** What the model sent and nobody has matched yet. */
    private record Predicted(long time, int side, Segment segment, List<String> notes, List<FlowTrace.Event> events) {}

    private static final class Side {
        SockAddr addr;
        SockAddr modelAddr;
        long capIsn = -1;
        long modelIsn = -1;
        /** Next sequence number (relative) the application has handed to the model: 1 + bytes sent (+1 for the FIN). */
        long appNext = 1;
        /** Highest relative sequence number the capture has shown this side send (end of data, SYN and FIN). */
        long capNext;
        long capNextBefore;
        int fd = -1;
        Fin fin = Fin.NONE;
        long finPacket;
        /** The model endpoint's state; null before it exists. */
        TcpState state;
        boolean reset;
        TcpState stateWhenReset;
        long bytesReceived;
        long rstPacket;
        boolean rstByApp;
        /** Data (or a FIN) the model's application has not read yet because the capture shows it had not. */
        boolean unread;
    }

    final int number;
    /** The flow table's key for this flow. */
    Object key;
    private final Replay replay;
    private final ArrayDeque<Captured> buffer = new ArrayDeque<>();
    private final Side[] sides = {new Side(), new Side()};
    private final ArrayDeque<Predicted> pending = new ArrayDeque<>();
    private final List<Divergence> divergences = new ArrayList<>();
    private long divergenceCount;
    private final List<FlowReport.InferredCall> calls = new ArrayList<>();
    private long droppedCalls;
    private final List<FlowReport.StateChange> timeline = new ArrayList<>();
    private long droppedStates;
    private final List<String> notes = new ArrayList<>();
    private final ZeekState zeek = new ZeekState();
    private TcpdumpPrinter printer; // made when a line is printed: most flows print none

    private Model model;
    private long t0;
    /** The capture time of the model's time 0: the flow's first packet, less the model's set-up time (a stand-in). */
    private long origin;
    /** The capture's time minus the model's for the last packet matched (see {@link #inTime}). */
    private long skew;
    private long firstPacket;
    private long lastPacket;
    private long packets;
    private long lastTime;
    private long prevRel;
    private int listenFd = -1;
    /**
     * Whether the model's listen(0) queue holds the stand-in for the other connections that filled the listener's
     * accept queue when the capture's SYN went unanswered (until the capture shows the server answering again).
     */
    private boolean phantomQueued;
    private boolean midstream;
    private boolean resyncing;
    private boolean finished;
    private Captured current;
    Captured lastCaptured;
    private Predicted lastSent;

    private final boolean annotate;
    /** The model's names of the flow's two endpoints (other endpoints in the model, a listener's, are not followed). */
    private String clientName, serverName;

    /** For the picture: every packet with what it caused ({@link FlowTrace}); null unless asked for. */
    private final List<FlowTrace.Step> traced;
    private final List<FlowTrace.Event> tracedAfter = new ArrayList<>();
    private final List<FlowTrace.Call> tracedCalls = new ArrayList<>();
    private List<FlowTrace.Event> currentEvents;
    private long tracedDropped;
    private int tracedDivergences;
    private TcpdumpPrinter tcpdump;

    Flow(int number, Replay replay, boolean annotate) {
        this(number, replay, annotate, false);
    }

    Flow(int number, Replay replay, boolean annotate, boolean trace) {
        this.number = number;
        this.replay = replay;
        this.annotate = annotate;
        this.traced = trace ? new ArrayList<>() : null;
    }

    /** Where an event goes: the packet being replayed, else the events after the last packet. */
    private void event(FlowTrace.Event e) {
        if (currentEvents != null) currentEvents.add(e);
        else tracedAfter.add(e);
    }

    private void events(List<FlowTrace.Event> es) {
        if (es == null) return;
        for (FlowTrace.Event e : es) event(e);
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
        SockAddr client = sides[C].addr;
        long isn = sides[C].capIsn;
        if (model == null) { // not started yet: the flow's first packet is still buffered
            Segment first = buffer.peek().packet.segment();
            if (!first.has(TcpFlags.SYN) || first.has(TcpFlags.ACK)) return true;
            client = first.src();
            isn = first.seq();
        }
        // The client's SYN again, same sequence number: a retransmission (tcp_retransmit_timer), same connection.
        if (!s.src().equals(client)) return true;
        return isn >= 0 && s.seq() != isn;
    }

    boolean finished() {
        return finished;
    }

    /** Replays what is left, lets the model run to the end of the capture, and reports. */
    FlowReport finish(long captureEnd) {
        while (!buffer.isEmpty()) process(buffer.poll());
        if (model != null) {
            long end = Math.min(captureEnd - origin, lastTime - origin + 5_000_000_000L);
            collect();
            abandonConnect(end);
            if (end > model.now()) model.sleep(end - model.now());
            collect();
            expire(end, true);
            consequences();
        }
        finished = true;
        FlowReport r = report();
        model = null;
        return r;
    }

    // ------------------------------------------------------------------ one packet

    private void process(Captured c) {
        current = c;
        currentEvents = traced == null ? null : new ArrayList<>(2);
        Segment s = c.packet.segment();
        if (model == null) start(c);
        int x = s.src().equals(sides[C].addr) ? C : S;
        Side me = sides[x];
        packets++;
        lastPacket = c.index;
        lastCaptured = c;
        zeek.packet(s, x == zeekOrig);
        if (s.has(TcpFlags.SYN) && me.capIsn < 0) me.capIsn = s.seq();
        if (s.has(TcpFlags.ACK) && sides[1 - x].capIsn < 0 && midstream) sides[1 - x].capIsn = (s.ack() - 1) & MASK;
        if (me.capIsn < 0 && midstream) me.capIsn = (s.seq() - 1) & MASK;

        if (me.capIsn >= 0) {
            me.capNextBefore = me.capNext;
            me.capNext = Math.max(me.capNext, rel(s.seq(), me.capIsn) + s.seqLength());
        }
        long t = c.packet.timeNanos() - origin;
        long tol = TOLERANCE.allowed(t - prevRel);
        if (phantomQueued && x == C && s.has(TcpFlags.SYN) && !s.has(TcpFlags.ACK)) acceptStandIn(c);
        advance(t);
        if (!match(c, x, t, tol)) {
            if (!infer(c, x, t, tol)) {
                if (!stepForward(c, x, t, tol)) unmatched(c, x, t);
            }
        }
        afterPacket(c, x);
        expire(t, false);
        prevRel = t;
        lastTime = c.packet.timeNanos();
        c.processed = true;
        if (traced != null) {
            if (traced.size() < FlowTrace.MAX_PACKETS) {
                if (tcpdump == null) tcpdump = new TcpdumpPrinter();
                traced.add(new FlowTrace.Step(c.index, c.packet, SIDE[x], tcpdump.print(c.packet), currentEvents));
            } else {
                tracedDropped++;
            }
        }
        currentEvents = null;
        current = null;
        if (terminal()) {
            while (!buffer.isEmpty()) {
                Captured n = buffer.peek();
                if (n.packet.segment().has(TcpFlags.SYN) && !n.packet.segment().has(TcpFlags.ACK)) break;
                buffer.poll();
                process(n);
                if (!terminal()) return;
            }
            if (buffer.isEmpty()) replay.flowDone(this);
        }
    }

    private int zeekOrig = C;

    /** Sets the model up for the flow's first packet. */
    private void start(Captured c) {
        Segment s = c.packet.segment();
        t0 = c.packet.timeNanos();
        origin = t0;
        firstPacket = c.index;
        boolean syn = s.has(TcpFlags.SYN) && !s.has(TcpFlags.ACK);
        SockAddr client, server;
        if (syn) {
            client = s.src();
            server = s.dst();
        } else if (s.has(TcpFlags.SYN)) { // a SYN-ACK: its sender is the server
            client = s.dst();
            server = s.src();
        } else {
            // Midstream: the side on an ephemeral port (or the higher port) is taken for the client.
            boolean srcClient = s.src().port() >= 32768 && s.dst().port() < 32768
                    || !(s.dst().port() >= 32768 && s.src().port() < 32768) && s.src().port() > s.dst().port();
            client = srcClient ? s.src() : s.dst();
            server = srcClient ? s.dst() : s.src();
        }
        zeekOrig = s.src().equals(client) ? C : S;
        sides[C].addr = client;
        sides[S].addr = server;
        boolean loop = (client.ip() >>> 24) == 127 && (server.ip() >>> 24) == 127;
        sides[C].modelAddr = loop ? client : new SockAddr(0x7f000002, client.port());
        sides[S].modelAddr = loop ? server : new SockAddr(SockAddr.LOOPBACK, server.port());

        clientName = sides[C].modelAddr + " > " + sides[S].modelAddr;
        serverName = sides[S].modelAddr + " > " + sides[C].modelAddr;
        model = new Model(syn ? Profiles.forSyn(s) : Profiles.LINUX6, number);

        // A listener, unless the server answers the SYN with an RST (nothing listens: the connection is refused).
        // A SYN the server does not answer within the tolerance (loopback answers within microseconds) was dropped
        // by a listener whose accept queue was full (tcp_conn_request: sk_acceptq_is_full, LISTENOVERFLOWS; measured
        // in cover/accept-queue-full): the client retransmits it until the application accepts another connection.
        boolean listener = true;
        boolean full = false;
        if (syn) {
            Captured answer = null;
            for (Captured n : buffer) {
                if (n.packet.segment().src().equals(server)) {
                    answer = n;
                    break;
                }
            }
            if (answer != null) listener = !answer.packet.segment().has(TcpFlags.RST);
            full = listener && (answer == null
                    || answer.packet.timeNanos() - c.packet.timeNanos() > TOLERANCE_NANOS);
        }
        if (listener) {
            listenFd = (int) call(S, new Call.Socket(Bits.SOCK_NONBLOCK)).value();
            call(S, new Call.SetSockOpt(listenFd, SockOpt.SO_REUSEADDR, new int[] {1}));
            call(S, new Call.Bind(listenFd, sides[S].modelAddr));
            call(S, new Call.Listen(listenFd, full ? 0 : 4096));
            if (full) fillAcceptQueue(c);
        }
        Side cl = sides[C];
        cl.fd = (int) call(C, new Call.Socket(Bits.SOCK_NONBLOCK)).value();
        call(C, new Call.Bind(cl.fd, cl.modelAddr));
        if (syn) {
            Result r = call(C, new Call.Connect(cl.fd, sides[S].modelAddr));
            record(C, "connect(" + server + ")", r, c.index, true, null);
            collect();
            return;
        }
        // Midstream: connect outside the capture, then adopt the observed sequence numbers.
        midstream = true;
        resyncing = true;
        call(C, new Call.Connect(cl.fd, sides[S].modelAddr));
        // The model's own handshake is not compared with anything; only its ISNs are kept.
        for (Event e : model.drainEvents()) {
            if (e instanceof Event.PacketSent ps && ps.packet().segment().has(TcpFlags.SYN)) {
                Segment seg = ps.packet().segment();
                sides[seg.src().equals(sides[C].modelAddr) ? C : S].modelIsn = seg.seq();
            }
        }
        acceptIfReady();
        model.drainEvents();
        for (Side sd : sides) sd.state = TcpState.ESTABLISHED;
        notes.add("the capture starts mid-connection (packet " + c.index + " is not a SYN): the model connected "
                + "outside the capture and adopted the observed sequence numbers");
    }

    /**
     * Puts one connection from another address into the model's listen(0) queue, which is then full
     * (sk_acceptq_is_full: more queued than the backlog), so that the model drops the capture's SYN as the kernel did.
     * Its handshake happens before the flow's first packet and is not compared with anything.
     */
    private void fillAcceptQueue(Captured c) {
        SockAddr client = sides[C].modelAddr;
        SockAddr phantomAddr = new SockAddr(client.ip() == 0x7f0000fe ? 0x7f0000fd : 0x7f0000fe, client.port());
        int fd = (int) call(C, new Call.Socket(Bits.SOCK_NONBLOCK)).value();
        call(C, new Call.Bind(fd, phantomAddr));
        call(C, new Call.Connect(fd, sides[S].modelAddr));
        model.drainEvents();
        origin = t0 - model.now(); // the capture's SYN is at the model's present, not 30 us before it
        phantomQueued = true;
        notes.add("packet " + c.index + ": the server does not answer the SYN: its listener's accept queue was full "
                + "(tcp_conn_request drops a SYN while sk_acceptq_is_full); the model's queue holds another connection");
    }

    /**
     * The client's retransmitted SYN that the server answers: the application accepted a connection in between, so
     * the queue has room. The model's stand-in is accepted before the retransmission reaches the listener.
     */
    private void acceptStandIn(Captured c) {
        Captured next = buffer.peek();
        if (next == null) return;
        Segment ns = next.packet.segment();
        if (!ns.src().equals(sides[S].addr) || !ns.has(TcpFlags.SYN) || !ns.has(TcpFlags.ACK)) return;
        Result r = call(S, new Call.Accept(listenFd, Bits.SOCK_NONBLOCK));
        phantomQueued = false;
        record(S, "accept()", r, c.index, false, "another connection, not in this flow: the accept queue has room "
                + "again, so the retransmitted SYN is answered");
        collect();
    }

    /**
     * The capture goes on past the time of the client's next SYN retransmission without it: the application gave up
     * on the connect. close() and shutdown() in SYN_SENT send nothing (tcp_disconnect, tcp_set_state(TCP_CLOSE)) and
     * stop the retransmissions (measured: cover/linger-zero-syn-sent, cover/shutdown-syn-sent). The model closes the
     * client where the capture shows no retransmission.
     */
    private void abandonConnect(long end) {
        Side cl = sides[C];
        long step = 10_000_000L;
        while (model.now() < end && cl.state == TcpState.SYN_SENT && cl.fd >= 0) {
            model.sleep(Math.min(step, end - model.now()));
            collect();
            for (Predicted p : pending) {
                if (p.side != C || !p.segment.has(TcpFlags.SYN)) continue;
                // Not in the capture (finish() runs after the flow's last packet): abandoned before it.
                pending.remove(p);
                Result r = call(C, new Call.Close(cl.fd));
                cl.fd = -1;
                record(C, "close()", r, 0, false, String.format("the capture has no retransmission of the SYN "
                        + "at %+.3f ms: the connect was abandoned (close or shutdown in SYN_SENT sends nothing)",
                        sinceStart(p.time) / 1e6));
                collect();
                return;
            }
        }
    }

    // ------------------------------------------------------------------ the model

    private Result call(int side, Call call) {
        return model.call(SIDE[side], call);
    }

    /** Moves the model's clock to {@code t} (it never goes back) and collects what happened. */
    private void advance(long t) {
        if (t > model.now()) model.sleep(t - model.now());
        collect();
    }

    private void collect() {
        for (Event e : model.drainEvents()) {
            if (e instanceof Event.PacketSent ps) {
                Segment seg = ps.packet().segment();
                int x;
                if (seg.src().equals(sides[C].modelAddr) && seg.dst().equals(sides[S].modelAddr)) x = C;
                else if (seg.src().equals(sides[S].modelAddr) && seg.dst().equals(sides[C].modelAddr)) x = S;
                else continue; // the stand-in connection's packets are not the capture's
                Side me = sides[x];
                if (seg.has(TcpFlags.SYN)) me.modelIsn = seg.seq();
                if (pending.size() >= MAX_PENDING) {
                    Predicted old = pending.poll();
                    missing(old);
                }
                lastSent = new Predicted(ps.packet().timeNanos(), x, seg, annotate ? new ArrayList<>(1) : null,
                        traced != null ? new ArrayList<>(1) : null);
                pending.add(lastSent);
            } else if (e instanceof Event.StateChanged sc) {
                int x;
                if (sc.endpoint().equals(clientName)) x = C;
                else if (sc.endpoint().equals(serverName)) x = S;
                else continue;
                Side me = sides[x];
                // A timewait minisock taking over is one state change on the wire, not two (tcp_time_wait).
                if (sc.cause() == Cause.TIMEWAIT_HANDOVER) continue;
                TcpState from = sc.from() == null ? me.state : sc.from();
                if (from == sc.to()) continue;
                if (sc.to() == TcpState.CLOSE && !me.reset && sc.cause() == Cause.RESET_RECEIVED) {
                    me.reset = true;
                    me.stateWhenReset = from;
                }
                // An abandoned connect (close in SYN_SENT) never completes: its result stays EINPROGRESS.
                if (x == C && from == TcpState.SYN_SENT && (sc.to() == TcpState.ESTABLISHED || me.reset)) {
                    connectDone(sc.to());
                }
                me.state = sc.to();
                if (timeline.size() < MAX_TIMELINE) {
                    timeline.add(new FlowReport.StateChange(origin + sc.timeNanos(), SIDE[x], name(from),
                            sc.to().netstatName()));
                } else {
                    droppedStates++;
                }
                // The change belongs to the packet whose arrival caused it: the model's last packet, once matched.
                if (annotate) {
                    String note = SIDE[x] + " " + name(from) + " -> " + sc.to().netstatName();
                    if (lastSent != null && lastSent.notes != null && pending.contains(lastSent)) lastSent.notes.add(note);
                    else if (current != null) current.note(note);
                }
                if (traced != null) {
                    FlowTrace.State st = new FlowTrace.State(origin + sc.timeNanos(), SIDE[x], from, sc.to());
                    if (lastSent != null && lastSent.events != null && pending.contains(lastSent)) lastSent.events.add(st);
                    else event(st);
                }
            }
        }
    }

    /**
     * The model connects without blocking (so that replay, not the call, moves the clock); the result reported is
     * what a blocking connect() returns once the handshake ends.
     */
    private void connectDone(TcpState to) {
        for (int i = 0; i < calls.size(); i++) {
            FlowReport.InferredCall ic = calls.get(i);
            if (!ic.side().equals("client") || !ic.call().startsWith("connect(")) continue;
            String res = to == TcpState.ESTABLISHED ? "0" : "-1 ECONNREFUSED (Connection refused)";
            calls.set(i, new FlowReport.InferredCall(ic.side(), ic.call(), res, ic.packet(), true, null, 1));
            for (FlowTrace.Call tc : tracedCalls) {
                FlowReport.InferredCall t = tc.call();
                if (t.side().equals("client") && t.call().startsWith("connect(")) {
                    tc.set(new FlowReport.InferredCall(t.side(), t.call(), res, t.packet(), true, null, 1));
                    break;
                }
            }
            return;
        }
    }

    // ------------------------------------------------------------------ matching

    /** A model time as the time since the capture's first packet of the flow. */
    private long sinceStart(long modelTime) {
        return modelTime + origin - t0;
    }

    private long rel(long v, long isn) {
        return isn < 0 ? v : (v - isn) & MASK;
    }

    /**
     * Whether the compared fields agree: flags, seq and ack relative to the ISNs, length, window, option kinds. The
     * one decision; {@link #differences} only explains it, so no text is built for the many candidates that differ.
     */
    private boolean same(Segment cap, Segment mod, int x) {
        if (cap.flags() != mod.flags() || cap.length() != mod.length() || cap.window() != mod.window()) return false;
        Side me = sides[x], peer = sides[1 - x];
        if (rel(cap.seq(), me.capIsn) != rel(mod.seq(), me.modelIsn)) return false;
        if (cap.has(TcpFlags.ACK) && rel(cap.ack(), peer.capIsn) != rel(mod.ack(), peer.modelIsn)) return false;
        return sameKinds(cap.options(), mod.options());
    }

    /** The fields where {@link #same} finds a difference, as text; null when they agree. */
    private String differences(Segment cap, Segment mod, int x) {
        if (same(cap, mod, x)) return null;
        StringBuilder b = new StringBuilder();
        Side me = sides[x], peer = sides[1 - x];
        if (cap.flags() != mod.flags()) {
            field(b, "flags", "[" + TcpFlags.tcpdump(mod.flags()) + "]", "[" + TcpFlags.tcpdump(cap.flags()) + "]");
        }
        long cs = rel(cap.seq(), me.capIsn), ms = rel(mod.seq(), me.modelIsn);
        if (cs != ms) field(b, "seq", "" + ms, "" + cs);
        if (cap.has(TcpFlags.ACK) && mod.has(TcpFlags.ACK)) {
            long ca = rel(cap.ack(), peer.capIsn), ma = rel(mod.ack(), peer.modelIsn);
            if (ca != ma) field(b, "ack", "" + ma, "" + ca);
        }
        if (cap.length() != mod.length()) field(b, "length", "" + mod.length(), "" + cap.length());
        if (cap.window() != mod.window()) field(b, "win", "" + mod.window(), "" + cap.window());
        if (!sameKinds(cap.options(), mod.options())) {
            field(b, "options", "[" + kinds(mod) + "]", "[" + kinds(cap) + "]");
        }
        return b.toString();
    }

    private static void field(StringBuilder b, String name, String expected, String actual) {
        if (b.length() > 0) b.append("; ");
        b.append(name).append(": expected ").append(expected).append(" vs actual ").append(actual);
    }

    private static boolean sameKinds(List<TcpOption> a, List<TcpOption> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (a.get(i).kind() != b.get(i).kind()) return false;
        return true;
    }

    private static String kinds(Segment s) {
        StringBuilder b = new StringBuilder();
        for (TcpOption o : s.options()) {
            if (b.length() > 0) b.append(',');
            b.append(TcpOption.name(o.kind()));
        }
        return b.toString();
    }

    /** Matches the packet against the model's predictions; consumes the match. */
    private boolean match(Captured c, int x, long t, long tol) {
        Segment s = c.packet.segment();
        Predicted late = null;
        for (Iterator<Predicted> it = pending.iterator(); it.hasNext(); ) {
            Predicted p = it.next();
            if (p.side != x) continue;
            if (!same(s, p.segment, x)) continue;
            if (inTime(p, t, tol)) {
                skew = t - p.time;
                it.remove();
                if (p.notes != null) for (String n : p.notes) c.note(n);
                events(p.events);
                forgiveRiders(s, x, t, tol);
                return true;
            }
            if (late == null) late = p;
        }
        if (late != null && !isApp(s, x)) {
            Predicted lp = late;
            pending.remove(lp);
            if (lp.notes != null) for (String n : lp.notes) c.note(n);
            events(lp.events);
            diverge(x, Divergence.Kind.TIMING, c.index, () -> line(c.packet, x, true), () -> line(lp, true), () -> String.format("sent %+.3f ms after the capture's flow start, the model sent it at %+.3f ms",
                            sinceStart(t) / 1e6, sinceStart(lp.time) / 1e6));
            return true;
        }
        return false;
    }

    /**
     * Whether the capture's packet at {@code t} is the model's {@code p} in time: within the tolerance of the model's
     * time; or of it shifted by {@link #skew}, the offset of the last packet matched (a packet the model sends in
     * answer to one that left at another time on the kernel, a SYN-ACK answering a retransmitted SYN, follows it by
     * the same offset); or, for a packet the model sent from a timer (exactly on one of its jiffy ticks), up to one
     * jiffy earlier or two later: the model cannot know the phase of the kernel's jiffies, and the timer softirq can
     * run a tick late on a loaded host (check's timer-tick-phase and timer-tick-late, docs/cross-check.md).
     */
    private boolean inTime(Predicted p, long t, long tol) {
        long d = t - p.time;
        if (Math.abs(d) <= tol || Math.abs(d - skew) <= tol) return true;
        long jiffy = model.profile().jiffyNanos();
        return p.time % jiffy == 0 && d >= -(tol + jiffy) && d <= tol + 2 * jiffy;
    }

    /** The latest time the capture can still show {@code p} (see {@link #inTime}). */
    private long lateLimit(Predicted p, long tol) {
        long jiffy = model.profile().jiffyNanos();
        long late = Math.max(tol, skew + tol);
        if (p.time % jiffy == 0) late = Math.max(late, tol + 2 * jiffy);
        return p.time + late;
    }

    /**
     * A pure ACK the model sent on its own tick while the capture's ACK rode on data sent in the same few
     * milliseconds: one of the variable windows of check, not a divergence.
     */
    private void forgiveRiders(Segment s, int x, long t, long tol) {
        if (s.length() == 0 && !s.has(TcpFlags.FIN) || !s.has(TcpFlags.ACK)) return;
        long ack = rel(s.ack(), sides[1 - x].capIsn);
        pending.removeIf(p -> {
            boolean rider = p.side == x && p.segment.flags() == TcpFlags.ACK && p.segment.length() == 0
                    && Math.abs(p.time - t) <= tol && rel(p.segment.ack(), sides[1 - x].modelIsn) <= ack;
            if (rider) events(p.events); // what its arrival changed belongs to the packet it rode on
            return rider;
        });
    }

    private boolean isApp(Segment s, int x) {
        return s.length() > 0 || s.has(TcpFlags.FIN) || s.has(TcpFlags.RST)
                || s.has(TcpFlags.SYN) && !s.has(TcpFlags.ACK);
    }

    // ------------------------------------------------------------------ inferring calls

    /** Makes the application call that causes this packet, if one can; true when the model's packet then matches. */
    private boolean infer(Captured c, int x, long t, long tol) {
        Segment s = c.packet.segment();
        Side me = sides[x];
        if (!isApp(s, x) || s.has(TcpFlags.SYN)) return false;
        boolean acted = false;
        if (s.has(TcpFlags.RST)) {
            if (me.fd < 0) return false;
            // close() with unread data and close() with SO_LINGER {1, 0} put the same [R.] on the wire
            // (__tcp_close: tcp_send_active_reset in both branches); the model is given the second.
            call(x, new Call.SetSockOpt(me.fd, SockOpt.SO_LINGER, new int[] {1, 0}));
            Result r = call(x, new Call.Close(me.fd));
            me.fd = -1;
            me.rstByApp = true;
            record(x, "close()", r, c.index, true, me.bytesReceived > 0
                    ? "RST: close() with unread data, or with SO_LINGER {1, 0}" : "RST: close() with SO_LINGER {1, 0}");
            collect();
            return match(c, x, t, tol);
        }
        long seq = rel(s.seq(), me.capIsn);
        long end = seq + s.length();
        if (s.length() > 0 && end > me.appNext) {
            if (me.fd < 0) return false;
            decidePeerFin(x);
            if (seq > me.appNext) {
                long gap = seq - me.appNext;
                notes.add("packet " + c.index + ": " + gap + " bytes of " + SIDE[x] + " data before it are not in the "
                        + "capture (lost by the capture?); the model sends them first");
                send(x, (int) gap, c.index, false);
            }
            send(x, (int) (end - Math.max(seq, me.appNext)), c.index, true);
            acted = true;
        }
        if (s.has(TcpFlags.FIN) && me.fin == Fin.NONE && me.fd >= 0) {
            Result r = call(x, new Call.Shutdown(me.fd, Bits.SHUT_WR));
            me.fin = Fin.UNDECIDED;
            me.finPacket = c.index;
            me.appNext++;
            record(x, "shutdown(SHUT_WR)", r, c.index, true, null);
            acted = true;
        }
        if (!acted) return false;
        collect();
        return match(c, x, t, tol);
    }

    private void send(int x, int length, long packet, boolean observed) {
        Side me = sides[x];
        Result r = call(x, new Call.Send(me.fd, new byte[length], Bits.MSG_NOSIGNAL | Bits.MSG_DONTWAIT, false));
        if (!r.failed()) me.appNext += r.value();
        else me.appNext += length; // keep following the capture's sequence numbers
        record(x, "send(" + length + ")", r, packet, observed, observed ? null : "data the capture lost");
    }

    /**
     * Data is about to reach a side whose FIN is out: close() and shutdown(SHUT_WR) sent the same FIN, and only now
     * do they differ. If that side answers the data with an RST, its descriptor was closed (an orphan resets new
     * data: tcp_rcv_state_process, tcp_timewait_state_process); if it ACKs it, it was shut down.
     */
    private void decidePeerFin(int x) {
        Side peer = sides[1 - x];
        if (peer.fin != Fin.UNDECIDED) return;
        boolean first = true;
        for (Captured n : buffer) {
            Segment ns = n.packet.segment();
            if (!ns.src().equals(peer.addr)) continue;
            if (ns.has(TcpFlags.RST)) {
                if (peer.unread) read(1 - x); // what reset the data was the closed socket, not unread bytes
                Result r = call(1 - x, new Call.Close(peer.fd));
                peer.fd = -1;
                peer.fin = Fin.CLOSE;
                amendFin(1 - x, "close()", r, "not shutdown: the RST at packet " + n.index + " answers data");
            } else if (first) {
                peer.fin = Fin.SHUTDOWN;
                amendFin(1 - x, "shutdown(SHUT_WR)", null, "not close: data arriving later is ACKed at packet "
                        + n.index);
            }
            first = false;
            break;
        }
    }

    /** Rewrites the FIN's call record once it is known which call it was. */
    private void amendFin(int x, String callText, Result r, String why) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            FlowReport.InferredCall ic = calls.get(i);
            if (ic.side().equals(SIDE[x]) && ic.call().equals("shutdown(SHUT_WR)")) {
                calls.set(i, new FlowReport.InferredCall(ic.side(), callText, r == null ? ic.result() : result(r),
                        ic.packet(), true, "FIN; " + why, 1));
                break;
            }
        }
        for (int i = tracedCalls.size() - 1; i >= 0; i--) {
            FlowReport.InferredCall ic = tracedCalls.get(i).call();
            if (ic.side().equals(SIDE[x]) && ic.call().equals("shutdown(SHUT_WR)")) {
                tracedCalls.get(i).set(new FlowReport.InferredCall(ic.side(), callText, r == null ? ic.result()
                        : result(r), ic.packet(), true, "FIN; " + why, 1));
                return;
            }
        }
    }

    /** Lets the model's clock run up to the tolerance for a kernel packet that has not been predicted yet. */
    private boolean stepForward(Captured c, int x, long t, long tol) {
        long limit = t + Math.max(tol + model.profile().jiffyNanos(), tol - skew);
        long step = 1_000_000L;
        while (model.now() < limit) {
            model.sleep(Math.min(step, limit - model.now()));
            collect();
            if (match(c, x, t, tol)) return true;
        }
        return false;
    }

    private void unmatched(Captured c, int x, long t) {
        Segment s = c.packet.segment();
        // Resynchronising after a midstream start: handshake leftovers and ACKs the model already sent are expected.
        if (resyncing && !isApp(s, x)) {
            if (annotate) c.note("not compared: the model is resynchronising");
            return;
        }
        // Data the capture already showed this side send is a retransmission; data the application handed over but
        // the model has not sent in this shape is a difference in segmentation (Nagle, coalescing).
        boolean retransmission = s.length() > 0 && rel(s.seq(), sides[x].capIsn) + s.length() <= sides[x].capNextBefore
                && !s.has(TcpFlags.RST);
        boolean resegmented = !retransmission && s.length() > 0 && !s.has(TcpFlags.RST)
                && rel(s.seq(), sides[x].capIsn) + s.length() <= sides[x].appNext;
        // The closest prediction from the same side: the one with the same flags, else the oldest.
        Predicted best = null;
        for (Predicted p : pending) {
            if (p.side != x) continue;
            if (best == null || p.segment.flags() == s.flags() && best.segment.flags() != s.flags()) best = p;
        }
        Predicted bestP = best;
        Supplier<String> capLine = () -> line(c.packet, x, true);
        if (retransmission) {
            diverge(x, Divergence.Kind.RETRANSMISSION, c.index, capLine, () -> null, () -> SIDE[x] + " sends data again that "
                    + "the model sent once (loopback loses nothing); the replay goes on with the capture");
            return;
        }
        if (resegmented) {
            diverge(x, Divergence.Kind.DIFFERENT, c.index, capLine, () -> bestP == null ? null : line(bestP, true),
                    () -> "the model sends these bytes in other segments (it holds or coalesces small writes: Nagle)");
            return;
        }
        boolean sameKind = best != null && (best.segment.flags() == s.flags()
                || s.length() == 0 && best.segment.length() == 0);
        if (s.has(TcpFlags.ACK) && !s.has(TcpFlags.RST) && rel(s.ack(), sides[1 - x].capIsn) > sides[1 - x].appNext) {
            if (sameKind) {
                pending.remove(best);
                events(best.events); // what the model's packet did on arrival happened in the model all the same
            }
            diverge(x, Divergence.Kind.UNEXPECTED, c.index, capLine, () -> bestP == null ? null : line(bestP, true), () -> "it ACKs data " + SIDE[1 - x] + " never sent (ack " + rel(s.ack(), sides[1 - x].capIsn)
                    + ", " + SIDE[1 - x] + " sent up to " + sides[1 - x].appNext + ")");
            return;
        }
        if (sameKind) {
            pending.remove(best);
            events(best.events);
            diverge(x, Divergence.Kind.DIFFERENT, c.index, capLine, () -> line(bestP, true), () -> differences(s, bestP.segment, x));
            return;
        }
        String why;
        if (s.has(TcpFlags.RST)) why = "an RST the model's " + SIDE[x] + " would not send (its state: "
                + name(sides[x].state) + (sides[x].fd < 0 ? ", no descriptor open" : "") + ")";
        else if (s.length() > 0 && sides[x].fd < 0) why = SIDE[x] + " sends data after its socket is gone ("
                + name(sides[x].state) + ")";
        else why = "the model's " + SIDE[x] + " (" + name(sides[x].state) + ") sends no such packet";
        diverge(x, Divergence.Kind.UNEXPECTED, c.index, capLine, () -> bestP == null ? null : line(bestP, true), () -> why);
    }

    private void afterPacket(Captured c, int x) {
        Segment s = c.packet.segment();
        if (resyncing && isApp(s, x)) resyncing = false;
        if (listenFd >= 0 && sides[S].fd < 0 && !sides[S].reset && sides[S].state == TcpState.ESTABLISHED) {
            acceptIfReady();
        }
        int y = 1 - x;
        Side peer = sides[y];
        if (s.length() > 0 && !s.has(TcpFlags.RST)) peer.bytesReceived += s.length();
        // The receiver reads what arrives at once, as a program blocked in recv() does (a close() that resets because
        // of unread data is replayed with SO_LINGER {1, 0}, which puts the same RST on the wire). Unless the read
        // would send a scheduled ACK at once (tcp_cleanup_rbuf) and the capture has no such ACK: then the
        // application had not read yet, and it reads once that ACK has left on its timer.
        if ((s.length() > 0 || s.has(TcpFlags.FIN)) && peer.fd >= 0 && !peer.reset) {
            if (model.readFlushesAck(SIDE[y], peer.fd) && !answeredAtOnce(y)) peer.unread = true;
            else read(y);
        }
        for (int z = 0; z < 2; z++) {
            Side sd = sides[z];
            if (sd.unread && (sd.fd < 0 || sd.reset || !model.readFlushesAck(SIDE[z], sd.fd))) read(z);
        }
    }

    private void read(int y) {
        Side sd = sides[y];
        sd.unread = false;
        if (sd.fd < 0 || sd.reset) return;
        for (int i = 0; i < 64; i++) {
            Result r = call(y, new Call.Recv(sd.fd, 1 << 20, Bits.MSG_DONTWAIT, false));
            if (r.failed() || r.value() <= 0) break;
        }
        collect();
    }

    /**
     * Whether side {@code y} sends something within the tolerance after the packet just replayed: an ACK that a
     * read flushed, or data. When the lookahead ends within the tolerance, the usual case is assumed (it did).
     */
    private boolean answeredAtOnce(int y) {
        long limit = current.packet.timeNanos() + TOLERANCE_NANOS;
        for (Captured n : buffer) {
            if (n.packet.timeNanos() > limit) return false;
            if (n.packet.segment().src().equals(sides[y].addr)) return true;
        }
        return buffer.size() >= LOOKAHEAD;
    }

    private void acceptIfReady() {
        Result r = call(S, new Call.Accept(listenFd, Bits.SOCK_NONBLOCK));
        if (!r.failed() && !r.blockedForever()) {
            sides[S].fd = (int) r.value();
            record(S, "accept()", r, 0, false, "no packet of its own");
        }
    }

    /** Predictions overdue by more than their tolerance are packets the capture does not have. */
    private void expire(long t, boolean atEnd) {
        for (Iterator<Predicted> it = pending.iterator(); it.hasNext(); ) {
            Predicted p = it.next();
            if (atEnd ? p.time + TOLERANCE_NANOS <= t : lateLimit(p, TOLERANCE.allowed(p.time - prevRel)) < t) {
                it.remove();
                missing(p);
            }
        }
    }

    private void missing(Predicted p) {
        if (current != null && p.notes != null) for (String n : p.notes) current.note(n);
        events(p.events);
        if (resyncing) return;
        diverge(p.side, Divergence.Kind.MISSING, 0, () -> null, () -> line(p, true), () -> "the model's " + SIDE[p.side] + " sends this packet ("
                + describe(p.segment) + "); the capture does not have it");
    }

    private static String describe(Segment s) {
        if (s.has(TcpFlags.RST)) return "an RST";
        if (s.has(TcpFlags.SYN)) return s.has(TcpFlags.ACK) ? "the SYN-ACK" : "a SYN";
        if (s.has(TcpFlags.FIN)) return "a FIN";
        if (s.length() > 0) return s.length() + " bytes of data";
        return "an ACK";
    }

    /** After the last packet: a side that was reset and still has its descriptor learns it on its next call. */
    private void consequences() {
        for (int x = 0; x < 2; x++) {
            Side me = sides[x];
            if (me.fd < 0 || !me.reset || me.stateWhenReset == TcpState.SYN_SENT) continue;
            Result r = call(x, new Call.Send(me.fd, new byte[1], Bits.MSG_NOSIGNAL | Bits.MSG_DONTWAIT, false));
            String why = "consequence: the next call fails; reset by peer while in " + me.stateWhenReset;
            record(x, "send()", r, 0, false, why);
        }
    }

    private void record(int side, String call, Result r, long packet, boolean observed, String note) {
        String res = result(r);
        if (traced != null) {
            FlowTrace.Call tc = new FlowTrace.Call(origin + model.now(),
                    new FlowReport.InferredCall(SIDE[side], call, res, packet, observed, note, 1));
            tracedCalls.add(tc);
            // A call without a packet of its own (accept) follows the state change that allowed it, which belongs
            // to the packet the model predicted last, if the capture has not shown it yet.
            if (!observed && lastSent != null && lastSent.events != null && pending.contains(lastSent)) lastSent.events.add(tc);
            else event(tc);
        }
        if (!calls.isEmpty()) {
            FlowReport.InferredCall last = calls.get(calls.size() - 1);
            if (last.side().equals(SIDE[side]) && last.call().equals(call) && last.result().equals(res)
                    && last.observed() == observed && java.util.Objects.equals(last.note(), note)) {
                calls.set(calls.size() - 1, new FlowReport.InferredCall(last.side(), call, res, last.packet(),
                        observed, note, last.count() + 1));
                return;
            }
        }
        if (calls.size() >= MAX_CALLS) {
            droppedCalls++;
            return;
        }
        calls.add(new FlowReport.InferredCall(SIDE[side], call, res, packet, observed, note, 1));
        if (annotate && current != null && packet == current.index) current.note(SIDE[side] + ": " + call + " = " + res);
    }

    /** A state as the report prints it: "-" before the endpoint exists. */
    private static String name(TcpState state) {
        return state == null ? "-" : state.netstatName();
    }

    private static String result(Result r) {
        if (r.blockedForever()) return "blocks";
        if (r.failed()) return "-1 " + r.errno().name() + " (" + r.errno().text + ")";
        return "" + r.value();
    }

    /** Records a divergence; its text is built only when it is kept or shown (a long flow may have millions). */
    private void diverge(int side, Divergence.Kind kind, long packet, Supplier<String> captured,
                         Supplier<String> expected, Supplier<String> detail) {
        divergenceCount++;
        replay.divergence();
        boolean keep = divergences.size() < MAX_DIVERGENCES;
        boolean trace = traced != null && tracedDivergences < FlowTrace.MAX_DIVERGENCES;
        if (!keep && !annotate && !trace) return;
        String d = detail.get();
        if (annotate && current != null) current.note("! " + kind.word + ": " + d);
        Divergence dv = keep || trace ? new Divergence(kind, packet, captured.get(), expected.get(), d) : null;
        if (keep) divergences.add(dv);
        if (trace) {
            tracedDivergences++;
            long at = current != null ? current.packet.timeNanos() : origin + model.now();
            event(new FlowTrace.Diverged(at, SIDE[side], dv));
        }
    }

    // ------------------------------------------------------------------ printing

    /** A tcpdump line with seq and ack relative to each side's ISN (the captured ones, or the model's). */
    private String line(Packet p, int x, boolean captured) {
        Segment s = p.segment();
        Side me = sides[x], peer = sides[1 - x];
        long seq = captured ? rel(s.seq(), me.capIsn) : rel(s.seq(), me.modelIsn);
        long ack = captured ? rel(s.ack(), peer.capIsn) : rel(s.ack(), peer.modelIsn);
        Segment r = new Segment(me.addr, peer.addr, seq, ack, s.flags(), s.window(), s.urgent(), s.options(),
                s.payload());
        if (printer == null) printer = new TcpdumpPrinter(true, 0);
        return printer.print(new Packet(p.timeNanos(), p.ipId(), r));
    }

    private String line(Predicted p, boolean model) {
        return line(new Packet(origin + p.time, 0, p.segment), p.side, false);
    }

    // ------------------------------------------------------------------ the end

    /** Both sides are gone or in TIME_WAIT, and nothing predicted is outstanding: the flow can be reported. */
    private boolean terminal() {
        if (!pending.isEmpty()) return false;
        for (Side sd : sides) {
            if (!(sd.state == TcpState.CLOSE || sd.state == TcpState.TIME_WAIT || sd.state == null)) return false;
        }
        return sides[C].state != null;
    }

    private FlowReport report() {
        List<FlowReport.InferredCall> cs = new ArrayList<>(calls);
        if (droppedCalls > 0) {
            cs.add(new FlowReport.InferredCall("both", "...", "", 0, false, droppedCalls + " more calls not listed", 1));
        }
        List<String> ns = new ArrayList<>(notes);
        if (droppedStates > 0) ns.add(droppedStates + " more state changes not listed");
        return new FlowReport(number, sides[C].addr.toString(), sides[S].addr.toString(), firstPacket, lastPacket,
                packets, t0, lastTime, List.copyOf(timeline), cs, ended(), zeek.connState(), zeek.history(),
                List.copyOf(divergences), divergenceCount, ns, false,
                traced == null ? null : new FlowTrace(traced, tracedAfter, tracedDropped));
    }

    private String ended() {
        Side c = sides[C], s = sides[S];
        String states = " (client " + name(c.state) + ", server " + name(s.state) + ")";
        if (listenFd < 0 && s.state == null && c.reset) return "refused: the server's kernel answered the SYN "
                + "with an RST (nothing listens on " + s.addr + ")" + states;
        for (int x = 0; x < 2; x++) {
            Side me = sides[x];
            if (me.rstByApp) return SIDE[x] + " aborted the connection: close() sent an RST" + states;
        }
        for (int x = 0; x < 2; x++) {
            if (sides[1 - x].reset) {
                return "reset by " + SIDE[x] + "'s kernel: an RST answered a packet it could not take" + states;
            }
        }
        if (c.fin != Fin.NONE && s.fin != Fin.NONE) return "closed: FIN from both sides (client at packet "
                + c.finPacket + ", server at packet " + s.finPacket + ")" + states;
        if (c.fin != Fin.NONE || s.fin != Fin.NONE) {
            int x = c.fin != Fin.NONE ? C : S;
            return "half-closed at the end of the capture: only " + SIDE[x] + " sent a FIN" + states;
        }
        return "open at the end of the capture" + states;
    }
}
