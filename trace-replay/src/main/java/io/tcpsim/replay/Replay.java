package io.tcpsim.replay;

import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.pcap.LinkLayer;
import io.tcpsim.wire.FrameDecoder;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

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
    private static final int MAX_IPV6_FLOWS = 100_000;

    /** Receives the results as they are ready: flows in the order they finish, packets in capture order. */
    public interface Sink {
        default void flow(FlowReport flow) {}

        /** One packet of the capture with its notes; called only with {@code annotate}. */
        default void packet(Packet packet, long index, String skipped, int flow, java.util.List<String> notes) {}
    }

    /** Counts for the summary line. */
    public static final class Totals {
        public long records, tcp, nonTcp, ipv6Packets, ipv6Flows, flows, explained, diverged, divergences;
        public long truncatedPayloads;
        /** The first record's time (0 before any): what a conn.log of no flows gives as its #open. */
        public long firstNanos;
    }

    private final Sink sink;
    private final boolean annotate;
    private final Map<TupleKey, Flow> flows = new HashMap<>();
    private final ArrayDeque<Captured> window = new ArrayDeque<>();
    private final Set<TupleKey> ipv6 = new HashSet<>();
    private final Totals totals = new Totals();
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

    /** A 4-tuple with the endpoints in a fixed order, so that both directions find the same flow. */
    private record TupleKey(long a, long b) {
        static TupleKey of(long ipA, int portA, long ipB, int portB) {
            long x = ipA << 16 | portA, y = ipB << 16 | portB;
            return x <= y ? new TupleKey(x, y) : new TupleKey(y, x);
        }
    }

    /**
     * Reads every record of {@code records} and replays it. On a format error, the flows read so far are finished
     * and reported before the exception propagates.
     */
    public void run(CaptureRecords records, Progress progress) throws IOException {
        try {
            while (records.next()) {
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
        long net = LinkLayer.network(r.linkType(), b, off, len);
        int version = net < 0 ? 0 : (int) (net >>> 32);
        int at = (int) net;
        if (version == LinkLayer.V4) {
            FrameDecoder.Result d = FrameDecoder.ipv4(b, at, off + len, time);
            if (d instanceof FrameDecoder.Tcp tcp) {
                if (tcp.truncatedBy() > 0) totals.truncatedPayloads++;
                Captured c = new Captured(totals.records, r.recordOffset(), tcp.packet(), null);
                c.payloadCut = tcp.truncatedBy() > 0;
                tcp(c);
                return;
            }
            skip(r, time, d instanceof FrameDecoder.Skipped sk ? sk.why()
                    : "malformed: " + ((FrameDecoder.Malformed) d).why());
            return;
        }
        if (version == LinkLayer.V6 && len - (at - off) >= 44 && (b[at + 6] & 0xff) == 6) {
            totals.ipv6Packets++;
            long src = hash(b, at + 8), dst = hash(b, at + 24);
            int sp = ((b[at + 40] & 0xff) << 8) | (b[at + 41] & 0xff), dp = ((b[at + 42] & 0xff) << 8) | (b[at + 43] & 0xff);
            if (ipv6.size() < MAX_IPV6_FLOWS && ipv6.add(TupleKey.of(src & 0xffffffffffffL, sp, dst & 0xffffffffffffL, dp))) {
                totals.ipv6Flows++;
            }
            skip(r, time, "IPv6 TCP (not replayed)");
            return;
        }
        skip(r, time, version == LinkLayer.V6 ? "IPv6, not TCP" : net < 0 ? "frame shorter than its link header"
                : "not IP");
    }

    private static long hash(byte[] b, int at) {
        long h = 1125899906842597L;
        for (int i = 0; i < 16; i++) h = 31 * h + b[at + i];
        return h;
    }

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
        TupleKey key = TupleKey.of(s.src().ip() & 0xffffffffL, s.src().port(), s.dst().ip() & 0xffffffffL, s.dst().port());
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
                boolean old = h.index < newest - WINDOW || h.packet.timeNanos() < lastTime - WINDOW_NANOS;
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
                sink.packet(h.packet, h.index, h.skipped, h.flow == null ? 0 : h.flow.number, h.notes);
            }
        }
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
        if (r.explained()) totals.explained++;
        else totals.diverged++;
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
