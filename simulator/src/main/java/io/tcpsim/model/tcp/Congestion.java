package io.tcpsim.model.tcp;

/**
 * The congestion window of a sender on a host with a link: the initial window (TCP_INIT_CWND, 10), slow start
 * (tcp_slow_start, with tcp_is_cwnd_limited and tcp_cwnd_validate), CUBIC (tcp_cubic.c: bictcp_update,
 * bictcp_recalc_ssthresh, cubictcp_acked with HyStart, both its ACK-train and its delay detection, on by default in
 * 6.18) and the pacing rate that sizes what one transmission carries (tcp_update_pacing_rate, tcp_tso_autosize).
 * The kernel backend pins cubic on every route (NetworkBackend), since this machine's default is bbr.
 * Loopback keeps none of this: its output stays as it was. docs/model.md, "Two hosts on a link"; measured in
 * kernel-measurements.md sections 31 and 32.
 */
final class Congestion {
    /** TCP_INIT_CWND. */
    static final int INIT_CWND = 10;
    /** TCP_INFINITE_SSTHRESH. */
    static final int INFINITE_SSTHRESH = 0x7fffffff;
    // tcp_cubic.c's module parameters, at their defaults
    private static final int BETA = 717, BETA_SCALE = 1024, BIC_SCALE = 41, CUBIC_HZ = 10;
    private static final int HYSTART_LOW_WINDOW = 16, HYSTART_ACK_DELTA_US = 2000, HYSTART_MIN_SAMPLES = 8;
    private static final long HYSTART_DELAY_MIN_US = 4000, HYSTART_DELAY_MAX_US = 16000;
    /** beta_scale: 8 (1024 + 717) / 3 / (1024 - 717), the Reno-friendly region's slope. */
    private static final int FRIENDLY_SCALE = 8 * (BETA_SCALE + BETA) / 3 / (BETA_SCALE - BETA);
    /** cube_rtt_scale = bic_scale x 10; cube_factor = 2^(10 + 3 x 10) / cube_rtt_scale. */
    private static final long CUBE_RTT_SCALE = BIC_SCALE * 10L;
    private static final long CUBE_FACTOR = (1L << (10 + 3 * CUBIC_HZ)) / CUBE_RTT_SCALE;
    /** sk_gso_max_size of a veth (GSO_LEGACY_MAX_SIZE) and sk_pacing_shift: what tcp_tso_autosize works with. */
    private static final long GSO_MAX_SIZE = 65536;
    private static final int PACING_SHIFT = 10;
    /** sysctl tcp_pacing_ss_ratio and tcp_pacing_ca_ratio (percent), tcp_min_tso_segs. */
    private static final int PACING_SS_RATIO = 200, PACING_CA_RATIO = 120, MIN_TSO_SEGS = 2;

    /** icsk_ca_state. */
    enum CaState { OPEN, DISORDER, CWR, RECOVERY, LOSS }

    /** The sender's congestion state (struct tcp_sock's cwnd fields and struct bictcp). */
    static final class State {
        int cwnd = INIT_CWND;
        int ssthresh = INFINITE_SSTHRESH;
        int cwndCnt;
        CaState caState = CaState.OPEN;
        // tcp_cwnd_validate
        int maxPacketsOut;
        long cwndUsageSeq;
        boolean isCwndLimited;
        /** sk_pacing_rate, bytes per second. */
        long pacingRate;
        /** Where the GSO skb being sent ends (TcpOutput.write); -1 before the first. */
        long skbEnd = -1;
        // struct bictcp
        int cnt, lastMaxCwnd, lastCwnd, originPoint, tcpCwnd;
        long lastTimeJ, epochStartJ = -1, bicK, ackCnt;
        long delayMinUs;
        boolean found;
        long roundStartUs, endSeq, lastAckUs, currRttUs;
        int sampleCnt;
        // the SACK scoreboard's counts (Recovery): packets SACKed, marked lost, retransmitted and not yet ACKed
        int sackedOut, lostOut, retransOut;
        // loss recovery: high_seq, prior_cwnd, PRR's counts (tcp_cwnd_reduction)
        long highSeq;
        int priorCwnd, prrDelivered, prrOut;
        // RACK (tcp_recovery.c): the most recently sent packet delivered, its RTT; the least RTT (tcp_min_rtt)
        long rackXmitNs = -1, rackEndSeq;
        long rackRttUs;
        boolean rackAdvanced;
        long minRttUs = Long.MAX_VALUE;
        // tcp_enter_loss: F-RTO (tcp_frto 2) under way; the ssthresh before the loss, for an undo
        boolean frto;
        int priorSsthresh;
    }

    private final TcpStack stack;

    Congestion(TcpStack stack) {
        this.stack = stack;
    }

    private long nowUs() {
        return stack.now() / 1000;
    }

    /** cubictcp_init: bictcp_reset and bictcp_hystart_reset. */
    void init(TcpSock sk) {
        State c = sk.cc;
        hystartReset(sk);
        c.epochStartJ = -1;
    }

