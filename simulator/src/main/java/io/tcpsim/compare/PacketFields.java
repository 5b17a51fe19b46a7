package io.tcpsim.compare;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What is compared of a packet, and nothing else, in the order a difference is looked for and named:
 * <ol>
 *   <li>{@code direction}: sender and receiver, as the caller names them (check: ports by role, {@code E1 > 4321});</li>
 *   <li>{@code flags}: all eight bits, as tcpdump prints them;</li>
 *   <li>{@code seq}, relative to the sender's ISN; {@code ack}, relative to the receiver's ISN, compared only when both
 *       packets carry the ACK bit (when one does not, their flags differ already);</li>
 *   <li>{@code win}: the raw 16-bit field;</li>
 *   <li>{@code options}: the option kinds in order, not their values;</li>
 *   <li>{@code length}: the payload length.</li>
 * </ol>
 * Timestamp values, ISNs, IP ids and port numbers chosen by a kernel differ from run to run and are never compared.
 * An RST without ACK answers a segment with seq = that segment's ack (tcp_v4_send_reset), a number in the RST
 * sender's own space: relative to the sender's ISN it compares like any other seq.
 *
 * <p>{@link #same} decides for two segments of the same direction without building anything (replay asks it for
 * every candidate prediction); {@link #differences} names what differs, built only when a difference is reported.
 * The two agree (PacketFieldsTest).
 */
public record PacketFields(String from, String to, int flags, long seq, long ack, int window, String options,
                           int length) {
    /** {@link #ack} of a packet without the ACK bit. */
    public static final long NO_ACK = -1;

    /** The fields in the order they are compared and named. */
    public static final List<String> FIELDS = List.of("direction", "flags", "seq", "ack", "win", "options", "length");

    /** The packet's fields, seq and ack relative to {@code sender}'s and {@code receiver}'s ISNs. */
    public static PacketFields of(Segment s, String from, String to, SequenceSpace.Direction sender,
                                  SequenceSpace.Direction receiver) {
        return new PacketFields(from, to, s.flags(), sender.relative(s.seq()),
                s.has(TcpFlags.ACK) ? receiver.relative(s.ack()) : NO_ACK, s.window() & 0xffff, kinds(s),
                s.length());
    }

    /** The packet's fields, seq and ack relative to the ISNs {@code space} knows for its two directions. */
    public static PacketFields of(Segment s, String from, String to, SequenceSpace space) {
        return new PacketFields(from, to, s.flags(), space.seq(s), s.has(TcpFlags.ACK) ? space.ack(s) : NO_ACK,
                s.window() & 0xffff, kinds(s), s.length());
    }

    /**
     * Whether two segments of the same direction agree on every compared field: the one decision, without
     * allocating. {@code expected} is the model's, numbered in the model's spaces; {@code actual} in its own.
     */
    public static boolean same(Segment expected, SequenceSpace.Direction expectedSender,
                               SequenceSpace.Direction expectedReceiver, Segment actual,
                               SequenceSpace.Direction actualSender, SequenceSpace.Direction actualReceiver) {
        if (expected.flags() != actual.flags() || expected.length() != actual.length()
                || (expected.window() & 0xffff) != (actual.window() & 0xffff)) return false;
        if (expectedSender.relative(expected.seq()) != actualSender.relative(actual.seq())) return false;
        if (actual.has(TcpFlags.ACK)
                && expectedReceiver.relative(expected.ack()) != actualReceiver.relative(actual.ack())) return false;
        List<TcpOption> a = expected.options(), b = actual.options();
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (a.get(i).kind() != b.get(i).kind()) return false;
        return true;
    }

    public boolean hasAck() {
        return ack != NO_ACK;
    }

    /** A bare ACK: flags {@code [.]}, no payload. */
    public boolean pureAck() {
        return flags == TcpFlags.ACK && length == 0;
    }

    /** A field's value as a difference names it: {@code E1 > 4321}, {@code [F.]}, {@code 1}, {@code [nop,nop,TS]}. */
    public String field(String name) {
        return switch (name) {
            case "direction" -> from + " > " + to;
            case "flags" -> "[" + TcpFlags.tcpdump(flags) + "]";
            case "seq" -> Long.toString(seq);
            case "ack" -> hasAck() ? Long.toString(ack) : "-";
            case "win" -> Integer.toString(window);
            case "options" -> "[" + options + "]";
            case "length" -> Integer.toString(length);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Every field that differs, this packet as the expected one, in {@link #FIELDS} order; empty when they agree. */
    public List<Difference> differences(PacketFields actual) {
        List<Difference> out = new ArrayList<>(2);
        for (String f : FIELDS) {
            Difference d = difference(f, actual);
            if (d != null) out.add(d);
        }
        return out;
    }

    /** The first field that differs, or null when the packets agree. */
    public Difference firstDifference(PacketFields actual) {
        for (String f : FIELDS) {
            Difference d = difference(f, actual);
            if (d != null) return d;
        }
        return null;
    }

    private Difference difference(String f, PacketFields actual) {
        if (f.equals("ack") && !(hasAck() && actual.hasAck())) return null;
        String e = field(f), a = actual.field(f);
        return e.equals(a) ? null : new Difference(f, e, a);
    }

    /** {@code E1 > 4321 [F.] seq 1 ack 1 win 64 [nop,nop,TS] len 0}. */
    public String text() {
        return from + " > " + to + " [" + TcpFlags.tcpdump(flags) + "] seq " + seq + (hasAck() ? " ack " + ack : "")
                + " win " + window + (options.isEmpty() ? "" : " [" + options + "]") + " len " + length;
    }

    /** The option kinds in order, as tcpdump names them: {@code mss,sackOK,TS,nop,wscale}. */
    public static String kinds(Segment s) {
        List<TcpOption> options = s.options();
        if (options.isEmpty()) return "";
        StringBuilder b = new StringBuilder();
        for (TcpOption o : options) {
            if (b.length() > 0) b.append(',');
            b.append(TcpOption.name(o.kind()));
        }
        return b.toString();
    }
}
