package io.tcpsim.script;

/**
 * A script that cannot run, located in its file. The message is the one line a user sees:
 * {@code FILE:LINE:COL: what was expected}, with any control character in it escaped ({@link CText#printable}).
 */
public final class ScriptException extends Exception {
    private final String file;
    private final int line;
    private final int column;
    private final String problem;

    public ScriptException(String file, int line, int column, String problem) {
        super(CText.printable(file) + ":" + line + ":" + column + ": " + shortened(CText.printable(problem)));
        this.file = file;
        this.line = line;
        this.column = column;
        this.problem = shortened(CText.printable(problem));
    }

    /** The longest word a message quotes from the script: a megabyte-long name is shown by its start and length. */
    static final int MAX_WORD = 80;

    /** Each word longer than {@link #MAX_WORD} characters cut to its start, with how long it was. */
    static String shortened(String problem) {
        StringBuilder out = new StringBuilder();
        int i = 0, n = problem.length();
        while (i < n) {
            int j = i;
            while (j < n && !isBreak(problem.charAt(j))) j++;
            if (j - i > MAX_WORD) out.append(problem, i, i + MAX_WORD).append("... (").append(j - i).append(" characters)");
            else out.append(problem, i, j);
            if (j < n) out.append(problem.charAt(j));
            i = j + 1;
        }
        return out.toString();
    }

    private static boolean isBreak(char c) {
        return c == ' ' || c == '\'' || c == '"' || c == ',';
    }

    public String file() { return file; }

    public int line() { return line; }

    public int column() { return column; }

    /** The message without the location. */
    public String problem() { return problem; }
}
