package io.tcpsim.packetdrill;

import java.math.BigInteger;
import java.util.Map;
import java.util.Set;

/**
 * Splits a .pkt script into tokens the way packetdrill's flex scanner (lexer.l) does, read and restated: at each
 * position every rule is tried, the longest match wins, and of equally long matches the rule listed first
 * (keywords, {@code ...}, {@code --option}, float, integer, hex, word, string, command, single character,
 * whitespace, comments, code, IPv4, IPv6). So {@code 192.0.2.1} is an address and not a float, {@code ack} a keyword
 * and not a word, {@code 3021b9d8} a word, and {@code +.1} a {@code +} and a float. Whitespace is space, tab and
 * newline only (a carriage return is a stray character, as in flex's {@code [ \t\n]}).
 *
 * <p>A word that names a definition ({@code -D NAME=VALUE} on the command line, {@code --define=NAME=VALUE} in the
 * script) becomes its value, as lexer.l's word() does: a quoted value a string, a backquoted one a command, one that
 * C's strtol reads whole (base 0) an integer, anything else a word.
 */
final class PktLexer {

    /** lexer.l's reserved words. Each is its own token, so none of them can be a symbol, a name or an errno note. */
    static final Set<String> KEYWORDS = Set.of(
            "sa_family", "sin_port", "sin_addr", "msg_name", "msg_iov", "msg_flags", "msg_control", "cmsg_data",
            "cmsg_level", "cmsg_type", "ee_errno", "ee_origin", "ee_type", "ee_code", "ee_info", "ee_data", "scm_sec",
            "scm_nsec", "fd", "u32", "u64", "ptr", "events", "revents", "onoff", "linger", "htons", "ipv4", "ipv6",
            "icmp", "udp", "GREv0", "gre", "raw", "sum", "off", "key", "seq", "none", "checksum", "sequence#",
            "present", "encap", "psp", "spi", "mpls", "label", "tc", "ttl", "inet_addr", "inet6_addr", "ack", "eol",
            "ecr", "mss", "mtu", "nop", "sack", "sackOK", "md5", "TS", "FO", "FOEXP", "ECN", "e0b", "e1b", "ceb", "tos",
            "flowlabel", "flags", "Flags", "val", "win", "urg", "wscale", "ect01", "ect0", "ect1", "noecn", "ce", "id");

    private final String file;
    private final String src;
    private Map<String, String> defines;
    private int pos;
    private int line = 1;
    private int column = 1;

    PktLexer(String file, String src, Map<String, String> defines) {
        this.file = file;
        this.src = src;
        this.defines = defines;
    }

    /** Definitions apply to the words lexed from now on (packetdrill reads the script's own after its options). */
    void define(Map<String, String> defines) {
        this.defines = defines;
    }

    Token next() throws PktException {
        while (true) {
            if (pos >= src.length()) return new Token(Token.Kind.END, "", "", line, column);
            int startLine = line, startColumn = column;
            Match m = longest();
            String text = src.substring(pos, pos + m.length);
            advance(m.length);
            switch (m.rule) {
                case WHITESPACE, CPP_COMMENT, C_COMMENT:
                    continue;
                default:
                    return token(m.rule, text, startLine, startColumn);
            }
        }
    }

    private Token token(Rule rule, String text, int l, int c) throws PktException {
        return switch (rule) {
            case KEYWORD -> new Token(Token.Kind.KEYWORD, text, text, l, c);
            case ELLIPSIS -> new Token(Token.Kind.ELLIPSIS, text, text, l, c);
            case OPTION -> new Token(Token.Kind.OPTION, text.substring(2), text, l, c);
            case FLOAT -> new Token(Token.Kind.FLOAT, text, text, l, c);
            case INTEGER -> new Token(Token.Kind.INTEGER, checkedInteger(text, 10, text, l, c), text, l, c);
            case HEX -> new Token(Token.Kind.HEX, checkedInteger(text.substring(2), 16, text, l, c), text, l, c);
            case WORD -> word(text, l, c);
            case STRING -> new Token(Token.Kind.STRING, text.substring(1, text.length() - 1), text, l, c);
            case BACKQUOTED -> new Token(Token.Kind.BACKQUOTED, text.substring(1, text.length() - 1), text, l, c);
            case CODE -> new Token(Token.Kind.CODE, code(text), text, l, c);
            case IPV4 -> new Token(Token.Kind.IPV4, text, text, l, c);
            case IPV6 -> new Token(Token.Kind.IPV6, text, text, l, c);
            case CHAR -> new Token(Token.Kind.CHAR, text, text, l, c);
            case WHITESPACE, CPP_COMMENT, C_COMMENT -> throw new IllegalStateException("skipped above");
        };
    }

    private Token word(String text, int l, int c) {
        String value = defines.get(text);
        if (value == null) return new Token(Token.Kind.WORD, text, text, l, c);
        if (value.startsWith("\"") && value.length() >= 2) {
            return new Token(Token.Kind.STRING, value.substring(1, value.length() - 1), text, l, c);
        }
        if (value.startsWith("`") && value.length() >= 2) {
            return new Token(Token.Kind.BACKQUOTED, value.substring(1, value.length() - 1), text, l, c);
        }
        Long n = strtolWhole(value);
        if (n != null) return new Token(Token.Kind.INTEGER, Long.toString(n), text, l, c);
        return new Token(Token.Kind.WORD, value, text, l, c);
    }

