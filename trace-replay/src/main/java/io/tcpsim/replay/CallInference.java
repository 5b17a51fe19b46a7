package io.tcpsim.replay;

import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.replay.Predictions.Predicted;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayDeque;

/**
 * The application calls behind the capture, made on the model: the call that causes a captured packet (data by send,
 * a FIN by shutdown or close, an RST by an aborting close), the reads of a receiver, accept once a connection is
 * ready, the consequence of a reset, and a connect given up. Decisions that depend on what comes later look at the
 * flow's packets buffered behind the current one.
 */
final class CallInference {
    /**
     * The most data one inferred write (or hole before it) may carry: four times tcp_wmem's largest default (4 MiB),
     * so that no capture's sequence numbers make replay allocate more (docs/limits.md).
     */
    static final long MAX_WRITE = 16L << 20;

    private final FlowModel m;
    private final Sides sides;
    private final FlowSide client, server;
    private final Predictions predictions;
    private final FlowRecorder recorder;
    private final ArrayDeque<Captured> lookahead;
    /** The packet being replayed, when a packet that arrived earlier is followed up late (a path's delay). */
    Captured current;

    CallInference(FlowModel m, Sides sides, Predictions predictions, FlowRecorder recorder,
                  ArrayDeque<Captured> lookahead) {
        this.m = m;
        this.sides = sides;
        this.client = sides.client();
        this.server = sides.server();
        this.predictions = predictions;
        this.recorder = recorder;
        this.lookahead = lookahead;
    }

    /** Whether a call can cause the segment: data, a FIN, an RST, a SYN; the rest a kernel sends on its own. */
    static boolean causedByCall(Segment s) {
        return s.length() > 0 || s.has(TcpFlags.FIN) || s.has(TcpFlags.RST)
                || s.has(TcpFlags.SYN) && !s.has(TcpFlags.ACK);
    }

    /**
     * Makes the application call that causes captured packet {@code c} from {@code me}, if one can; true when it made
     * one (the model's packet is then to be collected and matched).
     */
    boolean infer(Captured c, FlowSide me) {
        Segment s = c.packet.segment();
        if (!causedByCall(s) || s.has(TcpFlags.SYN) || me.given) return false;
        if (s.has(TcpFlags.RST)) {
            if (me.fd < 0) return false;
            // close() with unread data and close() with SO_LINGER {1, 0} put the same [R.] on the wire
            // (__tcp_close: tcp_send_active_reset in both branches); the model is given the second.
            m.call(me.role, new Call.SetSockOpt(me.fd, SockOpt.SO_LINGER, new int[] {1, 0}));
            Result r = m.call(me.role, new Call.Close(me.fd));
            me.fd = -1;
            me.rstByApp = true;
            recorder.call(me.role, "close()", r, c.index, true, me.bytesReceived > 0
                    ? "RST: close() with unread data, or with SO_LINGER {1, 0}" : "RST: close() with SO_LINGER {1, 0}");
            return true;
        }
        boolean acted = false;
        long seq = me.captured.relative(s.seq());
        long end = writeEnd(s, me, seq + s.length());
        if (s.length() > 0 && end > me.appNext) {
            if (me.fd < 0) return false;
            decidePeerFin(me);
            long length = end - Math.max(seq, me.appNext);
            if (seq - me.appNext > MAX_WRITE || length > MAX_WRITE) {
                // Sequence numbers no socket could have sent (a hole or a write past Linux's largest send buffer):
                // the model is not given gigabytes of data (issue 19, items 2 and 3), the flow is not judged on.
                recorder.notJudged(c.index, "packet " + c.index + " puts " + me.role.word + " data at "
                        + (seq - me.appNext) + " bytes past the last byte seen, and a write of " + length + " bytes: "
                        + "more than " + (MAX_WRITE >> 20) + " MiB, which no send buffer holds");
                return false;
            }
            if (seq > me.appNext) {
                long gap = seq - me.appNext;
                recorder.note("packet " + c.index + ": " + gap + " bytes of " + me.role.word + " data before it are "
                        + "not in the capture (lost by the capture?); the model sends them first");
                send(me, (int) gap, c.index, false);
            }
            send(me, (int) length, c.index, true);
            acted = true;
        }
        if (s.has(TcpFlags.FIN) && me.fin == FlowSide.Fin.NONE && me.fd >= 0) {
            Result r = m.call(me.role, new Call.Shutdown(me.fd, Bits.SHUT_WR));
            me.fin = FlowSide.Fin.UNDECIDED;
            me.finPacket = c.index;
            me.appNext++;
            recorder.call(me.role, "shutdown(SHUT_WR)", r, c.index, true, null);
            acted = true;
        }
        return acted;
    }

