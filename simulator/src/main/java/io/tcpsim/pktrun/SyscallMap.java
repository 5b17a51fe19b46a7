package io.tcpsim.pktrun;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.packetdrill.Event.SyscallEvent;
import io.tcpsim.packetdrill.Expr;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A script's system call as a {@link Call} on the model, and the check of its result as packetdrill makes it
 * (run_system_call.c): the arguments packetdrill fills in ({@code bind(3, ..., ...)} binds the local address and
 * port, {@code connect(3, ..., ...)} connects to the remote one), the descriptors the script names mapped to the ones
 * the model returned, and the result and errno compared in packetdrill's words. A call, an argument or an option the
 * model does not have is {@link NotModelled}.
 */
final class SyscallMap {
    /** What the call returns: a descriptor (socket, accept: any non-negative result matches, then the script's
     * number stands for the model's) or an exact value. */
    enum Check { FD, EXACT }

    /** The call to make and how to judge its result; {@code optval}/{@code revents}/{@code events} the out-values. */
    record Mapped(Call call, Check check, Integer optval, List<Expr.PollFd> pollFds, List<Expr.EpollEvent> epollEvents) {}

    /** ioctl(2)'s requests a script may name: the ones that read a socket's queues (tcp_ioctl). */
    private static final Map<String, Integer> IOCTLS = Map.of("SIOCINQ", Bits.SIOCINQ, "FIONREAD", Bits.FIONREAD,
            "SIOCOUTQ", Bits.SIOCOUTQ, "SIOCOUTQNSD", Bits.SIOCOUTQNSD);

    private final String file;
    private final SockAddr local, remote;
    /** Script descriptor to the model's. */
    private final Map<Integer, Integer> fds;

    SyscallMap(String file, SockAddr local, SockAddr remote, Map<Integer, Integer> fds) {
        this.file = file;
        this.local = local;
        this.remote = remote;
        this.fds = fds;
    }

