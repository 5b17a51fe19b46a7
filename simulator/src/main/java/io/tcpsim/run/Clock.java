package io.tcpsim.run;

import java.util.Locale;

/** Times as the output prints them: the UTC time of day of a nanosecond count, to the microsecond, as tcpdump does. */
public final class Clock {
    private Clock() {}

    private static final long DAY = 86_400_000_000_000L;

    /** {@code HH:MM:SS.uuuuuu}. */
    public static String format(long nanos) {
        long t = Math.floorMod(nanos, DAY) / 1000;
        long us = t % 1_000_000, s = t / 1_000_000;
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%06d", s / 3600, s / 60 % 60, s % 60, us);
    }

    /** {@code 41.123 ms}. */
    public static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }
}
