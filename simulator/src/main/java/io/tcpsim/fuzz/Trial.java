package io.tcpsim.fuzz;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Inspectable;
import io.tcpsim.backend.NotModelled;
import io.tcpsim.model.Model;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptException;
import io.tcpsim.script.ScriptParser;
import io.tcpsim.script.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One generated script on the model, with the {@link Invariants} checked after every step, and a second run with
 * the same seed that must give the identical log (determinism). The model must never throw.
 */
public final class Trial {
    private Trial() {}

    /** What went wrong, or {@link #ok()}. {@code invariant} names the broken rule; {@code step} is 1-based. */
    public record Outcome(String invariant, String detail, int step, String stepText) {
        static final Outcome OK = new Outcome(null, null, 0, null);

        public boolean ok() {
            return invariant == null;
        }

        public String describe() {
            if (ok()) return "ok";
            return invariant + " at step " + step + " (" + stepText + "): " + detail;
        }
    }

    public static Outcome run(String text, Coverage coverage, boolean determinism) {
        return run(text, coverage, determinism, (script, seed) -> new Model(script.profile(), seed));
    }

    /** Makes the backend of one run; it must also be {@link Inspectable} (the model, or in tests a faulty model). */
    interface Factory {
        Backend make(Script script, long seed);
    }

    static Outcome run(String text, Coverage coverage, boolean determinism, Factory factory) {
        Script script;
        try {
            script = ScriptParser.parse("generated.yaml", text);
        } catch (ScriptException e) {
            return new Outcome("script", "the generated script does not parse: " + e.getMessage(), 0, "");
        }
        long seed = script.seed() == null ? 1 : script.seed();
        List<LogLine> first = new ArrayList<>();
        Outcome o = checked(script, seed, coverage, first, factory);
        if (!o.ok() || !determinism) return o;
        List<LogLine> second = new ArrayList<>();
        try {
            Runner r = new Runner(script, factory.make(script, seed));
            while (r.hasNext()) second.addAll(r.step());
            second.addAll(r.close());
        } catch (RuntimeException | StackOverflowError e) {
            return new Outcome("never throws", e.toString(), 0, "second run");
        }
        return same(first, second);
    }

    private static Outcome checked(Script script, long seed, Coverage coverage, List<LogLine> log, Factory factory) {
        Backend backend = factory.make(script, seed);
        Runner runner;
        try {
            runner = new Runner(script, backend);
        } catch (NotModelled refused) {
            return new Outcome(Fuzzer.NOT_MODELLED, refused.getMessage(), 0, "");
        }
        // The invariants follow one host's loopback (every segment delivered after the loopback delay, one listener
        // on 127.0.0.1:4321); on two hosts a run is checked for never throwing and determinism, and the differential
        // run holds it to the kernel.
        Invariants inv = script.topology() != null ? null
                : new Invariants(backend, (Inspectable) backend, script.profile().loopbackDelayNanos(), coverage);
        if (inv != null) inv.start();
        int n = 0;
        while (runner.hasNext()) {
            Step step = runner.peek();
            n++;
            List<LogLine> lines;
            try {
                lines = runner.step();
            } catch (RuntimeException | StackOverflowError e) {
                return thrown(e, n, stepText(step));
            }
            log.addAll(lines);
            // A throw from here on is a bug in the checker, not the model: it propagates.
            List<String> broken = inv == null ? List.of() : inv.after(step, lines);
            if (!broken.isEmpty()) {
                String first = broken.get(0);
                int colon = first.indexOf(": ");
                return new Outcome(first.substring(0, colon), String.join("; ", broken).substring(colon + 2), n,
                        stepText(step));
            }
        }
        try {
            log.addAll(runner.close());
        } catch (RuntimeException | StackOverflowError e) {
            return thrown(e, n, "the end of the run");
        }
        return Outcome.OK;
    }

    private static Outcome thrown(Throwable e, int step, String text) {
        // A refusal where the run gets there (a two-host loss the model does not follow yet) is not a bug.
        if (e instanceof NotModelled) return new Outcome(Fuzzer.NOT_MODELLED, e.getMessage(), step, text);
        StackTraceElement[] st = e.getStackTrace();
        return new Outcome("never throws", e + (st.length > 0 ? " at " + st[0] : ""), step, text);
    }

    static String stepText(Step s) {
        return s.source().text();
    }

    /** Determinism: the same kinds of lines at the same times, the same packets and the same results. */
    private static Outcome same(List<LogLine> a, List<LogLine> b) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            LogLine x = i < a.size() ? a.get(i) : null, y = i < b.size() ? b.get(i) : null;
            if (x == null || y == null || x.kind() != y.kind() || x.time() != y.time() || !sameContent(x, y)) {
                return new Outcome("determinism", "run 1 and run 2 differ at log line " + (i + 1) + ": " + x + " vs " + y,
                        0, "");
            }
        }
        return Outcome.OK;
    }

    private static boolean sameContent(LogLine x, LogLine y) {
        if (x instanceof LogLine.PacketLine p) return p.packet().equals(((LogLine.PacketLine) y).packet());
        if (x instanceof LogLine.CallLine c) {
            LogLine.CallLine d = (LogLine.CallLine) y;
            return c.result().equals(d.result()) && c.endTime() == d.endTime();
        }
        if (x instanceof LogLine.NetstatLine n) return n.rows().equals(((LogLine.NetstatLine) y).rows());
        return Objects.equals(x.toString(), y.toString());
    }
}