    Mapped map(SyscallEvent e) throws NotModelled {
        List<Expr> a = e.arguments();
        String n = e.name();
        return switch (n) {
            case "socket" -> {
                args(e, 3);
                word(e, a.get(0), "AF_INET", "...");
                int type = flags(e, a.get(1), Map.of("SOCK_STREAM", Bits.SOCK_STREAM, "SOCK_NONBLOCK",
                        Bits.SOCK_NONBLOCK, "SOCK_CLOEXEC", Bits.SOCK_CLOEXEC));
                if ((type & 0xf) != Bits.SOCK_STREAM) throw refuse(e, "socket type other than SOCK_STREAM");
                word(e, a.get(2), "IPPROTO_TCP", "0", "...");
                yield exact(new Call.Socket(type & ~0xf), Check.FD);
            }
            case "bind" -> {
                args(e, 3);
                ellipsis(e, a.get(1));
                yield exact(new Call.Bind(fd(e, a.get(0)), local), Check.EXACT);
            }
            case "listen" -> {
                args(e, 2);
                yield exact(new Call.Listen(fd(e, a.get(0)), (int) integer(e, a.get(1))), Check.EXACT);
            }
            case "accept", "accept4" -> {
                args(e, n.equals("accept") ? 3 : 4);
                ellipsis(e, a.get(1));
                int flags = n.equals("accept") ? 0 : flags(e, a.get(3), Map.of("SOCK_NONBLOCK", Bits.SOCK_NONBLOCK,
                        "SOCK_CLOEXEC", Bits.SOCK_CLOEXEC));
                yield exact(new Call.Accept(fd(e, a.get(0)), flags), Check.FD);
            }
            case "connect" -> {
                args(e, 3);
                ellipsis(e, a.get(1));
                yield exact(new Call.Connect(fd(e, a.get(0)), remote), Check.EXACT);
            }
            case "write" -> {
                args(e, 3);
                yield exact(new Call.Send(fd(e, a.get(0)), buffer(e, a.get(1), a.get(2)), 0, true), Check.EXACT);
            }
            case "send", "sendto" -> {
                if (a.size() != (n.equals("send") ? 4 : 6) && !(n.equals("sendto") && a.size() == 4))
                    throw refuse(e, n + " with " + a.size() + " arguments");
                if (a.size() == 6) {
                    ellipsis(e, a.get(4));
                    ellipsis(e, a.get(5));
                }
                int flags = flags(e, a.get(3), Bits.MSG_NAMES);
                yield exact(new Call.Send(fd(e, a.get(0)), buffer(e, a.get(1), a.get(2)), flags, false), Check.EXACT);
            }
            case "read" -> {
                args(e, 3);
                ellipsis(e, a.get(1));
                yield exact(new Call.Recv(fd(e, a.get(0)), (int) integer(e, a.get(2)), 0, true), Check.EXACT);
            }
            case "recv", "recvfrom" -> {
                if (a.size() != (n.equals("recv") ? 4 : 6)) throw refuse(e, n + " with " + a.size() + " arguments");
                ellipsis(e, a.get(1));
                int flags = flags(e, a.get(3), Bits.MSG_NAMES);
                yield exact(new Call.Recv(fd(e, a.get(0)), (int) integer(e, a.get(2)), flags, false), Check.EXACT);
            }
            case "close" -> {
                args(e, 1);
                yield exact(new Call.Close(fd(e, a.get(0))), Check.EXACT);
            }
            case "shutdown" -> {
                args(e, 2);
                yield exact(new Call.Shutdown(fd(e, a.get(0)), flags(e, a.get(1), Bits.SHUT_NAMES)), Check.EXACT);
            }
            case "setsockopt" -> setsockopt(e, a);
            case "getsockopt" -> getsockopt(e, a);
            case "fcntl" -> {
                if (a.size() < 2) throw refuse(e, "fcntl with " + a.size() + " arguments");
                String cmd = symbol(e, a.get(1));
                if (cmd.equals("F_GETFL") && a.size() == 2)
                    yield exact(new Call.Fcntl(fd(e, a.get(0)), Bits.F_GETFL, 0), Check.EXACT);
                if (cmd.equals("F_SETFL") && a.size() == 3) {
                    int fl = flags(e, a.get(2), Map.of("O_RDWR", 2, "O_RDONLY", 0, "O_WRONLY", 1, "O_NONBLOCK", Bits.O_NONBLOCK));
                    yield exact(new Call.Fcntl(fd(e, a.get(0)), Bits.F_SETFL, fl), Check.EXACT);
                }
                throw refuse(e, "fcntl " + cmd);
            }
            case "poll" -> {
                args(e, 3);
                if (!(a.get(0) instanceof Expr.Array arr)) throw refuse(e, "poll without a [{fd=..., events=...}] array");
                List<Call.PollFd> pf = new ArrayList<>();
                List<Expr.PollFd> given = new ArrayList<>();
                for (Expr x : arr.items()) {
                    if (!(x instanceof Expr.PollFd p)) throw refuse(e, "poll entry other than {fd=..., events=...}");
                    pf.add(new Call.PollFd(fd(e, p.fd()), flags(e, p.events(), Bits.POLL_NAMES)));
                    given.add(p);
                }
                if (integer(e, a.get(1)) != pf.size()) throw refuse(e, "poll with nfds other than the array's length");
                yield new Mapped(new Call.Poll(pf, (int) integer(e, a.get(2))), Check.EXACT, null, given, null);
            }
            case "epoll_create", "epoll_create1" -> {
                args(e, 1);
                yield exact(new Call.EpollCreate(), Check.FD);
            }
            case "epoll_ctl" -> {
                args(e, 4);
                int op = flags(e, a.get(1), Bits.EPOLL_OPS);
                int events = 0;
                if (a.get(3) instanceof Expr.EpollEvent ev) {
                    events = flags(e, ev.events(), Bits.EPOLL_NAMES);
                    if (ev.field() != Expr.EpollEvent.DataField.FD || fd(e, ev.data()) != fd(e, a.get(2)))
                        throw refuse(e, "epoll_ctl whose data is not the descriptor itself");
                } else if (!(a.get(3) instanceof Expr.Word w && w.name().equals("NULL"))) {
                    throw refuse(e, "epoll_ctl event other than {events=..., fd=...}");
                }
                yield exact(new Call.EpollCtl(fd(e, a.get(0)), op, fd(e, a.get(2)), events), Check.EXACT);
            }
            case "epoll_wait" -> {
                args(e, 4);
                List<Expr.EpollEvent> want = new ArrayList<>();
                Expr ev = a.get(1);
                if (ev instanceof Expr.EpollEvent one) want.add(one);
                else if (ev instanceof Expr.Array arr) {
                    for (Expr x : arr.items()) {
                        if (!(x instanceof Expr.EpollEvent one)) throw refuse(e, "epoll_wait event other than {events=..., fd=...}");
                        want.add(one);
                    }
                } else if (!(ev instanceof Expr.Ellipsis)) throw refuse(e, "epoll_wait event other than {events=..., fd=...}");
                yield new Mapped(new Call.EpollWait(fd(e, a.get(0)), (int) integer(e, a.get(2)), (int) integer(e, a.get(3))),
                        Check.EXACT, null, null, want);
            }
            case "ioctl" -> {
                // syscall_ioctl: ioctl(fd, REQUEST, [N]); the result first, then the int it filled in.
                args(e, 3);
                String req = symbol(e, a.get(1));
                Integer request = IOCTLS.get(req);
                if (request == null) throw refuse(e, "ioctl " + req);
                yield new Mapped(new Call.Ioctl(fd(e, a.get(0)), request), Check.EXACT, (int) pointed(e, a.get(2)), null, null);
            }
            default -> throw refuse(e, "the system call " + n + "()");
        };
    }

