package io.tcpsim.replay;

import io.tcpsim.compare.Divergence;
import io.tcpsim.replay.Predictions.Predicted;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;

/**
 * Packets no TCP sends, whatever its system: checked on every flow, judged or not, because they need no model of the
 * sender, only the rules every TCP follows (RFC 9293). A packet found here is not its sender's: it is reported at its
 * packet and not replayed (the receiver ignored it, as the packets after it show).
 *
 * <ul>
 *   <li>An RST that answers a SYN must acknowledge it: in SYN-SENT an RST is acceptable only if its ACK acknowledges
 *       the SYN (RFC 9293 3.10.7.3; tcp_rcv_synsent_state_process drops any other). One whose ack is the SYN's own
 *       sequence number (not one past it) was made by something that read the SYN on the path and forged an answer:
 *       an injected RST. A TTL unlike the other packets from that address says the same.</li>
 * </ul>
 */
final class Anomalies {
    private Anomalies() {}

    /** An injected packet: no TCP sends it; the detail says why. */
    record Anomaly(Role role, String detail) implements Classifier.Mismatch {
        public Divergence.Kind kind() { return Divergence.Kind.UNEXPECTED; }
        public Predicted expected() { return null; }
    }

    /**
     * The anomaly captured packet {@code c} from {@code me} is, or null. Keeps the side's TTL (its first packet's) to
     * compare later ones with.
     */
    static Anomaly check(Captured c, FlowSide me, FlowSide peer, Iterable<Captured> lookahead) {
        Segment s = c.packet.segment();
        int firstTtl = me.ttl;
        if (me.ttl == 0 && !s.has(TcpFlags.RST)) me.ttl = c.ttl;
        if (!s.has(TcpFlags.RST) || !s.has(TcpFlags.ACK)) return null;
        // The peer's SYN is out and this side has sent no SYN-ACK yet: the peer is in SYN-SENT.
        if (!peer.captured.known() || me.captured.known() || peer.capNext > 1) return null;
        long wanted = (peer.captured.isn() + 1) & 0xffffffffL;
        if (s.ack() == wanted) return null;
        if (firstTtl == 0) {
            for (Captured n : lookahead) {
                if (n.packet.segment().src().equals(me.addr) && !n.packet.segment().has(TcpFlags.RST)) {
                    firstTtl = n.ttl;
                    break;
                }
            }
        }
        String ttl = firstTtl > 0 && c.ttl > 0 && c.ttl != firstTtl ? "; its TTL " + c.ttl + " is not the "
                + firstTtl + " of the " + me.role.word + "'s other packets" : "";
        return new Anomaly(me.role, "an RST no TCP would send: it answers the " + peer.role.word + "'s SYN (seq "
                + peer.captured.isn() + ") with ack " + s.ack() + ", where only ack " + wanted
                + " is acceptable (RFC 9293; tcp_rcv_synsent_state_process drops it)" + ttl
                + ": injected on the path, not sent by the " + me.role.word + "; the " + peer.role.word
                + " ignores it");
    }
}
