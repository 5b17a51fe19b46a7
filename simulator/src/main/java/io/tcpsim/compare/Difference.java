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
}
