package io.tcpsim.kernel.net;

/** A direction on the link between host A and host B. */
public enum Direction {
    A_TO_B, B_TO_A;

    /** 0 for A, 1 for B: the host the frame comes from. */
    int from() {
        return this == A_TO_B ? 0 : 1;
    }

    /** 0 for A, 1 for B: the host the frame goes to. */
    int to() {
        return 1 - from();
    }

    static Direction fromHost(int host) {
        return host == 0 ? A_TO_B : B_TO_A;
    }

    public Direction reverse() {
        return this == A_TO_B ? B_TO_A : A_TO_B;
    }
}
