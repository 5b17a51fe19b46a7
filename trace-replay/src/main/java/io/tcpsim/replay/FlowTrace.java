package io.tcpsim.replay;

import io.tcpsim.backend.TcpState;
import io.tcpsim.compare.Divergence;
import io.tcpsim.wire.Packet;
import java.util.List;

/**
 * Everything replay did in one flow, packet by packet, for drawing it ({@link ReplayLadder}): kept only when asked
 * for ({@link Replay#Replay(Replay.Sink, boolean, java.util.function.IntPredicate)}), since it holds the flow's
 * packets. Each captured packet comes with what it caused, in order: the calls inferred from it, the state changes
 * its arrival made, the divergences found at it; {@code after} is what happened once the last packet was replayed
 * (the consequences, timers, predictions the capture never showed). At most {@link #MAX_PACKETS} packets are kept;
 * {@code dropped} counts the rest.
 */
public record FlowTrace(List<Step> packets, List<Event> after, long dropped) {
    public static final int MAX_PACKETS = 2000;
    /** Divergences kept for the picture per flow (the report keeps fewer). */
    public static final int MAX_DIVERGENCES = 200;

    public FlowTrace {
        packets = List.copyOf(packets);
        after = List.copyOf(after);
    }

    /**
     * One captured packet: its number in the file, its sender, the tcpdump line, what it caused. A state change the
     * model made on its own clock belongs to the captured packet it matched (the model may run ahead of the capture
     * by the timing tolerance), as in {@code --annotate}.
     */
    public record Step(long index, Packet packet, String side, String tcpdump, List<Event> events) {
        public Step { events = List.copyOf(events); }
    }

    /** Something replay found; {@code timeNanos} is a capture time (the model's clock moved to the capture's). */
    public sealed interface Event permits State, Call, Diverged {
        long timeNanos();

        String side();
    }

    /** A side's state change, as the model made it. */
    /** {@code from} is null before the endpoint existed. */
    public record State(long timeNanos, String side, TcpState from, TcpState to) implements Event {
        public String fromName() { return from == null ? "-" : from.netstatName(); }
    }

    /** An inferred call (its record may be rewritten later: a FIN's shutdown found to be a close, a connect's result). */
    public static final class Call implements Event {
        private final long timeNanos;
        private FlowReport.InferredCall call;

        Call(long timeNanos, FlowReport.InferredCall call) {
            this.timeNanos = timeNanos;
            this.call = call;
        }

        public long timeNanos() { return timeNanos; }

        public String side() { return call.side(); }

        public FlowReport.InferredCall call() { return call; }

        void set(FlowReport.InferredCall c) { call = c; }
    }

    /** A divergence; {@code side} is the side that sent (or, for a missing packet, would have sent) the packet. */
    public record Diverged(long timeNanos, String side, Divergence divergence) implements Event {}
}
