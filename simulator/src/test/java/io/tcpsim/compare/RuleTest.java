package io.tcpsim.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RuleTest {
    static final long JIFFY = 4_000_000L; // HZ=250

    @Test
    void theToleranceIsFourMillisecondsOrAnEighthOfTheTimeSinceTheStep() {
        Tolerance t = Tolerance.DEFAULT;
        assertEquals(4_000_000L, t.allowed(0));
        assertEquals(5_000_000L, t.allowed(40_000_000L)); // a delayed ACK 40 ms after the data
        assertTrue(t.agrees(40_000_000L, -5_000_000L));
        assertFalse(t.agrees(40_000_000L, 5_000_001L));
    }

    @Test
    void eachRuleAcceptsOneJiffyMoreThanTheTolerance() {
        for (Rule r : Rule.values()) {
            // reason-after-ack-race pairs reasons, not times: it has no window.
            // blocked-call-started-late compares a call's end instead of its duration, timer-wheel-level allows the
            // wheel's granularity for the timeout: neither is a jiffy count.
            if (r == Rule.REASON_AFTER_ACK_RACE || r == Rule.BLOCKED_CALL_STARTED_LATE || r == Rule.TIMER_WHEEL_LEVEL) {
                assertEquals(0, r.jiffies(), r.id());
                continue;
            }
            assertEquals(1, r.jiffies(), r.id());
            assertEquals(8_000_000L, r.window(Tolerance.DEFAULT.allowed(0), JIFFY), r.id());
            assertEquals(9_000_000L, r.window(Tolerance.DEFAULT.allowed(40_000_000L), JIFFY), r.id());
        }
        assertEquals("rule timer-tick-late (kernel 6.900 ms late)", Rule.TIMER_TICK_LATE.note("kernel 6.900 ms late"));
        assertEquals("timer-packet-reordered", Rule.TIMER_PACKET_REORDERED.id());
    }
}
