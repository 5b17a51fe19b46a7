package io.tcpsim.script;

import io.tcpsim.backend.LinkCommand;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.wire.SockAddr;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The grammar of one step: {@code [process:] [name =] call(args) [= expected]}, or a directive
 * ({@code sleep 1.5s}, {@code netstat [-a]}, {@code exit [process]}). It checks descriptor names against what the
 * steps before made and closed ({@link Names}), so that a script that parses can run.
 */
final class StepParser {

    /** Every call a script can make, with its forms, for "unknown call" and "wrong number of arguments". */
    static final Map<String, String> SIGNATURES = new TreeMap<>(Map.ofEntries(
            Map.entry("accept", "accept(fd) or accept(fd, SOCK_NONBLOCK)"),
            Map.entry("accept4", "accept4(fd) or accept4(fd, FLAGS)"),
            Map.entry("bind", "bind(fd, A.B.C.D:PORT)"),
            Map.entry("close", "close(fd)"),
            Map.entry("connect", "connect(fd, A.B.C.D:PORT)"),
            Map.entry("dup", "dup(fd)"),
            Map.entry("readv", "readv(fd, [N, N, ...])"),
            Map.entry("recvfrom", "recvfrom(fd, N[, FLAGS])"),
            Map.entry("recvmsg", "recvmsg(fd, [N, N, ...][, FLAGS])"),
            Map.entry("sendmsg", "sendmsg(fd, [DATA, DATA, ...][, FLAGS])"),
            Map.entry("sendto", "sendto(fd, DATA, FLAGS, A.B.C.D:PORT)"),
            Map.entry("writev", "writev(fd, [DATA, DATA, ...])"),
            Map.entry("dup2", "dup2(fd, NEWFD)"),
            Map.entry("epoll_create", "epoll_create()"),
            Map.entry("epoll_create1", "epoll_create1(0)"),
            Map.entry("epoll_ctl", "epoll_ctl(epfd, ADD|MOD|DEL, fd, EVENTS)"),
            Map.entry("epoll_wait", "epoll_wait(epfd[, MAXEVENTS[, TIMEOUT_MS]])"),
            Map.entry("fork", "fork(CHILD): CHILD names the new process"),
            Map.entry("fcntl", "fcntl(fd, F_GETFL) or fcntl(fd, F_SETFL, FLAGS)"),
            Map.entry("getpeername", "getpeername(fd), or sa = getpeername(fd) to name the address"),
            Map.entry("getsockname", "getsockname(fd), or sa = getsockname(fd) to name the address"),
            Map.entry("ioctl", "ioctl(fd, FIONREAD|SIOCINQ|SIOCOUTQ|SIOCOUTQNSD)"),
            Map.entry("getsockopt", "getsockopt(fd, OPTION), e.g. getsockopt(fd, SO_ERROR)"),
            Map.entry("listen", "listen(fd, BACKLOG)"),
            Map.entry("pipe", "pipe()"),
            Map.entry("poll", "poll(fd, EVENTS[, TIMEOUT_MS]) or poll([fd, EVENTS], ...[, TIMEOUT_MS])"),
            Map.entry("read", "read(fd, N)"),
            Map.entry("recv", "recv(fd, N[, FLAGS])"),
            Map.entry("select", "select([fd, ...], [fd, ...], [fd, ...][, TIMEOUT_MS])"),
            Map.entry("send", "send(fd, DATA[, FLAGS])"),
            Map.entry("setsockopt", "setsockopt(fd, OPTION, VALUE) or setsockopt(fd, SO_LINGER, ONOFF, SECONDS)"),
            Map.entry("shutdown", "shutdown(fd, SHUT_RD|SHUT_WR|SHUT_RDWR)"),
            Map.entry("signal", "signal(SIGPIPE, SIG_IGN|SIG_DFL|handler)"),
            Map.entry("socket", "socket(), socket(SOCK_NONBLOCK) or socket(AF_INET, SOCK_STREAM[|FLAGS], 0)"),
            Map.entry("socketpair", "socketpair()"),
            Map.entry("write", "write(fd, DATA)")));

    static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DIRECTIVE =
            Pattern.compile("\\s*(?:([A-Za-z_]\\w*)\\s*:\\s*)?(sleep|netstat|ss|exit|link)(?=\\s|$)\\s*(.*?)\\s*", Pattern.DOTALL);
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(s|ms|us)");
    private static final Map<String, Integer> EPOLL_EVENT_NAMES = Bits.EPOLL_NAMES;

    private final String file;
    private final SourceText src;
    private final Names names;
    /** The script's hosts, or null for a loopback script. */
    private final Topology topology;
    /** The process a mapping key gave, or null for a plain string step. */
    private final String keyProcess;
    private List<Token> toks;
    private int pos;

    private StepParser(String file, SourceText src, Names names, String keyProcess, Topology topology) {
        this.file = file;
        this.src = src;
        this.names = names;
        this.keyProcess = keyProcess;
        this.topology = topology;
    }

    /** A located argument: its tokens and where it starts in the step text. */
    private record Arg(List<Token> toks, int start, int end) {
        Token first() { return toks.get(0); }
    }

    /** A descriptor named in an argument, checked once the expectation is known (EBADF permits closed names). */
    private record Use(String name, int at) {}

    static Step parse(String file, SourceText src, Names names, String keyProcess, Topology topology) throws ScriptException {
        return new StepParser(file, src, names, keyProcess, topology).step();
    }

    static Step parse(String file, SourceText src, Names names, String keyProcess) throws ScriptException {
        return parse(file, src, names, keyProcess, null);
    }

