package io.tcpsim.backend;

import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import java.util.List;

/**
 * Where a script's calls run: the model ({@code io.tcpsim.model.Model}) or the real kernel (in trace-replay).
 * The runner, the output and the expectations are shared; a backend only executes calls, moves time and reports
 * what it saw.
 *
 * <p>Processes are named by the script. A backend makes a process the first time a call names it. Descriptors are
 * the numbers the backend returned (per process).
 */
public interface Backend extends AutoCloseable {

    /** "model" or "kernel". */
    String name();

    /** The current time in nanoseconds since the Unix epoch (virtual for the model, CLOCK_REALTIME for the kernel). */
    long now();

    /**
     * Runs one call for the process and returns its result. On the model, a call that would block advances the
     * virtual clock until it can complete, or returns {@link Result#blocked()} when nothing can ever wake it.
     * Afterwards the loopback has settled: every packet the call caused, and every answer to it, has been delivered.
     */
    Result call(String process, Call call);

    /** A call left running ({@link #start}) that returned {@code result} at {@code endTime}. */
    record Completion(String process, Result result, long endTime) {}

    /**
     * Starts the call in the process's own thread, as a threaded program's blocking call runs, and returns at once:
     * the script goes on with other processes' steps while it waits. Its result comes from {@link #completions()}
     * (when something wakes it) or {@link #await(String)}. A process has at most one call running.
     */
    default void start(String process, Call call) {
        throw new UnsupportedOperationException("the " + name() + " backend cannot leave a call running");
    }

    /** The calls left running that have returned since the last time this was asked, in the order they returned. */
    default List<Completion> completions() {
        return List.of();
    }

    /**
     * Waits for the process's running call to return (the model moves its clock event by event; the kernel waits
     * up to its blocked-call limit): its completion, {@link Result#blocked()} when nothing can wake it.
     */
    default Completion await(String process) {
        throw new UnsupportedOperationException("the " + name() + " backend cannot leave a call running");
    }

    /**
     * When the last {@link #call} really ran, as {@code {start, end}} on {@link #now()}'s clock, when the backend can
     * tell better than {@code now()} read around {@code call()}; else null (the model: its calls take virtual time
     * only). The kernel backend measures on the thread that made the system call, and a call that never slept (no
     * voluntary context switch) took only its CPU time: the rest was the host's scheduler, not the call blocking.
     */
    default long[] lastCallSpan() {
        return null;
    }

    /** Moves time forward by {@code nanos}, firing every timer and delivering every packet due on the way. */
    void sleep(long nanos);

    /** The process exits: its descriptors close in ascending order, as do_exit does. */
    void exit(String process);

    /** The scenario's TCP sockets as netstat lists them, in /proc/net/tcp order. */
    List<NetstatRow> netstat();

    /**
     * The sockets {@code ss -tin} lists (its default filter: neither LISTEN, CLOSE, TIME-WAIT nor SYN-RECV), each
     * full socket with its struct tcp_info ({@link NetstatRow#info()}, {@link io.tcpsim.calls.TcpInfo}).
     */
    default List<NetstatRow> ss() {
        throw new NotModelled(NotModelled.words("ss on the " + name() + " backend"));
    }

    /**
     * Called once, before the first step, with the whole script: the backend sets up what it needs (the hosts and
     * the link of a script with {@code hosts:}) and refuses, by throwing {@link NotModelled}, anything in the script
     * it cannot run, so that nothing runs half-way. The default runs loopback scripts only.
     */
    default void prepare(io.tcpsim.script.Script script) {
        if (script.topology() != null) {
            io.tcpsim.script.SourceText at = script.topology().source();
            throw new NotModelled(script.file() + ":" + at.line(0) + ":" + at.column(0) + ": hosts: the " + name()
                    + " backend runs everything on one host's loopback; two hosts on a link are not modelled yet"
                    + " " + NotModelled.DOCS);
        }
    }

    /** One host's netstat table, for a script with {@code hosts:} ({@code host} is its process name). */
    default List<NetstatRow> netstat(String host) {
        throw new UnsupportedOperationException("the " + name() + " backend has no hosts");
    }

    /** A {@code link} step of a script with {@code hosts:}: changes the link at this instant. */
    default void link(LinkCommand command) {
        throw new UnsupportedOperationException("the " + name() + " backend has no link: " + command.text());
    }

    /**
     * Everything that happened since the last call of this method other than the calls themselves: packets,
     * signals, process deaths, in time order.
     */
    List<Event> drainEvents();

    /** Ends the run: a backend may need to finish a capture, or release what it holds. */
    @Override
    default void close() {}
}
