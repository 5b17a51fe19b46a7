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
        super(file + ":" + line + ":" + column + ": " + oneLine(problem));
        this.file = file;
        this.line = line;
        this.column = column;
        this.problem = oneLine(problem);
    }

    /**
     * The problem with its control characters escaped ({@code \n}, {@code \x01}): a quoted string of the script
     * may hold line breaks, and the message is one line (a finding of the fuzzer, docs/fuzzing.md).
     */
    static String oneLine(String problem) {
        StringBuilder b = new StringBuilder(problem.length());
        for (int i = 0; i < problem.length(); i++) {
            char c = problem.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.toString();
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
