package io.tcpsim.nio;

import io.tcpsim.backend.Inspectable.EndpointSnapshot;
import io.tcpsim.wire.SockAddr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * Socket addresses between the JDK and the model. The model is one IPv4 host: 127.0.0.0/8 and the wildcard. The JDK
 * opens dual-stack IPv6 sockets, but what crosses lo for an IPv4 peer is IPv4 either way, so the wire is the same.
 *
 * <p>The model has no getsockname yet: a descriptor's addresses come from its endpoint (Model.endpoints(), whose
 * owner is "java:FD").
 */
final class Addresses {
    private Addresses() {}

    /** Checks a target as Net.checkAddress does; {@code forBind} allows null (the wildcard, port 0). */
    static SockAddr toModel(SocketAddress sa, boolean forBind) {
        if (sa == null) {
            if (forBind) return SockAddr.ANY;
            throw new NullPointerException();
        }
        if (!(sa instanceof InetSocketAddress isa)) throw new UnsupportedAddressTypeException();
        if (isa.isUnresolved()) throw new UnresolvedAddressException();
        InetAddress ia = isa.getAddress();
        if (!(ia instanceof Inet4Address)) {
            throw new UnsupportedOperationException("IPv6 addresses not modelled yet: " + ia.getHostAddress());
        }
        byte[] b = ia.getAddress();
        int ip = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        // connect to the wildcard goes to the local host (SocketChannelImpl: anyLocal -> loopback on Linux)
        if (ip == 0 && !forBind) ip = SockAddr.LOOPBACK;
        return new SockAddr(ip, isa.getPort());
    }

    static InetSocketAddress toJava(SockAddr a) {
        try {
            int ip = a.ip();
            byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
            return new InetSocketAddress(InetAddress.getByAddress(b), a.port());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    private static EndpointSnapshot endpoint(Kernel k, int fd) {
        String owner = Kernel.PROCESS + ":" + fd;
        return k.inspect(m -> {
            for (EndpointSnapshot e : m.endpoints()) if (e.owner().equals(owner)) return e;
            return null;
        });
    }

    /** The descriptor's local address, or null when it has none. */
    static InetSocketAddress local(Kernel k, int fd) {
        EndpointSnapshot e = endpoint(k, fd);
        SockAddr a = e == null ? null : SockAddr.parse(e.local());
        return a == null ? null : toJava(a);
    }

    static InetSocketAddress remote(Kernel k, int fd) {
        EndpointSnapshot e = endpoint(k, fd);
        SockAddr a = e == null ? null : SockAddr.parse(e.remote());
        return a == null || a.port() == 0 ? null : toJava(a);
    }
}
