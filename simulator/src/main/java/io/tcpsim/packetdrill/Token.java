package io.tcpsim.packetdrill;

/**
 * One token of a .pkt script, as packetdrill's lexer (lexer.l) splits the text. {@code text} is what the grammar
 * sees: a keyword or word as written, a number's digits, a string's or a command's content without its quotes, a
 * {@code %{ }%} block's code; a symbol given with {@code -D}/{@code --define} has already been replaced by its
 * value. {@code source} is the text as written, for error messages.
 */
record Token(Kind kind, String text, String source, int line, int column) {

    enum Kind {
        /** one of the reserved words ({@code ack}, {@code win}, {@code fd}, {@code TS}, ...): never a {@link #WORD} */
        KEYWORD,
        /** {@code --name} (the {@code --} stripped) */
        OPTION,
        /** {@code -?[0-9]*.[0-9]+} */
        FLOAT,
        /** {@code -?[0-9]+} */
        INTEGER,
        /** {@code 0x[0-9a-fA-F]+}; text is the value in decimal */
        HEX,
        /** {@code [a-zA-Z0-9_]+} that is not a keyword */
        WORD,
        /** {@code "..."} */
        STRING,
        /** {@code `...`} */
        BACKQUOTED,
        /** {@code %{ ... }%} */
        CODE,
        /** a dotted IPv4 address */
        IPV4,
        /** an IPv6 address */
        IPV6,
        /** {@code ...} */
        ELLIPSIS,
        /** any other single character: {@code < > ( ) [ ] { } , = | : . - + * ~} and stray ones */
        CHAR,
        /** after the last token */
        END
    }

    boolean isChar(char c) {
        return kind == Kind.CHAR && text.charAt(0) == c;
    }

    boolean isKeyword(String k) {
        return kind == Kind.KEYWORD && text.equals(k);
    }

    /** How errors name the token: {@code 'win'}, {@code end of file}. */
    String describe() {
        if (kind == Kind.END) return "end of file";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < source.length() && b.length() <= 40; i++) {
            char c = source.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        String s = b.length() > 40 ? b.substring(0, 37) + "..." : b.toString();
        return "'" + s + "'";
    }
}
