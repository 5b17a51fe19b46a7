package io.tcpsim.pcap;

import io.tcpsim.capture.RawFrame;
import io.tcpsim.output.OutputFile;
import io.tcpsim.wire.FrameEncoder;
import io.tcpsim.wire.Packet;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes packets as a classic pcap file: nanosecond magic (0xa1b23c4d, so the virtual clock survives exactly;
 * tcpdump still prints microseconds), version 2.4, snaplen 262144, link type 1 (EN10MB, what Linux uses on lo), one
 * 16-byte record header per frame, little-endian. Frames come from {@link FrameEncoder}.
 *
 * <p>{@link #frames} writes captured frames instead, as libpcap handed them over.
 *
 * <p>Hand-written on purpose: pcap4j's dumper needs libpcap at run time ({@code Pcaps.openDead}), and
 * {@code tcpsim run --pcap} must work on machines without libpcap. It is also about 30 times faster (measured when
 * it was written: about 1M packets/s for a plain stream writer against 35k for pcap4j's {@code dumpRaw}).
 */
public final class PcapWriter implements Closeable {
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    public static final int SNAPLEN = 262144;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int GLOBAL_HEADER = 24;
    public static final int RECORD_HEADER = 16;

    private final OutputStream out;
    private final byte[] header = new byte[RECORD_HEADER];

    private PcapWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes the file in one go, through {@link OutputFile} (atomically for a regular file; a device or FIFO as is). */
    public static void write(Path file, List<Packet> packets) throws IOException {
        OutputFile.write(file, System.out, packets(packets));
    }

    /** The whole file for {@link OutputFile}: the packets encoded as frames ({@code tcpsim run --pcap}). */
    public static OutputFile.Body packets(List<Packet> packets) {
        return out -> {
            try (PcapWriter w = open(out)) {
                for (Packet p : packets) w.write(p);
            }
        };
    }

    /**
     * The whole file for {@link OutputFile}: captured frames as they are, their bytes, nanosecond time and original
     * length ({@code tcpsim capture -o}, so that tcpdump reads the real capture, not a re-encoding of it).
     */
    public static OutputFile.Body frames(List<RawFrame> frames) {
        return out -> {
            try (PcapWriter w = open(out)) {
                for (RawFrame f : frames) w.write(f);
            }
        };
    }

    /** Starts a pcap stream: writes the global header now, one record per {@link #write}. Closing closes {@code out}. */
    public static PcapWriter open(OutputStream out) throws IOException {
        PcapWriter w = new PcapWriter(out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16));
        byte[] g = new byte[GLOBAL_HEADER];
        le32(g, 0, MAGIC_NANOS);
        le16(g, 4, 2);
        le16(g, 6, 4);
        // thiszone and sigfigs stay 0
        le32(g, 16, SNAPLEN);
        le32(g, 20, LINKTYPE_ETHERNET);
        w.out.write(g);
        return w;
    }

    /** Appends one packet. Its time must lie in pcap's range: 0 to 2^32 seconds after the epoch. */
    public void write(Packet packet) throws IOException {
        byte[] frame = FrameEncoder.frame(packet);
        record(packet.timeNanos(), frame, frame.length);
    }

    /** Appends one captured frame byte for byte. A frame longer than the snaplen is cut to it, as libpcap would. */
    public void write(RawFrame frame) throws IOException {
        byte[] b = frame.data();
        int n = Math.min(b.length, SNAPLEN);
        record(frame.timeNanos(), n == b.length ? b : java.util.Arrays.copyOf(b, n), Math.max(frame.originalLength(), b.length));
    }

    private void record(long t, byte[] frame, int originalLength) throws IOException {
        long seconds = t / 1_000_000_000L;
        if (t < 0 || seconds > 0xffffffffL) {
            throw new IllegalArgumentException("packet time " + t + " ns is outside pcap's unsigned 32-bit seconds");
        }
        le32(header, 0, (int) seconds);
        le32(header, 4, (int) (t % 1_000_000_000L));
        le32(header, 8, frame.length);
        le32(header, 12, originalLength);
        out.write(header);
        out.write(frame);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private static void le16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    private static void le32(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
