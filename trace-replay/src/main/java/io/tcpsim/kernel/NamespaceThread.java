package io.tcpsim.kernel;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One platform thread living in its own network namespace, which runs every syscall of a kernel run.
 *
 * <p>Why a thread: namespaces belong to tasks, and a JVM thread is a task. {@code unshare(CLONE_NEWNET)} moves only
 * the calling thread into a fresh namespace (allowed in a multi-threaded process, unlike CLONE_NEWUSER); every
 * socket it then creates, and {@code /proc/thread-self/net}, belong to that namespace. Sockets keep their namespace
 * for life, so other threads may use them afterwards (the capture loop does).
 *
 * <p>Blocking calls: the caller waits a bounded time. When the work is still running after that, the caller sends
 * SIGUSR1 to this thread with {@code pthread_kill}. The process-wide SIGUSR1 action is a native no-op installed
 * without SA_RESTART, so the blocked syscall returns EINTR and its socket is left as it was (an accept that
 * returns EINTR has taken nothing off the queue). The signal is sent only while the work is running (checked
 * under a lock), so it cannot hit the next task.
 *
 * <p>SIGPIPE stays blocked on this thread for its whole life, so a send that raises it leaves it pending on the
 * thread, where {@link #takePendingSigpipe()} finds it.
 */
public final class NamespaceThread implements AutoCloseable {

    /** What a bounded task came back with; {@code signalled} says SIGUSR1 was sent while it ran. */
    public record Outcome<T>(T value, boolean signalled) {}

    private static final long HARD_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Object INSTALL_LOCK = new Object();
    private static boolean handlerInstalled;

    private final Thread thread;
    private final LinkedBlockingQueue<Task<?>> tasks = new LinkedBlockingQueue<>();
    private final CompletableFuture<Long> ready = new CompletableFuture<>();
    private final Object runningLock = new Object();
    private Task<?> running; // guarded by runningLock
    private long pthread;
    private volatile boolean closed;
    /** False for a sibling: a thread started from a namespace thread, in the same namespace (see {@link #sibling}). */
    private final boolean own;

    /** Work queued on a thread ({@link #submit}), to wait for with {@link #await}. */
    public static final class Task<T> {
        final Supplier<T> work;
        final CompletableFuture<T> done = new CompletableFuture<>();
        volatile boolean signalled;

        Task(Supplier<T> work) {
            this.work = work;
        }
    }

    private static final Task<Void> STOP = new Task<>(() -> null);

    private NamespaceThread(String name, boolean own) {
        this.own = own;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /**
     * Another thread in this thread's network namespace: a script process's own thread, for its calls left running.
     * A thread is cloned with its creator's namespaces (copy_namespaces shares the nsproxy without CLONE_NEW*), so
     * the sibling is started from this thread, and needs no unshare of its own.
     */
    public NamespaceThread sibling(String name) {
        return call(() -> {
            NamespaceThread t = new NamespaceThread(name, false);
            t.thread.start();
            try {
                t.pthread = t.ready.get(HARD_LIMIT_NANOS, TimeUnit.NANOSECONDS);
            } catch (ExecutionException | InterruptedException | TimeoutException e) {
                throw new IllegalStateException("process thread did not start", e);
            }
            return t;
        });
    }

    /** Starts the thread, unshares its network namespace and brings lo up; throws when that is not permitted. */
    public static NamespaceThread start(String name) {
        installInterruptHandler();
        NamespaceThread t = new NamespaceThread(name, true);
        t.thread.start();
        try {
            t.pthread = t.ready.get(HARD_LIMIT_NANOS, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            t.closed = true;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("namespace thread did not start", e);
        }
        return t;
    }

    /**
     * The inode number of the calling thread's network namespace (/proc/thread-self/ns/net reads "net:[N]"): call it
     * on a namespace thread to name that thread's namespace. The kernel's {@code net->ns.inum}.
     */
    public static long netnsInode() {
        try {
            String link = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self/ns/net")).toString();
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void run() {
        try {
            ready.complete(own ? enterNamespace() : maskSignals());
        } catch (RuntimeException | Error e) {
            ready.completeExceptionally(e);
            return;
        }
        while (true) {
            Task<?> task;
            try {
                task = tasks.take();
            } catch (InterruptedException e) {
                continue; // only STOP ends this thread: it owns the namespace's sockets
            }
            if (task == STOP) return;
            execute(task);
        }
    }

    private <T> void execute(Task<T> task) {
        synchronized (runningLock) {
            running = task;
        }
        T value;
        try {
            value = task.work.get();
        } catch (RuntimeException | Error e) {
            clearRunning();
            task.done.completeExceptionally(e);
            return;
        }
        clearRunning();
        task.done.complete(value);
    }

    private void clearRunning() {
        synchronized (runningLock) {
            running = null;
        }
    }

    /** On a sibling: SIGPIPE blocked (takePendingSigpipe finds it), SIGUSR1 open (it interrupts a call). */
    private static long maskSignals() {
        LibC.C.pthread_sigmask(LibC.SIG_BLOCK, sigset(LibC.SIGPIPE), null);
        LibC.C.pthread_sigmask(LibC.SIG_UNBLOCK, sigset(LibC.SIGUSR1), null);
        return LibC.C.pthread_self();
    }

    /** On this thread: mask SIGPIPE, unshare the network namespace, set lo up. Returns pthread_self(). */
    private static long enterNamespace() {
        LibC c = LibC.C;
        Memory set = sigset(LibC.SIGPIPE);
        c.pthread_sigmask(LibC.SIG_BLOCK, set, null);
        c.pthread_sigmask(LibC.SIG_UNBLOCK, sigset(LibC.SIGUSR1), null);
        if (c.unshare(LibC.CLONE_NEWNET) != 0) {
            int errno = LibC.errno();
            if (errno == LibC.EPERM) throw new KernelUnavailableException(KernelUnavailableException.NEEDS_PRIVILEGE);
            throw new IllegalStateException("unshare(CLONE_NEWNET) failed: errno " + errno);
        }
        bringLoopbackUp(c);
        return c.pthread_self();
    }

    /** {@code ip link set lo up} without the ip command: SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP. */
    private static void bringLoopbackUp(LibC c) {
        int s = c.socket(LibC.AF_INET, LibC.SOCK_DGRAM, 0);
        if (s < 0) throw new IllegalStateException("socket for SIOCSIFFLAGS failed: errno " + LibC.errno());
        try {
            Memory ifr = new Memory(LibC.SIZEOF_IFREQ);
            ifr.clear();
            ifr.setString(0, "lo", "US-ASCII");
            if (c.ioctl(s, LibC.SIOCGIFFLAGS, ifr) != 0) {
                throw new IllegalStateException("SIOCGIFFLAGS lo failed: errno " + LibC.errno());
            }
            short flags = ifr.getShort(16);
            ifr.setShort(16, (short) (flags | LibC.IFF_UP));
            if (c.ioctl(s, LibC.SIOCSIFFLAGS, ifr) != 0) {
                int errno = LibC.errno();
                if (errno == LibC.EPERM) throw new KernelUnavailableException(KernelUnavailableException.NEEDS_PRIVILEGE);
                throw new IllegalStateException("SIOCSIFFLAGS lo up failed: errno " + errno);
            }
        } finally {
            c.close(s);
        }
    }

    static Memory sigset(int... signals) {
        Memory set = new Memory(LibC.SIZEOF_SIGSET);
        LibC.C.sigemptyset(set);
        for (int s : signals) LibC.C.sigaddset(set, s);
        return set;
    }

    /**
     * Consumes a SIGPIPE pending on the calling thread (call it on this thread): {@code sigtimedwait} with a zero
     * timeout returns the signal number and clears it, or fails with EAGAIN when none is pending.
     */
    static boolean takePendingSigpipe() {
        return LibC.C.sigtimedwait(SigpipeWait.SET, null, SigpipeWait.ZERO) == LibC.SIGPIPE;
    }

    /** The arguments of the zero-timeout wait, built once: sigtimedwait only reads them. */
    private static final class SigpipeWait {
        static final Memory SET = sigset(LibC.SIGPIPE);
        static final Memory ZERO = new Memory(LibC.SIZEOF_TIMESPEC);

        static {
            ZERO.clear();
        }
    }

    /**
     * Installs the process-wide SIGUSR1 action once: a native no-op without SA_RESTART. HotSpot on Linux does not
     * use SIGUSR1 (it uses SIGUSR2 for suspend/resume); if someone else installed a handler we keep it, provided it
     * does not restart syscalls.
     */
    private static void installInterruptHandler() {
        synchronized (INSTALL_LOCK) {
            if (handlerInstalled) return;
            Pointer noOp = LibC.noOpSignalHandler();
            Memory old = new Memory(LibC.SIZEOF_SIGACTION);
            old.clear();
            LibC.C.sigaction(LibC.SIGUSR1, null, old);
            long oldHandler = Pointer.nativeValue(old.getPointer(0));
            int oldFlags = old.getInt(8 + LibC.SIZEOF_SIGSET);
            boolean foreign = oldHandler != 0 && oldHandler != 1 && oldHandler != Pointer.nativeValue(noOp);
            if (foreign) {
                if ((oldFlags & 0x10000000) != 0) { // SA_RESTART
                    throw new IllegalStateException("SIGUSR1 already has a handler with SA_RESTART; the kernel "
                            + "backend needs SIGUSR1 to interrupt blocked calls");
                }
            } else {
                Memory act = new Memory(LibC.SIZEOF_SIGACTION);
                act.clear();
                act.setPointer(0, noOp);
                if (LibC.C.sigaction(LibC.SIGUSR1, act, null) != 0) {
                    throw new IllegalStateException("sigaction(SIGUSR1) failed: errno " + LibC.errno());
                }
            }
            handlerInstalled = true;
        }
    }

    /** Runs work on this thread and waits for it (for work that cannot block: setup, /proc reads). */
    public <T> T call(Supplier<T> work) {
        Outcome<T> o = callBounded(work, HARD_LIMIT_NANOS, false);
        return o.value();
    }

    /**
     * Runs work on this thread; when it is still running after {@code limitNanos}, interrupts its syscall with
     * SIGUSR1 (repeatedly, in case the signal landed just before the syscall) and waits for it to come back.
     */
    public <T> Outcome<T> callBounded(Supplier<T> work, long limitNanos) {
        return callBounded(work, limitNanos, true);
    }

    private <T> Outcome<T> callBounded(Supplier<T> work, long limitNanos, boolean interrupt) {
        return await(submit(work), limitNanos, interrupt);
    }

    /** Queues work on this thread and returns at once. */
    public <T> Task<T> submit(Supplier<T> work) {
        if (closed) throw new IllegalStateException("namespace thread is closed");
        Task<T> task = new Task<>(work);
        tasks.add(task);
        return task;
    }

    /** Whether submitted work has finished. */
    public static boolean done(Task<?> task) {
        return task.done.isDone();
    }

    /** Waits for submitted work as {@link #callBounded} does: after {@code limitNanos}, its syscall is interrupted. */
    public <T> Outcome<T> await(Task<T> task, long limitNanos) {
        return await(task, limitNanos, true);
    }

    private <T> Outcome<T> await(Task<T> task, long limitNanos, boolean interrupt) {
        try {
            try {
                return new Outcome<>(task.done.get(limitNanos, TimeUnit.NANOSECONDS), false);
            } catch (TimeoutException late) {
                if (!interrupt) throw new IllegalStateException("kernel work did not finish in time");
            }
            long deadline = System.nanoTime() + HARD_LIMIT_NANOS;
            while (System.nanoTime() < deadline) {
                synchronized (runningLock) {
                    if (running == task) {
                        task.signalled = true;
                        LibC.C.pthread_kill(pthread, LibC.SIGUSR1);
                    }
                }
                try {
                    return new Outcome<>(task.done.get(50, TimeUnit.MILLISECONDS), task.signalled);
                } catch (TimeoutException again) {
                    // the signal arrived before the thread entered the syscall: send it again
                }
            }
            throw new IllegalStateException("kernel call could not be interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the kernel", e);
        }
    }

    /** Ends the thread after the queued work; the namespace dies when its last socket is closed. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        tasks.add(STOP);
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(HARD_LIMIT_NANOS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
