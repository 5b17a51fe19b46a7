package io.tcpsim.fuzz;

import io.tcpsim.backend.Inspectable.EndpointSnapshot;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Cause;
import io.tcpsim.backend.Inspectable;
import io.tcpsim.model.tcp.StateTable;
import io.tcpsim.backend.TcpState;
import io.tcpsim.run.LogLine;
import io.tcpsim.script.CallTemplate;
import io.tcpsim.script.Step;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state machine's invariants, checked after every step of a run on the model (docs/model.md, "Transition
 * coverage"). Fed the step and the log lines it produced; reads the model's endpoints and netstat table.
 *
 * <ul>
 *   <li><b>transitions</b>: every {@code StateChanged} is an edge of {@link StateTable}, and starts from the state
 *       the endpoint was last seen in. A timewait minisock's birth counts as a transition from the full socket's
 *       state (tcp_time_wait); the full socket's own step to CLOSE behind it is the handover.</li>
 *   <li><b>bytes</b>: per connection and direction, bytes a send accepted = bytes the peer read + bytes in the
 *       peer's receive queue + bytes the sender holds that the peer has not received + lost; lost never shrinks,
 *       and grows only in a step with a named cause (an RST on the connection, a close or exit on either end, a
 *       process killed). Bytes read match the bytes sent, in order.</li>
 *   <li><b>wire</b>: per connection and direction, seq and ack never go backwards (a SYN starts a new incarnation);
 *       no segment but an RST leaves an endpoint in CLOSE.</li>
 *   <li><b>netstat</b>: every row's state is its endpoint's, every hashed endpoint has a row, Recv-Q/Send-Q &ge; 0.</li>
 *   <li><b>SO_ERROR</b>: an error is delivered once: after SO_ERROR returned one, the next SO_ERROR on the socket
 *       returns 0 unless an RST arrived in between.</li>
 * </ul>
 */
final class Invariants {
    private static final String SERVER_PORT = "127.0.0.1:4321";

    private final Backend model;
    private final Inspectable inspect;
    private final Coverage coverage;
    private final long loopbackDelay;

    /** Descriptor name to "process:fd", while open. */
    private final Map<String, String> owner = new HashMap<>();
    private final Map<String, String> process = new HashMap<>();
    /** Descriptor name to its connection (the client's port). */
    private final Map<String, Integer> connOf = new HashMap<>();
    private final Map<Integer, Conn> conns = new HashMap<>();

    /** Endpoint name ("L > R") to the full socket's state and the timewait minisock's. */
    private final Map<String, TcpState> full = new HashMap<>();
    private final Map<String, TcpState> tw = new HashMap<>();
    /** Endpoint names that answered a SYN with a SYN-ACK from a request sock (state SYN_RECV, no socket yet). */
    private final Set<String> requestSocks = new HashSet<>();
    /** Per direction "src > dst": last seq, last ack (or -1). */
    private final Map<String, long[]> wire = new HashMap<>();
    private final ArrayDeque<Delivery> inFlight = new ArrayDeque<>();
    private final Map<String, Delivery> lastDelivery = new HashMap<>();
    /** SO_ERROR: names whose last SO_ERROR returned an error, and whether an RST arrived for them since. */
    private final Map<String, Boolean> errorTaken = new HashMap<>();

    private List<EndpointSnapshot> before = List.of();
    private final List<String> violations = new ArrayList<>();

    private record Delivery(long at, String dst, String kind, Segment seg) {}

    /** One connection: [0] client to server, [1] server to client. */
    private static final class Conn {
        final int port;
        final long[] sent = new long[2], read = new long[2], lost = {-1, -1};
        final ByteArrayOutputStream[] stream = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        boolean retired;
        /** A named cause happened since lost was last computed (the receiver may have been out of sight then). */
        final boolean[] causeSeen = new boolean[2];

        Conn(int port) {
            this.port = port;
        }

        String client() { return "127.0.0.1:" + port; }
    }

    /** {@code loopbackDelay}: how long after its capture a segment is delivered (Profile.loopbackDelayNanos). */
    Invariants(Backend backend, Inspectable inspect, long loopbackDelay, Coverage coverage) {
        this.model = backend;
        this.inspect = inspect;
        this.coverage = coverage;
        this.loopbackDelay = loopbackDelay;
    }

    /** Call before the first step. */
    void start() {
        before = inspect.endpoints();
    }

