package io.tcpsim.replay;

import io.tcpsim.backend.Event;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayDeque;

/**
 * How a flow's model is set up from its first packet, in one of four ways: a normal start (the server listens, the
 * client connects: the capture's SYN is the model's); a refused connect (the server answers the SYN with an RST:
 * nothing listens); a full accept queue (the server does not answer the SYN: the model's listener gets a stand-in
 * connection in a listen(0) queue); a start mid-connection (the model connects outside the capture and adopts the
 * observed sequence numbers).
 */
final class FlowSetup {
    private FlowSetup() {}

    static boolean isSyn(Segment s) {
        return s.has(TcpFlags.SYN) && !s.has(TcpFlags.ACK);
    }

    /**
     * Who is who, from the flow's first packet: the SYN's sender is the client, a SYN-ACK's the server; mid-stream
     * the side on an ephemeral port (or the higher port) is taken for the client. Addresses outside 127/8 are
     * mapped to 127.0.0.2 (client) and 127.0.0.1 (server) in the model. Returns the role of the packet's sender.
     */
    static Role roles(Segment s, FlowSide client, FlowSide server) {
        boolean srcClient;
        if (isSyn(s)) srcClient = true;
        else if (s.has(TcpFlags.SYN)) srcClient = false;
        else srcClient = s.src().port() >= 32768 && s.dst().port() < 32768
                || !(s.dst().port() >= 32768 && s.src().port() < 32768) && s.src().port() > s.dst().port();
        client.addr = srcClient ? s.src() : s.dst();
        server.addr = srcClient ? s.dst() : s.src();
        // IPv6 on ::1 runs on the model's IPv6; IPv6 elsewhere on these IPv4 stand-ins, its MSS from the SYNs.
        boolean loop = client.addr.isLoopback() && server.addr.isLoopback() && client.addr.isV6() == server.addr.isV6();
        client.modelAddr = loop ? client.addr : new SockAddr(0x7f000002, client.addr.port());
        server.modelAddr = loop ? server.addr : new SockAddr(SockAddr.LOOPBACK, server.addr.port());
        return s.src().equals(client.addr) ? Role.CLIENT : Role.SERVER;
    }

    /** A non-blocking socket of the family of the side's address in the model. */
    static Call.Socket socket(FlowSide side) {
        return new Call.Socket(side.modelAddr.isV6() ? Bits.AF_INET6 : Bits.AF_INET, Bits.SOCK_NONBLOCK);
    }

    /** Sets the model up for the flow's first packet {@code c}; {@code lookahead} holds the packets after it. */
    static void start(Captured c, ArrayDeque<Captured> lookahead, FlowModel m, FlowSide client, FlowSide server,
                      FlowRecorder recorder, CallInference calls, boolean loopback) {
        Segment s = c.packet.segment();
        boolean syn = isSyn(s);
        // A listener, unless the server answers the SYN with an RST (nothing listens: the connection is refused).
        // A SYN the server does not answer within the tolerance (loopback answers within microseconds) was dropped
        // by a listener whose accept queue was full (tcp_conn_request: sk_acceptq_is_full, LISTENOVERFLOWS; measured
        // in cover/accept-queue-full): the client retransmits it until the application accepts another connection.
        boolean listener = true;
        boolean full = false;
        if (syn) {
            Captured answer = null;
            for (Captured n : lookahead) {
                if (n.packet.segment().src().equals(server.addr)) {
                    answer = n;
                    break;
                }
            }
            if (answer != null) listener = !answer.packet.segment().has(TcpFlags.RST);
            // Across a path an answer takes the round trip: the SYN went unanswered only if the client sent it again
            // before the answer came (then it was lost on the path or dropped by the queue: the same on the wire).
            boolean again = false;
            for (Captured n : lookahead) {
                if (n == answer) break;
                again |= n.packet.segment().src().equals(client.addr) && isSyn(n.packet.segment());
            }
            full = listener && (loopback ? answer == null
                    || answer.packet.timeNanos() - c.packet.timeNanos() > Flow.TOLERANCE.floorNanos() : again);
        }
        if (listener) {
            m.listenFd = (int) m.call(Role.SERVER, socket(server)).value();
            m.call(Role.SERVER, new Call.SetSockOpt(m.listenFd, SockOpt.SO_REUSEADDR, new int[] {1}));
            m.call(Role.SERVER, new Call.Bind(m.listenFd, server.modelAddr));
            m.call(Role.SERVER, new Call.Listen(m.listenFd, full ? 0 : 4096));
            if (full) fillAcceptQueue(c, m, client, server, recorder);
        }
        client.fd = (int) m.call(Role.CLIENT, socket(client)).value();
        m.call(Role.CLIENT, new Call.Bind(client.fd, client.modelAddr));
        if (syn) {
            Result r = m.call(Role.CLIENT, new Call.Connect(client.fd, server.modelAddr));
            recorder.call(Role.CLIENT, "connect(" + server.addr + ")", r, c.index, true, null);
            m.collect();
            return;
        }
        // Midstream: connect outside the capture, then adopt the observed sequence numbers.
        m.midstream = true;
        m.resyncing = true;
        m.call(Role.CLIENT, new Call.Connect(client.fd, server.modelAddr));
        // The model's own handshake is not compared with anything; only its ISNs are kept.
        for (Event e : m.discard()) {
            if (e instanceof Event.PacketSent ps && ps.packet().segment().has(TcpFlags.SYN)) {
                Segment seg = ps.packet().segment();
                (seg.src().equals(client.modelAddr) ? client : server).model.learn(seg.seq());
            }
        }
        calls.acceptIfReady();
        m.discard();
        client.state = TcpState.ESTABLISHED;
        server.state = TcpState.ESTABLISHED;
        recorder.note("the capture starts mid-connection (packet " + c.index + " is not a SYN): the model connected "
                + "outside the capture and adopted the observed sequence numbers");
    }

