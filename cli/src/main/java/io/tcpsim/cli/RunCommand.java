package io.tcpsim.cli;

import io.tcpsim.backend.Backend;
import io.tcpsim.cli.Options.Named;
import io.tcpsim.cli.Options.Outputs;
import io.tcpsim.pcap.PcapWriter;
import io.tcpsim.picture.RunLadder;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.CText;
import io.tcpsim.script.Recorder;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptException;
import io.tcpsim.script.ScriptParser;
import io.tcpsim.script.Step;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", description = "Run a script on the model and print packets, calls and netstat tables on one time line.",
        sortOptions = false)
final class RunCommand implements Callable<Integer> {
    private final Main.Env env;

    RunCommand(Main.Env env) {
        this.env = env;
    }

    @Mixin
    Options.ScriptArg script;

    @Mixin
    Options.Seed seed;

    @Mixin
    Options.Json json;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Also write the packets to FILE as a pcap capture; '-' is the standard output.")
    Path pcap;

    @Mixin
    Options.Pictures pictures;

    @Option(names = "--record", description = "Write each call's observed result into SCRIPT as its expectation.")
    boolean record;

    @Option(names = "--dry-run", description = "Only parse and check the script.")
    boolean dryRun;

    @Override
    public Integer call() {
        PrintWriter out = env.out(), err = env.err();
        Named[] outputs = {new Named("--pcap", pcap), new Named("--svg", pictures.svg), new Named("--html", pictures.html)};
        String problem = Outputs.problem(outputs);
        if (problem != null) {
            err.println(problem);
            return Main.BAD_INPUT;
        }
        if (PktFile.is(script.file)) {
            if (pcap != null || pictures.svg != null || pictures.html != null || json.on || record || seed.value != null) {
                err.println("tcpsim: " + script + ": a .pkt script takes none of --pcap, --svg, --html, --json, --record, "
                        + "--seed yet (docs/packetdrill.md)");
                return Main.BAD_INPUT;
            }
            return PktFile.run("run", script.file, dryRun, false, out, err);
        }
        Script s = script.load(err);
        if (s == null) return Main.BAD_INPUT;
        if (dryRun) {
            out.println("# tcpsim run " + script + " --dry-run: " + s.steps().size() + " steps, processes "
                    + String.join(", ", ScriptParser.processes(s)) + ": ok");
            return Main.OK;
        }
        if (record && !recordable(script.file, err)) return Main.BAD_INPUT;
        long seedUsed = seed.of(s);
        Backend backend = env.backend().apply(s.profile(), seedUsed);
        RunLadder.Recorder steps = new RunLadder.Recorder(backend);
        RunLog log = pictures.any() ? Runner.run(s, backend, steps) : Runner.run(s, backend);

        // The files first, each whole or not at all; then the text, computed before its first line is printed. A
        // file that cannot be written leaves stdout empty.
        if (pcap != null && !Outputs.bytes(pcap, PcapWriter.packets(log.packets()), env)) return Main.BAD_INPUT;
        if (!pictures.write(() -> RunLadder.of(log, steps.steps(), "tcpsim run " + script + " --seed " + seedUsed), env))
            return Main.BAD_INPUT;
        if (!Outputs.toStdout(outputs)) {
            for (String l : RunText.lines("run", script.toString(), seedUsed, s, log, json.on)) out.println(l);
            out.flush();
        }
        if (record) return record(s, log, err);
        return log.ok() ? Main.OK : Main.FAILED;
    }

    /** --record rewrites the script in place: it must be a regular file (a symbolic link to one is followed). */
    private static boolean recordable(Path file, PrintWriter err) {
        if (Files.isRegularFile(file)) return true;
        err.println("tcpsim: --record writes the results into the script, and " + CText.printable(file.toString())
                + " is not a regular file" + (Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? "" : " any more"));
        return false;
    }

    /**
     * Rewrites the expectations that are missing or did not hold; the rest of the file stays byte for byte. The new
     * script replaces the old one atomically, with its permission bits, through a symbolic link if the script is one.
     */
    private int record(Script s, RunLog log, PrintWriter err) {
        Map<Step.CallStep, List<String>> results = new LinkedHashMap<>();
        for (LogLine.CallLine c : log.calls().values())
            if (!Boolean.TRUE.equals(c.holds())) results.put(c.step(), c.recorded());
        Recorder.Recorded r = Recorder.record(s, results);
        String shown = CText.printable(script.toString());
        for (int line : r.skipped())
            err.println("tcpsim: " + shown + ":" + line + ": cannot write this step's result safely; left as it was");
        try {
            ScriptParser.parse(script.toString(), r.text());
        } catch (ScriptException e) {
            err.println("tcpsim: internal error (a bug in tcpsim): the recorded script does not parse (" + e.getMessage()
                    + "); " + shown + " left as it was");
            return Main.INTERNAL;
        }
        if (r.changed() > 0 && !Outputs.bytes(script.file, out -> out.write(r.text().getBytes(StandardCharsets.UTF_8)), env))
            return Main.BAD_INPUT;
        err.println("tcpsim: recorded " + r.changed() + (r.changed() == 1 ? " result" : " results") + " in " + shown);
        return Main.OK;
    }
}
