package io.tcpsim.kernel.net;

/**
 * The link between the two hosts: one {@link Lane} per direction, and the seed of its random loss and duplication
 * (each direction draws from its own generator, so one direction's traffic does not change the other's losses).
 */
public record LinkSpec(Lane aToB, Lane bToA, long seed) {

    public static final LinkSpec IDEAL = new LinkSpec(Lane.IDEAL, Lane.IDEAL, 0);

    public LinkSpec {
        if (aToB == null || bToA == null) throw new IllegalArgumentException("both lanes are needed");
    }

    /** The same delay both ways, nothing else. */
    public static LinkSpec symmetric(long delayNanos) {
        return new LinkSpec(Lane.delay(delayNanos), Lane.delay(delayNanos), 0);
    }

    public Lane lane(Direction d) {
        return d == Direction.A_TO_B ? aToB : bToA;
    }
}
