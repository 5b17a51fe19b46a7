package io.tcpsim.model;

import java.util.EnumMap;
import java.util.Map;

/**
 * A host's randomness, one seeded stream per purpose, so that a new draw for one purpose (another connection's
 * timestamp offset, a seeded packet loss on a link) does not reshuffle every port, ISN and timestamp that the other
 * purposes drew. Each stream is {@link Rng} seeded from the run's seed, the host and the purpose; within a stream the
 * draws come in the order the model asks for them.
 */
public final class Randomness {
    /** What a draw is for. The salts are fixed: a stream's numbers never depend on which other purposes exist. */
    public enum Purpose {
        /** net_secret: the key of the ISN hash (secure_tcp_seq), once per host. */
        ISN_SECRET(0x49534e5f53454352L),
        /** The per-connection offset of the TS clock (tcp_ts_offset / secure_tcp_ts_off). */
        TS_OFFSET(0x54535f4f46465345L),
        /** Where the search for an ephemeral port starts (__inet_hash_connect, inet_csk_find_open_port). */
        EPHEMERAL_PORT(0x455048454d504f52L),
        /** A socket's first IP id (inet->inet_id). */
        IP_ID(0x49505f4944454e54L),
        /** Seeded packet loss, duplication and reordering on a link. */
        LINK(0x4c494e4b5f4c4f53L),
        /** The server's TCP Fast Open key when none is set (tcp_fastopen_init_key_once: get_random_bytes). */
        FASTOPEN_KEY(0x54464f5f4b455953L);

        final long salt;

        Purpose(long salt) {
            this.salt = salt;
        }
    }

    private final long seed;
    private final int host;
    private final Map<Purpose, Rng> streams = new EnumMap<>(Purpose.class);

    /** The randomness of host number {@code host} (0 for the only host on loopback) in a run with this seed. */
    public Randomness(long seed, int host) {
        this.seed = seed;
        this.host = host;
    }

    /** The stream for one purpose, made on first use. */
    public Rng stream(Purpose purpose) {
        return streams.computeIfAbsent(purpose, p -> new Rng(mix(seed ^ p.salt) + host * 0x9E3779B97F4A7C15L));
    }

    /** SplitMix64's finaliser: neighbouring seeds and salts give unrelated starting states. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