    private Mapped setsockopt(SyscallEvent e, List<Expr> a) throws NotModelled {
        args(e, 5);
        String level = symbol(e, a.get(1)), name = symbol(e, a.get(2));
        int fd = fd(e, a.get(0));
        if (level.equals("SOL_SOCKET") && name.equals("SO_REUSEADDR")) {
            return exact(new Call.SetSockOpt(fd, SockOpt.SO_REUSEADDR, new int[] {(int) pointed(e, a.get(3))}), Check.EXACT);
        }
        if (level.equals("SOL_SOCKET") && name.equals("SO_LINGER")) {
            if (!(a.get(3) instanceof Expr.Linger l)) throw refuse(e, "SO_LINGER without {onoff=..., linger=...}");
            return exact(new Call.SetSockOpt(fd, SockOpt.SO_LINGER, new int[] {(int) l.onoff(), (int) l.linger()}), Check.EXACT);
        }
        if ((level.equals("SOL_TCP") || level.equals("IPPROTO_TCP")) && (name.equals("TCP_USER_TIMEOUT")
                || name.equals("TCP_SYNCNT") || name.equals("TCP_FASTOPEN"))) {
            return exact(new Call.SetSockOpt(fd, SockOpt.valueOf(name), new int[] {(int) pointed(e, a.get(3))}), Check.EXACT);
        }
        if ((level.equals("SOL_TCP") || level.equals("IPPROTO_TCP")) && name.equals("TCP_FASTOPEN_KEY")) {
            // A 16-byte string: the primary key (32 bytes would add a backup key, which is not modelled).
            byte[] key = bytes(e, a.get(3));
            if (key.length != 16 || integer(e, a.get(4)) != 16) throw refuse(e, "setsockopt TCP_FASTOPEN_KEY other than 16 bytes");
            int[] words = new int[4];
            for (int i = 0; i < 16; i++) words[i / 4] |= (key[i] & 0xff) << (8 * (i % 4));
            return exact(new Call.SetSockOpt(fd, SockOpt.TCP_FASTOPEN_KEY, words), Check.EXACT);
        }
        throw refuse(e, "setsockopt " + name);
    }

