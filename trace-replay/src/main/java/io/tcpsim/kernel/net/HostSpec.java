package io.tcpsim.kernel.net;

import io.tcpsim.wire.SockAddr;

/**
 * One host of the topology: a name (the script's process name, used in thread names and messages), its IPv4
 * address and prefix length.
 */
public record HostSpec(String name, int ip, int prefixLength) {

    public HostSpec {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a host needs a name");
        if (prefixLength < 1 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 1..32, not " + prefixLength);
        }
        int first = ip >>> 24;
        if (first == 0 || first == 127 || first >= 224) {
            throw new IllegalArgumentException(new SockAddr(ip, 0).ipString()
                    + " cannot be a host's address (0/8, 127/8 and 224/3 are not unicast host addresses)");
        }
    }

    /** {@code "10.0.1.1/24"}. */
    public static HostSpec parse(String name, String cidr) {
        int slash = cidr.indexOf('/');
        String ipText = slash < 0 ? cidr : cidr.substring(0, slash);
        Integer ip = SockAddr.parseIp(ipText);
        if (ip == null) throw new IllegalArgumentException("not an IPv4 address: " + ipText);
        int prefix = 24;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a prefix length: " + cidr.substring(slash + 1));
            }
        }
        return new HostSpec(name, ip, prefix);
    }

    public String address() {
        return new SockAddr(ip, 0).ipString();
    }

    /** The network this host's prefix covers, as {@code a.b.c.d/n}. */
    String network() {
        int mask = prefixLength == 32 ? -1 : ~(-1 >>> prefixLength);
        return new SockAddr(ip & mask, 0).ipString() + "/" + prefixLength;
    }

    boolean covers(int other) {
        int mask = prefixLength == 32 ? -1 : ~(-1 >>> prefixLength);
        return (ip & mask) == (other & mask);
    }
}
