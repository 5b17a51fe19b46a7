package io.tcpsim.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random programs from a seed, for {@code tcpsim fuzz}. The jqwik property tests draw from the same distribution
 * through their own Arbitraries (simulator tests, {@code OpArbitraries}); both feed {@link ScriptBuilder}.
 *
 * <p>Weights favour the calls that change state (connect, accept, send, close, shutdown) and sleeps long enough to
 * reach the timers: delayed ACK (40 ms), SYN retransmission (1 s), FIN_WAIT2 and TIME_WAIT (60 s).
 */
public final class OpGenerator {
    /** Large sends: one segment, one window, more than the receive buffer, more than the send buffer. */
    public static final int[] LARGE_SENDS = {65483, 100_000, 1_000_000, 4_000_000};

    private final Bounds bounds;

    public OpGenerator(Bounds bounds) {
        this.bounds = bounds;
    }

    public Program next(SplittableRandom r) {
        return next(r, false);
    }

    /**
     * With {@code twoHosts}, a program on two hosts joined by a link of 1 to 5 ms one way, with link steps among
     * its actions: drops of the next packets of a kind (most of them), the link down and up again.
     */
    public Program next(SplittableRandom r, boolean twoHosts) {
        long seed = r.nextLong(1, Long.MAX_VALUE);
        int backlog = bounds.smallBacklogs() && r.nextInt(4) == 0 ? r.nextInt(2) : 8;
        int n = 1 + r.nextInt(bounds.maxSteps());
        List<Op> ops = new ArrayList<>(n + 2);
        // Most runs open a connection first; without one little happens.
        if (twoHosts || r.nextInt(10) != 0) ops.add(new Op.Connect(0, r.nextInt(6) == 0));
        if (r.nextInt(10) != 0) ops.add(new Op.Accept());
        for (int k = 0; k < n; k++) ops.add(twoHosts && r.nextInt(6) == 0 ? link(r) : op(r));
        return new Program(seed, backlog, ops, twoHosts ? new Program.Net(1000L * (1 + r.nextInt(5))) : null);
    }

    /** The kinds a drop names, as the script language spells them. */
    public static final List<String> DROP_KINDS = List.of("syn", "syn-ack", "ack", "data", "fin", "rst", "any");

    private static Op link(SplittableRandom r) {
        Op.Side from = r.nextBoolean() ? Op.Side.CLIENT : Op.Side.SERVER;
        int w = r.nextInt(10);
        if (w < 2) return new Op.Link(Op.LinkKind.DOWN, from, null, 0);
        if (w < 4) return new Op.Link(Op.LinkKind.UP, from, null, 0);
        return new Op.Link(Op.LinkKind.DROP, from, DROP_KINDS.get(r.nextInt(DROP_KINDS.size())), 1 + r.nextInt(2));
    }

    private Op op(SplittableRandom r) {
        int conn = r.nextInt(ScriptBuilder.CONNECTIONS);
        Op.Side side = r.nextBoolean() ? Op.Side.CLIENT : Op.Side.SERVER;
        int w = r.nextInt(100);
        if (w < 7) return new Op.Connect(conn, r.nextInt(6) == 0);
        if (w < 14) return new Op.Accept();
        if (w < 34) return new Op.Send(conn, side, sendSize(r), sendFlags(r));
        if (w < 49) return new Op.Recv(conn, side, recvSize(r), r.nextInt(5) == 0);
        if (w < 55) return new Op.Shutdown(conn, side, r.nextInt(3));
        if (w < 63) return new Op.Close(conn, side);
        if (w < 67) return new Op.Linger(conn, side, r.nextBoolean() ? 0 : 1 + r.nextInt(Math.max(1, bounds.maxLingerSeconds())));
        if (w < 72) return new Op.SoError(conn, side);
        if (w < 77) return new Op.Poll(conn, side, r.nextInt(ScriptBuilder.POLL_EVENTS.size()), pollTimeout(r));
        if (w < 95) return new Op.Sleep(sleepMicros(r, bounds.maxSleepMicros()));
        if (w < 97) return new Op.Netstat();
        return new Op.Exit(side);
    }

    static int sendSize(SplittableRandom r) {
        int k = r.nextInt(20);
        if (k == 0) return 0;
        if (k == 1) return LARGE_SENDS[r.nextInt(LARGE_SENDS.length)];
        if (k < 6) return 1 + r.nextInt(10);
        return r.nextInt(ScriptBuilder.SMALL_SEND + 1);
    }

    static int sendFlags(SplittableRandom r) {
        int f = 0;
        if (r.nextInt(3) != 0) f |= ScriptBuilder.FLAG_NOSIGNAL;
        if (r.nextInt(4) == 0) f |= ScriptBuilder.FLAG_DONTWAIT;
        return f;
    }

    static int recvSize(SplittableRandom r) {
        int k = r.nextInt(10);
        if (k == 0) return 0;
        if (k == 1) return 1 << 20;
        return 1 + r.nextInt(4000);
    }

    int pollTimeout(SplittableRandom r) {
        return r.nextBoolean() ? 0 : r.nextInt(bounds.maxPollMs() + 1);
    }

    /** Log-uniform from 1 us to {@code max}, with the timer edges picked on purpose now and then. */
    static long sleepMicros(SplittableRandom r, long max) {
        if (r.nextInt(4) == 0) {
            long[] edges = {40_000, 44_000, 200_000, 1_000_000, 60_000_000, 61_000_000, 70_000_000};
            long e = edges[r.nextInt(edges.length)];
            if (e <= max) return e;
        }
        double exp = r.nextDouble() * Math.log(max);
        return Math.max(1, Math.min(max, (long) Math.exp(exp)));
    }
}
