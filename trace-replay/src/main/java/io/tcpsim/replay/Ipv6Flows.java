package io.tcpsim.replay;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * IPv6 TCP flows: reported one by one, as Zeek would log them, and not judged (the model has no IPv6 yet). Nothing
 * of them is replayed; each report says why. Bounded: at most {@link #MAX} flows are followed at once (the rest are
 * counted).
 */
final class Ipv6Flows {
    static final int MAX = 100_000;
    static final String WHY = "IPv6 is not modelled yet (the model, its wire layer and the printer are IPv4)";

    /** One IPv6 connection: its two ends as text, its packets, Zeek's view. */
    private static final class V6Flow {
        final int number;
        final String client, server;
        final ZeekState zeek = new ZeekState();
        long first, last, packets, start, end;
        boolean clientFin, serverFin, over;
        /** Whether the flow's first packet came from the client (Zeek's originator is that packet's sender). */
        boolean firstFromClient;

        V6Flow(int number, String client, String server) {
            this.number = number;
            this.client = client;
            this.server = server;
        }
    }

    private final Map<String, V6Flow> open = new HashMap<>();
    long dropped;

    /**
     * The IPv6 packet at {@code b[at..end)} (TCP right after the fixed header; extension headers are not followed),
     * record {@code index} at {@code time}; {@code next} numbers a new flow. Returns the flow's number, or 0 when the
     * packet is not TCP or too short; {@code done} gets flows that ended.
     */
    int packet(byte[] b, int at, int end, long index, long time, java.util.function.IntSupplier next,
               List<FlowReport> done) {
        if (end - at < 60 || (b[at + 6] & 0xff) != 6) return 0;
        int t = at + 40;
        String src = addr(b, at + 8, u16(b, t)), dst = addr(b, at + 24, u16(b, t + 2));
        int flags = b[t + 13] & 0xff;
        int hlen = ((b[t + 12] & 0xff) >>> 4) * 4;
        int payload = Math.max(0, u16(b, at + 4) - hlen);
        String key = src.compareTo(dst) < 0 ? src + " " + dst : dst + " " + src;
        V6Flow f = open.get(key);
        boolean newSyn = (flags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN;
        if (f != null && f.over && newSyn) {
            done.add(report(f));
            open.remove(key);
            f = null;
        }
        if (f == null) {
            if (open.size() >= MAX) {
                dropped++;
                return 0;
            }
            boolean srcIsClient = newSyn || (flags & TcpFlags.SYN) == 0 && u16(b, t) > u16(b, t + 2);
            f = new V6Flow(next.getAsInt(), srcIsClient ? src : dst, srcIsClient ? dst : src);
            f.first = index;
            f.start = time;
            f.firstFromClient = src.equals(f.client);
            f.zeek.firstSenderIsClient(f.firstFromClient);
            open.put(key, f);
        }
        boolean fromClient = src.equals(f.client);
        // Zeek's state needs the TCP fields and ports only; the addresses stand for the two ends.
        Segment s = new Segment(new SockAddr(fromClient ? 2 : 1, u16(b, t)), new SockAddr(fromClient ? 1 : 2,
                u16(b, t + 2)), u32(b, t + 4),
                u32(b, t + 8), flags, u16(b, t + 14), 0, List.of(), new byte[payload]);
        // Zeek's conn_size counts the IP bytes: the fixed header and the payload length it gives.
        f.zeek.packet(s, fromClient == f.firstFromClient, time, 40 + u16(b, at + 4), end - at < 40 + u16(b, at + 4));
        f.packets++;
        f.last = index;
        f.end = time;
        if ((flags & TcpFlags.FIN) != 0) {
            if (fromClient) f.clientFin = true;
            else f.serverFin = true;
        }
        if ((flags & TcpFlags.RST) != 0 || f.clientFin && f.serverFin && (flags & TcpFlags.FIN) == 0) f.over = true;
        return f.number;
    }

    /** Every flow still open, in the order they started. */
    List<FlowReport> finish() {
        List<V6Flow> all = new ArrayList<>(open.values());
        all.sort(java.util.Comparator.comparingInt(f -> f.number));
        List<FlowReport> out = new ArrayList<>();
        for (V6Flow f : all) out.add(report(f));
        open.clear();
        return out;
    }

    private static FlowReport report(V6Flow f) {
        return new FlowReport(f.number, f.client, f.server, f.first, f.last, f.packets, f.start, f.end, List.of(),
                List.of(), "not replayed; as Zeek sees it: " + f.zeek.connState(), f.zeek.connState(),
                f.zeek.history(), List.of(), 0, List.of(), Map.of(), false, null, new FlowReport.Judged(0, WHY),
                List.of("network: IPv6"), 0, f.zeek.log());
    }

    /** {@code [2001:db8::1]:21}, zeros compressed as RFC 5952 writes them. */
    static String addr(byte[] b, int at, int port) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = u16(b, at + 2 * i);
        int bestAt = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) j++;
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                s.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            s.append(Integer.toHexString(w[i]));
            if (i < 7) s.append(':');
        }
        return s.append("]:").append(port).toString();
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
                | (b[at + 3] & 0xff);
    }
}
