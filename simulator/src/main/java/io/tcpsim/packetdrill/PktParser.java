package io.tcpsim.packetdrill;

import io.tcpsim.packetdrill.Packet.Direction;
import io.tcpsim.packetdrill.Packet.Ecn;
import io.tcpsim.packetdrill.Packet.IpInfo;
import io.tcpsim.packetdrill.Token.Kind;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a .pkt script into a {@link PktScript}: grammar only, nothing runs. The language is the one packetdrill's
 * bison grammar (parser.y) accepts, read and restated as a recursive descent, including the checks its actions make
 * while parsing (parser.y's semantic errors and tcp_packet.c's new_tcp_packet): sequence ranges that add up, values
 * within their field's width, {@code *} and time ranges only on outbound packets, {@code <...>} only outbound, a
 * window on every inbound packet, options padded to whole words. Where bison's shift preference decides an
 * ambiguity the same choice is made: {@code {..., N}} is an iovec, {@code A | B | C} groups to the right (kept as one
 * list), and struct fields come in packetdrill's fixed order.
 *
 * <p>Refused with a located message: GRE and MPLS encapsulation (no script in the published tree uses them). Every
 * problem is one line, {@code FILE:LINE:COL: expected X, found Y}; nothing escapes as another exception.
 */
public final class PktParser {

    /** Bytes of TCP options a header holds (tcp_options.h MAX_TCP_OPTION_BYTES: 60 - 20). */
    static final int MAX_OPTION_BYTES = 40;

    private final String file;
    private final PktLexer lexer;
    private final List<Token> ahead = new ArrayList<>();
    private final List<ScriptOption> commandLine;
    private PktConfig config;

    private PktParser(String file, String text, List<ScriptOption> commandLine) throws PktException {
        this.file = file;
        this.commandLine = commandLine;
        // The command line's definitions apply from the first token; the script's own once its options are read.
        PktConfig.Builder b = new PktConfig.Builder();
        for (ScriptOption o : commandLine) b.apply(o, file);
        this.lexer = new PktLexer(file, text, b.defines());
    }

    /** Reads a script run with no command-line options. */
    public static PktScript parse(String file, String text) throws PktException {
        return parse(file, text, List.of());
    }

    /**
     * Reads a script as packetdrill would run it with the given command-line options ({@code --ip_version=ipv4},
     * {@code -D TFO_COOKIE=...}, ...; see {@link PktConfig#commandLine}). {@code file} only names the script in
     * messages.
     */
    public static PktScript parse(String file, String text, List<String> commandLine) throws PktException {
        try {
            return new PktParser(file, text, PktConfig.commandLine(commandLine)).script();
        } catch (StackOverflowError e) {
            throw new PktException(file, 1, 1, "expressions nested too deeply");
        }
    }

    // ---- script, options, events ----

    private PktScript script() throws PktException {
        List<ScriptOption> options = new ArrayList<>();
        while (peek().kind() == Kind.OPTION) options.add(option());
        PktConfig.Builder b = new PktConfig.Builder();
        for (ScriptOption o : options) b.apply(o, file);
        for (ScriptOption o : commandLine) b.apply(o, file);
        config = b.build();
        lexer.define(config.defines());

        Command init = peek().kind() == Kind.BACKQUOTED ? command(take()) : null;
        List<Event> events = new ArrayList<>();
        while (startsEvent(peek())) events.add(event());
        if (events.isEmpty()) throw expected("an event: a time (0, +0.1, 0.1~0.2 or *) and what happens then", peek());
        Command cleanup = peek().kind() == Kind.BACKQUOTED ? command(take()) : null;
        Token end = peek();
        if (end.kind() != Kind.END) {
            if (cleanup != null) {
                throw expected("end of file after the last `command` (only the first and the last may go without "
                        + "a time)", end);
            }
            if (end.kind() == Kind.OPTION) throw at(end, "options (--" + end.text() + ") must come before the first event");
            throw expected("a time (0, +0.1, 0.1~0.2 or *) to start an event", end);
        }
        return new PktScript(file, options, config, init, events, cleanup);
    }

    private ScriptOption option() throws PktException {
        Token name = take();
        String value = null;
        if (peek().isChar('=')) {
            take();
            Token v = take();
            value = switch (v.kind()) {
                case INTEGER, STRING, IPV4, IPV6 -> v.text();
                case KEYWORD -> {
                    if (v.text().equals("ipv4") || v.text().equals("ipv6")) yield v.text();
                    throw expected("a value for --" + name.text() + " (a number, a word, a \"string\" or an address)", v);
                }
                case WORD -> {
                    if (!peek().isChar('=')) yield v.text();
                    take();
                    Token rhs = take();
                    yield switch (rhs.kind()) {
                        case WORD -> v.text() + "=" + rhs.text();
                        case STRING -> v.text() + "=\"" + rhs.text() + "\"";
                        case BACKQUOTED -> v.text() + "=`" + rhs.text() + "`";
                        default -> throw expected("a word, a \"string\" or a `command` after '" + v.text() + "='", rhs);
                    };
                }
                default -> throw expected("a value for --" + name.text() + " (a number, a word, a \"string\" or an address)", v);
            };
        }
        return new ScriptOption(name.text(), value, name.line(), name.column());
    }

