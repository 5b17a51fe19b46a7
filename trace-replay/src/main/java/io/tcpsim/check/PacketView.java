package io.tcpsim.check;

import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What check compares of a packet: who sent it to whom (ports as {@link Roles}), flags, seq relative to the
 * sender's ISN, ack relative to the receiver's ISN (only when the ACK bit is set), the raw window, the option kinds
 * in order, the payload length. Timestamp values, ISNs and ephemeral port numbers differ from run to run and are not
 * compared.
 *
 * <p>An RST without ACK answers a segment with seq = that segment's ack (tcp_v4_send_reset), a number in the
 * RST sender's own sequence space: relative to the sender's ISN it is the same on both backends.
 */
record PacketView(String from, String to, String flags, String seq, String ack, int window, String options,
                  int length, boolean pureAck) {

    /** The fields in the order they are compared and named in a difference. */
    static final List<String> FIELDS = List.of("direction", "flags", "seq", "ack", "win", "options", "length");

    static PacketView of(Packet p, Roles roles, Isns isns) {
        Segment s = p.segment();
        String seq = isns.relative(s.src(), s.dst(), s.seq());
        String ack = s.has(TcpFlags.ACK) ? isns.relative(s.dst(), s.src(), s.ack()) : "-";
        boolean pure = s.flags() == TcpFlags.ACK && s.length() == 0;
        return new PacketView(roles.addr(s.src()), roles.addr(s.dst()), TcpFlags.tcpdump(s.flags()), seq, ack,
                s.window() & 0xffff, kinds(s.options()), s.length(), pure);
    }

    String field(String name) {
        return switch (name) {
            case "direction" -> from + " > " + to;
            case "flags" -> "[" + flags + "]";
            case "seq" -> seq;
            case "ack" -> ack;
            case "win" -> Integer.toString(window);
            case "options" -> "[" + options + "]";
            case "length" -> Integer.toString(length);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The first field that differs, or null when the packets agree. */
    String firstDifference(PacketView other) {
        for (String f : FIELDS) if (!Objects.equals(field(f), other.field(f))) return f;
        return null;
    }

    /** {@code E1 > 4321 [F.] seq 1 ack 1 win 64 [nop,nop,TS] len 0}. */
    String text() {
        return from + " > " + to + " [" + flags + "] seq " + seq + ("-".equals(ack) ? "" : " ack " + ack)
                + " win " + window + (options.isEmpty() ? "" : " [" + options + "]") + " len " + length;
    }

    private static String kinds(List<TcpOption> options) {
        List<String> out = new ArrayList<>();
        for (TcpOption o : options) {
            out.add(TcpOption.name(o.kind()));
        }
        return String.join(",", out);
    }
}
