package io.tcpsim.model.files;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.model.ByteQueue;
import io.tcpsim.model.Outcome;
import io.tcpsim.model.WaitQueue;
import io.tcpsim.wire.SockAddr;
import java.util.function.ToIntFunction;

/** One end of an AF_UNIX SOCK_STREAM socketpair (net/unix/af_unix.c, unix_stream_ops). */
public final class UnixEnd extends SocketFile {
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

    /** A socketpair's ends are connected from the start: no bind, listen or accept, and connect says EISCONN. */
    @Override public Outcome bind(SockAddr addr) { return Outcome.fail(Errno.EINVAL); }

    /**
     * unix_ioctl: SIOCINQ counts the bytes queued to read. SIOCOUTQ and SIOCOUTQNSD count skb memory, which is not
     * modelled: refused, not answered wrongly.
     */
    @Override
    public Outcome ioctl(int request) {
        if (request == Bits.SIOCINQ) return new Outcome.Done(io.tcpsim.calls.Result.option(rx.size()));
        throw notModelled("this ioctl request");
    }

    /** An AF_UNIX address (unix_getname): not modelled, so refused rather than answered with an error Linux never gives. */
    @Override public Outcome getName(boolean peerName) { throw notModelled(peerName ? "getpeername" : "getsockname"); }

    @Override public Outcome listen(int backlog) { return Outcome.fail(Errno.EINVAL); }

    @Override public Outcome accept(int flags, ToIntFunction<OpenFile> install) { return Outcome.fail(Errno.EINVAL); }

    @Override public Outcome connect(SockAddr addr) { return Outcome.fail(Errno.EISCONN); }

    /** unix_stream_sendmsg: EPIPE (and SIGPIPE unless MSG_NOSIGNAL) once the peer is gone or shut for reading. */
    @Override
    public Outcome sendmsg(byte[] data, int flags, int copied) {
        boolean dontwait = nonblock || (flags & Bits.MSG_DONTWAIT) != 0;
        if ((shutdown & SEND_SHUTDOWN) != 0 || peer.closed || (peer.shutdown & RCV_SHUTDOWN) != 0) {
            if (copied > 0) return Outcome.ok(copied);
            Result epipe = Result.error(Errno.EPIPE);
            return new Outcome.Done((flags & Bits.MSG_NOSIGNAL) == 0 ? epipe.withSigpipe() : epipe);
        }
        int room = SNDBUF - peer.rx.size();
        int n = Math.max(0, Math.min(room, data.length - copied));
        if (n > 0) {
            peer.rx.add(data, copied, n);
            copied += n;
            peer.wait.wake(WaitQueue.KEY_READABLE);
        }
        if (copied == data.length) return Outcome.ok(copied);
        if (dontwait) return copied > 0 ? Outcome.ok(copied) : Outcome.fail(Errno.EAGAIN);
        return Outcome.wouldBlock(copied);
    }

    /** unix_stream_read_generic: data, else the pending error once, else 0 after RCV_SHUTDOWN, else EAGAIN/wait. */
    @Override
    public Outcome recvmsg(int len, int flags) {
        // unix_stream_read_generic waits for MSG_WAITALL's whole length and MSG_TRUNC discards: neither is modelled
        // on a socketpair, so neither is taken as a plain recv.
        if ((flags & Bits.MSG_WAITALL) != 0) throw notModelled("MSG_WAITALL");
        if ((flags & Bits.MSG_TRUNC) != 0) throw notModelled("MSG_TRUNC");
        boolean dontwait = nonblock || (flags & Bits.MSG_DONTWAIT) != 0;
        if (len == 0) return Outcome.received(new byte[0]);
        if (!rx.isEmpty()) {
            int n = Math.min(len, rx.size());
            byte[] got = (flags & Bits.MSG_PEEK) != 0 ? rx.peek(0, n) : rx.take(n);
            if (peer != null && !peer.closed) peer.wait.wake(WaitQueue.KEY_WRITABLE);
            return Outcome.received(got);
        }
        if (err != null) {
            Errno e = err;
            err = null;
            return Outcome.fail(e);
        }
        if ((shutdown & RCV_SHUTDOWN) != 0) return Outcome.received(new byte[0]);
        if (dontwait) return Outcome.fail(Errno.EAGAIN);
        return Outcome.wouldBlock(0);
    }

    /** unix_shutdown: our bits, and the mirror bits on the peer. */
    @Override
    public Outcome shutdown(int how) {
        int mode = how + 1;
        if (how < 0 || (mode & ~SHUTDOWN_MASK) != 0) return Outcome.fail(Errno.EINVAL);
        shutdown |= mode;
        if (peer != null && !peer.closed) {
            int peerMode = 0;
            if ((mode & RCV_SHUTDOWN) != 0) peerMode |= SEND_SHUTDOWN;
            if ((mode & SEND_SHUTDOWN) != 0) peerMode |= RCV_SHUTDOWN;
            peer.shutdown |= peerMode;
            peer.wait.wake(WaitQueue.KEY_ANY);
        }
        wait.wake(WaitQueue.KEY_ANY);
        return Outcome.ok(0);
    }

    /** The options a socketpair's end takes are accepted and have no effect; SO_ERROR cannot be set. */
    @Override
    public Outcome setsockopt(SockOpt option, int[] values) {
        if (!option.modelled) throw notModelled(option);
        return option.readOnly() ? Outcome.fail(Errno.ENOPROTOOPT) : Outcome.ok(0);
    }

    /** sock_getsockopt: SO_ERROR reads and clears the pending error. */
    @Override
    public Outcome getsockopt(SockOpt option) {
        return new Outcome.Done(switch (option) {
            case SO_ERROR -> {
                Errno e = err;
                err = null;
                yield Result.option(e == null ? 0 : e.number);
            }
            case SO_LINGER -> Result.option(0, 0);
            case SO_REUSEADDR, SO_ACCEPTCONN, SO_PROTOCOL -> Result.option(0);
            case SO_TYPE -> Result.option(Bits.SOCK_STREAM);
            case SO_DOMAIN -> Result.option(1); // AF_UNIX
            default -> throw notModelled(option);
        });
    }

    private static io.tcpsim.backend.NotModelled notModelled(String what) {
        return new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(what + " on a socketpair"));
    }

    private static io.tcpsim.backend.NotModelled notModelled(SockOpt option) {
        return new io.tcpsim.backend.NotModelled(
                io.tcpsim.backend.NotModelled.words(option.name() + " on a socketpair"));
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
