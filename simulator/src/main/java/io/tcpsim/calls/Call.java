package io.tcpsim.calls;

import io.tcpsim.wire.SockAddr;
import java.util.List;

/**
 * One system call, with descriptors already resolved to numbers. Both backends (the model and the real kernel)
 * take exactly these; the script layer builds them from named descriptors.
 */
public sealed interface Call {
    /** The call's name as scripts and output write it. */
    String name();

    /** {@code socket(AF_INET, SOCK_STREAM | flags, 0)}. */
    record Socket(int flags) implements Call { public String name() { return "socket"; } }

    record Bind(int fd, SockAddr addr) implements Call { public String name() { return "bind"; } }

    record Listen(int fd, int backlog) implements Call { public String name() { return "listen"; } }

    /** {@code accept4(fd, NULL, NULL, flags)}; flags may hold SOCK_NONBLOCK. */
    record Accept(int fd, int flags) implements Call { public String name() { return "accept"; } }

    record Connect(int fd, SockAddr addr) implements Call { public String name() { return "connect"; } }

    /** send(2) with flags; {@code write} is true for write(2), which has no flags and works on pipes too. */
    record Send(int fd, byte[] data, int flags, boolean write) implements Call {
        public String name() { return write ? "write" : "send"; }
    }

    /** recv(2) of up to {@code length} bytes; {@code read} is true for read(2). */
    record Recv(int fd, int length, int flags, boolean read) implements Call {
        public String name() { return read ? "read" : "recv"; }
    }

    record Shutdown(int fd, int how) implements Call { public String name() { return "shutdown"; } }

    record Close(int fd) implements Call { public String name() { return "close"; } }

    record SetSockOpt(int fd, SockOpt option, int[] values) implements Call { public String name() { return "setsockopt"; } }

    record GetSockOpt(int fd, SockOpt option) implements Call { public String name() { return "getsockopt"; } }

    /** fcntl(fd, F_GETFL) or fcntl(fd, F_SETFL, arg). */
    record Fcntl(int fd, int cmd, int arg) implements Call { public String name() { return "fcntl"; } }

    record PollFd(int fd, int events) {}

    /** poll(2); {@code timeoutMs} &lt; 0 waits for ever. */
    record Poll(List<PollFd> fds, int timeoutMs) implements Call { public String name() { return "poll"; } }

    record EpollCreate() implements Call { public String name() { return "epoll_create"; } }

    record EpollCtl(int epfd, int op, int fd, int events) implements Call { public String name() { return "epoll_ctl"; } }

    /** epoll_wait(2); {@code timeoutMs} &lt; 0 waits for ever. */
    record EpollWait(int epfd, int maxEvents, int timeoutMs) implements Call { public String name() { return "epoll_wait"; } }

    record Pipe() implements Call { public String name() { return "pipe"; } }

    /** socketpair(AF_UNIX, SOCK_STREAM, 0). */
    record SocketPair() implements Call { public String name() { return "socketpair"; } }

    /** signal(signo, disposition): only SIGPIPE is modelled. */
    record Signal(int signo, Disposition disposition) implements Call { public String name() { return "signal"; } }

    enum Disposition { SIG_DFL, SIG_IGN, HANDLER }
}
