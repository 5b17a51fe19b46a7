package io.tcpsim.kernel;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The glibc calls the kernel backend makes, through JNA (x86_64 Linux only: {@code size_t}/{@code ssize_t} and
 * {@code pthread_t} are mapped to Java {@code long}). JNA saves errno right after every native call, per thread,
 * so {@link #errno()} read on the same thread straight after the call is the call's errno (checked in LibCTest).
 *
 * <p>Struct layouts used with these calls (x86_64): sockaddr_in 16 bytes (family u16 native order, port and
 * address big-endian); pollfd 8 bytes (fd, events u16 at 4, revents u16 at 6); epoll_event 12 bytes, packed
 * (events u32, data u64); sigset_t 128 bytes; timespec 16 bytes; struct sigaction 152 bytes (handler, mask,
 * flags, restorer); struct ifreq 40 bytes (name[16], flags u16 at 16).
 */
public interface LibC extends Library {

    LibC C = Loader.load();

    // socket families, levels, flags (x86_64 values)
    int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, SOCK_STREAM = 1, SOCK_DGRAM = 2;
    int SOL_SOCKET = 1;
    int IPPROTO_TCP = 6;
    int CLONE_NEWNET = 0x40000000;
    int SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, IFF_UP = 0x1;
    int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    int SIGUSR1 = 10, SIGPIPE = 13;
    int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_THREAD_CPUTIME_ID = 3;
    /** getrusage(2): the calling thread only; struct rusage is 144 bytes, ru_nvcsw at offset 128 (x86_64). */
    int RUSAGE_THREAD = 1, RUSAGE_SIZE = 144, RUSAGE_NVCSW = 128;
    int EINTR = 4, EAGAIN = 11, EPERM = 1;
    int SIZEOF_SIGSET = 128, SIZEOF_SIGACTION = 152, SIZEOF_TIMESPEC = 16, SIZEOF_IFREQ = 40;

    int socket(int domain, int type, int protocol);
    int bind(int fd, byte[] addr, int len);
    int listen(int fd, int backlog);
    int accept4(int fd, Pointer addr, Pointer len, int flags);
    int connect(int fd, byte[] addr, int len);
    long send(int fd, byte[] buf, long len, int flags);
    long recv(int fd, byte[] buf, long len, int flags);
    long write(int fd, byte[] buf, long len);
    long read(int fd, byte[] buf, long len);
    long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen);
    long recvfrom(int fd, byte[] buf, long len, int flags, byte[] addr, IntByReference addrLen);
    long writev(int fd, Pointer iov, int iovcnt);
    long readv(int fd, Pointer iov, int iovcnt);
    long sendmsg(int fd, Pointer msg, int flags);
    long recvmsg(int fd, Pointer msg, int flags);
    int shutdown(int fd, int how);
    int close(int fd);
    int dup(int fd);
    int dup2(int fd, int newFd);
    int setsockopt(int fd, int level, int name, int[] value, int len);
    int getsockopt(int fd, int level, int name, int[] value, IntByReference len);
    int fcntl(int fd, int cmd, int arg);
    int poll(Pointer fds, long nfds, int timeoutMs);
    int select(int nfds, Pointer readfds, Pointer writefds, Pointer exceptfds, Pointer timeout);
    int epoll_create1(int flags);
    int epoll_ctl(int epfd, int op, int fd, Pointer event);
    int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMs);
    int pipe(int[] fds);
    int socketpair(int domain, int type, int protocol, int[] fds);
    int ioctl(int fd, long request, Pointer arg);
    int ioctl(int fd, long request, IntByReference arg);
    int getsockname(int fd, byte[] addr, IntByReference len);
    int getpeername(int fd, byte[] addr, IntByReference len);
    int unshare(int flags);
    int clock_gettime(int clock, Pointer timespec);

    int getrusage(int who, Pointer usage);

    int pthread_sigmask(int how, Pointer set, Pointer old);
    int sigemptyset(Pointer set);
    int sigaddset(Pointer set, int signo);
    int sigismember(Pointer set, int signo);
    int sigpending(Pointer set);
    int sigtimedwait(Pointer set, Pointer info, Pointer timeout);
    int sigaction(int signo, Pointer act, Pointer old);
    long pthread_self();
    int pthread_kill(long thread, int signo);
    int getpid();

    String strerror(int errnum);

    /** The errno the last native call on this thread left. */
    static int errno() {
        return Native.getLastError();
    }

    /**
     * A native function usable as a do-nothing signal handler: glibc's {@code abs(int)} touches no memory and is
     * async-signal-safe in practice. A JNA callback would run Java code inside a signal handler, which is not safe.
     */
    static Pointer noOpSignalHandler() {
        return Function.getFunction("c", "abs");
    }

    final class Loader {
        private Loader() {}

        static LibC load() {
            return Native.load("c", LibC.class);
        }
    }
}
