package io.tcpsim.bench;

import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.replay.Replay;
import io.tcpsim.replay.SyntheticCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The memory and linearity goals of issue 5, as a program to run with a small heap (not a JMH benchmark: what is
 * measured is that it finishes, the peak heap and the time):
 *
 * <pre>java -Xmx256m -cp benchmarks/target/benchmarks.jar io.tcpsim.bench.LargeCaptureCheck [DIR] [GB]</pre>
 *
 * <p>It writes a capture of at least GB gigabytes (default 1) of short flows (copies of the request-response capture),
 * replays it, and then replays one flow of 1,000,000 one-way segments that nothing acknowledges. Each step prints
 * packets, seconds, packets/s and the heap in use after a GC; it exits 1 if a step takes more than its time bound
 * (10 µs per packet) or the many-flows capture does not replay clean.
 */
public final class LargeCaptureCheck {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        double gb = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        Path template = ShortFlowsCapture.template();
        var packets = CaptureRecords.readPackets(template);
        long perFlow = Files.size(template) - 24;
        long flows = (long) Math.ceil(gb * (1L << 30) / perFlow);
        Path big = dir.resolve("tcpsim-large.pcap");
        boolean ok = true;
        try {
            long n = SyntheticCapture.manyFlows(big, packets, flows, ShortFlowsCapture.SPACING_NANOS);
            System.out.printf("wrote %s: %.2f GB, %d packets, %d flows%n", big, Files.size(big) / 1e9, n, flows);
            Replay.Totals t = run(big, "many short flows");
            ok &= t.diverged == 0 && t.records == n;
        } finally {
            Files.deleteIfExists(big);
        }
        Path oneWay = dir.resolve("tcpsim-oneway.pcap");
        try {
            long n = SyntheticCapture.oneWay(oneWay, 1_000_000, 100);
            System.out.printf("wrote %s: %.2f GB, %d packets, one flow%n", oneWay, Files.size(oneWay) / 1e9, n);
            run(oneWay, "one flow, 1,000,000 unacknowledged segments");
        } finally {
            Files.deleteIfExists(oneWay);
        }
        System.exit(ok && !slow ? 0 : 1);
    }

    static boolean slow;

    static Replay.Totals run(Path file, String what) throws IOException {
        long[] peak = {0};
        Replay r = new Replay(new Replay.Sink() {}, false);
        long start = System.nanoTime();
        try (CaptureRecords records = CaptureRecords.open(file)) {
            r.run(records, new Replay.Progress() {
                public void at(long bytes) {
                    Runtime rt = Runtime.getRuntime();
                    peak[0] = Math.max(peak[0], rt.totalMemory() - rt.freeMemory());
                }

                public void done() {}
            });
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.gc();
        Runtime rt = Runtime.getRuntime();
        Replay.Totals t = r.totals();
        System.out.printf("%s: %d packets in %.1f s = %.0f packets/s; %d flows, %d explained, %d diverged "
                        + "(%d divergences); heap: max %d MB, highest sampled in use %d MB, in use after GC %d MB%n",
                what, t.records, s, t.records / s, t.flows, t.explained, t.diverged, t.divergences,
                rt.maxMemory() >> 20, peak[0] >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
        if (s > t.records * 10e-6) {
            System.out.println("  too slow: more than 10 us per packet");
            slow = true;
        }
        return t;
    }
}