    /** Checks the step; returns what it broke (empty when nothing). */
    List<String> after(Step step, List<LogLine> lines) {
        violations.clear();
        List<EndpointSnapshot> now = inspect.endpoints();
        long stepStart = lines.isEmpty() ? model.now() : Math.min(lines.get(0).time(), model.now());
        String cause = causeOf(step, lines);

        callCoverage(step, lines);
        Set<Integer> causes = new HashSet<>();
        timeline(lines, stepStart, step, cause, causes);
        bindings(step, lines, now, causes);
        data(lines);
        conservation(now, causes);
        netstat(now);
        soError(lines);
        before = now;
        return new ArrayList<>(violations);
    }

    private void fail(String invariant, String detail) {
        violations.add(invariant + ": " + detail);
    }

    // ------------------------------------------------------------------ names and connections

    /** The event a step is, for coverage and for transitions it causes at its start. */
    private static String causeOf(Step step, List<LogLine> lines) {
        for (LogLine l : lines) if (l instanceof LogLine.ProcessEndLine) return "exit";
        if (step instanceof Step.CallStep c) {
            String t = c.call().text();
            String name = t.substring(0, t.indexOf('('));
            return name.equals("accept4") ? "accept" : name;
        }
        if (step instanceof Step.Exit) return "exit";
        return null;
    }

    private void callCoverage(Step step, List<LogLine> lines) {
        if (coverage == null) return;
        if (step instanceof Step.CallStep c) {
            String fd = fdName(c.call());
            if (fd == null || !owner.containsKey(fd)) return;
            EndpointSnapshot s = byOwner(before, owner.get(fd));
            if (s != null) coverage.exercised(s.state().netstatName(), causeOf(step, List.of()));
        } else if (step instanceof Step.Exit e) {
            for (var o : owner.entrySet()) {
                if (!e.process().equals(process.get(o.getKey()))) continue;
                EndpointSnapshot s = byOwner(before, o.getValue());
                if (s != null) coverage.exercised(s.state().netstatName(), "exit");
            }
        }
    }

    private static String fdName(CallTemplate c) {
        List<String> uses = c.uses();
        return uses.size() == 1 ? uses.get(0) : null;
    }

    private static EndpointSnapshot byOwner(List<EndpointSnapshot> snaps, String owner) {
        for (EndpointSnapshot s : snaps) if (s.owner().equals(owner)) return s;
        return null;
    }

    /** Names made, closed, or lost with their process; names learn their connection once connected. */
    private void bindings(Step step, List<LogLine> lines, List<EndpointSnapshot> now, Set<Integer> causes) {
        Set<String> closing = new HashSet<>();
        for (LogLine l : lines) {
            if (l instanceof LogLine.CallLine c && c.step().binds().size() == 1 && !c.result().failed()
                    && !c.result().blockedForever()) {
                String name = c.step().binds().get(0);
                owner.put(name, c.step().process() + ":" + c.result().value());
                process.put(name, c.step().process());
            }
            if (l instanceof LogLine.CallLine c && c.step().call() instanceof CallTemplate.Close cl) closing.add(cl.fd());
            if (l instanceof LogLine.ProcessEndLine e) {
                for (var p : process.entrySet()) if (p.getValue().equals(e.process())) closing.add(p.getKey());
            }
        }
        if (step instanceof Step.Exit e) {
            for (var p : process.entrySet()) if (p.getValue().equals(e.process())) closing.add(p.getKey());
        }
        for (String name : closing) {
            Integer port = connOf.get(name);
            if (port != null) causes.add(port);
        }
        // Learn each open name's connection from its endpoint.
        for (var o : owner.entrySet()) {
            String name = o.getKey();
            if (connOf.containsKey(name) || closing.contains(name)) continue;
            EndpointSnapshot s = byOwner(now, o.getValue());
            if (s == null || !s.remote().startsWith("127.0.0.1:") || !s.local().startsWith("127.0.0.1:")) continue;
            if (!name.startsWith("c") && !name.startsWith("s")) continue;
            boolean client = name.startsWith("c");
            String other = client ? s.remote() : s.local();
            if (!other.equals(SERVER_PORT)) continue;
            int port = Integer.parseInt((client ? s.local() : s.remote()).substring("127.0.0.1:".length()));
            if (client) {
                Conn old = conns.get(port);
                if (old != null) old.retired = true; // the port came round again: a new connection
                conns.put(port, new Conn(port));
            }
            connOf.put(name, port);
        }
        for (String name : closing) owner.remove(name);
    }

    // ------------------------------------------------------------------ packets and transitions

