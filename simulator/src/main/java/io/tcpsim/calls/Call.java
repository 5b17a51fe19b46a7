package io.tcpsim.calls;

import io.tcpsim.wire.SockAddr;
import java.util.List;

/**
 * One system call, with descriptors already resolved to numbers. Both backends (the model and the real kernel)
 * take exactly these; the script layer builds them from named descriptors. A backend runs a call through a
 * {@link Visitor}, one method per call, so that a new call is a compile error in every backend until it is handled.
 */
public sealed interface Call {
    /** The call's name as scripts and output write it. */
    String name();

    /** Runs {@code v}'s method for this call, with {@code p}: what the method needs besides the call. */
    <R, P> R accept(Visitor<R, P> v, P p);

    /**
     * What a backend does with each call (the kernel's system call table). {@code P} is what every call needs
     * besides its arguments: the process that makes it.
     */
    interface Visitor<R, P> {
        R socket(Socket c, P p);

        R bind(Bind c, P p);

        R listen(Listen c, P p);

        R accept(Accept c, P p);

        R connect(Connect c, P p);

        R send(Send c, P p);

        R recv(Recv c, P p);

        R shutdown(Shutdown c, P p);

        R close(Close c, P p);

        R setsockopt(SetSockOpt c, P p);

        R getsockopt(GetSockOpt c, P p);

        R fcntl(Fcntl c, P p);

        R poll(Poll c, P p);

        R epollCreate(EpollCreate c, P p);

        R epollCtl(EpollCtl c, P p);

        R epollWait(EpollWait c, P p);

        R pipe(Pipe c, P p);

        R socketPair(SocketPair c, P p);

        R signal(Signal c, P p);

        R getName(GetName c, P p);

        R ioctl(Ioctl c, P p);

        R dup(Dup c, P p);

        R sendTo(SendTo c, P p);

        R recvFrom(RecvFrom c, P p);

        R writev(WriteV c, P p);

        R readv(ReadV c, P p);

        R sendmsg(SendMsg c, P p);

        R recvmsg(RecvMsg c, P p);

        R select(Select c, P p);

        R fork(Fork c, P p);
    }

    /** {@code socket(family, SOCK_STREAM | flags, 0)}: {@code family} is AF_INET or AF_INET6 ({@link Bits}). */
    record Socket(int family, int flags) implements Call {
        /** {@code socket(AF_INET, SOCK_STREAM | flags, 0)}. */
        public Socket(int flags) { this(Bits.AF_INET, flags); }
        public boolean v6() { return family == Bits.AF_INET6; }
        /** As before IPv6: {@code Socket[flags=0]}, and {@code Socket[family=AF_INET6, flags=0]}. */
        @Override public String toString() { return "Socket[" + (v6() ? "family=AF_INET6, " : "") + "flags=" + flags + "]"; }
        public String name() { return "socket"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.socket(this, p); }
    }

    record Bind(int fd, SockAddr addr) implements Call {
        public String name() { return "bind"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.bind(this, p); }
    }

    record Listen(int fd, int backlog) implements Call {
        public String name() { return "listen"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.listen(this, p); }
    }

    /** {@code accept4(fd, NULL, NULL, flags)}; flags may hold SOCK_NONBLOCK. */
    record Accept(int fd, int flags) implements Call {
        public String name() { return "accept"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.accept(this, p); }
    }

    record Connect(int fd, SockAddr addr) implements Call {
        public String name() { return "connect"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.connect(this, p); }
    }

    /** send(2) with flags; {@code write} is true for write(2), which has no flags and works on pipes too. */
    record Send(int fd, byte[] data, int flags, boolean write) implements Call {
        public String name() { return write ? "write" : "send"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.send(this, p); }
    }

    /** recv(2) of up to {@code length} bytes; {@code read} is true for read(2). */
    record Recv(int fd, int length, int flags, boolean read) implements Call {
        public String name() { return read ? "read" : "recv"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.recv(this, p); }
    }

    record Shutdown(int fd, int how) implements Call {
        public String name() { return "shutdown"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.shutdown(this, p); }
    }

    record Close(int fd) implements Call {
        public String name() { return "close"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.close(this, p); }
    }

    record SetSockOpt(int fd, SockOpt option, int[] values) implements Call {
        public String name() { return "setsockopt"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.setsockopt(this, p); }
    }

    record GetSockOpt(int fd, SockOpt option) implements Call {
        public String name() { return "getsockopt"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.getsockopt(this, p); }
    }

