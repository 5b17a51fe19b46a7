package io.tcpsim.model;

import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.wire.Packet;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ACK timing on loopback: tcp_incr_quickack / tcp_dec_quickack_mode, tcp_send_delayed_ack, pingpong
 * ([M§1], [M§2], [M§22]). Delayed ACKs are asserted in the measured (40, 44] ms range.
 */
class AckTimingTest {

    private static boolean delayed(double ms) {
        return ms > 40 && ms <= 44.1;
    }

    /**
     * exp2 2d (N=20, peer never reads): exactly 16 quick ACKs (TCP_MAX_QUICKACKS); the 17th segment is ACKed after
     * 40-44 ms; sends 18-20 are held by Nagle and leave as one 15-byte segment right after that ACK, which is itself
     * ACKed with delay.
     */
    @Test
    void sixteenQuickAcksThenDelayed() {
        Harness h = new Harness();
        int[] e = h.established();
        for (int i = 0; i < 20; i++) h.ok(send(e[1], "abcde", 0));
        h.sleepMs(200);
        List<Packet> raw = h.raw();
        List<String> got = h.take();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            want.add("C>S [P.] seq " + (1 + 5 * i) + ":" + (6 + 5 * i) + " ack 1 win 64 [nop,nop,TS] len 5");
            if (i < 16) want.add("S>C [.] seq 1 ack " + (6 + 5 * i) + " win 64 [nop,nop,TS] len 0");
        }
        want.add("S>C [.] seq 1 ack 86 win 64 [nop,nop,TS] len 0");
        want.add("C>S [P.] seq 86:101 ack 1 win 64 [nop,nop,TS] len 15");
        want.add("S>C [.] seq 1 ack 101 win 64 [nop,nop,TS] len 0");
        assertEquals(want, got);
        for (int i = 0; i < 16; i++) {
            double d = Harness.ms(raw.get(2 * i), raw.get(2 * i + 1));
            assertTrue(d < 0.1, "quick ACK " + i + " after " + d + " ms");
        }
        assertTrue(delayed(Harness.ms(raw.get(32), raw.get(33))), "17th ACK " + Harness.ms(raw.get(32), raw.get(33)));
        assertTrue(Harness.ms(raw.get(33), raw.get(34)) < 0.1, "Nagle-held data right after the ACK");
        assertTrue(delayed(Harness.ms(raw.get(34), raw.get(35))), "last ACK " + Harness.ms(raw.get(34), raw.get(35)));
    }

    /**
     * Model.readFlushesAck, which replay asks before it makes a receiver read: false while quick ACKs go at once
     * (nothing is scheduled); true once the 17th 5-byte segment waits for its delayed ACK and a read would empty a
     * queue of small pushed segments (tcp_cleanup_rbuf: ICSK_ACK_PUSHED outside pingpong mode); and the read does
     * send that ACK at once.
     */
    @Test
    void aReadFlushesTheScheduledAckOfSmallPushedSegments() {
        Harness h = new Harness();
        int[] e = h.established();
        for (int i = 0; i < 16; i++) h.ok(send(e[1], "abcde", 0));
        assertFalse(h.model.readFlushesAck("main", e[2]), "16 quick ACKs left at once: nothing scheduled");
        h.ok(send(e[1], "abcde", 0));
        assertTrue(h.model.readFlushesAck("main", e[2]), "the 17th waits for its delayed ACK");
        assertFalse(h.model.readFlushesAck("main", e[1]), "the sender has nothing to ACK");
        h.take();
        assertEquals("abcde".repeat(17), h.read(e[2], 1000));
        assertEquals(List.of("S>C [.] seq 1 ack 86 win 64 [nop,nop,TS] len 0"), h.take());
        assertFalse(h.model.readFlushesAck("main", e[2]));
        assertFalse(h.model.readFlushesAck("main", 99), "not a descriptor");
    }

    /**
     * exp2 2a: ping-pong, the server replies at once: the first data is quick-ACKed by each side; from round 2 on
     * the ACKs ride on the data (both sides pingpong); when C stops replying its ACK is delayed 40-44 ms.
     */
    @Test
    void pingPongAcksRideOnData() {
        Harness h = new Harness();
        int[] e = h.established();
        for (int r = 0; r < 3; r++) {
            h.ok(send(e[1], "hello", 0));
            h.read(e[2], 10);
            h.ok(send(e[2], "world", 0));
            h.read(e[1], 10);
        }
        h.sleepMs(100);
        List<Packet> raw = h.raw();
        assertEquals(List.of(
                "C>S [P.] seq 1:6 ack 1 win 64 [nop,nop,TS] len 5",
                "S>C [.] seq 1 ack 6 win 64 [nop,nop,TS] len 0",
                "S>C [P.] seq 1:6 ack 6 win 64 [nop,nop,TS] len 5",
                "C>S [.] seq 6 ack 6 win 64 [nop,nop,TS] len 0",
                "C>S [P.] seq 6:11 ack 6 win 64 [nop,nop,TS] len 5",
                "S>C [P.] seq 6:11 ack 11 win 64 [nop,nop,TS] len 5",
                "C>S [P.] seq 11:16 ack 11 win 64 [nop,nop,TS] len 5",
                "S>C [P.] seq 11:16 ack 16 win 64 [nop,nop,TS] len 5",
                "C>S [.] seq 16 ack 16 win 64 [nop,nop,TS] len 0"), h.take());
        assertTrue(delayed(Harness.ms(raw.get(7), raw.get(8))), "C's delayed ACK " + Harness.ms(raw.get(7), raw.get(8)));
    }

    /**
     * exp1 scenario A: a pingpong receiver that does not answer sends its standalone ACK 40.2-44.2 ms after the data.
     */
    @Test
    void delayedAckInPingpong() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "hello", 0));
        h.read(e[2], 10);
        h.ok(send(e[2], "hello", 0));
        h.read(e[1], 10);
        h.clear();
        h.ok(send(e[1], "again", 0));
        h.sleepMs(100);
        List<Packet> raw = h.raw();
        assertEquals(List.of(
                "C>S [P.] seq 6:11 ack 6 win 64 [nop,nop,TS] len 5",
                "S>C [.] seq 6 ack 11 win 64 [nop,nop,TS] len 0"), h.take());
        assertTrue(delayed(Harness.ms(raw.get(0), raw.get(1))), "" + Harness.ms(raw.get(0), raw.get(1)));
    }

    /** exp2 2f: sends 50 ms apart (gap > ato): 16 quick ACKs, then every further segment is ACKed after 40-44 ms. */
    @Test
    void spacedSendsAfterQuickAcksAreDelayed() {
        Harness h = new Harness();
        int[] e = h.established();
        for (int i = 0; i < 20; i++) {
            h.ok(send(e[1], "abcde", 0));
            h.sleepMs(50);
        }
        List<Packet> raw = h.raw();
        assertEquals(40, raw.size());
        for (int i = 0; i < 20; i++) {
            assertTrue(raw.get(2 * i + 1).segment().has(TcpFlags.ACK) && raw.get(2 * i + 1).segment().length() == 0);
            double d = Harness.ms(raw.get(2 * i), raw.get(2 * i + 1));
            if (i < 16) assertTrue(d < 0.1, "ACK " + i + " after " + d);
            else assertTrue(delayed(d), "ACK " + i + " after " + d);
        }
    }

    /** exp2 2g: sends 250 ms apart (gap > RTO) refill the quickack budget: all 20 ACKed immediately. */
    @Test
    void gapLongerThanRtoRefillsQuickAcks() {
        Harness h = new Harness();
        int[] e = h.established();
        for (int i = 0; i < 20; i++) {
            h.ok(send(e[1], "abcde", 0));
            h.sleepMs(250);
        }
        List<Packet> raw = h.raw();
        assertEquals(40, raw.size());
        for (int i = 0; i < 20; i++) {
            double d = Harness.ms(raw.get(2 * i), raw.get(2 * i + 1));
            assertTrue(d < 0.1, "ACK " + i + " after " + d);
        }
    }

    /**
     * [M§1] scenario C: the ACK of a FIN on a socket that never received data leaves on the next tick,
     * (0, 4] ms; and on the 4 ms tick grid (exp1 tick check).
     */
    @Test
    void finAckWithoutDataOnNextTick() {
        for (double pre : new double[] {0.5, 1.7, 3.9}) {
            Harness h = new Harness();
            int[] e = h.established();
            h.sleepMs(pre);
            h.clear();
            h.ok(new io.tcpsim.calls.Call.Close(e[1]));
            h.sleepMs(10);
            List<Packet> raw = h.raw();
            double d = Harness.ms(raw.get(0), raw.get(1));
            assertTrue(d > 0 && d <= 4.0, "ACK after " + d + " ms");
        }
    }
}
