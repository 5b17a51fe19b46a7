package io.tcpsim.picture;

import io.tcpsim.script.CText;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.HashMap;
import java.util.Map;

/**
 * Short packet labels the tcpdump way: {@code [P.] seq 1:2, ack 2, length 1 "a"}. Numbers are relative to each
 * direction's ISN (the SYN's seq), for every packet — also the SYN itself ({@code seq 0}) and the RSTs, which tcpdump
 * prints absolute; a direction whose SYN was not seen keeps absolute numbers. Stateful: one instance per diagram, fed
 * the packets in order.
 */
public final class PacketLabels {
    /** Bytes of payload shown in the label; the hover detail has the full tcpdump line. */
    static final int PREVIEW = 12;

    private final Map<String, Long> isn = new HashMap<>();

    public String label(Segment s) {
        String dir = s.src() + ">" + s.dst(), back = s.dst() + ">" + s.src();
        if (s.has(TcpFlags.SYN)) isn.put(dir, s.seq());
        StringBuilder b = new StringBuilder("[").append(TcpFlags.tcpdump(s.flags())).append(']');
        String sep = " ";
        // tcpdump leaves seq out of a bare ACK; so do we.
        if (s.seqLength() > 0 || s.has(TcpFlags.RST) || !s.has(TcpFlags.ACK)) {
            long seq = relative(s.seq(), isn.get(dir));
            b.append(sep).append("seq ").append(seq);
            if (s.length() > 0) b.append(':').append(seq + s.length());
            sep = ", ";
        }
        if (s.has(TcpFlags.ACK)) {
            b.append(sep).append("ack ").append(relative(s.ack(), isn.get(back)));
            sep = ", ";
        }
        if (s.length() > 0) {
            b.append(sep).append("length ").append(s.length()).append(' ');
            byte[] p = s.payload();
            b.append(CText.quote(p, Math.min(p.length, PREVIEW)));
            if (p.length > PREVIEW) b.append('\u2026');
        }
        return b.toString();
    }

    public static Ladder.Tone tone(Segment s) {
        if (s.has(TcpFlags.RST)) return Ladder.Tone.RST;
        if (s.has(TcpFlags.SYN)) return Ladder.Tone.SYN;
        if (s.has(TcpFlags.FIN)) return Ladder.Tone.FIN;
        if (s.length() > 0) return Ladder.Tone.DATA;
        return Ladder.Tone.ACK;
    }

    private static long relative(long value, Long base) {
        return base == null ? value : (value - base) & 0xffffffffL;
    }
}
