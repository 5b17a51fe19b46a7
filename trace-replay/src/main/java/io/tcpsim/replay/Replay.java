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
    }

    private final Sink sink;
    private final boolean annotate;
    /** The open flows, least recently seen first (access order): the first is the one evicted. */
    private final Map<TupleKey, Flow> flows = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private final ArrayDeque<Captured> window = new ArrayDeque<>();
    private final Totals totals = new Totals();
    private CaptureFacts facts = CaptureFacts.NONE;
    private int nextFlow = 1;
    private long lastTime;

    private final java.util.function.IntPredicate trace;

    public Replay(Sink sink, boolean annotate) {
        this(sink, annotate, n -> false);
    }

    /** {@code trace}: the flows (by number) whose reports carry a {@link FlowTrace}, every packet kept for a picture. */
    public Replay(Sink sink, boolean annotate, java.util.function.IntPredicate trace) {
        this.sink = sink;
        this.annotate = annotate;
        this.trace = trace;
    }

    public Totals totals() {
        return totals;
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
        try {
            while (totals.records < limit && records.next()) {
                totals.records++;
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
        if (version == LinkLayer.V4 || version == LinkLayer.V6) {
            FrameDecoder.Result d = version == LinkLayer.V4 ? FrameDecoder.ipv4(b, at, off + len, time)
                    : FrameDecoder.ipv6(b, at, off + len, time);
            if (d instanceof FrameDecoder.Tcp tcp) {
                if (tcp.truncatedBy() > 0) totals.truncatedPayloads++;
                if (version == LinkLayer.V6) totals.ipv6Packets++;
                Captured c = new Captured(totals.records, r.recordOffset(), tcp.packet(), null);
                c.ttl = tcp.ttl();
                c.df = tcp.df();
                c.vlans = LinkLayer.vlans(r.linkType(), b, off, len);
                c.payloadCut = tcp.truncatedBy() > 0;
                tcp(c);
                return;
            }
            skip(r, time, d instanceof FrameDecoder.Skipped sk ? sk.why()
                    : "malformed: " + ((FrameDecoder.Malformed) d).why());
            return;
        }
        skip(r, time, net < 0 ? "frame shorter than its link header" : "not IP");
    }

    /** A record that is not replayed. */
    private void skip(CaptureRecords r, long time, String why) {
        totals.nonTcp++;
        if (annotate) {
            Captured c = new Captured(totals.records, r.recordOffset(), new Packet(time, 0, null), why);
            c.processed = true;
            window.add(c);
            drainWindow(false);
        }
    }

    private void tcp(Captured c) {
        totals.tcp++;
        Segment s = c.packet.segment();
        lastTime = Math.max(lastTime, c.packet.timeNanos());
        // An IPv6 address is keyed by its 32-bit fold, and the family kept apart in the key's last field.
        TupleKey key = TupleKey.of(s.src().ip() & 0xffffffffL, s.src().port(), s.dst().ip() & 0xffffffffL, s.dst().port(),
                s.src().isV6() ? c.vlans | 1 << 30 : c.vlans);
        Flow f = flows.get(key);
        if (f != null && f.isNewConnection(s)) {
            report(f);
            flows.remove(key);
            f = null;
        }
        if (f == null) {
            f = new Flow(nextFlow, this, annotate, trace.test(nextFlow));
            nextFlow++;
            f.key = key;
            flows.put(key, f);
            totals.flows++;
            if (s.src().isV6()) totals.ipv6Flows++;
            if (flows.size() > MAX_OPEN_FLOWS) evictOldest();
        }
        window.add(c);
        f.offer(c);
        if (f.finished()) flows.remove(key);
        drainWindow(false);
    }

    /** Forces lookahead that waited too long, and hands annotated packets over in capture order. */
    private void drainWindow(boolean all) {
        long newest = totals.records;
        while (!window.isEmpty()) {
            Captured h = window.peek();
            if (!h.processed) {
                boolean old = h.index < newest - WINDOW
                        || h.packet.timeNanos() < lastTime - (h.flow.onPath() ? PATH_WINDOW_NANOS : WINDOW_NANOS);
                if (!all && !old) break;
                Flow f = h.flow;
                f.processThrough(h);
                if (!h.processed) { // the flow finished meanwhile without it (cannot happen; be safe)
                    h.processed = true;
                }
                if (f.finished()) removeFlow(f);
            }
            window.poll();
            h.printed = true;
            if (annotate) {
                sink.packet(h.shown, h.index, h.skipped, h.flow == null ? 0 : h.flow.number, h.notes);
            }
        }
    }

    /** Reports the flow seen least recently as it stands, and forgets it. */
    private void evictOldest() {
        Flow old = flows.values().iterator().next();
        flows.remove(old.key);
        old.evicted(MAX_OPEN_FLOWS, totals.records);
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
        sink.flow(r);
    }

    private void finishAll() {
        drainWindow(true);
        // Flows in the order they started, so that the end of the output is deterministic.
        java.util.List<Flow> open = new java.util.ArrayList<>(flows.values());
        open.sort(java.util.Comparator.comparingInt(f -> f.number));
        for (Flow f : open) report(f);
        flows.clear();
        drainWindow(true);
    }

    /** Where progress goes (a bar on a terminal). */
    public interface Progress {
        void at(long bytes);

        void done();
    }
}
