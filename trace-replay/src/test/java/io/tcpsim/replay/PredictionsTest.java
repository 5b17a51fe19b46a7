package io.tcpsim.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.compare.Rule;
import io.tcpsim.replay.Predictions.Predicted;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model's predictions against hand-made captured segments: fields in each side's sequence space, and time. */
class PredictionsTest {
    static final long MS = 1_000_000L, JIFFY = 4 * MS, TOL = 4 * MS;

    final Segments seg = new Segments();
    final Predictions p = new Predictions(seg.sides, JIFFY);

    /** The server's ACK of the client's FIN, on the model's 12 ms tick (a timer packet). */
    Predicted finAck(long time) {
        return p.add(time, Role.SERVER, seg.model(Role.SERVER, 1, 2, TcpFlags.ACK, 0), null, null);
    }

    final Segment capturedFinAck = seg.captured(Role.SERVER, 1, 2, TcpFlags.ACK, 0);

    /** The capture's ACK at {@code t}: the rules it matched under (empty: the tolerance), null when late. */
    List<Rule> at(long t) {
        assertTrue(p.match(capturedFinAck, Role.SERVER, t, TOL, false) != null, "a match");
        return p.matchedUnder();
    }

    @Test
    void aPacketWithinTheToleranceMatches() {
        Predicted ack = finAck(12 * MS);
        assertTrue(p.same(capturedFinAck, Role.SERVER, ack));
        assertSame(ack, p.match(capturedFinAck, Role.SERVER, 15 * MS, TOL, false));
        assertEquals(List.of(), p.matchedUnder());
        assertTrue(p.isEmpty());
    }

    @Test
    void otherFieldsOrTheOtherSideDoNotMatch() {
        finAck(12 * MS);
        assertNull(p.match(seg.captured(Role.SERVER, 1, 3, TcpFlags.ACK, 0), Role.SERVER, 12 * MS, TOL, false));
        assertNull(p.match(seg.captured(Role.CLIENT, 2, 1, TcpFlags.ACK, 0), Role.CLIENT, 12 * MS, TOL, false));
        assertFalse(p.isEmpty());
    }

    /** The rules under which the capture's ACK {@code d} after the model's (at 12 ms, no skew) is in time. */
    List<Rule> rulesFor(long d) {
        Predictions fresh = new Predictions(seg.sides, JIFFY);
        fresh.add(12 * MS, Role.SERVER, seg.model(Role.SERVER, 1, 2, TcpFlags.ACK, 0), null, null);
        fresh.match(capturedFinAck, Role.SERVER, 12 * MS + d, TOL, false);
        return fresh.matchedUnder();
    }

    @Test
    void aTimerPacketMayBeAJiffyEarlyOrUpToTwoLateUnderTheTimerRules() {
        assertEquals(List.of(), rulesFor(-4 * MS));
        assertEquals(List.of(Rule.TIMER_TICK_PHASE), rulesFor(-8 * MS));
        assertEquals(null, rulesFor(-8 * MS - 1));
        assertEquals(List.of(), rulesFor(4 * MS));
        assertEquals(List.of(Rule.TIMER_TICK_LATE), rulesFor(4 * MS + 1));
        assertEquals(List.of(Rule.TIMER_TICK_LATE), rulesFor(8 * MS));
        assertEquals(List.of(Rule.TIMER_TICK_PHASE, Rule.TIMER_TICK_LATE), rulesFor(8 * MS + 1));
        assertEquals(List.of(Rule.TIMER_TICK_PHASE, Rule.TIMER_TICK_LATE), rulesFor(12 * MS));
        assertEquals(null, rulesFor(12 * MS + 1));
        // Three jiffies late: the kernel's own packet is taken as late; an application's waits for its call.
        Predicted late = finAck(12 * MS);
        assertNull(p.match(capturedFinAck, Role.SERVER, 12 * MS + 13 * MS, TOL, true));
        assertSame(late, p.match(capturedFinAck, Role.SERVER, 12 * MS + 13 * MS, TOL, false));
        assertNull(p.matchedUnder());
    }

    @Test
    void aPacketOffTheModelsTicksHasOnlyTheTolerance() {
        finAck(12 * MS + 10_000);
        assertNull(at(12 * MS + 10_000 + 5 * MS));
    }

    @Test
    void anAnswerKeepsItsCausesOffset() {
        finAck(12 * MS);
        at(12 * MS + 3 * MS); // skew 3 ms
        Predicted answer = p.add(20 * MS + 10_000, Role.SERVER, seg.model(Role.SERVER, 1, 2, TcpFlags.ACK, 0), null,
                null);
        assertEquals(List.of(), at(20 * MS + 10_000 + 6 * MS)); // 6 ms late, 3 ms from the skew
        assertTrue(p.isEmpty());
        assertEquals(answer.time() + Math.max(TOL, 6 * MS + TOL), p.lateLimit(answer, TOL));
    }

