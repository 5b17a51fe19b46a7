package io.tcpsim.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik Arbitraries for {@link Program}s: the distribution of {@link OpGenerator} (the CLI's generator), built from
 * jqwik's own pieces so that jqwik shrinks a failure: actions are deleted from the list (every sub-list is a valid
 * program, see {@link ScriptBuilder}) and each action's numbers shrink towards 0.
 */
final class OpArbitraries {
    private OpArbitraries() {}

    static Arbitrary<Program> programs(Bounds bounds) {
        Arbitrary<Long> seeds = Arbitraries.longs().between(1, Long.MAX_VALUE).withoutEdgeCases();
        Arbitrary<Integer> backlogs = bounds.smallBacklogs()
                ? Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(1, 1), Tuple.of(6, 8))
                : Arbitraries.just(8);
        return Combinators.combine(seeds, backlogs, ops(bounds).list().ofMinSize(1).ofMaxSize(bounds.maxSteps() + 2))
                .as(Program::new);
    }

    static Arbitrary<Op> ops(Bounds bounds) {
        Arbitrary<Integer> conn = Arbitraries.integers().between(0, ScriptBuilder.CONNECTIONS - 1);
        Arbitrary<Op.Side> side = Arbitraries.of(Op.Side.class);
        Arbitrary<Boolean> rarely = Arbitraries.frequency(Tuple.of(5, false), Tuple.of(1, true));

        Arbitrary<Op> connect = Combinators.combine(conn, rarely).as(Op.Connect::new);
        Arbitrary<Op> accept = Arbitraries.just(new Op.Accept());
        Arbitrary<Op> send = Combinators.combine(conn, side, sendSizes(), sendFlags()).as(Op.Send::new);
        Arbitrary<Op> recv = Combinators.combine(conn, side, recvSizes(), rarely).as(Op.Recv::new);
        Arbitrary<Op> shutdown = Combinators.combine(conn, side, Arbitraries.integers().between(0, 2)).as(Op.Shutdown::new);
        Arbitrary<Op> close = Combinators.combine(conn, side).as(Op.Close::new);
        Arbitrary<Op> linger = Combinators.combine(conn, side, Arbitraries.integers().between(0, bounds.maxLingerSeconds()))
                .as(Op.Linger::new);
        Arbitrary<Op> soError = Combinators.combine(conn, side).as(Op.SoError::new);
        Arbitrary<Op> poll = Combinators.combine(conn, side,
                Arbitraries.integers().between(0, ScriptBuilder.POLL_EVENTS.size() - 1),
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0)),
                        Tuple.of(1, Arbitraries.integers().between(0, bounds.maxPollMs())))).as(Op.Poll::new);
        Arbitrary<Op> sleep = sleeps(bounds.maxSleepMicros()).map(Op.Sleep::new);
        Arbitrary<Op> netstat = Arbitraries.just(new Op.Netstat());
        Arbitrary<Op> exit = side.map(Op.Exit::new);

        return Arbitraries.frequencyOf(
                Tuple.of(7, connect), Tuple.of(7, accept), Tuple.of(20, send), Tuple.of(15, recv),
                Tuple.of(6, shutdown), Tuple.of(8, close), Tuple.of(4, linger), Tuple.of(5, soError),
                Tuple.of(5, poll), Tuple.of(18, sleep), Tuple.of(2, netstat), Tuple.of(3, exit));
    }

    static Arbitrary<Integer> sendSizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.of(65483, 100_000, 1_000_000, 4_000_000)),
                Tuple.of(4, Arbitraries.integers().between(1, 10)),
                Tuple.of(14, Arbitraries.integers().between(0, ScriptBuilder.SMALL_SEND)));
    }

    static Arbitrary<Integer> sendFlags() {
        Arbitrary<Integer> nosignal = Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(2, ScriptBuilder.FLAG_NOSIGNAL));
        Arbitrary<Integer> dontwait = Arbitraries.frequency(Tuple.of(3, 0), Tuple.of(1, ScriptBuilder.FLAG_DONTWAIT));
        return Combinators.combine(nosignal, dontwait).as((a, b) -> a | b);
    }

    static Arbitrary<Integer> recvSizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.just(1 << 20)),
                Tuple.of(8, Arbitraries.integers().between(1, 4000)));
    }

    /** Log-uniform from 1 us, and the timer edges: delayed ACK, RTO, SYN retransmission, FIN_WAIT2, TIME_WAIT. */
    static Arbitrary<Long> sleeps(long max) {
        Arbitrary<Long> edges = Arbitraries.of(40_000L, 44_000L, 200_000L, 1_000_000L, 60_000_000L, 61_000_000L, 70_000_000L)
                .filter(e -> e <= max);
        Arbitrary<Long> logUniform = Arbitraries.integers().between(0, (int) (Math.log(max) * 1000))
                .map(x -> Math.max(1, Math.min(max, (long) Math.exp(x / 1000.0))));
        return Arbitraries.frequencyOf(Tuple.of(1, edges), Tuple.of(3, logUniform));
    }
}
