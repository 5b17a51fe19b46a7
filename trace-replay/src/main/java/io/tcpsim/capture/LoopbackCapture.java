package io.tcpsim.capture;

import io.tcpsim.kernel.KernelUnavailableException;
import io.tcpsim.kernel.LibC;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;

/**
 * Live capture on {@code lo} of the calling thread's network namespace, with pcap4j.
 *
 * <p>The handle's packet socket binds to the namespace of the thread that opens it, so {@link #openHere()} must run
 * on the namespace's own thread; the capture loop then runs on a thread of its own. Settings, after the measurements
 * in pcap4j-notes.md:
 * <ul>
 *   <li>immediate mode (TPACKET_V2): a packet reaches the listener in about 0.5 ms instead of a block timeout;</li>
 *   <li>snaplen 262144 (tcpdump's default), so no payload byte is cut. libpcap sizes ring frames by
 *       min(snaplen, MTU + 18) on Ethernet-like links, so on lo (MTU 65536) frames are ~64 KB; a 32 MB ring holds
 *       ~500 of them, plenty for a scenario;</li>
 *   <li>nanosecond timestamps (the kernel's skb time, CLOCK_REALTIME);</li>
 *   <li>filter {@code (ip and (tcp or udp port 9)) or (ip6 and tcp)}: TCP over IPv4 or IPv6 is the scenario, UDP
 *       port 9 (over IPv4) is our sync marker.</li>
 * </ul>
 * The listener only copies bytes into a list; decoding happens on the reader's thread ({@code wire.FrameDecoder}, via {@code KernelBackend.decode}).
 *
 * <p><b>Sync.</b> A packet socket receives frames in the order the stack transmits them. {@link #sync} sends one UDP
 * datagram to 127.0.0.1:9 and waits until the capture thread has seen it: every packet sent before it is then in.
 * Marker frames are never reported.
 *
 * <p><b>Stopping</b> is breakLoop, join, then close: close() while the loop is inside libpcap deadlocks on pcap4j's
 * handle lock.
 */
public final class LoopbackCapture implements AutoCloseable {

    public static final int SNAPLEN = 262144;
    public static final int BUFFER_BYTES = 32 << 20;
    public static final int MARKER_PORT = 9;
    private static final byte[] MARKER_MAGIC = "tcpsim-sync:".getBytes(StandardCharsets.US_ASCII);
    private static final String FILTER = "(ip and (tcp or udp port " + MARKER_PORT + ")) or (ip6 and tcp)";

    private final PcapHandle handle;
    private final int markerFd;
    private final byte[] markerAddr;
    private final Thread loopThread;
    private final List<RawFrame> all = new ArrayList<>(); // guarded by this
    private int drained; // guarded by this; index into all of the first frame not yet drained
    private long markerSent; // guarded by this
    private long markerSeen; // guarded by this
    private volatile Throwable loopFailure;

    private LoopbackCapture(PcapHandle handle, int markerFd) {
        this.handle = handle;
        this.markerFd = markerFd;
        this.markerAddr = sockaddrIn(0x7f000001, MARKER_PORT);
        this.loopThread = new Thread(this::loop, "tcpsim-capture");
        loopThread.setDaemon(true);
    }

    /**
     * Opens the capture on lo of the calling thread's network namespace and starts the capture thread. Capture is
     * live when this returns.
     */
    public static LoopbackCapture openHere() {
        checkLibpcap();
        PcapHandle h;
        try {
            h = new PcapHandle.Builder("lo").snaplen(SNAPLEN).timeoutMillis(10).immediateMode(true)
                    .timestampPrecision(PcapHandle.TimestampPrecision.NANO).bufferSize(BUFFER_BYTES).build();
        } catch (PcapNativeException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("permission") || m.contains("not permitted")) {
                throw new KernelUnavailableException(KernelUnavailableException.NEEDS_PRIVILEGE, e);
            }
            throw new IllegalStateException("cannot capture on lo: " + m, e);
        }
        try {
            h.setFilter(FILTER, BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException e) {
            h.close();
            throw new IllegalStateException("cannot set capture filter " + FILTER + ": " + e.getMessage(), e);
        }
        int fd = openMarkerSocket();
        LoopbackCapture c = new LoopbackCapture(h, fd);
        c.loopThread.start();
        return c;
    }

    /** Fails with the one-line "install libpcap0.8" message when libpcap cannot be loaded. */
    public static void checkLibpcap() {
        try {
            Pcaps.libVersion();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new KernelUnavailableException(KernelUnavailableException.NEEDS_LIBPCAP, e);
        }
    }

