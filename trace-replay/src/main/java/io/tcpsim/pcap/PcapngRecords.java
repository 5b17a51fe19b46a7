package io.tcpsim.pcap;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng (draft-ietf-opsawg-pcapng), what Wireshark and tshark write by default. Reads the Section Header Block
 * (byte order from its byte-order magic; a new section resets the interfaces), Interface Description Blocks (link
 * type, snapshot length, {@code if_tsresol}, {@code if_tsoffset}), Enhanced Packet Blocks, Simple Packet Blocks
 * (interface 0, no time stamp: they take the previous packet's time) and the obsolete Packet Block; every other
 * block (name resolution, statistics, decryption secrets, custom) is skipped by its length.
 */
public final class PcapngRecords extends CaptureRecords {
    static final int SHB_TYPE = 0x0a0d0d0a;
    private static final int IDB = 1, PB = 2, SPB = 3, ISB = 5, EPB = 6;
    private static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    private static final int MAX_BLOCK = 1 << 26;

    private record Interface(int linkType, long snaplen, boolean binary, int exponent, long offsetSeconds) {
        /** Time stamp units to nanoseconds: if_tsresol is 10^-e (top bit clear) or 2^-e (top bit set). */
        long nanos(long ts) {
            long n;
            if (binary) {
                long whole = ts >>> exponent;
                long part = ts & ((1L << exponent) - 1);
                n = whole * 1_000_000_000L + (exponent >= 34 ? (long) (part * 1e9 / Math.pow(2, exponent))
                        : (part * 1_000_000_000L) >>> exponent);
            } else if (exponent <= 9) {
                n = ts * POW10[9 - exponent];
            } else {
                n = ts / POW10[Math.min(exponent - 9, 18)];
            }
            return n + offsetSeconds * 1_000_000_000L;
        }
    }

    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
    }

    private boolean big;
    private final List<Interface> interfaces = new ArrayList<>();
    private long blocks;

    PcapngRecords(InputStream in) {
        super(in, "pcapng");
    }

    @Override
    protected void readHeader() throws IOException {
        if (!section(position())) throw error(0, "no section header block");
    }

    /** Reads the Section Header Block at {@code pos}. */
    private boolean section(long at) throws IOException {
        int n = ensure(12);
        if (n < 12) throw error(at, "truncated section header block: " + n + " of at least 28 bytes");
        long bom = u32(buf, pos + 8, true);
        if (bom == BYTE_ORDER_MAGIC) big = true;
        else if (bom == Integer.toUnsignedLong(Integer.reverseBytes(BYTE_ORDER_MAGIC))) big = false;
        else throw error(at + 8, String.format(java.util.Locale.ROOT, "section header block: bad byte-order magic 0x%08x", bom));
        long length = u32(buf, pos + 4, big);
        if (length < 28 || length % 4 != 0 || length > MAX_BLOCK) {
            throw error(at + 4, "section header block: bad block length " + length);
        }
        int got = ensure((int) length);
        if (got < length) throw error(at, "truncated section header block: " + got + " of " + length + " bytes");
        int major = u16(buf, pos + 12, big);
        if (major != 1) throw error(at + 12, "unsupported pcapng version " + major + "." + u16(buf, pos + 14, big));
        checkTrailer(at, (int) length);
        interfaces.clear();
        blocks++;
        pos += (int) length;
        return true;
    }

    private void checkTrailer(long at, int length) throws CaptureFormatException {
        long trailer = u32(buf, pos + length - 4, big);
        if (trailer != length) {
            throw error(at + length - 4, "block " + (blocks + 1) + ": trailing length " + trailer
                    + " differs from the block length " + length);
        }
    }

    @Override
    public boolean next() throws IOException {
        while (true) {
            long at = position();
            int n = ensure(8);
            if (n == 0) return false;
            if (n < 8) throw error(at, "block " + (blocks + 1) + ": truncated block header: " + n + " of 8 bytes");
            int type = (int) u32(buf, pos, big);
            if (type == SHB_TYPE) {
                section(at);
                continue;
            }
            long length = u32(buf, pos + 4, big);
            if (length < 12 || length % 4 != 0 || length > MAX_BLOCK) {
                throw error(at + 4, "block " + (blocks + 1) + ": bad block length " + length);
            }
            int got = ensure((int) length);
            if (got < length) {
                throw error(at, "block " + (blocks + 1) + ": truncated block: " + got + " of " + length + " bytes");
            }
            checkTrailer(at, (int) length);
            blocks++;
            int body = pos + 8;
            int end = pos + (int) length - 4;
            boolean packet = false;
            switch (type) {
                case IDB -> interfaceBlock(at, body, end);
                case EPB -> packet = enhanced(at, body, end);
                case SPB -> packet = simple(at, body, end);
                case PB -> packet = obsolete(at, body, end);
                case ISB -> statistics(at, body, end);
                default -> { }
            }
            pos += (int) length;
            if (packet) {
                recordOffset = at;
                records++;
                return true;
            }
        }
    }

    private void interfaceBlock(long at, int body, int end) throws CaptureFormatException {
        if (end - body < 8) throw error(at, "interface description block " + interfaces.size() + " is too short");
        int link = u16(buf, body, big);
        long snaplen = u32(buf, body + 4, big);
        boolean binary = false;
        int exponent = 6;
        long offset = 0;
        int o = body + 8;
        while (o + 4 <= end) {
            int code = u16(buf, o, big);
            int len = u16(buf, o + 2, big);
            if (code == 0) break;
            if (o + 4 + len > end) throw error(at + (o - pos), "interface option " + code + " overruns its block");
            if (code == 9 && len >= 1) {
                int v = buf[o + 4] & 0xff;
                binary = (v & 0x80) != 0;
                exponent = v & 0x7f;
                if (!binary && exponent > 27 || binary && exponent > 63) {
                    throw error(at + (o - pos) + 4, "if_tsresol " + v + " is out of range");
                }
            } else if (code == 14 && len == 8) {
                // A signed 64-bit count of seconds, in the section's byte order.
                offset = big ? u32(buf, o + 4, true) << 32 | u32(buf, o + 8, true)
                        : u32(buf, o + 8, false) << 32 | u32(buf, o + 4, false);
            }
            o += 4 + ((len + 3) & ~3);
        }
        // An interface of a link type replay cannot read matters only if a packet uses it: its packets are skipped and
        // named (Replay), the rest of the file is read.
        interfaces.add(new Interface(link, snaplen, binary, exponent, offset));
    }

    /**
     * An Interface Statistics Block: its counters are cumulative per interface, so the last block of each interface
     * says how many packets the capture lost: isb_ifdrop (5, dropped by the interface or its driver) and isb_osdrop
     * (7, by the operating system: tcpdump's "packets dropped by kernel").
     */
    private void statistics(long at, int body, int end) throws CaptureFormatException {
        if (end - body < 12) throw error(at, "block " + blocks + ": interface statistics block too short");
        long id = u32(buf, body, big);
        iface(at, id);
        long[] drops = {-1, -1};
        int o = body + 12;
        while (o + 4 <= end) {
            int code = u16(buf, o, big);
            int len = u16(buf, o + 2, big);
            if (code == 0) break;
            if (o + 4 + len > end) throw error(at + (o - pos), "statistics option " + code + " overruns its block");
            if ((code == 5 || code == 7) && len == 8) {
                long v = big ? u32(buf, o + 4, true) << 32 | u32(buf, o + 8, true)
                        : u32(buf, o + 8, false) << 32 | u32(buf, o + 4, false);
                drops[code == 5 ? 0 : 1] = v;
            }
            o += 4 + ((len + 3) & ~3);
        }
        dropped((int) id, drops[0], drops[1]);
    }

    private Interface iface(long at, long id) throws CaptureFormatException {
        if (id >= interfaces.size()) {
            throw error(at + 8, "block " + blocks + ": packet on interface " + id + ", but only "
                    + interfaces.size() + " interface(s) are described");
        }
        return interfaces.get((int) id);
    }

    private boolean enhanced(long at, int body, int end) throws CaptureFormatException {
        if (end - body < 20) throw error(at, "block " + blocks + ": enhanced packet block too short");
        Interface i = iface(at, u32(buf, body, big));
        long ts = u32(buf, body + 4, big) << 32 | u32(buf, body + 8, big);
        return packet(at, i, i.nanos(ts), body + 20, end, u32(buf, body + 12, big), u32(buf, body + 16, big));
    }

    private boolean obsolete(long at, int body, int end) throws CaptureFormatException {
        if (end - body < 20) throw error(at, "block " + blocks + ": packet block too short");
        Interface i = iface(at, u16(buf, body, big));
        long ts = u32(buf, body + 4, big) << 32 | u32(buf, body + 8, big);
        return packet(at, i, i.nanos(ts), body + 20, end, u32(buf, body + 12, big), u32(buf, body + 16, big));
    }

    private boolean simple(long at, int body, int end) throws CaptureFormatException {
        if (end - body < 4) throw error(at, "block " + blocks + ": simple packet block too short");
        Interface i = iface(at, 0);
        long orig = u32(buf, body, big);
        long cap = Math.min(orig, end - body - 4);
        if (i.snaplen() > 0) cap = Math.min(cap, i.snaplen());
        return packet(at, i, timeNanos, body + 4, end, cap, orig);
    }

    private boolean packet(long at, Interface i, long time, int data, int end, long caplen, long orig)
            throws CaptureFormatException {
        if (caplen > end - data) {
            throw error(at + 20, "block " + blocks + ": captured length " + caplen + " overruns the block ("
                    + (end - data) + " bytes of data)");
        }
        if (i.snaplen() > 0 && caplen > i.snaplen()) {
            throw error(at + 20, "block " + blocks + ": captured length " + caplen
                    + " is larger than the snapshot length " + i.snaplen());
        }
        timeNanos = time;
        linkType = i.linkType();
        frameOffset = data;
        capturedLength = (int) caplen;
        originalLength = (int) Math.min(orig, Integer.MAX_VALUE);
        return true;
    }
}
