package io.tcpsim.cli;

import io.tcpsim.output.OutputFile;
import io.tcpsim.pcap.CaptureFormatException;
import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.replay.CaptureFacts;
import io.tcpsim.replay.FlowReport;
import io.tcpsim.replay.Replay;
import io.tcpsim.replay.ReplayLadder;
import io.tcpsim.replay.ReplayOutput;
import io.tcpsim.script.CText;
import io.tcpsim.wire.Packet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "replay", sortOptions = false,
        description = "Replay a capture (pcap or pcapng) against the model: infer the calls, check every packet the "
                + "kernel sends on its own, and report each flow. Exit 0: every flow explained; 1: a flow diverges; "
                + "2: bad input (the flows read before the error are still reported).")
final class ReplayCommand implements Callable<Integer> {
    private final Main.Env env;

    ReplayCommand(Main.Env env) {
        this.env = env;
    }

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "The captures: pcap (us or ns, either byte order) "
            + "or pcapng, or directories of them (their .pcap, .pcapng and .cap files, by name). Several are replayed "
            + "one after the other, flows numbered on across them, each file's totals then all of them together.")
    List<Path> files;

    /** The names a directory's captures end in. */
    static final List<String> CAPTURE_NAMES = List.of(".pcap", ".pcapng", ".cap");

    @Option(names = "--annotate", description = "Print the capture as tcpdump -nn lines, with each side's state changes after each packet.")
    boolean annotate;

    @Mixin
    Options.Json json;

    @Option(names = "--summary", description = "One line per flow: addresses, packets, duration, Zeek's conn_state "
            + "and history, the verdict with the first divergence, and the RST reason.")
    boolean summary;

    @Option(names = "--diverged", description = "Only the flows that diverged (with the default output, --summary, "
            + "--json, --conn-log and the pictures).")
    boolean diverged;

    @Option(names = "--blocks", description = "Keep a block per flow in the default output even with more than "
            + ReplayOutput.MAX_BLOCKS + " flows (it switches to one line per flow above that).")
    boolean blocks;

    @Option(names = "--conn-log", paramLabel = "FILE", description = "Also write the flows as a Zeek conn.log (the "
            + "TSV zeek-cut and bro-cut read), Zeek's columns then tcpsim's; '-' is the standard output.")
    Path connLog;

    @Option(names = "--flow", paramLabel = "N", description = "Only flow N, from 1 (flows are numbered by their first packet).")
    Integer flow;

    @Option(names = "--workers", paramLabel = "N", description = "Replay on N threads, flows shared out by their "
            + "4-tuple; the output is the same, byte for byte, for any N (default: the processors available, at most "
            + MAX_DEFAULT_WORKERS + "; docs/replay.md, \"Workers\").")
    Integer workers;

    /** The default --workers at most: past it the one thread that reads the capture is the limit. */
    static final int MAX_DEFAULT_WORKERS = 4;
    /** --workers at most. */
    static final int MAX_WORKERS = 64;

    /** Each flow (or flow N with --flow) as a ladder: packets, inferred calls, states, divergences; at most 50 flows. */
    @Mixin
    Options.Pictures pictures;

    /** Pictures keep every packet of the flows they draw: only the first flows are drawn. */
    static final int MAX_DRAWN = 50;

    /** The standard output's buffered writer, once made (see {@link #replay}); flushed whatever happens. */
    private PrintWriter buffered;

    @Override
    public Integer call() {
        try {
            return replay();
        } finally {
            if (buffered != null) buffered.flush();
        }
    }

    private Integer replay() {
        PrintWriter out = env.out(), err = env.err();
        if (annotate && json.on) {
            err.println("tcpsim: --annotate and --json cannot be combined (see tcpsim replay --help)");
            return Main.BAD_INPUT;
        }
        String other = annotate ? "--annotate" : json.on ? "--json" : null;
        if (summary && other != null) {
            err.println("tcpsim: --summary and " + other + " cannot be combined (see tcpsim replay --help)");
            return Main.BAD_INPUT;
        }
        if (diverged && annotate) {
            err.println("tcpsim: --diverged with --annotate is not supported yet (the listing is printed packet by "
                    + "packet, before a flow's verdict is known); use --diverged with --summary, --json or the default");
            return Main.BAD_INPUT;
        }
        if (blocks && (summary || other != null)) {
            err.println("tcpsim: --blocks is for the default output only, not with " + (summary ? "--summary" : other)
                    + " (see tcpsim replay --help)");
            return Main.BAD_INPUT;
        }
        if (workers != null && (workers < 1 || workers > MAX_WORKERS)) {
            err.println("tcpsim: --workers must be from 1 to " + MAX_WORKERS + ", got " + workers
                    + " (see tcpsim replay --help)");
            return Main.BAD_INPUT;
        }
        if (flow != null && flow < 1) {
            err.println("tcpsim: --flow must be at least 1 (flows are numbered from 1), got " + flow + " (see tcpsim replay --help)");
            return Main.BAD_INPUT;
        }
        List<Path> captures = new ArrayList<>();
        for (Path f : files) {
            String shown = CText.printable(f.toString());
            if (shown.isEmpty()) {
                err.println("tcpsim: the capture's file name is empty");
                return Main.BAD_INPUT;
            }
            if (!Files.isDirectory(f)) {
                if (!Files.exists(f)) {
                    err.println("tcpsim: cannot read " + shown + ": No such file or directory");
                    return Main.BAD_INPUT;
                }
                captures.add(f);
                continue;
            }
            List<Path> in;
            try (java.util.stream.Stream<Path> list = Files.list(f)) {
                in = list.filter(p -> Files.isRegularFile(p)
                                && CAPTURE_NAMES.stream().anyMatch(x -> p.getFileName().toString().endsWith(x)))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
            } catch (IOException e) {
                err.println("tcpsim: cannot read " + shown + ": " + OutputFile.reason(e));
                return Main.BAD_INPUT;
            }
            if (in.isEmpty()) {
                err.println("tcpsim: " + shown + ": a directory with no capture in it (no file named *.pcap, *.pcapng "
                        + "or *.cap)");
                return Main.BAD_INPUT;
            }
            captures.addAll(in);
        }
        if (pictures.any() && captures.size() > 1) {
            err.println("tcpsim: --svg and --html draw the flows of one capture, not of " + captures.size()
                    + " (see tcpsim replay --help)");
            return Main.BAD_INPUT;
        }
        Options.Named[] files = java.util.stream.Stream.concat(java.util.Arrays.stream(pictures.named()),
                java.util.stream.Stream.of(new Options.Named("--conn-log", connLog))).toArray(Options.Named[]::new);
        String problem = Options.Outputs.problem(files);
        if (problem != null) {
            err.println(problem);
            return Main.BAD_INPUT;
        }
        if (Options.Outputs.toStdout(files)) out = new PrintWriter(java.io.Writer.nullWriter());
        // One buffered stream: the standard output's writer flushes at every line (for run and step), and a million
        // flows were a million write calls (docs/benchmarks.md, "Whole process"). Flushed at the end and before any
        // message on stderr.
        else out = buffered = new PrintWriter(new java.io.BufferedWriter(out, 1 << 16), false);
        int flow = this.flow == null ? 0 : this.flow;
        ReplayOutput.Mode mode = json.on ? ReplayOutput.Mode.JSON : annotate ? ReplayOutput.Mode.ANNOTATE
                : summary ? ReplayOutput.Mode.LINES : blocks ? ReplayOutput.Mode.SUMMARY : ReplayOutput.Mode.AUTO;
        // The files' outputs, one after the other: each decides for itself between blocks and lines.
        ReplayOutput[] current = {null};
        boolean picture = pictures.any();
        List<FlowReport> drawn = new ArrayList<>();
        io.tcpsim.replay.ConnLog log = null;
        java.nio.file.Path logTemp = null;
        java.io.Writer logWriter = null;
        if (connLog != null) {
            try {
                // The rows go to a file of their own first (a million flows do not fit in memory), which becomes
                // FILE only when the capture was read to its end: nothing is half-written.
                logTemp = Files.createTempFile("tcpsim-conn", ".log");
                logWriter = Files.newBufferedWriter(logTemp, java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("tcpsim: cannot write " + CText.printable(connLog.toString()) + ": " + OutputFile.reason(e));
                return Main.BAD_INPUT;
            }
            log = new io.tcpsim.replay.ConnLog(logWriter);
        }
        io.tcpsim.replay.ConnLog rows = log;
        int onlyFlow = flow;
        Replay.Sink sink = new Replay.Sink() {
            @Override public void flow(FlowReport f) {
                current[0].flow(f);
                if (!picture && rows == null) return;
                if (onlyFlow > 0 && f.number() != onlyFlow) return;
                if (diverged && f.verdict() != FlowReport.Verdict.DIVERGED) return;
                if (f.trace() != null) drawn.add(f);
                if (rows != null) {
                    try {
                        rows.flow(f);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }

            @Override public void packet(Packet p, long index, String skipped, int n, List<String> notes) {
                current[0].packet(p, index, skipped, n, notes);
            }
        };
        int only = flow;
        int nextNumber = 1;
        Replay.Totals all = new Replay.Totals();
        Replay last = null;
        try {
            for (Path file : captures) {
                String shown = CText.printable(file.toString());
                ReplayOutput output = new ReplayOutput(out, mode, flow, diverged);
                current[0] = output;
                // A picture keeps its flows' packets as one replay follows them: then one worker (the same output).
                Replay replay = picture ? new Replay(sink, annotate, n -> only > 0 ? n == only : n <= MAX_DRAWN)
                        : new Replay(sink, annotate);
                last = replay;
                replay.numberFrom(nextNumber);
                replay.workers(workers != null ? workers
                        : Math.max(1, Math.min(MAX_DEFAULT_WORKERS, Runtime.getRuntime().availableProcessors())));
                long size = 0;
                try {
                    size = Files.size(file);
                } catch (IOException e) {
                    // a FIFO's size, say: the reading below says what is wrong, if anything
                }
                Replay.Progress progress = env.terminal() && size > 0 ? new ProgressBar(err, size) : null;
                // A regular file is read twice: first for what only the whole capture shows (CaptureFacts), then replayed.
                if (Files.isRegularFile(file)) {
                    try {
                        replay.learned(CaptureFacts.learn(file));
                    } catch (IOException e) {
                        // the replay below reports it
                    }
                }
                try (CaptureRecords records = CaptureRecords.open(InputFile.open(file))) {
                    replay.run(records, progress);
                } catch (CaptureFormatException e) {
                    output.end(replay.totals(), file.toString());
                    out.flush();
                    err.println("tcpsim: " + shown + ": " + e.getMessage());
                    return Main.BAD_INPUT;
                } catch (InputFile.NoWriter e) {
                    err.println("tcpsim: " + shown + ": " + e.getMessage());
                    return Main.BAD_INPUT;
                } catch (IOException e) {
                    output.end(replay.totals(), file.toString());
                    out.flush();
                    err.println("tcpsim: cannot read " + shown + ": " + OutputFile.reason(e));
                    return Main.BAD_INPUT;
                }
                output.end(replay.totals(), file.toString(), replay.facts().lines());
                all.add(replay.totals());
                nextNumber = replay.nextNumber();
            }
            if (captures.size() > 1) new ReplayOutput(out, mode, flow, diverged).endAll(all, captures.size());
            out.flush();
            if (log != null) {
                Path temp = logTemp;
                log.close(all.firstNanos);
                logWriter.close();
                if (!Options.Outputs.bytes(connLog, o -> Files.copy(temp, o), env)) return Main.BAD_INPUT;
            }
        } catch (java.io.UncheckedIOException | IOException e) {
            IOException cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e;
            err.println("tcpsim: cannot write " + CText.printable(connLog.toString()) + ": " + OutputFile.reason(cause));
            return Main.BAD_INPUT;
        } finally {
            if (logTemp != null) {
                try {
                    if (logWriter != null) logWriter.close();
                    Files.deleteIfExists(logTemp);
                } catch (IOException ignored) {
                    // the temporary file is in the system's temporary directory; nothing of FILE depends on it
                }
            }
        }
        if (picture) {
            drawn.sort(Comparator.comparingInt(FlowReport::number));
            String title = "tcpsim replay " + captures.get(0).getFileName() + (flow > 0 ? " --flow " + flow : "");
            List<String> subtitle = new ArrayList<>();
            subtitle.add(ReplayOutput.totals(all));
            if (flow > 0 && drawn.isEmpty()) subtitle.add("there is no flow " + flow);
            if (flow == 0 && all.flows > MAX_DRAWN)
                subtitle.add("only the first " + MAX_DRAWN + " flows are drawn (use --flow N for another)");
            if (!pictures.write(() -> ReplayLadder.svg(title, subtitle, drawn), () -> ReplayLadder.html(title, subtitle, drawn), env))
                return Main.BAD_INPUT;
        }
        return all.diverged > 0 ? Main.FAILED : Main.OK;
    }

    /**
     * A progress bar on stderr for files that take more than a second: it appears only after the first second, and
     * is redrawn at most ten times a second. The only wall-clock reads in tcpsim, and they never touch the model.
     */
    static final class ProgressBar implements Replay.Progress {
        private final PrintWriter err;
        private final long size;
        private final long start = System.nanoTime();
        private long lastDraw;
        private boolean shown;

        ProgressBar(PrintWriter err, long size) {
            this.err = err;
            this.size = size;
        }

        @Override
        public void at(long bytes) {
            long now = System.nanoTime();
            if (now - start < 1_000_000_000L || now - lastDraw < 100_000_000L) return;
            lastDraw = now;
            shown = true;
            int pct = (int) Math.min(100, bytes * 100 / size);
            String bar = "#".repeat(pct * 30 / 100) + " ".repeat(30 - pct * 30 / 100);
            err.print("\rreplay [" + bar + "] " + pct + "% " + bytes / 1_000_000 + " of " + size / 1_000_000 + " MB");
            err.flush();
        }

        @Override
        public void done() {
            if (shown) {
                err.print("\r" + " ".repeat(70) + "\r");
                err.flush();
            }
        }
    }
}