    private void hystartReset(TcpSock sk) {
        State c = sk.cc;
        c.roundStartUs = c.lastAckUs = nowUs();
        c.endSeq = sk.sndNxt;
        c.currRttUs = Long.MAX_VALUE;
        c.sampleCnt = 0;
    }

    static boolean inSlowStart(State c) {
        return c.cwnd < c.ssthresh;
    }

    /** tcp_is_cwnd_limited: cwnd-limited this window, or in slow start with cwnd below twice what was out. */
    static boolean isCwndLimited(State c) {
        if (c.isCwndLimited) return true;
        if (inSlowStart(c)) return c.cwnd < 2 * c.maxPacketsOut;
        return false;
    }

    /** tcp_cwnd_validate, at the end of tcp_write_xmit: what this window used of cwnd. */
    void validate(TcpSock sk, boolean cwndLimited, int packetsOut) {
        State c = sk.cc;
        if (!Seq.before(sk.sndUna, c.cwndUsageSeq) || cwndLimited || (!c.isCwndLimited && packetsOut > c.maxPacketsOut)) {
            c.isCwndLimited = cwndLimited;
            c.maxPacketsOut = packetsOut;
            c.cwndUsageSeq = sk.sndNxt;
        }
    }

    /**
     * cubictcp_cong_avoid for {@code acked} packets newly delivered: nothing unless cwnd-limited; slow start up to
     * ssthresh (tcp_slow_start), then the cubic curve (bictcp_update, tcp_cong_avoid_ai).
     */
    void congAvoid(TcpSock sk, int acked) {
        State c = sk.cc;
        if (!isCwndLimited(c)) return;
        if (inSlowStart(c)) {
            int cwnd = Math.min(c.cwnd + acked, c.ssthresh);
            acked -= cwnd - c.cwnd;
            c.cwnd = cwnd;
            if (acked <= 0) return;
        }
        update(sk, acked);
        avoidAi(c, c.cnt, acked);
    }

    /** tcp_cong_avoid_ai: one packet more per {@code w} packets delivered. */
    private static void avoidAi(State c, int w, int acked) {
        if (c.cwndCnt >= w) {
            c.cwndCnt = 0;
            c.cwnd++;
        }
        c.cwndCnt += acked;
        if (c.cwndCnt >= w) {
            int delta = c.cwndCnt / w;
            c.cwndCnt -= delta * w;
            c.cwnd += delta;
        }
    }

    /** bictcp_update: cnt from the cubic function of the time since the epoch began, and the Reno-friendly bound. */
    private void update(TcpSock sk, int acked) {
        State c = sk.cc;
        long now = stack.jiffies();
        int hz = stack.profile.hz();
        c.ackCnt += acked;
        if (c.lastCwnd == c.cwnd && now - c.lastTimeJ <= hz / 32) return;
        if (!(c.epochStartJ >= 0 && now == c.lastTimeJ)) {
            c.lastCwnd = c.cwnd;
            c.lastTimeJ = now;
            if (c.epochStartJ < 0) {
                c.epochStartJ = now;
                c.ackCnt = acked;
                c.tcpCwnd = c.cwnd;
                if (c.lastMaxCwnd <= c.cwnd) {
                    c.bicK = 0;
                    c.originPoint = c.cwnd;
                } else {
                    c.bicK = cubeRoot(CUBE_FACTOR * (c.lastMaxCwnd - c.cwnd));
                    c.originPoint = c.lastMaxCwnd;
                }
            }
            long t = now - c.epochStartJ + usToJiffies(c.delayMinUs);
            t = (t << CUBIC_HZ) / hz; // in 1/1024 s
            long offs = t < c.bicK ? c.bicK - t : t - c.bicK;
            long delta = (CUBE_RTT_SCALE * offs * offs * offs) >> (10 + 3 * CUBIC_HZ);
            long target = t < c.bicK ? c.originPoint - delta : c.originPoint + delta;
            c.cnt = target > c.cwnd ? (int) (c.cwnd / (target - c.cwnd)) : 100 * c.cwnd;
            if (c.lastMaxCwnd == 0 && c.cnt > 20) c.cnt = 20; // 5% per RTT while the bandwidth is unknown
        }
        // TCP friendliness: as fast as Reno would be at least.
        long d = ((long) c.cwnd * FRIENDLY_SCALE) >> 3;
        while (d > 0 && c.ackCnt > d) {
            c.ackCnt -= d;
            c.tcpCwnd++;
        }
        if (c.tcpCwnd > c.cwnd) {
            int maxCnt = c.cwnd / (c.tcpCwnd - c.cwnd);
            if (c.cnt > maxCnt) c.cnt = maxCnt;
        }
        c.cnt = Math.max(c.cnt, 2);
    }

    private long usToJiffies(long us) {
        long j = 1_000_000L / stack.profile.hz();
        return (us + j - 1) / j;
    }

    /** The integer cube root, rounded down (tcp_cubic.c's cubic_root approximates it to 0.2 %). */
    static long cubeRoot(long a) {
        long x = Math.round(Math.cbrt((double) a));
        while (x > 0 && x * x * x > a) x--;
        while ((x + 1) * (x + 1) * (x + 1) <= a) x++;
        return x;
    }

