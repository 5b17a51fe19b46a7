package io.tcpsim.model.tcp;

/** 32-bit sequence arithmetic (include/net/tcp.h before()/after()). */
public final class Seq {
    private Seq() {}

    public static long mask(long v) {
        return v & 0xffffffffL;
    }

    public static boolean before(long a, long b) {
        return (int) (a - b) < 0;
    }

    public static boolean after(long a, long b) {
        return before(b, a);
    }

    /** a - b as a signed distance. */
    public static int diff(long a, long b) {
        return (int) (a - b);
    }
}
