package io.tcpsim.kernel;

import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.ProcessEnd;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.capture.LoopbackCapture;
import io.tcpsim.capture.RawFrame;
import io.tcpsim.kernel.trace.KernelReasons;
import io.tcpsim.kernel.trace.ReasonTracer;
import io.tcpsim.wire.FrameDecoder;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.SockAddr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The real Linux kernel as a {@link Backend}: every call runs for real, in a private network namespace, and lo is
 * captured. See docs/kernel-backend.md.
 *
 * <ul>
 *   <li><b>Isolation.</b> All syscalls run on one {@link NamespaceThread} that unshared its network namespace, so a
 *       run owns its lo, its ports and its /proc/net/tcp; runs in parallel never meet.</li>
 *   <li><b>Processes.</b> Each script process is an {@link EmulatedProcess}: its own descriptor numbers (3, 4, ...)
 *       mapped to the real ones, and its SIGPIPE disposition. exit() closes in ascending order (do_exit).</li>
 *   <li><b>SIGPIPE.</b> It stays blocked on the namespace thread; after each call a zero-timeout sigtimedwait tells
 *       whether the call raised it. Under SIG_DFL the process is then killed: its descriptors close in order.</li>
 *   <li><b>Blocking.</b> A call still running after {@code blockLimit} (plus its own poll/epoll timeout) is
 *       interrupted with SIGUSR1 and reported as {@link Result#blocked()}; the socket is left as it was.</li>
 * </ul>
 */
public final class KernelBackend implements Backend {

    public static final Duration DEFAULT_BLOCK_LIMIT = Duration.ofSeconds(2);
    /** Pause before stopping the capture, so that the tail of the run (last ACKs, RSTs) is in. */
    public static final Duration CLOSE_SETTLE = Duration.ofMillis(20);
    private static final long SYNC_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Any descriptor the script does not own goes to the kernel as this number: EBADF, or POLLNVAL in poll. */
    private static final int NOT_OWNED = Integer.MAX_VALUE;
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final long blockLimitNanos;
    private final NamespaceThread ns;
    private final LoopbackCapture capture;
    private final ReasonTracer tracer;
    private final KernelReasons reasons;
    private final Map<String, EmulatedProcess> processes = new HashMap<>(); // used on the namespace thread only
    private final List<Event> events = new ArrayList<>(); // guarded by itself
    private final ThreadLocal<Memory> timespec = ThreadLocal.withInitial(() -> new Memory(LibC.SIZEOF_TIMESPEC));
    private final ThreadLocal<Memory> rusage = ThreadLocal.withInitial(() -> new Memory(LibC.RUSAGE_SIZE));
    /** Set by the namespace thread for the call being made (see {@link #lastCallSpan}). */
    private volatile long[] lastSpan;
    private boolean closed;

    /** Opens a run with the default blocked-call limit (2 s). */
    public KernelBackend() {
        this(DEFAULT_BLOCK_LIMIT);
    }

    /**
     * Opens a run: a new network namespace with lo up, and a capture on it.
     *
     * @throws KernelUnavailableException when libpcap is missing or the process may not unshare or capture
     */
    public KernelBackend(Duration blockLimit) {
        this.blockLimitNanos = blockLimit.toNanos();
        LoopbackCapture.checkLibpcap();
        ns = NamespaceThread.start("tcpsim-kernel-" + RUNS.incrementAndGet());
        LoopbackCapture c;
        try {
            c = ns.call(LoopbackCapture::openHere);
            // The first packet through the capture pays for JNA callback setup; pay it here, not in the run.
            if (!c.sync(TimeUnit.SECONDS.toNanos(5))) {
                c.close();
                throw new IllegalStateException("capture on lo saw nothing: " + c.failure());
            }
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        capture = c;
        ReasonTracer t;
        try {
            t = new ReasonTracer(ns.call(NamespaceThread::netnsInode));
        } catch (RuntimeException e) {
            capture.close();
            ns.close();
            throw new KernelUnavailableException(KernelUnavailableException.NEEDS_BPF + ": " + e.getMessage(), e);
        }
        tracer = t;
        reasons = new KernelReasons(tracer, realMinusMonotonic());
    }

    /**
     * CLOCK_REALTIME minus CLOCK_MONOTONIC (the tracer stamps events on CLOCK_MONOTONIC): the reading of eight whose
     * two monotonic reads around the real one were closest. One reading is not enough: the first calls through JNA
     * can stall for tens of milliseconds on a loaded machine, and then the midpoint is that far off.
     */
    private long realMinusMonotonic() {
        Memory ts = timespec.get();
        long best = 0, bestGap = Long.MAX_VALUE;
        for (int i = 0; i < 8; i++) {
            LibC.C.clock_gettime(LibC.CLOCK_MONOTONIC, ts);
            long m0 = ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
            long real = now();
            LibC.C.clock_gettime(LibC.CLOCK_MONOTONIC, ts);
            long m1 = ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
            if (m1 - m0 < bestGap) {
                bestGap = m1 - m0;
                best = real - (m0 + (m1 - m0) / 2);
            }
        }
        return best;
    }

    /** Events of this run's namespace the tracer had no room for (0 unless a run produces thousands at once). */
    public long tracerLost() {
        return reasons.lost();
    }

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public long now() {
        Memory ts = timespec.get();
        LibC.C.clock_gettime(LibC.CLOCK_REALTIME, ts);
        return ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
    }

    /** The thread's voluntary context switches so far (getrusage RUSAGE_THREAD's ru_nvcsw). */
    private static long voluntarySwitches(Memory usage) {
        LibC.C.getrusage(LibC.RUSAGE_THREAD, usage);
        return usage.getLong(LibC.RUSAGE_NVCSW);
    }

    private long threadCpuNanos() {
        Memory ts = timespec.get();
        LibC.C.clock_gettime(LibC.CLOCK_THREAD_CPUTIME_ID, ts);
        return ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
    }

    @Override
    public long[] lastCallSpan() {
        return lastSpan;
    }

    @Override
    public Result call(String process, Call call) {
        lastSpan = null;
        long limit = blockLimitNanos + TimeUnit.MILLISECONDS.toNanos(ownTimeoutMs(call));
        NamespaceThread.Outcome<Result> o = ns.callBounded(() -> execute(process, call), limit);
        Result r = o.value();
        if (o.signalled() && r.errno() == Errno.EINTR) return Result.blocked();
        return r;
    }

    /** poll and epoll_wait may legitimately take their own timeout before the blocked limit starts. */
    static int ownTimeoutMs(Call call) {
        if (call instanceof Call.Poll p) return Math.max(0, p.timeoutMs());
        if (call instanceof Call.EpollWait w) return Math.max(0, w.timeoutMs());
        return 0;
    }

    @Override
    public void sleep(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) LockSupport.parkNanos(left);
    }

    @Override
    public void exit(String process) {
        ns.call(() -> {
            EmulatedProcess p = processes.remove(process);
            if (p != null) closeAll(p);
            emit(new Event.ProcessEnded(now(), process, ProcessEnd.EXITED));
            return null;
        });
    }

    @Override
    public List<NetstatRow> netstat() {
        // /proc/thread-self/net is the namespace of the thread that opens it: read it on the namespace thread.
        List<String> lines = ns.call(() -> {
            try {
                return Files.readAllLines(Path.of("/proc/thread-self/net/tcp"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return ProcNetTcp.parse(lines);
    }

    @Override
    public List<Event> drainEvents() {
        if (!closed) capture.sync(SYNC_TIMEOUT_NANOS);
        List<Packet> packets = new ArrayList<>();
        for (RawFrame f : capture.drain()) {
            Packet p = decode(f);
            if (p != null) packets.add(p);
        }
        // After the frames: a captured RST's tcp_send_reset is then always among the records.
        List<Event> out = reasons.events(packets, closed);
        synchronized (events) {
            out.addAll(events);
            events.clear();
        }
        out.sort(Comparator.comparingLong(Event::timeNanos)); // stable: equal times keep their order
        return out;
    }

    /**
     * The TCP packet in a captured frame, or null for anything else (the filter lets only IPv4 through). A frame the
     * kernel sent that cannot be read is a bug here, not something to skip silently.
     */
    public static Packet decode(RawFrame f) {
        FrameDecoder.Result r = FrameDecoder.ethernet(f.data(), f.timeNanos());
        if (r instanceof FrameDecoder.Tcp t) return t.packet();
        if (r instanceof FrameDecoder.Malformed m)
            throw new IllegalStateException("captured frame unreadable at byte " + m.offset() + ": " + m.why());
        return null;
    }

    /** Every frame captured so far, as libpcap delivered it (for writing the run's pcap file). */
    public List<RawFrame> rawFrames() {
        return capture.frames();
    }

    /**
     * Settles, stops the capture (the frames stay readable: drain once more after this), then closes whatever the
     * processes still hold and ends the namespace thread; the namespace goes with its last socket.
     */
    @Override
    public void close() {
        if (closed) return;
        sleep(CLOSE_SETTLE.toNanos());
        capture.sync(SYNC_TIMEOUT_NANOS);
        closed = true;
        capture.close();
        // The tracer's last records wait in reasons for the frames drained after this.
        reasons.events(List.of(), false).forEach(this::emit);
        tracer.close();
        try {
            ns.call(() -> {
                for (EmulatedProcess p : processes.values()) {
                    for (var d : p.descriptors()) LibC.C.close(d.getValue());
                }
                processes.clear();
                return null;
            });
        } finally {
            ns.close();
        }
    }

    // ---- on the namespace thread ----

    private Result execute(String processName, Call call) {
        EmulatedProcess p = processes.computeIfAbsent(processName, EmulatedProcess::new);
        Memory usage = rusage.get();
        long switches = voluntarySwitches(usage), cpu = threadCpuNanos(), start = now();
        Result r = call.accept(LIBC_CALLS, p);
        long end = now();
        // A call that did not sleep (no voluntary context switch: it never waited on a queue) did not block, however
        // long the host kept the thread off its CPU: its duration is its CPU time (measured: a poll that returned at
        // once reported "blocked 103 ms" on a host with a load of 16).
        if (voluntarySwitches(usage) == switches) end = Math.min(end, start + threadCpuNanos() - cpu);
        lastSpan = new long[] {start, end};
        // Only send/write raise SIGPIPE (sk_stream_error -> send_sig), but checking costs one syscall.
        if (NamespaceThread.takePendingSigpipe()) {
            r = r.withSigpipe();
            deliverSigpipe(p);
        }
        return r;
    }

    /** What the process's disposition makes of a raised SIGPIPE: death (SIG_DFL), a handler run, or nothing. */
    private void deliverSigpipe(EmulatedProcess p) {
        switch (p.sigpipe()) {
            case SIG_DFL -> {
                emit(new Event.SignalDelivered(now(), p.name, Bits.SIGPIPE, true));
                processes.remove(p.name);
                closeAll(p);
                emit(new Event.ProcessEnded(now(), p.name, ProcessEnd.KILLED_BY_SIGPIPE));
            }
            case HANDLER -> emit(new Event.SignalDelivered(now(), p.name, Bits.SIGPIPE, false));
            case SIG_IGN -> { }
        }
    }

    /**
     * do_exit: close_files walks the descriptor table upwards. An exiting task does not linger (inet_release skips
     * sk_lingertime when PF_EXITING is set); a live thread closing the descriptor would, so SO_LINGER {1, n > 0} is
     * cleared first. Nothing else in tcp_close depends on a non-zero linger time ({1, 0} is kept: it aborts).
     */
    static void closeAll(EmulatedProcess p) {
        for (var d : p.descriptors()) {
            int fd = d.getValue();
            int[] linger = new int[2];
            com.sun.jna.ptr.IntByReference len = new com.sun.jna.ptr.IntByReference(8);
            if (LibC.C.getsockopt(fd, LibC.SOL_SOCKET, io.tcpsim.calls.SockOpt.SO_LINGER.number, linger, len) == 0
                    && linger[0] != 0 && linger[1] > 0) {
                LibC.C.setsockopt(fd, LibC.SOL_SOCKET, io.tcpsim.calls.SockOpt.SO_LINGER.number, new int[] {0, 0}, 8);
            }
            LibC.C.close(fd);
            p.release(d.getKey());
        }
    }

    private void emit(Event e) {
        synchronized (events) {
            events.add(e);
        }
    }

    private static int real(EmulatedProcess p, int fd) {
        if (fd < 0) return fd;
        Integer r = p.real(fd);
        return r == null ? NOT_OWNED : r;
    }

    /** The calls as libc runs them; shared with {@link NetworkBackend}. */
    static final LibcCalls LIBC_CALLS = new LibcCalls();

    /** Each call as the libc call it is, on the process's real descriptors. */
    static final class LibcCalls implements Call.Visitor<Result, EmulatedProcess> {
        @Override
        public Result socket(Call.Socket s, EmulatedProcess p) {
            return newFd(p, LibC.C.socket(LibC.AF_INET, LibC.SOCK_STREAM | s.flags(), 0));
        }

        @Override
        public Result bind(Call.Bind b, EmulatedProcess p) {
            byte[] sa = sockaddr(b.addr());
            return status(LibC.C.bind(real(p, b.fd()), sa, sa.length));
        }

        @Override
        public Result listen(Call.Listen l, EmulatedProcess p) {
            return status(LibC.C.listen(real(p, l.fd()), l.backlog()));
        }

        @Override
        public Result accept(Call.Accept a, EmulatedProcess p) {
            return newFd(p, LibC.C.accept4(real(p, a.fd()), null, null, a.flags()));
        }

        @Override
        public Result connect(Call.Connect k, EmulatedProcess p) {
            byte[] sa = sockaddr(k.addr());
            return status(LibC.C.connect(real(p, k.fd()), sa, sa.length));
        }

        @Override
        public Result send(Call.Send s, EmulatedProcess p) {
            byte[] d = s.data() == null ? new byte[0] : s.data();
            int fd = real(p, s.fd());
            long n = s.write() ? LibC.C.write(fd, d, d.length) : LibC.C.send(fd, d, d.length, s.flags());
            return status(n);
        }

        @Override
        public Result recv(Call.Recv r, EmulatedProcess p) {
            byte[] buf = new byte[Math.max(0, r.length())];
            int fd = real(p, r.fd());
            long n = r.read() ? LibC.C.read(fd, buf, buf.length) : LibC.C.recv(fd, buf, buf.length, r.flags());
            return n < 0 ? error() : Result.data(Arrays.copyOf(buf, (int) n));
        }

        @Override
        public Result shutdown(Call.Shutdown s, EmulatedProcess p) {
            return status(LibC.C.shutdown(real(p, s.fd()), s.how()));
        }

        @Override
        public Result close(Call.Close k, EmulatedProcess p) {
            int rc = LibC.C.close(real(p, k.fd()));
            Result r = status(rc);
            // close(2) releases the descriptor whatever it returns, unless it was not open (EBADF).
            if (r.errno() != Errno.EBADF) p.release(k.fd());
            return r;
        }

        @Override
        public Result setsockopt(Call.SetSockOpt s, EmulatedProcess p) {
            int[] v = Arrays.copyOf(s.values() == null ? new int[0] : s.values(), s.option().arity);
            if (isTimeval(s.option())) {
                // SO_RCVTIMEO / SO_SNDTIMEO take a struct timeval; the script gives milliseconds.
                long ms = v[0];
                int[] tv = {(int) (ms / 1000), 0, (int) (ms % 1000 * 1000), 0}; // two little-endian longs
                return status(LibC.C.setsockopt(real(p, s.fd()), level(s.option()), s.option().number, tv, 16));
            }
            return status(LibC.C.setsockopt(real(p, s.fd()), level(s.option()), s.option().number, v, 4 * v.length));
        }

        @Override
        public Result getsockopt(Call.GetSockOpt g, EmulatedProcess p) {
            if (isTimeval(g.option())) {
                int[] tv = new int[4];
                IntByReference len = new IntByReference(16);
                int rc = LibC.C.getsockopt(real(p, g.fd()), level(g.option()), g.option().number, tv, len);
                long sec = (tv[0] & 0xffffffffL) | (long) tv[1] << 32, usec = (tv[2] & 0xffffffffL) | (long) tv[3] << 32;
                return rc < 0 ? error() : Result.option(new int[] {(int) (sec * 1000 + usec / 1000)});
            }
            int[] v = new int[g.option().arity];
            IntByReference len = new IntByReference(4 * v.length);
            int rc = LibC.C.getsockopt(real(p, g.fd()), level(g.option()), g.option().number, v, len);
            return rc < 0 ? error() : Result.option(v);
        }

        @Override
        public Result fcntl(Call.Fcntl f, EmulatedProcess p) {
            return status(LibC.C.fcntl(real(p, f.fd()), f.cmd(), f.arg()));
        }

        @Override
        public Result poll(Call.Poll q, EmulatedProcess p) {
            return KernelBackend.poll(p, q);
        }

        @Override
        public Result epollCreate(Call.EpollCreate e, EmulatedProcess p) {
            return newFd(p, LibC.C.epoll_create1(0));
        }

        @Override
        public Result epollCtl(Call.EpollCtl e, EmulatedProcess p) {
            Memory ev = new Memory(12); // struct epoll_event is packed on x86_64
            ev.setInt(0, e.events());
            ev.setLong(4, e.fd()); // data: the fd as the process knows it, what epoll_wait hands back
            return status(LibC.C.epoll_ctl(real(p, e.epfd()), e.op(), real(p, e.fd()), ev));
        }

        @Override
        public Result epollWait(Call.EpollWait w, EmulatedProcess p) {
            return KernelBackend.epollWait(p, w);
        }

        @Override
        public Result pipe(Call.Pipe c, EmulatedProcess p) {
            int[] fds = new int[2];
            return LibC.C.pipe(fds) < 0 ? error() : Result.fds(p.adopt(fds[0]), p.adopt(fds[1]));
        }

        @Override
        public Result socketPair(Call.SocketPair c, EmulatedProcess p) {
            int[] fds = new int[2];
            return LibC.C.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM, 0, fds) < 0 ? error()
                    : Result.fds(p.adopt(fds[0]), p.adopt(fds[1]));
        }

        @Override
        public Result signal(Call.Signal s, EmulatedProcess p) {
            if (s.signo() == Bits.SIGPIPE) p.setSigpipe(s.disposition());
            return Result.ok(0);
        }
    }

    /** TCP_* options are IPPROTO_TCP's (tcp_setsockopt), the rest SOL_SOCKET's (sk_setsockopt). */
    static int level(io.tcpsim.calls.SockOpt o) {
        return o.name().startsWith("TCP_") ? LibC.IPPROTO_TCP : LibC.SOL_SOCKET;
    }

    /** SO_RCVTIMEO and SO_SNDTIMEO: a struct timeval in the kernel, milliseconds in a script. */
    static boolean isTimeval(io.tcpsim.calls.SockOpt o) {
        return o.name().equals("SO_RCVTIMEO") || o.name().equals("SO_SNDTIMEO");
    }

    private static Result poll(EmulatedProcess p, Call.Poll q) {
        int n = q.fds().size();
        Memory m = new Memory(Math.max(8, 8L * n));
        m.clear();
        for (int i = 0; i < n; i++) {
            m.setInt(8L * i, real(p, q.fds().get(i).fd()));
            m.setShort(8L * i + 4, (short) q.fds().get(i).events());
        }
        int rc = LibC.C.poll(m, n, q.timeoutMs());
        if (rc < 0) return error();
        int[] revents = new int[n];
        for (int i = 0; i < n; i++) revents[i] = m.getShort(8L * i + 6) & 0xffff;
        return Result.poll(rc, revents);
    }

    private static Result epollWait(EmulatedProcess p, Call.EpollWait w) {
        int max = Math.max(1, w.maxEvents());
        Memory m = new Memory(12L * max);
        int rc = LibC.C.epoll_wait(real(p, w.epfd()), m, w.maxEvents(), w.timeoutMs());
        if (rc < 0) return error();
        List<Result.EpollEvent> out = new ArrayList<>(rc);
        for (int i = 0; i < rc; i++) out.add(new Result.EpollEvent((int) m.getLong(12L * i + 4), m.getInt(12L * i)));
        return Result.epoll(out);
    }

    private static Result newFd(EmulatedProcess p, int realFd) {
        return realFd < 0 ? error() : Result.ok(p.adopt(realFd));
    }

    private static Result status(long rc) {
        return rc < 0 ? error() : Result.ok(rc);
    }

    private static Result error() {
        int n = LibC.errno();
        Errno e = Errno.ofNumber(n);
        if (e == null) throw new IllegalStateException("kernel returned errno " + n + " (" + LibC.C.strerror(n)
                + "), which io.tcpsim.calls.Errno does not list");
        return Result.error(e);
    }

    static byte[] sockaddr(SockAddr a) {
        byte[] sa = new byte[16];
        sa[0] = (byte) LibC.AF_INET; // sa_family: native-order (little-endian) u16
        sa[2] = (byte) (a.port() >>> 8);
        sa[3] = (byte) a.port();
        sa[4] = (byte) (a.ip() >>> 24);
        sa[5] = (byte) (a.ip() >>> 16);
        sa[6] = (byte) (a.ip() >>> 8);
        sa[7] = (byte) a.ip();
        return sa;
    }
}
