package io.tcpsim.kernel.trace;

import io.tcpsim.backend.DropReason;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.RstReason;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A kernel run's tracer records turned into the backend's events: each captured RST gets the reason of its
 * {@code tcp_send_reset} (the first unclaimed one with the RST's addresses and ports: the tracepoint fires just
 * before the RST is handed to lo, so it is always recorded before the capture sees the RST), and each
 * {@code kfree_skb} of a TCP segment becomes an {@link Event.Dropped} of the captured packet with the same
 * addresses, ports, sequence and acknowledgment numbers and flags (the last such packet before the drop).
 */
public final class KernelReasons {
    private final Supplier<List<ReasonTracer.Record>> records;
    private final LongSupplier lost;
    /** CLOCK_REALTIME minus CLOCK_MONOTONIC: the tracer's times on the capture's clock. */
    private final long realMinusMono;
    private final List<ReasonTracer.Record> resets = new ArrayList<>();
    private final List<Packet> seen = new ArrayList<>();
    /** Drops whose segment the capture has not delivered yet (a drop can be recorded before a drain sees its frame). */
    private final List<ReasonTracer.Record> drops = new ArrayList<>();

    /** How far the two clocks may disagree (read back to back at the start; NTP slews both alike). */
    private static final long CLOCK_SLACK_NANOS = 1_000_000L;

    public KernelReasons(ReasonTracer tracer, long realMinusMono) {
        this(tracer::drain, tracer::lost, realMinusMono);
    }

    /** Over any source of records (a test's hand-made ones). */
    KernelReasons(Supplier<List<ReasonTracer.Record>> records, LongSupplier lost, long realMinusMono) {
        this.records = records;
        this.lost = lost;
        this.realMinusMono = realMinusMono;
    }

    /**
     * The events for {@code packets} (newly captured, in order) and for every tracer record since the last call.
     * {@code last}: the capture has ended, so a drop whose segment was never captured is reported as it is.
     */
    public List<Event> events(List<Packet> packets, boolean last) {
        List<Event> out = new ArrayList<>();
        for (ReasonTracer.Record r : records.get()) {
            switch (r.kind()) {
                case SEND_RESET -> resets.add(r);
                case KFREE_SKB -> { if (isTcp(r)) drops.add(r); }
                case RECEIVE_RESET -> { }
            }
        }
        for (Packet p : packets) {
            seen.add(p);
            out.add(new Event.PacketSent(p, p.segment().has(TcpFlags.RST) ? claimReason(p.segment()) : null));
        }
        for (Iterator<ReasonTracer.Record> it = drops.iterator(); it.hasNext(); ) {
            ReasonTracer.Record d = it.next();
            Packet captured = capturedPacket(d);
            if (captured == null && !last) continue;
            it.remove();
            out.add(dropped(d, captured));
        }
        return out;
    }

    /** Events of this run's namespace that the tracer could not keep (its queue was full). */
    public long lost() {
        return lost.getAsLong();
    }

    private RstReason claimReason(Segment rst) {
        for (Iterator<ReasonTracer.Record> it = resets.iterator(); it.hasNext(); ) {
            ReasonTracer.Record r = it.next();
            SockAddr[] ends = rstEnds(r);
            if (ends != null && ends[0].equals(rst.src()) && ends[1].equals(rst.dst())) {
                it.remove();
                RstReason reason = RstReason.ofKernelValue(r.reason());
                if (reason == null) throw new IllegalStateException("tcp_send_reset reason " + r.reason()
                        + " is not one of io.tcpsim.backend.RstReason");
                return reason;
            }
        }
        return null;
    }

    /** Where the RST of a tcp_send_reset goes from and to: back to the offending segment, or the socket's own. */
    private static SockAddr[] rstEnds(ReasonTracer.Record r) {
        if (r.tcpHeader() != null) {
            Segment in = segment(r);
            return new SockAddr[] {in.dst(), in.src()};
        }
        // tcp_send_active_reset: the socket's own ends. Its source port is inet_sport: tcp_disconnect has already
        // moved it to CLOSE, which gave back a port the kernel chose (inet_put_port zeroes skc_num).
        if (r.sock() != null) return new SockAddr[] {new SockAddr(local(r.sock()).ip(), r.inetSport()), remote(r.sock())};
        return null;
    }

    /**
     * The last captured packet, at or before the drop, with the dropped segment's ends, numbers and flags; if none
     * is at or before it, the first such packet after it. On loopback every segment the kernel receives was captured
     * on lo first, so a packet with the same ends, numbers and flags is the dropped one: the times only choose among
     * copies (a retransmission), and must not lose the drop when the two clocks' offset was read badly.
     */
    private Packet capturedPacket(ReasonTracer.Record r) {
        Segment h = segment(r);
        long time = r.monoNanos() + realMinusMono;
        Packet after = null;
        for (int i = seen.size() - 1; i >= 0; i--) {
            Segment s = seen.get(i).segment();
            if (s.src().equals(h.src()) && s.dst().equals(h.dst()) && s.seq() == h.seq() && s.ack() == h.ack()
                    && s.flags() == h.flags()) {
                if (seen.get(i).timeNanos() <= time + CLOCK_SLACK_NANOS) return seen.get(i);
                after = seen.get(i);
            }
        }
        return after;
    }

    /**
     * The drop of {@code captured} (null: a segment the capture never saw). Its time is the tracer's, but never
     * before the capture's time of the segment: the tap that captures a frame (dev_queue_xmit_nit on transmit, or
     * the receiving device's tap) runs before TCP receives it, so a drop that seems earlier is the two clocks'
     * offset read badly under load (a DifferentialTest run: an [R.] dropped 0.49 ms "before" its capture).
     */
    private Event dropped(ReasonTracer.Record r, Packet captured) {
        DropReason reason = DropReason.ofKernelValue(r.reason());
        if (reason == null) throw new IllegalStateException("kfree_skb reason " + r.reason()
                + " is not one of io.tcpsim.backend.DropReason");
        long time = r.monoNanos() + realMinusMono;
        if (captured != null) time = Math.max(time, captured.timeNanos());
        Segment seg = captured != null ? captured.segment() : segment(r);
        String endpoint = null;
        if (r.sock() != null) {
            SockAddr l = local(r.sock()), rem = remote(r.sock());
            endpoint = rem.port() == 0 ? l.toString() : l + " > " + rem;
        }
        return new Event.Dropped(time, endpoint, seg, reason);
    }

    private static boolean isTcp(ReasonTracer.Record r) {
        byte[] ip = r.ipHeader();
        return ip != null && (ip[0] & 0xf0) == 0x40 && ip[9] == 6;
    }

    /** The segment's header fields (no options, no payload) from the IP and TCP headers the tracer copied. */
    static Segment segment(ReasonTracer.Record r) {
        byte[] ip = r.ipHeader(), th = r.tcpHeader();
        SockAddr src = new SockAddr(be32(ip, 12), be16(th, 0)), dst = new SockAddr(be32(ip, 16), be16(th, 2));
        return new Segment(src, dst, be32(th, 4) & 0xffffffffL, be32(th, 8) & 0xffffffffL, th[13] & 0xff,
                be16(th, 14), be16(th, 18), List.of(), null);
    }

    private static SockAddr local(ReasonTracer.SockCommon s) {
        return new SockAddr(Integer.reverseBytes(s.rcvSaddr()), s.num());
    }

    private static SockAddr remote(ReasonTracer.SockCommon s) {
        return new SockAddr(Integer.reverseBytes(s.daddr()), Short.toUnsignedInt(Short.reverseBytes((short) s.dport())));
    }

    private static int be16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static int be32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }
}
