package io.tcpsim.kernel.net;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@link Network#open} builds: two hosts, the link between them, the MTU of every interface, and the
 * {@code net.ipv4.*} sysctls written in both hosts (in this order, after the topology is up).
 */
public record NetSpec(HostSpec a, HostSpec b, int mtu, LinkSpec link, Map<String, String> sysctls) {

    public static final int DEFAULT_MTU = 1500;
    /** IPv4's minimum (RFC 791: every host takes 68-byte datagrams) and the largest MTU veth accepts. */
    public static final int MIN_MTU = 68, MAX_MTU = 65535;
    private static final Pattern SYSCTL = Pattern.compile("net\\.ipv4\\.[a-z0-9_]+(\\.[A-Za-z0-9_-]+)*");
    private static final Pattern VALUE = Pattern.compile("[-0-9A-Za-z_ \\t]{1,200}");

    public NetSpec {
        if (a == null || b == null) throw new IllegalArgumentException("two hosts are needed");
        if (a.name().equals(b.name())) throw new IllegalArgumentException("the hosts need different names");
        if (a.ip() == b.ip()) throw new IllegalArgumentException("the hosts need different addresses");
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("mtu must be " + MIN_MTU + ".." + MAX_MTU + ", not " + mtu);
        }
        if (link == null) link = LinkSpec.IDEAL;
        sysctls = Collections.unmodifiableMap(new LinkedHashMap<>(sysctls == null ? Map.of() : sysctls));
        for (var e : sysctls.entrySet()) {
            if (!SYSCTL.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("sysctl " + e.getKey() + ": only net.ipv4.* settings are set per host");
            }
            if (!VALUE.matcher(e.getValue()).matches()) {
                throw new IllegalArgumentException("sysctl " + e.getKey() + ": value \"" + e.getValue()
                        + "\" is not numbers or words");
            }
        }
    }

    /** Two hosts on one /24 with MTU 1500, an ideal link and no sysctls. */
    public static NetSpec of(HostSpec a, HostSpec b) {
        return new NetSpec(a, b, DEFAULT_MTU, LinkSpec.IDEAL, Map.of());
    }

    public NetSpec withLink(LinkSpec l) {
        return new NetSpec(a, b, mtu, l, sysctls);
    }

    public NetSpec withMtu(int m) {
        return new NetSpec(a, b, m, link, sysctls);
    }

    public NetSpec withSysctls(Map<String, String> s) {
        return new NetSpec(a, b, mtu, link, s);
    }
}
