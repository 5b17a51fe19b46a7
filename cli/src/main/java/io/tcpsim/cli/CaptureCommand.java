package io.tcpsim.cli;

import io.tcpsim.backend.Backend;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.kernel.KernelUnavailableException;
import io.tcpsim.pcap.PcapWriter;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Script;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

    @Parameters(paramLabel = "SCRIPT", description = "The script (YAML, or JSON when it ends in .json).")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.pcap", required = true,
            description = "Write the captured frames here (pcap, nanosecond timestamps, link type EN10MB).")
    Path pcap;

    @Option(names = "--seed", paramLabel = "N",
            description = "Printed in the header like run's; the kernel picks its own ISNs and ports.")
    Long seed;

    @Option(names = "--json", description = "One JSON object per line instead of text.")
    boolean json;

    @Option(names = "--relative", description = "Print times from the first call (00:00:00.000000) as the model does, "
            + "instead of the real time of day; the pcap keeps the real times.")
    boolean relative;

    @Override
    public Integer call() {
        PrintWriter out = env.out(), err = env.err();
        Script script = ScriptFile.loadOrSay(file, err);
        if (script == null) return Main.BAD_INPUT;
        long s = ScriptFile.seed(seed, script);
        Backend backend;
        try {
            backend = env.kernel().get();
        } catch (KernelUnavailableException e) {
            err.println(e.getMessage());
            return Main.BAD_INPUT;
        }
        RunLog log = Runner.run(script, backend);
        if (relative) log = log.relativeTo(log.start());

        // The file first: a run whose capture cannot be saved prints nothing.
        if (backend instanceof KernelBackend k) {
            try {
                PcapWriter.writeFrames(pcap, k.rawFrames());
            } catch (IOException e) {
                err.println("tcpsim: " + pcap + ": cannot write the capture: " + Main.oneLine(e));
                return Main.BAD_INPUT;
            }
        } else {
            try {
                PcapWriter.write(pcap, log.packets());
            } catch (IOException e) {
                err.println("tcpsim: " + pcap + ": cannot write the capture: " + Main.oneLine(e));
                return Main.BAD_INPUT;
            }
        }
        List<String> lines = RunText.lines("capture", file.toString(), s, script, log, json);
        for (String l : lines) out.println(l);
        out.flush();
        return log.ok() ? Main.OK : Main.FAILED;
    }
}
