package io.tcpsim.kernel.net;

/**
 * One direction of the link: how long a frame is held, how fast the lane serialises, and the seeded random loss and
 * duplication. {@link #IDEAL} forwards every frame at once.
 *
 * @param delayNanos        one-way delay added to every frame (from the moment the wire received it)
 * @param rateBitsPerSecond 0 for no rate limit; otherwise a frame of n bytes occupies the lane for 8n/rate
 *                          seconds (the Ethernet frame as captured: no preamble, no FCS), frames queue behind each
 *                          other without a limit, and the delay is added after the last bit
 * @param loss              probability that a frame is lost, drawn per frame from the link's seeded generator
 * @param duplicate         probability that a forwarded frame is sent twice, back to back
 */
public record Lane(long delayNanos, long rateBitsPerSecond, double loss, double duplicate) {

    public static final Lane IDEAL = new Lane(0, 0, 0, 0);

    public Lane {
        if (delayNanos < 0 || delayNanos > 60_000_000_000L) {
            throw new IllegalArgumentException("delay must be between 0 and 60 s, not " + delayNanos + " ns");
        }
        if (rateBitsPerSecond < 0) throw new IllegalArgumentException("rate must not be negative");
        if (!(loss >= 0 && loss <= 1)) throw new IllegalArgumentException("loss must be between 0 and 1, not " + loss);
        if (!(duplicate >= 0 && duplicate <= 1)) {
            throw new IllegalArgumentException("duplicate must be between 0 and 1, not " + duplicate);
        }
    }

    public static Lane delay(long nanos) {
        return new Lane(nanos, 0, 0, 0);
    }

    public Lane withRate(long bitsPerSecond) {
        return new Lane(delayNanos, bitsPerSecond, loss, duplicate);
    }

    public Lane withLoss(double p) {
        return new Lane(delayNanos, rateBitsPerSecond, p, duplicate);
    }

    public Lane withDuplicate(double p) {
        return new Lane(delayNanos, rateBitsPerSecond, loss, p);
    }
}
