package io.tcpsim.picture;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Lengths of time as the pictures write them: {@code 5 s}, {@code 1.5 s}, {@code 41 ms}, {@code 1.97 ms}, {@code 30 µs}. */
final class Durations {
    private Durations() {}

    static String text(long nanos) {
        if (nanos >= 1_000_000_000L) return number(nanos, 1_000_000_000L) + " s";
        if (nanos >= 1_000_000L) return number(nanos, 1_000_000L) + " ms";
        if (nanos >= 1_000L) return number(nanos, 1_000L) + " \u00b5s";
        return nanos + " ns";
    }

    /** Three significant digits at most, no trailing zeros. */
    private static String number(long nanos, long unit) {
        BigDecimal v = BigDecimal.valueOf(nanos).divide(BigDecimal.valueOf(unit));
        int digits = v.precision() - v.scale(); // digits before the point
        v = v.setScale(Math.max(0, 3 - digits), RoundingMode.HALF_UP).stripTrailingZeros();
        return v.toPlainString();
    }
}
