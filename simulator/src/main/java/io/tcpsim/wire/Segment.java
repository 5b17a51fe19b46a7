package io.tcpsim.wire;

import java.util.Arrays;
import java.util.List;

/**
 * One TCP segment as it crosses the wire: the fields tcpdump shows and the payload bytes.
 * {@code seq} and {@code ack} are unsigned 32-bit values held in a long; {@code window} is the raw 16-bit header
 * field (not scaled); {@code flags} holds all eight bits (see {@link TcpFlags}).
 */
public record Segment(SockAddr src, SockAddr dst, long seq, long ack, int flags, int window, int urgent,
                      List<TcpOption> options, byte[] payload) {
    public static final byte[] NO_DATA = new byte[0];

    public Segment {
        options = List.copyOf(options);
        if (payload == null) payload = NO_DATA;
    }

    public int length() {
        return payload.length;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space consumed: payload plus one for SYN and one for FIN. */
    public long seqLength() {
        return payload.length + (has(TcpFlags.SYN) ? 1 : 0) + (has(TcpFlags.FIN) ? 1 : 0);
    }

    public TcpOption.Timestamps timestamps() {
        for (TcpOption o : options) if (o instanceof TcpOption.Timestamps t) return t;
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Segment s && s.seq == seq && s.ack == ack && s.flags == flags && s.window == window
                && s.urgent == urgent && s.src.equals(src) && s.dst.equals(dst) && s.options.equals(options)
                && Arrays.equals(s.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((src.hashCode() * 31 + dst.hashCode()) * 31 + Long.hashCode(seq)) * 31 + flags;
    }

    @Override
    public String toString() {
        return src.tcpdumpString() + " > " + dst.tcpdumpString() + " [" + TcpFlags.tcpdump(flags) + "] seq " + seq
                + " ack " + ack + " win " + window + " len " + payload.length;
    }
}
