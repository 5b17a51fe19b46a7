package io.tcpsim.kernel.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.tcpsim.backend.DropReason;
import io.tcpsim.backend.Event;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KernelReasons on hand-made tracer records: which captured packet a drop is of, and when it happened. */
class KernelReasonsTest {
    private static final SockAddr SERVER = SockAddr.parse("127.0.0.1:4321");
    private static final SockAddr CLIENT = SockAddr.parse("127.0.0.1:43162");
    private static final Segment RST = new Segment(SERVER, CLIENT, 1001, 2002, TcpFlags.RST | TcpFlags.ACK, 64, 0,
            List.of(), Segment.NO_DATA);

    private final List<ReasonTracer.Record> pending = new ArrayList<>();
    private final KernelReasons reasons = new KernelReasons(this::drain, () -> 0, 0);

    private List<ReasonTracer.Record> drain() {
        List<ReasonTracer.Record> out = new ArrayList<>(pending);
        pending.clear();
        return out;
    }

    /** kfree_skb of {@code s} at {@code mono}: its IPv4 and TCP headers as the tracer copies them. */
    private static ReasonTracer.Record kfree(Segment s, long mono, DropReason reason) {
        byte[] ip = new byte[20], th = new byte[20];
        ip[0] = 0x45;
        ip[9] = 6;
        put32(ip, 12, s.src().ip());
        put32(ip, 16, s.dst().ip());
        put16(th, 0, s.src().port());
        put16(th, 2, s.dst().port());
        put32(th, 4, (int) s.seq());
        put32(th, 8, (int) s.ack());
        th[12] = 0x50;
        th[13] = (byte) s.flags();
        put16(th, 14, s.window());
        return new ReasonTracer.Record(ReasonTracer.Kind.KFREE_SKB, mono, reason.kernelValue, 0, 0, null, 0, ip, th);
    }

    @Test
    void aDropIsNeverEarlierThanTheCaptureOfItsSegment() {
        // Seen in a DifferentialTest run under load: the tracer's time of the drop, on CLOCK_MONOTONIC moved by an
        // offset read back to back, came out 0.49 ms before the capture's time of the RST it dropped.
        pending.add(kfree(RST, 72_834_000L, DropReason.NOT_SPECIFIED));
        List<Event> events = reasons.events(List.of(new Packet(73_322_000L, 0, RST)), false);
        assertEquals(2, events.size());
        assertInstanceOf(Event.PacketSent.class, events.get(0));
        Event.Dropped d = assertInstanceOf(Event.Dropped.class, events.get(1));
        assertEquals(73_322_000L, d.timeNanos());
        assertEquals(RST, d.segment());
        assertEquals(DropReason.NOT_SPECIFIED, d.reason());
    }

    @Test
    void aDropLaterThanItsCaptureKeepsTheTracersTime() {
        pending.add(kfree(RST, 73_400_000L, DropReason.NOT_SPECIFIED));
        List<Event> events = reasons.events(List.of(new Packet(73_322_000L, 0, RST)), false);
        assertEquals(73_400_000L, events.get(1).timeNanos());
    }

    @Test
    void aDropWaitsForItsSegmentUntilTheCaptureEnds() {
        pending.add(kfree(RST, 10_000_000L, DropReason.NOT_SPECIFIED));
        assertEquals(List.of(), reasons.events(List.of(), false));
        List<Event> last = reasons.events(List.of(), true);
        Event.Dropped d = assertInstanceOf(Event.Dropped.class, last.get(0));
        assertEquals(10_000_000L, d.timeNanos());
        assertEquals(RST.seq(), d.segment().seq());
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void put32(byte[] b, int at, int v) {
        put16(b, at, v >>> 16);
        put16(b, at + 2, v);
    }
}
