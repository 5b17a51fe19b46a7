package io.tcpsim.run;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Result;
import io.tcpsim.script.Step;
import io.tcpsim.wire.Packet;
import java.util.List;

/**
 * One line of a run's log: what a step did or what the backend saw. Ordered by {@link #time()}, stably (see
 * {@link Runner#ORDER}). Printed by one exhaustive switch on {@link #kind()}.
 */
public sealed interface LogLine {

    enum Kind { PACKET, CALL, SIGNAL, PROCESS_END, STATE, SLEEP, NETSTAT, NOT_REACHED }

    Kind kind();

    long time();

    /** A segment on the loopback wire. */
    record PacketLine(Packet packet) implements LogLine {
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

    /** {@code how} is the text between {@code +++}: "exited", "killed by SIGPIPE". */
    record ProcessEndLine(long time, String process, String how) implements LogLine {
        public Kind kind() { return Kind.PROCESS_END; }
    }

    /** An endpoint's state transition (the model reports them, the kernel cannot). */
    record StateLine(long time, String endpoint, String from, String to, String why) implements LogLine {
        public Kind kind() { return Kind.STATE; }
    }

    record SleepLine(long time, Step.Sleep step) implements LogLine {
        public Kind kind() { return Kind.SLEEP; }
    }

    /** The rows netstat showed (listeners already dropped unless {@code -a}). */
    record NetstatLine(long time, Step.Netstat step, List<NetstatRow> rows) implements LogLine {
        public NetstatLine { rows = List.copyOf(rows); }
        public Kind kind() { return Kind.NETSTAT; }
    }

    /**
     * A step whose process had already ended or was blocked for ever. It fails the run when it states an
     * expectation, which can then not hold.
     */
    record NotReachedLine(long time, Step step, String why) implements LogLine {
        public Kind kind() { return Kind.NOT_REACHED; }
        public boolean failed() { return step instanceof Step.CallStep c && c.expected() != null; }
    }
}
