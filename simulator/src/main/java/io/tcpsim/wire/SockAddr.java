package io.tcpsim.wire;

/**
 * An IPv4 or IPv6 address and port.
 *
 * <p>IPv4: {@code ip} holds the address in network order as an unsigned 32-bit value and {@code ip6} is null; that
 * is the fast path, and every IPv4 address prints as it always has.
 *
 * <p>IPv6: {@code ip6} holds the 128 bits, and {@code ip} a 32-bit fold of them ({@link Ip6#fold}) so that code keyed
 * by {@code ip} keeps two addresses apart; it is 0 only for {@code ::}, the wildcard, like IPv4's 0.0.0.0. Code that
 * decides by address (a route, a listener, a bind conflict) asks {@link #isV6()}, {@link #isAny()}, {@link
 * #isLoopback()} and {@link #sameIp}.
 */
public record SockAddr(int ip, int port, Ip6 ip6) {
    public static final int LOOPBACK = 0x7f000001;
    public static final SockAddr ANY = new SockAddr(0, 0);
    /** {@code [::]:0}. */
    public static final SockAddr ANY6 = new SockAddr(0, 0, Ip6.ANY);

    /** 128 bits of an IPv6 address, in network order: {@code hi} the first eight bytes, {@code lo} the last eight. */
    public record Ip6(long hi, long lo) {
        public static final Ip6 ANY = new Ip6(0, 0);
        public static final Ip6 LOOPBACK = new Ip6(0, 1);

        /** {@code ::ffff:a.b.c.d} (RFC 4291 section 2.5.5.2). */
        public static Ip6 v4Mapped(int ip) {
            return new Ip6(0, 0xffff00000000L | (ip & 0xffffffffL));
        }

        public boolean isV4Mapped() {
            return hi == 0 && (lo >>> 32) == 0xffff;
        }

        int fold() {
            long x = hi ^ lo;
            return (int) (x ^ (x >>> 32));
        }

        public int word(int i) {
            long half = i < 4 ? hi : lo;
            return (int) (half >>> (48 - 16 * (i % 4))) & 0xffff;
        }

        /** The 16 bytes in network order. */
        public byte[] bytes() {
            byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
            return b;
        }

        public static Ip6 of(byte[] b, int at) {
            long hi = 0, lo = 0;
            for (int i = 0; i < 8; i++) {
                hi = hi << 8 | (b[at + i] & 0xff);
                lo = lo << 8 | (b[at + 8 + i] & 0xff);
            }
            return new Ip6(hi, lo);
        }

        /** The 16-bit words of {@code a:b:c} (a dotted IPv4 address may end it, when {@code last}); null if bad. */
        private static int[] words(String part, boolean last) {
            if (part.isEmpty()) return new int[0];
            String[] ws = part.split(":", -1);
            int[] out = new int[ws.length + 1];
            int n = 0;
            for (int k = 0; k < ws.length; k++) {
                String w = ws[k];
                if (last && k == ws.length - 1 && w.indexOf('.') >= 0) {
                    Integer v4 = parseIp(w);
                    if (v4 == null) return null;
                    out[n++] = v4 >>> 16;
                    out[n++] = v4 & 0xffff;
                    continue;
                }
                if (w.isEmpty() || w.length() > 4) return null;
                for (int c = 0; c < w.length(); c++) if (Character.digit(w.charAt(c), 16) < 0) return null;
                out[n++] = Integer.parseInt(w, 16);
            }
            return java.util.Arrays.copyOf(out, n);
        }

        /**
         * As inet_ntop and tcpdump's addrtostr6 write it: lower-case hex without leading zeros, the longest run of
         * two or more zero words (the first of equal runs) as {@code ::}, and {@code ::ffff:a.b.c.d} for a v4-mapped
         * address.
         */
        @Override
        public String toString() {
            if (hi == 0 && lo == 1) return "::1";
            if (hi == 0 && lo == 0) return "::";
            int bestAt = -1, bestLen = 1;
            for (int i = 0; i < 8; ) {
                if (word(i) != 0) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < 8 && word(j) == 0) j++;
                if (j - i > bestLen) {
                    bestAt = i;
                    bestLen = j - i;
                }
                i = j;
            }
            StringBuilder s = new StringBuilder(40);
            for (int i = 0; i < 8; i++) {
                if (i == bestAt) {
                    s.append(':');
                    if (i == 0) s.append(':');
                    i += bestLen - 1;
                    if (i == 7) break;
                    continue;
                }
                if (i == 6 && bestAt == 0 && (bestLen == 6 || bestLen == 5 && word(5) == 0xffff)) {
                    int v4 = (int) lo;
                    s.append(v4String(v4));
                    break;
                }
                s.append(Integer.toHexString(word(i)));
                if (i < 7) s.append(':');
            }
            return s.toString();
        }

