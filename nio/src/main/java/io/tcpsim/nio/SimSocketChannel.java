package io.tcpsim.nio;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A TCP socket on the model, with the JDK's SocketChannelImpl's rules (JDK 17 and 25, which agree here): the order of
 * its checks, the exceptions of nio/measure/jdk17.txt, and the system calls it makes (nio/measure/strace-*.txt):
 * connect(2) then, for a connection in progress, poll(POLLOUT) and getsockopt(SO_ERROR) in finishConnect; read(2)
 * and write(2) (readv/writev for several buffers); shutdown(2); and a close that, for a connected channel still
 * registered with a selector, first reads SO_LINGER and shuts the output down (so the peer sees the FIN while the
 * descriptor waits for the selector to let go of it).
 */
final class SimSocketChannel extends SocketChannel implements SimChannel {
    private enum State { UNCONNECTED, PENDING, CONNECTED }

    private final Kernel k;
    final int fd;
    private final Object readLock = new Object(), writeLock = new Object(), stateLock = new Object();
    private volatile State state = State.UNCONNECTED;
    private volatile InetSocketAddress local, remote;
    private volatile boolean inputClosed, outputClosed, connectionReset, fdClosed;
    /** TCP_NODELAY as set: the model has no such option, so NoDelay checks that Nagle held nothing back. */
    private volatile boolean noDelay;
    private Socket adaptor;

    /** socket(AF_INET, SOCK_STREAM, 0). */
    SimSocketChannel(SimSelectorProvider provider, Kernel k) throws IOException {
        super(provider);
        this.k = k;
        Result r = k.record(new Call.Socket(0), new Call.Socket(Bits.SOCK_NONBLOCK), k.now());
        if (r.failed()) throw Errors.socket(r.errno());
        this.fd = (int) r.value();
    }

    /** An accepted connection. */
    SimSocketChannel(SimSelectorProvider provider, Kernel k, int fd) {
        super(provider);
        this.k = k;
        this.fd = fd;
        this.state = State.CONNECTED;
        this.local = Addresses.local(k, fd);
        this.remote = Addresses.remote(k, fd);
    }

    @Override
    public int fd() {
        return fd;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }

    private void ensureOpenAndConnected() throws ClosedChannelException {
        ensureOpen();
        if (state != State.CONNECTED) throw new NotYetConnectedException();
    }

    // ---------------------------------------------------------------- addresses and binding

    @Override
    public SocketChannel bind(SocketAddress localAddress) throws IOException {
        synchronized (readLock) {
            synchronized (writeLock) {
                synchronized (stateLock) {
                    ensureOpen();
                    if (state == State.PENDING) throw new ConnectionPendingException();
                    if (state == State.CONNECTED) throw new AlreadyConnectedException();
                    if (local != null) throw new AlreadyBoundException();
                    Result r = k.call(new Call.Bind(fd, Addresses.toModel(localAddress, true)));
                    if (r.failed()) throw Errors.socket(r.errno());
                    local = Addresses.local(k, fd);
                }
            }
        }
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return local;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return remote;
    }

