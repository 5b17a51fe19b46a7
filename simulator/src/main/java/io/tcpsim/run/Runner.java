package io.tcpsim.run;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.ProcessEnd;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.script.CallTemplate;
import io.tcpsim.script.Script;
import io.tcpsim.script.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a parsed script on a backend: one interpreter loop over the steps, one step at a time so that
 * {@code tcpsim step} can stop after each. Names become descriptor numbers here, from what the backend returned.
 *
 * <p>A process that was killed (an {@link Event.ProcessEnded}), that exited, or whose call blocks for ever runs no
 * further steps: they are logged as not reached.
 */
public final class Runner {
    /**
     * Time order, stable: lines at the same time stay in the order they were logged. What the backend still held at
     * close (the kernel backend hands its capture over then) is logged last, so it sorts after the calls and the
     * events of its instant.
     */
    static final Comparator<LogLine> ORDER = Comparator.comparingLong(LogLine::time);

    private final Script script;
    private final Backend backend;
    private final List<LogLine> log = new ArrayList<>();
    /**
     * Each process's descriptor names to the numbers the backend gave them; -1 once closed, so that a stale name
     * cannot hit a reused number. A fork's child starts with a copy of its parent's.
     */
    private final Map<String, Map<String, Integer>> fds = new HashMap<>();
    /** Address names ({@code sa = getsockname(a)}) to the address the backend returned. */
    private final Map<String, io.tcpsim.wire.SockAddr> addresses = new HashMap<>();

    private Map<String, Integer> fdsOf(String process) {
        return fds.computeIfAbsent(process, p -> new HashMap<>());
    }

    /** The names as {@code process} resolves them. */
    private CallTemplate.Fds namesOf(String process) {
        return new CallTemplate.Fds() {
            public int fd(String name) { return Runner.this.fd(process, name); }
            public io.tcpsim.wire.SockAddr address(String name) {
                // A name whose getsockname failed: the kernel's own answer to an empty sockaddr_in (AF_UNSPEC 0:0).
                return addresses.getOrDefault(name, io.tcpsim.wire.SockAddr.ANY);
            }
        };
    }
    /** Processes that run no further steps, with the reason. */
    private final Map<String, String> stopped = new HashMap<>();
    private final Map<String, Call.Disposition> sigpipe = new HashMap<>();
    /** SIGPIPE lines the runner wrote itself because the backend had not (yet) reported them, per process. */
    private final Map<String, Integer> synthesizedSignal = new HashMap<>();
    private final Map<String, Integer> synthesizedEnd = new HashMap<>();
    /** Each process's call left running ({@code call(...) ...}), with when it started; at most one per process. */
    private final Map<String, Running> running = new java.util.LinkedHashMap<>();
    private int next;
    private boolean finished;

    private record Running(Step.CallStep step, long start) {}

    /** Hands the script to the backend ({@link Backend#prepare}), which may refuse it before anything runs. */
    public Runner(Script script, Backend backend) {
        this.script = script;
        this.backend = backend;
        backend.prepare(script);
    }

    /** Runs every step, closes the backend and returns the whole log in time order. */
    public static RunLog run(Script script, Backend backend) {
        return run(script, backend, done -> {});
    }

    /**
     * One step has run: its index in the script, the step, and the lines it added in time order (the same objects
     * the {@link RunLog} holds). The backend is between steps, so a listener may look inside it (the pictures take
     * {@link io.tcpsim.backend.Inspectable#endpoints()} here).
     */
    public record StepDone(int index, Step step, List<LogLine> lines) {}

    /** As {@link #run(Script, Backend)}, telling {@code afterEach} after every step; the log is the same. */
    public static RunLog run(Script script, Backend backend, java.util.function.Consumer<StepDone> afterEach) {
        Runner r = new Runner(script, backend);
        while (r.hasNext()) {
            int index = r.next;
            Step step = r.peek();
            afterEach.accept(new StepDone(index, step, r.step()));
        }
        return r.finish();
    }

    public boolean hasNext() {
        return next < script.steps().size();
    }

    /** What a netstat directive costs: the time system("netstat -tn") takes (docs/scripts.md). */
    public static final long NETSTAT_NANOS = 10_000_000L;

    /** The step {@link #step()} runs next. */
    public Step peek() {
        return script.steps().get(next);
    }

    /**
     * Runs the next step; returns the lines it added, in time order. A refusal the backend raises without a place
     * ({@link io.tcpsim.backend.NotModelled} from deep in a run) is given the step's: FILE:LINE:COL.
     */
    public List<LogLine> step() {
        Step step = script.steps().get(next);
        try {
            return runStep();
        } catch (io.tcpsim.backend.NotModelled e) {
            if (e.getMessage().startsWith(script.file() + ":")) throw e;
            throw new io.tcpsim.backend.NotModelled(script.file() + ":" + step.line() + ":" + step.column() + ": " + e.getMessage());
        }
    }

