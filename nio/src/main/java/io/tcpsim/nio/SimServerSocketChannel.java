package io.tcpsim.nio;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * A listening TCP socket on the model, with ServerSocketChannelImpl's rules: SO_REUSEADDR set when it is opened (as
 * the JDK does for every server socket), bind then listen with a backlog below 1 taken as 50, accept(2) giving a
 * channel in blocking mode.
 */
final class SimServerSocketChannel extends ServerSocketChannel implements SimChannel {
    private final Kernel k;
    private final SimSelectorProvider provider;
    final int fd;
    private final Object acceptLock = new Object(), stateLock = new Object();
    private volatile InetSocketAddress local;
    private volatile ServerSocket adaptor;
    private volatile boolean fdClosed;

    SimServerSocketChannel(SimSelectorProvider provider, Kernel k) throws IOException {
        super(provider);
        this.provider = provider;
        this.k = k;
        Result r = k.record(new Call.Socket(0), new Call.Socket(Bits.SOCK_NONBLOCK), k.now());
        if (r.failed()) throw Errors.socket(r.errno());
        fd = (int) r.value();
        k.call(new Call.SetSockOpt(fd, SockOpt.SO_REUSEADDR, new int[] {1}));
    }

    @Override
    public int fd() {
        return fd;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }

    @Override
    public ServerSocketChannel bind(SocketAddress localAddress, int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (local != null) throw new AlreadyBoundException();
            Result r = k.call(new Call.Bind(fd, Addresses.toModel(localAddress, true)));
            if (r.failed()) throw Errors.socket(r.errno());
            r = k.call(new Call.Listen(fd, backlog < 1 ? 50 : backlog));
            if (r.failed()) throw Errors.socket(r.errno());
            local = Addresses.local(k, fd);
        }
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return local;
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Options.set(k, fd, name, value, this::ensureOpen, Options.SERVER_SUPPORTED);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return Options.get(k, fd, name, this::ensureOpen, Options.SERVER_SUPPORTED);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.SERVER_SUPPORTED;
    }

    @Override
    public ServerSocket socket() {
        ServerSocket a = adaptor;
        if (a == null) {
            synchronized (stateLock) {
                if (adaptor == null) adaptor = ServerSocketAdaptor.create(this);
                a = adaptor;
            }
        }
        return a;
    }

    @Override
    public SocketChannel accept() throws IOException {
        synchronized (acceptLock) {
            ensureOpen();
            if (local == null) throw new NotYetBoundException();
            boolean blocking = isBlocking();
            boolean completed = false;
            try {
                if (blocking) begin();
                Result r = Io.call(k, this, fd, new Call.Accept(fd, 0), new Call.Accept(fd, Bits.SOCK_NONBLOCK),
                        Bits.POLLIN, blocking, () -> false);
                if (r == Io.ABANDONED) return null; // end() throws
                if (r.failed()) {
                    if (r.errno() == Errno.EAGAIN) {
                        completed = true;
                        return null;
                    }
                    throw Errors.socket(r.errno());
                }
                completed = true;
                return new SimSocketChannel(provider, k, (int) r.value());
            } finally {
                if (blocking) end(completed);
            }
        }
    }

    @Override
    protected void implCloseSelectableChannel() {
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
        // Every model descriptor is non-blocking: blocking mode is the provider's own waiting.
    }

    /** ServerSocketChannelImpl.translateReadyOps. */
    @Override
    public int readyOps(int events, int interest) {
        if ((events & (Bits.POLLERR | Bits.POLLHUP)) != 0) return interest;
        return (events & Bits.POLLIN) != 0 && (interest & SelectionKey.OP_ACCEPT) != 0 ? SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    public int events(int ops) {
        return (ops & SelectionKey.OP_ACCEPT) != 0 ? Bits.POLLIN : 0;
    }

    @Override
    public String toString() {
        return ServerSocketChannel.class.getName() + "[" + (!isOpen() ? "closed" : local == null ? "unbound" : local.toString()) + "]";
    }
}
