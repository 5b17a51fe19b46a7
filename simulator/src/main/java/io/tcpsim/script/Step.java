package io.tcpsim.script;

import io.tcpsim.backend.LinkCommand;
import java.util.List;

/**
 * One step of a script. Every step knows where it was written: {@code line} and {@code column} of its first
 * character, and {@link #source()} maps its text onto the file. Run with one exhaustive switch on {@link #kind()}.
 */
public sealed interface Step {

    enum Kind { CALL, SLEEP, NETSTAT, EXIT, LINK }

    Kind kind();

    /** The process the step belongs to ({@code main} unless the script says). */
    String process();

    SourceText source();

    default int line() { return source().line(0); }

    default int column() { return source().column(0); }

    /**
     * {@code [process:] [name =] call(args) [= expected]}. {@code binds} holds the names the call makes (one for
     * socket/accept/epoll_create, two for pipe/socketpair, none otherwise); {@code expected} is null when the step
     * states nothing. {@code callEnd} is the offset in the step text just after the call's closing parenthesis (or
     * after the {@code ...} that follows it). {@code leftRunning} is a call written {@code call(...) ...}: it runs in
     * its process's own thread while the script goes on with other processes' steps, and its result is printed and
     * checked when it returns (docs/scripts.md, "Calls left running").
     */
    record CallStep(String process, List<String> binds, CallTemplate call, Expectation expected, int callEnd,
                    SourceText source, boolean leftRunning) implements Step {
        public CallStep { binds = List.copyOf(binds); }

        public CallStep(String process, List<String> binds, CallTemplate call, Expectation expected, int callEnd,
                        SourceText source) {
            this(process, binds, call, expected, callEnd, source, false);
        }

        public Kind kind() { return Kind.CALL; }

        /** {@code c = socket()}, {@code [r, w] = pipe()}, {@code close(c)}: the call with the names it makes. */
        public String text() {
            return switch (binds.size()) {
                case 0 -> call.text();
                case 1 -> binds.get(0) + " = " + call.text();
                default -> "[" + String.join(", ", binds) + "] = " + call.text();
            };
        }
    }

    /** {@code sleep 1.5s}: the clock moves for everyone, timers fire on the way. */
    record Sleep(long nanos, String duration, SourceText source) implements Step {
        public Kind kind() { return Kind.SLEEP; }
        public String process() { return Script.MAIN; }
    }

    /**
     * {@code netstat} ({@code -tn}: listeners hidden) or {@code netstat -a} (listeners included); {@code ss}: the
     * connected sockets as {@code ss -tin} shows them, each with its tcp_info line.
     */
    record Netstat(boolean all, boolean ss, SourceText source) implements Step {
        public Netstat(boolean all, SourceText source) { this(all, false, source); }
        public Kind kind() { return Kind.NETSTAT; }
        public String process() { return Script.MAIN; }
    }

    /** {@code exit [process]}: the process ends and its descriptors close in ascending order. */
    record Exit(String process, SourceText source) implements Step {
        public Kind kind() { return Kind.EXIT; }
    }

    /**
     * {@code link down}, {@code link up}, {@code link drop N FROM>TO KIND}: changes the path between the hosts of a
     * script with {@code hosts:}, at this instant, for everyone.
     */
    record Link(LinkCommand command, SourceText source) implements Step {
        public Kind kind() { return Kind.LINK; }
        public String process() { return Script.MAIN; }
    }
}
