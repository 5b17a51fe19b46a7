package io.tcpsim.pcap;

/**
 * Where the network header starts in a frame of each supported link type (tcpdump.org/linktypes.html), and which
 * network protocol it carries. Ethernet is what Linux uses on lo (zero MAC addresses); Linux cooked v1 and v2 are what
 * {@code tcpdump -i any} writes; raw IP has no link header at all.
 */
public final class LinkLayer {
    public static final int NULL = 0, ETHERNET = 1, RAW = 101, LOOP = 108, LINUX_SLL = 113, IPV4 = 228, IPV6 = 229,
            LINUX_SLL2 = 276;

    /** The network protocol of a frame: IPv4, IPv6 or something else. */
    public static final int OTHER = 0, V4 = 4, V6 = 6;

    private LinkLayer() {}

    public static boolean supported(int linkType) {
        return switch (linkType) {
            case NULL, ETHERNET, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 -> true;
            default -> false;
        };
    }

    public static String unsupported(int linkType) {
        return "link type " + linkType + " is not supported (Ethernet 1, raw IP 101/228/229, BSD loopback 0/108, "
                + "Linux cooked 113 and 276 are)";
    }

    /**
     * Finds the network header of a frame {@code b[off .. off + len)}. Returns {@code (version << 32) | offset} with
     * version {@link #V4}, {@link #V6} or {@link #OTHER}, or -1 when the frame is shorter than its link header.
     */
    public static long network(int linkType, byte[] b, int off, int len) {
        int type;
        int at;
        switch (linkType) {
            case ETHERNET -> {
                if (len < 14) return -1;
                at = off + 14;
                type = u16(b, off + 12);
                // 802.1Q / 802.1ad tags: skip them to the real EtherType.
                while ((type == 0x8100 || type == 0x88a8) && at + 4 <= off + len) {
                    type = u16(b, at + 2);
                    at += 4;
                }
            }
            case LINUX_SLL -> {
                if (len < 16) return -1;
                at = off + 16;
                type = u16(b, off + 14);
            }
            case LINUX_SLL2 -> {
                if (len < 20) return -1;
                at = off + 20;
                type = u16(b, off);
            }
            case NULL, LOOP -> {
                if (len < 4) return -1;
                at = off + 4;
                // The address family, in the writer's byte order for NULL and big-endian for LOOP; AF_INET is 2
                // everywhere, AF_INET6 is 10 (Linux), 24, 28 or 30 (the BSDs).
                int fam = b[off] == 0 ? u16(b, off + 2) : (b[off] & 0xff);
                type = fam == 2 ? 0x0800 : fam == 10 || fam == 24 || fam == 28 || fam == 30 ? 0x86dd : 0;
            }
            default -> { // RAW, IPV4, IPV6: the version nibble says which.
                if (len < 1) return -1;
                at = off;
                int v = (b[off] & 0xf0) >>> 4;
                type = v == 4 ? 0x0800 : v == 6 ? 0x86dd : 0;
            }
        }
        int version = type == 0x0800 ? V4 : type == 0x86dd ? V6 : OTHER;
        return ((long) version << 32) | at;
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }
}