    private List<LogLine> runStep() {
        int from = log.size();
        Step step = script.steps().get(next++);
        // A process's next step waits for its call left running, as the thread's next statement waits for its call.
        if (running.containsKey(step.process()) && step.kind() != Step.Kind.SLEEP && step.kind() != Step.Kind.NETSTAT) {
            finish(backend.await(step.process()));
        }
        switch (step.kind()) {
            case CALL -> call((Step.CallStep) step);
            case SLEEP -> {
                Step.Sleep s = (Step.Sleep) step;
                log.add(new LogLine.SleepLine(backend.now(), s));
                backend.sleep(s.nanos());
                drain();
            }
            case NETSTAT -> {
                Step.Netstat n = (Step.Netstat) step;
                // The seed programs run system("netstat -tn"), which takes 8.8-12.7 ms here (median 11.4 ms): timers
                // due in that time (the next-tick ACK of a FIN, say) fire before the table is read. Both backends
                // spend the same time, so their tables agree.
                backend.sleep(NETSTAT_NANOS);
                drain();
                if (n.ss()) {
                    log.add(new LogLine.NetstatLine(backend.now(), n, backend.ss()));
                } else if (script.topology() == null) {
                    List<NetstatRow> rows = backend.netstat().stream().filter(r -> n.all() || !r.listening()).toList();
                    log.add(new LogLine.NetstatLine(backend.now(), n, rows));
                } else {
                    // Every host's table at the same instant, in the order of hosts: (docs/scripts.md).
                    for (String host : script.topology().names()) {
                        List<NetstatRow> rows = backend.netstat(host).stream().filter(r -> n.all() || !r.listening()).toList();
                        log.add(new LogLine.NetstatLine(backend.now(), n, rows, host));
                    }
                }
                drain();
            }
            case LINK -> {
                Step.Link k = (Step.Link) step;
                log.add(new LogLine.LinkLine(backend.now(), k));
                backend.link(k.command());
                drain();
            }
            case EXIT -> {
                String p = step.process();
                if (notReached(step)) break;
                long at = backend.now();
                backend.exit(p);
                stop(p, "exited");
                closeNamesOf(p);
                List<Event> events = backend.drainEvents();
                boolean ended = events.stream().anyMatch(e -> e instanceof Event.ProcessEnded x && x.process().equals(p));
                take(events);
                if (!ended) {
                    log.add(new LogLine.ProcessEndLine(at, p, ProcessEnd.EXITED));
                    synthesizedEnd.merge(p, 1, Integer::sum);
                }
            }
        }
        collectCompletions();
        if (!hasNext()) {
            // The script's end: every call still running returns, or blocks for ever.
            for (String p : List.copyOf(running.keySet())) finish(backend.await(p));
        }
        List<LogLine> added = new ArrayList<>(log.subList(from, log.size()));
        added.sort(ORDER);
        return added;
    }

    private void collectCompletions() {
        for (Backend.Completion c : backend.completions()) finish(c);
    }

    /** A call left running returned: its line, at the moment it returned. */
    private void finish(Backend.Completion c) {
        Running r = running.remove(c.process());
        if (r == null) return;
        complete(r.step(), r.start(), c.endTime(), c.result());
    }

    /** Closes the backend, collects what it still held (after everything else) and returns the whole log in time order. */
    public RunLog finish() {
        close();
        List<LogLine> all = new ArrayList<>(log);
        all.sort(ORDER);
        return new RunLog(script, backend.name(), all);
    }

    /**
     * Closes the backend and returns, in time order, the lines it reported only then (once; later calls return
     * nothing). {@link #finish()} does this too.
     */
    public List<LogLine> close() {
        if (finished) return List.of();
        finished = true;
        int from = log.size();
        backend.close();
        drain();
        List<LogLine> late = new ArrayList<>(log.subList(from, log.size()));
        late.sort(ORDER);
        return late;
    }

    private boolean notReached(Step step) {
        String why = stopped.get(step.process());
        if (why == null) return false;
        log.add(new LogLine.NotReachedLine(backend.now(), step, why));
        return true;
    }

    private void stop(String process, String why) {
        stopped.putIfAbsent(process, why);
    }

    private void closeNamesOf(String process) {
        fdsOf(process).replaceAll((name, fd) -> -1);
    }

    private int fd(String process, String name) {
        if (Character.isDigit(name.charAt(0)) || name.startsWith("-")) return Integer.decode(name);
        return fdsOf(process).getOrDefault(name, -1);
    }

    /** The script's open name for a descriptor of the process, or the number. */
    private String nameOf(String process, int fd) {
        for (var e : fdsOf(process).entrySet()) if (e.getValue() == fd) return e.getKey();
        return String.valueOf(fd);
    }

    private void call(Step.CallStep step) {
        if (notReached(step)) return;
        String p = step.process();
        Call call = step.call().resolve(namesOf(p));
        long start = backend.now();
        if (step.leftRunning()) {
            log.add(new LogLine.RunningLine(start, step));
            running.put(p, new Running(step, start));
            backend.start(p, call);
            drain();
            return;
        }
        Result r = backend.call(p, call);
        long end = backend.now();
        long[] span = backend.lastCallSpan();
        if (span != null) {
            start = span[0];
            end = span[1];
        }
        complete(step, start, end, r);
    }

