package io.tcpsim.script;

/**
 * One token of a step's text. {@code start}/{@code end} are offsets in the step text; {@code bytes} holds a string
 * literal's decoded value.
 */
record Token(Type type, String text, int start, int end, byte[] bytes) {
    enum Type {
        /** {@code [A-Za-z_][A-Za-z0-9_]*} */
        WORD,
        /** a digit or a minus and a digit, then letters, digits, dots: {@code 42}, {@code -1}, {@code 0x800}, {@code 127.0.0.1} */
        NUMBER,
        /** a double-quoted C string */
        STRING,
        /** one of {@code ( ) [ ] { } , = | :} */
        PUNCT,
        /** after the last token */
        END
    }

    boolean is(String punctOrWord) {
        return (type == Type.PUNCT || type == Type.WORD) && text.equals(punctOrWord);
    }

    /** How errors name the token. */
    String describe() {
        return type == Type.END ? "the end of the step" : "'" + text + "'";
    }
}
