package io.tcpsim.model;

import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.Event;
import io.tcpsim.backend.TcpState;
import io.tcpsim.wire.Packet;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Timers as data: {@link Model#nextDeadline()} says when the next armed timer fires or the next packet in flight
 * arrives, and that is when the model's next packet leaves or its next endpoint goes. A cancelled timer, still on
 * the wheel, is not due.
 */
class TimersTest {

    /** The 17th small segment gets no quick ACK (AckTimingTest): its ACK waits for the delayed-ACK timer. */
    private static int[] delayedAckPending(Harness h) {
        int[] e = h.established();
        for (int i = 0; i < 17; i++) h.ok(send(e[1], "abcde", 0));
        h.take();
        return e;
    }

    private static long deadline(Harness h) {
        OptionalLong d = h.model.nextDeadline();
        assertTrue(d.isPresent(), "something is due");
        return d.getAsLong();
    }

    @Test
    void anIdleConnectionHasNothingDue() {
        Harness h = new Harness();
        h.established();
        assertEquals(OptionalLong.empty(), h.model.nextDeadline());
    }

    @Test
    void theDelayedAckLeavesAtTheDeadline() {
        Harness h = new Harness();
        delayedAckPending(h);
        long due = deadline(h);
        h.sleepMs(100);
        List<Packet> raw = h.raw();
        assertEquals(List.of("S>C [.] seq 1 ack 86 win 64 [nop,nop,TS] len 0"), h.take());
        assertEquals(due, raw.get(0).timeNanos());
        assertEquals(OptionalLong.empty(), h.model.nextDeadline());
    }

    /** Stopping the clock when the ACK has left but not arrived: the packet in flight is what is due next. */
    @Test
    void aPacketInFlightIsDue() {
        Harness h = new Harness();
        delayedAckPending(h);
        long due = deadline(h);
        h.model.sleep(due - h.model.now());
        long sent = h.model.drainEvents().stream().filter(ev -> ev instanceof Event.PacketSent).count();
        assertEquals(1, sent, "the ACK left");
        assertEquals(due + h.model.profile().loopbackDelayNanos(), deadline(h));
    }

    /** The reply carries the ACK (tcp_event_ack_sent clears the timer): what is left on the wheel is not due. */
    @Test
    void aCancelledTimerIsNotDue() {
        Harness h = new Harness();
        int[] e = delayedAckPending(h);
        h.ok(send(e[2], "x", 0));
        assertEquals(List.of("S>C [P.] seq 1:2 ack 86 win 64 [nop,nop,TS] len 1",
                "C>S [.] seq 86 ack 2 win 64 [nop,nop,TS] len 0"), h.take());
        assertEquals(OptionalLong.empty(), h.model.nextDeadline());
        h.sleepMs(100);
        assertEquals(List.of(), h.take());
    }

    /** The SYN a full accept queue dropped is sent again when the retransmission timer is due. */
    @Test
    void theSynIsRetransmittedAtTheDeadline() {
        Harness h = new Harness();
        h.synSent();
        long due = deadline(h);
        h.sleepMs(1100);
        List<Packet> raw = h.raw();
        assertEquals("C>S [S] seq ISN win 65495 [mss 65495,sackOK,TS,nop,wscale 10] len 0", h.take().get(0));
        assertEquals(due, raw.get(0).timeNanos());
    }

    /** TIME_WAIT is listed until its timer is due, and not after. */
    @Test
    void timeWaitEndsAtTheDeadline() {
        Harness h = new Harness();
        h.timeWait();
        long due = deadline(h);
        h.model.sleep(due - 1 - h.model.now());
        assertEquals(TcpState.TIME_WAIT, h.row(TcpState.TIME_WAIT).state());
        h.model.sleep(1);
        assertEquals(List.of("LISTEN 0 0"), h.netstatBrief());
        assertEquals(OptionalLong.empty(), h.model.nextDeadline());
    }
}
