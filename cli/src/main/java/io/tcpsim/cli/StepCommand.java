package io.tcpsim.cli;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Inspectable;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.run.TextOutput;
import io.tcpsim.script.Script;
import io.tcpsim.script.Step;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "step", description = "Run a script one step at a time, showing every endpoint's state after each step.")
final class StepCommand implements Callable<Integer> {
    private final Main.Env env;

    StepCommand(Main.Env env) {
        this.env = env;
    }

    @Mixin
    Options.ScriptArg script;

    @Mixin
    Options.Seed seed;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = env.out(), err = env.err();
        if (PktFile.is(script.file)) {
            if (seed.value != null) {
                err.println("tcpsim: " + script + ": a .pkt script takes no --seed (docs/packetdrill.md)");
                return Main.BAD_INPUT;
            }
            return PktFile.run("step", script.file, false, true, out, err);
        }
        Script loaded = script.load(err);
        if (loaded == null) return Main.BAD_INPUT;
        long s = seed.of(loaded);
        Backend backend = env.backend().apply(loaded.profile(), s);
        Runner runner = new Runner(loaded, backend);
        TextOutput text = new TextOutput(loaded);
        out.println(TextOutput.header("step", script.toString(), s));
        int n = 0, total = loaded.steps().size();
        boolean quit = false;
        while (runner.hasNext()) {
            Step step = runner.peek();
            out.println("## step " + (++n) + "/" + total + " (" + script + ":" + step.line() + "): " + source(step));
            for (String l : text.lines(runner.step())) out.println(l);
            endpoints(backend, out);
            out.flush();
            if (env.terminal() && runner.hasNext()) {
                err.print("-- Enter: next step, q: quit -- ");
                err.flush();
                String answer = env.in().readLine();
                if (answer == null || answer.strip().equalsIgnoreCase("q")) {
                    quit = true;
                    break;
                }
            }
        }
        List<LogLine> late = runner.close();
        if (!late.isEmpty()) {
            out.println("## at close");
            for (String l : text.lines(late)) out.println(l);
        }
        RunLog log = runner.finish();
        if (!log.ok()) out.println(text.summary(log));
        if (quit) return Main.OK;
        return log.ok() ? Main.OK : Main.FAILED;
    }

    private static String source(Step step) {
        return step.source().text();
    }

    private static void endpoints(Backend backend, PrintWriter out) {
        if (!(backend instanceof Inspectable i)) return;
        List<Inspectable.EndpointSnapshot> eps = i.endpoints();
        if (eps.isEmpty()) {
            out.println("  (no TCP endpoint)");
            return;
        }
        for (Inspectable.EndpointSnapshot e : eps) for (String l : TextOutput.endpoint(e)) out.println(l);
    }
}