        /** Parses the text between the brackets of {@code [ADDR]}; null when it is not an IPv6 address. */
        public static Ip6 parse(String text) {
            if (text.isEmpty() || text.length() > 45) return null;
            int gap = text.indexOf("::");
            if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) return null;
            int[] head = words(gap < 0 ? text : text.substring(0, gap), gap < 0);
            int[] tail = gap < 0 ? new int[0] : words(text.substring(gap + 2), true);
            if (head == null || tail == null) return null;
            int n = head.length + tail.length;
            if (gap < 0 ? n != 8 : n > 7) return null;
            int[] full = new int[8];
            System.arraycopy(head, 0, full, 0, head.length);
            System.arraycopy(tail, 0, full, 8 - tail.length, tail.length);
            long hi = 0, lo = 0;
            for (int i = 0; i < 4; i++) {
                hi = hi << 16 | full[i];
                lo = lo << 16 | full[4 + i];
            }
            return new Ip6(hi, lo);
        }
    }

    public SockAddr {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    /** An IPv4 address. */
    public SockAddr(int ip, int port) {
        this(ip, port, null);
    }

    /** An IPv6 address. */
    public SockAddr(Ip6 ip6, int port) {
        this(ip6.fold(), port, ip6);
    }

    public static SockAddr loopback(int port) {
        return new SockAddr(LOOPBACK, port);
    }

    public static SockAddr loopback6(int port) {
        return new SockAddr(Ip6.LOOPBACK, port);
    }

    public boolean isV6() {
        return ip6 != null;
    }

    /** 0.0.0.0 or {@code ::}. */
    public boolean isAny() {
        return ip6 == null ? ip == 0 : ip6.hi == 0 && ip6.lo == 0;
    }

    /** 127.0.0.0/8 or {@code ::1}. */
    public boolean isLoopback() {
        return ip6 == null ? (ip >>> 24) == 127 : ip6.equals(Ip6.LOOPBACK);
    }

    /** The same family and address, whatever the ports. */
    public boolean sameIp(SockAddr o) {
        return ip == o.ip && java.util.Objects.equals(ip6, o.ip6);
    }

    /** This address with another port. */
    public SockAddr withPort(int p) {
        return new SockAddr(ip, p, ip6);
    }

    /**
     * Parses {@code A.B.C.D:PORT} or {@code [IPV6]:PORT}; returns null when the text is not of either form.
     */
    public static SockAddr parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) return null;
        String p = text.substring(colon + 1);
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit)) return null;
        int port = Integer.parseInt(p);
        if (port > 65535) return null;
        String host = text.substring(0, colon);
        if (host.startsWith("[")) {
            if (!host.endsWith("]")) return null;
            Ip6 a = Ip6.parse(host.substring(1, host.length() - 1));
            return a == null ? null : new SockAddr(a, port);
        }
        Integer ip = parseIp(host);
        if (ip == null) return null;
        return new SockAddr(ip, port);
    }

    public static Integer parseIp(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) return null;
        int ip = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) return null;
            int b = Integer.parseInt(part);
            if (b > 255) return null;
            ip = (ip << 8) | b;
        }
        return ip;
    }

    static String v4String(int ip) {
        if (ip == LOOPBACK) return "127.0.0.1"; // the common case, without four concatenations per packet line
        return appendV4(new StringBuilder(15), ip).toString();
    }

    /**
     * Appends the address: dotted IPv4, or IPv6 as inet_ntop writes it. Written out with a StringBuilder rather than
     * {@code +}: replay names every flow's endpoints, and the concatenations' method handles were a few per cent of a
     * large replay (docs/benchmarks.md).
     */
    public StringBuilder appendIp(StringBuilder b) {
        if (ip6 != null) return b.append(ip6);
        if (ip == LOOPBACK) return b.append("127.0.0.1");
        return appendV4(b, ip);
    }

    private static StringBuilder appendV4(StringBuilder b, int ip) {
        return b.append((ip >>> 24) & 0xff).append('.').append((ip >>> 16) & 0xff).append('.').append((ip >>> 8) & 0xff)
                .append('.').append(ip & 0xff);
    }

    /** {@code 127.0.0.1}, {@code ::1}. */
    public String ipString() {
        return ip6 == null ? v4String(ip) : ip6.toString();
    }

    /** {@code 127.0.0.1:4321} or {@code [::1]:4321}, as scripts write it (and ss). */
    @Override
    public String toString() {
        if (ip6 != null) return "[" + ip6 + "]:" + port;
        return appendIp(new StringBuilder(21)).append(':').append(port).toString();
    }

    /** {@code 127.0.0.1:4321} or {@code ::1:4321}, as netstat writes it (without brackets). */
    public String netstatString() {
        return appendIp(new StringBuilder(21)).append(':').append(port).toString();
    }

    /** {@code 127.0.0.1.4321} or {@code ::1.4321}, as tcpdump -nn writes it. */
    public String tcpdumpString() {
        return appendIp(new StringBuilder(21)).append('.').append(port).toString();
    }
}
