package io.tcpsim.compare;

/**
 * One place where the observed run differs from the model's, the same for check (model against kernel), replay (model
 * against a capture) and any later comparison. Expected is always the model.
 *
 * @param kind     what kind of difference it is
 * @param packet   the observed packet's number in its source (replay: the capture's record number), 0 when none
 * @param at       where, in the tool's words: {@code packet 5 field ack}, {@code call at line 22 (send(s, "a", 0))},
 *                 {@code different at packet 6}
 * @param detail   what differs: {@code expected 1 vs actual 2}, {@code the kernel sends ..., the model sends nothing
 *                 more}, {@code flags: expected [R.] vs actual [R]}
 * @param expected the model's line, printed the same way as {@code actual}; null when the model has nothing there
 * @param actual   the observed line; null when nothing was observed there
 */
public record Divergence(Kind kind, long packet, String at, String detail, String expected, String actual) {

    public enum Kind {
        /** The model sends (or runs) something the observed run does not have. */
        MISSING("missing"),
        /** The observed run has something that the model, and for replay any call, would not send. */
        UNEXPECTED("unexpected"),
        /** The same kind of packet, call or row, with other values. */
        DIFFERENT("different"),
        /** The same packet or call, outside the timing tolerance and every rule. */
        TIMING("timing"),
        /** Data sent again: loopback loses nothing, so the model never retransmits it. */
        RETRANSMISSION("retransmission");

        public final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    /** A field that differs, packetdrill's way: {@code packet 5 field ack: expected 1 vs actual 2}. */
    public static Divergence field(Kind kind, long packet, String at, Difference d, String expected, String actual) {
        return new Divergence(kind, packet, at + " field " + d.field(), d.values(), expected, actual);
    }

    /** {@code packet 5 field ack: expected 1 vs actual 2}. */
    public String text() {
        return at + ": " + detail;
    }

    @Override
    public String toString() {
        return text();
    }
}
