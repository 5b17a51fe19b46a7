package io.tcpsim.model;

import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * The virtual clock and everything due on it: packets in flight on the loopback and on the link between two hosts,
 * and kernel timers. Time only moves here, and only when the model asks it to ({@link #runUntil}, {@link #runNext});
 * nothing reads a real clock. Events due at the same instant: packets in the order they were sent, then timers
 * newest-armed first.
 */
public final class Scheduler {
    /** A packet's delivery. */
    public interface Action {
        void run();
    }

    /**
     * A kernel timer on the wheel. When it comes due it runs only if it is still armed: its owner's current timer
     * of its kind. Re-arming or cancelling replaces the owner's timer, and the one left on the wheel does nothing,
     * as a handler does that finds its pending bit cleared (inet_csk_clear_xmit_timer leaves the timer_list queued).
     */
    public interface Timer {
        boolean armed();

        void expire();
    }

    /**
     * Same-instant order: packets first, in the order they were sent; then timers, the most recently armed first,
     * as the timer wheel runs a bucket (hlist_add_head, then expire_timers from the head). Measured: two FIN ACKs
     * due on the same tick leave newest-armed first (traces/scenarios/regressions/same-tick-timers-fire-newest-first).
     * An entry with neither a delivery nor a timer is a waiting call's deadline: the clock stops there.
     */
    private record Entry(long at, long order, Action delivery, Timer timer, boolean loopback) implements Comparable<Entry> {
        boolean packet() {
            return delivery != null;
        }

        public int compareTo(Entry o) {
            int c = Long.compare(at, o.at);
            if (c != 0) return c;
            if (packet() != o.packet()) return packet() ? -1 : 1;
            return packet() ? Long.compare(order, o.order) : Long.compare(o.order, order);
        }
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    /** Runs after every event: the model tries again the calls left running, as a wakeup would (see Model). */
    private Runnable afterEvent = () -> {};

    public void afterEvent(Runnable r) {
        afterEvent = r;
    }
    private long now;
    private long order;
    private int packetsInFlight;
    private int onTheLink;

    public long now() {
        return now;
    }

    /** Puts {@code timer} on the wheel for {@code time}. */
    public void arm(long time, Timer timer) {
        queue.add(new Entry(Math.max(time, now), order++, null, timer, false));
    }

    /** A waiting call's deadline (a poll timeout, a lingering close): the clock stops there, nothing runs. */
    public void wakeAt(long time) {
        queue.add(new Entry(Math.max(time, now), order++, null, null, false));
    }

    /** A packet delivery on a host's loopback: counted, so that {@link #settle} knows when the loopback is quiet. */
    public void deliverAt(long time, Action action) {
        packetsInFlight++;
        queue.add(new Entry(Math.max(time, now), order++, action, null, true));
    }

    /**
     * A packet arriving over the link: a call does not wait for it (the kernel's syscall returns while the frame is
     * on the wire); it arrives when the clock reaches it.
     */
    public void arriveAt(long time, Action action) {
        onTheLink++;
        queue.add(new Entry(Math.max(time, now), order++, action, null, false));
    }

    /** Runs the next event, moving the clock to it. Returns false when nothing is left. */
    public boolean runNext() {
        Entry e = queue.poll();
        if (e == null) return false;
        now = e.at;
        if (e.delivery != null) {
            if (e.loopback) packetsInFlight--;
            else onTheLink--;
            e.delivery.run();
        } else if (e.timer != null && e.timer.armed()) {
            e.timer.expire();
        }
        afterEvent.run();
        return true;
    }

    /** Runs every event due up to {@code time}, then sets the clock to {@code time}. */
    public void runUntil(long time) {
        while (!queue.isEmpty() && queue.peek().at <= time) runNext();
        if (time > now) now = time;
    }

    /**
     * Delivers every packet in flight on a loopback, and whatever they cause, with the timers and link arrivals that
     * fall due on the way: what the kernel does in softirq context before a loopback send returns to the caller.
     */
    public void settle() {
        while (packetsInFlight > 0 && runNext()) {
            // keep going
        }
    }

    /** When the next packet in flight (on a loopback or the link) arrives; nothing when none is. */
    public OptionalLong nextDelivery() {
        if (packetsInFlight == 0 && onTheLink == 0) return OptionalLong.empty();
        long next = Long.MAX_VALUE;
        for (Entry e : queue) if (e.delivery != null) next = Math.min(next, e.at);
        return OptionalLong.of(next);
    }
}
