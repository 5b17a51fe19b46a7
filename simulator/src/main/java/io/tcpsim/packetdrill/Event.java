package io.tcpsim.packetdrill;

import java.util.List;

/**
 * One line of a script's body. Every event knows the line and column of its time prefix (the line packetdrill's
 * errors name). Run with one exhaustive switch over the four kinds.
 */
public sealed interface Event {

    int line();

    int column();

    EventTime time();

    /** A packet to inject ({@code <}) or to expect ({@code >}). */
    record PacketEvent(int line, int column, EventTime time, Packet packet) implements Event {}

    /**
     * {@code name(args) = result [ERRNO (note)] [(note)]}. {@code endUsecs} is the time after {@code ...} of a call
     * that blocks ({@code +0...0.2 accept(...)}: it returns at 0.2 s, counted from the same point as the start when
     * the start is relative, run.c adjust_relative_event_times), or null. {@code errno} and {@code note} are null
     * when absent; {@code arguments} is empty for {@code ()}.
     */
    record SyscallEvent(int line, int column, EventTime time, Long endUsecs, String name,
                        List<Expr> arguments, Expr result, String errno, String note) implements Event {
        public SyscallEvent { arguments = List.copyOf(arguments); }
    }

    /** {@code `shell command`} with a time: run by /bin/sh at that moment. */
    record CommandEvent(int line, int column, EventTime time, Command command) implements Event {}

    /** {@code %{ python }%}: run by packetdrill's code command (python3) with the socket's TCP_INFO. */
    record CodeEvent(int line, int column, EventTime time, String code, int endLine) implements Event {}
}