    // ---------------------------------------------------------------- options

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            boolean on = Options.checkedBoolean(name, value, this::ensureOpen);
            // Linux pushes what Nagle held when the option goes on (do_tcp_setsockopt: tcp_push_pending_frames).
            if (on) NoDelay.ensureNothingHeld(k, fd);
            noDelay = on;
            return this;
        }
        Options.set(k, fd, name, value, this::ensureOpen);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        if (name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) {
            return name.type().cast(Options.bufferSize(name, state == State.CONNECTED, this::ensureOpen));
        }
        if (name == StandardSocketOptions.TCP_NODELAY) {
            ensureOpen();
            return name.type().cast(noDelay);
        }
        return Options.get(k, fd, name, this::ensureOpen);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.SUPPORTED;
    }

    // ---------------------------------------------------------------- connecting

    @Override
    public boolean isConnected() {
        return state == State.CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        return state == State.PENDING;
    }

    @Override
    public boolean connect(SocketAddress target) throws IOException {
        var to = Addresses.toModel(target, false);
        synchronized (readLock) {
            synchronized (writeLock) {
                synchronized (stateLock) {
                    // connect-closed: AsynchronousCloseException on JDK 17, ClosedChannelException on JDK 25.
                    if (!isOpen()) throw Jdk.FEATURE >= 25 ? new ClosedChannelException() : new AsynchronousCloseException();
                    if (state == State.CONNECTED) throw new AlreadyConnectedException();
                    if (state == State.PENDING) throw new ConnectionPendingException();
                }
                boolean blocking = isBlocking();
                boolean completed = false;
                Call shown = new Call.Connect(fd, to);
                try {
                    if (blocking) begin();
                    long start = k.now();
                    Result r = blocking ? k.quiet(shown) : k.record(shown, shown, start);
                    if (r.failed() && r.errno() == Errno.EINPROGRESS) {
                        if (!blocking) {
                            state = State.PENDING;
                            completed = true;
                            return false;
                        }
                        boolean ready = k.await("connect(" + fd + ")",
                                () -> !isOpen() || k.revents(fd, Bits.POLLOUT) != 0, -1);
                        if (!ready || !isOpen()) return false; // end() below throws
                        Result err = k.quiet(new Call.GetSockOpt(fd, SockOpt.SO_ERROR));
                        int e = err.optval() == null ? 0 : err.optval()[0];
                        r = e == 0 ? Result.ok(0) : Result.error(Errno.ofNumber(e));
                    }
                    if (blocking) k.recordDone(shown, start, r);
                    if (r.failed()) {
                        // The JDK closes the channel after end(): the error, not AsynchronousCloseException
                        // (connect-refused-blocking, connect-netunreach-blocking in nio/measure).
                        completed = true;
                        close();
                        throw Errors.socket(r.errno());
                    }
                    connected();
                    completed = true;
                    return true;
                } finally {
                    if (blocking) end(completed);
                }
            }
        }
    }

    private void connected() {
        state = State.CONNECTED;
        local = Addresses.local(k, fd);
        remote = Addresses.remote(k, fd);
    }

    @Override
    public boolean finishConnect() throws IOException {
        synchronized (readLock) {
            synchronized (writeLock) {
                ensureOpen();
                if (state == State.CONNECTED) return true;
                if (state != State.PENDING) throw new NoConnectionPendingException();
                boolean blocking = isBlocking();
                boolean completed = false;
                try {
                    if (blocking) begin();
                    Result p = k.call(new Call.Poll(List.of(new Call.PollFd(fd, Bits.POLLOUT)), 0));
                    if (p.value() == 0) {
                        if (!blocking) {
                            completed = true;
                            return false;
                        }
                        boolean ready = k.await("finishConnect(" + fd + ")",
                                () -> !isOpen() || k.revents(fd, Bits.POLLOUT) != 0, -1);
                        if (!ready || !isOpen()) return false;
                    }
                    Result err = k.call(new Call.GetSockOpt(fd, SockOpt.SO_ERROR));
                    int e = err.optval() == null ? 0 : err.optval()[0];
                    if (e != 0) {
                        completed = true; // as in connect: the error, then the channel closed
                        close();
                        throw Errors.socket(Errno.ofNumber(e));
                    }
                    connected();
                    completed = true;
                    return true;
                } finally {
                    if (blocking) end(completed);
                }
            }
        }
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public SocketChannel shutdownInput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (state != State.CONNECTED) throw new NotYetConnectedException();
            if (!inputClosed) {
                shutdown(Bits.SHUT_RD);
                inputClosed = true;
                k.wakeAll(); // a blocked reader returns -1 (the JDK signals its thread)
            }
        }
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (state != State.CONNECTED) throw new NotYetConnectedException();
            if (!outputClosed) {
                shutdown(Bits.SHUT_WR);
                outputClosed = true;
                k.wakeAll(); // a blocked writer gets AsynchronousCloseException
            }
        }
        return this;
    }

    /** Net.shutdown: ENOTCONN is not an error (a reset connection shuts down without complaint). */
    private void shutdown(int how) throws IOException {
        Result r = k.call(new Call.Shutdown(fd, how));
        if (r.failed() && r.errno() != Errno.ENOTCONN) throw Errors.socket(r.errno());
    }

    boolean isInputShutdown() {
        return inputClosed;
    }

    boolean isOutputShutdown() {
        return outputClosed;
    }

    // ---------------------------------------------------------------- reading

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        return (int) read(new ByteBuffer[] {dst}, 0, 1);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        synchronized (readLock) {
            ensureOpenAndConnected();
            // Input shut down first, then the remembered reset: a read after a reset and shutdownInput is -1
            // (read-after-rst-read-shutdownInput in nio/measure/netjdk17.txt, netjdk25.txt; Netty does this).
            if (inputClosed) return -1;
            if (connectionReset) throw new SocketException(Errors.CONNECTION_RESET);
            long want = Io.remaining(dsts, offset, length);
            if (want == 0) return 0;
            boolean blocking = isBlocking();
            boolean completed = false;
            try {
                if (blocking) begin();
                Result r = Io.read(k, this, fd, (int) Math.min(want, Integer.MAX_VALUE), blocking, () -> inputClosed);
                if (r == Io.ABANDONED) {
                    if (inputClosed && isOpen()) {
                        completed = true;
                        return -1;
                    }
                    return 0; // end() throws AsynchronousCloseException or ClosedByInterruptException
                }
                if (r.failed()) {
                    if (r.errno() == Errno.EAGAIN) {
                        completed = true;
                        return 0;
                    }
                    if (r.errno() == Errno.ECONNRESET) connectionReset = true;
                    throw Io.readError(r);
                }
                completed = true;
                if (r.value() == 0) return -1;
                Io.scatter(r.data(), dsts, offset, length);
                return r.value();
            } finally {
                if (blocking) end(completed);
            }
        }
    }

    // ---------------------------------------------------------------- writing

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        synchronized (writeLock) {
            ensureOpenAndConnected();
            // beginWrite throws ClosedChannelException, then endWrite's "n <= 0 && isOutputClosed" throws
            // AsynchronousCloseException over it: what JDK 17 and 25 both report (write-after-shutdownOutput).
            if (outputClosed) throw new AsynchronousCloseException();
            byte[] data = Io.gather(srcs, offset, length);
            if (data.length == 0) return 0;
            boolean blocking = isBlocking();
            boolean completed = false;
            try {
                if (blocking) begin();
                Result r = Io.write(k, this, fd, data, blocking, () -> outputClosed);
                if (r == Io.ABANDONED) {
                    if (outputClosed && isOpen()) throw new AsynchronousCloseException();
                    return 0;
                }
                if (r.failed()) {
                    if (r.errno() == Errno.EAGAIN) {
                        completed = true;
                        return 0;
                    }
                    throw Errors.write(r.errno());
                }
                Io.consumed(srcs, offset, length, r.value());
                completed = true;
                if (noDelay) NoDelay.ensureNothingHeld(k, fd);
                return r.value();
            } finally {
                if (blocking) end(completed);
            }
        }
    }

    // ---------------------------------------------------------------- the adaptor

    @Override
    public Socket socket() {
        synchronized (stateLock) {
            if (adaptor == null) adaptor = SocketAdaptor.create(this);
            return adaptor;
        }
    }

    Kernel kernel() {
        return k;
    }

    // ---------------------------------------------------------------- closing and selection

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        if (state == State.CONNECTED && isRegistered() && !isBlocking()) {
            // The descriptor stays open until the selector lets go of the key: shut the output down now so that the
            // peer reads EOF, unless SO_LINGER 0 asks for a reset at the real close (implCloseNonBlockingMode).
            // In blocking mode (a key cancelled, then configureBlocking(true), as com.sun.net.httpserver's
            // dispatcher does) the JDK does not shut down on Linux (implCloseBlockingMode:
            // Net.shouldShutdownWriteBeforeClose() is false): nothing goes out until the real close (measured with
            // strace, JDK 17.0.19: epoll_ctl(EPOLL_CTL_DEL) then close(2) at the next select, no shutdown(2)).
            Result l = k.call(new Call.GetSockOpt(fd, SockOpt.SO_LINGER));
            int[] v = l.optval();
            int linger = v == null || v[0] == 0 ? -1 : v[1];
            if (linger != 0) {
                if (linger > 0) k.call(new Call.SetSockOpt(fd, SockOpt.SO_LINGER, new int[] {0, 0}));
                k.call(new Call.Shutdown(fd, Bits.SHUT_WR));
            }
        }
        k.wakeAll();
        if (!isRegistered()) kill();
    }

    @Override
    public void kill() {
        synchronized (stateLock) {
            if (fdClosed) return;
            fdClosed = true;
        }
        k.call(new Call.Close(fd));
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // Every model descriptor is non-blocking: blocking mode is the provider's own waiting (Io).
    }

    /** The ready set for a key, from the events epoll reported (SocketChannelImpl.translateReadyOps). */
    @Override
    public int readyOps(int events, int interest) {
        if ((events & (Bits.POLLERR | Bits.POLLHUP)) != 0) return interest;
        int ops = 0;
        boolean connected = isConnected();
        if ((events & Bits.POLLIN) != 0 && (interest & SelectionKey.OP_READ) != 0 && connected) ops |= SelectionKey.OP_READ;
        if ((events & Bits.POLLOUT) != 0 && (interest & SelectionKey.OP_CONNECT) != 0 && isConnectionPending())
            ops |= SelectionKey.OP_CONNECT;
        if ((events & Bits.POLLOUT) != 0 && (interest & SelectionKey.OP_WRITE) != 0 && connected) ops |= SelectionKey.OP_WRITE;
        return ops;
    }

    /** SocketChannelImpl.translateInterestOps. */
    @Override
    public int events(int ops) {
        int e = 0;
        if ((ops & SelectionKey.OP_READ) != 0) e |= Bits.POLLIN;
        if ((ops & SelectionKey.OP_WRITE) != 0) e |= Bits.POLLOUT;
        if ((ops & SelectionKey.OP_CONNECT) != 0) e |= Bits.POLLOUT;
        return e;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSuperclass().getName()).append('[');
        if (!isOpen()) sb.append("closed");
        else if (state == State.PENDING) sb.append("connection-pending");
        else if (state == State.CONNECTED) sb.append("connected");
        else sb.append("unconnected");
        if (local != null) sb.append(" local=").append(local);
        if (remote != null) sb.append(" remote=").append(remote);
        return sb.append(']').toString();
    }
}