    /** fcntl(fd, F_GETFL) or fcntl(fd, F_SETFL, arg). */
    record Fcntl(int fd, int cmd, int arg) implements Call {
        public String name() { return "fcntl"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.fcntl(this, p); }
    }

    record PollFd(int fd, int events) {}

    /** poll(2); {@code timeoutMs} &lt; 0 waits for ever. */
    record Poll(List<PollFd> fds, int timeoutMs) implements Call {
        public String name() { return "poll"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.poll(this, p); }
    }

    record EpollCreate() implements Call {
        public String name() { return "epoll_create"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.epollCreate(this, p); }
    }

    record EpollCtl(int epfd, int op, int fd, int events) implements Call {
        public String name() { return "epoll_ctl"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.epollCtl(this, p); }
    }

    /** epoll_wait(2); {@code timeoutMs} &lt; 0 waits for ever. */
    record EpollWait(int epfd, int maxEvents, int timeoutMs) implements Call {
        public String name() { return "epoll_wait"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.epollWait(this, p); }
    }

    record Pipe() implements Call {
        public String name() { return "pipe"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.pipe(this, p); }
    }

    /** socketpair(AF_UNIX, SOCK_STREAM, 0). */
    record SocketPair() implements Call {
        public String name() { return "socketpair"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.socketPair(this, p); }
    }

    /** signal(signo, disposition): only SIGPIPE is modelled. */
    record Signal(int signo, Disposition disposition) implements Call {
        public String name() { return "signal"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.signal(this, p); }
    }

    enum Disposition { SIG_DFL, SIG_IGN, HANDLER }

    /** getsockname(2), or getpeername(2) when {@code peer}: the socket's address. */
    record GetName(int fd, boolean peer) implements Call {
        public String name() { return peer ? "getpeername" : "getsockname"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.getName(this, p); }
    }

    /** sendto(2): on a TCP socket the address is not used (tcp_sendmsg reads no msg_name), so it is send(2). */
    record SendTo(int fd, byte[] data, int flags, SockAddr addr) implements Call {
        public String name() { return "sendto"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.sendTo(this, p); }
    }

    /** recvfrom(2) with room for an address: TCP writes none (msg_namelen 0), so it is recv(2). */
    record RecvFrom(int fd, int length, int flags) implements Call {
        public String name() { return "recvfrom"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.recvFrom(this, p); }
    }

    /** writev(2) of the buffers in order (one iov_iter: the same as one write of them joined). */
    record WriteV(int fd, List<byte[]> buffers) implements Call {
        public String name() { return "writev"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.writev(this, p); }
    }

    /** readv(2) into buffers of these lengths, filled in order (the same as one read of their sum). */
    record ReadV(int fd, int[] lengths) implements Call {
        public String name() { return "readv"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.readv(this, p); }
    }

    /** sendmsg(2) with these iovecs and flags, no address and no control message: send(2) of the buffers joined. */
    record SendMsg(int fd, List<byte[]> buffers, int flags) implements Call {
        public String name() { return "sendmsg"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.sendmsg(this, p); }
    }

    /** recvmsg(2) into iovecs of these lengths, with flags and no room for control messages. */
    record RecvMsg(int fd, int[] lengths, int flags) implements Call {
        public String name() { return "recvmsg"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.recvmsg(this, p); }
    }

    /**
     * select(2) on three descriptor sets; {@code timeoutMs} &lt; 0 waits for ever (a NULL timeout). The result's
     * revents holds, for each descriptor of in, out and ex in that order, 1 when it is ready in its set.
     */
    record Select(List<Integer> in, List<Integer> out, List<Integer> ex, int timeoutMs) implements Call {
        public String name() { return "select"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.select(this, p); }
    }

    /**
     * fork(2), the child named by the script: it starts with a copy of the caller's descriptor table (the same open
     * files, each one more reference) and SIGPIPE disposition. Returns 0 to the caller here: the child is named, not
     * numbered.
     */
    record Fork(String child) implements Call {
        public String name() { return "fork"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.fork(this, p); }
    }

    /** dup(fd), or dup2(fd, newFd) when {@code two}. */
    record Dup(int fd, int newFd, boolean two) implements Call {
        public String name() { return two ? "dup2" : "dup"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.dup(this, p); }
    }

    /** ioctl(fd, request, &n) for the requests that read a queue's size: FIONREAD (SIOCINQ), SIOCOUTQ, SIOCOUTQNSD. */
    record Ioctl(int fd, int request) implements Call {
        public String name() { return "ioctl"; }
        public <R, P> R accept(Visitor<R, P> v, P p) { return v.ioctl(this, p); }
    }
}
