package io.tcpsim.compare;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import java.util.HashMap;
import java.util.Map;

/**
 * Sequence numbers as a person compares them: relative to the initial sequence number of the side that chose them.
 * Each direction of each connection, {@code from > to}, is a {@link Direction}: the ISN of {@code from}, once known,
 * and the relative value of any number in that space (a segment's seq, the ack its peer sends back). Arithmetic is
 * modulo 2^32; a number whose ISN is not known stays absolute.
 *
 * <p>How an ISN becomes known is the user's rule, not the space's:
 * <ul>
 *   <li>check and the model tests: from each side's SYN ({@link #see}); a later SYN on the same 4-tuple, a new
 *       connection, replaces it;</li>
 *   <li>replay: the same for the capture and for the model, or, for a capture that starts mid-connection, from the
 *       first packet seen (ISN = seq − 1, as Zeek does for a partial connection);</li>
 *   <li>the tcpdump printer (-S off): from the first ACK-bearing packet of a connection, for both directions at once
 *       (print-tcp.c, tcp_seq_hash: its seq and its ack − 1).</li>
 * </ul>
 */
public final class SequenceSpace {
    private static final long MOD = 0xffffffffL;

    /** One direction of one connection: its sender's ISN (or not yet known), and relative numbers in its space. */
    public static final class Direction {
        private static final long UNKNOWN = -1;
        private long isn = UNKNOWN;

        public boolean known() {
            return isn != UNKNOWN;
        }

        /** The ISN, or -1 while it is not known. */
        public long isn() {
            return isn;
        }

        public void learn(long isn) {
            this.isn = isn & MOD;
        }

        /** {@code number} relative to the ISN, modulo 2^32; the number itself while the ISN is not known. */
        public long relative(long number) {
            return isn == UNKNOWN ? number : (number - isn) & MOD;
        }
    }

    private record Way(SockAddr from, SockAddr to) {}

    private final Map<Way, Direction> ways = new HashMap<>();

    /** The direction {@code from > to}, made (its ISN unknown) on first use. */
    public Direction of(SockAddr from, SockAddr to) {
        return ways.computeIfAbsent(new Way(from, to), w -> new Direction());
    }

    /** The direction {@code from > to}, or null if nothing was learnt about it. */
    public Direction find(SockAddr from, SockAddr to) {
        return ways.get(new Way(from, to));
    }

    /** A SYN (with or without ACK) makes its seq the ISN of its sender's direction. */
    public void see(Segment s) {
        if (s.has(TcpFlags.SYN)) of(s.src(), s.dst()).learn(s.seq());
    }

    /** The segment's seq in its sender's space. */
    public long seq(Segment s) {
        Direction d = find(s.src(), s.dst());
        return d == null ? s.seq() : d.relative(s.seq());
    }

    /** The segment's ack in its receiver's space. */
    public long ack(Segment s) {
        Direction d = find(s.dst(), s.src());
        return d == null ? s.ack() : d.relative(s.ack());
    }

    /** Forgets every ISN. */
    public void clear() {
        ways.clear();
    }
}