    /**
     * A duration as sleep and link delay take it: a number and a unit s, ms or us, in whole nanoseconds; or
     * {@code 0} alone. Throws with the problem's words (the caller adds where).
     */
    static long duration(String text, String example) {
        if (text.equals("0")) return 0;
        Matcher m = DURATION.matcher(text);
        if (!m.matches())
            throw new IllegalArgumentException("bad duration '" + text + "'; expected a number and a unit s, ms or us, e.g. " + example);
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(switch (m.group(2)) {
            case "s" -> 1_000_000_000L;
            case "ms" -> 1_000_000L;
            default -> 1_000L;
        }));
        if (nanos.stripTrailingZeros().scale() > 0)
            throw new IllegalArgumentException("bad duration '" + text + "': the clock counts whole nanoseconds");
        if (nanos.compareTo(BigDecimal.valueOf(ScriptParser.MAX_SLEPT_NANOS)) > 0)
            throw new IllegalArgumentException("bad duration '" + text + "': too long");
        return nanos.longValueExact();
    }

    private ScriptException error(int at, String message) {
        return new ScriptException(file, src.line(at), src.column(at), message);
    }

    private Step step() throws ScriptException {
        String text = src.text();
        if (text.isBlank()) throw error(0, "empty step: expected a call like close(c), or sleep, netstat, exit");
        Matcher d = DIRECTIVE.matcher(text);
        if (d.matches() && !d.group(3).startsWith("=") && !d.group(3).startsWith("(")) return directive(d);
        try {
            toks = Lexer.lex(text, 0, text.length());
        } catch (Lexer.Problem p) {
            throw error(p.offset, p.getMessage());
        }
        pos = 0;
        return callStep();
    }

    private String process(String prefix, int at) throws ScriptException {
        if (prefix != null && keyProcess != null)
            throw error(at, "process given twice: '" + keyProcess + "' as the key and '" + prefix + "' in the step");
        String p = prefix != null ? prefix : keyProcess != null ? keyProcess : Script.MAIN;
        names.seen(p);
        Integer exited = names.exitedAt(p);
        if (exited != null) throw error(at, "process '" + p + "' exited at line " + exited + "; it runs no further steps");
        return p;
    }

    private Step directive(Matcher d) throws ScriptException {
        String word = d.group(2);
        String rest = d.group(3);
        int restAt = d.start(3);
        if (!word.equals("exit") && (d.group(1) != null || keyProcess != null))
            throw error(d.start(1) >= 0 ? d.start(1) : 0, "'" + word + "' concerns every process: write it without one");
        switch (word) {
            case "sleep" -> {
                if (rest.equals("0")) throw error(restAt, "bad duration '0'; expected a number and a unit s, ms or us, e.g. sleep 1.5s");
                try {
                    return new Step.Sleep(duration(rest, "sleep 1.5s"), rest, src);
                } catch (IllegalArgumentException x) {
                    throw error(restAt, x.getMessage());
                }
            }
            case "link" -> {
                return link(rest, restAt);
            }
            case "ss" -> {
                if (!rest.isEmpty() && !rest.equals("-tin"))
                    throw error(restAt, "ss takes no option (it prints what ss -tin prints), got '" + rest + "'");
                return new Step.Netstat(false, true, src);
            }
            case "netstat" -> {
                if (!rest.isEmpty() && !rest.equals("-a"))
                    throw error(restAt, "netstat takes no option (netstat -tn) or -a (listeners too), got '" + rest + "'");
                return new Step.Netstat(rest.equals("-a"), src);
            }
            default -> {
                String target;
                int at;
                if (rest.isEmpty()) {
                    target = null;
                    at = d.start(2);
                } else if (IDENT.matcher(rest).matches()) {
                    target = rest;
                    at = restAt;
                } else {
                    throw error(restAt, "exit takes a process name, got '" + rest + "'");
                }
                String prefix = d.group(1);
                if (target != null && (prefix != null || keyProcess != null))
                    throw error(at, "process given twice: write 'exit " + target + "' or '" + target + ": exit'");
                String p = target != null ? process(target, at) : process(prefix, d.start(2));
                names.exit(p, src.line(0));
                return new Step.Exit(p, src);
            }
        }
    }

    private static final Pattern LINK_DROP = Pattern.compile(
            "drop(?:\\s+(\\S+))?(?:\\s+(\\S+))?(?:\\s+(\\S+))?(?:\\s+after\\s+(\\S+))?(?:\\s+(.*))?", Pattern.DOTALL);
    private static final String LINK_FORMS = "link down, link up or link drop COUNT FROM>TO KIND [after SKIP]";

    /** {@code link down}, {@code link up}, {@code link drop COUNT FROM>TO KIND}. */
    private Step link(String rest, int restAt) throws ScriptException {
        if (topology == null)
            throw error(0, "'link' needs the script's hosts: (a link joins two hosts; without hosts: everything is on loopback)");
        if (rest.equals("down")) return new Step.Link(new LinkCommand.Down(), src);
        if (rest.equals("up")) return new Step.Link(new LinkCommand.Up(), src);
        if (rest.isEmpty()) throw error(restAt, "expected " + LINK_FORMS);
        Matcher m = LINK_DROP.matcher(rest);
        if (!m.matches()) throw error(restAt, "expected " + LINK_FORMS + ", got '" + rest + "'");
        if (m.group(1) == null) throw error(restAt + rest.length(), "expected the number of packets to drop: " + LINK_FORMS);
        int at = restAt + m.start(1);
        String n = m.group(1);
        if (!n.matches("-?[0-9]+")) throw error(at, "expected the number of packets to drop, got '" + n + "': " + LINK_FORMS);
        if (n.startsWith("-") || n.matches("0+")) throw error(at, "the number of packets to drop must be at least 1, got " + n);
        long count = n.length() > 10 ? Long.MAX_VALUE : Long.parseLong(n);
        if (count > Integer.MAX_VALUE) throw error(at, "at most " + Integer.MAX_VALUE + " packets per drop, got " + n);
        if (m.group(2) == null) throw error(restAt + rest.length(), "expected a direction FROM>TO after the count, e.g. "
                + String.join(">", topology.names()));
        at = restAt + m.start(2);
        String dir = m.group(2);
        int gt = dir.indexOf('>');
        if (gt < 0) throw error(at, "expected a direction FROM>TO, e.g. " + String.join(">", topology.names()) + ", got '" + dir + "'");
        String from = dir.substring(0, gt), to = dir.substring(gt + 1);
        for (String h : List.of(from, to)) {
            if (!topology.hosts().containsKey(h))
                throw error(at + (h == from ? 0 : gt + 1), "unknown host '" + h + "' in the direction; hosts: "
                        + String.join(", ", topology.names()));
        }
        if (from.equals(to)) throw error(at, "a direction joins two different hosts, got '" + dir + "'");
        if (m.group(3) == null) throw error(restAt + rest.length(), "expected the kind of packet after the direction: "
                + LinkCommand.Kind.names());
        at = restAt + m.start(3);
        LinkCommand.Kind kind = LinkCommand.Kind.of(m.group(3));
        if (kind == null) throw error(at, "unknown packet kind '" + m.group(3) + "'; valid: " + LinkCommand.Kind.names());
        int skip = 0;
        if (m.group(4) != null) {
            String k = m.group(4);
            if (!k.matches("[0-9]{1,10}") || Long.parseLong(k) > Integer.MAX_VALUE)
                throw error(restAt + m.start(4), "expected the number of matching packets to let through after 'after', got '" + k + "'");
            skip = Integer.parseInt(k);
        }
        if (m.group(5) != null) throw error(restAt + m.start(5), "unexpected '" + m.group(5) + "' after the kind: " + LINK_FORMS);
        return new Step.Link(new LinkCommand.Drop(from, to, kind, (int) count, skip), src);
    }

    // ---- call steps --------------------------------------------------------------------------------------------

    private Token peek(int k) {
        return toks.get(Math.min(pos + k, toks.size() - 1));
    }

    private Token next() {
        Token t = peek(0);
        if (pos < toks.size() - 1) pos++;
        return t;
    }

    private Token expect(String punct, String what) throws ScriptException {
        Token t = next();
        if (!t.is(punct)) throw error(t.start(), "expected " + what + ", got " + t.describe());
        return t;
    }

    private Step callStep() throws ScriptException {
        String prefix = null;
        int prefixAt = 0;
        if (peek(0).type() == Token.Type.WORD && peek(1).is(":")) {
            prefix = peek(0).text();
            prefixAt = peek(0).start();
            pos += 2;
        }
        String process = process(prefix, prefixAt);

        List<Token> binds = new ArrayList<>();
        if (peek(0).is("[")) {
            next();
            Token a = next();
            if (a.type() != Token.Type.WORD) throw error(a.start(), "expected a descriptor name, got " + a.describe());
            expect(",", "',' between the two names of [r, w] = pipe()");
            Token b = next();
            if (b.type() != Token.Type.WORD) throw error(b.start(), "expected a descriptor name, got " + b.describe());
            expect("]", "']' after the two names");
            expect("=", "'=' after [r, w]");
            binds.add(a);
            binds.add(b);
        } else if (peek(0).type() == Token.Type.WORD && peek(1).is("=")) {
            binds.add(next());
            next();
        }

        Token nameTok = next();
        if (nameTok.type() != Token.Type.WORD)
            throw error(nameTok.start(), "expected a call like close(c), or sleep, netstat, exit; got " + nameTok.describe());
        String name = nameTok.text();
        if (!SIGNATURES.containsKey(name) && NotModelled.CALLS.contains(name))
            throw error(nameTok.start(), NotModelled.message(name + "()"));
        if (!SIGNATURES.containsKey(name))
            throw error(nameTok.start(), "unknown call '" + name + "'; known calls: " + String.join(", ", SIGNATURES.keySet()));
        expect("(", "'(' after " + name);
        List<Arg> args = arguments();
        int callEnd = toks.get(pos - 1).end();

        List<Use> uses = new ArrayList<>();
        CallTemplate call = template(name, nameTok, args, uses, process);
        checkBinds(call, name, binds);

        Expectation expected = null;
        boolean leftRunning = false;
        if (peek(0).is("...")) {
            leftRunning = true;
            callEnd = next().end();
        }
        Token t = next();
        if (t.is("=")) {
            if (peek(0).type() == Token.Type.END) throw error(t.start(), "expected a result after '=': " + forms(call));
            expected = expectation(call, process);
        } else if (t.type() != Token.Type.END) {
            throw error(t.start(), "expected '= RESULT', '...' or the end of the step after ')', got " + t.describe());
        }

        boolean ebadf = expected instanceof Expectation.Fails f && f.errno() == Errno.EBADF;
        for (Use u : uses) checkUse(u, process, ebadf);

        int line = src.line(0);
        if (call instanceof CallTemplate.Close c && names.get(c.fd(), process) != null) names.close(c.fd(), process, line);
        if (call instanceof CallTemplate.Fork f) names.fork(process, f.child(), line);
        for (Token b : binds) {
            if (call.shape() == ResultShape.ADDRESS) names.bindAddress(b.text(), line);
            else names.bind(b.text(), process, line);
        }
        return new Step.CallStep(process, binds.stream().map(Token::text).toList(), call, expected, callEnd, src, leftRunning);
    }

    /** Splits the arguments at top-level commas; the closing ')' is consumed. */
    private List<Arg> arguments() throws ScriptException {
        List<Arg> args = new ArrayList<>();
        if (peek(0).is(")")) {
            next();
            return args;
        }
        List<Token> cur = new ArrayList<>();
        int depth = 0;
        while (true) {
            Token t = next();
            if (t.type() == Token.Type.END) throw error(t.start(), "expected ')' to close the argument list");
            if (depth == 0 && (t.is(",") || t.is(")"))) {
                if (cur.isEmpty()) throw error(t.start(), "empty argument before " + t.describe());
                args.add(new Arg(cur, cur.get(0).start(), cur.get(cur.size() - 1).end()));
                cur = new ArrayList<>();
                if (t.is(")")) return args;
                continue;
            }
            if (t.is("[") || t.is("{") || t.is("(")) depth++;
            if (t.is("]") || t.is("}") || t.is(")")) depth--;
            cur.add(t);
        }
    }

    private void checkBinds(CallTemplate call, String name, List<Token> binds) throws ScriptException {
        int want = switch (call.shape()) {
            case DESCRIPTOR -> 1;
            case DESCRIPTOR_PAIR -> 2;
            case ADDRESS -> 1;
            default -> 0;
        };
        if (!binds.isEmpty() && binds.size() != want) {
            Token b = binds.get(0);
            String msg = switch (want) {
                case 0 -> name + "() makes no descriptor: remove '" + b.text() + " ='";
                case 1 -> name + "() makes one descriptor: write " + b.text() + " = " + name + "(...)";
                default -> name + "() makes two descriptors: write [" + b.text() + ", other] = " + name + "()";
            };
            throw error(b.start() - (want == 1 ? 1 : 0), msg);
        }
        if (binds.size() == 2 && binds.get(0).text().equals(binds.get(1).text()))
            throw error(binds.get(1).start(), "the two descriptors need two names, got '" + binds.get(1).text() + "' twice");
        if (call.shape() == ResultShape.ADDRESS) {
            for (Token b : binds)
                if (names.any(b.text()) != null)
                    throw error(b.start(), "'" + b.text() + "' names a descriptor (line " + names.any(b.text()).line()
                            + "); choose another name for the address");
            return;
        }
        for (Token b : binds) {
            if (names.address(b.text()) != null)
                throw error(b.start(), "'" + b.text() + "' names an address (line " + names.address(b.text()) + "); choose another name");
            Names.Binding old = names.any(b.text());
            if (old != null && old.closed() == null)
                throw error(b.start(), "descriptor name '" + b.text() + "' is still open (made at line " + old.line()
                        + "); close it first or choose another name");
        }
    }

    private void checkUse(Use u, String process, boolean ebadf) throws ScriptException {
        if (Character.isDigit(u.name().charAt(0)) || u.name().startsWith("-")) return;
        Names.Binding b = names.get(u.name(), process);
        if (b == null && names.any(u.name()) != null) b = names.any(u.name()); // another process's: said below
        if (b == null) {
            List<String> open = names.open(process);
            throw error(u.at(), "unknown descriptor '" + u.name() + "'; "
                    + (open.isEmpty() ? "process '" + process + "' has no named descriptor yet" : "known: " + String.join(", ", open)));
        }
        if (b.closed() != null) {
            // A closed name resolves to -1 at run time, so the call fails with EBADF whoever makes it.
            if (ebadf) return;
            throw error(u.at(), "descriptor '" + u.name() + "' is closed (" + b.closed()
                    + "); only a step that expects -1 EBADF may use it");
        }
        if (!b.process().equals(process))
            throw error(u.at(), "descriptor '" + u.name() + "' belongs to process '" + b.process() + "' (line " + b.line()
                    + "); process '" + process + "' cannot use it");
    }

    // ---- arguments ---------------------------------------------------------------------------------------------

    private ScriptException arity(String name, Token nameTok, List<Arg> args) {
        return error(nameTok.start(), "wrong number of arguments to " + name + ": expected " + SIGNATURES.get(name)
                + ", got " + args.size());
    }

    private CallTemplate template(String name, Token nameTok, List<Arg> a, List<Use> uses, String process)
            throws ScriptException {
        int n = a.size();
        switch (name) {
            case "socket" -> {
                if (n == 3) return socket3(a);
                if (n > 1) throw arity(name, nameTok, a);
                return new CallTemplate.Socket(n == 0 ? 0 : flags(a.get(0), CallTemplate.SOCK_FLAGS, "socket flag"));
            }
            case "bind", "connect" -> {
                if (n != 2) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                Token t = a.get(1).first();
                if (a.get(1).toks().size() == 1 && t.type() == Token.Type.WORD) {
                    if (names.address(t.text()) == null)
                        throw error(t.start(), "unknown address '" + t.text() + "'; write A.B.C.D:PORT, or name one first: "
                                + t.text() + " = getsockname(fd)");
                    return name.equals("bind") ? new CallTemplate.Bind(fd, null, t.text()) : new CallTemplate.Connect(fd, null, t.text());
                }
                SockAddr addr = address(a.get(1));
                return name.equals("bind") ? new CallTemplate.Bind(fd, addr) : new CallTemplate.Connect(fd, addr);
            }
            case "listen" -> {
                if (n != 2) throw arity(name, nameTok, a);
                return new CallTemplate.Listen(fd(a.get(0), uses), integer(a.get(1), "backlog"));
            }
            case "accept", "accept4" -> {
                if (n < 1 || n > 2) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                return new CallTemplate.Accept(fd, n == 2 ? flags(a.get(1), CallTemplate.SOCK_FLAGS, "accept4 flag") : 0);
            }
            case "send" -> {
                if (n < 2 || n > 3) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                return new CallTemplate.Send(fd, data(a.get(1)), n == 3 ? msgFlags(a.get(2), "send flag", SEND_FLAGS) : 0, false);
            }
            case "write" -> {
                if (n != 2) throw arity(name, nameTok, a);
                return new CallTemplate.Send(fd(a.get(0), uses), data(a.get(1)), 0, true);
            }
            case "recv" -> {
                if (n < 2 || n > 3) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                int len = count(a.get(1), "byte count");
                int flags = n == 3 ? msgFlags(a.get(2), "recv flag", RECV_FLAGS) : 0;
                if ((flags & Bits.MSG_WAITALL) != 0 && (flags & (Bits.MSG_PEEK | Bits.MSG_TRUNC)) != 0)
                    throw error(a.get(2).start(), NotModelled.message("MSG_WAITALL with MSG_PEEK or MSG_TRUNC"));
                return new CallTemplate.Recv(fd, len, flags, false);
            }
            case "read" -> {
                if (n != 2) throw arity(name, nameTok, a);
                return new CallTemplate.Recv(fd(a.get(0), uses), count(a.get(1), "byte count"), 0, true);
            }
            case "shutdown" -> {
                if (n != 2) throw arity(name, nameTok, a);
                return new CallTemplate.Shutdown(fd(a.get(0), uses), choice(a.get(1), Bits.SHUT_NAMES, "shutdown mode"));
            }
            case "close" -> {
                if (n != 1) throw arity(name, nameTok, a);
                return new CallTemplate.Close(fd(a.get(0), uses));
            }
            case "setsockopt" -> {
                if (n < 3) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                SockOpt opt = option(a.get(1));
                if (opt.readOnly()) throw error(a.get(1).start(), opt.name() + " is read-only: use getsockopt");
                if (opt == SockOpt.TCP_CONGESTION) {
                    if (n != 3) throw error(nameTok.start(), "wrong number of arguments to setsockopt TCP_CONGESTION: "
                            + "expected setsockopt(fd, TCP_CONGESTION, \"NAME\"), got " + n);
                    Token t = single(a.get(2), "congestion control name");
                    if (t.type() != Token.Type.STRING || t.bytes().length == 0 || t.bytes().length > 15)
                        throw error(t.start(), "expected a congestion control name of 1 to 15 characters, e.g. \"cubic\"");
                    String cc = new String(t.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                    List<Integer> packed = new ArrayList<>();
                    for (int v : SockOpt.packName(cc)) packed.add(v);
                    return new CallTemplate.SetSockOpt(fd, opt, packed);
                }
                if (n != 2 + opt.arity)
                    throw error(nameTok.start(), "wrong number of arguments to setsockopt " + opt.name() + ": expected "
                            + (opt == SockOpt.SO_LINGER ? "setsockopt(fd, SO_LINGER, ONOFF, SECONDS)" : "setsockopt(fd, " + opt.name() + ", VALUE)")
                            + ", got " + n);
                List<Integer> values = new ArrayList<>();
                for (int i = 2; i < n; i++) values.add(integer(a.get(i), "option value"));
                return new CallTemplate.SetSockOpt(fd, opt, values);
            }
            case "getsockopt" -> {
                if (n != 2) throw arity(name, nameTok, a);
                return new CallTemplate.GetSockOpt(fd(a.get(0), uses), option(a.get(1)));
            }
            case "fcntl" -> {
                if (n < 2 || n > 3) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                Token cmdTok = single(a.get(1), "fcntl command");
                if (NotModelled.FCNTL_CMDS.contains(cmdTok.text())) throw error(cmdTok.start(), NotModelled.message(cmdTok.text()));
                int cmd = choice(a.get(1), CallTemplate.FCNTL_CMDS, "fcntl command");
                if (cmd != Bits.F_GETFL && cmd != Bits.F_SETFL)
                    throw error(cmdTok.start(), NotModelled.message("the fcntl command " + cmd));
                if (cmd == Bits.F_GETFL && n != 2) throw arity(name, nameTok, a);
                if (cmd == Bits.F_SETFL && n != 3) throw arity(name, nameTok, a);
                int arg = n == 3 ? flags(a.get(2), CallTemplate.FILE_FLAGS, "file flag") : 0;
                // setfl changes only O_APPEND, O_NONBLOCK, O_DIRECT, O_NOATIME and FASYNC; of those, O_NONBLOCK is modelled.
                if ((arg & ~(Bits.O_NONBLOCK | 3)) != 0)
                    throw error(a.get(2).start(), NotModelled.message("the file flags 0x" + Integer.toHexString(arg & ~(Bits.O_NONBLOCK | 3))));
                return new CallTemplate.Fcntl(fd, cmd, arg);
            }
            case "poll" -> {
                if (n < 1) throw arity(name, nameTok, a);
                if (!a.get(0).first().is("[")) {
                    if (n < 2 || n > 3) throw arity(name, nameTok, a);
                    var entry = new CallTemplate.PollEntry(fd(a.get(0), uses), flags(a.get(1), Bits.POLL_NAMES, "poll event"));
                    return new CallTemplate.Poll(List.of(entry), n == 3 ? integer(a.get(2), "timeout") : -1, true);
                }
                List<CallTemplate.PollEntry> entries = new ArrayList<>();
                int timeout = -1;
                for (int i = 0; i < n; i++) {
                    Arg arg = a.get(i);
                    if (arg.first().is("[")) {
                        entries.add(pollEntry(arg, uses));
                    } else if (i == n - 1) {
                        timeout = integer(arg, "timeout");
                    } else {
                        throw error(arg.start(), "expected [fd, EVENTS], got '" + text(arg) + "'");
                    }
                }
                return new CallTemplate.Poll(entries, timeout, false);
            }
            case "epoll_create" -> {
                if (n != 0) throw arity(name, nameTok, a);
                return new CallTemplate.EpollCreate();
            }
            case "epoll_create1" -> {
                if (n != 1) throw arity(name, nameTok, a);
                if (integer(a.get(0), "flags") != 0) throw error(a.get(0).start(), "epoll_create1 takes flags 0");
                return new CallTemplate.EpollCreate();
            }
            case "epoll_ctl" -> {
                if (n != 4) throw arity(name, nameTok, a);
                String ep = fd(a.get(0), uses);
                int op = choice(a.get(1), Bits.EPOLL_OPS, "epoll_ctl operation");
                String fd = fd(a.get(2), uses);
                int events = flags(a.get(3), EPOLL_EVENT_NAMES, "epoll event");
                // EPOLLEXCLUSIVE wakes one of several epoll instances waiting on a file: not followed by the model.
                if ((events & Bits.EPOLLEXCLUSIVE) != 0) throw error(a.get(3).start(), NotModelled.message("EPOLLEXCLUSIVE"));
                return new CallTemplate.EpollCtl(ep, op, fd, events);
            }
            case "epoll_wait" -> {
                if (n < 1 || n > 3) throw arity(name, nameTok, a);
                String ep = fd(a.get(0), uses);
                int max = n >= 2 ? integer(a.get(1), "maxevents") : CallTemplate.DEFAULT_MAX_EVENTS;
                if (max <= 0) throw error(a.get(1).start(), "maxevents must be at least 1, got " + max);
                return new CallTemplate.EpollWait(ep, max, n == 3 ? integer(a.get(2), "timeout") : -1);
            }
            case "pipe", "socketpair" -> {
                if (n != 0) throw arity(name, nameTok, a);
                return name.equals("pipe") ? new CallTemplate.Pipe() : new CallTemplate.SocketPair();
            }
            case "sendto" -> {
                if (n != 4) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                return new CallTemplate.SendTo(fd, data(a.get(1)), msgFlags(a.get(2), "send flag", SEND_FLAGS), address(a.get(3)));
            }
            case "recvfrom" -> {
                if (n < 2 || n > 3) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                int len = count(a.get(1), "byte count");
                int flags = n == 3 ? msgFlags(a.get(2), "recv flag", RECV_FLAGS) : 0;
                if ((flags & Bits.MSG_WAITALL) != 0 && (flags & (Bits.MSG_PEEK | Bits.MSG_TRUNC)) != 0)
                    throw error(a.get(2).start(), NotModelled.message("MSG_WAITALL with MSG_PEEK or MSG_TRUNC"));
                return new CallTemplate.RecvFrom(fd, len, flags);
            }
            case "sendmsg", "recvmsg" -> {
                if (n < 2 || n > 3) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                boolean send = name.equals("sendmsg");
                List<Arg> items = bracketList(a.get(1), send ? "[DATA, DATA, ...]" : "[N, N, ...]");
                int flags = n == 3 ? msgFlags(a.get(2), send ? "send flag" : "recv flag", send ? SEND_FLAGS : RECV_FLAGS) : 0;
                if ((flags & Bits.MSG_WAITALL) != 0 && (flags & (Bits.MSG_PEEK | Bits.MSG_TRUNC)) != 0)
                    throw error(a.get(2).start(), NotModelled.message("MSG_WAITALL with MSG_PEEK or MSG_TRUNC"));
                if (send) {
                    List<CallTemplate.Data> bufs = new ArrayList<>();
                    for (Arg item : items) bufs.add(data(item));
                    return new CallTemplate.SendMsg(fd, bufs, flags);
                }
                List<Integer> lens = new ArrayList<>();
                for (Arg item : items) lens.add(count(item, "byte count"));
                return new CallTemplate.RecvMsg(fd, lens, flags);
            }
            case "writev", "readv" -> {
                if (n != 2) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                List<Arg> items = bracketList(a.get(1), name.equals("writev") ? "[DATA, DATA, ...]" : "[N, N, ...]");
                if (name.equals("writev")) {
                    List<CallTemplate.Data> bufs = new ArrayList<>();
                    for (Arg item : items) bufs.add(data(item));
                    return new CallTemplate.WriteV(fd, bufs);
                }
                List<Integer> lens = new ArrayList<>();
                for (Arg item : items) lens.add(count(item, "byte count"));
                return new CallTemplate.ReadV(fd, lens);
            }
            case "select" -> {
                if (n < 3 || n > 4) throw arity(name, nameTok, a);
                List<List<String>> sets = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    List<Token> t = a.get(i).toks();
                    List<String> set = new ArrayList<>();
                    if (!(t.size() == 2 && t.get(0).is("[") && t.get(1).is("]"))) {
                        for (Arg item : bracketList(a.get(i), "[fd, fd, ...] or []")) set.add(fd(item, uses));
                    } else if (!t.get(0).is("[")) {
                        throw error(a.get(i).start(), "expected [fd, fd, ...] or [], got '" + text(a.get(i)) + "'");
                    }
                    sets.add(set);
                }
                int timeout = n == 4 ? integer(a.get(3), "timeout") : -1;
                return new CallTemplate.Select(sets.get(0), sets.get(1), sets.get(2), timeout);
            }
            case "fork" -> {
                if (n != 1) throw arity(name, nameTok, a);
                Token child = single(a.get(0), "process name");
                if (child.type() != Token.Type.WORD || !IDENT.matcher(child.text()).matches())
                    throw error(child.start(), "expected the child's process name, got " + child.describe());
                if (names.wasSeen(child.text()) || child.text().equals(process))
                    throw error(child.start(), "process '" + child.text() + "' already exists: a fork's child needs a new name");
                return new CallTemplate.Fork(child.text());
            }
            case "dup" -> {
                if (n != 1) throw arity(name, nameTok, a);
                return new CallTemplate.Dup(fd(a.get(0), uses), null);
            }
            case "dup2" -> {
                if (n != 2) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                return new CallTemplate.Dup(fd, fd(a.get(1), uses));
            }
            case "getsockname", "getpeername" -> {
                if (n != 1) throw arity(name, nameTok, a);
                return new CallTemplate.GetName(fd(a.get(0), uses), name.equals("getpeername"));
            }
            case "ioctl" -> {
                if (n != 2) throw arity(name, nameTok, a);
                String fd = fd(a.get(0), uses);
                Token req = single(a.get(1), "ioctl request");
                if (!Bits.IOCTL_NAMES.containsKey(req.text()))
                    throw error(req.start(), req.type() == Token.Type.WORD && req.text().startsWith("SIOC") || req.text().startsWith("FIO")
                            || req.type() == Token.Type.NUMBER
                            ? NotModelled.message("the ioctl " + req.text())
                            : "unknown ioctl request " + req.describe() + "; valid: " + String.join(", ", Bits.IOCTL_NAMES.keySet()));
                return new CallTemplate.Ioctl(fd, Bits.IOCTL_NAMES.get(req.text()));
            }
            case "signal" -> {
                if (n != 2) throw arity(name, nameTok, a);
                int signo = choice(a.get(0), CallTemplate.SIGNALS, "signal");
                Token d = single(a.get(1), "disposition");
                Call.Disposition disp = switch (d.text()) {
                    case "SIG_IGN" -> Call.Disposition.SIG_IGN;
                    case "SIG_DFL" -> Call.Disposition.SIG_DFL;
                    case "handler" -> Call.Disposition.HANDLER;
                    default -> throw error(d.start(), "unknown disposition '" + d.text() + "'; valid: SIG_IGN, SIG_DFL, handler");
                };
                return new CallTemplate.Signal(signo, disp);
            }
            default -> throw new IllegalStateException("no template for " + name);
        }
    }

    /** The items of {@code [x, y, ...]} (at least one), each a located argument. */
    private List<Arg> bracketList(Arg a, String form) throws ScriptException {
        List<Token> t = a.toks();
        if (!t.get(0).is("[") || !t.get(t.size() - 1).is("]") || t.size() < 3)
            throw error(a.start(), "expected " + form + ", got '" + text(a) + "'");
        List<Arg> items = new ArrayList<>();
        List<Token> cur = new ArrayList<>();
        for (int i = 1; i < t.size() - 1; i++) {
            Token x = t.get(i);
            if (x.is(",")) {
                if (cur.isEmpty()) throw error(x.start(), "empty item before ','; expected " + form);
                items.add(new Arg(cur, cur.get(0).start(), cur.get(cur.size() - 1).end()));
                cur = new ArrayList<>();
            } else {
                cur.add(x);
            }
        }
        if (cur.isEmpty()) throw error(t.get(t.size() - 1).start(), "empty item before ']'; expected " + form);
        items.add(new Arg(cur, cur.get(0).start(), cur.get(cur.size() - 1).end()));
        return items;
    }

    private String text(Arg a) {
        return src.text().substring(a.start(), a.end());
    }

    private Token single(Arg a, String what) throws ScriptException {
        if (a.toks().size() != 1) throw error(a.start(), "expected one " + what + ", got '" + text(a) + "'");
        return a.first();
    }

    private String fd(Arg a, List<Use> uses) throws ScriptException {
        Token t = single(a, "descriptor name");
        if (t.type() == Token.Type.NUMBER) {
            integer(a, "descriptor");
        } else if (t.type() != Token.Type.WORD) {
            throw error(t.start(), "expected a descriptor name, got " + t.describe());
        }
        uses.add(new Use(t.text(), t.start()));
        return t.text();
    }

    private SockAddr address(Arg a) throws ScriptException {
        String raw = text(a);
        if (raw.startsWith("[") || raw.chars().filter(ch -> ch == ':').count() > 1)
            throw error(a.start(), NotModelled.ipv6("the address '" + raw + "'"));
        SockAddr addr = SockAddr.parse(raw.replace(" ", ""));
        if (addr == null) throw error(a.start(), "bad address '" + raw + "'; expected A.B.C.D:PORT, e.g. 127.0.0.1:4321");
        return addr;
    }

    private int integer(Arg a, String what) throws ScriptException {
        Token t = single(a, what);
        Long v = t.type() == Token.Type.NUMBER ? number(t.text()) : null;
        if (v == null || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
            throw error(t.start(), "expected a number for the " + what + ", got " + t.describe());
        return (int) (long) v;
    }

    private int count(Arg a, String what) throws ScriptException {
        int n = integer(a, what);
        if (n < 0) throw error(a.start(), "the " + what + " cannot be negative, got " + n);
        return n;
    }

    /** Decimal or 0x hex, optionally negative; null when the text is neither. */
    static Long number(String s) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) return Long.parseLong(s.substring(2), 16);
            if (s.startsWith("-0x")) return -Long.parseLong(s.substring(3), 16);
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private CallTemplate.Data data(Arg a) throws ScriptException {
        Token t = single(a, "DATA (a \"string\" or a byte count)");
        if (t.type() == Token.Type.STRING) return CallTemplate.Data.of(t.bytes());
        if (t.type() == Token.Type.NUMBER) {
            int n = count(a, "byte count");
            if (n > 64 << 20) throw error(t.start(), "at most 64 MiB per call, got " + n);
            return CallTemplate.Data.count(n);
        }
        throw error(t.start(), "expected DATA (a \"string\" or a byte count), got " + t.describe());
    }

    private SockOpt option(Arg a) throws ScriptException {
        Token t = single(a, "socket option");
        for (SockOpt o : SockOpt.values()) if (o.name().equals(t.text())) return o;
        if (NotModelled.SOCKET_OPTIONS.contains(t.text())) throw error(t.start(), NotModelled.message(t.text()));
        throw error(t.start(), "unknown socket option '" + t.text() + "'; valid: "
                + String.join(", ", Arrays.stream(SockOpt.values()).map(Enum::name).toList()));
    }

    /** The send and recv flags the model follows; the rest of Linux's are refused as not modelled yet. */
    static final Map<String, Integer> MSG_FLAGS = tableOf("MSG_PEEK", Bits.MSG_PEEK, "MSG_DONTWAIT", Bits.MSG_DONTWAIT,
            "MSG_NOSIGNAL", Bits.MSG_NOSIGNAL);
    /** send also follows MSG_MORE. */
    static final Map<String, Integer> SEND_FLAGS = tableOf("MSG_PEEK", Bits.MSG_PEEK, "MSG_DONTWAIT", Bits.MSG_DONTWAIT,
            "MSG_NOSIGNAL", Bits.MSG_NOSIGNAL, "MSG_MORE", Bits.MSG_MORE);

    /** recv also follows MSG_WAITALL. */
    static final Map<String, Integer> RECV_FLAGS = tableOf("MSG_PEEK", Bits.MSG_PEEK, "MSG_TRUNC", Bits.MSG_TRUNC,
            "MSG_DONTWAIT", Bits.MSG_DONTWAIT, "MSG_WAITALL", Bits.MSG_WAITALL, "MSG_NOSIGNAL", Bits.MSG_NOSIGNAL);

    private static Map<String, Integer> tableOf(Object... pairs) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put((String) pairs[i], (Integer) pairs[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** send/recv flags: a Linux flag the model does not follow, by name or as a bit of a number, is refused. */
    private int msgFlags(Arg a, String what, Map<String, Integer> table) throws ScriptException {
        for (Token t : a.toks())
            if (t.type() == Token.Type.WORD && !table.containsKey(t.text()) && NotModelled.MSG_FLAGS.containsKey(t.text()))
                throw error(t.start(), NotModelled.message(t.text() + " on " + what.substring(0, what.indexOf(' '))));
        int bits = flags(a, table, what);
        int modelled = 0;
        for (int v : table.values()) modelled |= v;
        int rest = bits & ~modelled;
        if (rest != 0) {
            String names = Bits.format(rest, NotModelled.MSG_FLAGS);
            throw error(a.start(), NotModelled.message(what + " " + names + " (in " + text(a) + ")"));
        }
        return bits;
    }

    /** socket(DOMAIN, TYPE, PROTOCOL) as C writes it: AF_INET, SOCK_STREAM with flags, protocol 0 or IPPROTO_TCP. */
    private CallTemplate socket3(List<Arg> a) throws ScriptException {
        Token family = single(a.get(0), "address family");
        if (!family.text().equals("AF_INET") && !family.text().equals("PF_INET")) {
            if (family.text().endsWith("INET6")) throw error(family.start(), NotModelled.ipv6(family.text()));
            if (NotModelled.FAMILIES.contains(family.text()))
                throw error(family.start(), NotModelled.message("the address family " + family.text()
                        + (family.text().contains("UNIX") || family.text().equals("AF_LOCAL") ? " (but socketpair())" : "")));
            throw error(family.start(), "expected the address family AF_INET, got " + family.describe());
        }
        List<Token> ts = a.get(1).toks();
        Token type = ts.get(0);
        if (NotModelled.TYPES.contains(type.text())) throw error(type.start(), NotModelled.message(type.text()));
        if (!type.is("SOCK_STREAM"))
            throw error(type.start(), "expected the socket type SOCK_STREAM, got " + type.describe());
        int flags = 0;
        if (ts.size() > 1) {
            if (!ts.get(1).is("|")) throw error(ts.get(1).start(), "expected '|' between socket flags, got " + ts.get(1).describe());
            flags = flags(ts, 2, ts.size(), CallTemplate.SOCK_FLAGS, "socket flag");
        }
        Token proto = single(a.get(2), "protocol");
        if (!proto.text().equals("0") && !proto.text().equals("IPPROTO_TCP") && !proto.text().equals("6"))
            throw error(proto.start(), "expected the protocol 0 or IPPROTO_TCP, got " + proto.describe());
        return new CallTemplate.Socket(flags);
    }

    /** One name from a table of values (not bits), or a number. */
    private int choice(Arg a, Map<String, Integer> table, String what) throws ScriptException {
        Token t = single(a, what);
        if (t.type() == Token.Type.NUMBER) return integer(a, what);
        Integer v = table.get(t.text());
        if (v == null) throw error(t.start(), "unknown " + what + " '" + t.text() + "'; valid: " + String.join(", ", table.keySet()));
        return v;
    }

    private int flags(Arg a, Map<String, Integer> table, String what) throws ScriptException {
        return flags(a.toks(), 0, a.toks().size(), table, what);
    }

    /** {@code NAME|NAME|...} or a number, from toks[from, to). */
    private int flags(List<Token> ts, int from, int to, Map<String, Integer> table, String what) throws ScriptException {
        if (from >= to) throw error(ts.get(Math.min(from, ts.size() - 1)).start(), "expected " + what + "s");
        if (to - from == 1 && ts.get(from).type() == Token.Type.NUMBER) {
            Long v = number(ts.get(from).text());
            if (v == null || v < Integer.MIN_VALUE || v > 0xffffffffL)
                throw error(ts.get(from).start(), "expected " + what + "s or a number, got " + ts.get(from).describe());
            return (int) (long) v;
        }
        int bits = 0;
        for (int i = from; i < to; i++) {
            Token t = ts.get(i);
            if ((i - from) % 2 == 1) {
                if (!t.is("|")) throw error(t.start(), "expected '|' between " + what + "s, got " + t.describe());
                continue;
            }
            if (t.type() != Token.Type.WORD)
                throw error(t.start(), "expected a " + what + " name, got " + t.describe() + "; valid: " + String.join(", ", table.keySet()));
            Integer v = table.get(t.text());
            if (v == null) throw error(t.start(), "unknown " + what + " '" + t.text() + "'; valid: " + String.join(", ", table.keySet()));
            bits |= v;
        }
        if ((to - from) % 2 == 0) throw error(ts.get(to - 1).start(), "expected a " + what + " name after '|'");
        return bits;
    }

    private CallTemplate.PollEntry pollEntry(Arg a, List<Use> uses) throws ScriptException {
        List<Token> t = a.toks();
        int comma = -1;
        for (int i = 0; i < t.size(); i++) if (t.get(i).is(",")) { comma = i; break; }
        if (comma != 2 || !t.get(t.size() - 1).is("]") || t.size() < 5)
            throw error(a.start(), "expected [fd, EVENTS], got '" + text(a) + "'");
        String fd = fd(new Arg(t.subList(1, 2), t.get(1).start(), t.get(1).end()), uses);
        return new CallTemplate.PollEntry(fd, flags(t, 3, t.size() - 1, Bits.POLL_NAMES, "poll event"));
    }

    // ---- expectations ------------------------------------------------------------------------------------------

    private static String forms(CallTemplate call) {
        return call.shape().form + ", -1 ERRNO or blocks forever";
    }

    private ScriptException bad(Token at, CallTemplate call) {
        String name = call.text().substring(0, call.text().indexOf('('));
        return error(at.start(), "bad expectation " + at.describe() + " for " + name + ": expected " + forms(call));
    }

    private void end(CallTemplate call) throws ScriptException {
        Token t = next();
        if (t.type() != Token.Type.END)
            throw error(t.start(), "unexpected " + t.describe() + " after the expected result of " + call.text());
    }

    private Expectation expectation(CallTemplate call, String process) throws ScriptException {
        Token first = peek(0);
        if (first.is("blocks")) {
            next();
            Token f = next();
            if (!f.is("forever")) throw error(f.start(), "expected 'blocks forever', got " + f.describe());
            end(call);
            return new Expectation.BlocksForever();
        }
        if (first.type() == Token.Type.NUMBER && first.text().equals("-1")) {
            if (peek(1).type() == Token.Type.END) throw error(first.start(), "after -1 name the errno, e.g. -1 EPIPE");
            next();
            Token e = next();
            Errno errno = e.type() == Token.Type.WORD ? Errno.ofName(e.text()) : null;
            if (errno == null) throw error(e.start(), "unknown errno " + e.describe() + "; known: " + errnoNames());
            if (peek(0).is("(")) {
                // The strerror text people paste from strace: ignored.
                while (peek(0).type() != Token.Type.END && !peek(0).is(")")) next();
                expect(")", "')' to close the error text");
            }
            end(call);
            return new Expectation.Fails(errno);
        }
        Expectation e = switch (call.shape()) {
            case VALUE, DESCRIPTOR, DESCRIPTOR_PAIR -> new Expectation.Returns(longValue(call));
            case OPTION_VALUE -> new Expectation.OptionValue((int) longValue(call));
            case ADDRESS -> addressExpectation(call);
            case SELECT -> {
                long count = longValue(call);
                StringBuilder b = new StringBuilder();
                if (peek(0).is("(")) {
                    next();
                    // "in [a, b], out [c]": kept as the words and names in order, the way readyText prints them.
                    while (!peek(0).is(")")) {
                        Token t = next();
                        if (t.type() == Token.Type.END) throw error(t.start(), "expected ')' to close the ready sets");
                        if (t.is(",")) b.append(", ");
                        else if (t.is("[")) b.append(" [");
                        else b.append(t.text());
                    }
                    next();
                }
                yield new Expectation.SelectReady(count, b.toString());
            }
            case RECEIVED -> {
                Token n = next();
                Long len = n.type() == Token.Type.NUMBER ? number(n.text()) : null;
                if (len == null || len < 0) throw bad(n, call);
                byte[] data = null;
                if (peek(0).type() == Token.Type.STRING) {
                    Token s = next();
                    data = s.bytes();
                    if (data.length != len)
                        throw error(s.start(), "the string holds " + data.length + " bytes but the count says " + len);
                }
                Expectation got = new Expectation.Received(len, data);
                if (call instanceof CallTemplate.RecvMsg && peek(0).is("{")) {
                    next();
                    Token w = next();
                    if (!w.is("TCP_INQ")) throw error(w.start(), "expected {TCP_INQ=N}, the control message, got " + w.describe());
                    expect("=", "'=' in {TCP_INQ=N}");
                    int inq = (int) longValue(call);
                    expect("}", "'}' to close {TCP_INQ=N}");
                    got = new Expectation.WithInq(got, inq);
                }
                yield got;
            }
            case REVENTS -> new Expectation.Revents(bitsUntil(Bits.POLL_NAMES, "poll event", call));
            case FILE_FLAGS -> new Expectation.FileFlags(bitsUntil(CallTemplate.FILE_FLAGS, "file flag", call));
            case POLL_LIST, EPOLL_LIST -> readyList(call, process);
            case SO_ERROR -> {
                Token t = next();
                if (t.type() == Token.Type.NUMBER && t.text().equals("0")) yield new Expectation.SoError(null);
                Errno errno = t.type() == Token.Type.WORD ? Errno.ofName(t.text()) : null;
                if (errno == null) {
                    if (t.type() == Token.Type.WORD) throw error(t.start(), "unknown errno " + t.describe() + "; known: " + errnoNames());
                    throw bad(t, call);
                }
                yield new Expectation.SoError(errno);
            }
            case LINGER -> {
                Token open = next();
                if (!open.is("{")) throw bad(open, call);
                int onoff = (int) longValue(call);
                expect(",", "',' between ONOFF and SECONDS in {ONOFF, SECONDS}");
                int secs = (int) longValue(call);
                expect("}", "'}' to close {ONOFF, SECONDS}");
                yield new Expectation.Linger(onoff, secs);
            }
            case TCP_INFO -> tcpInfoExpectation(call);
            case NAME -> {
                Token t = next();
                if (t.type() != Token.Type.STRING) throw bad(t, call);
                yield new Expectation.Name(new String(t.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        };
        end(call);
        return e;
    }

    /** {@code {state=ESTABLISHED, unacked=0, ...}}: some of the modelled fields of struct tcp_info, each once. */
    private Expectation tcpInfoExpectation(CallTemplate call) throws ScriptException {
        Token open = next();
        if (!open.is("{")) throw bad(open, call);
        Map<String, Long> fields = new LinkedHashMap<>();
        while (true) {
            Token name = next();
            io.tcpsim.calls.TcpInfo.Field f = name.type() == Token.Type.WORD ? io.tcpsim.calls.TcpInfo.field(name.text()) : null;
            if (f == null) {
                String what = io.tcpsim.calls.TcpInfo.NOT_MODELLED.contains(name.text())
                        ? io.tcpsim.backend.NotModelled.words("tcp_info field '" + name.text() + "'") + "; "
                        : "unknown tcp_info field " + name.describe() + "; ";
                throw error(name.start(), what + "modelled: " + String.join(", ",
                        io.tcpsim.calls.TcpInfo.MODELLED.stream().map(io.tcpsim.calls.TcpInfo.Field::name).toList()));
            }
            if (fields.containsKey(f.name())) throw error(name.start(), "tcp_info field '" + f.name() + "' is given twice");
            expect("=", "'=' after the field name, e.g. {state=ESTABLISHED}");
            Token v = next();
            Long value = v.type() == Token.Type.END ? null : io.tcpsim.calls.TcpInfo.parseValue(f, v.text());
            if (value == null) throw error(v.start(), "bad value " + v.describe() + " for tcp_info field '" + f.name()
                    + "': expected " + (f == io.tcpsim.calls.TcpInfo.STATE ? "a state such as ESTABLISHED" : "a number"));
            fields.put(f.name(), value);
            Token sep = next();
            if (sep.is("}")) break;
            if (!sep.is(",")) throw error(sep.start(), "expected ',' or '}' in {FIELD=VALUE, ...}, got " + sep.describe());
        }
        return new Expectation.TcpInfoFields(fields);
    }

    /** {@code 127.0.0.1:4321}, or {@code 127.0.0.1:*} for an ephemeral port the backends choose differently. */
    private Expectation addressExpectation(CallTemplate call) throws ScriptException {
        int from = pos;
        StringBuilder b = new StringBuilder();
        while (toks.get(pos).type() != Token.Type.END) b.append(next().text());
        String raw = b.toString();
        Token first = toks.get(from);
        if (raw.endsWith(":*")) {
            Integer ip = SockAddr.parseIp(raw.substring(0, raw.length() - 2));
            if (ip != null) return new Expectation.Address(ip, Expectation.Address.ANY_PORT);
        } else {
            SockAddr a = SockAddr.parse(raw);
            if (a != null) return new Expectation.Address(a.ip(), a.port());
        }
        throw bad(first, call);
    }

    private long longValue(CallTemplate call) throws ScriptException {
        Token t = next();
        Long v = t.type() == Token.Type.NUMBER ? number(t.text()) : null;
        if (v == null) throw bad(t, call);
        return v;
    }

    /** Bits from the current token up to the end of the step (or a ',' for lists). */
    private int bitsUntil(Map<String, Integer> table, String what, CallTemplate call) throws ScriptException {
        int from = pos;
        int to = from;
        while (toks.get(to).type() != Token.Type.END && !toks.get(to).is(",")) to++;
        Token first = toks.get(from);
        if (first.type() != Token.Type.WORD && first.type() != Token.Type.NUMBER) throw bad(first, call);
        int bits = flags(toks, from, to, table, what);
        pos = to;
        return bits;
    }

    private Expectation readyList(CallTemplate call, String process) throws ScriptException {
        boolean epoll = call.shape() == ResultShape.EPOLL_LIST;
        if (peek(0).type() == Token.Type.NUMBER && peek(0).text().equals("0") && peek(1).type() == Token.Type.END) {
            next();
            return new Expectation.ReadyList(List.of(), epoll);
        }
        Map<String, Expectation.Ready> entries = new LinkedHashMap<>();
        while (true) {
            Token name = next();
            if ((name.type() != Token.Type.WORD && name.type() != Token.Type.NUMBER) || !peek(0).is(":")) throw bad(name, call);
            next();
            if (call instanceof CallTemplate.Poll p) {
                if (p.uses().stream().noneMatch(name.text()::equals))
                    throw error(name.start(), "'" + name.text() + "' is not polled by this call; polled: " + String.join(", ", p.uses()));
            } else if (name.type() == Token.Type.WORD) {
                Names.Binding b = names.get(name.text(), process);
                if (b == null || !b.process().equals(process)) {
                    List<String> open = names.open(process);
                    throw error(name.start(), "unknown descriptor '" + name.text() + "'; known: " + String.join(", ", open));
                }
            }
            if (entries.containsKey(name.text())) throw error(name.start(), "'" + name.text() + "' is listed twice");
            int bits = bitsUntil(epoll ? Bits.EPOLL_NAMES : Bits.POLL_NAMES, epoll ? "epoll event" : "poll event", call);
            entries.put(name.text(), new Expectation.Ready(name.text(), bits));
            if (!peek(0).is(",")) break;
            next();
        }
        return new Expectation.ReadyList(new ArrayList<>(entries.values()), epoll);
    }

    private static String errnoNames() {
        return String.join(", ", Arrays.stream(Errno.values()).map(Enum::name).toList());
    }
}
