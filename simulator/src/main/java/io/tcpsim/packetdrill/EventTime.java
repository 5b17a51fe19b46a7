package io.tcpsim.packetdrill;

/**
 * When an event happens, as the line's prefix says. Times are microseconds computed as packetdrill computes them,
 * {@code (s64)(seconds * 1.0e6)} for a decimal and {@code seconds * 1000000} for a whole number (parser.y, time). So
 * {@code 0.000249} is 248 µs (the double is a little under); no time in the published scripts is affected.
 */
public sealed interface EventTime {

    /** {@code 0.1}: since the script's start. */
    record Absolute(long usecs) implements EventTime {}

    /** {@code +0.1}: after the previous event. */
    record Relative(long usecs) implements EventTime {}

    /** {@code *}: any time (outbound packets only). */
    record Any() implements EventTime {}

    /** {@code 0.1~0.2}: between two times since the start (outbound packets only). */
    record AbsoluteRange(long fromUsecs, long toUsecs) implements EventTime {}

    /** {@code +0.1~+0.2}: between two times after the previous event (outbound packets only). */
    record RelativeRange(long fromUsecs, long toUsecs) implements EventTime {}
}
