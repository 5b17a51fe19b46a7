package io.tcpsim.kernel.net;

import com.sun.jna.Memory;
import io.tcpsim.kernel.LibC;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The wire: one thread that moves frames between the wire namespace's two veth ends and holds each for its lane's
 * delay. Frames from host A arrive on {@code sockets[0]} and leave on {@code sockets[1]}, and the other way round.
 *
 * <p>One loop: send whatever is due, then {@code ppoll} both sockets and an eventfd (the controls' wake-up) until the
 * next frame is due, read every frame waiting, ask the {@link Link} what becomes of each, and queue the ones to
 * forward by due time (a priority queue per direction, so a lane whose delay was shortened may overtake). The loop
 * asks for SCHED_FIFO and a 1 ns timer slack (the default slack of 50 us would be added to every wake-up); see
 * docs/kernel-backend.md for the delays it gives.
 */
final class Forwarder implements AutoCloseable {
    /** SCHED_FIFO priority: above every normal task, below the kernel's own real-time threads (50 and up). */
    static final int FIFO_PRIORITY = 10;

    private record Held(long due, long seq, long entered, byte[] frame, boolean duplicate) {}

    private final Link link;
    private final PacketSocket[] sockets;
    private final byte[][] hostMac;
    private final byte[][] wireMac;
    private final int wake;
    @SuppressWarnings("unchecked")
    private final PriorityQueue<Held>[] held = new PriorityQueue[2];
    private final ConcurrentLinkedQueue<long[]> markers = new ConcurrentLinkedQueue<>(); // {host, number}
    private final Thread thread;
    private final AtomicLong overflow = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean closed;
    private volatile boolean realtime;
    private volatile Throwable failure;
    private long seq;

    Forwarder(Link link, PacketSocket a, PacketSocket b, byte[][] hostMac, byte[][] wireMac) {
        this.link = link;
        this.sockets = new PacketSocket[] {a, b};
        this.hostMac = hostMac;
        this.wireMac = wireMac;
        for (int i = 0; i < 2; i++) {
            held[i] = new PriorityQueue<>((x, y) -> x.due != y.due ? Long.compare(x.due, y.due) : Long.compare(x.seq, y.seq));
        }
        wake = NetLibC.C.eventfd(0, NetLibC.EFD_NONBLOCK | NetLibC.EFD_CLOEXEC);
        if (wake < 0) throw new IllegalStateException("eventfd: errno " + LibC.errno());
        thread = new Thread(this::run, "tcpsim-wire");
        thread.setDaemon(true);
    }

    void start() {
        link.attach(this);
        thread.start();
    }

    boolean realtime() {
        return realtime;
    }

    Throwable failure() {
        return failure;
    }

    /** Asks the loop to send marker {@code number} to host {@code host} (0 = A) now, after what it has sent. */
    void marker(int host, long number) {
        markers.add(new long[] {host, number});
        wakeUp();
    }

    private void wakeUp() {
        byte[] one = {1, 0, 0, 0, 0, 0, 0, 0};
        LibC.C.write(wake, one, 8);
    }

    long overflowDrops() {
        if (!closed) countOverflow();
        return overflow.get();
    }

    private void run() {
        NetLibC n = NetLibC.C;
        n.prctl(NetLibC.PR_SET_TIMERSLACK, 1, 0, 0, 0);
        realtime = n.sched_setscheduler(0, NetLibC.SCHED_FIFO, new int[] {FIFO_PRIORITY}) == 0;
        Memory fds = new Memory(24);
        fds.clear();
        fds.setInt(0, sockets[0].fd);
        fds.setShort(4, (short) NetLibC.POLLIN);
        fds.setInt(8, sockets[1].fd);
        fds.setShort(12, (short) NetLibC.POLLIN);
        fds.setInt(16, wake);
        fds.setShort(20, (short) NetLibC.POLLIN);
        Memory timeout = new Memory(16);
        byte[] sink = new byte[8];
        try {
            while (!stopping) {
                long now = RealClock.nanos();
                sendDue(now);
                sendMarkers();
                long next = Long.MAX_VALUE;
                for (PriorityQueue<Held> q : held) if (!q.isEmpty()) next = Math.min(next, q.peek().due);
                for (int i = 0; i < 3; i++) fds.setShort(8L * i + 6, (short) 0);
                int rc;
                if (next == Long.MAX_VALUE) {
                    rc = n.ppoll(fds, 3, null, null);
                } else {
                    long wait = Math.max(0, next - RealClock.nanos());
                    timeout.setLong(0, wait / 1_000_000_000L);
                    timeout.setLong(8, wait % 1_000_000_000L);
                    rc = n.ppoll(fds, 3, timeout, null);
                }
                if (rc < 0 && LibC.errno() != LibC.EINTR) throw new IllegalStateException("ppoll: errno " + LibC.errno());
                if (rc <= 0) continue;
                for (int i = 0; i < 2; i++) if ((fds.getShort(8L * i + 6) & NetLibC.POLLIN) != 0) readAll(i);
                if ((fds.getShort(22) & NetLibC.POLLIN) != 0) LibC.C.read(wake, sink, 8);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }

    private void readAll(int side) {
        Direction d = Direction.fromHost(side);
        for (PacketSocket.Received r; (r = sockets[side].receive()) != null; ) {
            if (r.outgoing() || Frames.etherType(r.frame()) == Frames.ETHERTYPE_MARKER) continue;
            long[] due = link.admit(d, r.timeNanos(), r.frame());
            if (due == null) continue;
            for (int k = 0; k < due.length; k++) held[side].add(new Held(due[k], seq++, r.timeNanos(), r.frame(), k > 0));
        }
    }

    private void sendDue(long now) {
        for (int side = 0; side < 2; side++) {
            PriorityQueue<Held> q = held[side];
            Direction d = Direction.fromHost(side);
            while (!q.isEmpty() && q.peek().due <= now) {
                Held h = q.poll();
                int errno = sockets[d.to()].send(h.frame);
                link.left(d, h.entered, RealClock.nanos(), h.frame, h.duplicate, errno);
            }
        }
    }

    private void sendMarkers() {
        for (long[] m; (m = markers.poll()) != null; ) {
            int host = (int) m[0];
            sockets[host].send(Frames.marker(hostMac[host], wireMac[host], m[1], Frames.INCOMING));
        }
    }

    /** Adds what the wire's sockets dropped since the last look to the overflow count. */
    private synchronized void countOverflow() {
        for (PacketSocket s : sockets) overflow.addAndGet(s.statistics()[1]);
    }

    /** Stops the loop; frames still held are not sent (the run is over). */
    @Override
    public void close() {
        stopping = true;
        wakeUp();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        countOverflow();
        closed = true;
        LibC.C.close(wake);
    }
}
