package io.tcpsim.replay;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;

/** A segment the path lost, as the capture shows it on a flow that is not on loopback (retransmission is issue 12). */
final class PathLoss {
    private PathLoss() {}

    /**
     * Whether captured packet {@code c} shows that the path lost a segment of a flow not on loopback: data from
     * {@code me} that starts past what the capture has seen of it (a hole the capture point never saw: lost between
     * the sender and the capture), or a SACK block above the ACK (the receiver is missing bytes; tcp_sacktag_write_queue's
     * input). Returns how it says so, or null.
     */
    static String seen(Captured c, FlowSide me, FlowSide peer) {
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
            for (TcpOption o : s.options()) {
                if (!(o instanceof TcpOption.Sack sack)) continue;
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
}
