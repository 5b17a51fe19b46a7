package io.tcpsim.replay;

import io.tcpsim.model.Profile;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model's profile for a flow, from what its handshake shows: the MSS, whether timestamps and SACK are on (a host
 * with tcp_timestamps=0 sends no TS option), the window scale, the SYN's initial window, and the host's SYN
 * retransmission schedule when the capture showed it ({@link CaptureFacts}). Each is set with the profile key of
 * the sysctl or route attribute that produces it on Linux, measured on this kernel where one does:
 * <ul>
 *   <li>wscale 7 is what tcp_rmem[2] = 6291456 (the default before it became 32 MiB) gives: measured,
 *       traces/captures/foreign/sysctl-tcp-rmem-6291456-6.18.44.pcap (SYN wscale 7, the third ACK win 512, as in
 *       zeek-echo-connections). Higher scales need a larger tcp_rmem[2]; lower ones also a smaller net.core.rmem_max,
 *       which a network namespace cannot set on this kernel (EINVAL), so those are the model's rule only
 *       (tcp_select_initial_window: ilog2(max(tcp_rmem[2], rmem_max)) - 15);</li>
 *   <li>a SYN window of k segments below 65535 (29200 = 20 x 1460, 14600 = 10 x 1460) is the route's initrwnd:
 *       measured, docs/raw/foreign/route-initrwnd-20-advmss-1460-6.18.44.pcap;</li>
 *   <li>SYNs retransmitted at +1 s and +3 s are tcp_syn_linear_timeouts = 0, the schedule of kernels before the
 *       sysctl: measured, traces/captures/foreign/sysctl-syn-linear-timeouts-0-6.18.44.pcap;</li>
 *   <li>quick ACKs of three requests before the first reply carries its ACK are tcp_pingpong_thresh = 3, as kernels
 *       5.1 to 6.1 had: measured, traces/captures/foreign/sysctl-pingpong-thresh-3-6.18.44.pcap.</li>
 * </ul>
 * Profiles are cached: most captures hold one kind of handshake.
 */
final class Profiles {
    static final Profile LINUX6 = Profile.linux6();
    private static final ConcurrentHashMap<List<String>, Profile> CACHE = new ConcurrentHashMap<>();

    private Profiles() {}

    /**
     * A profile and the keys that differ from the reference machine's, as {@code key value (why)}, for a note; and
     * {@code olderKernel}: why the handshake shows a kernel whose receive-window accounting is not this one's (null
     * when it shows none). Kernels before 6.6 sized the window with tcp_adv_win_scale (half the buffer) and other
     * truesizes, not the scaling ratio of this kernel and the model; no sysctl brings that back.
     */
    record Chosen(Profile profile, List<String> keys, String olderKernel) {
        Chosen(Profile profile, List<String> keys) {
            this(profile, keys, null);
        }
    }

    /** What one side's SYN or SYN-ACK says about its host. */
    record SynFacts(int mss, int wscale, boolean ts, boolean sack, int window) {
        static SynFacts of(Segment syn) {
            int mss = -1, ws = -1;
            boolean ts = SideSystem.blankedTs(syn), sack = false;
            for (TcpOption o : syn.options()) {
                if (o instanceof TcpOption.Mss m) mss = m.mss();
                else if (o instanceof TcpOption.WindowScale w) ws = Math.min(w.shift(), 14);
                else if (o instanceof TcpOption.Timestamps) ts = true;
                else if (o == TcpOption.SACK_PERMITTED) sack = true;
            }
            return new SynFacts(mss, ws, ts, sack, syn.window());
        }

        /** The initrwnd (segments) that gives this SYN window, or 0 when the window is the default one. */
        int initRwnd(boolean passive) {
            int seg = mss - (passive && ts ? 12 : 0);
            if (seg <= 0) return 0;
            long dflt = 65535 - 65535 % seg;
            if (window >= dflt || window % seg != 0) return 0;
            return window / seg;
        }
    }

