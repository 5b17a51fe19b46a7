package io.tcpsim.kernel.net;

import io.tcpsim.backend.LinkCommand;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The link between the two hosts, as the script controls it ({@code link down}, {@code link up}, {@code link drop N
 * client>server KIND}), and the decision the wire takes for every frame that enters it.
 *
 * <p><b>When a control takes effect.</b> Each control is stamped with the real time at which it was called, and a
 * frame is judged by the time it entered the wire (its kernel receive timestamp in the wire's namespace), not by
 * when the forwarder got round to reading it. So "the next N" are the first N matching frames that entered after
 * the call, and {@code link down} loses every frame that enters while it is down, in both directions. A frame
 * already on the wire when the link goes down is still delivered (it was sent while the link was up): the link
 * decides at its entrance only.
 *
 * <p>Thread-safe: the script's thread controls, the forwarder's thread decides.
 */
public final class Link {

    private record DropRule(LinkCommand.Kind kind, long since, String text, int[] remaining, int[] skip) {}

    private final Object lock = new Object();
    private final List<long[]> changes = new ArrayList<>(); // {time, up ? 1 : 0}, in time order; guarded by lock
    @SuppressWarnings("unchecked")
    private final List<DropRule>[] rules = new List[] {new ArrayList<DropRule>(), new ArrayList<DropRule>()};
    private final Lane[] lanes = new Lane[2]; // guarded by lock
    private final SplittableRandom[] random = new SplittableRandom[2];
    private final long[] laneFree = new long[2]; // when each lane has serialised its last frame; guarded by lock
    private final List<LinkRecord> records = new ArrayList<>(); // guarded by lock
    private int drained; // guarded by lock
    private volatile Forwarder forwarder;

    Link(LinkSpec spec) {
        lanes[0] = spec.aToB();
        lanes[1] = spec.bToA();
        random[0] = new SplittableRandom(spec.seed());
        random[1] = new SplittableRandom(spec.seed() ^ 0x9E3779B97F4A7C15L);
    }

    void attach(Forwarder f) {
        forwarder = f;
    }

    /** {@code link down}: from now on every frame entering the link is lost, both ways. */
    public void down() {
        change(false);
    }

    /** {@code link up}. */
    public void up() {
        change(true);
    }

    private void change(boolean up) {
        synchronized (lock) {
            changes.add(new long[] {RealClock.nanos(), up ? 1 : 0});
        }
    }

    public boolean isUp() {
        synchronized (lock) {
            return changes.isEmpty() || changes.get(changes.size() - 1)[1] == 1;
        }
    }

    /** {@code link drop N DIR KIND}: the next {@code count} frames entering in that direction that match are lost. */
    public void drop(Direction d, LinkCommand.Kind kind, int count) {
        drop(d, kind, count, 0);
    }

    /**
     * {@code link drop N DIR KIND after M} (for tests and experiments; scripts have no {@code after}): the first
     * {@code skip} matching frames pass, the {@code count} after them are lost.
     */
    public void drop(Direction d, LinkCommand.Kind kind, int count, int skip) {
        if (count < 1) throw new IllegalArgumentException("drop needs a count of at least 1, not " + count);
        if (skip < 0) throw new IllegalArgumentException("drop cannot skip " + skip + " packets");
        String text = "drop " + count + " " + (d == Direction.A_TO_B ? "a>b " : "b>a ") + kind.text
                + (skip > 0 ? " after " + skip : "");
        synchronized (lock) {
            rules[d.from()].add(new DropRule(kind, RealClock.nanos(), text, new int[] {count}, new int[] {skip}));
        }
    }

    /** How many frames the drop rules of that direction still wait to lose. */
    public int pendingDrops(Direction d) {
        synchronized (lock) {
            int n = 0;
            for (DropRule r : rules[d.from()]) n += r.remaining()[0];
            return n;
        }
    }

    /** Changes a direction's delay, rate, loss or duplication for the frames that enter from now on. */
    public void setLane(Direction d, Lane lane) {
        synchronized (lock) {
            lanes[d.from()] = lane;
        }
    }

    public Lane lane(Direction d) {
        synchronized (lock) {
            return lanes[d.from()];
        }
    }

    /** The records added since the previous call, in the order the wire decided them. */
    public List<LinkRecord> drainRecords() {
        synchronized (lock) {
            List<LinkRecord> out = List.copyOf(records.subList(drained, records.size()));
            drained = records.size();
            return out;
        }
    }

    /** Every record so far. */
    public List<LinkRecord> records() {
        synchronized (lock) {
            return List.copyOf(records);
        }
    }

    /**
     * Frames the wire's own sockets had to drop because the forwarder did not read them in time (their 4 MB buffers
     * were full), since the link came up. Anything but 0 means the link lost frames nobody asked it to lose.
     */
    public long overflowDrops() {
        Forwarder f = forwarder;
        return f == null ? 0 : f.overflowDrops();
    }

    /** Whether the forwarder runs in SCHED_FIFO (it asks for it; an unprivileged process gets SCHED_OTHER). */
    public boolean realtimeScheduling() {
        Forwarder f = forwarder;
        return f != null && f.realtime();
    }

    // ---- the forwarder's side ----

    /**
     * The wire's decision for a frame that entered at {@code entered}: the times at which to send it on (one, or two
     * for a duplicate), or null when it is lost (then the record is written here).
     */
    long[] admit(Direction d, long entered, byte[] frame) {
        synchronized (lock) {
            String lost = null;
            if (!upAt(entered)) {
                lost = "link down";
            } else {
                long tcp = Frames.tcp(frame);
                if (tcp >= 0) lost = matchRule(d, entered, (int) (tcp >>> 32), (int) tcp);
            }
            Lane lane = lanes[d.from()];
            if (lost == null && lane.loss() > 0 && random[d.from()].nextDouble() < lane.loss()) lost = "random loss";
            if (lost != null) {
                records.add(new LinkRecord(d, LinkRecord.Fate.LOST, entered, -1, frame, lost));
                return null;
            }
            long start = entered;
            if (lane.rateBitsPerSecond() > 0) {
                start = Math.max(entered, laneFree[d.from()]);
                laneFree[d.from()] = start + frame.length * 8L * 1_000_000_000L / lane.rateBitsPerSecond();
                start = laneFree[d.from()];
            }
            long due = start + lane.delayNanos();
            boolean twice = lane.duplicate() > 0 && random[d.from()].nextDouble() < lane.duplicate();
            return twice ? new long[] {due, due} : new long[] {due};
        }
    }

    void left(Direction d, long entered, long left, byte[] frame, boolean duplicate, int errno) {
        synchronized (lock) {
            if (errno != 0) {
                records.add(new LinkRecord(d, LinkRecord.Fate.LOST, entered, -1, frame, "send failed: errno " + errno));
            } else {
                records.add(new LinkRecord(d, duplicate ? LinkRecord.Fate.DUPLICATE : LinkRecord.Fate.DELIVERED,
                        entered, left, frame, ""));
            }
        }
    }

    private boolean upAt(long t) {
        boolean up = true;
        for (long[] c : changes) {
            if (c[0] > t) break;
            up = c[1] == 1;
        }
        return up;
    }

    /**
     * The first rule of the direction that matches the frame decides: it loses it (and counts it), or lets it pass
     * as one of its {@code after} frames, and then the next matching rule decides. A lost frame counts for that rule
     * alone, so {@code link drop 1 a>b data} and {@code link drop 1 a>b any} lose two frames, as the model's link
     * does (simulator io.tcpsim.model.Wire).
     */
    private String matchRule(Direction d, long entered, int flags, int payload) {
        for (Iterator<DropRule> it = rules[d.from()].iterator(); it.hasNext(); ) {
            DropRule r = it.next();
            if (r.since() > entered || !r.kind().matches(flags, payload)) continue;
            if (r.skip()[0] > 0) {
                r.skip()[0]--;
                continue;
            }
            if (--r.remaining()[0] == 0) it.remove();
            return r.text();
        }
        return null;
    }

    void sendMarker(int host, long number) {
        Forwarder f = forwarder;
        if (f != null) f.marker(host, number);
    }
}
