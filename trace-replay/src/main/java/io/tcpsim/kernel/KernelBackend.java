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
import java.util.function.Consumer;
import java.util.function.LongSupplier;
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
    private static final ThreadLocal<Memory> RUSAGE = ThreadLocal.withInitial(() -> new Memory(LibC.RUSAGE_SIZE));
    private static final ThreadLocal<Memory> CPU_TS = ThreadLocal.withInitial(() -> new Memory(LibC.SIZEOF_TIMESPEC));
    /** Set by the namespace thread for the call being made (see {@link #lastCallSpan}). */
    private volatile long[] lastSpan;
    private boolean closed;
    /** Each process's own thread, in the run's namespace, for its calls left running (made on first use). */
    private final Map<String, NamespaceThread> processThreads = new HashMap<>();
    /** The calls left running, by process, in the order they started. */
    private final Map<String, RunningCall> runningCalls = new java.util.LinkedHashMap<>();

    /** A call left running on its process's thread; it yields its result and when it returned. */
    private record RunningCall(Call call, NamespaceThread thread, NamespaceThread.Task<Completion> task) {}

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
    static long voluntarySwitches() {
        Memory usage = RUSAGE.get();
        LibC.C.getrusage(LibC.RUSAGE_THREAD, usage);
        return usage.getLong(LibC.RUSAGE_NVCSW);
    }

    /** The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID). */
    static long threadCpuNanos() {
        Memory ts = CPU_TS.get();
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
        // A MSG_WAITALL recv that had copied part of its target returns that part when interrupted (tcp_recvmsg_locked
        // breaks on signal_pending with copied > 0): it was blocked all the same.
        if (o.signalled() && call instanceof Call.Recv rv && (rv.flags() & Bits.MSG_WAITALL) != 0) return Result.blocked();
        return r;
    }

    /**
     * The call runs on the process's own thread, a sibling of the namespace thread, as a threaded program's call
     * runs in its thread: the runner goes on with other processes' steps on the namespace thread meanwhile.
     */
    @Override
    public void start(String process, Call call) {
        EmulatedProcess p = ns.call(() -> processes.computeIfAbsent(process, EmulatedProcess::new));
        NamespaceThread t = processThreads.computeIfAbsent(process, n -> ns.sibling("tcpsim-process-" + n));
        java.util.concurrent.CompletableFuture<String> thread = new java.util.concurrent.CompletableFuture<>();
        NamespaceThread.Task<Completion> task = t.submit(() -> {
            thread.complete(ownTask());
            Result r = call.accept(LIBC_CALLS, p);
            long end = now();
            if (p.forked != null) {
                EmulatedProcess child = p.forked;
                p.forked = null;
                ns.call(() -> processes.put(child.name, child));
            }
            if (NamespaceThread.takePendingSigpipe()) {
                r = r.withSigpipe();
                ns.call(() -> {
                    deliverSigpipe(p, processes, this::now, this::emit);
                    return null;
                });
            }
            return new Completion(process, r, end);
        });
        runningCalls.put(process, new RunningCall(call, t, task));
        untilAsleep(thread, task);
    }

    /**
     * Loopback only (the default), and the thread of each process that leaves a call running made now: making one
     * takes milliseconds, which would otherwise fall between the step before and the call's first packet.
     */
    @Override
    public void prepare(io.tcpsim.script.Script script) {
        Backend.super.prepare(script);
        for (io.tcpsim.script.Step st : script.steps())
            if (st instanceof io.tcpsim.script.Step.CallStep c && c.leftRunning())
                processThreads.computeIfAbsent(c.process(), n -> ns.sibling("tcpsim-process-" + n));
    }

    /** This thread's /proc entry, {@code PID/task/TID} (the link /proc/thread-self), or null. */
    private static String ownTask() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * A call left running is the step's own: what it sends on its way in (a close's FIN, a connect's SYN) belongs
     * at the step's time, as in the script's thread. So the next step waits until the call's thread sleeps in the
     * kernel (state S or D in /proc/PID/task/TID/stat) or the call is done, at most 100 ms.
     */
    private static void untilAsleep(java.util.concurrent.CompletableFuture<String> thread, NamespaceThread.Task<?> task) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        String where;
        try {
            where = thread.get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            return;
        }
        if (where == null) return;
        Path stat = Path.of("/proc", where, "stat");
        while (System.nanoTime() < deadline && !NamespaceThread.done(task)) {
            try {
                String text = Files.readString(stat);
                int close = text.lastIndexOf(')');
                char state = close >= 0 && close + 2 < text.length() ? text.charAt(close + 2) : '?';
                if (state == 'S' || state == 'D') return;
            } catch (IOException e) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    @Override
    public List<Completion> completions() {
        List<Completion> out = new ArrayList<>();
        for (var e : List.copyOf(runningCalls.entrySet())) {
            RunningCall rc = e.getValue();
            if (!NamespaceThread.done(rc.task())) continue;
            runningCalls.remove(e.getKey());
            out.add(rc.thread().await(rc.task(), SYNC_TIMEOUT_NANOS).value());
        }
        out.sort(Comparator.comparingLong(Completion::endTime));
        return out;
    }

    /** Waits up to the blocked-call limit (and the call's own timeout); then interrupts it: blocked for ever. */
    @Override
    public Completion await(String process) {
        RunningCall rc = runningCalls.remove(process);
        if (rc == null) return null;
        long limit = blockLimitNanos + TimeUnit.MILLISECONDS.toNanos(ownTimeoutMs(rc.call()));
        NamespaceThread.Outcome<Completion> o = rc.thread().await(rc.task(), limit);
        Completion c = o.value();
        Result r = c.result();
        boolean waitall = rc.call() instanceof Call.Recv rv && (rv.flags() & Bits.MSG_WAITALL) != 0;
        if (o.signalled() && (r.errno() == Errno.EINTR || waitall)) return new Completion(process, Result.blocked(), now());
        return c;
    }

    /** poll and epoll_wait may legitimately take their own timeout before the blocked limit starts. */
    static int ownTimeoutMs(Call call) {
        if (call instanceof Call.Poll p) return Math.max(0, p.timeoutMs());
        if (call instanceof Call.EpollWait w) return Math.max(0, w.timeoutMs());
        if (call instanceof Call.Select x) return Math.max(0, x.timeoutMs());
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

    /** {@code ss -tin}: a sock_diag dump on the namespace's thread ({@link InetDiag}). */
    @Override
    public List<NetstatRow> ss() {
        return ns.call(InetDiag::dump);
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
            for (NamespaceThread t : processThreads.values()) t.close();
            ns.close();
        }
    }

    // ---- on the namespace thread ----

    private Result execute(String processName, Call call) {
        EmulatedProcess p = processes.computeIfAbsent(processName, EmulatedProcess::new);
        if (call instanceof Call.Fork f && processes.containsKey(f.child())) return Result.error(Errno.EEXIST);
        long switches = voluntarySwitches(), cpu = threadCpuNanos(), start = now();
        Result r = call.accept(LIBC_CALLS, p);
        long end = now();
        // A call that did not sleep (no voluntary context switch: it never waited on a queue) did not block, however
        // long the host kept the thread off its CPU: its duration is its CPU time (measured: a poll that returned at
        // once reported "blocked 103 ms" on a host with a load of 16).
        if (voluntarySwitches() == switches) end = Math.min(end, start + threadCpuNanos() - cpu);
        lastSpan = new long[] {start, end};
        if (p.forked != null) {
            processes.put(p.forked.name, p.forked);
            p.forked = null;
        }
        // Only send/write raise SIGPIPE (sk_stream_error -> send_sig), but checking costs one syscall.
        if (NamespaceThread.takePendingSigpipe()) {
            r = r.withSigpipe();
            deliverSigpipe(p, processes, this::now, this::emit);
        }
        return r;
    }

    /**
     * What the process's disposition makes of a raised SIGPIPE: death (SIG_DFL: it leaves {@code processes} and its
     * descriptors close), a handler run, or nothing. Both kernel backends deliver it here.
     */
    static void deliverSigpipe(EmulatedProcess p, Map<String, EmulatedProcess> processes, LongSupplier now,
                               Consumer<Event> emit) {
        switch (p.sigpipe()) {
            case SIG_DFL -> {
                emit.accept(new Event.SignalDelivered(now.getAsLong(), p.name, Bits.SIGPIPE, true));
                processes.remove(p.name);
                closeAll(p);
                emit.accept(new Event.ProcessEnded(now.getAsLong(), p.name, ProcessEnd.KILLED_BY_SIGPIPE)); // after its FINs
            }
            case HANDLER -> emit.accept(new Event.SignalDelivered(now.getAsLong(), p.name, Bits.SIGPIPE, false));
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

        @Override
        public Result getName(Call.GetName g, EmulatedProcess p) {
            byte[] sa = new byte[16];
            IntByReference len = new IntByReference(sa.length);
            int fd = real(p, g.fd());
            int rc = g.peer() ? LibC.C.getpeername(fd, sa, len) : LibC.C.getsockname(fd, sa, len);
            return rc < 0 ? error() : Result.address(sockaddr(sa));
        }

        /**
         * fork emulated inside the JVM: the child's descriptors are dup()s of the parent's real ones, so they refer to
         * the same open file descriptions (the same sockets, flags and epoll registrations), as after a real fork.
         */
        @Override
        public Result fork(Call.Fork f, EmulatedProcess p) {
            EmulatedProcess child = new EmulatedProcess(f.child());
            for (var d : p.descriptors()) {
                int r = LibC.C.dup(d.getValue());
                if (r < 0) return error();
                child.adoptAt(d.getKey(), r);
            }
            child.setSigpipe(p.sigpipe());
            p.forked = child; // the backend adds it to its processes (on the namespace thread)
            return Result.ok(0);
        }

        @Override
        public Result sendTo(Call.SendTo s, EmulatedProcess p) {
            byte[] sa = sockaddr(s.addr());
            return status(LibC.C.sendto(real(p, s.fd()), s.data(), s.data().length, s.flags(), sa, sa.length));
        }

        @Override
        public Result recvFrom(Call.RecvFrom r, EmulatedProcess p) {
            byte[] buf = new byte[Math.max(0, r.length())];
            byte[] sa = new byte[16];
            IntByReference len = new IntByReference(sa.length);
            long n = LibC.C.recvfrom(real(p, r.fd()), buf, buf.length, r.flags(), sa, len);
            return n < 0 ? error() : Result.data(Arrays.copyOf(buf, (int) n));
        }

        /** struct iovec is {void *iov_base; size_t iov_len}: 16 bytes on x86_64. */
        @Override
        public Result writev(Call.WriteV w, EmulatedProcess p) {
            int n = w.buffers().size();
            Memory iov = new Memory(16L * Math.max(1, n));
            List<Memory> keep = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] b = w.buffers().get(i);
                Memory m = new Memory(Math.max(1, b.length));
                m.write(0, b, 0, b.length);
                keep.add(m);
                iov.setPointer(16L * i, m);
                iov.setLong(16L * i + 8, b.length);
            }
            long rc = LibC.C.writev(real(p, w.fd()), iov, n);
            keep.clear();
            return status(rc);
        }

        @Override
        public Result readv(Call.ReadV r, EmulatedProcess p) {
            int n = r.lengths().length;
            Memory iov = new Memory(16L * Math.max(1, n));
            Memory[] bufs = new Memory[n];
            for (int i = 0; i < n; i++) {
                bufs[i] = new Memory(Math.max(1, r.lengths()[i]));
                iov.setPointer(16L * i, bufs[i]);
                iov.setLong(16L * i + 8, r.lengths()[i]);
            }
            long rc = LibC.C.readv(real(p, r.fd()), iov, n);
            if (rc < 0) return error();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            long left = rc;
            for (int i = 0; i < n && left > 0; i++) {
                int take = (int) Math.min(left, r.lengths()[i]);
                got.writeBytes(bufs[i].getByteArray(0, take));
                left -= take;
            }
            return Result.data(got.toByteArray());
        }

        /** fd_set is 1024 bits (128 bytes), bit fd % 64 of the long fd / 64; struct timeval is {sec, usec}. */
        @Override
        public Result select(Call.Select s, EmulatedProcess p) {
            List<List<Integer>> sets = List.of(s.in(), s.out(), s.ex());
            Memory[] fdsets = new Memory[3];
            int nfds = 0;
            for (int k = 0; k < 3; k++) {
                fdsets[k] = new Memory(128);
                fdsets[k].clear();
                for (int v : sets.get(k)) {
                    int fd = real(p, v);
                    if (fd < 0 || fd >= 1024) return Result.error(Errno.EBADF);
                    long word = fdsets[k].getLong(8L * (fd / 64));
                    fdsets[k].setLong(8L * (fd / 64), word | (1L << (fd % 64)));
                    nfds = Math.max(nfds, fd + 1);
                }
            }
            Memory tv = null;
            if (s.timeoutMs() >= 0) {
                tv = new Memory(16);
                tv.setLong(0, s.timeoutMs() / 1000);
                tv.setLong(8, (s.timeoutMs() % 1000) * 1000L);
            }
            int rc = LibC.C.select(nfds, fdsets[0], fdsets[1], fdsets[2], tv);
            if (rc < 0) return error();
            int[] ready = new int[s.in().size() + s.out().size() + s.ex().size()];
            int i = 0;
            for (int k = 0; k < 3; k++) {
                for (int v : sets.get(k)) {
                    int fd = real(p, v);
                    ready[i++] = (fdsets[k].getLong(8L * (fd / 64)) & (1L << (fd % 64))) != 0 ? 1 : 0;
                }
            }
            return Result.poll(rc, ready);
        }

        /** struct msghdr (56 bytes): name, namelen, iov at 16, iovlen at 24, control, controllen, flags at 48. */
        @Override
        public Result sendmsg(Call.SendMsg s, EmulatedProcess p) {
            Iovecs v = Iovecs.of(s.buffers());
            Memory msg = new Memory(56);
            msg.clear();
            msg.setPointer(16, v.array());
            msg.setLong(24, s.buffers().size());
            long rc = LibC.C.sendmsg(real(p, s.fd()), msg, s.flags());
            java.lang.ref.Reference.reachabilityFence(v); // the buffers must outlive the call
            return status(rc);
        }

        @Override
        public Result recvmsg(Call.RecvMsg r, EmulatedProcess p) {
            Iovecs v = Iovecs.sized(r.lengths());
            Memory msg = new Memory(56);
            msg.clear();
            msg.setPointer(16, v.array());
            msg.setLong(24, r.lengths().length);
            Memory control = new Memory(64); // room for a TCP_INQ control message (CMSG_SPACE(sizeof(int)) is 24)
            control.clear();
            msg.setPointer(32, control);
            msg.setLong(40, 64);
            long rc = LibC.C.recvmsg(real(p, r.fd()), msg, r.flags());
            if (rc < 0) return error();
            Result out = Result.data(v.read(rc));
            // struct cmsghdr: cmsg_len (size_t), cmsg_level, cmsg_type (int), then the data; SOL_TCP, TCP_CM_INQ (36)
            long controlLen = msg.getLong(40);
            if (controlLen >= 20 && control.getInt(8) == LibC.IPPROTO_TCP && control.getInt(12) == 36)
                out = out.withOption(control.getInt(16));
            return out;
        }

        /**
         * dup takes the lowest free virtual number; dup2 onto a virtual number this process holds reuses its real
         * descriptor (the kernel's dup2 closes what it held), onto a free one gets a new real descriptor.
         */
        @Override
        public Result dup(Call.Dup d, EmulatedProcess p) {
            int old = real(p, d.fd());
            if (!d.two()) return newFd(p, LibC.C.dup(old));
            if (p.real(d.fd()) == null || d.newFd() < 0) return Result.error(Errno.EBADF);
            if (d.newFd() == d.fd()) return Result.ok(d.fd());
            Integer target = p.real(d.newFd());
            if (target != null) {
                Result r = status(LibC.C.dup2(old, target));
                return r.failed() ? r : Result.ok(d.newFd());
            }
            int r = LibC.C.dup(old);
            if (r < 0) return error();
            p.adoptAt(d.newFd(), r);
            return Result.ok(d.newFd());
        }

        @Override
        public Result ioctl(Call.Ioctl c, EmulatedProcess p) {
            IntByReference n = new IntByReference();
            int rc = LibC.C.ioctl(real(p, c.fd()), c.request(), n);
            return rc < 0 ? error() : Result.option(n.getValue());
        }
    }

    /** An iovec array and the buffers it points at (struct iovec: base, len; 16 bytes each). */
    private record Iovecs(Memory array, Memory[] buffers, int[] lengths) {
        static Iovecs of(List<byte[]> data) {
            int n = data.size();
            Memory[] bufs = new Memory[n];
            int[] lens = new int[n];
            for (int i = 0; i < n; i++) {
                byte[] b = data.get(i);
                bufs[i] = new Memory(Math.max(1, b.length));
                bufs[i].write(0, b, 0, b.length);
                lens[i] = b.length;
            }
            return make(bufs, lens);
        }

        static Iovecs sized(int[] lengths) {
            Memory[] bufs = new Memory[lengths.length];
            for (int i = 0; i < lengths.length; i++) {
                bufs[i] = new Memory(Math.max(1, lengths[i]));
                bufs[i].clear();
            }
            return make(bufs, lengths.clone());
        }

        private static Iovecs make(Memory[] bufs, int[] lens) {
            Memory iov = new Memory(16L * Math.max(1, bufs.length));
            for (int i = 0; i < bufs.length; i++) {
                iov.setPointer(16L * i, bufs[i]);
                iov.setLong(16L * i + 8, lens[i]);
            }
            return new Iovecs(iov, bufs, lens);
        }

        /** The first {@code n} bytes across the buffers, in order. */
        byte[] read(long n) {
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            long left = n;
            for (int i = 0; i < buffers.length && left > 0; i++) {
                int take = (int) Math.min(left, lengths[i]);
                got.writeBytes(buffers[i].getByteArray(0, take));
                left -= take;
            }
            return got.toByteArray();
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

    /** The address in a sockaddr_in the kernel wrote. */
    static SockAddr sockaddr(byte[] sa) {
        int port = (sa[2] & 0xff) << 8 | (sa[3] & 0xff);
        int ip = (sa[4] & 0xff) << 24 | (sa[5] & 0xff) << 16 | (sa[6] & 0xff) << 8 | (sa[7] & 0xff);
        return new SockAddr(ip, port);
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
