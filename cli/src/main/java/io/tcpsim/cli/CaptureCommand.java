package io.tcpsim.cli;

import io.tcpsim.backend.Backend;
import io.tcpsim.cli.Options.Named;
import io.tcpsim.cli.Options.Outputs;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.output.OutputFile;
import io.tcpsim.pcap.PcapWriter;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Script;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tcpsim capture}: the script on the real kernel (docs/cross-check.md). The printed lines come from the real
 * calls and the captured frames; the pcap file holds those frames byte for byte with their real timestamps.
 */
@Command(name = "capture", description = "Run a script on the real Linux kernel, capture lo, write the pcap and print "
        + "the run as 'run' does.", sortOptions = false)
final class CaptureCommand implements Callable<Integer> {
    private final Main.Env env;

    CaptureCommand(Main.Env env) {
        this.env = env;
    }

    @Mixin
    Options.ScriptArg script;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.pcap", required = true,
            description = "Write the captured frames here (pcap, nanosecond timestamps, link type EN10MB); '-' is the "
                    + "standard output.")
    Path pcap;

    @Mixin
    Options.Seed seed;

    @Mixin
    Options.Json json;

    @Option(names = "--relative", description = "Print times from the first call (00:00:00.000000) as the model does, "
            + "instead of the real time of day; the pcap keeps the real times.")
    boolean relative;

    @Override
    public Integer call() {
        PrintWriter out = env.out(), err = env.err();
        String problem = Outputs.problem(new Named("--output", pcap));
        if (problem != null) {
            err.println(problem);
            return Main.BAD_INPUT;
        }
        Script s = script.load(err);
        if (s == null) return Main.BAD_INPUT;
        long seedUsed = seed.of(s);
        Backend backend = env.kernelOrSay("capture", s);
        if (backend == null) return Main.BAD_INPUT;
        RunLog log = Runner.run(s, backend);
        if (relative) log = log.relativeTo(log.start());

        // The file first: a run whose capture cannot be saved prints nothing.
        // Two hosts: both ends' captures in one file, in time order (a delivered packet is in it twice).
        OutputFile.Body body = backend instanceof KernelBackend k ? PcapWriter.frames(k.rawFrames())
                : backend instanceof io.tcpsim.kernel.NetworkBackend n ? PcapWriter.frames(n.rawFrames())
                : PcapWriter.packets(log.packets());
        if (!Outputs.bytes(pcap, body, env)) return Main.BAD_INPUT;
        if (!OutputFile.isStdout(pcap)) {
            for (String l : RunText.lines("capture", script.toString(), seedUsed, s, log, json.on)) out.println(l);
            out.flush();
        }
        return log.ok() ? Main.OK : Main.FAILED;
    }
}
