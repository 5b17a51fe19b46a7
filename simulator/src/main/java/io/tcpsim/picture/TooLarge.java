package io.tcpsim.picture;

/**
 * A picture past the limits it is drawn within (docs/limits.md): more lifelines than {@link #MAX_COLUMNS}, more
 * marks than {@link #MAX_MARKS}, or more endpoint states to show on hover than {@link #MAX_SNAPSHOTS}. Drawing it
 * would take memory that grows with steps times connections (issue 19, item 10) for a picture no one can read; the
 * command says so in one line and writes nothing.
 */
public final class TooLarge extends RuntimeException {
    /** Lifelines drawn at most: two hundred columns are some 30,000 pixels wide. */
    public static final int MAX_COLUMNS = 200;
    /** Marks (packets, calls, states, notes) drawn at most. */
    public static final int MAX_MARKS = 50_000;
    /** Endpoint states kept for the steps' hover details, summed over the steps. */
    public static final int MAX_SNAPSHOTS = 200_000;

    public TooLarge(String what) {
        super("the picture would be too large: " + what + " (docs/limits.md)");
    }

    static void check(int columns, int marks) {
        if (columns > MAX_COLUMNS)
            throw new TooLarge(columns + " lifelines, and at most " + MAX_COLUMNS + " are drawn");
        if (marks > MAX_MARKS) throw new TooLarge(marks + " marks, and at most " + MAX_MARKS + " are drawn");
    }
}
