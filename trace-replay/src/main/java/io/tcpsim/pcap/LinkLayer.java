package io.tcpsim.pcap;

/**
 * Where the network header starts in a frame of each supported link type (tcpdump.org/linktypes.html), and which
 * network protocol it carries. Ethernet is what Linux uses on lo (zero MAC addresses); Linux cooked v1 and v2 are what
 * {@code tcpdump -i any} writes; raw IP has no link header at all.
 */
public final class LinkLayer {
    public static final int NULL = 0, ETHERNET = 1, RAW = 101, LOOP = 108, LINUX_SLL = 113, IPV4 = 228, IPV6 = 229,
            NFLOG = 239, LINUX_SLL2 = 276;

    /** The network protocol of a frame: IPv4, IPv6 or something else. */
    public static final int OTHER = 0, V4 = 4, V6 = 6;

    private LinkLayer() {}

    public static boolean supported(int linkType) {
        return switch (linkType) {
            case NULL, ETHERNET, RAW, LOOP, LINUX_SLL, IPV4, IPV6, NFLOG, LINUX_SLL2 -> true;
            default -> false;
        };
    }

    public static String unsupported(int linkType) {
        return "link type " + linkType + " is not supported (Ethernet 1, raw IP 101/228/229, BSD loopback 0/108, "
                + "Linux cooked 113 and 276, NFLOG 239 are)";
    }

    /**
     * Finds the network header of a frame {@code b[off .. off + len)}. Returns {@code (version << 32) | offset} with
     * version {@link #V4}, {@link #V6} or {@link #OTHER}, or -1 when the frame is shorter than its link header.
     * Ethernet frames may carry 802.1Q and 802.1ad (QinQ) tags, PPPoE sessions (0x8864) and MPLS label stacks
     * (0x8847, 0x8848) before the IP header: each is read through. NFLOG (tcpdump -i nflog) puts the packet in a TLV.
     */
    public static long network(int linkType, byte[] b, int off, int len) {
        int type;
        int at;
        int end = off + len;
        switch (linkType) {
            case ETHERNET -> {
                if (len < 14) return -1;
                at = off + 14;
                type = u16(b, off + 12);
                // 802.1Q / 802.1ad tags: skip them to the real EtherType.
                while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && at + 4 <= end) {
                    type = u16(b, at + 2);
                    at += 4;
                }
                if (type == 0x8864) { // a PPPoE session: 6 bytes of PPPoE, then the 2-byte PPP protocol
                    if (at + 8 > end) return -1;
                    int ppp = u16(b, at + 6);
                    at += 8;
                    type = ppp == 0x0021 ? 0x0800 : ppp == 0x0057 ? 0x86dd : 0;
                } else if (type == 0x8847 || type == 0x8848) { // MPLS: labels until the bottom of the stack
                    while (at + 4 <= end && (b[at + 2] & 0x01) == 0) at += 4;
                    if (at + 4 > end) return -1;
                    at += 4;
                    int v = at < end ? (b[at] & 0xf0) >>> 4 : 0;
                    type = v == 4 ? 0x0800 : v == 6 ? 0x86dd : 0;
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
            case NFLOG -> {
                // tcpdump.org LINKTYPE_NFLOG: family, version, resource id, then TLVs (length and type in the
                // capturing host's byte order, each padded to 4 bytes); NFULA_PAYLOAD (type 9) is the packet.
                if (len < 4) return -1;
                int fam = b[off] & 0xff;
                at = off + 4;
                type = 0;
                while (at + 4 <= end) {
                    int tl = u16le(b, at), tt = u16le(b, at + 2);
                    if (tl < 4 || at + tl > end) {
                        tl = u16(b, at); // written big-endian
                        tt = u16(b, at + 2);
                        if (tl < 4 || at + tl > end) return -1;
                    }
                    if (tt == 9) {
                        at += 4;
                        type = fam == 2 ? 0x0800 : fam == 10 ? 0x86dd : 0;
                        break;
                    }
                    at += (tl + 3) & ~3;
                }
                if (type == 0) return ((long) OTHER << 32) | at;
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

    /**
     * The VLAN tags of an Ethernet frame, as one number that tells the tags apart: {@code outer << 12 | inner} plus
     * 1 << 24 per tag (0: untagged). Two copies of one connection in two VLANs are two connections (Zeek's
     * vlan_fivetuple).
     */
    public static int vlans(int linkType, byte[] b, int off, int len) {
        if (linkType != ETHERNET || len < 14) return 0;
        int at = off + 14, type = u16(b, off + 12), tags = 0, ids = 0;
        while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && at + 4 <= off + len && tags < 2) {
            ids = ids << 12 | (u16(b, at) & 0x0fff);
            tags++;
            type = u16(b, at + 2);
            at += 4;
        }
        return tags == 0 ? 0 : tags << 24 | ids;
    }

    /** {@code VLAN 42}, {@code QinQ 10/20}, or null for 0. */
    public static String describeVlans(int vlans) {
        int tags = vlans >>> 24;
        if (tags == 0) return null;
        if (tags == 1) return "VLAN " + (vlans & 0xfff);
        return "QinQ " + ((vlans >>> 12) & 0xfff) + "/" + (vlans & 0xfff);
    }

    private static int u16le(byte[] b, int at) {
        return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }
}