    /**
     * bictcp_recalc_ssthresh, on loss: the epoch ends, Wmax is remembered (lowered further by fast convergence when
     * it had not been reached), and ssthresh is cwnd x 0.7 (717/1024), at least 2. Measured (section 31): cwnd 10
     * gives ssthresh 7.
     */
    int ssthresh(TcpSock sk) {
        State c = sk.cc;
        c.epochStartJ = -1;
        if (c.cwnd < c.lastMaxCwnd) c.lastMaxCwnd = c.cwnd * (BETA_SCALE + BETA) / (2 * BETA_SCALE);
        else c.lastMaxCwnd = c.cwnd;
        return Math.max(c.cwnd * BETA / BETA_SCALE, 2);
    }

    /** tcp_current_ssthresh: in a reduction the ssthresh, else at least 3/4 of cwnd. */
    static int currentSsthresh(State c) {
        if (c.caState == CaState.CWR || c.caState == CaState.RECOVERY) return c.ssthresh;
        return Math.max(c.ssthresh, (c.cwnd >> 1) + (c.cwnd >> 2));
    }

    /**
     * cubictcp_acked with an RTT sample: delay_min, and HyStart while in slow start above 16 packets: the ACK
     * train (ACKs no more than 2 ms apart spanning more than delay_min / 2, or with pacing delay_min plus the ACK
     * delay) or the delay (the least RTT of 8 samples more than delay_min + clamp(delay_min / 8, 4, 16 ms)) ends
     * slow start: ssthresh = cwnd.
     */
    void acked(TcpSock sk, long rttUs) {
        State c = sk.cc;
        if (rttUs < 0) return;
        if (c.epochStartJ >= 0 && stack.jiffies() - c.epochStartJ < stack.profile.hz()) return;
        long delay = Math.max(rttUs, 1);
        if (c.delayMinUs == 0 || c.delayMinUs > delay) c.delayMinUs = delay;
        if (c.found || !inSlowStart(c)) return;
        if (Seq.after(sk.sndUna, c.endSeq)) hystartReset(sk);
        if (c.cwnd < HYSTART_LOW_WINDOW) return;
        long now = nowUs();
        if (now - c.lastAckUs <= HYSTART_ACK_DELTA_US) {
            c.lastAckUs = now;
            long threshold = (c.delayMinUs + ackDelayUs(c)) >> 1; // no pacing: half
            if (now - c.roundStartUs > threshold) {
                c.found = true;
                c.ssthresh = c.cwnd;
            }
        }
        if (c.currRttUs > delay) c.currRttUs = delay;
        if (c.sampleCnt < HYSTART_MIN_SAMPLES) {
            c.sampleCnt++;
        } else {
            long thresh = Math.min(Math.max(c.delayMinUs >> 3, HYSTART_DELAY_MIN_US), HYSTART_DELAY_MAX_US);
            if (c.currRttUs > c.delayMinUs + thresh) {
                c.found = true;
                c.ssthresh = c.cwnd;
            }
        }
    }

    /** hystart_ack_delay: the time a GSO burst of 4 x 64 KB takes at the pacing rate, at most 1 ms. */
    private static long ackDelayUs(State c) {
        if (c.pacingRate == 0) return 0;
        return Math.min(1000, GSO_MAX_SIZE * 4 * 1_000_000L / c.pacingRate);
    }

    /**
     * tcp_update_pacing_rate: twice cwnd per srtt in slow start (cwnd below half of ssthresh), 1.2 times after, in
     * bytes per second, from max(cwnd, packets out).
     */
    void updatePacingRate(TcpSock sk, int mss, int packetsOut) {
        State c = sk.cc;
        long rate = (long) mss * ((1_000_000L / 100) << 3);
        rate *= c.cwnd < c.ssthresh / 2 ? PACING_SS_RATIO : PACING_CA_RATIO;
        rate *= Math.max(c.cwnd, packetsOut);
        if (sk.srttUs8 != 0) rate /= sk.srttUs8;
        c.pacingRate = rate;
    }

    /**
     * tcp_tso_segs (tcp_tso_autosize): how many segments one transmission carries, about 1 ms at the pacing rate,
     * at least tcp_min_tso_segs (2). Each such GSO burst ends in a segment with PSH: measured on veth, the 10 segments
     * of the initial window go as . P . P . P . P . P, and the bursts grow to 3, 5, 6 and 10 segments as the 1 MB
     * transfer's cwnd grows (section 32's capture).
     */
    int tsoSegs(TcpSock sk, int mss) {
        long bytes = Math.min(sk.cc.pacingRate >> PACING_SHIFT, GSO_MAX_SIZE);
        return (int) Math.max(bytes / mss, MIN_TSO_SEGS);
    }

    /** What tcpsim step shows: cwnd, ssthresh, the state. */
    static String describe(State c) {
        return "cwnd " + c.cwnd + " ssthresh " + (c.ssthresh == INFINITE_SSTHRESH ? "-" : String.valueOf(c.ssthresh))
                + " " + c.caState.name().toLowerCase(java.util.Locale.ROOT);
    }
}