    /**
     * A flow with one Linux side: the model runs only {@code judged}, and the other side's packets reach it taken as
     * given (GivenPeer). A judged client connects (its SYN is the model's); a judged server listens, unless it answers
     * the SYN with an RST (nothing listens).
     */
    static void startOne(Captured c, ArrayDeque<Captured> lookahead, FlowModel m, FlowSide judged, FlowSide given,
                         FlowRecorder recorder) {
        if (judged.role == Role.CLIENT) {
            judged.fd = (int) m.call(Role.CLIENT, socket(judged)).value();
            m.call(Role.CLIENT, new Call.Bind(judged.fd, judged.modelAddr));
            Result r = m.call(Role.CLIENT, new Call.Connect(judged.fd, given.modelAddr));
            recorder.call(Role.CLIENT, "connect(" + given.addr + ")", r, c.index, true, null);
            m.collect();
            return;
        }
        for (Captured n : lookahead) {
            Segment ns = n.packet.segment();
            if (!ns.src().equals(judged.addr)) continue;
            if (ns.has(TcpFlags.RST)) return; // refused: no listener, the model's kernel answers the SYN with an RST
            break;
        }
        m.listenFd = (int) m.call(Role.SERVER, socket(judged)).value();
        m.call(Role.SERVER, new Call.SetSockOpt(m.listenFd, SockOpt.SO_REUSEADDR, new int[] {1}));
        m.call(Role.SERVER, new Call.Bind(m.listenFd, judged.modelAddr));
        m.call(Role.SERVER, new Call.Listen(m.listenFd, 4096));
        m.collect();
    }

    /**
     * Puts one connection from another address into the model's listen(0) queue, which is then full
     * (sk_acceptq_is_full: more queued than the backlog), so that the model drops the capture's SYN as the kernel did.
     * Its handshake happens before the flow's first packet and is not compared with anything.
     */
    private static void fillAcceptQueue(Captured c, FlowModel m, FlowSide client, FlowSide server,
                                        FlowRecorder recorder) {
        SockAddr addr = client.modelAddr;
        // IPv6 has one local address in the model (::1): the stand-in takes the next port there instead.
        SockAddr standIn = addr.isV6() ? addr.withPort(addr.port() == 65535 ? 65534 : addr.port() + 1)
                : new SockAddr(addr.ip() == 0x7f0000fe ? 0x7f0000fd : 0x7f0000fe, addr.port());
        int fd = (int) m.call(Role.CLIENT, socket(client)).value();
        m.call(Role.CLIENT, new Call.Bind(fd, standIn));
        m.call(Role.CLIENT, new Call.Connect(fd, server.modelAddr));
        m.discard();
        m.origin = m.start - m.now(); // the capture's SYN is at the model's present, not 30 us before it
        m.standInQueued = true;
        recorder.note("packet " + c.index + ": the server does not answer the SYN: its listener's accept queue was "
                + "full (tcp_conn_request drops a SYN while sk_acceptq_is_full); the model's queue holds another "
                + "connection");
    }

    /**
     * The client's retransmitted SYN that the server answers: the application accepted a connection in between, so
     * the queue has room. The model's stand-in is accepted before the retransmission reaches the listener.
     */
    static void acceptStandIn(Captured c, ArrayDeque<Captured> lookahead, FlowModel m, FlowSide server,
                              FlowRecorder recorder) {
        Captured next = lookahead.peek();
        if (next == null) return;
        Segment ns = next.packet.segment();
        if (!ns.src().equals(server.addr) || !ns.has(TcpFlags.SYN) || !ns.has(TcpFlags.ACK)) return;
        m.model.settle(); // an earlier retransmission still in flight reaches the full queue first
        m.collect();
        Result r = m.call(Role.SERVER, new Call.Accept(m.listenFd, Bits.SOCK_NONBLOCK));
        m.standInQueued = false;
        recorder.call(Role.SERVER, "accept()", r, c.index, false, "another connection, not in this flow: the accept "
                + "queue has room again, so the retransmitted SYN is answered");
        m.collect();
    }
}
