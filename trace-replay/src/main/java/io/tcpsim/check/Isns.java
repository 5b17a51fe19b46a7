package io.tcpsim.check;

import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.Packet;
import java.util.HashMap;
import java.util.Map;

/**
 * Each side's initial sequence number per connection (4-tuple), from its SYN, fed in packet order. A later SYN on
 * the same 4-tuple (a new connection reusing it) replaces it. A number from a side whose SYN was never seen (an RST
 * from a port nobody listens on carries seq 0) stays absolute.
 */
final class Isns {
    private record Way(SockAddr from, SockAddr to) {}

    private final Map<Way, Long> isn = new HashMap<>();

    void see(Packet p) {
        var s = p.segment();
        if (s.has(TcpFlags.SYN)) isn.put(new Way(s.src(), s.dst()), s.seq());
    }

    /** {@code number} in the sequence space of {@code owner} (talking to {@code peer}), relative to its ISN. */
    String relative(SockAddr owner, SockAddr peer, long number) {
        Long base = isn.get(new Way(owner, peer));
        return base == null ? Long.toString(number) : Long.toString((number - base) & 0xffffffffL);
    }
}