    /**
     * What a call returned: the names it made, its line (a call left running prints it when it returns, with its
     * start kept for the time it was blocked), the events it caused, SIGPIPE.
     */
    private void complete(Step.CallStep step, long start, long end, Result r) {
        String p = step.process();
        bind(step, r);
        if (step.call() instanceof CallTemplate.Close c && !Character.isDigit(c.fd().charAt(0))) fdsOf(p).put(c.fd(), -1);
        if (step.call() instanceof CallTemplate.Fork f && !r.failed()) {
            fdsOf(f.child()).putAll(fdsOf(p));
            sigpipe.put(f.child(), disposition(p));
        }
        if (step.call() instanceof CallTemplate.Signal s && !r.failed() && s.signo() == Bits.SIGPIPE)
            sigpipe.put(p, s.disposition());

        Boolean holds = step.expected() == null ? null : step.expected().holds(r, step.call(), namesOf(p));
        String text = ResultText.print(step.call(), r, fd -> nameOf(p, fd));
        List<String> recorded = ResultText.record(step.call(), r, fd -> nameOf(p, fd));
        if (step.leftRunning()) log.add(new LogLine.CallLine(end, end, step, r, text, recorded, holds, start));
        else log.add(new LogLine.CallLine(start, end, step, r, text, recorded, holds));

        List<Event> events = backend.drainEvents();
        boolean signalled = events.stream().anyMatch(e -> e instanceof Event.SignalDelivered s && s.process().equals(p));
        boolean ended = events.stream().anyMatch(e -> e instanceof Event.ProcessEnded x && x.process().equals(p));
        take(events);
        if (r.sigpipe() && !signalled) {
            // The backend reports the signal later (or not at all): say it where the call raised it.
            boolean fatal = disposition(p) == Call.Disposition.SIG_DFL;
            log.add(new LogLine.SignalLine(end, p, Bits.SIGPIPE, how(p, fatal)));
            synthesizedSignal.merge(p, 1, Integer::sum);
            if (fatal && !ended) {
                log.add(new LogLine.ProcessEndLine(end, p, ProcessEnd.KILLED_BY_SIGPIPE));
                synthesizedEnd.merge(p, 1, Integer::sum);
                stop(p, ProcessEnd.KILLED_BY_SIGPIPE.text());
                closeNamesOf(p);
            }
        }
        if (r.blockedForever()) stop(p, "blocked for ever at line " + step.line());
    }

    private void bind(Step.CallStep step, Result r) {
        if (r.failed() || r.blockedForever()) return;
        List<String> names = step.binds();
        if (names.size() == 1 && r.addr() != null) {
            addresses.put(names.get(0), r.addr());
        } else if (names.size() == 1) {
            fdsOf(step.process()).put(names.get(0), (int) r.value());
        } else if (names.size() == 2 && r.fds() != null && r.fds().length == 2) {
            for (int i = 0; i < 2; i++) {
                fdsOf(step.process()).put(names.get(i), r.fds()[i]);
            }
        }
    }

    private Call.Disposition disposition(String process) {
        return sigpipe.getOrDefault(process, Call.Disposition.SIG_DFL);
    }

    private String how(String process, boolean fatal) {
        if (fatal) return "fatal";
        return disposition(process) == Call.Disposition.HANDLER ? "caught" : "ignored";
    }

    private void drain() {
        take(backend.drainEvents());
    }

    private void take(List<Event> events) {
        for (Event e : events) {
            if (e instanceof Event.PacketSent ps) {
                log.add(new LogLine.PacketLine(ps.packet(), ps.rstReason()));
            } else if (e instanceof Event.SignalDelivered s) {
                if (consume(synthesizedSignal, s.process())) continue;
                log.add(new LogLine.SignalLine(s.timeNanos(), s.process(), s.signo(), how(s.process(), s.fatal())));
            } else if (e instanceof Event.ProcessEnded x) {
                if (consume(synthesizedEnd, x.process())) continue;
                log.add(new LogLine.ProcessEndLine(x.timeNanos(), x.process(), x.end()));
                stop(x.process(), x.end().text());
                closeNamesOf(x.process());
            } else if (e instanceof Event.StateChanged sc) {
                log.add(new LogLine.StateLine(sc.timeNanos(), sc.endpoint(), sc.from(), sc.to(), sc.cause(), sc.detail()));
            } else if (e instanceof Event.Dropped d) {
                log.add(new LogLine.DropLine(d.timeNanos(), d.endpoint(), d.segment(), d.reason()));
            } else if (e instanceof Event.LostOnLink l) {
                log.add(new LogLine.LostLine(l.timeNanos(), l.segment()));
            }
        }
    }

    /** Takes one from the process's count of lines written ahead of the backend's report. */
    private static boolean consume(Map<String, Integer> ahead, String process) {
        Integer n = ahead.get(process);
        if (n == null) return false;
        if (n == 1) ahead.remove(process); else ahead.put(process, n - 1);
        return true;
    }
}
