package io.tcpsim.kernel.net;

import io.tcpsim.capture.LoopbackCapture;
import io.tcpsim.capture.RawFrame;
import io.tcpsim.kernel.KernelUnavailableException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.RawPacketListener;

/**
 * Live capture on one host's veth, in the host's namespace, with pcap4j: what tcpdump on that host would see, frames
 * it sent and frames it received. The settings are {@link LoopbackCapture}'s (immediate mode, nanosecond timestamps,
 * a listener that only copies bytes), with snaplen 262144 and a 32 MB ring; at MTU 1500 a ring slot is ~1.6 KB, so
 * the ring holds ~20,000 frames.
 *
 * <p><b>Sync.</b> Frames reach a veth's taps two ways: those the host sends are tapped in the sender's own context
 * (dev_queue_xmit_nit), those it receives when its backlog is processed (netif_rx, then the softirq). {@link #sync}
 * therefore waits for two markers: one the host sends out of its veth through a packet socket (after every frame
 * the host transmitted before it), and one the wire sends to the host (after every frame the wire forwarded before
 * it, as the same thread sends both). Markers are never reported; the filter passes IPv4 and markers only.
 */
public final class HostCapture implements AutoCloseable {
    public static final int SNAPLEN = LoopbackCapture.SNAPLEN;
    public static final int BUFFER_BYTES = LoopbackCapture.BUFFER_BYTES;
    private static final String FILTER = "ip or ether proto 0x" + Integer.toHexString(Frames.ETHERTYPE_MARKER);

    private final String device;
    private final PcapHandle handle;
    private final PacketSocket markerOut;
    private final byte[] ownMac;
    private final byte[] peerMac;
    private final Thread loopThread;
    private final List<RawFrame> all = new ArrayList<>(); // guarded by this
    private int drained; // guarded by this
    private long markerSent; // guarded by this
    private long seenOut; // guarded by this
    private long seenIn; // guarded by this
    private volatile Throwable loopFailure;
    private volatile LongConsumer incomingMarker = n -> { };

    private HostCapture(String device, PcapHandle handle, PacketSocket markerOut, byte[] ownMac, byte[] peerMac) {
        this.device = device;
        this.handle = handle;
        this.markerOut = markerOut;
        this.ownMac = ownMac;
        this.peerMac = peerMac;
        this.loopThread = new Thread(this::loop, "tcpsim-capture-" + device);
        loopThread.setDaemon(true);
    }

    /**
     * Opens the capture on {@code device} of the calling thread's namespace (call it on the host's thread) and starts
     * its loop. {@code ownMac} and {@code wireMac} address the outgoing markers.
     */
    static HostCapture openHere(String device, byte[] ownMac, byte[] wireMac) {
        LoopbackCapture.checkLibpcap();
        PcapHandle h;
        try {
            h = new PcapHandle.Builder(device).snaplen(SNAPLEN).timeoutMillis(10).immediateMode(true)
                    .timestampPrecision(PcapHandle.TimestampPrecision.NANO).bufferSize(BUFFER_BYTES).build();
        } catch (PcapNativeException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("permission") || m.contains("not permitted")) {
                throw new KernelUnavailableException(KernelUnavailableException.NEEDS_PRIVILEGE, e);
            }
            throw new IllegalStateException("cannot capture on " + device + ": " + m, e);
        }
        try {
            h.setFilter(FILTER, BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException e) {
            h.close();
            throw new IllegalStateException("cannot set capture filter " + FILTER + ": " + e.getMessage(), e);
        }
        PacketSocket out;
        try {
            out = PacketSocket.sending(device);
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
        HostCapture c = new HostCapture(device, h, out, ownMac, wireMac);
        c.loopThread.start();
        return c;
    }

    /** Who sends this host the incoming markers: the wire ({@code Link.sendMarker} for this host). */
    void incomingMarkersFrom(LongConsumer wire) {
        incomingMarker = wire;
    }

    public String device() {
        return device;
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
        long marker = Frames.markerOf(bytes);
        synchronized (this) {
            if (marker >= 0) {
                long n = marker >>> 8;
                if ((marker & 0xff) == Frames.OUTGOING) seenOut = Math.max(seenOut, n);
                else seenIn = Math.max(seenIn, n);
                notifyAll();
            } else {
                all.add(new RawFrame(nanos, bytes, originalLength == null ? bytes.length : originalLength));
            }
        }
    }

    /**
     * Waits until every frame this host sent before the call, and every frame the wire delivered to it before the
     * call, has been captured. Returns false on timeout.
     */
    public boolean sync(long timeoutNanos) {
        long n;
        synchronized (this) {
            n = ++markerSent;
        }
        int errno = markerOut.send(Frames.marker(peerMac, ownMac, n, Frames.OUTGOING));
        if (errno != 0) throw new IllegalStateException("marker on " + device + ": errno " + errno);
        incomingMarker.accept(n);
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (this) {
            while (seenOut < n || seenIn < n) {
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

    /** Every frame captured so far. */
    public synchronized List<RawFrame> frames() {
        return List.copyOf(all);
    }

    public Throwable failure() {
        return loopFailure;
    }

    /** breakLoop, join, close (never close while the loop is inside libpcap). Idempotent. */
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
        if (!loopThread.isAlive()) handle.close();
        markerOut.close();
    }
}
