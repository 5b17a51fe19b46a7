package io.tcpsim.kernel.net;

import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import io.tcpsim.kernel.LibC;
import io.tcpsim.wire.SockAddr;

/** Small libc helpers for the tests and experiments: each returns the result or throws with the errno. */
public final class Sockets {
    public static final int IPPROTO_TCP = 6;
    public static final int SO_ERROR = 4, SO_KEEPALIVE = 9, SO_LINGER = 13, SO_RCVBUF = 8, SO_SNDBUF = 7, SO_REUSEADDR = 2;
    public static final int TCP_NODELAY = 1, TCP_MAXSEG = 2, TCP_KEEPIDLE = 4, TCP_KEEPINTVL = 5, TCP_KEEPCNT = 6,
            TCP_SYNCNT = 7, TCP_LINGER2 = 8, TCP_CONGESTION = 13, TCP_USER_TIMEOUT = 18;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int EINPROGRESS = 115;
    public static final int POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10, POLLRDHUP = 0x2000;

    private Sockets() {}

    public static int socket(int flags) {
        return check(LibC.C.socket(LibC.AF_INET, LibC.SOCK_STREAM | flags, 0), "socket");
    }

    public static int listener(Host h, int port) {
        return h.call(() -> {
            int fd = socket(0);
            setInt(fd, LibC.SOL_SOCKET, SO_REUSEADDR, 1);
            byte[] sa = sockaddr(new SockAddr(h.ip(), port));
            check(LibC.C.bind(fd, sa, sa.length), "bind");
            check(LibC.C.listen(fd, 16), "listen");
            return fd;
        });
    }

    public static byte[] sockaddr(SockAddr a) {
        byte[] sa = new byte[16];
        sa[0] = (byte) LibC.AF_INET;
        sa[2] = (byte) (a.port() >>> 8);
        sa[3] = (byte) a.port();
        sa[4] = (byte) (a.ip() >>> 24);
        sa[5] = (byte) (a.ip() >>> 16);
        sa[6] = (byte) (a.ip() >>> 8);
        sa[7] = (byte) a.ip();
        return sa;
    }

    /** connect(); returns 0 or the errno. */
    public static int connect(int fd, SockAddr to) {
        byte[] sa = sockaddr(to);
        return LibC.C.connect(fd, sa, sa.length) == 0 ? 0 : LibC.errno();
    }

    public static int accept(int fd) {
        return check(LibC.C.accept4(fd, null, null, 0), "accept");
    }

    public static long send(int fd, byte[] data) {
        long n = LibC.C.send(fd, data, data.length, 0x4000 /* MSG_NOSIGNAL */);
        return n < 0 ? -LibC.errno() : n;
    }

    /** recv(); the byte count, or minus the errno. */
    public static long recv(int fd, int max, int flags) {
        byte[] b = new byte[max];
        long n = LibC.C.recv(fd, b, max, flags);
        return n < 0 ? -LibC.errno() : n;
    }

    public static void setInt(int fd, int level, int name, int value) {
        check(LibC.C.setsockopt(fd, level, name, new int[] {value}, 4), "setsockopt " + name);
    }

    public static int getInt(int fd, int level, int name) {
        int[] v = new int[1];
        check(LibC.C.getsockopt(fd, level, name, v, new IntByReference(4)), "getsockopt " + name);
        return v[0];
    }

    public static String congestionControl(int fd) {
        int[] v = new int[4];
        check(LibC.C.getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, v, new IntByReference(16)), "TCP_CONGESTION");
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) b[i] = (byte) (v[i / 4] >>> (8 * (i % 4)));
        int end = 0;
        while (end < 16 && b[end] != 0) end++;
        return new String(b, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** poll() on one descriptor with timeout 0: the revents. */
    public static int poll(int fd, int events, int timeoutMs) {
        Memory m = new Memory(8);
        m.clear();
        m.setInt(0, fd);
        m.setShort(4, (short) events);
        check(LibC.C.poll(m, 1, timeoutMs), "poll");
        return m.getShort(6) & 0xffff;
    }

    public static void close(int fd) {
        LibC.C.close(fd);
    }

    public static int check(long rc, String what) {
        if (rc < 0) throw new IllegalStateException(what + ": errno " + LibC.errno());
        return (int) rc;
    }
}
