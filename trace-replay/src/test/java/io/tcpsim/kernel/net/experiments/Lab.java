package io.tcpsim.kernel.net.experiments;

import io.tcpsim.capture.RawFrame;
import io.tcpsim.kernel.net.Host;
import io.tcpsim.kernel.net.HostSpec;
import io.tcpsim.kernel.net.LinkSpec;
import io.tcpsim.kernel.net.NetSpec;
import io.tcpsim.kernel.net.Network;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * What every two-host experiment shares: the standard topology (client 10.0.1.1, server 10.0.1.2, MTU 1500), a
 * printer of both captures with times relative to a start, pcap files, and the results directory.
 */
final class Lab {
    static final Path RESULTS = Path.of("tools/experiments/results");
    static final int PORT = 5001;

    private Lab() {}

    static NetSpec spec(long oneWayMillis, Map<String, String> sysctls) {
        return NetSpec.of(HostSpec.parse("client", "10.0.1.1/24"), HostSpec.parse("server", "10.0.1.2/24"))
                .withLink(LinkSpec.symmetric(oneWayMillis * 1_000_000L)).withSysctls(sysctls);
    }

    static Network open(long oneWayMillis, Map<String, String> sysctls) {
        return Network.open(spec(oneWayMillis, sysctls));
    }

    static void writePcap(Host h, Path file) {
        try {
            Files.createDirectories(file.getParent());
            try (PcapHandle dead = Pcaps.openDead(DataLinkType.EN10MB, 262144, PcapHandle.TimestampPrecision.NANO);
                 PcapDumper d = dead.dumpOpen(file.toString())) {
                for (RawFrame f : h.capture().frames()) {
                    Timestamp ts = new Timestamp(f.timeNanos() / 1_000_000_000L * 1000);
                    ts.setNanos((int) (f.timeNanos() % 1_000_000_000L));
                    d.dumpRaw(f.data(), ts);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + file + ": " + e, e);
        }
    }

    static void write(String name, List<String> lines) {
        try {
            Files.createDirectories(RESULTS);
            Files.write(RESULTS.resolve(name), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** min, p50, p90, p99, p99.9, max of a sample, formatted. */
    static String percentiles(long[] v, double scale, String unit) {
        long[] s = v.clone();
        Arrays.sort(s);
        if (s.length == 0) return "n=0";
        return String.format(Locale.ROOT, "n=%d min %.1f p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f max %.1f %s", s.length,
                s[0] / scale, at(s, 0.5) / scale, at(s, 0.9) / scale, at(s, 0.99) / scale, at(s, 0.999) / scale,
                s[s.length - 1] / scale, unit);
    }

    static long at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
