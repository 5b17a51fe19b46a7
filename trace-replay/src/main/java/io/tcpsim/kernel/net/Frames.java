package io.tcpsim.kernel.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the wire reads of a frame (no more than a drop rule needs), and the sync markers.
 *
 * <p>A marker is an Ethernet frame of EtherType 0x88B5 (IEEE 802 local experimental): no host's stack has a handler
 * for it, so the receiving kernel drops it after its taps (pcap) have seen it, and the wire never forwards one.
 * Payload: {@code "tcpsim-sync:"}, the marker's number (8 bytes, big-endian), and 'O' (sent by the host) or 'I'
 * (sent to the host by the wire).
 */
final class Frames {
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_MARKER = 0x88B5;
    private static final byte[] MAGIC = "tcpsim-sync:".getBytes(StandardCharsets.US_ASCII);
    static final byte OUTGOING = 'O', INCOMING = 'I';

    private Frames() {}

    static int etherType(byte[] f) {
        return f.length < 14 ? -1 : (f[12] & 0xff) << 8 | (f[13] & 0xff);
    }

    /**
     * The TCP flags byte and payload length of an unfragmented IPv4/TCP frame, as {@code flags << 32 | payload},
     * or -1 for any other frame.
     */
    static long tcp(byte[] f) {
        if (etherType(f) != ETHERTYPE_IPV4 || f.length < 14 + 20) return -1;
        int ip = 14;
        if ((f[ip] & 0xf0) != 0x40 || (f[ip + 9] & 0xff) != 6) return -1;
        if (((f[ip + 6] & 0x3f) << 8 | (f[ip + 7] & 0xff)) != 0) return -1; // a fragment
        int ihl = (f[ip] & 0x0f) * 4;
        int total = (f[ip + 2] & 0xff) << 8 | (f[ip + 3] & 0xff);
        int tcp = ip + ihl;
        if (f.length < tcp + 20 || total < ihl + 20) return -1;
        int doff = ((f[tcp + 12] & 0xf0) >>> 4) * 4;
        int payload = total - ihl - doff;
        if (payload < 0) return -1;
        return (long) (f[tcp + 13] & 0xff) << 32 | payload;
    }

    static byte[] marker(byte[] dstMac, byte[] srcMac, long number, byte direction) {
        ByteBuffer b = ByteBuffer.allocate(14 + MAGIC.length + 9);
        b.put(dstMac).put(srcMac).putShort((short) ETHERTYPE_MARKER).put(MAGIC).putLong(number).put(direction);
        return b.array();
    }

    /** The marker's number and direction as {@code number << 8 | direction}, or -1 when the frame is no marker. */
    static long markerOf(byte[] f) {
        if (etherType(f) != ETHERTYPE_MARKER || f.length < 14 + MAGIC.length + 9) return -1;
        if (!Arrays.equals(f, 14, 14 + MAGIC.length, MAGIC, 0, MAGIC.length)) return -1;
        long n = ByteBuffer.wrap(f, 14 + MAGIC.length, 8).getLong();
        return n << 8 | (f[14 + MAGIC.length + 8] & 0xff);
    }

    /** {@code 02:00:0a:00:01:01}: a locally administered MAC derived from an IPv4 address and a role byte. */
    static byte[] mac(int role, int ip) {
        return new byte[] {0x02, (byte) role, (byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
    }

    static String macText(byte[] m) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < m.length; i++) s.append(i == 0 ? "" : ":").append(String.format(java.util.Locale.ROOT, "%02x", m[i] & 0xff));
        return s.toString();
    }
}
