package io.tcpsim.pcap;

import java.io.IOException;
import java.io.InputStream;

/**
 * Classic pcap (libpcap's savefile.c/sf-pcap.c): a 24-byte header, then 16-byte record headers. Microsecond
 * (0xa1b2c3d4) or nanosecond (0xa1b23c4d) stamps, either byte order. A record whose captured length exceeds the
 * file's snapshot length is an error, as in libpcap's pcap_next_packet ("invalid packet capture length").
 */
public final class PcapRecords extends CaptureRecords {
    private boolean big;
    private boolean nanos;
    private long snaplen;

    PcapRecords(InputStream in) {
        super(in, "pcap");
    }

    static boolean isMagic(int m) {
        return m == PcapWriter.MAGIC_MICROS || m == PcapWriter.MAGIC_NANOS
                || m == Integer.reverseBytes(PcapWriter.MAGIC_MICROS) || m == Integer.reverseBytes(PcapWriter.MAGIC_NANOS);
    }

    @Override
    protected void readHeader() throws IOException {
        int n = ensure(24);
        if (n < 24) throw error(n, "file too short for a pcap header: " + n + " of 24 bytes");
        int magic = (int) u32(buf, 0, true);
        big = magic == PcapWriter.MAGIC_MICROS || magic == PcapWriter.MAGIC_NANOS;
        nanos = magic == PcapWriter.MAGIC_NANOS || magic == Integer.reverseBytes(PcapWriter.MAGIC_NANOS);
        int major = u16(buf, 4, big);
        if (major != 2) throw error(4, "unsupported pcap version " + major + "." + u16(buf, 6, big));
        snaplen = u32(buf, 16, big);
        linkType = (int) (u32(buf, 20, big) & 0x03ffffff);
        if (!LinkLayer.supported(linkType)) throw error(20, LinkLayer.unsupported(linkType));
        pos = 24;
    }

    @Override
    public boolean next() throws IOException {
        recordOffset = position();
        int n = ensure(16);
        if (n == 0) return false;
        if (n < 16) throw error(recordOffset, "record " + (records + 1) + ": truncated record header: " + n + " of 16 bytes");
        long seconds = u32(buf, pos, big);
        long fraction = u32(buf, pos + 4, big);
        long caplen = u32(buf, pos + 8, big);
        long len = u32(buf, pos + 12, big);
        long limit = snaplen == 0 ? PcapWriter.SNAPLEN : Math.max(snaplen, 0);
        if (caplen > limit || caplen > (1 << 26)) {
            throw error(recordOffset + 8, "record " + (records + 1) + ": captured length " + caplen
                    + " is larger than the snapshot length " + limit);
        }
        int got = ensure(16 + (int) caplen);
        if (got < 16 + caplen) {
            throw error(recordOffset, "record " + (records + 1) + ": truncated record data: " + (got - 16) + " of "
                    + caplen + " bytes");
        }
        records++;
        timeNanos = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000L);
        frameOffset = pos + 16;
        capturedLength = (int) caplen;
        originalLength = (int) Math.min(len, Integer.MAX_VALUE);
        pos += 16 + (int) caplen;
        return true;
    }
}
