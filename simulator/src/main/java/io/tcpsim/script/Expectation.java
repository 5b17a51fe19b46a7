package io.tcpsim.script;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a call step says its call returns, after {@code =}. Which forms a call accepts follows from its
 * {@link ResultShape}; {@link #holds} compares with what the backend returned.
 */
public sealed interface Expectation {

    /** The expectation in normalized script syntax, as a mismatch report prints it. */
    String text();

    /**
     * Whether the result is the one expected. {@code fds} resolves the names an expectation mentions to the numbers
     * the backend returned; {@code call} is the call that ran.
     */
    boolean holds(Result result, CallTemplate call, CallTemplate.Fds fds);

    private static boolean succeeded(Result r) {
        return !r.failed() && !r.blockedForever();
    }

    /** A return value: {@code = 0}, {@code = 5}. */
    record Returns(long value) implements Expectation {
        public String text() { return String.valueOf(value); }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) { return succeeded(r) && r.value() == value; }
    }

    /** {@code = -1 ECONNRESET}: the strerror text in parentheses may follow and is ignored. */
    record Fails(Errno errno) implements Expectation {
        public String text() { return "-1 " + errno.name(); }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) { return r.errno() == errno; }
    }

    /** {@code = blocks forever}: the call waits and nothing left in the simulation can wake it. */
    record BlocksForever() implements Expectation {
        public String text() { return "blocks forever"; }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) { return r.blockedForever(); }
    }

    /** recv/read: {@code = 5} or {@code = 5 "hello"}; {@code data} is null when only the count is given. */
    record Received(long length, byte[] data) implements Expectation {
        public String text() { return data == null ? String.valueOf(length) : length + " " + CText.quoteShort(data); }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            if (!succeeded(r) || r.value() != length) return false;
            if (data == null) return true;
            return Arrays.equals(r.data() == null ? new byte[0] : r.data(), data);
        }
        @Override public boolean equals(Object o) {
            return o instanceof Received x && x.length == length && Arrays.equals(x.data, data);
        }
        @Override public int hashCode() { return Long.hashCode(length) * 31 + Arrays.hashCode(data); }
        @Override public String toString() { return "Received[" + text() + "]"; }
    }

    /** recvmsg with TCP_INQ on: the bytes as {@code received} says, and the control message: {@code {TCP_INQ=6}}. */
    record WithInq(Expectation received, int inq) implements Expectation {
        public String text() { return received.text() + " {TCP_INQ=" + inq + "}"; }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            return received.holds(r, call, fds) && r.optval() != null && r.optval().length > 0 && r.optval()[0] == inq;
        }
    }

    /** Single-descriptor poll: the revents, {@code 0} for a timeout. */
    record Revents(int bits) implements Expectation {
        public String text() { return Bits.format(bits, Bits.POLL_NAMES); }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            if (!succeeded(r)) return false;
            int actual = r.revents() == null || r.revents().length == 0 ? 0 : r.revents()[0];
            return actual == bits && r.value() == (bits == 0 ? 0 : 1);
        }
    }

    record Ready(String fd, int bits) {}

    /**
     * Multi-descriptor poll and epoll_wait: the descriptors reported with their bits, in any order; empty for
     * {@code 0} (a timeout).
     */
    record ReadyList(List<Ready> entries, boolean epoll) implements Expectation {
        public ReadyList { entries = List.copyOf(entries); }

        public String text() {
            if (entries.isEmpty()) return "0";
            List<String> parts = new ArrayList<>();
            for (Ready e : entries) parts.add(e.fd() + ":" + Bits.format(e.bits(), epoll ? Bits.EPOLL_NAMES : Bits.POLL_NAMES));
            return String.join(", ", parts);
        }

        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            if (!succeeded(r)) return false;
            List<String> expected = new ArrayList<>();
            for (Ready e : entries) expected.add(fds.fd(e.fd()) + ":" + e.bits());
            List<String> actual = new ArrayList<>();
            if (epoll) {
                if (r.events() != null) for (Result.EpollEvent ev : r.events()) actual.add(ev.fd() + ":" + ev.events());
            } else if (call instanceof CallTemplate.Poll p && r.revents() != null) {
                for (int i = 0; i < r.revents().length && i < p.entries().size(); i++)
                    if (r.revents()[i] != 0) actual.add(fds.fd(p.entries().get(i).fd()) + ":" + r.revents()[i]);
            }
            expected.sort(null);
            actual.sort(null);
            return expected.equals(actual) && r.value() == entries.size();
        }
    }

    /** getsockopt(SO_ERROR): {@code 0}, or the pending error's name; {@code errno} is null for 0. */
    record SoError(Errno errno) implements Expectation {
        public String text() { return errno == null ? "0" : errno.name(); }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            return succeeded(r) && r.optval() != null && r.optval().length >= 1
                    && r.optval()[0] == (errno == null ? 0 : errno.number);
        }
    }

    /** getsockopt(SO_LINGER): {@code {1, 5}}. */
    record Linger(int onoff, int seconds) implements Expectation {
        public String text() { return "{" + onoff + ", " + seconds + "}"; }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            return succeeded(r) && r.optval() != null && r.optval().length == 2
                    && r.optval()[0] == onoff && r.optval()[1] == seconds;
        }
    }

    /**
     * getsockopt(TCP_INFO): {@code {state=ESTABLISHED, unacked=0}}, the fields named (any of {@link
     * io.tcpsim.calls.TcpInfo#MODELLED}, in any order) with their values; the others are not checked.
     */
    record TcpInfoFields(java.util.Map<String, Long> fields) implements Expectation {
        public TcpInfoFields { fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields)); }
        public String text() {
            List<String> parts = new ArrayList<>();
            for (var e : fields.entrySet())
                parts.add(e.getKey() + "=" + io.tcpsim.calls.TcpInfo.valueText(io.tcpsim.calls.TcpInfo.field(e.getKey()), e.getValue()));
            return "{" + String.join(", ", parts) + "}";
        }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            if (!succeeded(r) || r.optval() == null || r.optval().length < io.tcpsim.calls.TcpInfo.WORDS) return false;
            for (var e : fields.entrySet())
                if (io.tcpsim.calls.TcpInfo.field(e.getKey()).get(r.optval()) != e.getValue()) return false;
            return true;
        }
    }

    /** getsockopt(TCP_CONGESTION): {@code "cubic"}. */
    record Name(String name) implements Expectation {
        public String text() { return "\"" + name + "\""; }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            return succeeded(r) && io.tcpsim.calls.SockOpt.name(r.optval()).equals(name);
        }
    }

    /** getsockopt(SO_REUSEADDR): the option's value (the call itself returns 0). */
    record OptionValue(int value) implements Expectation {
        public String text() { return String.valueOf(value); }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            return succeeded(r) && r.optval() != null && r.optval().length >= 1 && r.optval()[0] == value;
        }
    }

    /** getsockname, getpeername: {@code 127.0.0.1:4321}, or {@code 127.0.0.1:*} for any port (an ephemeral one). */
    record Address(int ip, int port) implements Expectation {
        public static final int ANY_PORT = -1;
        public String text() {
            return new io.tcpsim.wire.SockAddr(ip, 0).ipString() + ":" + (port == ANY_PORT ? "*" : String.valueOf(port));
        }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            return succeeded(r) && r.addr() != null && r.addr().ip() == ip && (port == ANY_PORT || r.addr().port() == port);
        }
    }

    /** select: {@code 2 (in [a], out [c])}, or {@code 0} for a timeout; {@code ready} as readyText prints it. */
    record SelectReady(long count, String ready) implements Expectation {
        public String text() { return ready.isEmpty() ? String.valueOf(count) : count + " (" + ready + ")"; }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) {
            return succeeded(r) && r.value() == count && call instanceof CallTemplate.Select s
                    && s.readyText(r.revents()).equals(ready);
        }
    }

    /** fcntl(F_GETFL): the status flags, e.g. {@code O_RDWR|O_NONBLOCK}. */
    record FileFlags(int flags) implements Expectation {
        public String text() { return Bits.format(flags, CallTemplate.FILE_FLAGS); }
        public boolean holds(Result r, CallTemplate call, CallTemplate.Fds fds) { return succeeded(r) && r.value() == flags; }
    }
}