    /**
     * Where the write that sent {@code s} ends: a segment without PSH is not the last of its write (tcp_push marks the
     * last segment, tcp_mark_push), so the contiguous segments behind it in the lookahead, up to one with PSH, are the
     * same write: one send() of their bytes, which the model cuts into segments as the kernel did (a hole between them
     * too: bytes of that write that the capture did not see).
     */
    private long writeEnd(Segment s, FlowSide me, long end) {
        if (s.has(TcpFlags.PSH) || s.has(TcpFlags.FIN) || s.length() == 0) return end;
        for (Captured n : lookahead) {
            Segment ns = n.packet.segment();
            if (!ns.src().equals(me.addr)) continue;
            // A hole before the next segment is bytes of the same write that the capture did not see (lost on the
            // path before the capture point, or by the capture).
            if (ns.length() == 0 || ns.has(TcpFlags.RST) || ns.has(TcpFlags.SYN)
                    || me.captured.relative(ns.seq()) < end) break;
            end = me.captured.relative(ns.seq()) + ns.length();
            if (ns.has(TcpFlags.PSH) || ns.has(TcpFlags.FIN)) break;
        }
        return end;
    }

    private void send(FlowSide me, int length, long packet, boolean observed) {
        Result r = m.call(me.role, new Call.Send(me.fd, new byte[length], Bits.MSG_NOSIGNAL | Bits.MSG_DONTWAIT, false));
        if (!r.failed()) me.appNext += r.value();
        else me.appNext += length; // keep following the capture's sequence numbers
        recorder.call(me.role, "send(" + length + ")", r, packet, observed, observed ? null : "data the capture lost");
    }

    /**
     * Data is about to reach a side whose FIN is out: close() and shutdown(SHUT_WR) sent the same FIN, and only now
     * do they differ. If that side answers the data with an RST, its descriptor was closed (an orphan resets new
     * data: tcp_rcv_state_process, tcp_timewait_state_process); if it ACKs it, it was shut down.
     */
    private void decidePeerFin(FlowSide me) {
        FlowSide peer = sides.peer(me);
        if (peer.fin != FlowSide.Fin.UNDECIDED) return;
        long sentEnd = me.capNext; // the end of what me sent up to the answer: the most an ACK can acknowledge
        for (Captured n : lookahead) {
            Segment ns = n.packet.segment();
            if (!ns.src().equals(peer.addr)) {
                if (me.captured.known() && ns.src().equals(me.addr)) {
                    long end = me.captured.relative(ns.seq()) + ns.seqLength();
                    if (end - me.capNext < 1 << 30) sentEnd = Math.max(sentEnd, end);
                }
                continue;
            }
            // Two explanations fit a FIN, and the answer to the data tells them apart: an orphan (close() before the
            // data) answers with a bare [R] at seq = SEG.ACK (tcp_v4_send_reset); a socket still open (shutdown) queues
            // the data, and an [R.] that acknowledges it is its own close() with that data unread
            // (tcp_send_active_reset: ack = rcv_nxt).
            long ack = me.captured.known() ? me.captured.relative(ns.ack()) : -1;
            boolean closedWithItUnread = ns.has(TcpFlags.RST) && ns.has(TcpFlags.ACK) && ack >= me.capNext
                    && ack <= sentEnd;
            if (ns.has(TcpFlags.RST) && !closedWithItUnread) {
                if (peer.unread) read(peer); // what reset the data was the closed socket, not unread bytes
                Result r = m.call(peer.role, new Call.Close(peer.fd));
                peer.fd = -1;
                peer.fin = FlowSide.Fin.CLOSE;
                recorder.amendFin(peer.role, "close()", r, "not shutdown: the RST at packet " + n.index
                        + " answers data");
            } else {
                peer.fin = FlowSide.Fin.SHUTDOWN;
                recorder.amendFin(peer.role, "shutdown(SHUT_WR)", null, closedWithItUnread ? "not close: the [R.] at "
                        + "packet " + n.index + " acknowledges data that arrived later, a close() with it unread"
                        : "not close: data arriving later is ACKed at packet " + n.index);
            }
            break;
        }
    }

    /**
     * After captured packet {@code c} from {@code me} has reached its receiver in the model (at capture time
     * {@code arrival}: the packet's own time on loopback, later across a path): accept once the server's side is
     * ESTABLISHED, and the receiver reads what arrived.
     */
    void afterPacket(Captured c, FlowSide me, long arrival) {
        Segment s = c.packet.segment();
        if (m.resyncing && causedByCall(s)) m.resyncing = false;
        if (m.listenFd >= 0 && server.fd < 0 && !server.reset && server.state == TcpState.ESTABLISHED) acceptIfReady();
        FlowSide peer = sides.peer(me);
        if (s.length() > 0 && !s.has(TcpFlags.RST)) peer.bytesReceived += s.length();
        // The receiver reads what arrives at once, as a program blocked in recv() does (a close() that resets because
        // of unread data is replayed with SO_LINGER {1, 0}, which puts the same RST on the wire). Unless the read
        // would send a scheduled ACK at once (tcp_cleanup_rbuf) and the capture has no such ACK: then the
        // application had not read yet, and it reads once that ACK has left on its timer.
        if ((s.length() > 0 || s.has(TcpFlags.FIN)) && peer.fd >= 0 && !peer.reset) {
            if (m.readFlushesAck(peer.role, peer.fd) && !answeredAtOnce(arrival, peer)) peer.unread = true;
            else read(peer);
        }
        readIfDue(client);
        readIfDue(server);
    }

