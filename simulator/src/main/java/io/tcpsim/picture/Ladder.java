package io.tcpsim.picture;

import java.util.List;

/**
 * A ladder diagram as data: lifelines (columns) and what happens on them (marks), each at a time. Nothing here knows
 * about runs, scripts or backends: {@link RunLadder} builds one from a run, and the same {@link LadderSvg} draws any
 * ladder — a run (two or more endpoints), a check (the model's columns and the kernel's side by side, in two
 * {@link Column#group groups}, the first divergence a {@link Band}), a replayed capture (one ladder per flow).
 *
 * <p>Times are nanoseconds on one clock. Marks at the same time are drawn in list order, so a builder lists them in
 * the order they happened. {@code steps} are the hover details of the HTML page: mark {@code step} indexes them
 * (-1: none). {@code endText} labels the last row ("end of the run", "end of the flow").
 *
 * <p>Several ladders can be drawn one under the other in one picture ({@link LadderSvg#render(String, List, List)}):
 * {@code tcpsim replay} draws one per flow.
 */
public record Ladder(String title, List<String> subtitle, List<Column> columns, List<Mark> marks, long end,
                     List<StepDetail> steps, String endText) {
    public Ladder {
        subtitle = List.copyOf(subtitle);
        columns = List.copyOf(columns);
        marks = List.copyOf(marks);
        steps = List.copyOf(steps);
        if (endText == null) endText = "end of the run";
    }

    /** A ladder whose last row is labelled "end of the run". */
    public Ladder(String title, List<String> subtitle, List<Column> columns, List<Mark> marks, long end,
                  List<StepDetail> steps) {
        this(title, subtitle, columns, marks, end, steps, null);
    }

    /**
     * One lifeline. {@code title} is its first header line ("client 127.0.0.1:42362"), {@code subtitle} the second
     * ("process main · fd c"); {@code group} a heading shared by adjacent columns ("model", "kernel"), or null.
     */
    public record Column(String title, String subtitle, String group) {}

    /** What a step left behind, for the hover panel: a heading and the endpoints' state after it. */
    public record StepDetail(String heading, List<String> lines) {
        public StepDetail { lines = List.copyOf(lines); }
    }

    /** How a mark is coloured; each colour means one thing (see docs/pictures.md and the legend). */
    public enum Tone {
        /** Packets, by what they carry. */
        SYN, DATA, FIN, RST, ACK,
        /** A call that returned normally. */
        OK,
        /** A call that failed with an errno, a fatal signal, a killed process. */
        ERROR,
        /** A step whose expectation did not hold, a divergence. */
        FAILED,
        /** A call blocked for ever, an ignored or caught signal. */
        WARN,
        /**
         * A call inferred but not seen on the wire: a consequence the model predicts (the next call fails), a call
         * that sends nothing (accept). Drawn lighter than the calls that were seen.
         */
        INFERRED,
        /** Something that did not happen, or only happens around the endpoints: not reached, sleep, netstat. */
        MUTED
    }

    /** How a lifeline is drawn from a mark on: held by a process, orphaned (no descriptor), gone. */
    public enum Line { HELD, ORPHAN, ENDED }

    public sealed interface Mark {
        enum Kind { ARROW, NOTE, STATE, SIGNAL, SPAN, BAND, LIFELINE }

        Kind kind();

        long time();

        /** The step it belongs to, an index into {@link Ladder#steps()}; -1 for none. */
        int step();
    }

    /**
     * A packet: sent by column {@code from} at {@code time}, arriving at column {@code to} at {@code arrives}.
     * {@code label} is short (flags, relative numbers); {@code detail} is the full line for hovering.
     */
    public record Arrow(long time, long arrives, int from, int to, String label, Tone tone, String detail, int step)
            implements Mark {
        public Kind kind() { return Kind.ARROW; }
    }

    /** A call and its result, written beside its column. */
    public record Note(long time, int column, String text, Tone tone, String detail, int step) implements Mark {
        public Kind kind() { return Kind.NOTE; }
    }

    /** A state an endpoint entered, written on its column; {@code qualifier} says which endpoint when several share it. */
    public record State(long time, int column, String state, String qualifier, String detail, int step) implements Mark {
        public Kind kind() { return Kind.STATE; }
    }

    /** A signal or a process's end, a marker on its column: {@code tone} ERROR for fatal, WARN or MUTED otherwise. */
    public record Signal(long time, int column, String text, Tone tone, String detail, int step) implements Mark {
        public Kind kind() { return Kind.SIGNAL; }
    }

    /** Something about every column at once (a sleep, a netstat table): a heading and optional lines, across. */
    public record Span(long time, String text, List<String> lines, String detail, int step) implements Mark {
        public Span { lines = List.copyOf(lines); }
        public Kind kind() { return Kind.SPAN; }
    }

    /** A highlighted row across the diagram, e.g. the first divergence of a check. */
    public record Band(long time, String text, String detail, int step) implements Mark {
        public Kind kind() { return Kind.BAND; }
    }

    /** From here on, the column is drawn as {@code line}; {@code text} (may be null) is written on it. */
    public record Lifeline(long time, int column, Line line, String text) implements Mark {
        public Kind kind() { return Kind.LIFELINE; }
        public int step() { return -1; }
    }
}
