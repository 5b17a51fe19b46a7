package io.tcpsim.script;

import java.io.ByteArrayOutputStream;

/** C string literals as scripts write them: {@code "a\n\x00"}. Bytes, not characters: {@code \xHH} is one byte. */
public final class CText {
    private CText() {}

    /** How many bytes of data the output shows before it writes {@code ...}. */
    public static final int SHOWN = 64;

    /** The literal for the bytes, quotes included, cut after {@link #SHOWN} bytes with {@code ...} after the quote. */
    public static String quoteShort(byte[] data) {
        if (data.length <= SHOWN) return quote(data, data.length);
        return quote(data, SHOWN) + "...";
    }

    /** The literal for the first {@code n} bytes, quotes included. */
    public static String quote(byte[] data, int n) {
        StringBuilder b = new StringBuilder(n + 2).append('"');
        for (int i = 0; i < n; i++) {
            int c = data[i] & 0xff;
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case 0 -> b.append("\\0");
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                default -> {
                    if (c < 0x20 || c >= 0x7f) b.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
                    else b.append((char) c);
                }
            }
        }
        return b.append('"').toString();
    }

    /**
     * Text that is safe on one line of a terminal: control characters (C0, DEL, C1), line and paragraph separators
     * and the bidirectional overrides are written as {@code \xHH} (or backslash, u and four hex digits); a backslash stays as it is.
     * Every message that quotes what a user wrote (a token, a file name) goes through this.
     */
    public static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean escape = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                    || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
            if (!escape) {
                if (b != null) b.append(c);
                continue;
            }
            if (b == null) b = new StringBuilder(s.length() + 8).append(s, 0, i);
            if (c == '\t') b.append("\\t");
            else if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c <= 0xff) b.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
            else b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
        }
        return b == null ? s : b.toString();
    }

    /** Thrown by {@link #unquote} with the offset (inside the literal) of the bad character. */
    public static final class BadLiteral extends Exception {
        public final int offset;

        BadLiteral(int offset, String message) {
            super(message);
            this.offset = offset;
        }
    }

    /**
     * Decodes the literal that starts at {@code text[start]} (a double quote). Returns the bytes; {@code end[0]} is
     * set to the offset just after the closing quote. Characters above 0x7f are written as their UTF-8 bytes.
     */
    public static byte[] unquote(String text, int start, int[] end) throws BadLiteral {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = start + 1;
        while (true) {
            if (i >= text.length()) throw new BadLiteral(start, "unterminated string: a closing \" is missing");
            char c = text.charAt(i);
            if (c == '"') {
                end[0] = i + 1;
                return out.toByteArray();
            }
            if (c != '\\') {
                int cp = text.codePointAt(i);
                byte[] utf8 = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.write(utf8, 0, utf8.length);
                i += Character.charCount(cp);
                continue;
            }
            if (i + 1 >= text.length()) throw new BadLiteral(i, "unterminated string: a closing \" is missing");
            char e = text.charAt(i + 1);
            switch (e) {
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case '\\' -> out.write('\\');
                case '"' -> out.write('"');
                case 'x' -> {
                    if (i + 3 >= text.length() || hex(text.charAt(i + 2)) < 0 || hex(text.charAt(i + 3)) < 0)
                        throw new BadLiteral(i, "bad escape: \\x needs two hex digits, e.g. \\x0a");
                    out.write(hex(text.charAt(i + 2)) * 16 + hex(text.charAt(i + 3)));
                    i += 2;
                }
                default -> throw new BadLiteral(i, "unknown escape '\\" + e + "'; known: \\n \\r \\t \\0 \\\\ \\\" \\xHH");
            }
            i += 2;
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
