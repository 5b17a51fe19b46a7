package io.tcpsim.replay;

import io.tcpsim.model.Profile;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model's profile for a flow, from what its SYN offers: the MSS, and whether timestamps and SACK are on (a host
 * with tcp_timestamps=0 sends no TS option). Profiles are cached: most captures hold one kind of SYN.
 */
final class Profiles {
    static final Profile LINUX6 = Profile.linux6();
    private static final ConcurrentHashMap<Integer, Profile> CACHE = new ConcurrentHashMap<>();

    private Profiles() {}

    static Profile forSyn(Segment syn) {
        int mss = LINUX6.mss();
        boolean ts = false, sack = false;
        for (TcpOption o : syn.options()) {
            if (o instanceof TcpOption.Mss m && m.mss() >= 88 && m.mss() <= 65495) mss = m.mss();
            if (o instanceof TcpOption.Timestamps) ts = true;
            if (o == TcpOption.SACK_PERMITTED) sack = true;
        }
        int key = mss << 2 | (ts ? 2 : 0) | (sack ? 1 : 0);
        boolean t = ts, k = sack;
        int m = mss;
        return CACHE.computeIfAbsent(key, x -> {
            Profile p = LINUX6.with("mss", "" + m);
            if (!t) p = p.with("tcp_timestamps", "0");
            if (!k) p = p.with("tcp_sack", "0");
            return p;
        });
    }
}
