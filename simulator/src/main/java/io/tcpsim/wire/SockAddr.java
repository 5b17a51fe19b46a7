package io.tcpsim.wire;

/**
 * An IPv4 address and port. {@code ip} holds the address in network order as an unsigned 32-bit value.
 */
public record SockAddr(int ip, int port) {
    public static final int LOOPBACK = 0x7f000001;
    public static final SockAddr ANY = new SockAddr(0, 0);

    public SockAddr {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    public static SockAddr loopback(int port) {
        return new SockAddr(LOOPBACK, port);
    }

    /** Parses {@code A.B.C.D:PORT}; returns null when the text is not of that form. */
    public static SockAddr parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) return null;
        Integer ip = parseIp(text.substring(0, colon));
        if (ip == null) return null;
        String p = text.substring(colon + 1);
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit)) return null;
        int port = Integer.parseInt(p);
        if (port > 65535) return null;
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

    public String ipString() {
        if (ip == LOOPBACK) return "127.0.0.1"; // the common case, without four concatenations per packet line
        return appendIp(new StringBuilder(15)).toString();
    }

    /**
     * Appends the dotted address. Written out with a StringBuilder rather than {@code +}: replay names every flow's
     * endpoints, and the concatenations' method handles were a few per cent of a large replay (docs/benchmarks.md).
     */
    public StringBuilder appendIp(StringBuilder b) {
        return b.append((ip >>> 24) & 0xff).append('.').append((ip >>> 16) & 0xff).append('.').append((ip >>> 8) & 0xff)
                .append('.').append(ip & 0xff);
    }

    /** {@code 127.0.0.1:4321}, as scripts and netstat write it. */
    @Override
    public String toString() {
        return appendIp(new StringBuilder(21)).append(':').append(port).toString();
    }

    /** {@code 127.0.0.1.4321}, as tcpdump -nn writes it. */
    public String tcpdumpString() {
        return appendIp(new StringBuilder(21)).append('.').append(port).toString();
    }
}
