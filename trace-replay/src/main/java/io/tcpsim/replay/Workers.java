package io.tcpsim.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code replay --workers N}: the flows of a capture shared out among N threads by the hash of their 4-tuple, with
 * output identical, byte for byte and in order, to one thread's (docs/replay.md, "Workers").
 *
 * <p>The reading thread ({@link Replay#run}) decodes each record and hands its IPv4 TCP packet to a batch; every
 * worker goes through every batch in record order, taking its own packets as one replay would ({@link
 * Replay#shardPacket}) and, at the others' packets, processing what waited too long for lookahead ({@link
 * Replay#shardTick}), so that each of its flows sees exactly the packets, lookahead and forcing it would see alone.
 * What one replay decides across all flows is done here instead:
 * <ul>
 *   <li>The order of reports. A flow is reported when it ends, which is at a record and at a step of that record's
 *       handling (a new connection on the tuple, an eviction, the packet itself, then the lookahead window in record
 *       order); each report is tagged with them, and the batches' reports are merged in that order.</li>
 *   <li>Flow numbers: the order in which flows started, known once every worker is done with the batch they started
 *       in; each report then gets its flow's number.</li>
 *   <li>Eviction past {@link Replay#MAX_OPEN_FLOWS} open flows, which depends on every worker's open flows. A batch
 *       runs on the workers only when it cannot reach the limit: the flows open before it plus one per packet in it
 *       stay within it. Otherwise this thread runs the batch for every worker in record order, and evicts the flow
 *       seen least recently among all of them, as one replay would.</li>
 * </ul>
 * A packet that waited too long for lookahead is processed on its own deadline, whatever waits before it (Replay's
 * drainWindow), so each worker's part of the lookahead window behaves as the whole would. A capture that is not a
 * regular file, or that holds IPv6, is replayed by one thread ({@link CaptureFacts#shardable}).
 */
final class Workers {
    /** The steps of one record's handling, in the order one replay takes them. */
    static final int NEW_CONNECTION = 0, EVICT = 1, OFFER = 2, DRAIN = 3, OPEN = 4;
    /** The record of the end of the capture, after every other. */
    static final long END = Long.MAX_VALUE / 4;
    /** Packets per batch. */
    static final int BATCH = 4096;

    private final Replay reader;
    private final Shard[] shards;
    private final ExecutorService pool;
    private Batch filling, running;
    private List<Future<?>> futures = List.of();
    private int nextNumber;
    /** This thread runs the batch for every shard: an eviction looks at all of them. */
    private boolean lockstep;

    Workers(Replay reader, int n) {
        this.reader = reader;
        shards = new Shard[n];
        for (int i = 0; i < n; i++) shards[i] = new Shard(reader.facts());
        filling = new Batch();
        nextNumber = reader.nextNumber();
        pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "tcpsim-replay-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /** One packet read: record {@code record}, the capture's latest TCP time {@code lastTime} with it. */
    void packet(Captured c, long record, long lastTime) {
        Batch b = filling;
        b.add(c, Math.floorMod(mix(Replay.key(c).hashCode()), shards.length), record, lastTime);
        if (b.n == BATCH) cycle();
    }

    /** The end of the capture: the last batch, then what one replay does at the end, merged. */
    void finish(Replay.Sink sink) {
        try {
            cycle();
            await();
            number();
            emit(running, sink);
            running = null;
            Batch end = new Batch();
            for (int i = 0; i < shards.length; i++) shards[i].reports = end.reports[i] = new ArrayList<>();
            for (Shard s : shards) s.replay.shardDrain();
            List<Flow> open = new ArrayList<>();
            for (Shard s : shards) open.addAll(s.replay.open());
            open.sort(java.util.Comparator.comparingInt(f -> f.number));
            for (Flow f : open) {
                Shard s = owner(f);
                s.at(END, OPEN, f.number);
                s.replay.reportOpen(f);
            }
            emit(end, sink);
            reader.numbered(nextNumber);
            Replay.Totals t = reader.totals();
            for (Shard s : shards) {
                Replay.Totals x = s.replay.totals();
                t.tcp += x.tcp;
                t.flows += x.flows;
                t.explained += x.explained;
                t.diverged += x.diverged;
                t.notJudged += x.notJudged;
                t.divergences += x.divergences;
                t.repeats += x.repeats;
                t.evicted += x.evicted;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private Shard owner(Flow f) {
        for (Shard s : shards) if (s.replay == f.replay()) return s;
        throw new IllegalStateException("flow " + f.number + " has no worker");
    }

    /** Waits for the running batch, numbers its flows, starts the filled one, and hands the running one's reports on. */
    private void cycle() {
        await();
        number();
        Batch done = running;
        running = filling;
        filling = new Batch();
        start(running);
        if (done != null) emit(done, reader.sink());
    }

    private void start(Batch b) {
        int open = 0;
        for (Shard s : shards) open += s.replay.openCount();
        for (Shard s : shards) s.reports = b.reports[indexOf(s)] = new ArrayList<>();
        if (open + b.n <= Replay.MAX_OPEN_FLOWS) {
            List<Future<?>> fs = new ArrayList<>(shards.length);
            for (int i = 0; i < shards.length; i++) {
                int me = i;
                fs.add(pool.submit(() -> run(b, me)));
            }
            futures = fs;
        } else {
            lockstep = true;
            try {
                for (int j = 0; j < b.n; j++) {
                    for (int i = 0; i < shards.length; i++) {
                        if (b.shard[j] == i) shards[i].replay.shardPacket(b.packets[j], b.records[j], b.lastTimes[j]);
                        else shards[i].replay.shardTick(b.records[j], b.lastTimes[j]);
                    }
                }
            } finally {
                lockstep = false;
            }
            futures = List.of();
        }
    }

    private int indexOf(Shard s) {
        for (int i = 0; i < shards.length; i++) if (shards[i] == s) return i;
        throw new IllegalStateException();
    }

    /** Worker {@code me}'s pass over batch {@code b}. */
    private void run(Batch b, int me) {
        Replay r = shards[me].replay;
        for (int j = 0; j < b.n; j++) {
            if (b.shard[j] == me) r.shardPacket(b.packets[j], b.records[j], b.lastTimes[j]);
            else r.shardTick(b.records[j], b.lastTimes[j]);
        }
    }

    private void await() {
        try {
            for (Future<?> f : futures) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
        futures = List.of();
    }

    /** Numbers the flows started in the batch just done, in the order they started (their first records). */
    private void number() {
        List<Flow> started = new ArrayList<>();
        for (Shard s : shards) {
            started.addAll(s.created);
            s.created.clear();
        }
        started.sort(java.util.Comparator.comparingLong(f -> f.firstRecord));
        for (Flow f : started) f.number = nextNumber++;
    }

    /** Hands a batch's reports on in the order one replay made them. */
    private void emit(Batch b, Replay.Sink sink) {
        if (b == null) return;
        List<Tagged> all = new ArrayList<>();
        for (List<Tagged> l : b.reports) if (l != null) all.addAll(l);
        all.sort(Tagged.ORDER);
        for (Tagged t : all) sink.flow(t.report.withNumber(t.flow.number));
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** A report and when one replay would have made it: at {@code record}, step {@code step}, {@code sub} within. */
    record Tagged(long record, int step, long sub, Flow flow, FlowReport report) {
        static final java.util.Comparator<Tagged> ORDER = java.util.Comparator.comparingLong(Tagged::record)
                .thenComparingInt(Tagged::step).thenComparingLong(Tagged::sub);
    }

    /** A batch of packets, and the reports each shard made while replaying it. */
    private final class Batch {
        final Captured[] packets = new Captured[BATCH];
        final int[] shard = new int[BATCH];
        final long[] records = new long[BATCH];
        final long[] lastTimes = new long[BATCH];
        @SuppressWarnings("unchecked")
        final List<Tagged>[] reports = new List[shards.length];
        int n;

        void add(Captured c, int s, long record, long lastTime) {
            packets[n] = c;
            shard[n] = s;
            records[n] = record;
            lastTimes[n] = lastTime;
            n++;
        }
    }

    /** One worker's replay and what it reports, tagged. */
    final class Shard {
        final Replay replay;
        List<Tagged> reports = new ArrayList<>();
        final List<Flow> created = new ArrayList<>();
        private long record;
        private int step;
        private long sub;

        Shard(CaptureFacts facts) {
            replay = new Replay(this, facts);
        }

        /** What the replay does next, it does at {@code record}, step {@code step}. */
        void at(long record, int step, long sub) {
            this.record = record;
            this.step = step;
            this.sub = sub;
        }

        void report(Flow f, FlowReport r) {
            reports.add(new Tagged(record, step, sub, f, r));
        }

        /** A flow started: with a batch run in lockstep, one past the limit evicts the quietest of all shards. */
        void created(Flow f) {
            created.add(f);
            if (!lockstep) return;
            int open = 0;
            for (Shard s : shards) open += s.replay.openCount();
            if (open <= Replay.MAX_OPEN_FLOWS) return;
            Shard quietest = null;
            for (Shard s : shards) {
                Flow q = s.replay.quietest();
                if (q != null && (quietest == null || q.seen < quietest.replay.quietest().seen)) quietest = s;
            }
            quietest.replay.evictAt(f.firstRecord);
        }

        Replay.Sink sink() {
            return new Replay.Sink() {};
        }
    }
}