    private static boolean startsEvent(Token t) {
        return t.isChar('+') || t.isChar('*') || t.kind() == Kind.FLOAT || t.kind() == Kind.INTEGER;
    }

    private Event event() throws PktException {
        Token first = peek();
        EventTime time;
        if (first.isChar('*')) {
            take();
            time = new EventTime.Any();
        } else if (first.isChar('+')) {
            take();
            long from = time();
            if (peek().isChar('~')) {
                take();
                expectChar('+', "'+' (a range after a relative time is relative too: +0.1~+0.2)");
                time = new EventTime.RelativeRange(from, time());
            } else {
                time = new EventTime.Relative(from);
            }
        } else {
            long from = time();
            if (peek().isChar('~')) {
                take();
                time = new EventTime.AbsoluteRange(from, time());
            } else {
                time = new EventTime.Absolute(from);
            }
        }
        int line = first.line(), column = first.column();
        Token a = peek();
        Event e;
        if (a.isChar('<') || a.isChar('>')) {
            e = new Event.PacketEvent(line, column, time, packet());
        } else if (a.kind() == Kind.ELLIPSIS || a.kind() == Kind.WORD) {
            e = syscall(line, column, time);
        } else if (a.kind() == Kind.BACKQUOTED) {
            e = new Event.CommandEvent(line, column, time, command(take()));
        } else if (a.kind() == Kind.CODE) {
            take();
            e = new Event.CodeEvent(line, column, time, a.text(), a.line() + newlines(a.source()));
        } else {
            throw expected("a packet (< or >), a system call, a `command` or a %{ code }% block", a);
        }
        boolean outboundPacket = e instanceof Event.PacketEvent p && p.packet().direction() == Direction.OUTBOUND;
        if (time instanceof EventTime.AbsoluteRange r && r.toUsecs() < r.fromUsecs()
                || time instanceof EventTime.RelativeRange q && q.toUsecs() < q.fromUsecs()) {
            throw at(first, "time range is backwards");
        }
        if (time instanceof EventTime.Any && !outboundPacket) {
            throw at(first, "event time * can only be used with outbound packets");
        }
        if ((time instanceof EventTime.AbsoluteRange || time instanceof EventTime.RelativeRange) && !outboundPacket) {
            throw at(first, "an event time range can only be used with outbound packets");
        }
        return e;
    }

    /** Seconds, whole or decimal, to microseconds exactly as parser.y's time rule computes them. */
    private long time() throws PktException {
        Token t = take();
        if (t.kind() == Kind.FLOAT) {
            double s = Double.parseDouble(t.text());
            if (s < 0) throw at(t, "negative time");
            return (long) (s * 1.0e6);
        }
        if (t.kind() == Kind.INTEGER) {
            long s = Long.parseLong(t.text());
            if (s < 0) throw at(t, "negative time");
            if (s > Long.MAX_VALUE / 1_000_000) throw at(t, "time " + s + " s is too large");
            return s * 1_000_000;
        }
        throw expected("a time in seconds (0, 1.5, .1)", t);
    }

    private Command command(Token t) {
        return new Command(t.text(), t.line(), t.column(), t.line() + newlines(t.source()));
    }

