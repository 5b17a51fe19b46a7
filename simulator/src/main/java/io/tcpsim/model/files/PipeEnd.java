package io.tcpsim.model.files;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Errno;
import io.tcpsim.model.WaitQueue;
import io.tcpsim.model.tcp.TcpCalls;

/** One end of a pipe. Results are byte counts, negated errnos, or {@link TcpCalls#WOULD_BLOCK}. */
public final class PipeEnd extends OpenFile {
    private final Pipe pipe;
    public final boolean writer;

    PipeEnd(Pipe pipe, boolean writer) {
        this.pipe = pipe;
        this.writer = writer;
    }

    /** pipe_poll: writable while a slot is free. */
    @Override
    public int poll() {
        if (writer) {
            int m = pipe.pages.size() < Pipe.SLOTS ? Bits.POLLOUT | Bits.POLLWRNORM : 0;
            if (!pipe.readerOpen) m |= Bits.POLLERR;
            return m;
        }
        int m = pipe.data.isEmpty() ? 0 : Bits.POLLIN | Bits.POLLRDNORM;
        if (!pipe.writerOpen) m |= Bits.POLLHUP;
        return m;
    }

    @Override public WaitQueue waitQueue() { return writer ? pipe.writeWait : pipe.readWait; }

    @Override public int accessMode() { return writer ? 1 : 0; }

    /**
     * pipe_write: no reader means EPIPE and SIGPIPE (always: pipes have no MSG_NOSIGNAL). {@code progress[0]}
     * carries the bytes written across waits.
     */
    public long write(byte[] data, int[] progress, boolean[] sigpipe) {
        if (!writer) return TcpCalls.err(Errno.EBADF);
        if (!pipe.readerOpen) {
            if (progress[0] > 0) return progress[0];
            sigpipe[0] = true;
            return TcpCalls.err(Errno.EPIPE);
        }
        int before = progress[0];
        if (progress[0] == 0) {
            // The first (length mod PAGE) bytes go into the last page if they all fit there.
            int chars = data.length & (Pipe.PAGE - 1);
            if (chars > 0 && !pipe.pages.isEmpty() && pipe.lastPageEnd + chars <= Pipe.PAGE) {
                pipe.data.add(data, 0, chars);
                pipe.pages.peekLast()[0] += chars;
                pipe.lastPageEnd += chars;
                progress[0] = chars;
            }
        }
        while (progress[0] < data.length && pipe.pages.size() < Pipe.SLOTS) {
            int n = Math.min(Pipe.PAGE, data.length - progress[0]);
            pipe.data.add(data, progress[0], n);
            pipe.pages.add(new int[] {n});
            pipe.lastPageEnd = n;
            progress[0] += n;
        }
        if (progress[0] > before) pipe.readWait.wake(WaitQueue.KEY_READABLE);
        if (progress[0] == data.length) return progress[0];
        if (nonblock) return progress[0] > 0 ? progress[0] : TcpCalls.err(Errno.EAGAIN);
        return TcpCalls.WOULD_BLOCK;
    }

    /** pipe_read: data, else 0 once no writer is left, else EAGAIN or a wait. */
    public long read(int len, byte[][] out) {
        if (writer) return TcpCalls.err(Errno.EBADF);
        out[0] = new byte[0];
        if (len == 0) return 0;
        if (!pipe.data.isEmpty()) {
            int n = Math.min(len, pipe.data.size());
            out[0] = pipe.data.take(n);
            int left = n;
            while (left > 0) {
                int[] page = pipe.pages.peek();
                int take = Math.min(left, page[0]);
                page[0] -= take;
                left -= take;
                if (page[0] == 0) pipe.pages.poll();
            }
            if (pipe.pages.isEmpty()) pipe.lastPageEnd = 0;
            pipe.writeWait.wake(WaitQueue.KEY_WRITABLE);
            return n;
        }
        if (!pipe.writerOpen) return 0;
        if (nonblock) return TcpCalls.err(Errno.EAGAIN);
        return TcpCalls.WOULD_BLOCK;
    }

    @Override
    void released() {
        if (writer) {
            pipe.writerOpen = false;
            pipe.readWait.wake(WaitQueue.KEY_ANY);
        } else {
            pipe.readerOpen = false;
            pipe.writeWait.wake(WaitQueue.KEY_ANY);
        }
    }
}
