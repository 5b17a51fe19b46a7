package io.tcpsim.replay;

import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.pcap.LinkLayer;
import io.tcpsim.wire.FrameDecoder;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * What a first pass over the whole capture learns about its hosts, for facts that one flow's lookahead cannot see: a
 * host's SYN retransmission schedule (a second retransmission comes 2 s after the first, not 1 s: the host backs off
 * at once, tcp_syn_linear_timeouts = 0, as every kernel before 6.6 did), and whether the capture keeps time at all
 * (NFLOG and some converters give every packet one timestamp). Bounded: at most {@link #MAX} SYNs followed and hosts
 * known. A capture that cannot be read twice (a pipe) has no facts: {@link #NONE}.
 */
public final class CaptureFacts {
    static final int MAX = 100_000;
    public static final CaptureFacts NONE = new CaptureFacts();

    /** A SYN's first and last transmissions, how often it was sent, and the gap before its first retransmission. */
    private static final class Syn {
        long last, gap1;
        int sent = 1;
    }

    /** Per host: the backoff seen, as tcp_syn_linear_timeouts (0 or the reference's 4), or -1 when not seen. */
    private final Map<Integer, Integer> schedule = new HashMap<>();
    /**
     * Per host: how late its first SYN retransmission came after 1 s, at most. The timer wheel rounds a timer up to its
     * level's granularity (kernel/time/timer.c): 1 s is level 1 at HZ=250 (32 ms) and at HZ=100 (80 ms), level 2 at
     * HZ=1000 (64 ms); so a lateness above 33 ms rules out HZ 250 and 300.
     */
    private final Map<Integer, Long> synLate = new HashMap<>();
    /** The HZ chosen by trial among those the SYNs leave (see {@link #learn(java.nio.file.Path)}), or -1. */
    private int hz = -1;
    private String hzWhy;

    /** Per host: its first SYN or SYN-ACK, for a flow where that host sends none (a refused connect, a missing SYN). */
    private final Map<Integer, HostSyn> hosts = new HashMap<>();

    private record HostSyn(Segment syn, int ttl, boolean df) {}

    /** Per host: the pingpong rule its replies show (see {@link Replies}); absent when they show nothing unusual. */
    private final Map<Integer, Pingpong> pingpong = new HashMap<>();

    /** A host's pingpong threshold, and whether only a first reply after received data counts (kernels 5.1-6.1). */
    record Pingpong(int thresh, boolean firstReplyOnly) {}

    /**
     * One side of a connection answering its peer's data: a bare ACK at once and then the reply within ato (40 ms)
     * is a quick ACK, which a socket sends until it has replied within ato tcp_pingpong_thresh times
     * (tcp_event_data_sent, inet_csk_in_pingpong_mode); the first reply that carries the ACK itself ends the count.
     * Three quick ACKs before the first such reply: a threshold of 3, as kernels 5.1 to 6.1 had. A side of the same
     * host that goes on quick-ACKing past the threshold had replies that did not count: those kernels counted only
     * a first reply sent in a later jiffy than the last one (before(lsndtime, lrcvtime)).
     */
    private static final class Replies {
        long dataAt = -1;   // when the peer's data arrived, not answered yet
        long ackAt = -1;    // when this side ACKed it at once
        int quick;          // quick ACKs followed by a reply within ato
        boolean ended;      // a reply carried its ACK: the count ended at quick
        final int host;

        Replies(int host) {
            this.host = host;
        }
    }

    private static final long QUICK_NANOS = 1_000_000L, ATO_NANOS = 40_000_000L;
    private long packets, sameTime, lastTime = Long.MIN_VALUE;
    private boolean learned;
    /** For {@link #shardable}: an IPv6 record seen. */
    private boolean ipv6;

    static final long TRIAL_RECORDS = 20_000;

    /**
     * What the capture {@code file} shows, from a first pass over it; and where the first pass leaves a choice the
     * packets make (the HZ, between 100 and 1000, when SYN retransmissions rule 250 out), the first
     * {@link #TRIAL_RECORDS} records are replayed once per choice and the choice that explains more flows is kept: the
     * capture decides, not a guess.
     */
    public static CaptureFacts learn(java.nio.file.Path file) throws IOException {
        CaptureFacts f;
        try (CaptureRecords r = CaptureRecords.open(file)) {
            f = learn(r);
        }
        long late = f.synLate.values().stream().mapToLong(Long::longValue).max().orElse(0);
        if (late <= 33_000_000L || late > 81_000_000L) return f;
        int[] candidates = late <= 65_000_000L ? new int[] {100, 1000} : new int[] {100};
        int best = -1;
        long bestExplained = -1, bestDivergences = 0;
        StringBuilder tried = new StringBuilder();
        for (int hz : candidates) {
            f.hz = hz;
            Replay trial = new Replay(new Replay.Sink() {}, false);
            trial.learned(f);
            try (CaptureRecords r = CaptureRecords.open(file)) {
                trial.run(r, null, TRIAL_RECORDS);
            }
            Replay.Totals t = trial.totals();
            if (tried.length() > 0) tried.append(", ");
            tried.append("HZ ").append(hz).append(": ").append(t.explained).append(" of ").append(t.flows)
                    .append(" flows explained");
            if (t.explained > bestExplained || t.explained == bestExplained && t.divergences < bestDivergences) {
                best = hz;
                bestExplained = t.explained;
                bestDivergences = t.divergences;
            }
        }
        f.hz = best;
        f.hzWhy = "a first SYN retransmission " + late / 1_000_000 + " ms after 1 s rules out HZ 250 (its timer "
                + "wheel rounds 1 s up by 32 ms at most)" + (candidates.length > 1 ? "; replaying the first "
                + TRIAL_RECORDS + " records: " + tried : "");
        return f;
    }

    /**
     * Whether several workers may replay the capture (Workers): it was read whole first (not a pipe) and holds no
     * IPv6 record (IPv6 flows are followed, and numbered, by the thread that reads the capture).
     */
    boolean shardable() {
        return learned && !ipv6;
    }

    /** The HZ the capture shows (see {@link #learn(java.nio.file.Path)}), or -1 when it shows the reference's. */
    int hz() {
        return hz;
    }

    /** What the whole capture showed, one line each, for the end of the report (empty when nothing). */
    public java.util.List<String> lines() {
        java.util.List<String> out = new java.util.ArrayList<>(2);
        if (hz > 0) out.add("HZ " + hz + ": " + hzWhy);
        if (timeless()) out.add("time: " + sameTimes() + " share their timestamp with the one before: packets "
                + "are compared without their times");
        for (String d : captureDrops) {
            out.add("lost by the capture: " + d + "; a packet missing from a flow may be one of them");
        }
        return out;
    }

    /**
     * Reads every record of {@code records} (a second open of the capture) and keeps what it shows. A format error
     * ends the pass with what was learned before it: the replay itself reports it.
     */
    public static CaptureFacts learn(CaptureRecords records) throws IOException {
        CaptureFacts f = new CaptureFacts();
        f.learned = true;
        try {
            f.read(records);
        } catch (io.tcpsim.pcap.CaptureFormatException e) {
            // reported by the replay
        }
        return f;
    }

    /** The capture's own count of what it lost (pcapng interface statistics), after the first pass. */
    private java.util.List<String> captureDrops = java.util.List.of();

    private void read(CaptureRecords records) throws IOException {
        try {
            readPackets(records);
        } finally {
            captureDrops = records.captureDrops();
        }
    }

    private void readPackets(CaptureRecords records) throws IOException {
        CaptureFacts f = this;
        Map<Long, Syn> syns = new HashMap<>();
        Map<Direction, Replies> replies = new HashMap<>();
        while (records.next()) {
            f.packets++;
            long time = records.timeNanos();
            if (time == f.lastTime) f.sameTime++;
            f.lastTime = time;
            long net = LinkLayer.network(records.linkType(), records.data(), records.frameOffset(),
                    records.capturedLength());
            if (net >= 0 && (int) (net >>> 32) == LinkLayer.V6) ipv6 = true;
            if (net < 0 || (int) (net >>> 32) != LinkLayer.V4) continue;
            FrameDecoder.Result d = FrameDecoder.ipv4(records.data(), (int) net,
                    records.frameOffset() + records.capturedLength(), time);
            if (!(d instanceof FrameDecoder.Tcp tcp)) continue;
            Segment s = tcp.packet().segment();
            if (s.has(TcpFlags.SYN) && hosts.size() < MAX) hosts.putIfAbsent(s.src().ip(), new HostSyn(s, tcp.ttl(), tcp.df()));
            if (!s.has(TcpFlags.SYN) && !s.has(TcpFlags.RST)) replies(replies, s, time);
            if (!FlowSetup.isSyn(s)) continue;
            long key = (long) s.src().ip() << 32 ^ (long) s.src().port() << 16 ^ s.dst().port() ^ s.seq() * 31;
            Syn syn = syns.get(key);
            if (syn == null) {
                if (syns.size() >= MAX) continue;
                syn = new Syn();
                syn.last = time;
                syns.put(key, syn);
                continue;
            }
            syn.sent++;
            long gap = time - syn.last;
            syn.last = time;
            if (syn.sent == 2) {
                syn.gap1 = gap;
                if (gap >= 1_000_000_000L && gap < 1_200_000_000L && synLate.size() < MAX) {
                    synLate.merge(s.src().ip(), gap - 1_000_000_000L, Math::max);
                }
            }
            if (syn.sent == 3 && syn.gap1 > 0 && f.schedule.size() < MAX) {
                // Retransmissions 1 s apart, then 2 s: doubling at once. 1 s and 1 s: linear timeouts.
                int linear = gap > syn.gap1 * 3 / 2 ? 0 : Profiles.LINUX6.synLinearTimeouts();
                f.schedule.putIfAbsent(s.src().ip(), linear);
            }
        }
        pingpongRules(replies);
    }

    /** One direction of a connection, sender then receiver, each {@code ip << 16 | port} (not text: one per packet). */
    private record Direction(long from, long to) {
        static Direction of(io.tcpsim.wire.SockAddr from, io.tcpsim.wire.SockAddr to) {
            return new Direction((from.ip() & 0xffffffffL) << 16 | from.port(), (to.ip() & 0xffffffffL) << 16 | to.port());
        }
    }

    private void replies(Map<Direction, Replies> all, Segment s, long time) {
        Direction me = Direction.of(s.src(), s.dst()), peer = new Direction(me.to, me.from);
        if (s.length() > 0) { // this side's data: the peer has data to answer, and this side may be replying
            Replies m = all.get(me);
            if (m != null && !m.ended && m.dataAt >= 0 && time - m.dataAt < ATO_NANOS) {
                if (m.ackAt >= 0) m.quick++;
                else m.ended = true;
            }
            if (m != null) m.dataAt = -1;
            Replies p = all.get(peer);
            if (p == null && all.size() < MAX) all.put(peer, p = new Replies(s.dst().ip()));
            if (p != null && !p.ended) {
                p.dataAt = time;
                p.ackAt = -1;
            }
            return;
        }
        Replies m = all.get(me);
        if (m != null && !m.ended && m.dataAt >= 0 && m.ackAt < 0 && time - m.dataAt < QUICK_NANOS) m.ackAt = time;
    }

    /** Per host: the threshold most of its ended counts show (2 or more), and whether a side went on past it. */
    private void pingpongRules(Map<Direction, Replies> all) {
        Map<Integer, Map<Integer, Integer>> ends = new HashMap<>();
        for (Replies r : all.values()) {
            if (r.ended && r.quick >= 1) ends.computeIfAbsent(r.host, h -> new HashMap<>()).merge(r.quick, 1, Integer::sum);
        }
        ends.forEach((host, counts) -> {
            int thresh = counts.entrySet().stream().max(Map.Entry.<Integer, Integer>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey())).get().getKey();
            if (thresh < 2) return;
            boolean past = false;
            for (Replies r : all.values()) past |= r.host == host && r.quick > thresh;
            pingpong.put(host, new Pingpong(thresh, past));
        });
    }

    /**
     * The system {@code host}'s SYNs or SYN-ACKs elsewhere in the capture show, or {@link SideSystem#UNKNOWN}: a host
     * runs one system in all its flows.
     */
    SideSystem host(int ip) {
        HostSyn h = hosts.get(ip);
        if (h == null) return SideSystem.UNKNOWN;
        SideSystem s = SideSystem.of(h.syn, h.ttl, h.df, SideSystem.blankedTs(h.syn));
        return new SideSystem(s.family(), "as its " + (h.syn.has(TcpFlags.ACK) ? "SYN-ACK" : "SYN") + " in another "
                + "flow of the capture shows: " + s.why());
    }

    /** The pingpong rule {@code host}'s replies show, or null when they show the reference's or nothing. */
    Pingpong pingpong(int host) {
        return pingpong.get(host);
    }

    /**
     * The tcp_syn_linear_timeouts that {@code host}'s retransmitted SYNs show, or -1 when the capture has no SYN of
     * it retransmitted twice.
     */
    int synLinearTimeouts(int host) {
        return schedule.getOrDefault(host, -1);
    }

    /**
     * Most packets of the capture have the time of the packet before them: the capture keeps no usable time (a pcapng
     * of Simple Packet Blocks has none; NFLOG without NFULA_TIMESTAMP stamps a batch at once), so nothing can be judged
     * on time.
     */
    boolean timeless() {
        return learned && packets > 2 && sameTime * 2 >= packets;
    }

    /** {@code 12 of 13 packets}: how many share the time of the one before. */
    String sameTimes() {
        return (sameTime + 1) + " of " + packets + " packets";
    }
}
