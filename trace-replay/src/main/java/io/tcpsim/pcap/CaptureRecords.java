package io.tcpsim.pcap;

import io.tcpsim.wire.FrameDecoder;
import io.tcpsim.wire.Packet;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of a capture file, one at a time, without copying: after {@link #next()} the frame is
 * {@code data()[frameOffset() .. frameOffset() + capturedLength())}, valid until the next call. Reads classic pcap
 * ({@link PcapRecords}) and pcapng ({@link PcapngRecords}); {@link #open} tells them apart by the first four bytes.
 *
 * <p>Hand-written rather than libpcap through pcap4j for speed: pcap4j crosses JNA once per packet and copies each
 * frame into a new Java object (about 200k packets/s on the reference machine), while replay must read millions of
 * packets per second on one core. This reads the file through one large buffer and hands out slices of it; memory
 * is the buffer (1 MiB, grown only for a record larger than that), whatever the file's size.
 */
public abstract class CaptureRecords implements Closeable {
    private static final int BUFFER = 1 << 20;

    private final InputStream in;
    private final String format;
    protected byte[] buf = new byte[BUFFER];
    protected int pos;
    protected int lim;
    /** File offset of {@code buf[0]}. */
    protected long base;
    private boolean eof;

    // The current record.
    protected long timeNanos;
    protected int linkType;
    protected int frameOffset;
    protected int capturedLength;
    protected int originalLength;
    protected long recordOffset;
    protected long records;

    protected CaptureRecords(InputStream in, String format) {
        this.in = in;
        this.format = format;
    }

    /**
     * Every IPv4 or IPv6 TCP packet of a whole file, in order; other frames are skipped, and a malformed one is a
     * {@link CaptureFormatException} at its byte. For tests and tools that want a small file in memory: replay
     * streams the records instead.
     */
    public static List<Packet> readPackets(Path file) throws IOException {
        return readPackets(Files.newInputStream(file));
    }

    /** {@link #readPackets(Path)} from a stream, which is closed. */
    public static List<Packet> readPackets(InputStream stream) throws IOException {
        try (CaptureRecords r = open(stream)) {
            List<Packet> packets = new ArrayList<>();
            while (r.next()) {
                FrameDecoder.Result d = r.decode();
                if (d instanceof FrameDecoder.Tcp tcp) packets.add(tcp.packet());
                else if (d instanceof FrameDecoder.Malformed bad)
                    throw r.error(r.fileOffset(bad.offset()), "record " + r.records() + ": " + bad.why());
            }
            return packets;
        }
    }

    /** Opens a pcap or pcapng file. An empty or unrecognised file is a {@link CaptureFormatException} at byte 0. */
    public static CaptureRecords open(Path file) throws IOException {
        return open(Files.newInputStream(file));
    }

    public static CaptureRecords open(InputStream stream) throws IOException {
        byte[] first = new byte[4];
        int n = 0;
        while (n < 4) {
            int r = stream.read(first, n, 4 - n);
            if (r < 0) break;
            n += r;
        }
        if (n == 0) {
            stream.close();
            throw new CaptureFormatException("capture", 0, "the file is empty");
        }
        int magic = n < 4 ? 0 : ((first[0] & 0xff) << 24) | ((first[1] & 0xff) << 16) | ((first[2] & 0xff) << 8)
                | (first[3] & 0xff);
        CaptureRecords r;
        if (n == 4 && magic == PcapngRecords.SHB_TYPE) {
            r = new PcapngRecords(stream);
        } else if (n == 4 && PcapRecords.isMagic(magic)) {
            r = new PcapRecords(stream);
        } else {
            stream.close();
            throw new CaptureFormatException("capture", 0, n < 4
                    ? "file too short for a capture header: " + n + " bytes"
                    : String.format(java.util.Locale.ROOT, "not a pcap or pcapng file: magic 0x%08x", magic));
        }
        System.arraycopy(first, 0, r.buf, 0, 4);
        r.lim = 4;
        try {
            r.readHeader();
        } catch (IOException e) {
            r.close();
            throw e;
        }
        return r;
    }

    protected abstract void readHeader() throws IOException;

    /** Moves to the next packet record; false at the end of the file. Non-packet blocks are skipped. */
    public abstract boolean next() throws IOException;

    public final long timeNanos() { return timeNanos; }
    public final int linkType() { return linkType; }
    public final byte[] data() { return buf; }
    public final int frameOffset() { return frameOffset; }
    public final int capturedLength() { return capturedLength; }
    public final int originalLength() { return originalLength; }
    /** File offset of the current record's header (or block). */
    public final long recordOffset() { return recordOffset; }
    /** Packet records read so far. */
    public final long records() { return records; }
    /** File offset of the next unread byte. */
    public final long position() { return base + pos; }
    /** File offset of byte {@code i} of {@link #data()}. */
    public final long fileOffset(int i) { return base + i; }

    /**
     * The current record as IPv4 or IPv6 TCP, through its link layer ({@link LinkLayer#network}): a
     * {@link FrameDecoder.Tcp}, a {@link FrameDecoder.Skipped} frame (ARP, UDP, a fragment), or a
     * {@link FrameDecoder.Malformed} one whose offset indexes {@link #data()}.
     */
    public final FrameDecoder.Result decode() {
        long net = LinkLayer.network(linkType, buf, frameOffset, capturedLength);
        if (net < 0) return new FrameDecoder.Malformed(frameOffset, "frame of " + capturedLength
                + " bytes is shorter than its link header");
        int version = (int) (net >>> 32);
        if (version == LinkLayer.V6) return FrameDecoder.ipv6(buf, (int) net, frameOffset + capturedLength, timeNanos);
        if (version != LinkLayer.V4) return new FrameDecoder.Skipped("not IP");
        return FrameDecoder.ipv4(buf, (int) net, frameOffset + capturedLength, timeNanos);
    }

    /** "pcap" or "pcapng". */
    public final String format() { return format; }

    /** Per interface (pcapng), the last {isb_ifdrop, isb_osdrop} an Interface Statistics Block gave, -1 unknown. */
    private final java.util.Map<Integer, long[]> drops = new java.util.TreeMap<>();

    protected final void dropped(int iface, long ifdrop, long osdrop) {
        drops.put(iface, new long[] {ifdrop, osdrop});
    }

    /**
     * What the capture's own statistics say it lost, read so far: one line per interface that counted a drop
     * ({@code interface 0: 12 packets dropped by the operating system (isb_osdrop)}); empty when none did or the
     * format keeps no such count (pcap: tcpdump prints its drops, it does not write them).
     */
    public final List<String> captureDrops() {
        List<String> out = new java.util.ArrayList<>();
        for (var e : drops.entrySet()) {
            long ifd = e.getValue()[0], osd = e.getValue()[1];
            List<String> parts = new java.util.ArrayList<>();
            if (ifd > 0) parts.add(ifd + " packet(s) dropped by the interface (isb_ifdrop)");
            if (osd > 0) parts.add(osd + " packet(s) dropped by the operating system (isb_osdrop)");
            if (!parts.isEmpty()) out.add("interface " + e.getKey() + ": " + String.join(", ", parts));
        }
        return out;
    }

    protected final CaptureFormatException error(long offset, String why) {
        return new CaptureFormatException(format, offset, why);
    }

    /**
     * Makes {@code n} bytes available from {@code pos}; returns how many are (fewer only at the end of the file).
     * Compacts the buffer, and grows it when one record is larger than the buffer.
     */
    protected final int ensure(int n) throws IOException {
        if (lim - pos >= n) return n;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            base += pos;
            lim -= pos;
            pos = 0;
        }
        if (n > buf.length) {
            byte[] bigger = new byte[Math.max(n, buf.length * 2)];
            System.arraycopy(buf, 0, bigger, 0, lim);
            buf = bigger;
        }
        while (lim < n && !eof) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) eof = true;
            else lim += r;
        }
        return Math.min(n, lim);
    }

    protected static int u16(byte[] b, int at, boolean big) {
        int x = b[at] & 0xff, y = b[at + 1] & 0xff;
        return big ? (x << 8) | y : (y << 8) | x;
    }

    protected static long u32(byte[] b, int at, boolean big) {
        return big
                ? ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff)
                : ((long) (b[at + 3] & 0xff) << 24) | ((b[at + 2] & 0xff) << 16) | ((b[at + 1] & 0xff) << 8) | (b[at] & 0xff);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
