package io.tcpsim.fuzz;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.check.Check;
import io.tcpsim.check.Verdict;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.model.Model;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptException;
import io.tcpsim.script.ScriptParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The differential oracle: a generated script runs on the model and on the real kernel (a private network namespace
 * per run), and the two must agree.
 *
 * <p>Agreement is {@code tcpsim check}'s ({@link Check#compare}: packets, calls and netstat tables, each RST's
 * sk_rst_reason and each dropped segment's skb_drop_reason as the kernel's tracepoints report them, with its timing
 * tolerance and equivalence rules). The host's timing is noisy, so a disagreement must repeat on
 * {@link #KERNEL_RUNS} kernel runs to count.
 */
public final class Differential implements Fuzzer.Oracle {
    /** A call still blocked after this long on the kernel is reported as blocked for ever (SO_LINGER is at most 1 s). */
    public static final Duration BLOCK_LIMIT = Duration.ofMillis(1500);

    @Override
    public Trial.Outcome test(String text) {
        Script script;
        try {
            script = ScriptParser.parse("generated.yaml", text);
        } catch (ScriptException e) {
            return new Trial.Outcome("script", e.getMessage(), 0, "");
        }
        long seed = script.seed() == null ? 1 : script.seed();
        RunLog model;
        try {
            model = Runner.run(script, new Model(script.profile(), seed));
        } catch (io.tcpsim.backend.NotModelled refused) {
            // Nothing to compare: the model refuses what it does not model yet (a two-host script's losses, options).
            return new Trial.Outcome(Fuzzer.NOT_MODELLED, refused.getMessage(), 0, "");
        }
        Trial.Outcome o = null;
        // The host's timing is noisy (a netstat that takes 33 ms instead of 10 sees a delayed ACK the model's does
        // not): a disagreement counts only if it repeats on every one of KERNEL_RUNS kernel runs.
        for (int run = 0; run < KERNEL_RUNS; run++) {
            // A script with hosts: runs on two hosts joined by the link (docs/kernel-backend.md), with its 30 s limit.
            o = compare(model, Runner.run(script, script.topology() == null ? new KernelBackend(BLOCK_LIMIT)
                    : new io.tcpsim.kernel.NetworkBackend()));
            if (o.ok()) return o;
        }
        return o;
    }

    /** How many kernel runs a disagreement must survive. */
    public static final int KERNEL_RUNS = 3;

    /** The check comparison (docs/cross-check.md): packets, calls and netstat tables, with its timing tolerance. */
    static Trial.Outcome compare(RunLog model, RunLog kernel) {
        Verdict v = Check.compare(model, kernel);
        if (v.agrees()) return new Trial.Outcome(null, null, 0, null);
        return new Trial.Outcome("differential", String.join("\n", v.report()), 0, v.divergences().get(0).text());
    }

    /** The comparison used before check landed: call results, steps not reached, netstat rows (state, queues). */
    static Trial.Outcome compareResults(RunLog model, RunLog kernel) {
        List<String> m = observable(model), k = observable(kernel);
        for (int i = 0; i < Math.max(m.size(), k.size()); i++) {
            String a = i < m.size() ? m.get(i) : "(nothing)", b = i < k.size() ? k.get(i) : "(nothing)";
            if (!a.equals(b)) {
                return new Trial.Outcome("differential", "model: " + a + " | kernel: " + b, i + 1, a);
            }
        }
        return new Trial.Outcome(null, null, 0, null);
    }

    /** What both backends must agree on, in script order. */
    static List<String> observable(RunLog log) {
        List<String> out = new ArrayList<>();
        for (LogLine l : log.lines()) {
            if (l instanceof LogLine.CallLine c) {
                out.add("[" + c.step().process() + "] " + c.step().text() + " = " + c.resultText());
            } else if (l instanceof LogLine.NotReachedLine n) {
                out.add("[" + n.step().process() + "] not reached: " + n.step().source().text());
            } else if (l instanceof LogLine.NetstatLine n) {
                List<String> rows = new ArrayList<>();
                for (NetstatRow r : n.rows()) rows.add(r.state() + " " + r.recvQ() + " " + r.sendQ());
                rows.sort(null);
                out.add("netstat " + rows);
            }
        }
        return out;
    }
}
