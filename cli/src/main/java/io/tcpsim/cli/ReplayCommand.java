package io.tcpsim.cli;

import io.tcpsim.pcap.CaptureFormatException;
import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.replay.FlowReport;
import io.tcpsim.replay.Replay;
import io.tcpsim.replay.ReplayLadder;
import io.tcpsim.replay.ReplayOutput;
import io.tcpsim.wire.Packet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

    @Parameters(paramLabel = "FILE", description = "The capture: pcap (us or ns, either byte order) or pcapng.")
    Path file;

    @Option(names = "--annotate", description = "Print the capture as tcpdump -nn lines, with each side's state changes after each packet.")
    boolean annotate;

    @Option(names = "--json", description = "One JSON object per flow, then a summary object.")
    boolean json;

    @Option(names = "--flow", paramLabel = "N", description = "Only flow N (flows are numbered by their first packet).")
    int flow;

    @Option(names = "--svg", paramLabel = "OUT", description = "Also draw each flow (or flow N with --flow) as a ladder "
            + "diagram in OUT (SVG): packets, inferred calls, states, divergences. At most " + MAX_DRAWN + " flows.")
    Path svg;

    @Option(names = "--html", paramLabel = "OUT", description = "The same picture as an HTML page with each packet's "
            + "tcpdump line, its divergences and both sides' states on hover.")
    Path html;

    /** Pictures keep every packet of the flows they draw: only the first flows are drawn. */
    static final int MAX_DRAWN = 50;

    @Override
    public Integer call() {
        PrintWriter out = env.out(), err = env.err();
        if (annotate && json) {
            err.println("tcpsim: --annotate and --json cannot be combined (see tcpsim help replay)");
            return Main.BAD_INPUT;
        }
        ReplayOutput.Mode mode = json ? ReplayOutput.Mode.JSON : annotate ? ReplayOutput.Mode.ANNOTATE
                : ReplayOutput.Mode.SUMMARY;
        ReplayOutput output = new ReplayOutput(out, mode, flow);
        boolean picture = svg != null || html != null;
        List<FlowReport> drawn = new ArrayList<>();
        Replay.Sink sink = !picture ? output : new Replay.Sink() {
            @Override public void flow(FlowReport f) {
                output.flow(f);
                if (f.trace() != null) drawn.add(f);
            }

            @Override public void packet(Packet p, long index, String skipped, int n, List<String> notes) {
                output.packet(p, index, skipped, n, notes);
            }
        };
        int only = flow;
        Replay replay = new Replay(sink, annotate, n -> picture && (only > 0 ? n == only : n <= MAX_DRAWN));
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            err.println("tcpsim: " + file + ": cannot read: " + (e instanceof NoSuchFileException ? "no such file" : Main.oneLine(e)));
            return Main.BAD_INPUT;
        }
        Replay.Progress progress = env.terminal() && size > 0 ? new ProgressBar(err, size) : null;
        try (CaptureRecords records = CaptureRecords.open(file)) {
            replay.run(records, progress);
        } catch (CaptureFormatException e) {
            output.end(replay.totals(), file.toString());
            out.flush();
            err.println("tcpsim: " + file + ": " + e.getMessage());
            return Main.BAD_INPUT;
        } catch (IOException e) {
            output.end(replay.totals(), file.toString());
            out.flush();
            err.println("tcpsim: " + file + ": cannot read: " + Main.oneLine(e));
            return Main.BAD_INPUT;
        }
        output.end(replay.totals(), file.toString());
        out.flush();
        if (picture) {
            drawn.sort(Comparator.comparingInt(FlowReport::number));
            String title = "tcpsim replay " + file.getFileName() + (flow > 0 ? " --flow " + flow : "");
            List<String> subtitle = new ArrayList<>();
            subtitle.add(ReplayOutput.totals(replay.totals()));
            if (flow > 0 && drawn.isEmpty()) subtitle.add("there is no flow " + flow);
            if (flow == 0 && replay.totals().flows > MAX_DRAWN)
                subtitle.add("only the first " + MAX_DRAWN + " flows are drawn (use --flow N for another)");
            if (!RunCommand.write(svg, () -> ReplayLadder.svg(title, subtitle, drawn), err)
                    || !RunCommand.write(html, () -> ReplayLadder.html(title, subtitle, drawn), err))
                return Main.BAD_INPUT;
        }
        return replay.totals().diverged > 0 ? Main.FAILED : Main.OK;
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
