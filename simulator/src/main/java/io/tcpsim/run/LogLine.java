package io.tcpsim.run;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.DropReason;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.ProcessEnd;
import io.tcpsim.backend.RstReason;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Result;
import io.tcpsim.script.Step;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import java.util.List;

/**
 * One line of a run's log: what a step did or what the backend saw. Ordered by {@link #time()}, stably (see
 * {@link Runner#ORDER}). Printed by one exhaustive switch on {@link #kind()}.
 */
public sealed interface LogLine {

    enum Kind { PACKET, CALL, SIGNAL, PROCESS_END, STATE, DROP, SLEEP, NETSTAT, NOT_REACHED, LINK, LOST }

    Kind kind();

    long time();

    /** A segment on the loopback wire; {@code rstReason} as in {@link io.tcpsim.backend.Event.PacketSent}. */
    record PacketLine(Packet packet, RstReason rstReason) implements LogLine {
        public PacketLine(Packet packet) {
            this(packet, null);
        }

        public Kind kind() { return Kind.PACKET; }
        public long time() { return packet.timeNanos(); }
    }

    /**
     * A call and what it returned. {@code time} is when it started, {@code endTime} when it returned.
     * {@code resultText} is the result as the output prints it; {@code recorded} lists the expectation texts
     * --record may write, best first. {@code holds} is null when the step states no expectation.
     */
    record CallLine(long time, long endTime, Step.CallStep step, Result result, String resultText,
                    List<String> recorded, Boolean holds) implements LogLine {
        public Kind kind() { return Kind.CALL; }
        public boolean failed() { return Boolean.FALSE.equals(holds); }
    }

    /** {@code how} is fatal, ignored or caught. */
    record SignalLine(long time, String process, int signo, String how) implements LogLine {
        public Kind kind() { return Kind.SIGNAL; }
    }

    /** A process ended: it exited or a signal killed it. */
    record ProcessEndLine(long time, String process, ProcessEnd end) implements LogLine {
        public Kind kind() { return Kind.PROCESS_END; }
        /** The text between {@code +++}: "exited", "killed by SIGPIPE". */
        public String how() { return end.text(); }
    }

    /**
     * An endpoint's state transition (the model reports them, the kernel cannot). {@code from} is null for an
     * endpoint born in {@code to} (a timewait minisock).
     */
    record StateLine(long time, String endpoint, TcpState from, TcpState to, Cause cause, String detail)
            implements LogLine {
        public Kind kind() { return Kind.STATE; }
        /** The cause's description with its detail, as the outputs print it. */
        public String why() { return cause.describe(detail); }
        /** {@code from} as the outputs print it: "-" for a birth. */
        public String fromName() { return from == null ? "-" : from.netstatName(); }
    }

    /** A segment the backend threw away, with the kernel's reason (the model reports them). */
    record DropLine(long time, String endpoint, Segment segment, DropReason reason) implements LogLine {
        public Kind kind() { return Kind.DROP; }
    }

    record SleepLine(long time, Step.Sleep step) implements LogLine {
        public Kind kind() { return Kind.SLEEP; }
    }

    /**
     * The rows netstat showed (listeners already dropped unless {@code -a}). {@code host} is the host (process name)
     * whose table this is, in a script with {@code hosts:} (one line per host); null on loopback.
     */
    record NetstatLine(long time, Step.Netstat step, List<NetstatRow> rows, String host) implements LogLine {
        public NetstatLine { rows = List.copyOf(rows); }
        public NetstatLine(long time, Step.Netstat step, List<NetstatRow> rows) { this(time, step, rows, null); }
        public Kind kind() { return Kind.NETSTAT; }
    }

    /** A {@code link} step, when it took effect. */
    record LinkLine(long time, Step.Link step) implements LogLine {
        public Kind kind() { return Kind.LINK; }
    }

    /**
     * A step whose process had already ended or was blocked for ever. It fails the run when it states an
     * expectation, which can then not hold.
     */
    record NotReachedLine(long time, Step step, String why) implements LogLine {
        public Kind kind() { return Kind.NOT_REACHED; }
        public boolean failed() { return step instanceof Step.CallStep c && c.expected() != null; }
    }

    /** A packet the link lost: its sender sent it (its {@link PacketLine} is just before), the other host never saw it. */
    record LostLine(long time, Segment segment) implements LogLine {
        public Kind kind() { return Kind.LOST; }
    }
}
