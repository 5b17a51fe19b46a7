package io.tcpsim.replay;

import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.pcap.LinkLayer;
import io.tcpsim.wire.FrameDecoder;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code tcpsim replay}: reads a capture as a stream, splits its TCP packets into flows by 4-tuple (a new SYN on a
 * used tuple starts a new flow), replays each flow through the model ({@link Flow}) and hands each finished flow's
 * {@link FlowReport} to the {@link Sink} as soon as it is done, then forgets it.
 *
 * <p>Memory is bounded whatever the file's size: a flow holds a few packets of lookahead; a packet still waiting for
 * lookahead when {@link #WINDOW} packets or 20 ms of capture time have passed is processed anyway; finished
 * flows are reported and dropped. What stays is one model per connection still open in the capture.
 */
public final class Replay {
    /** Packets (and, for {@code --annotate}, lines) held back for lookahead at most this many packets. */
    static final int WINDOW = 4096;
    /**
     * ... or this much capture time. Every decision that looks ahead (a listener or a refusal, a SYN dropped by a full
     * queue, close or shutdown, a read that would flush an ACK) looks at most the tolerance plus two jiffies (12 ms)
     * past the packet. Holding packets longer only costs: a flow's last packets wait out the horizon, and with 1 s
     * the state they touch had left the CPU cache (measured: 0.85 M packets/s with 1 s, 1.3-1.47 M with 20 ms,
     * ReplayBenchmark's capture).
     */
    private static final long WINDOW_NANOS = 20_000_000L;
    /**
     * ... or, for a flow that is not on loopback, this much: across a real path the answer to a packet takes a round
     * trip (75 ms to bro.org, 185 ms in zeek's missing-syn), and the handshake must be in the lookahead to measure it.
     */
    static final long PATH_WINDOW_NANOS = 3_000_000_000L;
    /**
     * Connections followed at once. Each open one holds its model (a few kilobytes to a few tens); past this many,
     * the one whose last packet is oldest is reported as it stands and forgotten ("evicted"), so that a capture of
     * connections left open cannot fill the memory (issue 19, item 6; measured in docs/limits.md).
     */
    public static final int MAX_OPEN_FLOWS = 5_000;

    /** Receives the results as they are ready: flows in the order they finish, packets in capture order. */
    public interface Sink {
        default void flow(FlowReport flow) {}

        /** One packet of the capture with its notes; called only with {@code annotate}. */
        default void packet(Packet packet, long index, String skipped, int flow, java.util.List<String> notes) {}
    }

    /** Counts for the summary line. */
    public static final class Totals {
        public long records, tcp, nonTcp, ipv6Packets, ipv6Flows, flows, explained, diverged, notJudged, divergences,
                repeats;
        public long truncatedPayloads;
        /** Flows reported before their end because more than {@link #MAX_OPEN_FLOWS} were open at once. */
        public long evicted;
        /** The first record's time (0 before any): what a conn.log of no flows gives as its #open. */
        public long firstNanos;

        /** Adds another capture's counts (several files in one command); the first time stays the first file's. */
        public void add(Totals o) {
            if (records == 0 && flows == 0) firstNanos = o.firstNanos;
            records += o.records;
            tcp += o.tcp;
            nonTcp += o.nonTcp;
            ipv6Packets += o.ipv6Packets;
            ipv6Flows += o.ipv6Flows;
            flows += o.flows;
            explained += o.explained;
            diverged += o.diverged;
            notJudged += o.notJudged;
            divergences += o.divergences;
            repeats += o.repeats;
            truncatedPayloads += o.truncatedPayloads;
            evicted += o.evicted;
        }
    }

    private final Sink sink;
    private final boolean annotate;
    /** The open flows, least recently seen first (access order): the first is the one evicted. */
    private final Map<Object, Flow> flows = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private final ArrayDeque<Captured> window = new ArrayDeque<>();
    /** The window's TCP packets by deadline ({@link Captured#deadline}), the processed ones left until they surface. */
    private final java.util.PriorityQueue<Captured> deadlines =
            new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(c -> c.deadline));
    private final Ipv6Flows ipv6 = new Ipv6Flows();
    private final Totals totals = new Totals();
    private CaptureFacts facts = CaptureFacts.NONE;
    private int nextFlow = 1;
    private long lastTime;
    /** The record being read: its number from 1 (totals.records when this replay reads the capture itself). */
    private long now;
    /** Set when this replay is one of several workers' shards ({@link Workers}); null when it reads the capture. */
    private Workers.Shard shard;
    /** Workers asked for ({@link #workers}); 1: this thread alone. */
    private int workers = 1;
    /** While several workers replay the capture: where this thread, which reads it, hands its TCP packets. */
    private Workers dispatch;

    private final java.util.function.IntPredicate trace;

    public Replay(Sink sink, boolean annotate) {
        this(sink, annotate, NO_TRACE);
    }

    /** No flow traced: the predicate that lets several workers replay (a picture's flows are kept by one). */
    private static final java.util.function.IntPredicate NO_TRACE = n -> false;

    /** {@code trace}: the flows (by number) whose reports carry a {@link FlowTrace}, every packet kept for a picture. */
    public Replay(Sink sink, boolean annotate, java.util.function.IntPredicate trace) {
        this.sink = sink;
        this.annotate = annotate;
        this.trace = trace;
    }

    public Totals totals() {
        return totals;
    }

    Sink sink() {
        return sink;
    }

    /**
     * Replays with {@code n} workers (threads), each following the flows whose 4-tuple hashes to it, when the
     * capture allows output identical to one worker's ({@link CaptureFacts#shardable}); else with this thread alone.
     * The output, its order and every byte of it are the same for any {@code n} (docs/replay.md, "Workers").
     */
    public void workers(int n) {
        if (n < 1) throw new IllegalArgumentException("workers must be at least 1: " + n);
        this.workers = n;
    }

    /** Numbers flows from {@code n} (the flows of the files before this one in the same command); call before run. */
    public void numberFrom(int n) {
        nextFlow = n;
    }

    /** The number the next flow would get: after {@link #run}, one past the last flow's. */
    public int nextNumber() {
        return nextFlow;
    }

    /** Workers: the flows were numbered up to {@code n} - 1. */
    void numbered(int n) {
        nextFlow = n;
    }

    /** The threads that replayed the capture in {@link #run}: {@link #workers}, or 1 when it could not be shared. */
    public int workersUsed() {
        return used;
    }

    private int used = 1;

    /** A shard of {@link Workers}: replays the flows hashed to it, its reports tagged for the merge. */
    Replay(Workers.Shard shard, CaptureFacts facts) {
        this(shard.sink(), false);
        this.shard = shard;
        this.facts = facts;
    }

    /** What a first pass over the capture learned ({@link CaptureFacts#learn}); call before {@link #run}. */
    public void learned(CaptureFacts facts) {
        this.facts = facts;
    }

    public CaptureFacts facts() {
        return facts;
    }

    /** A 4-tuple with the endpoints in a fixed order, so that both directions find the same flow. */
    private record TupleKey(long a, long b, int vlans) {
        static TupleKey of(long ipA, int portA, long ipB, int portB, int vlans) {
            long x = ipA << 16 | portA, y = ipB << 16 | portB;
            return x <= y ? new TupleKey(x, y, vlans) : new TupleKey(y, x, vlans);
        }
    }

    /**
     * Reads every record of {@code records} and replays it. On a format error, the flows read so far are finished
     * and reported before the exception propagates.
     */
    public void run(CaptureRecords records, Progress progress) throws IOException {
        run(records, progress, Long.MAX_VALUE);
    }

    /** As {@link #run(CaptureRecords, Progress)}, for the first {@code limit} records only (a trial: CaptureFacts). */
    void run(CaptureRecords records, Progress progress, long limit) throws IOException {
        if (workers > 1 && shard == null && !annotate && trace == NO_TRACE && limit == Long.MAX_VALUE
                && facts.shardable()) {
            dispatch = new Workers(this, workers);
            used = workers;
        }
        try {
            while (totals.records < limit && records.next()) {
                totals.records++;
                now = totals.records;
                record(records);
                if (progress != null && (totals.records & 0x3fff) == 0) progress.at(records.position());
            }
        } finally {
            finishAll();
            if (progress != null) progress.done();
        }
    }

    private void record(CaptureRecords r) {
        byte[] b = r.data();
        int off = r.frameOffset(), len = r.capturedLength();
        long time = r.timeNanos();
        if (totals.records == 1) totals.firstNanos = time;
        if (!LinkLayer.supported(r.linkType())) {
            skip(r, time, "link type " + r.linkType() + " is not supported");
            return;
        }
        long net = LinkLayer.network(r.linkType(), b, off, len);
        int version = net < 0 ? 0 : (int) (net >>> 32);
        int at = (int) net;
        if (version == LinkLayer.V4) {
            FrameDecoder.Result d = FrameDecoder.ipv4(b, at, off + len, time);
            if (d instanceof FrameDecoder.Tcp tcp) {
                tcp(captured(r, tcp));
                return;
            }
            skip(r, time, d instanceof FrameDecoder.Skipped sk ? sk.why()
                    : "malformed: " + ((FrameDecoder.Malformed) d).why());
            return;
        }
        if (version == LinkLayer.V6 && len - (at - off) >= 60 && (b[at + 6] & 0xff) == 6) {
            totals.ipv6Packets++;
            List<FlowReport> done = new ArrayList<>(0);
            int n = ipv6.packet(b, at, off + len, totals.records, time, () -> {
                totals.flows++;
                totals.ipv6Flows++;
                return nextFlow++;
            }, done);
            for (FlowReport f : done) reportIpv6(f);
            if (n == 0) totals.ipv6Packets--; // over the bound of flows followed: skipped as such
            skip(r, time, n > 0 ? "IPv6 TCP, flow " + n + ": not judged, " + Ipv6Flows.WHY
                    : "IPv6 TCP, more flows than are followed at once (not replayed)", n > 0);
            return;
        }
        skip(r, time, version == LinkLayer.V6 ? "IPv6, not TCP" : net < 0 ? "frame shorter than its link header"
                : "not IP");
    }

    /** The IPv4 TCP packet of record {@code r}, numbered {@code totals.records}, as a flow takes it. */
    Captured captured(CaptureRecords r, FrameDecoder.Tcp tcp) {
        if (tcp.truncatedBy() > 0) totals.truncatedPayloads++;
        Captured c = new Captured(totals.records, r.recordOffset(), tcp.packet(), null);
        c.ttl = tcp.ttl();
        c.df = tcp.df();
        c.vlans = LinkLayer.vlans(r.linkType(), r.data(), r.frameOffset(), r.capturedLength());
        c.payloadCut = tcp.truncatedBy() > 0;
        return c;
    }

    /** The key of the flow {@code c} belongs to (both directions alike). */
    static Object key(Captured c) {
        Segment s = c.packet.segment();
        return TupleKey.of(s.src().ip() & 0xffffffffL, s.src().port(), s.dst().ip() & 0xffffffffL, s.dst().port(),
                c.vlans);
    }

    // ------------------------------------------------------------------ as a shard of Workers

    /** Shard: the packet of record {@code record} is this shard's; {@code lastTime} is the capture's latest TCP time. */
    void shardPacket(Captured c, long record, long lastTime) {
        this.now = record;
        this.lastTime = lastTime;
        tcp(c);
    }

    /** Shard: another shard's packet was record {@code record}; what waited too long for lookahead is processed. */
    void shardTick(long record, long lastTime) {
        this.now = record;
        this.lastTime = lastTime;
        drainWindow(false);
    }

    /** Shard, at the end of the capture: what still waits for lookahead is processed (first part of finishAll). */
    void shardDrain() {
        drainWindow(true);
    }

    /** Shard: the flows still open, for the end of the capture. */
    java.util.Collection<Flow> open() {
        return flows.values();
    }

    int openCount() {
        return flows.size();
    }

    /** Shard: the flow seen least recently, or null. */
    Flow quietest() {
        return flows.isEmpty() ? null : flows.values().iterator().next();
    }

    /** Shard: reports an open flow at the end of the capture. */
    void reportOpen(Flow f) {
        report(f);
        flows.remove(f.key, f);
    }

    /** Shard: evicts its quietest flow at record {@code record} (the quietest of all shards). */
    void evictAt(long record) {
        this.now = record;
        evictOldest();
    }

    private void reportIpv6(FlowReport f) {
        totals.notJudged++;
        sink.flow(f);
    }

    private void skip(CaptureRecords r, long time, String why) {
        skip(r, time, why, false);
    }

    /** A record that is not replayed; {@code inFlow}: an IPv6 flow's packet, counted as such, not as skipped. */
    private void skip(CaptureRecords r, long time, String why, boolean inFlow) {
        if (!inFlow) totals.nonTcp++;
        if (annotate) {
            Captured c = new Captured(totals.records, r.recordOffset(), new Packet(time, 0, null), why);
            c.processed = true;
            window.add(c);
            drainWindow(false);
        }
    }

    private void tcp(Captured c) {
        if (dispatch != null) {
            lastTime = Math.max(lastTime, c.packet.timeNanos());
            dispatch.packet(c, now, lastTime);
            return;
        }
        totals.tcp++;
        Segment s = c.packet.segment();
        lastTime = Math.max(lastTime, c.packet.timeNanos());
        Object key = key(c);
        Flow f = flows.get(key);
        if (shard != null) shard.at(now, Workers.NEW_CONNECTION, 0);
        if (f != null && f.isNewConnection(s)) {
            report(f);
            flows.remove(key);
            f = null;
        }
        if (f == null) {
            f = new Flow(nextFlow, this, annotate, trace.test(nextFlow));
            nextFlow++;
            f.key = key;
            f.firstRecord = c.index;
            flows.put(key, f);
            totals.flows++;
            f.seen = now;
            if (shard != null) {
                shard.created(f);
            } else if (flows.size() > MAX_OPEN_FLOWS) {
                evictOldest();
            }
        }
        f.seen = now;
        window.add(c);
        c.flow = f;
        // The capture's clock as the packet arrives (its own time, unless times went back), plus its flow's wait.
        c.deadline = Math.max(lastTime, c.packet.timeNanos()) + (f.onPathFor(c) ? PATH_WINDOW_NANOS : WINDOW_NANOS);
        deadlines.add(c);
        if (shard != null) shard.at(now, Workers.OFFER, 0);
        f.offer(c);
        if (f.finished()) flows.remove(key);
        drainWindow(false);
    }

    /**
     * Forces lookahead that waited too long, and hands annotated packets over in capture order. A packet waited too
     * long when {@link #WINDOW} records came after it, or when the capture's clock (its latest time) is past its
     * deadline: the clock when it arrived plus its flow's wait. Each such packet is processed whatever the packets
     * before it in the window wait for (a packet of a flow across a path waits 3 s), so that what a flow sees
     * depends on its own packets and the capture's count and clock alone: with several workers, each worker's part
     * of the window is processed as the whole would be (Workers).
     */
    private void drainWindow(boolean all) {
        if (!all) {
            // Most records force nothing: the oldest packet is not WINDOW records old, the nearest deadline not past.
            Captured head = window.peek(), next = deadlines.peek();
            if (head == null || !head.processed && head.index >= now - WINDOW
                    && (next == null || !next.processed && next.deadline >= lastTime)) {
                return;
            }
            List<Captured> forced = null;
            for (Captured h : window) {
                if (h.index >= now - WINDOW) break;
                if (!h.processed) (forced == null ? forced = new ArrayList<>() : forced).add(h);
            }
            while (!deadlines.isEmpty() && (deadlines.peek().processed || deadlines.peek().deadline < lastTime)) {
                Captured h = deadlines.poll();
                if (!h.processed) (forced == null ? forced = new ArrayList<>() : forced).add(h);
            }
            if (deadlines.size() > 2 * window.size() + 64) deadlines.removeIf(c -> c.processed);
            if (forced != null) {
                if (forced.size() > 1) forced.sort(java.util.Comparator.comparingLong(c -> c.index));
                for (Captured h : forced) {
                    if (h.processed) continue; // by its flow, for a packet forced before it
                    force(h, now);
                }
            }
        }
        while (!window.isEmpty()) {
            Captured h = window.peek();
            if (!h.processed) {
                if (!all) break;
                force(h, Workers.END);
            }
            window.poll();
            h.printed = true;
            if (annotate) {
                sink.packet(h.shown, h.index, h.skipped, h.flow == null ? 0 : h.flow.number, h.notes);
            }
        }
        if (all) deadlines.clear();
    }

    /** Processes {@code h}'s flow up to {@code h}: it cannot wait any longer for lookahead. */
    private void force(Captured h, long record) {
        Flow f = h.flow;
        if (shard != null) shard.at(record, Workers.DRAIN, h.index);
        f.processThrough(h);
        if (!h.processed) { // the flow finished meanwhile without it (cannot happen; be safe)
            h.processed = true;
        }
        if (f.finished()) removeFlow(f);
    }

    /** Reports the flow seen least recently as it stands, and forgets it. */
    private void evictOldest() {
        Flow old = flows.values().iterator().next();
        flows.remove(old.key);
        if (shard != null) shard.at(now, Workers.EVICT, 0);
        old.evicted(MAX_OPEN_FLOWS, now);
        totals.evicted++;
        report(old);
    }

    private void removeFlow(Flow f) {
        flows.remove(f.key, f);
    }

    /** Called by a flow whose connection is over: it is reported now and dropped. */
    void flowDone(Flow f) {
        report(f);
    }

    private void report(Flow f) {
        if (f.finished()) return;
        FlowReport r = f.finish(lastTime);
        Captured last = f.lastCaptured;
        if (annotate && last != null && !last.printed) {
            last.note("done: " + ReplayOutput.done(r));
            r = r.withAnnotated();
        }
        totals.divergences += r.divergenceCount();
        totals.repeats += r.repeats();
        switch (r.verdict()) {
            case EXPLAINED -> totals.explained++;
            case DIVERGED -> totals.diverged++;
            case NOT_JUDGED -> totals.notJudged++;
        }
        if (shard != null) shard.report(f, r);
        else sink.flow(r);
    }

    private void finishAll() {
        if (dispatch != null) {
            Workers w = dispatch;
            dispatch = null;
            w.finish(sink);
        }
        drainWindow(true);
        // Flows in the order they started, so that the end of the output is deterministic.
        java.util.List<Flow> open = new java.util.ArrayList<>(flows.values());
        open.sort(java.util.Comparator.comparingInt(f -> f.number));
        for (Flow f : open) report(f);
        flows.clear();
        drainWindow(true);
        for (FlowReport f : ipv6.finish()) reportIpv6(f);
    }

    /** Where progress goes (a bar on a terminal). */
    public interface Progress {
        void at(long bytes);

        void done();
    }
}
