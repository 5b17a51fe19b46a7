package io.tcpsim.pktrun;

import io.tcpsim.backend.TcpState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The small part of Python that packetdrill's {@code %{ }%} blocks use to check a socket's TCP_INFO, evaluated
 * (docs/packetdrill.md, "%{ }% blocks"): statements {@code assert EXPR[, MESSAGE]} and {@code NAME = EXPR}, one a line
 * or separated by {@code ;} (a backslash joins lines, {@code #} starts a comment); expressions of integers (decimal,
 * 0x), names, {@code ( )}, {@code not and or}, the comparisons (chained, as {@code 990 <= x <= 1010}),
 * {@code | ^ & << >> + - * // %}, unary {@code - ~}, and a message string formatted with {@code %d} or {@code %s}.
 * The names: the {@code tcpi_*} fields the model knows ({@link io.tcpsim.model.tcp.TcpCalls#tcpInfo}), packetdrill's
 * constants (TCPI_OPT_*, the TCP_* states, TCP_CA_*), True and False, and what an earlier block assigned. Anything else
 * is {@link NotModelled}, never skipped.
 *
 * <p>As in packetdrill, each block reads the TCP_INFO of its time, but the Python runs only when the script has run
 * to its end: a failed assertion is the verdict only if nothing failed after it.
 */
final class PyCode {
    /** The tcp_info fields the model knows (TcpCalls.tcpInfo). */
    static final Set<String> FIELDS = Set.of("tcpi_state", "tcpi_options");

    private static final Map<String, Long> CONSTANTS = constants();

    private static Map<String, Long> constants() {
        Map<String, Long> m = new HashMap<>();
        String[] opts = {"TIMESTAMPS", "SACK", "WSCALE", "ECN", "ECN_SEEN", "SYN_DATA", "USEC_TS", "TFO_CHILD"};
        for (int i = 0; i < opts.length; i++) m.put("TCPI_OPT_" + opts[i], 1L << i);
        for (TcpState s : TcpState.values()) m.put("TCP_" + s.name(), (long) s.code);
        String[] ca = {"Open", "Disorder", "CWR", "Recovery", "Loss"};
        for (int i = 0; i < ca.length; i++) m.put("TCP_CA_" + ca[i], (long) i);
        m.put("True", 1L);
        m.put("False", 0L);
        return m;
    }

    private final String file;
    private final Map<String, Object> vars = new HashMap<>();

    PyCode(String file) {
        this.file = file;
    }

    /** A failed assertion: the block's line and Python's message ({@code AssertionError: 18}). */
    record Failure(int line, String message) {}

    /**
     * Runs one block against {@code info} (null: only checks that every name is known, as a dry run does). Returns
     * the failed assertion, or null.
     */
    Failure run(int line, String code, Map<String, Long> info) throws NotModelled {
        Failure first = null;
        for (String stmt : statements(line, code)) {
            Parser p = new Parser(line, stmt, info);
            if (stmt.startsWith("assert ") || stmt.startsWith("assert(")) {
                p.pos = "assert".length();
                Object v = p.expr();
                String msg = null;
                boolean hasMsg = p.accept(",");
                int msgAt = p.pos;
                if (hasMsg) p.expr();
                p.end();
                if (info != null && !truth(v) && first == null) {
                    if (hasMsg) {
                        Parser m = new Parser(line, stmt, info);
                        m.pos = msgAt;
                        msg = str(m.expr());
                    }
                    first = new Failure(line, "AssertionError" + (msg == null ? "" : ": " + msg));
                }
            } else {
                int eq = stmt.indexOf('=');
                String name = eq < 0 ? "" : stmt.substring(0, eq).trim();
                if (!name.matches("[A-Za-z_][A-Za-z_0-9]*") || stmt.startsWith("==", eq))
                    throw refuse(line, "a statement other than assert or NAME = EXPR");
                p.pos = eq + 1;
                Object v = p.expr();
                p.end();
                vars.put(name, v);
            }
            if (first != null) return first;
        }
        return first;
    }

    private NotModelled refuse(int line, String what) {
        return new NotModelled(file, line, "%{ }% Python: " + what);
    }

    /** The block's statements: backslash-newlines joined, comments dropped, split at newlines and semicolons. */
    private List<String> statements(int line, String code) throws NotModelled {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        String text = code.replace("\\\n", " ");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                cur.append(c);
                if (c == quote) quote = 0;
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                cur.append(c);
            } else if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n') i++;
                i--;
            } else if (c == '\n' || c == ';') {
                if (!cur.toString().isBlank()) out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quote != 0) throw refuse(line, "an unterminated string");
        if (!cur.toString().isBlank()) out.add(cur.toString().trim());
        return out;
    }

    private static boolean truth(Object v) {
        if (v instanceof Long l) return l != 0;
        if (v instanceof String s) return !s.isEmpty();
        if (v instanceof List<?> l) return !l.isEmpty();
        return false;
    }

    private static String str(Object v) {
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) parts.add(o instanceof String s ? "'" + s + "'" : str(o));
            return "(" + String.join(", ", parts) + (l.size() == 1 ? ",)" : ")");
        }
        return String.valueOf(v);
    }

    /** A recursive-descent reader and evaluator of one statement; with no info it checks names only. */
    private final class Parser {
        final int line;
        final String s;
        final Map<String, Long> info;
        int pos;
        /** How deep the expression nests: a bound keeps a hostile block from exhausting the stack. */
        int depth;

        Parser(int line, String s, Map<String, Long> info) {
            this.line = line;
            this.s = s;
            this.info = info;
        }

        void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        boolean accept(String tok) {
            skip();
            if (!s.startsWith(tok, pos)) return false;
            if (Character.isLetter(tok.charAt(0))) {
                int e = pos + tok.length();
                if (e < s.length() && (Character.isLetterOrDigit(s.charAt(e)) || s.charAt(e) == '_')) return false;
            }
            // "<" is not "<<" nor "<="; "*" is not "**"; "/" must be "//"
            int e = pos + tok.length();
            if ((tok.equals("<") || tok.equals(">")) && e < s.length() && (s.charAt(e) == '=' || s.charAt(e) == tok.charAt(0))) return false;
            if ((tok.equals("|") || tok.equals("&")) && e < s.length() && s.charAt(e) == '=') return false;
            pos = e;
            return true;
        }

        void end() throws NotModelled {
            skip();
            if (pos != s.length()) throw refuse(line, "'" + s + "' (expected the end of the statement at '" + s.substring(pos) + "')");
        }

        void deeper() throws NotModelled {
            if (++depth > 100) throw refuse(line, "an expression nested more than 100 deep");
        }

        Object expr() throws NotModelled {
            deeper();
            Object v = and();
            while (accept("or")) {
                Object r = and();
                v = truth(v) ? v : r;
            }
            depth--;
            return v;
        }

        Object and() throws NotModelled {
            Object v = not();
            while (accept("and")) {
                Object r = not();
                v = truth(v) ? r : v;
            }
            return v;
        }

        Object not() throws NotModelled {
            if (accept("not")) {
                deeper();
                Object v = not();
                depth--;
                return truth(v) ? 0L : 1L;
            }
            return comparison();
        }

        Object comparison() throws NotModelled {
            Object left = bitor();
            boolean result = true, any = false;
            while (true) {
                String op = null;
                for (String o : new String[] {"==", "!=", "<=", ">=", "<", ">"}) {
                    if (accept(o)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) break;
                any = true;
                Object right = bitor();
                if (info != null) {
                    long a = num(left), b = num(right);
                    boolean r = switch (op) {
                        case "==" -> a == b;
                        case "!=" -> a != b;
                        case "<=" -> a <= b;
                        case ">=" -> a >= b;
                        case "<" -> a < b;
                        default -> a > b;
                    };
                    result &= r;
                }
                left = right;
            }
            return any ? (result ? 1L : 0L) : left;
        }

        Object bitor() throws NotModelled {
            Object v = bitxor();
            while (accept("|")) v = op(v, bitxor(), '|');
            return v;
        }

        Object bitxor() throws NotModelled {
            Object v = bitand();
            while (accept("^")) v = op(v, bitand(), '^');
            return v;
        }

        Object bitand() throws NotModelled {
            Object v = shift();
            while (accept("&")) v = op(v, shift(), '&');
            return v;
        }

        Object shift() throws NotModelled {
            Object v = arith();
            while (true) {
                if (accept("<<")) v = op(v, arith(), 'l');
                else if (accept(">>")) v = op(v, arith(), 'r');
                else return v;
            }
        }

        Object arith() throws NotModelled {
            Object v = term();
            while (true) {
                if (accept("+")) v = op(v, term(), '+');
                else if (accept("-")) v = op(v, term(), '-');
                else return v;
            }
        }

        Object term() throws NotModelled {
            Object v = factor();
            while (true) {
                if (accept("//")) v = op(v, factor(), '/');
                else if (accept("*")) v = op(v, factor(), '*');
                else if (accept("%")) v = v instanceof String f ? format(f, factor()) : op(v, factor(), '%');
                else return v;
            }
        }

        Object factor() throws NotModelled {
            deeper();
            Object v;
            if (accept("-")) v = op(0L, factor(), '-');
            else if (accept("+")) v = factor();
            else if (accept("~")) {
                Object x = factor();
                v = info == null ? 0L : ~num(x);
            } else v = atom();
            depth--;
            return v;
        }

        Object atom() throws NotModelled {
            skip();
            if (pos >= s.length()) throw refuse(line, "'" + s + "' (an expression is missing)");
            char c = s.charAt(pos);
            if (c == '(') {
                pos++;
                List<Object> items = new ArrayList<>();
                boolean tuple = false;
                items.add(expr());
                while (accept(",")) {
                    tuple = true;
                    skip();
                    if (pos < s.length() && s.charAt(pos) == ')') break;
                    items.add(expr());
                }
                if (!accept(")")) throw refuse(line, "'" + s + "' (expected ')')");
                return tuple ? items : items.get(0);
            }
            if (c == '\'' || c == '"') {
                int e = s.indexOf(c, pos + 1);
                String str = s.substring(pos + 1, e);
                pos = e + 1;
                if (str.contains("\\")) throw refuse(line, "a string with escapes");
                return str;
            }
            if (Character.isDigit(c)) {
                int b = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
                String t = s.substring(b, pos).replace("_", "");
                try {
                    if (t.startsWith("0x") || t.startsWith("0X")) return Long.parseLong(t.substring(2), 16);
                    if (t.length() > 1 && t.startsWith("0")) throw new NumberFormatException();
                    return Long.parseLong(t);
                } catch (NumberFormatException e) {
                    throw refuse(line, "the number " + t);
                }
            }
            if (Character.isLetter(c) || c == '_') {
                int b = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
                String name = s.substring(b, pos);
                skip();
                if (pos < s.length() && (s.charAt(pos) == '(' || s.charAt(pos) == '.' || s.charAt(pos) == '['))
                    throw refuse(line, "calls, attributes and subscripts (" + name + s.charAt(pos) + ")");
                return name(name);
            }
            throw refuse(line, "'" + s + "' (unexpected '" + c + "')");
        }

        Object name(String n) throws NotModelled {
            if (n.startsWith("tcpi_")) {
                if (!FIELDS.contains(n)) throw refuse(line, "the TCP_INFO field " + n + " (the model does not report it yet)");
                if (info == null) return 0L;
                Long v = info.get(n);
                if (v == null) throw refuse(line, "the TCP_INFO field " + n + " of a socket in this state");
                return v;
            }
            if (vars.containsKey(n)) return vars.get(n);
            Long c = CONSTANTS.get(n);
            if (c != null) return c;
            throw refuse(line, "the name " + n);
        }

        long num(Object v) throws NotModelled {
            if (v instanceof Long l) return l;
            throw refuse(line, "a comparison or arithmetic of a non-number");
        }

        Object op(Object a, Object b, char op) throws NotModelled {
            if (info == null) return 0L;
            long x = num(a), y = num(b);
            return switch (op) {
                case '|' -> x | y;
                case '^' -> x ^ y;
                case '&' -> x & y;
                case 'l' -> x << y;
                case 'r' -> x >> y;
                case '+' -> x + y;
                case '-' -> x - y;
                case '*' -> x * y;
                case '/' -> {
                    if (y == 0) throw refuse(line, "a division by zero");
                    yield Math.floorDiv(x, y);
                }
                default -> {
                    if (y == 0) throw refuse(line, "a division by zero");
                    yield Math.floorMod(x, y);
                }
            };
        }

        /** {@code 'cwnd=%d' % x}, {@code '%d %d' % (a, b)}: %d and %s only. */
        Object format(String f, Object args) throws NotModelled {
            List<?> list = args instanceof List<?> l ? l : List.of(args);
            StringBuilder out = new StringBuilder();
            int k = 0;
            for (int i = 0; i < f.length(); i++) {
                char c = f.charAt(i);
                if (c != '%') {
                    out.append(c);
                    continue;
                }
                char t = i + 1 < f.length() ? f.charAt(++i) : 0;
                if (t == '%') out.append('%');
                else if (t == 'd' || t == 's') {
                    if (k >= list.size()) throw refuse(line, "a format with more fields than values");
                    out.append(str(list.get(k++)));
                } else throw refuse(line, "the format %" + t);
            }
            if (k != list.size() && info != null) throw refuse(line, "a format with fewer fields than values");
            return out.toString();
        }
    }
}
