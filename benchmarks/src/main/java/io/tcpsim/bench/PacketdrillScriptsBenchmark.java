package io.tcpsim.bench;

import io.tcpsim.packetdrill.PktParser;
import io.tcpsim.packetdrill.PktScript;
import io.tcpsim.pktrun.PktRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Every packetdrill script on which the model and the kernel agree (traces/packetdrill/agreeing.txt), read and run
 * one-sided on the model: one operation is the whole list, parsed from its text and run with its output. Goal (issue
 * 14): under one second for all of them; real packetdrill needs the wall time the scripts' times add up to, at least
 * (tools/packetdrill/wall-time.sh measures it; docs/packetdrill.md gives both).
 *
 * <p>Run from the repository root: {@code java -jar benchmarks/target/benchmarks.jar PacketdrillScripts}; the
 * shared tree is {@code -Dtcpsim.shared=DIR}, else ../shared, else /work/shared.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class PacketdrillScriptsBenchmark {
    static final List<String> ARGS = List.of("--send_omit_free", "--ip_version=ipv4", "--local_ip=192.168.0.1",
            "--gateway_ip=192.168.0.1", "--netmask_ip=255.255.0.0", "--remote_ip=192.0.2.1",
            "-D", "TFO_COOKIE=3021b9d889017eeb", "-D", "CODE=host_unreachable", "-D", "CMSG_LEVEL_IP=SOL_IP",
            "-D", "CMSG_TYPE_RECVERR=IP_RECVERR");

    private final List<String> names = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();

    @Setup
    public void load() throws Exception {
        Path net = shared().resolve("packetdrill/gtests/net");
        for (String l : Files.readAllLines(Path.of("traces/packetdrill/agreeing.txt"))) {
            if (l.isBlank() || l.startsWith("#")) continue;
            Path p = net.resolve(l.trim());
            names.add(p.getFileName().toString());
            texts.add(Files.readString(p, StandardCharsets.UTF_8));
        }
        if (names.isEmpty()) throw new IllegalStateException("traces/packetdrill/agreeing.txt lists no script");
    }

    static Path shared() {
        String prop = System.getProperty("tcpsim.shared");
        if (prop != null) return Path.of(prop);
        Path up = Path.of("../shared");
        return Files.isDirectory(up.resolve("packetdrill")) ? up : Path.of("/work/shared");
    }

    /** Every agreeing script, read and run on a fresh model. */
    @Benchmark
    public void runAllAgreeingScripts(Blackhole bh) throws Exception {
        for (int i = 0; i < names.size(); i++) {
            PktScript s = PktParser.parse(names.get(i), texts.get(i), ARGS);
            bh.consume(PktRun.run(s));
        }
    }
}
