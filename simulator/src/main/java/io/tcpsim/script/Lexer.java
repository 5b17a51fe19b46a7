package io.tcpsim.script;

import java.util.ArrayList;
import java.util.List;

/** Splits a step's text into tokens; errors carry the offset of the offending character. */
final class Lexer {
    private Lexer() {}

    /** A lexical or grammatical problem at an offset of the step text; the parser adds the file location. */
    static final class Problem extends Exception {
        final int offset;

        Problem(int offset, String message) {
            super(message);
            this.offset = offset;
        }
    }

    static List<Token> lex(String text, int from, int to) throws Problem {
        List<Token> out = new ArrayList<>();
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int s = i;
                while (i < to && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) i++;
                out.add(new Token(Token.Type.WORD, text.substring(s, i), s, i, null));
            } else if (Character.isDigit(c) || (c == '-' && i + 1 < to && Character.isDigit(text.charAt(i + 1)))) {
                int s = i++;
                while (i < to && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '.' || text.charAt(i) == '_')) i++;
                out.add(new Token(Token.Type.NUMBER, text.substring(s, i), s, i, null));
            } else if (c == '"') {
                int[] end = new int[1];
                byte[] bytes;
                try {
                    bytes = CText.unquote(text.substring(0, to), i, end);
                } catch (CText.BadLiteral e) {
                    throw new Problem(e.offset, e.getMessage());
                }
                out.add(new Token(Token.Type.STRING, text.substring(i, end[0]), i, end[0], bytes));
                i = end[0];
            } else if (text.startsWith("...", i) && i + 3 <= to) {
                out.add(new Token(Token.Type.PUNCT, "...", i, i + 3, null));
                i += 3;
            } else if ("()[]{},=|:*".indexOf(c) >= 0) {
                out.add(new Token(Token.Type.PUNCT, String.valueOf(c), i, i + 1, null));
                i++;
            } else {
                throw new Problem(i, "unexpected character '" + c + "'");
            }
        }
        out.add(new Token(Token.Type.END, "", to, to, null));
        return out;
    }
}
