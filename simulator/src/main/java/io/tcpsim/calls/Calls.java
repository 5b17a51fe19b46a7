package io.tcpsim.calls;

import io.tcpsim.wire.SockAddr;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Named factories for the {@link Call} records, so that a call reads as the system call it is:
 * {@code Calls.recv(fd, 100)} rather than {@code new Call.Recv(fd, 100, 0, false)}, {@code Calls.send(fd, bytes,
 * Calls.MSG_NOSIGNAL)} rather than {@code new Call.Send(fd, bytes, MSG_NOSIGNAL, false)}. The records stay as they
 * are (a visitor, a script and the runner use them); these only build them. The flag constants are
 * {@link Bits}'s, repeated here for a static import.
 */
public final class Calls {
    private Calls() {}

    public static final int MSG_NOSIGNAL = Bits.MSG_NOSIGNAL, MSG_DONTWAIT = Bits.MSG_DONTWAIT, MSG_PEEK = Bits.MSG_PEEK,
            MSG_WAITALL = Bits.MSG_WAITALL;
    public static final int SHUT_RD = Bits.SHUT_RD, SHUT_WR = Bits.SHUT_WR, SHUT_RDWR = Bits.SHUT_RDWR;
    public static final int SOCK_NONBLOCK = Bits.SOCK_NONBLOCK;

    /** {@code socket(AF_INET, SOCK_STREAM, 0)}. */
    public static Call socket() { return new Call.Socket(0); }

    /** {@code socket(AF_INET, SOCK_STREAM | flags, 0)}; flags may hold SOCK_NONBLOCK, SOCK_CLOEXEC. */
    public static Call socket(int flags) { return new Call.Socket(flags); }

    public static Call bind(int fd, SockAddr addr) { return new Call.Bind(fd, addr); }

    public static Call listen(int fd, int backlog) { return new Call.Listen(fd, backlog); }

    /** {@code accept(fd, NULL, NULL)}. */
    public static Call accept(int fd) { return new Call.Accept(fd, 0); }

    /** {@code accept4(fd, NULL, NULL, flags)}. */
    public static Call accept4(int fd, int flags) { return new Call.Accept(fd, flags); }

    public static Call connect(int fd, SockAddr addr) { return new Call.Connect(fd, addr); }

    /** {@code send(fd, data, len, 0)}. */
    public static Call send(int fd, byte[] data) { return new Call.Send(fd, data, 0, false); }

    /** {@code send(fd, data, len, flags)}, e.g. MSG_NOSIGNAL. */
    public static Call send(int fd, byte[] data, int flags) { return new Call.Send(fd, data, flags, false); }

    /** {@code send} of a string's ISO-8859-1 bytes (one byte a char, as a script's strings). */
    public static Call send(int fd, String data, int flags) { return send(fd, bytes(data), flags); }

    /** {@code write(fd, data, len)}: no flags, and it works on a pipe too. */
    public static Call write(int fd, byte[] data) { return new Call.Send(fd, data, 0, true); }

    public static Call write(int fd, String data) { return write(fd, bytes(data)); }

    /** {@code recv(fd, buf, length, 0)}. */
    public static Call recv(int fd, int length) { return new Call.Recv(fd, length, 0, false); }

    /** {@code recv(fd, buf, length, flags)}, e.g. MSG_PEEK. */
    public static Call recv(int fd, int length, int flags) { return new Call.Recv(fd, length, flags, false); }

    /** {@code read(fd, buf, length)}. */
    public static Call read(int fd, int length) { return new Call.Recv(fd, length, 0, true); }

    /** {@code shutdown(fd, how)}: SHUT_RD, SHUT_WR or SHUT_RDWR. */
    public static Call shutdown(int fd, int how) { return new Call.Shutdown(fd, how); }

    public static Call close(int fd) { return new Call.Close(fd); }

    /** {@code setsockopt(fd, SOL_SOCKET, SO_LINGER, {1, seconds})}; 0 seconds makes close send an RST. */
    public static Call linger(int fd, int seconds) { return new Call.SetSockOpt(fd, SockOpt.SO_LINGER, new int[] {1, seconds}); }

    /** {@code setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, on)}. */
    public static Call reuseAddr(int fd, boolean on) { return new Call.SetSockOpt(fd, SockOpt.SO_REUSEADDR, new int[] {on ? 1 : 0}); }

    public static Call setsockopt(int fd, SockOpt option, int... values) { return new Call.SetSockOpt(fd, option, values.clone()); }

    public static Call getsockopt(int fd, SockOpt option) { return new Call.GetSockOpt(fd, option); }

    /** {@code fcntl(fd, F_SETFL, O_NONBLOCK)}. */
    public static Call nonBlocking(int fd) { return new Call.Fcntl(fd, Bits.F_SETFL, Bits.O_NONBLOCK); }

    public static Call fcntl(int fd, int cmd, int arg) { return new Call.Fcntl(fd, cmd, arg); }

    /** {@code poll} of one descriptor. */
    public static Call poll(int fd, int events, int timeoutMs) {
        return new Call.Poll(List.of(new Call.PollFd(fd, events)), timeoutMs);
    }

    public static Call poll(List<Call.PollFd> fds, int timeoutMs) { return new Call.Poll(List.copyOf(fds), timeoutMs); }

    public static Call epollCreate() { return new Call.EpollCreate(); }

    public static Call epollCtl(int epfd, int op, int fd, int events) { return new Call.EpollCtl(epfd, op, fd, events); }

    public static Call epollWait(int epfd, int maxEvents, int timeoutMs) { return new Call.EpollWait(epfd, maxEvents, timeoutMs); }

    public static Call pipe() { return new Call.Pipe(); }

    public static Call socketPair() { return new Call.SocketPair(); }

    /** {@code signal(signo, disposition)}, e.g. SIGPIPE ignored. */
    public static Call signal(int signo, Call.Disposition disposition) { return new Call.Signal(signo, disposition); }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
