package io.tcpsim.nio;

import io.tcpsim.backend.Event;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.model.Model;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * The model behind one lock, and the clock shared by real threads.
 *
 * <p>The model is not thread-safe: every call goes through {@link #call} or {@link #quiet} under this object's
 * monitor. All descriptors live in one model process, {@link #PROCESS}, as they do in one JVM; the thread that made a
 * call is recorded with it.
 *
 * <p><b>Time.</b> The model's calls never block here: every descriptor is non-blocking in the model, and a channel in
 * blocking mode waits in {@link #await} instead. Virtual time moves only in {@link #await}, and only when every
 * thread that has used this network is idle: ended, waiting here with nothing ready for it, or parked outside the
 * network (Thread.State WAITING: join, Future.get, a lock; BLOCKED on a monitor whose owner is idle; an idle pool
 * worker's timed wait for its next task), which only another thread can end. A thread that is running, or in a timed
 * wait of its own (Thread.sleep), holds the clock. A parked thread is taken as idle
 * only when it was seen parked on two looks {@link #PARKED_CONFIRM_NANOS} apart with no call in between, so that a
 * thread that was just woken is not mistaken for one that waits.
 */
final class Kernel {
    /** The one model process all of the JVM's descriptors belong to. */
    static final String PROCESS = "java";

    /** How often a waiting thread looks again when no call woke it (thread states change without notice). */
    private static final long POLL_MILLIS = 2;
    /**
     * How long a thread must stay parked, with no call in between, to count as idle: 2 ms, or
     * {@code -Dtcpsim.parkedConfirmMillis}. A thread that another one has just unparked still reads WAITING until it
     * gets a CPU, and on a loaded machine that can take longer: at a load of 15 on 2 cores the JDK 25 HttpClient's
     * caller, waiting for an answer its selector thread had already read, was taken for idle and the clock moved 1 s
     * in one run of 7 with 2 ms, one of 12 with 20 ms, none of 15 with 200 ms. The HTTP corpus runs with 100.
     */
    private static final long PARKED_CONFIRM_NANOS = Long.getLong("tcpsim.parkedConfirmMillis", 2) * 1_000_000L;

    /** One call as the log shows it: when it started and ended, the thread, the call, its result. */
    record CallRecord(long start, long end, String thread, Call call, Result result) {}

    /** What a waiting thread waits for: its condition and its deadline in virtual time (-1: none). */
    private record Waiter(String what, BooleanSupplier ready, long deadline) {}

    final Model model;
    private final List<CallRecord> calls = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final Map<Thread, Boolean> participants = new LinkedHashMap<>();
    private final Map<Thread, Waiter> waiting = new IdentityHashMap<>();
    private long generation;
    private long parkedSeenAt = -1, parkedSeenGeneration = -1;
    private String stall;
    private boolean recording = true;

    Kernel(Model model) {
        this.model = model;
        // The JVM catches SIGPIPE (HotSpot installs a handler): a write to a broken pipe returns EPIPE.
        model.call(PROCESS, new Call.Signal(Bits.SIGPIPE, Call.Disposition.HANDLER));
        take();
    }

    /** Runs one call and records it as the program made it. */
    synchronized Result call(Call call) {
        return record(call, call, model.now());
    }

    /**
     * Runs {@code run} and records it as {@code shown} (what the JDK would have called, e.g. a blocking read that the
     * provider ran as non-blocking tries), with the time the operation started.
     */
    synchronized Result record(Call shown, Call run, long start) {
        join();
        Result r = model.call(PROCESS, run);
        take();
        if (recording) calls.add(new CallRecord(start, model.now(), Thread.currentThread().getName(), shown, r));
        changed();
        return r;
    }

    /** Records a call whose result is already known (the end of a wait), without running anything. */
    synchronized void recordDone(Call shown, long start, Result r) {
        if (recording) calls.add(new CallRecord(start, model.now(), Thread.currentThread().getName(), shown, r));
    }

    /** Runs a call that the log does not show: a readiness check, a try of a wait. */
    synchronized Result quiet(Call call) {
        join();
        Result r = model.call(PROCESS, call);
        take();
        changed();
        return r;
    }

    /** Runs a call that looks and changes nothing (a readiness check): no one is woken for it. */
    synchronized Result peek(Call call) {
        return model.call(PROCESS, call);
    }

    /** poll(fd, events, 0) on the model, unrecorded: the revents. */
    synchronized int revents(int fd, int interest) {
        Result r = model.call(PROCESS, new Call.Poll(List.of(new Call.PollFd(fd, interest)), 0));
        return r.revents() == null ? 0 : r.revents()[0];
    }

    synchronized long now() {
        return model.now();
    }

    private void take() {
        List<Event> e = model.drainEvents();
        if (recording) events.addAll(e);
    }

    /** The calling thread takes part in the clock from its first call on. */
    private void join() {
        participants.putIfAbsent(Thread.currentThread(), Boolean.TRUE);
    }

    private void changed() {
        generation++;
        stall = null;
        notifyAll();
    }

    /** Wakes every waiting thread to look at its condition again (a close, a wakeup, a shutdown). */
    synchronized void wakeAll() {
        changed();
    }

    /**
     * Waits until {@code ready} holds (checked under the lock), or until virtual time reaches {@code deadline}
     * (-1: no deadline). Returns true when ready, false at the deadline. An interrupt ends the wait too (the caller's
     * channel then sees it, as AbstractInterruptibleChannel does): returns false with the interrupt status set.
     */
    synchronized boolean await(String what, BooleanSupplier ready, long deadline) {
        join();
        Thread me = Thread.currentThread();
        waiting.put(me, new Waiter(what, ready, deadline));
        try {
            while (true) {
                if (ready.getAsBoolean()) return true;
                if (deadline >= 0 && model.now() >= deadline) return false;
                if (me.isInterrupted()) return false;
                if (!allIdle(me) || !advance()) {
                    try {
                        wait(POLL_MILLIS);
                    } catch (InterruptedException e) {
                        me.interrupt();
                        return false;
                    }
                }
            }
        } finally {
            waiting.remove(me);
        }
    }

    /**
     * Whether time may move: no waiter has its condition met (it would act at this instant), and every other
     * participant is ended, waiting here, or parked outside the network (confirmed on a second look).
     */
    private boolean allIdle(Thread me) {
        boolean parked = false;
        var it = participants.keySet().iterator();
        while (it.hasNext()) {
            Thread t = it.next();
            if (t == me) continue;
            if (!t.isAlive()) {
                it.remove();
                continue;
            }
            Waiter w = waiting.get(t);
            if (w != null) {
                if (w.ready.getAsBoolean() || w.deadline >= 0 && model.now() >= w.deadline) return false;
                continue;
            }
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.BLOCKED && blockedForGood(t)
                    || s == Thread.State.TIMED_WAITING && idlePoolWorker(t)) {
                parked = true;
                continue;
            }
            return false;
        }
        if (!parked) return true;
        long now = System.nanoTime();
        if (parkedSeenGeneration != generation || parkedSeenAt < 0) {
            parkedSeenGeneration = generation;
            parkedSeenAt = now;
            return false;
        }
        return now - parkedSeenAt >= PARKED_CONFIRM_NANOS;
    }

    /**
     * Whether a thread BLOCKED on a monitor waits for something only the network (or another thread) can bring: the
     * monitor's owner waits in the network or is parked. Not so when the monitor is this one (the thread is about to
     * make a call, and gets the lock as soon as the thread looking waits: HttpClient's selector thread calling
     * wakeup() was taken for idle and the clock moved 3 s under it), or when its owner runs (it will let go).
     */
    private boolean blockedForGood(Thread t) {
        java.lang.management.ThreadInfo info = THREADS.getThreadInfo(t.getId());
        if (info == null) return true; // ended meanwhile
        if (info.getLockInfo() == null) return false; // no longer blocked: it runs
        if (blockedOnThis(t)) return false;
        long owner = info.getLockOwnerId();
        for (Thread w : waiting.keySet()) if (w.getId() == owner) return true;
        java.lang.management.ThreadInfo o = owner < 0 ? null : THREADS.getThreadInfo(owner);
        return o != null && o.getThreadState() == Thread.State.WAITING;
    }

    private boolean isThis(java.lang.management.LockInfo lock) {
        return lock != null && lock.getIdentityHashCode() == System.identityHashCode(this)
                && lock.getClassName().equals(Kernel.class.getName());
    }

    private boolean blockedOnThis(Thread t) {
        java.lang.management.ThreadInfo info = THREADS.getThreadInfo(t.getId());
        return info != null && isThis(info.getLockInfo());
    }

    /**
     * Whether a thread in a timed wait is an idle worker of a thread pool waiting for its next task
     * (ThreadPoolExecutor.getTask: Executors.newCachedThreadPool(), the JDK HttpClient's default executor, whose
     * workers wait 60 s; or ForkJoinPool.awaitWork). Only another thread can give it work, and at the end of its
     * keep-alive it ends without a call, so it is parked as far as the network goes. Not a ScheduledThreadPoolExecutor's
     * worker: it waits for a task's delay, in real time, and then runs it.
     */
    private static boolean idlePoolWorker(Thread t) {
        boolean pool = false;
        for (StackTraceElement e : t.getStackTrace()) {
            String c = e.getClassName();
            if (c.equals("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue")) return false;
            if (c.equals("java.util.concurrent.ThreadPoolExecutor") && e.getMethodName().equals("getTask")
                    || c.equals("java.util.concurrent.ForkJoinPool") && e.getMethodName().equals("awaitWork")) pool = true;
        }
        return pool;
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Moves the clock to the next thing that happens: a timer, a packet in flight, or a waiter's deadline. False when
     * nothing is left to happen: every thread waits for ever (recorded as the stall).
     */
    private boolean advance() {
        long next = Long.MAX_VALUE;
        OptionalLong d = model.nextDeadline();
        if (d.isPresent()) next = d.getAsLong();
        for (Waiter w : waiting.values()) if (w.deadline >= 0) next = Math.min(next, w.deadline);
        if (next == Long.MAX_VALUE) {
            if (stall == null) stall = describeWaiters();
            return false;
        }
        long now = model.now();
        if (next > now) model.sleep(next - now);
        else model.sleep(0);
        take();
        changed();
        return true;
    }

    private String describeWaiters() {
        List<String> out = new ArrayList<>();
        for (var e : waiting.entrySet()) out.add(e.getKey().getName() + " in " + e.getValue().what);
        return String.join(", ", out);
    }

    /** Moves the clock for the calling thread: it waits in virtual time, as a blocked call would. */
    void sleep(long nanos) {
        long deadline;
        synchronized (this) {
            deadline = model.now() + nanos;
        }
        await("sleep", () -> false, deadline);
    }

    /** Null, or who waits on what when every thread waits for something that nothing can bring. */
    synchronized String stalled() {
        return stall;
    }

    synchronized List<CallRecord> calls() {
        return List.copyOf(calls);
    }

    synchronized List<Event> events() {
        take();
        return List.copyOf(events);
    }

    /** Stops or restarts the call log (the benchmark measures the provider without it). */
    synchronized void recording(boolean on) {
        recording = on;
    }

    synchronized <T> T inspect(java.util.function.Function<Model, T> f) {
        return f.apply(model);
    }
}