    /**
     * C's {@code strtol(s, &end, 0)} when it consumes all of {@code s} without saturating: optional leading
     * whitespace and sign, then {@code 0x} hex, {@code 0} octal or decimal. Null otherwise.
     */
    static Long strtolWhole(String s) {
        int i = 0;
        while (i < s.length() && " \t\n\r\f\u000b".indexOf(s.charAt(i)) >= 0) i++;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) negative = s.charAt(i++) == '-';
        int radix = 10;
        if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
            if (i + 2 < s.length() && Character.digit(s.charAt(i + 2), 16) >= 0) {
                radix = 16;
                i += 2;
            }
        } else if (s.startsWith("0", i)) {
            radix = 8;
        }
        int digits = i;
        while (i < s.length() && Character.digit(s.charAt(i), radix) >= 0) i++;
        if (i == digits || i != s.length()) return null;
        BigInteger v = new BigInteger(s.substring(digits, i), radix);
        if (negative) v = v.negate();
        if (v.bitLength() > 63) return null;
        long n = v.longValue();
        return n == Long.MIN_VALUE || n == Long.MAX_VALUE ? null : n;
    }

    private String checkedInteger(String digits, int radix, String as, int l, int c) throws PktException {
        BigInteger v = new BigInteger(digits, radix);
        if (v.bitLength() > 63) throw new PktException(file, l, c, "number " + as + " does not fit in 64 bits");
        return v.toString();
    }

    /** A code block's content: between the delimiters, without the spaces and tabs next to them (lexer.l code()). */
    private static String code(String text) {
        int s = 2, e = text.length() - 2;
        while (s < e && (text.charAt(s) == ' ' || text.charAt(s) == '\t')) s++;
        while (e > s && (text.charAt(e - 1) == ' ' || text.charAt(e - 1) == '\t')) e--;
        return text.substring(s, e);
    }

    private void advance(int n) {
        for (int i = 0; i < n; i++) {
            if (src.charAt(pos++) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
    }

    // ---- the rules, in lexer.l's order (which decides ties) ----

    private enum Rule {
        KEYWORD, ELLIPSIS, OPTION, FLOAT, INTEGER, HEX, WORD, STRING, BACKQUOTED, CHAR, WHITESPACE, CPP_COMMENT,
        C_COMMENT, CODE, IPV4, IPV6
    }

    private record Match(Rule rule, int length) {}

    private Match longest() {
        Rule best = Rule.CHAR;
        int bestLength = 0;
        int[] lengths = new int[Rule.values().length];
        int word = run(pos, PktLexer::isWordChar);
        if (word > 0) {
            String w = src.substring(pos, pos + word);
            if (KEYWORDS.contains(w)) lengths[Rule.KEYWORD.ordinal()] = word;
            else if (w.equals("sequence") && at(pos + word) == '#') lengths[Rule.KEYWORD.ordinal()] = word + 1;
            lengths[Rule.WORD.ordinal()] = word;
        }
        lengths[Rule.ELLIPSIS.ordinal()] = src.startsWith("...", pos) ? 3 : 0;
        if (src.startsWith("--", pos)) {
            int n = run(pos + 2, PktLexer::isWordChar);
            lengths[Rule.OPTION.ordinal()] = n > 0 ? 2 + n : 0;
        }
        lengths[Rule.FLOAT.ordinal()] = floatLength();
        lengths[Rule.INTEGER.ordinal()] = integerLength();
        if (src.startsWith("0x", pos)) {
            int n = run(pos + 2, ch -> Character.digit(ch, 16) >= 0);
            lengths[Rule.HEX.ordinal()] = n > 0 ? 2 + n : 0;
        }
        lengths[Rule.STRING.ordinal()] = quotedLength('"');
        lengths[Rule.BACKQUOTED.ordinal()] = quotedLength('`');
        char c = src.charAt(pos);
        lengths[Rule.CHAR.ordinal()] = c == ' ' || c == '\t' || c == '\n' ? 0 : 1;
        lengths[Rule.WHITESPACE.ordinal()] = run(pos, ch -> ch == ' ' || ch == '\t' || ch == '\n');
        lengths[Rule.CPP_COMMENT.ordinal()] = cppCommentLength();
        lengths[Rule.C_COMMENT.ordinal()] = delimitedLength("/*", '*', '/');
        lengths[Rule.CODE.ordinal()] = delimitedLength("%{", '}', '%');
        lengths[Rule.IPV4.ordinal()] = ipv4Length();
        lengths[Rule.IPV6.ordinal()] = ipv6Length();
        for (Rule r : Rule.values()) {
            if (lengths[r.ordinal()] > bestLength) {
                bestLength = lengths[r.ordinal()];
                best = r;
            }
        }
        return new Match(best, bestLength);
    }

    private char at(int i) {
        return i < src.length() ? src.charAt(i) : '\0';
    }

    private interface CharTest {
        boolean test(char c);
    }

    private int run(int from, CharTest t) {
        int i = from;
        while (i < src.length() && t.test(src.charAt(i))) i++;
        return i - from;
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private int floatLength() {
        int i = pos;
        if (at(i) == '-') i++;
        i += run(i, PktLexer::isDigit);
        if (at(i) != '.') return 0;
        int fraction = run(i + 1, PktLexer::isDigit);
        return fraction == 0 ? 0 : i + 1 + fraction - pos;
    }

    private int integerLength() {
        int i = pos;
        if (at(i) == '-') i++;
        int n = run(i, PktLexer::isDigit);
        return n == 0 ? 0 : i + n - pos;
    }

    /**
     * {@code Q (\\. | [^Q])* Q}, longest match: a backslash may start an escape (taking any character but a
     * newline) or stand for itself, so both readings are followed at once.
     */
    private int quotedLength(char q) {
        if (at(pos) != q) return 0;
        boolean inside = true, escaped = false;
        int accepted = 0;
        for (int i = pos + 1; i < src.length() && (inside || escaped); i++) {
            char c = src.charAt(i);
            boolean nextInside = false, nextEscaped = false;
            if (inside) {
                if (c == q) accepted = i + 1 - pos;
                else nextInside = true;
                if (c == '\\') nextEscaped = true;
            }
            if (escaped && c != '\n') nextInside = true;
            inside = nextInside;
            escaped = nextEscaped;
        }
        return accepted;
    }

    /** {@code // ...} up to and including the newline (lexer.l requires the newline). */
    private int cppCommentLength() {
        if (!src.startsWith("//", pos)) return 0;
        int nl = src.indexOf('\n', pos);
        return nl < 0 ? 0 : nl + 1 - pos;
    }

    /**
     * {@code OPEN ([^A] | A[^B])* A B}: C comments ({@code A B} = {@code * /}) and code blocks ({@code } %}).
     * The first {@code A B} that is not the second half of an {@code A x} pair ends it; unterminated is no match.
     */
    private int delimitedLength(String open, char a, char b) {
        if (!src.startsWith(open, pos)) return 0;
        boolean afterA = false;
        for (int i = pos + open.length(); i < src.length(); i++) {
            char c = src.charAt(i);
            if (afterA) {
                if (c == b) return i + 1 - pos;
                afterA = false;
            } else if (c == a) {
                afterA = true;
            }
        }
        return 0;
    }

    private int ipv4Length() {
        int i = pos;
        for (int part = 0; part < 4; part++) {
            if (part > 0) {
                if (at(i) != '.') return 0;
                i++;
            }
            int n = run(i, PktLexer::isDigit);
            if (n == 0) return 0;
            i += n;
        }
        return i - pos;
    }

    /** The longest prefix of the hex digits, colons and dots here that is an IPv6 address. */
    private int ipv6Length() {
        int n = run(pos, ch -> Character.digit(ch, 16) >= 0 || ch == ':' || ch == '.');
        for (int len = n; len >= 2; len--) {
            if (isIpv6(src.substring(pos, pos + len))) return len;
        }
        return 0;
    }

    /**
     * RFC 4291 section 2.2 text forms: eight groups of 1-4 hex digits, or fewer with one {@code ::}; the last 32 bits
     * may be a dotted IPv4 address when a {@code ::} is present (the forms lexer.l's ipv6_addr lists).
     */
    static boolean isIpv6(String s) {
        if (s.indexOf(':') < 0) return false;
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) return false;
        String head = gap >= 0 ? s.substring(0, gap) : s;
        String tail = gap >= 0 ? s.substring(gap + 2) : "";
        int groups = 0;
        String[] parts = (head.isEmpty() ? new String[0] : head.split(":", -1));
        String[] tailParts = (tail.isEmpty() ? new String[0] : tail.split(":", -1));
        for (int i = 0; i < parts.length; i++) {
            if (!isHexGroup(parts[i])) return false;
            groups++;
        }
        for (int i = 0; i < tailParts.length; i++) {
            String p = tailParts[i];
            if (i == tailParts.length - 1 && p.indexOf('.') >= 0) {
                if (!isDottedQuad(p)) return false;
                groups += 2;
            } else {
                if (!isHexGroup(p)) return false;
                groups++;
            }
        }
        return gap >= 0 ? groups <= 7 : groups == 8;
    }

    private static boolean isHexGroup(String p) {
        if (p.isEmpty() || p.length() > 4) return false;
        for (int i = 0; i < p.length(); i++) if (Character.digit(p.charAt(i), 16) < 0) return false;
        return true;
    }

    /** Four decimal parts of at most 255 without leading zeros, as inet_pton(AF_INET) takes them. */
    static boolean isDottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) return false;
            for (int i = 0; i < p.length(); i++) if (!isDigit(p.charAt(i))) return false;
            if (Integer.parseInt(p) > 255) return false;
        }
        return true;
    }
}
