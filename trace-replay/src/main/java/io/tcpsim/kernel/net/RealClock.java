package io.tcpsim.kernel.net;

import java.time.Instant;

/** CLOCK_REALTIME in nanoseconds: the clock of pcap timestamps and of SO_TIMESTAMPNS. */
final class RealClock {
    private RealClock() {}

    static long nanos() {
        Instant now = Instant.now(); // clock_gettime(CLOCK_REALTIME) on Linux since JDK 15
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
