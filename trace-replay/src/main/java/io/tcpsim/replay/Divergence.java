package io.tcpsim.replay;

/**
 * A place where the capture and the model disagree. {@code packet} is the capture's packet number (0 when the model
 * expected a packet the capture does not have after the last one); {@code captured} and {@code expected} are
 * tcpdump-style lines with sequence numbers relative to each side's ISN (either may be null).
 */
public record Divergence(Kind kind, long packet, String captured, String expected, String detail) {
    public enum Kind {
        /** The model sends a packet the capture does not have. */
        MISSING("missing"),
        /** The capture has a packet that neither the model's kernel nor any call would send. */
        UNEXPECTED("unexpected"),
        /** The capture's packet and the model's differ in a field. */
        DIFFERENT("different"),
        /** The same packet, outside the timing tolerance. */
        TIMING("timing"),
        /** Data sent again: loopback loses nothing, so the model never retransmits it. */
        RETRANSMISSION("retransmission");

        public final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    public String text() {
        StringBuilder b = new StringBuilder(kind.word);
        if (packet > 0) b.append(" at packet ").append(packet);
        b.append(": ").append(detail);
        if (captured != null) b.append("\n      capture: ").append(captured);
        if (expected != null) b.append("\n      model:   ").append(expected);
        return b.toString();
    }
}
