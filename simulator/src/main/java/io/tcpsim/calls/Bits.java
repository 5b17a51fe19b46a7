package io.tcpsim.calls;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Symbolic constants of the socket API (x86_64 Linux values) and their names, for parsing and printing. */
public final class Bits {
    private Bits() {}

    // poll(2) and epoll(7) event bits (uapi/asm-generic/poll.h, uapi/linux/eventpoll.h)
    public static final int POLLIN = 0x001, POLLPRI = 0x002, POLLOUT = 0x004, POLLERR = 0x008, POLLHUP = 0x010,
            POLLNVAL = 0x020, POLLRDNORM = 0x040, POLLRDBAND = 0x080, POLLWRNORM = 0x100, POLLWRBAND = 0x200,
            POLLMSG = 0x400, POLLRDHUP = 0x2000;
    public static final int EPOLLEXCLUSIVE = 1 << 28, EPOLLWAKEUP = 1 << 29, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;

    // send/recv flags (linux/socket.h)
    public static final int MSG_OOB = 0x1, MSG_PEEK = 0x2, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40, MSG_WAITALL = 0x100,
            MSG_NOSIGNAL = 0x4000, MSG_MORE = 0x8000;

    // shutdown(2)
    public static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

    // fcntl(2)
    public static final int F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 0x800;

    // socket type flags for socket()/accept4()
    public static final int SOCK_STREAM = 1, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    /** socket()'s address families (include/linux/socket.h). */
    public static final int AF_INET = 2, AF_INET6 = 10;

    // epoll_ctl ops
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;

    // ioctl requests that read a socket's queues (asm-generic/ioctls.h, linux/sockios.h)
    public static final int FIONREAD = 0x541B, SIOCINQ = FIONREAD, SIOCOUTQ = 0x5411, SIOCOUTQNSD = 0x894B;

    public static final Map<String, Integer> IOCTL_NAMES = names("FIONREAD", FIONREAD, "SIOCINQ", SIOCINQ,
            "SIOCOUTQ", SIOCOUTQ, "SIOCOUTQNSD", SIOCOUTQNSD);

    // signals
    public static final int SIGPIPE = 13;

    /** "SIGPIPE" for a modelled signal, "signal N" for any other number. */
    public static String signalName(int signo) {
        return signo == SIGPIPE ? "SIGPIPE" : "signal " + signo;
    }

    public static final Map<String, Integer> POLL_NAMES = names(
            "POLLIN", POLLIN, "POLLPRI", POLLPRI, "POLLOUT", POLLOUT, "POLLERR", POLLERR, "POLLHUP", POLLHUP,
            "POLLNVAL", POLLNVAL, "POLLRDNORM", POLLRDNORM, "POLLRDBAND", POLLRDBAND, "POLLWRNORM", POLLWRNORM,
            "POLLWRBAND", POLLWRBAND, "POLLMSG", POLLMSG, "POLLRDHUP", POLLRDHUP);

    public static final Map<String, Integer> EPOLL_NAMES = names(
            "EPOLLIN", POLLIN, "EPOLLPRI", POLLPRI, "EPOLLOUT", POLLOUT, "EPOLLERR", POLLERR, "EPOLLHUP", POLLHUP,
            "EPOLLRDNORM", POLLRDNORM, "EPOLLRDBAND", POLLRDBAND, "EPOLLWRNORM", POLLWRNORM,
            "EPOLLWRBAND", POLLWRBAND, "EPOLLMSG", POLLMSG, "EPOLLRDHUP", POLLRDHUP,
            "EPOLLEXCLUSIVE", EPOLLEXCLUSIVE, "EPOLLWAKEUP", EPOLLWAKEUP, "EPOLLONESHOT", EPOLLONESHOT,
            "EPOLLET", EPOLLET);

    public static final Map<String, Integer> MSG_NAMES = names(
            "MSG_OOB", MSG_OOB, "MSG_PEEK", MSG_PEEK, "MSG_TRUNC", MSG_TRUNC, "MSG_DONTWAIT", MSG_DONTWAIT,
            "MSG_WAITALL", MSG_WAITALL,
            "MSG_NOSIGNAL", MSG_NOSIGNAL, "MSG_MORE", MSG_MORE);

    public static final Map<String, Integer> SHUT_NAMES = names("SHUT_RD", SHUT_RD, "SHUT_WR", SHUT_WR,
            "SHUT_RDWR", SHUT_RDWR);

    public static final Map<String, Integer> EPOLL_OPS = names("EPOLL_CTL_ADD", EPOLL_CTL_ADD, "EPOLL_CTL_DEL",
            EPOLL_CTL_DEL, "EPOLL_CTL_MOD", EPOLL_CTL_MOD, "ADD", EPOLL_CTL_ADD, "DEL", EPOLL_CTL_DEL, "MOD",
            EPOLL_CTL_MOD);

    /** Joins the names of the set bits with {@code |} in table order, e.g. {@code POLLIN|POLLOUT}; 0 prints as 0. */
    public static String format(int bits, Map<String, Integer> table) {
        if (bits == 0) return "0";
        List<String> parts = new ArrayList<>();
        int rest = bits;
        for (var e : table.entrySet()) {
            int v = e.getValue();
            if (Integer.bitCount(v) == 1 && (rest & v) != 0) {
                parts.add(e.getKey());
                rest &= ~v;
            }
        }
        if (rest != 0) parts.add("0x" + Integer.toHexString(rest));
        return String.join("|", parts);
    }

    private static Map<String, Integer> names(Object... pairs) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put((String) pairs[i], (Integer) pairs[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }
}
