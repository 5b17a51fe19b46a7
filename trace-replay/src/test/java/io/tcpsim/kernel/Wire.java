package io.tcpsim.kernel;

import io.tcpsim.backend.Event;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints captured packets in a short, timing-free form for exact assertions:
 * {@code C>S [S.] seq 0 ack 1 win 65483 len 0 <mss,sackOK,TS,nop,wscale>}. C is the side whose port is not the
 * server port. seq is relative to the sender's SYN and ack (when the ACK bit is set) to the receiver's SYN, as
 * tcpdump does; a side whose SYN was not seen prints absolute numbers (tcpdump prints the refusal RST's ack that
 * way too, but here it is relative to the client's ISN, which is what a test wants to check).
 */
final class Wire {
    private Wire() {}

    static List<Packet> packets(List<Event> events) {
        List<Packet> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Event.PacketSent p) out.add(p.packet());
        return out;
    }

    static List<String> render(List<Event> events, int serverPort) {
        Map<SockAddr, Long> isn = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (Packet p : packets(events)) {
            Segment s = p.segment();
            if (s.has(TcpFlags.SYN)) isn.put(s.src(), s.seq());
            String dir = s.src().port() == serverPort ? "S>C" : "C>S";
            long seq = rel(s.seq(), isn.get(s.src()));
            long ack = s.has(TcpFlags.ACK) ? rel(s.ack(), isn.get(s.dst())) : s.ack();
            String opts = s.options().stream().map(Wire::optionName).collect(Collectors.joining(","));
            out.add(dir + " [" + TcpFlags.tcpdump(s.flags()) + "] seq " + seq + " ack " + ack + " win " + s.window()
                    + " len " + s.length() + (opts.isEmpty() ? "" : " <" + opts + ">"));
        }
        return out;
    }

    private static long rel(long value, Long base) {
        return base == null ? value : (value - base) & 0xffffffffL;
    }

    static String optionName(TcpOption o) {
        return TcpOption.name(o.kind());
    }

    /** The window the kernel advertises after the handshake: ALIGN(65483, 2^ws) >> ws (tcp_select_initial_window). */
    static int windowAfterHandshake(List<Event> events) {
        for (Packet p : packets(events)) {
            for (TcpOption o : p.segment().options()) {
                if (o instanceof TcpOption.WindowScale w) {
                    int unit = 1 << w.shift();
                    return ((65483 + unit - 1) / unit * unit) >> w.shift();
                }
            }
        }
        throw new AssertionError("no SYN with wscale in " + events);
    }
}