    /** {@code sd}, which had not read, reads now if a read sends its scheduled ACK; true when it did. */
    boolean readNow(FlowSide sd) {
        if (!sd.unread || sd.fd < 0 || sd.reset || !m.readFlushesAck(sd.role, sd.fd)) return false;
        read(sd);
        return true;
    }

    /** A receiver that had not read reads once a read no longer sends the ACK at once (it left on its timer). */
    private void readIfDue(FlowSide sd) {
        if (sd.unread && (sd.fd < 0 || sd.reset || !m.readFlushesAck(sd.role, sd.fd))) read(sd);
    }

    private void read(FlowSide sd) {
        sd.unread = false;
        if (sd.fd < 0 || sd.reset) return;
        for (int i = 0; i < 64; i++) {
            Result r = m.call(sd.role, new Call.Recv(sd.fd, 1 << 20, Bits.MSG_DONTWAIT, false));
            if (r.failed() || r.value() <= 0) break;
        }
        m.collect();
    }

    /**
     * Whether {@code sd} sends something within the tolerance after the packet just replayed: an ACK that a read
     * flushed, or data. When the lookahead ends within the tolerance, the usual case is assumed (it did).
     */
    private boolean answeredAtOnce(long arrival, FlowSide sd) {
        long limit = arrival + Flow.TOLERANCE.floorNanos();
        if (current != null && current.packet.segment().src().equals(sd.addr) && current.packet.timeNanos() <= limit
                && current.packet.timeNanos() >= arrival) {
            return true;
        }
        for (Captured n : lookahead) {
            if (n.packet.timeNanos() > limit) return false;
            if (n.packet.segment().src().equals(sd.addr)) return true;
        }
        return lookahead.size() >= Flow.LOOKAHEAD;
    }

    void acceptIfReady() {
        Result r = m.call(Role.SERVER, new Call.Accept(m.listenFd, Bits.SOCK_NONBLOCK));
        if (!r.failed() && !r.blockedForever()) {
            server.fd = (int) r.value();
            recorder.call(Role.SERVER, "accept()", r, 0, false, "no packet of its own");
        }
    }

    /**
     * After the last packet: a FIN still undecided stays shutdown(SHUT_WR), and the report says that close() fits as
     * well (no data reached that side after its FIN, which alone would tell them apart).
     */
    void undecidedFins() {
        for (FlowSide me : new FlowSide[] {client, server}) {
            if (me.fin != FlowSide.Fin.UNDECIDED) continue;
            recorder.amendFin(me.role, "shutdown(SHUT_WR)", null, "or close(): both send this FIN, and no data "
                    + "reached the " + me.role.word + " after it to tell them apart");
        }
    }

    /** After the last packet: a side that was reset and still has its descriptor learns it on its next call. */
    void consequences() {
        for (FlowSide me : new FlowSide[] {client, server}) {
            if (me.fd < 0 || !me.reset || me.stateWhenReset == TcpState.SYN_SENT) continue;
            Result r = m.call(me.role, new Call.Send(me.fd, new byte[1], Bits.MSG_NOSIGNAL | Bits.MSG_DONTWAIT, false));
            String why = "consequence: the next call fails; reset by peer while in " + me.stateWhenReset;
            recorder.call(me.role, "send()", r, 0, false, why);
        }
    }

    /**
     * The capture goes on past the time of the client's next SYN retransmission without it: the application gave up
     * on the connect. close() and shutdown() in SYN_SENT send nothing (tcp_disconnect, tcp_set_state(TCP_CLOSE)) and
     * stop the retransmissions (measured: cover/linger-zero-syn-sent, cover/shutdown-syn-sent). The model closes the
     * client where the capture shows no retransmission.
     */
    void abandonConnect(long end) {
        long step = 10_000_000L;
        while (m.now() < end && client.state == TcpState.SYN_SENT && client.fd >= 0) {
            m.sleep(Math.min(step, end - m.now()));
            m.collect();
            // Not in the capture (this runs after the flow's last packet): abandoned before it.
            Predicted syn = predictions.takeSyn(Role.CLIENT);
            if (syn == null) continue;
            Result r = m.call(Role.CLIENT, new Call.Close(client.fd));
            client.fd = -1;
            recorder.call(Role.CLIENT, "close()", r, 0, false, String.format(java.util.Locale.ROOT, "the capture has no retransmission of "
                    + "the SYN at %+.3f ms: the connect was abandoned (close or shutdown in SYN_SENT sends nothing)",
                    m.sinceStart(syn.time()) / 1e6));
            m.collect();
            return;
        }
    }
}