    /**
     * The profile for a flow whose handshake shows {@code client}'s SYN and, when the capture has it, {@code server}'s
     * SYN-ACK (else null); {@code synLinearTimeouts} is the client host's schedule, or -1 when unknown. For a flow
     * whose server alone is judged, {@code client} is the server's SYN-ACK ({@code passive}) and {@code server} the
     * client's SYN.
     */
    /** ip6_default_advmss on lo (MTU 65536 − 60), the model's IPv6 MSS there. */
    static final int IPV6_LOOPBACK_MSS = 65476;

    static Chosen forHandshake(SynFacts client, SynFacts server, int synLinearTimeouts, CaptureFacts.Pingpong pingpong,
                               boolean passive, int hz) {
        return forHandshake(client, server, synLinearTimeouts, pingpong, passive, hz, false);
    }

    /**
     * As above; {@code ipv6Loopback}: the flow runs on the model's IPv6 on ::1, whose own MSS is 65476
     * (TcpStack.advmss), so that MSS is no setting of the capture's.
     */
    static Chosen forHandshake(SynFacts client, SynFacts server, int synLinearTimeouts, CaptureFacts.Pingpong pingpong,
                               boolean passive, int hz, boolean ipv6Loopback) {
        List<String> keys = new ArrayList<>(4);
        int mss = client.mss >= 88 && client.mss <= 65495 ? client.mss : LINUX6.mss();
        if (mss != LINUX6.mss() && !(ipv6Loopback && mss == IPV6_LOOPBACK_MSS)) keys.add("mss " + mss);
        if (!client.ts) keys.add("tcp_timestamps 0");
        if (!client.sack) keys.add("tcp_sack 0");
        int ws = client.wscale;
        if (ws >= 0 && ws != LINUX6.windowScale()) {
            long space = 3L << (ws + 14); // the middle of [2^(ws+15), 2^(ws+16)): 6291456 for 7
            if (ws < 7) keys.add("rmem_max " + space);
            keys.add("tcp_rmem_max " + space + " (wscale " + ws + ")");
        }
        int irw = client.initRwnd(passive);
        if (irw > 0) keys.add("initrwnd " + irw + " (" + (passive ? "SYN-ACK" : "SYN") + " win " + client.window + ")");
        String older = null;
        if (irw == 10 || irw == 20) {
            older = "a kernel before 4.19: its " + (passive ? "SYN-ACK" : "SYN") + " window is " + irw + " segments "
                    + "(the default initial window then; since 4.19 it is 64 KiB)";
        }
        if (synLinearTimeouts >= 0 && synLinearTimeouts != LINUX6.synLinearTimeouts()) {
            keys.add("tcp_syn_linear_timeouts " + synLinearTimeouts + " (SYN retransmissions 1 s, 2 s apart)");
        }
        if (hz > 0 && hz != LINUX6.hz()) keys.add("hz " + hz + " (the timer wheel's rounding of the capture's SYN "
                + "retransmissions)");
        if (pingpong != null) {
            keys.add("tcp_pingpong_thresh " + pingpong.thresh() + " (" + pingpong.thresh() + " quick ACKs before replies)");
            if (pingpong.firstReplyOnly()) {
                keys.add("pingpong_first_reply_only 1 (kernels 5.1-6.1)");
                if (older == null) older = "a kernel from 5.1 to 5.19: its replies count towards pingpong mode "
                        + "only when sent in a later jiffy (commit 4a41f453bedf, reverted in 5.19)";
            }
        }
        List<String> cacheKey = List.copyOf(keys);
        Profile p = CACHE.computeIfAbsent(cacheKey, k -> {
            Profile q = LINUX6;
            for (String key : k) {
                String[] kv = key.split(" ");
                q = q.with(kv[0], kv[1]);
            }
            return q;
        });
        return new Chosen(p, keys, older);
    }
}
