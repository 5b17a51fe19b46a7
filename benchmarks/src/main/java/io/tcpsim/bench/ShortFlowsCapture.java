package io.tcpsim.bench;

import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.replay.SyntheticCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The capture of many short flows that the replay benchmarks read: copies of the real request-response capture in
 * traces/captures/replay (10 packets, one connection), each with its own client address, port and ISNs, one starting
 * every millisecond of capture time ({@link SyntheticCapture#manyFlows}). {@link ReplayBenchmark} and
 * {@link LargeCaptureCheck} write it in their set-up; {@code benchmarks/whole-process} writes it with this program:
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.tcpsim.bench.ShortFlowsCapture OUT [FLOWS]</pre>
 *
 * <p>FLOWS defaults to 100,000 (1,000,000 packets). The file appears whole or not at all (written beside OUT, then
 * renamed). Run from the repository root.
 */
public final class ShortFlowsCapture {
    private ShortFlowsCapture() {}

    public static final long FLOWS = 100_000;
    public static final int PACKETS_PER_FLOW = 10;
    static final long SPACING_NANOS = 1_000_000L;

    /** The template: the request-response capture of this kernel, read from the repository root. */
    public static Path template() throws IOException {
        try (var s = Files.list(Path.of("traces/captures/replay"))) {
            return s.filter(p -> p.getFileName().toString().matches("request-response-\\d.*\\.pcap")).findFirst()
                    .orElseThrow(() -> new IOException("no traces/captures/replay/request-response-*.pcap: run from the repository root"));
        }
    }

    /** Writes {@code flows} copies of the template to {@code out}; returns the number of packets. */
    public static long write(Path out, long flows) throws IOException {
        return SyntheticCapture.manyFlows(out, CaptureRecords.readPackets(template()), flows, SPACING_NANOS);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java -cp benchmarks/target/benchmarks.jar io.tcpsim.bench.ShortFlowsCapture OUT [FLOWS]");
            System.exit(2);
        }
        Path out = Path.of(args[0]).toAbsolutePath();
        long flows = args.length > 1 ? Long.parseLong(args[1]) : FLOWS;
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        long n = write(partial, flows);
        Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("%s: %d packets, %d flows, %.1f MB%n", out, n, flows, Files.size(out) / 1e6);
    }
}
