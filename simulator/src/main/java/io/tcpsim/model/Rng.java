package io.tcpsim.model;

/**
 * One stream of the model's randomness: SplitMix64, written out so that a seed gives the same numbers on every JDK.
 * {@link Randomness} gives each purpose (ISN secret, timestamp offsets, ephemeral ports, IP ids) a stream of its own.
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** An unsigned 32-bit value. */
    public long nextU32() {
        return nextLong() >>> 32;
    }

    /** Uniform in [lo, hi]. */
    public int between(int lo, int hi) {
        return lo + (int) Long.remainderUnsigned(nextLong(), (long) hi - lo + 1);
    }
}
