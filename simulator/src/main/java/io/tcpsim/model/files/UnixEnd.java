package io.tcpsim.model.files;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Errno;
import io.tcpsim.model.ByteQueue;
import io.tcpsim.model.WaitQueue;
import io.tcpsim.model.tcp.TcpCalls;

/** One end of an AF_UNIX SOCK_STREAM socketpair (net/unix/af_unix.c). */
public final class UnixEnd extends OpenFile {
    /** sk_sndbuf of an AF_UNIX socket: net.core.wmem_default. */
    static final int SNDBUF = 212992;
    static final int RCV_SHUTDOWN = 1, SEND_SHUTDOWN = 2, SHUTDOWN_MASK = 3;

    UnixEnd peer;
    final ByteQueue rx = new ByteQueue();
    int shutdown;
    Errno err;
    boolean closed;
    final WaitQueue wait = new WaitQueue();

    public static UnixEnd[] pair() {
        UnixEnd a = new UnixEnd(), b = new UnixEnd();
        a.peer = b;
        b.peer = a;
        return new UnixEnd[] {a, b};
    }

    /** unix_poll. */
    @Override
    public int poll() {
        int m = 0;
        if (err != null) m |= Bits.POLLERR;
        if (shutdown == SHUTDOWN_MASK) m |= Bits.POLLHUP;
        if ((shutdown & RCV_SHUTDOWN) != 0) m |= Bits.POLLRDHUP | Bits.POLLIN | Bits.POLLRDNORM;
        if (!rx.isEmpty()) m |= Bits.POLLIN | Bits.POLLRDNORM;
        // unix_writable: "we set writable also when the other side has shut down the connection".
        if (peer == null || peer.rx.size() < SNDBUF) m |= Bits.POLLOUT | Bits.POLLWRNORM | Bits.POLLWRBAND;
        return m;
    }

    @Override public WaitQueue waitQueue() { return wait; }

    @Override public int accessMode() { return 2; }

    /** unix_stream_sendmsg: EPIPE (and SIGPIPE unless MSG_NOSIGNAL) once the peer is gone or shut for reading. */
    public long send(byte[] data, int flags, int[] progress, boolean[] sigpipe) {
        boolean dontwait = nonblock || (flags & Bits.MSG_DONTWAIT) != 0;
        if ((shutdown & SEND_SHUTDOWN) != 0 || peer.closed || (peer.shutdown & RCV_SHUTDOWN) != 0) {
            if (progress[0] > 0) return progress[0];
            if ((flags & Bits.MSG_NOSIGNAL) == 0) sigpipe[0] = true;
            return TcpCalls.err(Errno.EPIPE);
        }
        int room = SNDBUF - peer.rx.size();
        int n = Math.max(0, Math.min(room, data.length - progress[0]));
        if (n > 0) {
            peer.rx.add(data, progress[0], n);
            progress[0] += n;
            peer.wait.wake(WaitQueue.KEY_READABLE);
        }
        if (progress[0] == data.length) return progress[0];
        if (dontwait) return progress[0] > 0 ? progress[0] : TcpCalls.err(Errno.EAGAIN);
        return TcpCalls.WOULD_BLOCK;
    }

    /** unix_stream_read_generic: data, else the pending error once, else 0 after RCV_SHUTDOWN, else EAGAIN/wait. */
    public long recv(int len, int flags, byte[][] out) {
        boolean dontwait = nonblock || (flags & Bits.MSG_DONTWAIT) != 0;
        out[0] = new byte[0];
        if (len == 0) return 0;
        if (!rx.isEmpty()) {
            int n = Math.min(len, rx.size());
            out[0] = (flags & Bits.MSG_PEEK) != 0 ? rx.peek(0, n) : rx.take(n);
            if (peer != null && !peer.closed) peer.wait.wake(WaitQueue.KEY_WRITABLE);
            return n;
        }
        if (err != null) {
            Errno e = err;
            err = null;
            return TcpCalls.err(e);
        }
        if ((shutdown & RCV_SHUTDOWN) != 0) return 0;
        if (dontwait) return TcpCalls.err(Errno.EAGAIN);
        return TcpCalls.WOULD_BLOCK;
    }

    /** unix_shutdown: our bits, and the mirror bits on the peer. */
    public long shutdown(int how) {
        int mode = how + 1;
        if (how < 0 || (mode & ~SHUTDOWN_MASK) != 0) return TcpCalls.err(Errno.EINVAL);
        shutdown |= mode;
        if (peer != null && !peer.closed) {
            int peerMode = 0;
            if ((mode & RCV_SHUTDOWN) != 0) peerMode |= SEND_SHUTDOWN;
            if ((mode & SEND_SHUTDOWN) != 0) peerMode |= RCV_SHUTDOWN;
            peer.shutdown |= peerMode;
            peer.wait.wake(WaitQueue.KEY_ANY);
        }
        wait.wake(WaitQueue.KEY_ANY);
        return 0;
    }

    public int takeError() {
        Errno e = err;
        err = null;
        return e == null ? 0 : e.number;
    }

    /** unix_release_sock: the peer can no longer read or write; unread data here means ECONNRESET there. */
    @Override
    void released() {
        closed = true;
        if (peer != null && !peer.closed) {
            peer.shutdown = SHUTDOWN_MASK;
            if (!rx.isEmpty()) peer.err = Errno.ECONNRESET;
            peer.wait.wake(WaitQueue.KEY_ANY);
        }
    }
}