    private static int openMarkerSocket() {
        LibC c = LibC.C;
        int fd = c.socket(LibC.AF_INET, LibC.SOCK_DGRAM | 0x80000 /* SOCK_CLOEXEC */, 0);
        if (fd < 0) throw new IllegalStateException("marker socket: errno " + LibC.errno());
        byte[] sa = sockaddrIn(0x7f000001, MARKER_PORT);
        if (c.bind(fd, sa, sa.length) != 0) {
            int errno = LibC.errno();
            c.close(fd);
            throw new IllegalStateException("marker socket bind 127.0.0.1:" + MARKER_PORT + ": errno " + errno);
        }
        return fd;
    }

    private void loop() {
        RawPacketListener listener = bytes -> onFrame(bytes, handle.getTimestamp(), handle.getOriginalLength());
        try {
            handle.loop(-1, listener);
        } catch (InterruptedException stopped) {
            // breakLoop(): the normal end
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            loopFailure = e;
        }
    }

    private void onFrame(byte[] bytes, Timestamp ts, Integer originalLength) {
        long nanos = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
        long marker = markerNumber(bytes);
        synchronized (this) {
            if (marker >= 0) {
                markerSeen = Math.max(markerSeen, marker);
                notifyAll();
            } else {
                all.add(new RawFrame(nanos, bytes, originalLength == null ? bytes.length : originalLength));
            }
        }
    }

    /** The marker's number when the frame is our UDP sync datagram, else -1. */
    private static long markerNumber(byte[] b) {
        int ip = 14;
        if (b.length < ip + 20 || b[12] != 0x08 || b[13] != 0 || (b[ip + 9] & 0xff) != 17) return -1;
        int udp = ip + (b[ip] & 0x0f) * 4;
        int payload = udp + 8;
        if (b.length < payload + MARKER_MAGIC.length + 8) return -1;
        if (((b[udp + 2] & 0xff) << 8 | (b[udp + 3] & 0xff)) != MARKER_PORT) return -1;
        if (!Arrays.equals(b, payload, payload + MARKER_MAGIC.length, MARKER_MAGIC, 0, MARKER_MAGIC.length)) return -1;
        return ByteBuffer.wrap(b, payload + MARKER_MAGIC.length, 8).getLong();
    }

    /**
     * Waits until every packet transmitted on lo before this call has been captured. Returns false on timeout
     * (then some late packets may show up in a later drain).
     */
    public boolean sync(long timeoutNanos) {
        long n;
        synchronized (this) {
            n = ++markerSent;
        }
        byte[] payload = ByteBuffer.allocate(MARKER_MAGIC.length + 8).put(MARKER_MAGIC).putLong(n).array();
        if (LibC.C.sendto(markerFd, payload, payload.length, 0, markerAddr, markerAddr.length) < 0) {
            throw new IllegalStateException("marker sendto: errno " + LibC.errno());
        }
        // The datagram also lands in the marker socket's own receive queue: empty it.
        byte[] sink = new byte[64];
        while (LibC.C.recv(markerFd, sink, sink.length, 0x40 /* MSG_DONTWAIT */) >= 0) { /* drop */ }
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (this) {
            while (markerSeen < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || loopFailure != null || !loopThread.isAlive()) return false;
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /** Frames captured since the previous drain, in capture order. */
    public synchronized List<RawFrame> drain() {
        List<RawFrame> out = List.copyOf(all.subList(drained, all.size()));
        drained = all.size();
        return out;
    }

    /** Every frame captured so far, in capture order (what a pcap file of the run holds). */
    public synchronized List<RawFrame> frames() {
        return List.copyOf(all);
    }

    /** Why the capture loop died, or null. */
    public Throwable failure() {
        return loopFailure;
    }

    /** Stops the loop (breakLoop, join, close: never close while the loop is inside libpcap). Idempotent. */
    @Override
    public void close() {
        if (!handle.isOpen()) return;
        try {
            handle.breakLoop();
        } catch (NotOpenException ignored) {
            // already closed
        }
        try {
            loopThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!loopThread.isAlive()) handle.close(); // otherwise leak the handle rather than deadlock
        LibC.C.close(markerFd);
    }

    static byte[] sockaddrIn(int ip, int port) {
        byte[] sa = new byte[16];
        sa[0] = (byte) LibC.AF_INET; // sa_family, native (little-endian) u16
        sa[2] = (byte) (port >>> 8);
        sa[3] = (byte) port;
        sa[4] = (byte) (ip >>> 24);
        sa[5] = (byte) (ip >>> 16);
        sa[6] = (byte) (ip >>> 8);
        sa[7] = (byte) ip;
        return sa;
    }
}
