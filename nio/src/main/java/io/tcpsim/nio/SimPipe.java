package io.tcpsim.nio;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.util.Objects;

/** Pipe.open(): pipe2(2) on the model (PipeImpl on Linux), a source (the read end) and a sink (the write end). */
final class SimPipe extends Pipe {
    private final Source source;
    private final Sink sink;

    SimPipe(SimSelectorProvider provider, Kernel k) throws IOException {
        Result r = k.call(new Call.Pipe());
        if (r.failed()) throw new IOException(r.errno().text);
        int rfd = r.fds()[0], wfd = r.fds()[1];
        k.quiet(new Call.Fcntl(rfd, Bits.F_SETFL, Bits.O_NONBLOCK));
        k.quiet(new Call.Fcntl(wfd, Bits.F_SETFL, Bits.O_NONBLOCK));
        source = new Source(provider, k, rfd);
        sink = new Sink(provider, k, wfd);
    }

    @Override
    public SourceChannel source() {
        return source;
    }

    @Override
    public SinkChannel sink() {
        return sink;
    }

    static final class Source extends SourceChannel implements SimChannel {
        private final Kernel k;
        private final int fd;
        private final Object lock = new Object();
        private boolean fdClosed;

        Source(SimSelectorProvider p, Kernel k, int fd) {
            super(p);
            this.k = k;
            this.fd = fd;
        }

        @Override public int fd() { return fd; }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            Objects.requireNonNull(dst);
            return (int) read(new ByteBuffer[] {dst}, 0, 1);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, dsts.length);
            synchronized (lock) {
                if (!isOpen()) throw new ClosedChannelException();
                long want = Io.remaining(dsts, offset, length);
                if (want == 0) return 0;
                boolean blocking = isBlocking();
                boolean completed = false;
                try {
                    if (blocking) begin();
                    Result r = Io.read(k, this, fd, (int) Math.min(want, Integer.MAX_VALUE), blocking, () -> false);
                    if (r == Io.ABANDONED) return 0;
                    completed = true;
                    if (r.failed()) {
                        if (r.errno() == Errno.EAGAIN) return 0;
                        throw Io.readError(r);
                    }
                    if (r.value() == 0) return -1;
                    Io.scatter(r.data(), dsts, offset, length);
                    return r.value();
                } finally {
                    if (blocking) end(completed);
                }
            }
        }

        @Override
        public long read(ByteBuffer[] dsts) throws IOException {
            return read(dsts, 0, dsts.length);
        }

        @Override
        protected void implCloseSelectableChannel() {
            k.wakeAll();
            if (!isRegistered()) kill();
        }

        @Override
        public void kill() {
            synchronized (this) {
                if (fdClosed) return;
                fdClosed = true;
            }
            k.call(new Call.Close(fd));
        }

        @Override protected void implConfigureBlocking(boolean block) { }

        @Override
        public int readyOps(int events, int interest) {
            if ((events & (Bits.POLLERR | Bits.POLLHUP)) != 0) return interest;
            return (events & Bits.POLLIN) != 0 && (interest & SelectionKey.OP_READ) != 0 ? SelectionKey.OP_READ : 0;
        }

        @Override public int events(int ops) { return (ops & SelectionKey.OP_READ) != 0 ? Bits.POLLIN : 0; }
    }

    static final class Sink extends SinkChannel implements SimChannel {
        private final Kernel k;
        private final int fd;
        private final Object lock = new Object();
        private boolean fdClosed;

        Sink(SimSelectorProvider p, Kernel k, int fd) {
            super(p);
            this.k = k;
            this.fd = fd;
        }

        @Override public int fd() { return fd; }

        @Override
        public int write(ByteBuffer src) throws IOException {
            Objects.requireNonNull(src);
            return (int) write(new ByteBuffer[] {src}, 0, 1);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, srcs.length);
            synchronized (lock) {
                if (!isOpen()) throw new ClosedChannelException();
                byte[] data = Io.gather(srcs, offset, length);
                if (data.length == 0) return 0;
                boolean blocking = isBlocking();
                boolean completed = false;
                try {
                    if (blocking) begin();
                    Result r = Io.write(k, this, fd, data, blocking, () -> false);
                    if (r == Io.ABANDONED) return 0;
                    completed = true;
                    if (r.failed()) {
                        if (r.errno() == Errno.EAGAIN) return 0;
                        throw Errors.write(r.errno());
                    }
                    Io.consumed(srcs, offset, length, r.value());
                    return r.value();
                } finally {
                    if (blocking) end(completed);
                }
            }
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        protected void implCloseSelectableChannel() {
            k.wakeAll();
            if (!isRegistered()) kill();
        }

        @Override
        public void kill() {
            synchronized (this) {
                if (fdClosed) return;
                fdClosed = true;
            }
            k.call(new Call.Close(fd));
        }

        @Override protected void implConfigureBlocking(boolean block) { }

        @Override
        public int readyOps(int events, int interest) {
            if ((events & (Bits.POLLERR | Bits.POLLHUP)) != 0) return interest;
            return (events & Bits.POLLOUT) != 0 && (interest & SelectionKey.OP_WRITE) != 0 ? SelectionKey.OP_WRITE : 0;
        }

        @Override public int events(int ops) { return (ops & SelectionKey.OP_WRITE) != 0 ? Bits.POLLOUT : 0; }
    }
}
