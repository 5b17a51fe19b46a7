package io.tcpsim.script;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A call as the script wrote it: descriptors are names (or literal numbers), not yet numbers. The runner resolves
 * the names to the numbers the backend returned and gets a {@link Call}; {@link #text()} is the call in normalized
 * script syntax, as the output prints it.
 */
public sealed interface CallTemplate {

    /** Resolves a descriptor name (or a literal number) to the number the backend gave it. */
    @FunctionalInterface
    interface Fds {
        int fd(String name);

        /** The address a getsockname or getpeername step bound to {@code name} ({@code sa = getsockname(a)}). */
        default SockAddr address(String name) {
            throw new IllegalStateException("no address named " + name);
        }
    }

    Call resolve(Fds fds);

    /** The call in normalized script syntax, names kept, data cut after 64 bytes. */
    String text();

    ResultShape shape();

    /** The descriptor names the call reads, in argument order (not those it makes). */
    List<String> uses();

    /** Names of the flags socket() and accept4() take. */
    Map<String, Integer> SOCK_FLAGS = table("SOCK_NONBLOCK", Bits.SOCK_NONBLOCK, "SOCK_CLOEXEC", Bits.SOCK_CLOEXEC);
    /** fcntl(F_SETFL) arguments and fcntl(F_GETFL) results. */
    Map<String, Integer> FILE_FLAGS = table("O_WRONLY", 1, "O_RDWR", 2, "O_NONBLOCK", Bits.O_NONBLOCK);
    Map<String, Integer> FCNTL_CMDS = table("F_GETFL", Bits.F_GETFL, "F_SETFL", Bits.F_SETFL);
    Map<String, Integer> SIGNALS = table("SIGPIPE", Bits.SIGPIPE);

    record Socket(int flags) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Socket(flags); }
        public String text() { return flags == 0 ? "socket()" : "socket(" + Bits.format(flags, SOCK_FLAGS) + ")"; }
        public ResultShape shape() { return ResultShape.DESCRIPTOR; }
        public List<String> uses() { return List.of(); }
    }

    /** {@code addrName} names an address a step bound ({@code bind(b, sa)}); null for a literal {@code addr}. */
    record Bind(String fd, SockAddr addr, String addrName) implements CallTemplate {
        public Bind(String fd, SockAddr addr) { this(fd, addr, null); }
        public Call resolve(Fds fds) { return new Call.Bind(fds.fd(fd), addrName == null ? addr : fds.address(addrName)); }
        public String text() { return "bind(" + fd + ", " + addrText() + ")"; }
        /** The address as the script wrote it: A.B.C.D:PORT or the name of one. */
        public String addrText() { return addrName == null ? addr.toString() : addrName; }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    record Listen(String fd, int backlog) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Listen(fds.fd(fd), backlog); }
        public String text() { return "listen(" + fd + ", " + backlog + ")"; }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    record Accept(String fd, int flags) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Accept(fds.fd(fd), flags); }
        public String text() { return "accept(" + fd + (flags == 0 ? "" : ", " + Bits.format(flags, SOCK_FLAGS)) + ")"; }
        public ResultShape shape() { return ResultShape.DESCRIPTOR; }
        public List<String> uses() { return List.of(fd); }
    }

    /** {@code addrName} names an address a step bound ({@code connect(c, sa)}); null for a literal {@code addr}. */
    record Connect(String fd, SockAddr addr, String addrName) implements CallTemplate {
        public Connect(String fd, SockAddr addr) { this(fd, addr, null); }
        public Call resolve(Fds fds) { return new Call.Connect(fds.fd(fd), addrName == null ? addr : fds.address(addrName)); }
        public String text() { return "connect(" + fd + ", " + addrText() + ")"; }
        /** The address as the script wrote it: A.B.C.D:PORT or the name of one. */
        public String addrText() { return addrName == null ? addr.toString() : addrName; }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    /**
     * The bytes a send or write carries: a string's bytes, or, for a byte count, only the count. The counted bytes
     * are made when the call runs, never when the script is read: a short script of many large sends holds no
     * memory until each of them is called (issue 19, item 9).
     */
    record Data(byte[] literal, int count) {
        public Data {
            if (literal != null) count = literal.length;
        }

        /** {@code n} bytes 'a', 'b', ... 'z', 'a', ...: easy to recognise in a dump. */
        public static Data count(int n) {
            return new Data(null, n);
        }

        public static Data of(byte[] bytes) {
            return new Data(bytes, bytes.length);
        }

        public boolean counted() { return literal == null; }

        /** A fresh copy of the bytes, the caller's to keep. */
        public byte[] bytes() {
            if (literal != null) return literal.clone();
            byte[] b = new byte[count];
            for (int i = 0; i < Math.min(26, count); i++) b[i] = (byte) ('a' + i);
            for (int done = 26; done < count; done *= 2) System.arraycopy(b, 0, b, done, Math.min(done, count - done));
            return b;
        }

        public String text() { return counted() ? String.valueOf(count) : CText.quoteShort(literal); }

        @Override public boolean equals(Object o) {
            return o instanceof Data d && d.count == count && Arrays.equals(d.literal, literal);
        }

        @Override public int hashCode() { return 31 * count + Arrays.hashCode(literal); }

        @Override public String toString() { return text(); }
    }

    record Send(String fd, Data data, int flags, boolean write) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Send(fds.fd(fd), data.bytes(), flags, write); }
        public String text() {
            return (write ? "write(" : "send(") + fd + ", " + data.text()
                    + (flags == 0 ? "" : ", " + Bits.format(flags, Bits.MSG_NAMES)) + ")";
        }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    record Recv(String fd, int length, int flags, boolean read) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Recv(fds.fd(fd), length, flags, read); }
        public String text() {
            return (read ? "read(" : "recv(") + fd + ", " + length
                    + (flags == 0 ? "" : ", " + Bits.format(flags, Bits.MSG_NAMES)) + ")";
        }
        public ResultShape shape() { return ResultShape.RECEIVED; }
        public List<String> uses() { return List.of(fd); }
    }

    record Shutdown(String fd, int how) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Shutdown(fds.fd(fd), how); }
        public String text() { return "shutdown(" + fd + ", " + name(Bits.SHUT_NAMES, how) + ")"; }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    record Close(String fd) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Close(fds.fd(fd)); }
        public String text() { return "close(" + fd + ")"; }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    record SetSockOpt(String fd, SockOpt option, List<Integer> values) implements CallTemplate {
        public SetSockOpt { values = List.copyOf(values); }
        public Call resolve(Fds fds) {
            return new Call.SetSockOpt(fds.fd(fd), option, values.stream().mapToInt(Integer::intValue).toArray());
        }
        public String text() {
            StringBuilder b = new StringBuilder("setsockopt(").append(fd).append(", ").append(option.name());
            if (option == SockOpt.TCP_CONGESTION)
                return b.append(", \"").append(SockOpt.name(values.stream().mapToInt(Integer::intValue).toArray())).append("\")").toString();
            for (int v : values) b.append(", ").append(v);
            return b.append(')').toString();
        }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    record GetSockOpt(String fd, SockOpt option) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.GetSockOpt(fds.fd(fd), option); }
        public String text() { return "getsockopt(" + fd + ", " + option.name() + ")"; }
        public ResultShape shape() {
            return switch (option) {
                case SO_ERROR -> ResultShape.SO_ERROR;
                case SO_LINGER -> ResultShape.LINGER;
                case TCP_INFO -> ResultShape.TCP_INFO;
                case TCP_CONGESTION -> ResultShape.NAME;
                default -> ResultShape.OPTION_VALUE;
            };
        }
        public List<String> uses() { return List.of(fd); }
    }

    record Fcntl(String fd, int cmd, int arg) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Fcntl(fds.fd(fd), cmd, arg); }
        public String text() {
            if (cmd == Bits.F_SETFL) return "fcntl(" + fd + ", F_SETFL, " + Bits.format(arg, FILE_FLAGS) + ")";
            return "fcntl(" + fd + ", " + name(FCNTL_CMDS, cmd) + ")";
        }
        public ResultShape shape() { return cmd == Bits.F_GETFL ? ResultShape.FILE_FLAGS : ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    record PollEntry(String fd, int events) {}

    /** {@code single} when the script used the one-descriptor form {@code poll(fd, EVENTS)}. */
    record Poll(List<PollEntry> entries, int timeoutMs, boolean single) implements CallTemplate {
        public Poll { entries = List.copyOf(entries); }
        public Call resolve(Fds fds) {
            List<Call.PollFd> list = new ArrayList<>();
            for (PollEntry e : entries) list.add(new Call.PollFd(fds.fd(e.fd()), e.events()));
            return new Call.Poll(list, timeoutMs);
        }
        public String text() {
            StringBuilder b = new StringBuilder("poll(");
            if (single) {
                b.append(entries.get(0).fd()).append(", ").append(Bits.format(entries.get(0).events(), Bits.POLL_NAMES));
            } else {
                for (int i = 0; i < entries.size(); i++) {
                    if (i > 0) b.append(", ");
                    b.append('[').append(entries.get(i).fd()).append(", ")
                            .append(Bits.format(entries.get(i).events(), Bits.POLL_NAMES)).append(']');
                }
            }
            if (timeoutMs >= 0) b.append(", ").append(timeoutMs);
            return b.append(')').toString();
        }
        public ResultShape shape() { return single ? ResultShape.REVENTS : ResultShape.POLL_LIST; }
        public List<String> uses() { return entries.stream().map(PollEntry::fd).toList(); }
    }

    record EpollCreate() implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.EpollCreate(); }
        public String text() { return "epoll_create()"; }
        public ResultShape shape() { return ResultShape.DESCRIPTOR; }
        public List<String> uses() { return List.of(); }
    }

    record EpollCtl(String epfd, int op, String fd, int events) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.EpollCtl(fds.fd(epfd), op, fds.fd(fd), events); }
        public String text() {
            return "epoll_ctl(" + epfd + ", " + name(Bits.EPOLL_OPS, op) + ", " + fd + ", "
                    + Bits.format(events, Bits.EPOLL_NAMES) + ")";
        }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(epfd, fd); }
    }

    /** The number of events epoll_wait asks for when the script does not say. */
    int DEFAULT_MAX_EVENTS = 64;

    record EpollWait(String epfd, int maxEvents, int timeoutMs) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.EpollWait(fds.fd(epfd), maxEvents, timeoutMs); }
        public String text() {
            if (timeoutMs >= 0) return "epoll_wait(" + epfd + ", " + maxEvents + ", " + timeoutMs + ")";
            if (maxEvents != DEFAULT_MAX_EVENTS) return "epoll_wait(" + epfd + ", " + maxEvents + ")";
            return "epoll_wait(" + epfd + ")";
        }
        public ResultShape shape() { return ResultShape.EPOLL_LIST; }
        public List<String> uses() { return List.of(epfd); }
    }

    record Pipe() implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Pipe(); }
        public String text() { return "pipe()"; }
        public ResultShape shape() { return ResultShape.DESCRIPTOR_PAIR; }
        public List<String> uses() { return List.of(); }
    }

    record SocketPair() implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.SocketPair(); }
        public String text() { return "socketpair()"; }
        public ResultShape shape() { return ResultShape.DESCRIPTOR_PAIR; }
        public List<String> uses() { return List.of(); }
    }

    record Signal(int signo, Call.Disposition disposition) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Signal(signo, disposition); }
        public String text() {
            String d = switch (disposition) {
                case SIG_DFL -> "SIG_DFL";
                case SIG_IGN -> "SIG_IGN";
                case HANDLER -> "handler";
            };
            return "signal(" + name(SIGNALS, signo) + ", " + d + ")";
        }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(); }
    }

    /** getsockname(fd), or getpeername(fd) when {@code peer}. */
    record GetName(String fd, boolean peer) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.GetName(fds.fd(fd), peer); }
        public String text() { return (peer ? "getpeername(" : "getsockname(") + fd + ")"; }
        public ResultShape shape() { return ResultShape.ADDRESS; }
        public List<String> uses() { return List.of(fd); }
    }

    /** sendto(fd, DATA, FLAGS, A.B.C.D:PORT). */
    record SendTo(String fd, Data data, int flags, SockAddr addr) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.SendTo(fds.fd(fd), data.bytes().clone(), flags, addr); }
        public String text() {
            return "sendto(" + fd + ", " + data.text() + ", " + Bits.format(flags, Bits.MSG_NAMES) + ", " + addr + ")";
        }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    record RecvFrom(String fd, int length, int flags) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.RecvFrom(fds.fd(fd), length, flags); }
        public String text() {
            return "recvfrom(" + fd + ", " + length + (flags == 0 ? "" : ", " + Bits.format(flags, Bits.MSG_NAMES)) + ")";
        }
        public ResultShape shape() { return ResultShape.RECEIVED; }
        public List<String> uses() { return List.of(fd); }
    }

    /** writev(fd, [DATA, DATA, ...]). */
    record WriteV(String fd, List<Data> buffers) implements CallTemplate {
        public WriteV { buffers = List.copyOf(buffers); }
        public Call resolve(Fds fds) {
            return new Call.WriteV(fds.fd(fd), buffers.stream().map(b -> b.bytes().clone()).toList());
        }
        public String text() {
            return "writev(" + fd + ", [" + String.join(", ", buffers.stream().map(Data::text).toList()) + "])";
        }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    /** readv(fd, [N, N, ...]). */
    record ReadV(String fd, List<Integer> lengths) implements CallTemplate {
        public ReadV { lengths = List.copyOf(lengths); }
        public Call resolve(Fds fds) { return new Call.ReadV(fds.fd(fd), lengths.stream().mapToInt(Integer::intValue).toArray()); }
        public String text() {
            return "readv(" + fd + ", [" + String.join(", ", lengths.stream().map(String::valueOf).toList()) + "])";
        }
        public ResultShape shape() { return ResultShape.RECEIVED; }
        public List<String> uses() { return List.of(fd); }
    }

    /** sendmsg(fd, [DATA, ...], FLAGS). */
    record SendMsg(String fd, List<Data> buffers, int flags) implements CallTemplate {
        public SendMsg { buffers = List.copyOf(buffers); }
        public Call resolve(Fds fds) {
            return new Call.SendMsg(fds.fd(fd), buffers.stream().map(b -> b.bytes().clone()).toList(), flags);
        }
        public String text() {
            return "sendmsg(" + fd + ", [" + String.join(", ", buffers.stream().map(Data::text).toList()) + "]"
                    + (flags == 0 ? "" : ", " + Bits.format(flags, Bits.MSG_NAMES)) + ")";
        }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    /** recvmsg(fd, [N, ...], FLAGS). */
    record RecvMsg(String fd, List<Integer> lengths, int flags) implements CallTemplate {
        public RecvMsg { lengths = List.copyOf(lengths); }
        public Call resolve(Fds fds) {
            return new Call.RecvMsg(fds.fd(fd), lengths.stream().mapToInt(Integer::intValue).toArray(), flags);
        }
        public String text() {
            return "recvmsg(" + fd + ", [" + String.join(", ", lengths.stream().map(String::valueOf).toList()) + "]"
                    + (flags == 0 ? "" : ", " + Bits.format(flags, Bits.MSG_NAMES)) + ")";
        }
        public ResultShape shape() { return ResultShape.RECEIVED; }
        public List<String> uses() { return List.of(fd); }
    }

    /** select([in...], [out...], [ex...][, TIMEOUT_MS]). */
    record Select(List<String> in, List<String> out, List<String> ex, int timeoutMs) implements CallTemplate {
        public Select { in = List.copyOf(in); out = List.copyOf(out); ex = List.copyOf(ex); }
        public Call resolve(Fds fds) {
            return new Call.Select(in.stream().map(fds::fd).toList(), out.stream().map(fds::fd).toList(),
                    ex.stream().map(fds::fd).toList(), timeoutMs);
        }
        public String text() {
            return "select([" + String.join(", ", in) + "], [" + String.join(", ", out) + "], [" + String.join(", ", ex) + "]"
                    + (timeoutMs >= 0 ? ", " + timeoutMs : "") + ")";
        }
        public ResultShape shape() { return ResultShape.SELECT; }
        public List<String> uses() {
            List<String> all = new ArrayList<>(in);
            all.addAll(out);
            all.addAll(ex);
            return all;
        }
        /** "in [a], out [c]" for the ready flags of in, out and ex in order; empty for none. */
        public String readyText(int[] ready) {
            List<String> parts = new ArrayList<>();
            int k = 0;
            String[] names = {"in", "out", "ex"};
            List<List<String>> sets = List.of(in, out, ex);
            for (int s = 0; s < 3; s++) {
                List<String> got = new ArrayList<>();
                for (String fd : sets.get(s)) {
                    if (ready != null && k < ready.length && ready[k] != 0) got.add(fd);
                    k++;
                }
                if (!got.isEmpty()) parts.add(names[s] + " [" + String.join(", ", got) + "]");
            }
            return String.join(", ", parts);
        }
    }

    /** fork(child): the process {@code child} starts with the caller's descriptors and names. */
    record Fork(String child) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Fork(child); }
        public String text() { return "fork(" + child + ")"; }
        public ResultShape shape() { return ResultShape.VALUE; }
        public List<String> uses() { return List.of(); }
    }

    /** dup(fd), or dup2(fd, newFd) when {@code newFd} is not null: a descriptor name or a number. */
    record Dup(String fd, String newFd) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Dup(fds.fd(fd), newFd == null ? -1 : fds.fd(newFd), newFd != null); }
        public String text() { return newFd == null ? "dup(" + fd + ")" : "dup2(" + fd + ", " + newFd + ")"; }
        public ResultShape shape() { return ResultShape.DESCRIPTOR; }
        public List<String> uses() { return newFd == null ? List.of(fd) : List.of(fd, newFd); }
    }

    /** ioctl(fd, FIONREAD|SIOCINQ|SIOCOUTQ|SIOCOUTQNSD): the count the call writes. */
    record Ioctl(String fd, int request) implements CallTemplate {
        public Call resolve(Fds fds) { return new Call.Ioctl(fds.fd(fd), request); }
        public String text() { return "ioctl(" + fd + ", " + name(Bits.IOCTL_NAMES, request) + ")"; }
        public ResultShape shape() { return ResultShape.OPTION_VALUE; }
        public List<String> uses() { return List.of(fd); }
    }

    /** The name of a value in a table of single values (not bits), or the number. */
    static String name(Map<String, Integer> table, int value) {
        for (var e : table.entrySet()) if (e.getValue() == value) return e.getKey();
        return String.valueOf(value);
    }

    private static Map<String, Integer> table(Object... pairs) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put((String) pairs[i], (Integer) pairs[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }
}
