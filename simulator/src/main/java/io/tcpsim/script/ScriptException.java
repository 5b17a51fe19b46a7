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
        super(CText.printable(file) + ":" + line + ":" + column + ": " + CText.printable(problem));
        this.file = file;
        this.line = line;
        this.column = column;
        this.problem = CText.printable(problem);
    }

    public String file() { return file; }

    public int line() { return line; }

    public int column() { return column; }

    /** The message without the location. */
    public String problem() { return problem; }
}
