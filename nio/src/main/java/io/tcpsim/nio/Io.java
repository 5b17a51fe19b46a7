package io.tcpsim.nio;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.function.BooleanSupplier;

/**
 * Reads and writes on a model descriptor as the JDK's IOUtil does them, for sockets and pipes alike: read(2) and
 * write(2) of the buffers' remaining bytes (readv/writev of several buffers are one read or write of their sum, which
 * TCP and pipes cannot tell apart). In the model every descriptor is non-blocking; a channel in blocking mode waits
 * for the descriptor to become ready between tries, as the JDK's park(POLLIN) does for a virtual thread. The log
 * shows one read or write per operation, with the time it started and the time it returned.
 */
final class Io {
    private Io() {}

    /** What a wait gave up on: the channel closed (or the thread was interrupted) or the direction was shut down. */
    static final Result ABANDONED = Result.error(Errno.EINTR);

    /**
     * Runs {@code run} until it does not return EAGAIN; in blocking mode waits for {@code events} between tries.
     * Returns the result the log shows, or {@link #ABANDONED} when {@code abandon} (or a close) ended the wait.
     */
    static Result call(Kernel k, AbstractSelectableChannel ch, int fd, Call shown, Call run, int events,
                       boolean blocking, BooleanSupplier abandon) {
        if (!blocking) return k.record(shown, run, k.now());
        long start = k.now();
        while (true) {
            Result r = k.quiet(run);
            if (!(r.failed() && r.errno() == Errno.EAGAIN)) {
                k.recordDone(shown, start, r);
                return r;
            }
            int interest = events | Bits.POLLERR | Bits.POLLHUP;
            boolean ready = k.await(shown.name() + "(" + fd + ")",
                    () -> !ch.isOpen() || abandon.getAsBoolean() || k.revents(fd, interest) != 0, -1);
            if (!ready || !ch.isOpen() || abandon.getAsBoolean()) return ABANDONED;
        }
    }

    /** read(fd, dst.remaining()): bytes read into {@code dst}, 0 at the end of the stream, or the result's errno. */
    static Result read(Kernel k, AbstractSelectableChannel ch, int fd, int length, boolean blocking,
                       BooleanSupplier abandon) {
        Call read = new Call.Recv(fd, length, 0, true); // every model descriptor is O_NONBLOCK
        return call(k, ch, fd, read, read,
                Bits.POLLIN, blocking, abandon);
    }

    /** Copies what a read returned into the buffers, in order (readv). */
    static void scatter(byte[] data, ByteBuffer[] dsts, int offset, int length) {
        int at = 0;
        for (int i = offset; i < offset + length && at < data.length; i++) {
            int n = Math.min(dsts[i].remaining(), data.length - at);
            dsts[i].put(data, at, n);
            at += n;
        }
    }

    static long remaining(ByteBuffer[] bufs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) n += bufs[i].remaining();
        return n;
    }

    /** The bytes a writev would send, without moving the buffers. */
    static byte[] gather(ByteBuffer[] srcs, int offset, int length) {
        long total = remaining(srcs, offset, length);
        byte[] out = new byte[(int) Math.min(total, Integer.MAX_VALUE - 8)];
        int at = 0;
        for (int i = offset; i < offset + length && at < out.length; i++) {
            ByteBuffer b = srcs[i].duplicate();
            int n = Math.min(b.remaining(), out.length - at);
            b.get(out, at, n);
            at += n;
        }
        return out;
    }

    /** Moves the buffers past {@code n} written bytes. */
    static void consumed(ByteBuffer[] srcs, int offset, int length, long n) {
        for (int i = offset; i < offset + length && n > 0; i++) {
            int m = (int) Math.min(srcs[i].remaining(), n);
            srcs[i].position(srcs[i].position() + m);
            n -= m;
        }
    }

    /**
     * write(fd, data): a blocking channel's write returns when all of it is written (as write(2) on a blocking
     * descriptor does), a non-blocking one's after one try. Returns the bytes written, or the result's errno when
     * nothing was; {@link #ABANDONED} when a close or shutdown ended the wait with nothing written.
     */
    static Result write(Kernel k, AbstractSelectableChannel ch, int fd, byte[] data, boolean blocking,
                        BooleanSupplier abandon) {
        Call shown = new Call.Send(fd, data, 0, true);
        if (!blocking) return k.record(shown, shown, k.now());
        long start = k.now();
        int done = 0;
        while (true) {
            byte[] rest = done == 0 ? data : java.util.Arrays.copyOfRange(data, done, data.length);
            Result r = k.quiet(new Call.Send(fd, rest, 0, true));
            if (r.failed() && r.errno() != Errno.EAGAIN) {
                // A write that copied part of itself returns that count (tcp_sendmsg_locked: copied ? copied : err).
                Result shownResult = done > 0 ? Result.ok(done) : r;
                k.recordDone(shown, start, shownResult);
                return shownResult;
            }
            if (!r.failed()) done += (int) r.value();
            if (done == data.length) {
                Result ok = Result.ok(done);
                k.recordDone(shown, start, ok);
                return ok;
            }
            int interest = Bits.POLLOUT | Bits.POLLERR | Bits.POLLHUP;
            boolean ready = k.await("write(" + fd + ")",
                    () -> !ch.isOpen() || abandon.getAsBoolean() || k.revents(fd, interest) != 0, -1);
            if (!ready || !ch.isOpen() || abandon.getAsBoolean()) {
                if (done > 0) {
                    Result ok = Result.ok(done);
                    k.recordDone(shown, start, ok);
                    return ok;
                }
                return ABANDONED;
            }
        }
    }

    static IOException readError(Result r) {
        return Errors.read(r.errno());
    }
}
