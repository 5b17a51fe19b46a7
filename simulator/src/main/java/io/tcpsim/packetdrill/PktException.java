package io.tcpsim.packetdrill;

/**
 * A .pkt script that tcpsim's reader cannot take, located in its file. The message is the one line a user sees:
 * {@code FILE:LINE:COL: expected X, found Y}, or {@code FILE:LINE:COL: ... is not supported by tcpsim's .pkt reader
 * yet}. A problem in the command-line arguments has no line: {@code command line: argument N: ...}.
 */
public final class PktException extends Exception {
    private final String file;
    private final int line;
    private final int column;
    private final String problem;

    public PktException(String file, int line, int column, String problem) {
        super(file + ":" + line + ":" + column + ": " + problem);
        this.file = file;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    private PktException(String message, String problem) {
        super(message);
        this.file = null;
        this.line = 0;
        this.column = 0;
        this.problem = problem;
    }

    /** A problem in argument {@code index} (0-based) of the command line packetdrill would have been given. */
    static PktException commandLine(int index, String problem) {
        return new PktException("command line: argument " + (index + 1) + ": " + problem, problem);
    }

    /** The script's name as the caller gave it, or null for a command-line problem. */
    public String file() { return file; }

    /** 1-based; 0 for a command-line problem. */
    public int line() { return line; }

    public int column() { return column; }

    /** The message without the location. */
    public String problem() { return problem; }
}
