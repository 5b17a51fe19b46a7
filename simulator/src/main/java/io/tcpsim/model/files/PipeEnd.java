package io.tcpsim.model.files;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.model.Outcome;
import io.tcpsim.model.WaitQueue;

/** One end of a pipe (pipefifo_fops): reads on the read end, writes on the write end, and nothing a socket takes. */
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

    /** pipe_ioctl: FIONREAD counts the bytes in the pipe, from either end; nothing else (ENOTTY). */
    @Override
    public Outcome ioctl(int request) {
        if (request != Bits.FIONREAD) return Outcome.fail(io.tcpsim.calls.Errno.ENOTTY);
        return new Outcome.Done(io.tcpsim.calls.Result.option(pipe.data.size()));
    }

    /**
     * pipe_write: no reader means EPIPE and SIGPIPE (always: pipes have no MSG_NOSIGNAL). {@code copied} is what an
     * earlier attempt wrote before it waited.
     */
    @Override
    public Outcome write(byte[] data, int copied) {
        if (!writer) return Outcome.fail(Errno.EBADF);
        if (!pipe.readerOpen) {
            if (copied > 0) return Outcome.ok(copied);
            return new Outcome.Done(Result.error(Errno.EPIPE).withSigpipe());
        }
        int before = copied;
        if (copied == 0) {
            // The first (length mod PAGE) bytes go into the last page if they all fit there.
            int chars = data.length & (Pipe.PAGE - 1);
            if (chars > 0 && !pipe.pages.isEmpty() && pipe.lastPageEnd + chars <= Pipe.PAGE) {
                pipe.data.add(data, 0, chars);
                pipe.pages.peekLast()[0] += chars;
                pipe.lastPageEnd += chars;
                copied = chars;
            }
        }
        while (copied < data.length && pipe.pages.size() < Pipe.SLOTS) {
            int n = Math.min(Pipe.PAGE, data.length - copied);
            pipe.data.add(data, copied, n);
            pipe.pages.add(new int[] {n});
            pipe.lastPageEnd = n;
            copied += n;
        }
        if (copied > before) pipe.readWait.wake(WaitQueue.KEY_READABLE);
        if (copied == data.length) return Outcome.ok(copied);
        if (nonblock) return copied > 0 ? Outcome.ok(copied) : Outcome.fail(Errno.EAGAIN);
        return Outcome.wouldBlock(copied);
    }

    /** pipe_read: data, else 0 once no writer is left, else EAGAIN or a wait. */
    @Override
    public Outcome read(int len) {
        if (writer) return Outcome.fail(Errno.EBADF);
        if (len == 0) return Outcome.received(new byte[0]);
        if (!pipe.data.isEmpty()) {
            int n = Math.min(len, pipe.data.size());
            byte[] got = pipe.data.take(n);
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
            return Outcome.received(got);
        }
        if (!pipe.writerOpen) return Outcome.received(new byte[0]);
        if (nonblock) return Outcome.fail(Errno.EAGAIN);
        return Outcome.wouldBlock(0);
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