    private void timeline(List<LogLine> lines, long stepStart, Step step, String cause, Set<Integer> causes) {
        for (LogLine l : lines) {
            deliver(l.time());
            if (l instanceof LogLine.PacketLine p) packet(p.packet().timeNanos(), p.packet().segment(), causes);
            else if (l instanceof LogLine.StateLine s) state(s, stepStart, cause);
        }
        deliver(model.now());
    }

    private void deliver(long until) {
        while (!inFlight.isEmpty() && inFlight.peek().at() <= until) {
            Delivery d = inFlight.poll();
            lastDelivery.put(d.dst(), d);
            if (coverage != null) coverage.exercised(receiverState(d), d.kind());
            if (d.seg().has(TcpFlags.RST)) {
                for (var o : owner.keySet()) {
                    Integer port = connOf.get(o);
                    if (port == null) continue;
                    String local = o.startsWith("c") ? "127.0.0.1:" + port : SERVER_PORT;
                    String remote = o.startsWith("c") ? SERVER_PORT : "127.0.0.1:" + port;
                    if (d.dst().equals(local + " > " + remote) && errorTaken.containsKey(o)) errorTaken.put(o, true);
                }
            }
        }
    }

    /** The receiver's state as the coverage table names it ("none" when nothing is there). */
    private String receiverState(Delivery d) {
        TcpState s = logical(d.dst());
        if (s != null && s != TcpState.CLOSE) return s.netstatName();
        if (requestSocks.contains(d.dst())) return TcpState.SYN_RECV.netstatName();
        if (d.seg().has(TcpFlags.SYN) && !d.seg().has(TcpFlags.ACK)
                && full.get(d.seg().dst().toString()) == TcpState.LISTEN) {
            return TcpState.LISTEN.netstatName();
        }
        return s == null ? "none" : s.netstatName();
    }

    private TcpState logical(String name) {
        TcpState t = tw.get(name);
        return t != null ? t : full.get(name);
    }

    static String kind(Segment s) {
        if (s.has(TcpFlags.RST)) return "RST";
        if (s.has(TcpFlags.SYN)) return s.has(TcpFlags.ACK) ? "SYN-ACK" : "SYN";
        if (s.has(TcpFlags.FIN)) return "FIN";
        return s.length() > 0 ? "data" : "ACK";
    }

    private void packet(long at, Segment seg, Set<Integer> causes) {
        String src = seg.src().toString(), dst = seg.dst().toString();
        String from = src + " > " + dst, to = dst + " > " + src;
        boolean syn = seg.has(TcpFlags.SYN), ack = seg.has(TcpFlags.ACK), rst = seg.has(TcpFlags.RST);
        if (rst) {
            if (src.equals(SERVER_PORT)) causes.add(seg.dst().port());
            if (dst.equals(SERVER_PORT)) causes.add(seg.src().port());
        }
        if (syn && !ack) {
            // A new incarnation of the 4-tuple.
            wire.remove(from);
            wire.remove(to);
            if (full.get(to) == TcpState.CLOSE && tw.get(to) == null) full.remove(to);
        }
        TcpState senderState = logical(from);
        if (syn && ack && (senderState == null || !senderState.connecting())) requestSocks.add(from);
        if (senderState == TcpState.CLOSE && !rst && !(syn && ack && requestSocks.contains(from))) {
            fail("wire", "a segment other than an RST left " + from + " in CLOSE: " + seg);
        }
        long[] last = wire.get(from);
        if (last != null) {
            if (seqBefore(seg.seq(), last[0])) {
                fail("wire", "seq went backwards on " + from + ": " + seg.seq() + " after " + last[0] + " (" + seg + ")");
            }
            if (ack && last[1] >= 0 && seqBefore(seg.ack(), last[1])) {
                fail("wire", "ack went backwards on " + from + ": " + seg.ack() + " after " + last[1] + " (" + seg + ")");
            }
        }
        long[] next = last == null ? new long[] {seg.seq(), -1} : last;
        if (last == null || !seqBefore(seg.seq(), last[0])) next[0] = seg.seq();
        if (ack && (next[1] < 0 || !seqBefore(seg.ack(), next[1]))) next[1] = seg.ack();
        wire.put(from, next);
        inFlight.add(new Delivery(at + loopbackDelay, to, kind(seg), seg));
    }

    private static boolean seqBefore(long a, long b) {
        return (int) (a - b) < 0;
    }

