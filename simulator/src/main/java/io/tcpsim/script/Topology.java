package io.tcpsim.script;

import io.tcpsim.wire.SockAddr;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A script's {@code hosts:}, {@code link:} and {@code sysctl:} (docs/scripts.md, "Two hosts on a link"): each
 * process on a host of its own, the two hosts joined by one link.
 *
 * <p>{@code hosts} maps a process name to its host's IPv4 address ({@link SockAddr#parseIp} form), in the script's
 * order; there are exactly two. {@code sysctls} maps {@code net.ipv4.*} names to their value text, in the script's
 * order, set on every host. {@code source} is the {@code hosts} key in the file, for messages about the block;
 * {@code where} locates each host, link key and sysctl (by its name) the same way.
 */
public record Topology(Map<String, Integer> hosts, Link link, Map<String, String> sysctls, SourceText source,
                       Map<String, SourceText> where) {

    /** The default MTU, and the IPv4 minimum and the largest veth takes. */
    public static final int DEFAULT_MTU = 1500, MIN_MTU = 68, MAX_MTU = 65535;

    /**
     * The path between the two hosts: the one-way delay from the first host of {@code hosts} to the second, the
     * delay back, the MTU of every interface, and a seeded random loss.
     */
    public record Link(long delayNanos, long reverseDelayNanos, int mtu, int lossPpm) {
        public static final Link DEFAULT = new Link(0, 0, DEFAULT_MTU);

        /** {@code lossPpm}: the seeded random loss, per million packets entering the link in each direction. */
        public Link {
            if (delayNanos < 0 || reverseDelayNanos < 0) throw new IllegalArgumentException("a delay cannot be negative");
            if (mtu < MIN_MTU || mtu > MAX_MTU) throw new IllegalArgumentException("mtu must be " + MIN_MTU + ".." + MAX_MTU);
            if (lossPpm < 0 || lossPpm > 1_000_000) throw new IllegalArgumentException("loss must be 0% to 100%");
        }

        public Link(long delayNanos, long reverseDelayNanos, int mtu) {
            this(delayNanos, reverseDelayNanos, mtu, 0);
        }

        /** Both directions equal. */
        public boolean symmetric() { return delayNanos == reverseDelayNanos; }
    }

    public Topology {
        hosts = Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        sysctls = Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
        where = Collections.unmodifiableMap(new LinkedHashMap<>(where));
        if (hosts.size() != 2) throw new IllegalArgumentException("a link joins two hosts, got " + hosts.size());
        if (hosts.values().stream().distinct().count() != 2) throw new IllegalArgumentException("two hosts share an address");
    }

    /** The host (process) names in the script's order. */
    public List<String> names() { return List.copyOf(hosts.keySet()); }

    /** The address of a host, as {@code 10.0.1.1}. */
    public String address(String host) {
        Integer ip = hosts.get(host);
        if (ip == null) throw new IllegalArgumentException("no host " + host);
        return new SockAddr(ip, 0).ipString();
    }

    /** The host with this address, or null. */
    public String hostAt(int ip) {
        for (var e : hosts.entrySet()) if (e.getValue() == ip) return e.getKey();
        return null;
    }

    /** The one-way delay from host {@code from} to host {@code to}. */
    public long delayNanos(String from, String to) {
        List<String> n = names();
        if (!n.contains(from) || !n.contains(to) || from.equals(to))
            throw new IllegalArgumentException("no direction " + from + ">" + to);
        return from.equals(n.get(0)) ? link.delayNanos() : link.reverseDelayNanos();
    }

    /** Where the script wrote a host, a link key ({@code link.delay}, {@code link.mtu}) or a sysctl; the block when unknown. */
    public SourceText at(String key) {
        return where.getOrDefault(key, source);
    }
}
