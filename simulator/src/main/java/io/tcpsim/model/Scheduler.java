package io.tcpsim.model;

import java.util.PriorityQueue;

/**
 * The virtual clock and everything due on it: packets in flight on the loopback and kernel timers. Time only moves
 * here, and only when the model asks it to ({@link #runUntil}, {@link #runNext}); nothing reads a real clock.
 * Events due at the same instant: packets in the order they were sent, then timers newest-armed first.
 */
public final class Scheduler {
    /** What runs when an event comes due. */
    public interface Action {
        void run();
    }

    /**
     * Same-instant order: packets first, in the order they were sent; then timers, the most recently armed first,
     * as the timer wheel runs a bucket (hlist_add_head, then expire_timers from the head). Measured: two FIN ACKs
     * due on the same tick leave newest-armed first (traces/scenarios/regressions/same-tick-timers-fire-newest-first).
     */
    private record Entry(long at, long order, boolean packet, Action action) implements Comparable<Entry> {
        public int compareTo(Entry o) {
            int c = Long.compare(at, o.at);
            if (c != 0) return c;
            if (packet != o.packet) return packet ? -1 : 1;
            return packet ? Long.compare(order, o.order) : Long.compare(o.order, order);
        }
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long now;
    private long order;
    private int packetsInFlight;

    public long now() {
        return now;
    }

    public void at(long time, Action action) {
        queue.add(new Entry(Math.max(time, now), order++, false, action));
    }

    /** A packet delivery: counted, so that {@link #settle} knows when the loopback is quiet. */
    public void deliverAt(long time, Action action) {
        packetsInFlight++;
        queue.add(new Entry(Math.max(time, now), order++, true, action));
    }

    /** Runs the next event, moving the clock to it. Returns false when nothing is left. */
    public boolean runNext() {
        Entry e = queue.poll();
        if (e == null) return false;
        now = e.at;
        if (e.packet) packetsInFlight--;
        e.action.run();
        return true;
    }

    /** Runs every event due up to {@code time}, then sets the clock to {@code time}. */
    public void runUntil(long time) {
        while (!queue.isEmpty() && queue.peek().at <= time) runNext();
        if (time > now) now = time;
    }

    /**
     * Delivers every packet in flight, and whatever they cause, with the timers that fall due on the way: what
     * the kernel does in softirq context before a loopback send returns to the caller.
     */
    public void settle() {
        while (packetsInFlight > 0 && runNext()) {
            // keep going
        }
    }
}
