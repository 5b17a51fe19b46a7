package io.tcpsim.pcap;

import io.tcpsim.wire.FrameDecoder;
import io.tcpsim.wire.Packet;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a classic pcap file back into {@link Packet}s, one record at a time: microsecond or nanosecond magic, either
 * byte order, link types Ethernet (1, what Linux uses on lo), raw IP (101) and Linux cooked capture v1/v2 (113/276,
 * what {@code tcpdump -i any} writes). Frames that are not IPv4/TCP are skipped and counted. Plain Java, no libpcap.
 *
 * <p>Payload cut off by the capture's snaplen (the capture code records with {@code -s 256}) is zero-filled to the
 * length the IP header gives, so lengths and sequence arithmetic stay right; {@link #truncatedPayloads()} counts
 * such packets. Anything unreadable is a {@link PcapFormatException} naming the byte offset in the file.
 */
public final class PcapReader implements Closeable {
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_RAW = 101;
    public static final int LINKTYPE_LINUX_SLL = 113;
    public static final int LINKTYPE_LINUX_SLL2 = 276;
    private static final int PCAPNG_MAGIC = 0x0a0d0d0a;

    private final InputStream in;
    private final boolean bigEndian;
    private final boolean nanos;
    private final int linkType;
    private final long maxRecord;
    private final byte[] recordHeader = new byte[PcapWriter.RECORD_HEADER];
    private long offset;
    private long records;
    private long skipped;
    private long truncatedPayloads;

    private PcapReader(InputStream in, boolean bigEndian, boolean nanos, int linkType) {
        this.in = in;
        this.bigEndian = bigEndian;
        this.nanos = nanos;
        this.linkType = linkType;
        // libpcap refuses records longer than its maximum for the link type (262144), whatever the file's snaplen.
        this.maxRecord = PcapWriter.SNAPLEN;
        this.offset = PcapWriter.GLOBAL_HEADER;
    }

    /** Reads every IPv4/TCP packet of a file. */
    public static List<Packet> read(Path file) throws IOException {
        try (PcapReader r = open(Files.newInputStream(file))) {
            List<Packet> packets = new ArrayList<>();
            for (Packet p = r.next(); p != null; p = r.next()) packets.add(p);
            return packets;
        }
    }

    /** Reads and checks the 24-byte global header. Closing the reader closes {@code stream}. */
    public static PcapReader open(InputStream stream) throws IOException {
        InputStream in = stream instanceof BufferedInputStream ? stream : new BufferedInputStream(stream, 1 << 16);
        byte[] g = new byte[PcapWriter.GLOBAL_HEADER];
        int n = readUpTo(in, g, g.length);
        if (n < 4) {
            in.close();
            throw new PcapFormatException(0, "file too short for a pcap header: " + n + " of 24 bytes");
        }
        int magic = ((g[0] & 0xff) << 24) | ((g[1] & 0xff) << 16) | ((g[2] & 0xff) << 8) | (g[3] & 0xff);
        boolean bigEndian;
        boolean nanos;
        if (magic == PcapWriter.MAGIC_MICROS || magic == PcapWriter.MAGIC_NANOS) {
            bigEndian = true;
            nanos = magic == PcapWriter.MAGIC_NANOS;
        } else if (magic == Integer.reverseBytes(PcapWriter.MAGIC_MICROS)
                || magic == Integer.reverseBytes(PcapWriter.MAGIC_NANOS)) {
            bigEndian = false;
            nanos = magic == Integer.reverseBytes(PcapWriter.MAGIC_NANOS);
        } else {
            in.close();
            throw new PcapFormatException(0, magic == PCAPNG_MAGIC
                    ? "pcapng is not supported; convert it with 'editcap -F pcap' or 'tcpdump -r IN -w OUT'"
                    : String.format("not a pcap file: magic 0x%08x", magic));
        }
        if (n < g.length) {
            in.close();
            throw new PcapFormatException(0, "file too short for a pcap header: " + n + " of 24 bytes");
        }
        int major = u16(g, 4, bigEndian);
        int minor = u16(g, 6, bigEndian);
        if (major != 2) {
            in.close();
            throw new PcapFormatException(4, "unsupported pcap version " + major + "." + minor);
        }
        int linkType = (int) (u32(g, 20, bigEndian) & 0x03ffffff);
        if (linkType != LINKTYPE_ETHERNET && linkType != LINKTYPE_RAW && linkType != LINKTYPE_LINUX_SLL
                && linkType != LINKTYPE_LINUX_SLL2) {
            in.close();
            throw new PcapFormatException(20, "link type " + linkType
                    + " is not supported (Ethernet 1, raw IP 101, Linux cooked 113 and 276 are)");
        }
        return new PcapReader(in, bigEndian, nanos, linkType);
    }

    /** The next IPv4/TCP packet, or null at the end of the file. */
    public Packet next() throws IOException {
        while (true) {
            long start = offset;
            int n = readUpTo(in, recordHeader, recordHeader.length);
            if (n == 0) return null;
            records++;
            if (n < recordHeader.length) {
                throw new PcapFormatException(start, "record " + records + ": truncated record header: " + n
                        + " of 16 bytes");
            }
            long seconds = u32(recordHeader, 0, bigEndian);
            long fraction = u32(recordHeader, 4, bigEndian);
            long caplen = u32(recordHeader, 8, bigEndian);
            if (caplen > maxRecord) {
                throw new PcapFormatException(start + 8, "record " + records + ": captured length " + caplen
                        + " is larger than " + maxRecord);
            }
            byte[] frame = new byte[(int) caplen];
            int got = readUpTo(in, frame, frame.length);
            if (got < frame.length) {
                throw new PcapFormatException(start, "record " + records + ": truncated record data: " + got + " of "
                        + caplen + " bytes");
            }
            long data = start + PcapWriter.RECORD_HEADER;
            offset = data + caplen;
            long timeNanos = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000L);
            FrameDecoder.Result r = decode(frame, timeNanos);
            if (r instanceof FrameDecoder.Tcp tcp) {
                if (tcp.truncatedBy() > 0) truncatedPayloads++;
                return tcp.packet();
            }
            if (r instanceof FrameDecoder.Malformed bad) {
                throw new PcapFormatException(data + bad.offset(), "record " + records + ": " + bad.why());
            }
            skipped++;
        }
    }

    private FrameDecoder.Result decode(byte[] frame, long timeNanos) {
        switch (linkType) {
            case LINKTYPE_ETHERNET:
                return FrameDecoder.ethernet(frame, timeNanos);
            case LINKTYPE_RAW:
                return FrameDecoder.ipv4(frame, 0, timeNanos);
            default:
                // SLL carries the EtherType at byte 14 of a 16-byte header, SLL2 at byte 0 of a 20-byte header.
                int header = linkType == LINKTYPE_LINUX_SLL ? 16 : 20;
                int typeAt = linkType == LINKTYPE_LINUX_SLL ? 14 : 0;
                if (frame.length < header) {
                    return new FrameDecoder.Malformed(0, "frame of " + frame.length
                            + " bytes is shorter than a Linux cooked header");
                }
                int type = ((frame[typeAt] & 0xff) << 8) | (frame[typeAt + 1] & 0xff);
                if (type != 0x0800) return new FrameDecoder.Skipped(String.format("protocol 0x%04x", type));
                return FrameDecoder.ipv4(frame, header, timeNanos);
        }
    }

    /** Records read so far, including skipped ones. */
    public long records() {
        return records;
    }

    /** Records that were not IPv4/TCP. */
    public long skipped() {
        return skipped;
    }

    /** Packets whose payload the capture cut short (zero-filled). */
    public long truncatedPayloads() {
        return truncatedPayloads;
    }

    /** True when the file has nanosecond time stamps. */
    public boolean nanosecondStamps() {
        return nanos;
    }

    public int linkType() {
        return linkType;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private static int readUpTo(InputStream in, byte[] b, int n) throws IOException {
        int total = 0;
        while (total < n) {
            int r = in.read(b, total, n - total);
            if (r < 0) break;
            total += r;
        }
        return total;
    }

    private static int u16(byte[] b, int at, boolean bigEndian) {
        int x = b[at] & 0xff;
        int y = b[at + 1] & 0xff;
        return bigEndian ? (x << 8) | y : (y << 8) | x;
    }

    private static long u32(byte[] b, int at, boolean bigEndian) {
        long v = 0;
        for (int i = 0; i < 4; i++) v |= (long) (b[at + (bigEndian ? i : 3 - i)] & 0xff) << (8 * (3 - i));
        return v;
    }
}