    private void state(LogLine.StateLine s, long stepStart, String stepCause) {
        String name = s.endpoint();
        String event = eventFor(name, s.time(), s.cause(), stepCause);
        if (s.from() == null) {
            // tcp_time_wait: a timewait minisock takes over from the full socket.
            TcpState prev = full.getOrDefault(name, TcpState.CLOSE);
            if (prev != s.to() && !StateTable.allowed(prev, s.to())) {
                fail("transitions", "timewait " + s.to() + " born from " + prev + " on " + name + " (" + s.why() + ")");
            }
            if (prev != s.to()) record(prev, event, s.to());
            tw.put(name, s.to());
            return;
        }
        boolean handover = s.cause() == Cause.TIMEWAIT_HANDOVER;
        if (tw.containsKey(name) && !handover) {
            check(name, tw.get(name), s);
            record(s.from(), event, s.to());
            if (s.to() == TcpState.CLOSE) {
                tw.remove(name);
                full.put(name, TcpState.CLOSE);
            } else {
                tw.put(name, s.to());
            }
            return;
        }
        check(name, full.getOrDefault(name, TcpState.CLOSE), s);
        if (!handover) record(s.from(), event, s.to());
        full.put(name, s.to());
        if (s.to() != TcpState.CLOSE) requestSocks.remove(name);
    }

    private void check(String name, TcpState known, LogLine.StateLine s) {
        if (!StateTable.allowed(s.from(), s.to())) {
            fail("transitions", s.from() + " -> " + s.to() + " on " + name + " is not in StateTable (" + s.why() + ")");
        }
        if (known != s.from() && !(known == TcpState.CLOSE && !full.containsKey(name))) {
            fail("transitions", name + " was " + known + " but changed from " + s.from() + " (" + s.why() + ")");
        }
    }

    /**
     * What caused a transition: its cause's origin says whether a segment, a timer or the step's call did.
     * tcp_time_wait runs from both the receive path and close(): a segment delivered at that instant decides.
     */
    private String eventFor(String name, long at, Cause cause, String stepCause) {
        Delivery d = lastDelivery.get(name);
        boolean delivered = d != null && d.at() == at;
        return switch (cause.origin) {
            case TIMER -> Coverage.TIMER;
            case SEGMENT -> delivered ? d.kind() : "segment?";
            case CALL_OR_SEGMENT -> delivered ? d.kind() : stepCause != null ? stepCause : "call?";
            case CALL -> stepCause != null ? stepCause : "call?";
        };
    }

    private void record(TcpState from, String event, TcpState to) {
        if (coverage != null) coverage.transition(from.netstatName(), event, to.netstatName());
    }

    // ------------------------------------------------------------------ bytes

    private void data(List<LogLine> lines) {
        for (LogLine l : lines) {
            if (!(l instanceof LogLine.CallLine c) || c.result().failed() || c.result().blockedForever()) continue;
            Integer port;
            if (c.step().call() instanceof CallTemplate.Send s && (port = connOf.get(s.fd())) != null) {
                Conn conn = conns.get(port);
                int dir = s.fd().startsWith("c") ? 0 : 1;
                int n = (int) c.result().value();
                if (conn == null || conn.retired || n <= 0) continue;
                conn.sent[dir] += n;
                conn.stream[dir].write(s.data().bytes(), 0, n);
            } else if (c.step().call() instanceof CallTemplate.Recv r && (port = connOf.get(r.fd())) != null) {
                Conn conn = conns.get(port);
                int dir = r.fd().startsWith("c") ? 1 : 0;
                byte[] got = c.result().data();
                if (conn == null || conn.retired || got == null || got.length == 0) continue;
                byte[] all = conn.stream[dir].toByteArray();
                long at = conn.read[dir];
                boolean same = at + got.length <= all.length;
                for (int i = 0; same && i < got.length; i++) same = all[(int) at + i] == got[i];
                if (!same) {
                    fail("bytes", r.fd() + " read " + got.length + " bytes at offset " + at + " that are not the bytes sent ("
                            + all.length + " sent)");
                }
                if ((r.flags() & 0x2) == 0) conn.read[dir] += got.length; // MSG_PEEK leaves them queued
            }
        }
    }

