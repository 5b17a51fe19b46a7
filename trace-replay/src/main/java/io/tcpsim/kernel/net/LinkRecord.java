package io.tcpsim.kernel.net;

/**
 * What the link did with one frame.
 *
 * @param direction    the way the frame went
 * @param fate         delivered, a duplicate of the frame before it, or lost
 * @param enteredNanos when the wire received it (the kernel's receive timestamp in the wire's namespace)
 * @param leftNanos    when the wire sent it on (just after the send returned), or -1 when lost
 * @param frame        the Ethernet frame
 * @param why          for a lost frame: {@code link down}, the drop rule ({@code drop 1 a>b data}), {@code random
 *                     loss} or {@code send failed: errno N}; empty otherwise
 */
public record LinkRecord(Direction direction, Fate fate, long enteredNanos, long leftNanos, byte[] frame, String why) {

    public enum Fate { DELIVERED, DUPLICATE, LOST }

    public boolean lost() {
        return fate == Fate.LOST;
    }

    /** The time the frame spent on the wire, or -1 when it was lost. */
    public long heldNanos() {
        return leftNanos < 0 ? -1 : leftNanos - enteredNanos;
    }
}