    @Test
    void theClockMayRunOnAJiffyPastTheToleranceToFindATimerPacket() {
        assertEquals(10 * MS + TOL + JIFFY, p.earlyLimit(10 * MS, TOL));
        finAck(12 * MS);
        assertEquals(12 * MS + TOL + 2 * JIFFY, p.lateLimit(p.last(), TOL));
    }

    @Test
    void aPureAckTheCaptureSentOnDataInsteadIsARider() {
        Predicted ack = p.add(12 * MS, Role.CLIENT, seg.model(Role.CLIENT, 1, 6, TcpFlags.ACK, 0), null, null);
        Segment data = seg.captured(Role.CLIENT, 1, 6, TcpFlags.PSH | TcpFlags.ACK, 3);
        assertEquals(List.of(ack), p.forgiveRiders(data, Role.CLIENT, 14 * MS, TOL));
        assertTrue(p.isEmpty());
        // Not when it acknowledges more than the data does, or is further away than the tolerance; not a bare ACK.
        p.add(12 * MS, Role.CLIENT, seg.model(Role.CLIENT, 1, 7, TcpFlags.ACK, 0), null, null);
        p.add(30 * MS, Role.CLIENT, seg.model(Role.CLIENT, 1, 6, TcpFlags.ACK, 0), null, null);
        assertEquals(List.of(), p.forgiveRiders(data, Role.CLIENT, 14 * MS, TOL));
        Predicted again = p.add(13 * MS, Role.CLIENT, seg.model(Role.CLIENT, 1, 6, TcpFlags.ACK, 0), null, null);
        assertEquals(List.of(), p.forgiveRiders(seg.captured(Role.CLIENT, 1, 6, TcpFlags.ACK, 0), Role.CLIENT,
                14 * MS, TOL));
        assertTrue(p.pending(again));
    }

    @Test
    void predictionsPastTheirLateLimitExpireInOrder() {
        Predicted a = finAck(12 * MS);
        Predicted b = p.add(13 * MS, Role.CLIENT, seg.model(Role.CLIENT, 2, 1, TcpFlags.ACK, 0), null, null);
        List<Predicted> missing = new ArrayList<>();
        p.expire(13 * MS + TOL, false, 0, Flow.TOLERANCE, missing::add);
        assertEquals(List.of(), missing);
        p.expire(13 * MS + TOL + 1, false, 0, Flow.TOLERANCE, missing::add);
        assertEquals(List.of(b), missing); // the timer packet may still come, up to two jiffies late
        assertEquals(12 * MS + TOL + 2 * JIFFY, p.lateLimit(a, TOL));
        p.expire(12 * MS + TOL, true, 0, Flow.TOLERANCE, missing::add);
        assertEquals(List.of(b, a), missing);
        assertTrue(p.isEmpty());
    }

    @Test
    void theClosestPredictionHasTheSameBytesElseTheSameFlagsElseItIsTheOldest() {
        Predicted ack = finAck(12 * MS);
        Predicted rst = p.add(13 * MS, Role.SERVER, seg.model(Role.SERVER, 1, 2, TcpFlags.RST | TcpFlags.ACK, 0), null,
                null);
        Predicted data = p.add(14 * MS, Role.SERVER, seg.model(Role.SERVER, 1, 2, TcpFlags.PSH | TcpFlags.ACK, 5), null,
                null);
        FlowSide server = seg.sides.server();
        assertSame(rst, p.closest(Role.SERVER, seg.captured(Role.SERVER, 1, 2, TcpFlags.RST | TcpFlags.ACK, 0), server));
        assertSame(ack, p.closest(Role.SERVER, seg.captured(Role.SERVER, 1, 2, TcpFlags.FIN | TcpFlags.ACK, 0), server));
        // The same five bytes with the ACK flag alone: that data segment, whatever its flags.
        assertSame(data, p.closest(Role.SERVER, seg.captured(Role.SERVER, 1, 2, TcpFlags.ACK, 5), server));
        assertNull(p.closest(Role.CLIENT, seg.captured(Role.CLIENT, 2, 1, TcpFlags.ACK, 0), seg.sides.client()));
        assertTrue(p.pending(rst));
        p.remove(rst);
        assertFalse(p.pending(rst));
    }

    @Test
    void theOldestIsTakenOutWhenTheQueueIsFull() {
        Predicted first = finAck(0);
        for (int i = 1; i < Predictions.MAX; i++) assertNull(p.overflow(), "room for " + i);
        for (int i = 1; i < Predictions.MAX; i++) finAck(i * MS);
        assertSame(first, p.overflow());
        assertNull(p.overflow());
    }
}