    private void conservation(List<EndpointSnapshot> now, Set<Integer> causes) {
        for (Conn conn : conns.values()) {
            if (conn.retired) continue;
            EndpointSnapshot client = fullSocket(now, conn.client(), SERVER_PORT);
            EndpointSnapshot server = fullSocket(now, SERVER_PORT, conn.client());
            for (int dir = 0; dir < 2; dir++) {
                EndpointSnapshot a = dir == 0 ? client : server, b = dir == 0 ? server : client;
                String what = (dir == 0 ? "client to server" : "server to client") + " on port " + conn.port;
                if (conn.read[dir] > conn.sent[dir]) {
                    fail("bytes", what + ": read " + conn.read[dir] + " of " + conn.sent[dir] + " sent");
                }
                if (causes.contains(conn.port)) conn.causeSeen[dir] = true;
                // The receiver is out of sight: gone (its bytes read or lost for good), or in CLOSE in the accept
                // queue (no descriptor, not hashed) until accept() hands it over.
                if (b == null) continue;
                boolean sync = b.state() != TcpState.CLOSE || b.rcvNxt() != 0;
                long inTransit = 0;
                if (a != null && sync) {
                    long receivedUnacked = (int) (b.rcvNxt() - a.sndUna());
                    if (receivedUnacked < 0) {
                        fail("bytes", what + ": the receiver's rcv_nxt " + b.rcvNxt() + " is behind the sender's snd_una "
                                + a.sndUna());
                    }
                    inTransit = a.sendQueued() - Math.min(a.sendQueued(), Math.max(0, receivedUnacked));
                }
                long lost = conn.sent[dir] - conn.read[dir] - b.recvQueued() - inTransit;
                long was = conn.lost[dir] < 0 ? 0 : conn.lost[dir];
                if (lost < 0) {
                    fail("bytes", what + ": " + (-lost) + " more bytes are read or queued than were sent (sent "
                            + conn.sent[dir] + ", read " + conn.read[dir] + ", queued at the receiver " + b.recvQueued()
                            + ", not yet received " + inTransit + ")");
                } else if (lost < was) {
                    fail("bytes", what + ": " + (was - lost) + " lost bytes came back (lost " + was + " -> " + lost + ")");
                } else if (lost > was && !conn.causeSeen[dir]) {
                    fail("bytes", what + ": " + (lost - was) + " bytes vanished without an RST, close or exit (sent "
                            + conn.sent[dir] + ", read " + conn.read[dir] + ", queued at the receiver " + b.recvQueued()
                            + ", not yet received " + inTransit + ")");
                }
                conn.lost[dir] = Math.max(lost, was);
                conn.causeSeen[dir] = false;
            }
        }
    }

    private static EndpointSnapshot fullSocket(List<EndpointSnapshot> snaps, String local, String remote) {
        EndpointSnapshot found = null;
        for (EndpointSnapshot s : snaps) {
            if (!s.local().equals(local) || !s.remote().equals(remote) || s.owner().equals("timewait minisock")) continue;
            if (found == null || found.state() == TcpState.CLOSE) found = s;
        }
        return found;
    }

    // ------------------------------------------------------------------ netstat and SO_ERROR

    private void netstat(List<EndpointSnapshot> now) {
        List<NetstatRow> rows = model.netstat();
        Set<EndpointSnapshot> matched = new HashSet<>();
        for (NetstatRow r : rows) {
            if (r.recvQ() < 0 || r.sendQ() < 0) fail("netstat", "negative queue: " + r.format());
            EndpointSnapshot match = null;
            for (EndpointSnapshot s : now) {
                if (!s.local().equals(r.local().toString()) || s.state() == TcpState.CLOSE) continue;
                if (r.listening() ? s.state() == TcpState.LISTEN : s.remote().equals(r.foreign().toString())) {
                    match = s;
                    break;
                }
            }
            if (match == null) {
                if (r.state() != TcpState.SYN_RECV) fail("netstat", "a row with no endpoint: " + r.format());
                continue;
            }
            matched.add(match);
            if (match.state() != r.state()) {
                fail("netstat", "row says " + r.state() + ", endpoint " + match.local() + " > " + match.remote() + " is "
                        + match.state());
            }
        }
        for (EndpointSnapshot s : now) {
            if (s.state() != TcpState.CLOSE && !matched.contains(s)) {
                fail("netstat", "endpoint " + s.local() + " > " + s.remote() + " in " + s.state() + " has no row");
            }
        }
    }

    private void soError(List<LogLine> lines) {
        for (LogLine l : lines) {
            if (!(l instanceof LogLine.CallLine c) || !(c.step().call() instanceof CallTemplate.GetSockOpt g)
                    || g.option() != SockOpt.SO_ERROR || c.result().failed() || c.result().optval() == null) continue;
            boolean error = c.result().optval()[0] != 0;
            Boolean rstSince = errorTaken.get(g.fd());
            if (error && rstSince != null && !rstSince) {
                fail("SO_ERROR", g.fd() + " returned " + c.resultText() + " twice with no RST in between");
            }
            if (error) errorTaken.put(g.fd(), false);
            else errorTaken.remove(g.fd());
        }
    }
}
