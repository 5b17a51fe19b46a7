package io.tcpsim.cli;

import io.tcpsim.backend.Backend;
import io.tcpsim.pcap.PcapWriter;
import io.tcpsim.picture.Ladder;
import io.tcpsim.picture.LadderHtml;
import io.tcpsim.picture.LadderSvg;
import io.tcpsim.picture.RunLadder;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Recorder;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptException;
import io.tcpsim.script.ScriptParser;
import io.tcpsim.script.Step;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", description = "Run a script on the model and print packets, calls and netstat tables on one time line.",
        sortOptions = false)
final class RunCommand implements Callable<Integer> {
    private final Main.Env env;

    RunCommand(Main.Env env) {
        this.env = env;
    }

    @Parameters(paramLabel = "SCRIPT", description = "The script (YAML, or JSON when it ends in .json).")
    Path file;

    @Option(names = "--seed", paramLabel = "N", description = "The seed (default: the script's seed:, else a random one).")
    Long seed;

    @Option(names = "--json", description = "One JSON object per line instead of text.")
    boolean json;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Also write the packets to FILE as a pcap capture.")
    Path pcap;

    @Option(names = "--svg", paramLabel = "FILE", description = "Also draw the run as a ladder diagram in FILE (SVG).")
    Path svg;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write the ladder diagram as an HTML page that shows each packet's line and the endpoints' state on hover.")
    Path html;

    @Option(names = "--record", description = "Write each call's observed result into SCRIPT as its expectation.")
    boolean record;

    @Option(names = "--dry-run", description = "Only parse and check the script.")
    boolean dryRun;

    @Override
    public Integer call() {
        PrintWriter out = env.out(), err = env.err();
        Script script = ScriptFile.loadOrSay(file, err);
        if (script == null) return Main.BAD_INPUT;
        if (dryRun) {
            out.println("# tcpsim run " + file + " --dry-run: " + script.steps().size() + " steps, processes "
                    + String.join(", ", ScriptParser.processes(script)) + ": ok");
            return Main.OK;
        }
        long s = ScriptFile.seed(seed, script);
        Backend backend = env.backend().apply(script.profile(), s);
        RunLadder.Recorder steps = new RunLadder.Recorder(backend);
        RunLog log = svg == null && html == null ? Runner.run(script, backend) : Runner.run(script, backend, steps);

        // Everything is computed before the first line is printed: a failure leaves stdout empty.
        List<String> lines = RunText.lines("run", file.toString(), s, script, log, json);
        for (String l : lines) out.println(l);
        out.flush();

        if (pcap != null) {
            try {
                PcapWriter.write(pcap, log.packets());
            } catch (IOException e) {
                err.println("tcpsim: " + pcap + ": cannot write the capture: " + Main.oneLine(e));
                return Main.BAD_INPUT;
            }
        }
        if (svg != null || html != null) {
            Ladder ladder = RunLadder.of(log, steps.steps(), "tcpsim run " + file + " --seed " + s);
            if (!write(svg, () -> LadderSvg.render(ladder), err) || !write(html, () -> LadderHtml.render(ladder), err))
                return Main.BAD_INPUT;
        }
        if (record) return record(script, log, err);
        return log.ok() ? Main.OK : Main.FAILED;
    }

    /** Writes a picture; false (after one line on stderr) when the file cannot be written. */
    static boolean write(Path target, java.util.function.Supplier<String> text, PrintWriter err) {
        if (target == null) return true;
        try {
            Files.writeString(target, text.get(), StandardCharsets.UTF_8);
            return true;
        } catch (IOException e) {
            err.println("tcpsim: " + target + ": cannot write the picture: " + Main.oneLine(e));
            return false;
        }
    }

    /** Rewrites the expectations that are missing or did not hold; the rest of the file stays byte for byte. */
    private int record(Script script, RunLog log, PrintWriter err) {
        Map<Step.CallStep, List<String>> results = new LinkedHashMap<>();
        for (LogLine.CallLine c : log.calls().values())
            if (!Boolean.TRUE.equals(c.holds())) results.put(c.step(), c.recorded());
        Recorder.Recorded r = Recorder.record(script, results);
        for (int line : r.skipped())
            err.println("tcpsim: " + file + ":" + line + ": cannot write this step's result safely; left as it was");
        try {
            ScriptParser.parse(file.toString(), r.text());
        } catch (ScriptException e) {
            err.println("tcpsim: internal error: the recorded script does not parse (" + e.getMessage() + "); " + file + " left as it was");
            return Main.INTERNAL;
        }
        if (r.changed() > 0) {
            try {
                Path target = file.toAbsolutePath();
                Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
                try {
                    Files.writeString(tmp, r.text(), StandardCharsets.UTF_8);
                    try {
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                err.println("tcpsim: " + file + ": cannot write: " + Main.oneLine(e));
                return Main.BAD_INPUT;
            }
        }
        err.println("tcpsim: recorded " + r.changed() + (r.changed() == 1 ? " result" : " results") + " in " + file);
        return Main.OK;
    }
}
