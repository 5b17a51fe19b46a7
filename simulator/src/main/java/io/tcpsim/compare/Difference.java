package io.tcpsim.compare;

/**
 * One compared field that differs, worded as packetdrill words it: {@code ack: expected 6 vs actual 7}. Expected is
 * the model's value; actual is the kernel's (check) or the capture's (replay).
 */
public record Difference(String field, String expected, String actual) {

    /** {@code expected 6 vs actual 7}. */
    public String values() {
        return "expected " + expected + " vs actual " + actual;
    }

    /** {@code ack: expected 6 vs actual 7}. */
    public String text() {
        return field + ": " + values();
    }

    /**
     * A header field that differs as packetdrill's check_field words it (run_packet.c): the field is packetdrill's
     * name for it ({@code tcp_ack_seq}), each value a 32-bit number in decimal and hex.
     */
    public static Difference packetdrill(String field, long expected, long actual) {
        return new Difference(field, number(expected), number(actual));
    }

    private static String number(long v) {
        v &= 0xffffffffL;
        return v + " (0x" + Long.toHexString(v) + ")";
    }

    /** {@code live packet field tcp_ack_seq: expected: 1001 (0x3e9) vs actual: 1 (0x1)}: packetdrill's sentence. */
    public String packetdrillText() {
        return "live packet field " + field + ": expected: " + expected + " vs actual: " + actual;
    }
}
