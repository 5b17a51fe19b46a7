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
        // Written out by hand: String.format here cost most of a whole scenario run (ScenarioRunsBenchmark).
        char[] c = new char[15];
        two(c, 0, s / 3600);
        c[2] = ':';
        two(c, 3, s / 60 % 60);
        c[5] = ':';
        two(c, 6, s % 60);
        c[8] = '.';
        for (int i = 14; i >= 9; i--) {
            c[i] = (char) ('0' + us % 10);
            us /= 10;
        }
        return new String(c);
    }

    private static void two(char[] c, int at, long v) {
        c[at] = (char) ('0' + v / 10 % 10);
        c[at + 1] = (char) ('0' + v % 10);
    }

    /** {@code 41.123 ms}. */
    public static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }
}
