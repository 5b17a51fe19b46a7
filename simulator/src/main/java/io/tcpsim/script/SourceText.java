package io.tcpsim.script;

/**
 * A step's text and where each of its characters sits in the file, so that errors point into the original file and
 * --record can rewrite an expectation in place. {@code offsets[i]} is the file offset of character {@code i};
 * {@code offsets[text.length()]} is the offset just after the last one (before a closing quote). {@code style} is
 * the YAML scalar style: {@code '"'}, {@code '\''}, or {@code ' '} for plain (and JSON strings are {@code '"'}).
 */
public record SourceText(String text, int[] offsets, char style, Lines lines) {

    /** Line and column (1-based) of character {@code i} of the text. */
    public int line(int i) { return lines.line(offsets[clamp(i)]); }

    public int column(int i) { return lines.column(offsets[clamp(i)]); }

    /** Offset in the file of the first character. */
    public int start() { return offsets[0]; }

    /** Offset in the file just after the last character. */
    public int end() { return offsets[text.length()]; }

    private int clamp(int i) { return Math.max(0, Math.min(i, text.length())); }

    /**
     * Maps a scalar's decoded value back onto the file, starting at the scalar's first character (after an opening
     * quote). Quoted escapes ({@code \"}, {@code ''}) and folded line breaks are followed; where the two stop
     * agreeing, the remaining characters keep the last offset that was certain.
     */
    static SourceText locate(String value, Lines lines, int start, char style) {
        String src = lines.source();
        int[] off = new int[value.length() + 1];
        int s = start;
        boolean lost = false;
        for (int i = 0; i < value.length(); i++) {
            if (lost) {
                off[i] = s;
                continue;
            }
            char v = value.charAt(i);
            // Indentation and breaks that folding removed.
            while (s < src.length() && src.charAt(s) != v && isFoldable(src.charAt(s))) {
                if (v == ' ' && (src.charAt(s) == '\n' || src.charAt(s) == '\r')) break;
                s++;
            }
            if (s >= src.length()) {
                lost = true;
                off[i] = Math.min(s, src.length());
                continue;
            }
            char c = src.charAt(s);
            off[i] = s;
            if (style == '"' && c == '\\') {
                s += escapeLength(src, s);
            } else if (style == '\'' && c == '\'' && s + 1 < src.length() && src.charAt(s + 1) == '\'') {
                s += 2;
            } else if (c == v) {
                s++;
            } else if (v == ' ' && (c == '\n' || c == '\r')) {
                // A folded line break: the break and the next line's indentation became this one space.
                while (s < src.length() && isFoldable(src.charAt(s))) s++;
            } else {
                lost = true;
            }
        }
        off[value.length()] = s;
        return new SourceText(value, off, style, lines);
    }

    private static boolean isFoldable(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static int escapeLength(String src, int at) {
        if (at + 1 >= src.length()) return 1;
        return switch (src.charAt(at + 1)) {
            case 'x' -> 4;
            case 'u' -> 6;
            case 'U' -> 10;
            default -> 2;
        };
    }

    /** The file's line starts: turns offsets into 1-based lines and columns. */
    public static final class Lines {
        private final String source;
        private final int[] starts;

        public Lines(String source) {
            this.source = source;
            int n = 1;
            for (int i = 0; i < source.length(); i++) if (breaksAfter(source, i)) n++;
            starts = new int[n];
            int k = 1;
            for (int i = 0; i < source.length(); i++) if (breaksAfter(source, i)) starts[k++] = i + 1;
        }

        /**
         * Whether a line ends with character {@code i}: LF, a CR not followed by LF (CR-only files, issue 19 item
         * 17), and NEL, LS and PS, the line breaks SnakeYAML counts in its marks (StreamReader.forward), so that
         * the parser's lines and ours agree.
         */
        private static boolean breaksAfter(String s, int i) {
            char c = s.charAt(i);
            return c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029'
                    || c == '\r' && (i + 1 == s.length() || s.charAt(i + 1) != '\n');
        }

        public String source() { return source; }

        /** How many lines the file has (a last line without a break counts). */
        public int count() { return starts.length; }

        public int line(int offset) {
            int lo = 0, hi = starts.length - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
            }
            return lo + 1;
        }

        public int column(int offset) { return offset - starts[line(offset) - 1] + 1; }

        /** Offset of a 1-based line and column. */
        public int offset(int line, int column) {
            int l = Math.max(1, Math.min(line, starts.length));
            return Math.min(source.length(), starts[l - 1] + Math.max(0, column - 1));
        }

        /** The text of a 1-based line, without its line break. */
        public String text(int line) {
            int s = starts[line - 1];
            int e = line < starts.length ? starts[line] - 1 : source.length();
            if (e > s && source.charAt(e - 1) == '\r') e--;
            return source.substring(s, Math.max(s, e));
        }
    }
}