    /** A string argument's bytes, with C's escapes {@code \xNN}, {@code \\} and {@code \"}; others refused. */
    private byte[] bytes(SyscallEvent e, Expr x) throws NotModelled {
        if (!(x instanceof Expr.Str s) || s.prefix()) throw refuse(e, e.name() + " with an argument other than a string at column " + x.column());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        String t = s.text();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c != '\\') {
                if (c > 0x7f) throw refuse(e, e.name() + " with a string that is not ASCII");
                out.write(c);
            } else if (i + 3 < t.length() && t.charAt(i + 1) == 'x'
                    && t.substring(i + 2, i + 4).matches("[0-9a-fA-F]{2}")) {
                out.write(Integer.parseInt(t.substring(i + 2, i + 4), 16));
                i += 3;
            } else if (i + 1 < t.length() && (t.charAt(i + 1) == '\\' || t.charAt(i + 1) == '"')) {
                out.write(t.charAt(++i));
            } else {
                throw refuse(e, e.name() + " with the string escape at offset " + i + " of " + s.text());
            }
        }
        return out.toByteArray();
    }

    private Mapped getsockopt(SyscallEvent e, List<Expr> a) throws NotModelled {
        args(e, 5);
        String level = symbol(e, a.get(1)), name = symbol(e, a.get(2));
        if (level.equals("SOL_SOCKET") && name.equals("SO_ERROR")) {
            Integer want = a.get(3) instanceof Expr.Ellipsis ? null : (int) pointed(e, a.get(3));
            return new Mapped(new Call.GetSockOpt(fd(e, a.get(0)), SockOpt.SO_ERROR), Check.EXACT, want, null, null);
        }
        throw refuse(e, "getsockopt " + name);
    }

    // ------------------------------------------------------------------ results, as end_syscall words them

    /**
     * Null when the result is what the script says, else packetdrill's message: {@code Expected result 61000 but got
     * 60000 with errno 0 (Success)}. The errno a successful call leaves behind on the kernel is whatever an earlier
     * call left; the model says 0.
     */
    String judge(SyscallEvent e, Mapped m, Result r) throws NotModelled {
        int actual = (int) r.value();
        int errno = r.errno() == null ? 0 : r.errno().number;
        String errText = r.errno() == null ? "Success" : r.errno().text;
        if (!(e.result() instanceof Expr.Ellipsis)) {
            long expected = e.result() instanceof Expr.Int i ? i.value() : symbolValue(e, e.result());
            if (m.check == Check.FD && expected >= 0) {
                if (actual < 0) return "Expected non-negative result but got " + actual + " with errno " + errno + " (" + errText + ")";
                fds.put((int) expected, actual);
            } else if (actual != (int) expected) {
                return "Expected result " + (int) expected + " but got " + actual + " with errno " + errno + " (" + errText + ")";
            }
        }
        if (e.errno() != null) {
            Errno want = Errno.ofName(e.errno());
            if (want == null) throw refuse(e, "the errno " + e.errno());
            if (want.number != errno) {
                return "Expected errno " + want.number + " (" + want.text + ") but got " + errno + " (" + errText + ")";
            }
        }
        if (m.optval != null && r.optval() != null && r.optval()[0] != m.optval) {
            return "Bad " + e.name() + " optval: expected: " + m.optval + " actual: " + r.optval()[0];
        }
        if (m.pollFds != null && r.revents() != null) {
            for (int i = 0; i < m.pollFds.size(); i++) {
                Expr.PollFd p = m.pollFds.get(i);
                int want = p.revents() == null ? 0 : flags(e, p.revents(), Bits.POLL_NAMES);
                if (want != r.revents()[i]) {
                    return "Expected revents of " + Bits.format(want, Bits.POLL_NAMES) + " but got "
                            + Bits.format(r.revents()[i], Bits.POLL_NAMES) + " for pollfd " + i;
                }
            }
        }
        if (m.epollEvents != null && !m.epollEvents.isEmpty() && !r.failed()) {
            // epoll_wait: only the first event is compared, and a wait that returned none compares a zeroed one.
            Expr.EpollEvent want = m.epollEvents.get(0);
            Result.EpollEvent got = r.events() == null || r.events().isEmpty() ? new Result.EpollEvent(0, 0) : r.events().get(0);
            int events = flags(e, want.events(), Bits.EPOLL_NAMES);
            if (events != got.events()) {
                return "epoll_event->events does not match script: expected: 0x" + Integer.toHexString(events)
                        + " actual: 0x" + Integer.toHexString(got.events());
            }
            long data = want.field() == Expr.EpollEvent.DataField.FD ? fd(e, want.data()) : integer(e, want.data());
            int liveData = r.events() == null || r.events().isEmpty() ? 0 : got.fd();
            if (data != liveData) {
                return "epoll_event->data does not match script: expected: " + data + " actual: " + liveData;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ arguments

    private void args(SyscallEvent e, int n) throws NotModelled {
        if (e.arguments().size() != n) throw refuse(e, e.name() + " with " + e.arguments().size() + " arguments");
    }

    private NotModelled refuse(SyscallEvent e, String what) {
        return new NotModelled(file, e.line(), what);
    }

    private int fd(SyscallEvent e, Expr x) throws NotModelled {
        int n = (int) integer(e, x);
        return fds.getOrDefault(n, n);
    }

    private long integer(SyscallEvent e, Expr x) throws NotModelled {
        if (x instanceof Expr.Int i) return i.value();
        throw refuse(e, e.name() + " with an argument other than a number at column " + x.column());
    }

    /** {@code [1]}: a pointer to one int; {@code [ECONNREFUSED]}: an errno's number. */
    private long pointed(SyscallEvent e, Expr x) throws NotModelled {
        if (x instanceof Expr.Array arr && arr.items().size() == 1) {
            Expr v = arr.items().get(0);
            if (v instanceof Expr.Word w && Errno.ofName(w.name()) != null) return Errno.ofName(w.name()).number;
            return integer(e, v);
        }
        return integer(e, x);
    }

    private void ellipsis(SyscallEvent e, Expr x) throws NotModelled {
        if (!(x instanceof Expr.Ellipsis)) throw refuse(e, e.name() + " with an explicit address or buffer at column " + x.column());
    }

    private void word(SyscallEvent e, Expr x, String... allowed) throws NotModelled {
        String s = x instanceof Expr.Ellipsis ? "..." : x instanceof Expr.Int i ? Long.toString(i.value())
                : x instanceof Expr.Word w ? w.name() : null;
        for (String ok : allowed) if (ok.equals(s)) return;
        throw refuse(e, e.name() + " with " + (s == null ? "the argument at column " + x.column() : s));
    }

    private String symbol(SyscallEvent e, Expr x) throws NotModelled {
        if (x instanceof Expr.Word w) return w.name();
        throw refuse(e, e.name() + " with an argument other than a name at column " + x.column());
    }

    private long symbolValue(SyscallEvent e, Expr x) throws NotModelled {
        throw refuse(e, e.name() + " with a result other than a number");
    }

    /** {@code A|B}, a name or a number, with the names in {@code table}. */
    private int flags(SyscallEvent e, Expr x, Map<String, Integer> table) throws NotModelled {
        if (x instanceof Expr.Int i) return (int) i.value();
        if (x instanceof Expr.Word w) {
            Integer v = table.get(w.name());
            if (v == null) throw refuse(e, e.name() + " with " + w.name());
            return v;
        }
        if (x instanceof Expr.Or or) {
            int v = 0;
            for (Expr t : or.terms()) v |= flags(e, t, table);
            return v;
        }
        throw refuse(e, e.name() + " with the argument at column " + x.column());
    }

    /** {@code ..., 1000}: a buffer of that many bytes (packetdrill sends zeros; so does the model). */
    private byte[] buffer(SyscallEvent e, Expr buf, Expr len) throws NotModelled {
        if (!(buf instanceof Expr.Ellipsis)) throw refuse(e, e.name() + " with a buffer other than ...");
        long n = integer(e, len);
        if (n < 0 || n > 64L << 20) throw refuse(e, e.name() + " of " + n + " bytes");
        return new byte[(int) n];
    }

    private static Mapped exact(Call c, Check check) {
        return new Mapped(c, check, null, null, null);
    }
}