    private static int newlines(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == '\n') n++;
        return n;
    }

    // ---- system calls and expressions ----

    private Event syscall(int line, int column, EventTime time) throws PktException {
        Long end = null;
        if (peek().kind() == Kind.ELLIPSIS) {
            take();
            end = time();
        }
        Token name = take();
        if (name.kind() != Kind.WORD) throw expected("a system call name", name);
        expectChar('(', "'(' after " + name.text());
        List<Expr> args = new ArrayList<>();
        if (peek().isChar(')')) {
            take();
        } else {
            args = expressions();
            expectChar(')', "',' or ')'");
        }
        expectChar('=', "'=' and the result " + name.text() + " returns");
        Expr result = expression();
        String errno = null, note = null;
        if (peek().kind() == Kind.WORD) {
            errno = take().text();
            if (!peek().isChar('(')) {
                throw expected("the description of " + errno + " in parentheses, e.g. (Operation now in progress)",
                        peek());
            }
            note = note();
        } else if (peek().isChar('(')) {
            note = note();
        }
        return new Event.SyscallEvent(line, column, time, end, name.text(), args, result, errno, note);
    }

    /** {@code (words...)}: an errno's strerror text or a comment on the result (parser.y note, word_list). */
    private String note() throws PktException {
        take();
        StringBuilder b = new StringBuilder();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.WORD || t.isKeyword("flags") || t.isKeyword("Flags")) {
                take();
                if (b.length() > 0) b.append(' ');
                b.append(t.kind() == Kind.WORD ? t.text() : "flags");
            } else if (t.isChar(')') && b.length() > 0) {
                take();
                return b.toString();
            } else {
                throw expected(b.length() == 0 ? "a word of the note" : "a word of the note or ')'", t);
            }
        }
    }

    private List<Expr> expressions() throws PktException {
        List<Expr> out = new ArrayList<>();
        out.add(expression());
        while (peek().isChar(',')) {
            take();
            out.add(expression());
        }
        return out;
    }

    private Expr expression() throws PktException {
        Expr first = term();
        if (!peek().isChar('|')) return first;
        List<Expr> terms = new ArrayList<>();
        terms.add(first);
        while (peek().isChar('|')) {
            take();
            terms.add(term());
        }
        return new Expr.Or(terms, first.line(), first.column());
    }

    private Expr term() throws PktException {
        Token t = peek();
        int l = t.line(), c = t.column();
        switch (t.kind()) {
            case ELLIPSIS:
                take();
                return new Expr.Ellipsis(l, c);
            case INTEGER:
                take();
                return new Expr.Int(Long.parseLong(t.text()), false, l, c);
            case HEX:
                take();
                return new Expr.Int(Long.parseLong(t.text()), true, l, c);
            case WORD:
                take();
                if (peek().isChar('=')) {
                    take();
                    return new Expr.Assign(t.text(), expression(), l, c);
                }
                return new Expr.Word(t.text(), l, c);
            case STRING: {
                take();
                if (peek().kind() == Kind.ELLIPSIS) {
                    take();
                    return new Expr.Str(t.text(), true, l, c);
                }
                StringBuilder b = new StringBuilder(t.text());
                while (peek().kind() == Kind.STRING) b.append(take().text());
                return new Expr.Str(b.toString(), false, l, c);
            }
            case KEYWORD:
                if (t.text().equals("inet_addr") || t.text().equals("inet6_addr")) {
                    take();
                    expectChar('(', "'(' after " + t.text());
                    Token a = expectKind(Kind.STRING, "the address as a \"string\"");
                    expectChar(')', "')'");
                    if (t.text().equals("inet_addr")) return new Expr.InetAddr(a.text(), l, c);
                    if (!PktLexer.isIpv6(a.text())) throw expected("an IPv6 address", a);
                    return new Expr.Inet6Addr(a.text(), l, c);
                }
                break;
            case CHAR:
                if (t.isChar('[')) return array();
                if (t.isChar('{')) return struct();
                break;
            default:
                break;
        }
        throw expected("an expression (a number, a word, a \"string\", [...], {...} or ...)", t);
    }

    private Expr.Array array() throws PktException {
        Token open = take();
        List<Expr> items = List.of();
        if (!peek().isChar(']')) items = expressions();
        expectChar(']', items.isEmpty() ? "']'" : "',' or ']'");
        return new Expr.Array(items, open.line(), open.column());
    }

    private Expr struct() throws PktException {
        Token open = take();
        int l = open.line(), c = open.column();
        Token t = peek();
        if (t.isChar('}') || t.isChar('(')) throw unsupported(open, "an MPLS label stack {(label N, tc N, ttl N)}");
        if (t.isKeyword("flags")) throw unsupported(open, "a GRE header {flags ...}");
        if (t.kind() == Kind.KEYWORD) {
            switch (t.text()) {
                case "sa_family": return sockaddr(l, c);
                case "msg_name": return msghdr(l, c);
                case "cmsg_level": {
                    Expr level = field("cmsg_level", true);
                    Expr type = field("cmsg_type", true);
                    Expr data = field("cmsg_data", false);
                    return close(new Expr.Cmsg(level, type, data, l, c));
                }
                case "scm_sec": {
                    long sec = intField("scm_sec", true);
                    long nsec = intField("scm_nsec", false);
                    return close(new Expr.ScmTimestamping(sec, nsec, l, c));
                }
                case "ee_errno": {
                    Expr errno = field("ee_errno", true);
                    Expr origin = field("ee_origin", true);
                    Expr type = field("ee_type", true);
                    Expr code = field("ee_code", true);
                    Expr info = field("ee_info", true);
                    Expr data = field("ee_data", false);
                    return close(new Expr.SockExtendedErr(errno, origin, type, code, info, data, l, c));
                }
                case "fd": {
                    Expr fd = field("fd", true);
                    Expr events = field("events", false);
                    Expr revents = null;
                    if (peek().isChar(',')) {
                        take();
                        revents = field("revents", false);
                    }
                    return close(new Expr.PollFd(fd, events, revents, l, c));
                }
                case "events": {
                    Expr events = field("events", true);
                    Token k = take();
                    Expr.EpollEvent.DataField f = switch (k.kind() == Kind.KEYWORD ? k.text() : "") {
                        case "fd" -> Expr.EpollEvent.DataField.FD;
                        case "ptr" -> Expr.EpollEvent.DataField.PTR;
                        case "u32" -> Expr.EpollEvent.DataField.U32;
                        case "u64" -> Expr.EpollEvent.DataField.U64;
                        default -> throw expected("fd, ptr, u32 or u64 (the epoll_event's data)", k);
                    };
                    expectChar('=', "'='");
                    return close(new Expr.EpollEvent(events, f, expression(), l, c));
                }
                case "onoff": {
                    long onoff = intField("onoff", true);
                    long linger = intField("linger", false);
                    return close(new Expr.Linger(onoff, linger, l, c));
                }
                default:
                    break;
            }
        }
        if (t.kind() == Kind.ELLIPSIS && peek(1).isChar(',')) {
            // {..., N}: bison shifts into the iovec rule here, so nothing else may follow the ellipsis.
            take();
            take();
            Token n = expectKind(Kind.INTEGER, "the iovec's length (a decimal number)");
            return close(new Expr.IoVec(Long.parseLong(n.text()), l, c));
        }
        List<Expr> items = expressions();
        expectChar('}', "',' or '}'");
        return new Expr.Fields(items, l, c);
    }

    private Expr sockaddr(int l, int c) throws PktException {
        keyword("sa_family");
        expectChar('=', "'='");
        Token family = expectKind(Kind.WORD, "AF_INET or AF_INET6");
        expectChar(',', "','");
        keyword("sin_port");
        expectChar('=', "'='");
        keyword("htons");
        expectChar('(', "'('");
        Token port = expectKind(Kind.INTEGER, "a port number");
        expectChar(')', "')'");
        expectChar(',', "','");
        keyword("sin_addr");
        expectChar('=', "'='");
        keyword("inet_addr");
        expectChar('(', "'('");
        Token addr = expectKind(Kind.STRING, "the address as a \"string\"");
        expectChar(')', "')'");
        long p = Long.parseLong(port.text());
        if (p < 0 || p > 0xffff) throw at(port, "port " + p + " out of range (0-65535)");
        switch (family.text()) {
            case "AF_INET" -> {
                if (!PktLexer.isDottedQuad(addr.text())) throw expected("an IPv4 address", addr);
            }
            case "AF_INET6" -> {
                if (!PktLexer.isIpv6(addr.text())) throw expected("an IPv6 address", addr);
            }
            default -> throw expected("AF_INET or AF_INET6", family);
        }
        return close(new Expr.SockAddr(family.text(), (int) p, addr.text(), l, c));
    }

    private Expr msghdr(int l, int c) throws PktException {
        keyword("msg_name");
        expectChar('(', "'('");
        expectKind(Kind.ELLIPSIS, "'...'");
        expectChar(')', "')'");
        expectChar('=', "'='");
        expectKind(Kind.ELLIPSIS, "'...'");
        expectChar(',', "','");
        keyword("msg_iov");
        expectChar('(', "'('");
        Token n = expectKind(Kind.INTEGER, "the number of iovecs");
        expectChar(')', "')'");
        expectChar('=', "'='");
        if (!peek().isChar('[')) throw expected("'[' and the iovecs", peek());
        Expr.Array iov = array();
        expectChar(',', "','");
        Expr flags = field("msg_flags", false);
        Expr.Array control = new Expr.Array(List.of(), l, c);
        if (peek().isChar(',')) {
            take();
            keyword("msg_control");
            expectChar('=', "'='");
            if (!peek().isChar('[')) throw expected("'[' and the control messages", peek());
            control = array();
        }
        return close(new Expr.MsgHdr(Long.parseLong(n.text()), iov, flags, control, l, c));
    }

    /** {@code name = expression}, then a ',' when {@code more}. */
    private Expr field(String name, boolean more) throws PktException {
        keyword(name);
        expectChar('=', "'=' after " + name);
        Expr e = expression();
        if (more) expectChar(',', "','");
        return e;
    }

    private long intField(String name, boolean more) throws PktException {
        keyword(name);
        expectChar('=', "'=' after " + name);
        Token n = expectKind(Kind.INTEGER, "a number for " + name);
        if (more) expectChar(',', "','");
        return Long.parseLong(n.text());
    }

    private <E extends Expr> E close(E e) throws PktException {
        expectChar('}', "'}'");
        return e;
    }

    // ---- packets ----

    private Packet packet() throws PktException {
        Token d = take();
        Direction dir = d.isChar('<') ? Direction.INBOUND : Direction.OUTBOUND;
        List<Packet.IpHeader> outer = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.isKeyword("ipv4") || t.isKeyword("ipv6")) {
                take();
                int version = t.text().equals("ipv4") ? 4 : 6;
                Kind addr = version == 4 ? Kind.IPV4 : Kind.IPV6;
                IpInfo info = optionalIpInfo(dir);
                Token src = expectKind(addr, "an IPv" + version + " source address");
                expectChar('>', "'>'");
                Token dst = expectKind(addr, "an IPv" + version + " destination address");
                expectChar(':', "':'");
                outer.add(new Packet.IpHeader(version, src.text(), dst.text(), info));
            } else if (t.isKeyword("gre") || t.isKeyword("GREv0")) {
                throw unsupported(t, "GRE encapsulation");
            } else if (t.isKeyword("mpls")) {
                throw unsupported(t, "MPLS encapsulation");
            } else {
                break;
            }
        }
        IpInfo ip = optionalIpInfo(dir);
        if (peek().isKeyword("udp")) return udp(d, dir, outer, ip);
        if (peek().isKeyword("icmp")) return icmp(d, dir, outer, ip);
        return tcp(d, dir, outer, ip);
    }

    private IpInfo optionalIpInfo(Direction dir) throws PktException {
        Token open = peek();
        if (!open.isChar('(') && !open.isChar('[')) return null;
        take();
        Token t = peek();
        Ecn ecn = null;
        Integer tos = null, flowLabel = null, ttl = null;
        boolean tosSpec = true;
        switch (t.kind() == Kind.KEYWORD ? t.text() : "") {
            case "noecn" -> ecn = Ecn.NO_ECN;
            case "ect0" -> ecn = Ecn.ECT0;
            case "ect1" -> ecn = Ecn.ECT1;
            case "ce" -> ecn = Ecn.CE;
            case "ect01" -> {
                if (dir != Direction.OUTBOUND) throw at(t, "[ect01] can only be used with outbound packets");
                ecn = Ecn.ECT01;
            }
            case "tos" -> {
                take();
                Token v = expectKind(Kind.HEX, "the TOS byte in hex (tos 0x10)");
                long n = Long.parseLong(v.text());
                if (n > 0xff) throw at(v, "tos out of range for 8 bits");
                tos = (int) n;
            }
            case "flowlabel" -> {
                tosSpec = false;
                flowLabel = flowLabel();
            }
            case "ttl" -> {
                tosSpec = false;
                take();
                Token v = expectKind(Kind.INTEGER, "the TTL");
                long n = Long.parseLong(v.text());
                if (n < 0 || n > 0xff) throw at(v, "ttl out of range for 8 bits");
                ttl = (int) n;
            }
            default -> throw expected("an IP field: noecn, ect0, ect1, ce, ect01, tos 0xNN, flowlabel 0xNNNNN or ttl N", t);
        }
        if (ecn != null) take();
        if (tosSpec && peek().isChar(',')) {
            take();
            flowLabel = flowLabel();
        }
        expectChar(open.isChar('(') ? ')' : ']', open.isChar('(') ? "')'" : "']'");
        return new IpInfo(ecn, tos, flowLabel, ttl);
    }

    private int flowLabel() throws PktException {
        keyword("flowlabel");
        Token v = expectKind(Kind.HEX, "the flow label in hex (flowlabel 0x12345)");
        long n = Long.parseLong(v.text());
        if (n > 0xfffff) throw at(v, "flowlabel out of range for 20 bits");
        return (int) n;
    }

    /** {@code SRC > DST} before the flags, when written. */
    private int[] optionalPorts() throws PktException {
        if (peek().kind() != Kind.INTEGER || !peek(1).isChar('>')) return null;
        Token s = take();
        take();
        Token d = expectKind(Kind.INTEGER, "a destination port");
        return new int[] {(int) ranged(s, 0xffff, "src port out of range"), (int) ranged(d, 0xffff, "dst port out of range")};
    }

    private Packet udp(Token d, Direction dir, List<Packet.IpHeader> outer, IpInfo ip) throws PktException {
        take();
        if (ip != null && ip.ecn() != null && ip.ecn() != Ecn.ECT01) throw at(d, "ECN can only be used with TCP packets");
        int[] ports = optionalPorts();
        expectChar('(', "'(' and the UDP payload length");
        Token n = expectKind(Kind.INTEGER, "the UDP payload length");
        expectChar(')', "')'");
        int len = (int) ranged(n, 0xffff, "UDP payload size out of range");
        return new Packet.Udp(dir, outer, ip, ports == null ? null : ports[0], ports == null ? null : ports[1], len);
    }

    private Packet icmp(Token d, Direction dir, List<Packet.IpHeader> outer, IpInfo ip) throws PktException {
        take();
        Token type = expectKind(Kind.WORD, "an ICMP type (unreachable, time_exceeded, packet_too_big, ...)");
        String code = peek().kind() == Kind.WORD ? take().text() : null;
        Integer mtu = null, id = null;
        if (peek().isKeyword("mtu")) {
            take();
            mtu = (int) ranged(expectKind(Kind.INTEGER, "the MTU"), 0xffff, "ICMP mtu out of range");
        }
        if (peek().isKeyword("id")) {
            take();
            id = (int) ranged(expectKind(Kind.INTEGER, "the echo id"), 0xffff, "ICMP echo id out of range");
        }
        Packet.Echoed echoed = null;
        if (peek().isChar('[')) {
            take();
            Token t = peek();
            if (t.isKeyword("udp") || t.isKeyword("raw")) {
                take();
                expectChar('(', "'(' and the payload length");
                Token n = expectKind(Kind.INTEGER, "the payload length");
                expectChar(')', "')'");
                echoed = new Packet.Echoed(t.text(), 0, (int) ranged(n, 0xffff, "payload size out of range"));
            } else {
                long[] s = sequence();
                echoed = new Packet.Echoed("tcp", s[0], (int) s[2]);
            }
            expectChar(']', "']'");
        }
        return new Packet.Icmp(dir, outer, ip, type.text(), code, mtu, id, echoed);
    }

    private Packet tcp(Token d, Direction dir, List<Packet.IpHeader> outer, IpInfo ip) throws PktException {
        Long psp = null;
        if (peek().isKeyword("encap")) {
            take();
            keyword("psp");
            keyword("spi");
            Token s = take();
            if (s.kind() != Kind.INTEGER && s.kind() != Kind.HEX) throw expected("the SPI (a number)", s);
            psp = ranged(s, 0xffffffffL, "PSP SPI out of range for 32 bits");
            // psp_packet.c psp_encapsulate: the UDP header around PSP needs its port.
            if (config.pspUdpPort() == null) {
                throw at(d, "attempting to use PSP without specifying its UDP port (--psp_udp_port)");
            }
        }
        int[] ports = optionalPorts();
        Token f = peek();
        String flags;
        if (f.kind() == Kind.WORD) {
            take();
            flags = f.text();
            if (peek().isChar('.')) flags += take().text();
            else if (peek().kind() == Kind.FLOAT) flags += take().text();
        } else if (f.kind() == Kind.FLOAT) {
            flags = take().text();
        } else if (f.isChar('.')) {
            flags = take().text();
        } else if (f.isChar('-')) {
            take();
            flags = "";
        } else {
            throw expected("a packet: udp, icmp, or TCP flags (S, S., P., F., R, ., - for none)", f);
        }
        int bits = flagBits(f, flags);
        long[] seq = sequence();
        Long ack = null;
        Integer window = null, urgent = null;
        if (peek().isKeyword("ack")) {
            take();
            ack = ranged(expectKind(Kind.INTEGER, "the ACK number"), 0xffffffffL, "TCP ack sequence number out of range");
        }
        if (peek().isKeyword("win")) {
            take();
            window = (int) ranged(expectKind(Kind.INTEGER, "the window"), 0xffff, "TCP window value out of range");
        }
        if (peek().isKeyword("urg")) {
            take();
            urgent = (int) ranged(expectKind(Kind.INTEGER, "the urgent pointer"), 0xffff, "urg_ptr value out of range");
        }
        List<TcpOption> options = List.of();
        if (peek().isChar('<')) {
            Token open = take();
            if (peek().kind() == Kind.ELLIPSIS) {
                take();
                expectChar('>', "'>'");
                if (dir != Direction.OUTBOUND) {
                    throw at(open, "<...> for TCP options can only be used with outbound packets");
                }
                options = null;
            } else {
                options = tcpOptions(open);
            }
        }
        if (window == null && dir == Direction.INBOUND) throw at(d, "window must be specified for inbound packets");
        if (psp == null && config.ipVersion() != PktConfig.IpVersion.IPV6) {
            // tcp_packet.c: the whole datagram must fit in 64 KiB (IPv4 header 20, TCP 20).
            int optionBytes = options == null ? 0 : optionBytes(options);
            if (20 + 20 + optionBytes + seq[2] > 64 * 1024) throw at(d, "TCP segment too large");
        }
        return new Packet.Tcp(dir, outer, ip, psp, ports == null ? null : ports[0], ports == null ? null : ports[1],
                flags, bits, seq[0], seq[1], (int) seq[2], ack, window, urgent, options);
    }

    /** The header bits of a flag string, checked as tcp_packet.c is_tcp_flags_spec_valid checks it. */
    private int flagBits(Token at, String flags) throws PktException {
        boolean ecnFlag = false, aceFlag = false;
        int bits = 0;
        int ace = -1;
        for (int i = 0; i < flags.length(); i++) {
            char ch = flags.charAt(i);
            if (".FSRPEWAU01234567".indexOf(ch) < 0) {
                throw at(at, "invalid TCP flag '" + ch + "' (expected F, S, R, P, ., U, E, W, A or an ACE digit 0-7)");
            }
            if ("EWA".indexOf(ch) >= 0) {
                if (aceFlag) throw at(at, "conflicting TCP flag '" + ch + "' (an ACE digit and E, W or A)");
                ecnFlag = true;
            }
            if (ch >= '0' && ch <= '7') {
                if (ecnFlag || aceFlag) throw at(at, "conflicting TCP flag '" + ch + "' (one ACE digit, without E, W or A)");
                aceFlag = true;
                ace = ch - '0';
            }
            bits |= switch (ch) {
                case 'F' -> TcpFlags.FIN;
                case 'S' -> TcpFlags.SYN;
                case 'R' -> TcpFlags.RST;
                case 'P' -> TcpFlags.PSH;
                case '.' -> TcpFlags.ACK;
                case 'U' -> TcpFlags.URG;
                case 'E' -> TcpFlags.ECE;
                case 'W' -> TcpFlags.CWR;
                case 'A' -> 0x100;
                default -> 0;
            };
        }
        if (ace > 0) {
            bits |= ((ace & 1) != 0 ? TcpFlags.ECE : 0) | ((ace & 2) != 0 ? TcpFlags.CWR : 0) | ((ace & 4) != 0 ? 0x100 : 0);
        }
        return bits;
    }

    /** {@code start:end(length)}: {start, end, length}, each within its field and adding up. */
    private long[] sequence() throws PktException {
        Token s = expectKind(Kind.INTEGER, "the sequence range start:end(length)");
        expectChar(':', "':' (start:end(length))");
        Token e = expectKind(Kind.INTEGER, "the end of the sequence range");
        expectChar('(', "'(' and the payload length");
        Token n = expectKind(Kind.INTEGER, "the payload length");
        expectChar(')', "')'");
        long start = ranged(s, 0xffffffffL, "TCP start sequence number out of range");
        long end = ranged(e, 0xffffffffL, "TCP end sequence number out of range");
        long len = ranged(n, 0xffff, "TCP payload size out of range");
        if (end != start + len) {
            throw at(s, "inconsistent TCP sequence numbers and payload size: " + start + " + " + len + " is "
                    + (start + len) + ", not " + end);
        }
        return new long[] {start, end, len};
    }

    private List<TcpOption> tcpOptions(Token open) throws PktException {
        List<TcpOption> out = new ArrayList<>();
        while (true) {
            Token t = peek();
            out.add(tcpOption());
            if (optionBytes(out) > MAX_OPTION_BYTES) throw at(t, "TCP option list too long (more than 40 bytes)");
            Token sep = take();
            if (sep.isChar('>')) break;
            if (!sep.isChar(',')) throw expected("',' or '>'", sep);
        }
        int bytes = optionBytes(out);
        if (bytes % 4 != 0) {
            throw at(open, "TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: "
                    + (bytes % 4) + " excess bytes");
        }
        return out;
    }

    static int optionBytes(List<TcpOption> options) {
        int n = 0;
        for (TcpOption o : options) n += TcpOption.encodedLength(o);
        return n;
    }

    private TcpOption tcpOption() throws PktException {
        Token t = take();
        String k = t.kind() == Kind.KEYWORD ? t.text() : "";
        switch (k) {
            case "nop": return TcpOption.NOP;
            case "eol": return TcpOption.EOL;
            case "mss":
                return new TcpOption.Mss((int) ranged(expectKind(Kind.INTEGER, "the MSS"), 0xffff, "mss value out of range"));
            case "wscale":
                return new TcpOption.WindowScale((int) ranged(expectKind(Kind.INTEGER, "the window scale shift"), 0xff,
                        "window scale shift count out of range"));
            case "sackOK": return TcpOption.SACK_PERMITTED;
            case "sack": {
                List<long[]> blocks = new ArrayList<>();
                do {
                    Token l = expectKind(Kind.INTEGER, "a SACK block left:right");
                    expectChar(':', "':' (left:right)");
                    Token r = expectKind(Kind.INTEGER, "the right edge of the SACK block");
                    blocks.add(new long[] {ranged(l, 0xffffffffL, "TCP SACK left sequence number out of range"),
                            ranged(r, 0xffffffffL, "TCP SACK right sequence number out of range")});
                } while (peek().kind() == Kind.INTEGER);
                return new TcpOption.Sack(blocks);
            }
            case "TS": {
                keyword("val");
                long val = ranged(expectKind(Kind.INTEGER, "the TS value"), 0xffffffffL, "ts val out of range");
                keyword("ecr");
                long ecr = ranged(expectKind(Kind.INTEGER, "the TS echo reply"), 0xffffffffL, "ecr val out of range");
                return new TcpOption.Timestamps(val, ecr);
            }
            case "md5": {
                Token blob = take();
                if (blob.kind() != Kind.WORD && blob.kind() != Kind.INTEGER) throw expected("the MD5 digest in hex", blob);
                String hex = blobText(blob);
                if (hex.length() / 2 > 16) throw at(blob, "TCP MD5 digest longer than 16 bytes");
                byte[] digest = hex(hex);
                if (digest == null) throw at(blob, "TCP MD5 digest is not a valid hex string");
                return new TcpOption.Unknown(19, digest);
            }
            case "FO", "FOEXP": {
                boolean exp = k.equals("FOEXP");
                Token blob = peek();
                String hex = "";
                if (blob.kind() == Kind.WORD || blob.kind() == Kind.INTEGER) hex = blobText(take());
                if (hex.length() % 2 != 0) throw at(blob, "TCP fast open cookie has an odd number of digits");
                int max = MAX_OPTION_BYTES - (exp ? 4 : 2);
                if (hex.length() / 2 > max) {
                    throw at(blob, "TCP fast open cookie of " + hex.length() / 2 + " bytes exceeds maximum cookie "
                            + "length of " + max + " bytes");
                }
                byte[] cookie = hex(hex);
                if (cookie == null) throw at(blob, "TCP fast open cookie '" + hex + "' is not a valid hex string");
                if (!exp) return new TcpOption.Unknown(34, cookie);
                byte[] data = new byte[2 + cookie.length];
                data[0] = (byte) 0xF9; // TCPOPT_FASTOPEN_MAGIC 0xF989 (RFC 7413 section 4.1.3, experimental form)
                data[1] = (byte) 0x89;
                System.arraycopy(cookie, 0, data, 2, cookie.length);
                return new TcpOption.Unknown(254, data);
            }
            case "ECN": return accEcn();
            default:
                throw expected("a TCP option (mss N, wscale N, sackOK, sack L:R, TS val N ecr N, nop, eol, md5 HEX, "
                        + "FO [HEX], FOEXP [HEX], ECN ...)", t);
        }
    }

    /**
     * {@code ECN e0b N [ceb N [e1b N]]} (kind 172, order 0) or {@code ECN e1b N [ceb N [e0b N]]} (kind 174, order
     * 1): Accurate ECN byte counters, 24 bits each, in the order written (draft-ietf-tcpm-accurate-ecn, 3.2.3).
     */
    private TcpOption accEcn() throws PktException {
        Token first = take();
        String last;
        if (first.isKeyword("e0b")) last = "e1b";
        else if (first.isKeyword("e1b")) last = "e0b";
        else throw expected("e0b or e1b (the first AccECN counter)", first);
        List<Long> fields = new ArrayList<>();
        fields.add(accEcnValue());
        if (peek().isKeyword("ceb")) {
            take();
            fields.add(accEcnValue());
            if (peek().isKeyword(last)) {
                take();
                fields.add(accEcnValue());
            }
        }
        byte[] data = new byte[3 * fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            long v = fields.get(i);
            data[3 * i] = (byte) (v >>> 16);
            data[3 * i + 1] = (byte) (v >>> 8);
            data[3 * i + 2] = (byte) v;
        }
        return new TcpOption.Unknown(first.isKeyword("e0b") ? 172 : 174, data);
    }

    private long accEcnValue() throws PktException {
        return ranged(expectKind(Kind.INTEGER, "an AccECN counter"), 0xffffff, "TCP AccECN field value out of range");
    }

    /** A hex blob's text: a word's, or an integer's as written (parser.y hex_blob takes yytext). */
    private static String blobText(Token t) {
        return t.kind() == Kind.INTEGER ? t.source() : t.text();
    }

    private static byte[] hex(String s) {
        if (s.length() % 2 != 0) return null;
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16), lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) return null;
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    // ---- tokens ----

    private Token peek() throws PktException {
        return peek(0);
    }

    private Token peek(int k) throws PktException {
        while (ahead.size() <= k) ahead.add(lexer.next());
        return ahead.get(k);
    }

    private Token take() throws PktException {
        Token t = peek();
        if (t.kind() != Kind.END) ahead.remove(0);
        return t;
    }

    private void expectChar(char c, String what) throws PktException {
        Token t = take();
        if (!t.isChar(c)) throw expected(what, t);
    }

    private void keyword(String k) throws PktException {
        Token t = take();
        if (!t.isKeyword(k)) throw expected("'" + k + "'", t);
    }

    private Token expectKind(Kind kind, String what) throws PktException {
        Token t = take();
        if (t.kind() != kind) throw expected(what, t);
        return t;
    }

    /** An integer token's value, which must lie in 0..max. */
    private long ranged(Token t, long max, String problem) throws PktException {
        long v = Long.parseLong(t.text());
        if (v < 0 || v > max) throw at(t, problem + " (" + t.source() + ")");
        return v;
    }

    private PktException expected(String what, Token found) {
        return new PktException(file, found.line(), found.column(), "expected " + what + ", found " + found.describe());
    }

    private PktException at(Token t, String problem) {
        return new PktException(file, t.line(), t.column(), problem);
    }

    private PktException unsupported(Token t, String what) {
        return new PktException(file, t.line(), t.column(), what + " is not supported by tcpsim's .pkt reader yet");
    }
}
