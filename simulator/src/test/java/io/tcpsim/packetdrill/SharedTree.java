package io.tcpsim.packetdrill;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the shared, read-only tree lives (../shared: google/packetdrill as published, its 175 scripts). Looked up as
 * the system property {@code tcpsim.shared}, else the environment's {@code TCPSIM_SHARED}, else
 * {@code <repository root>/../shared}, else {@code /work/shared}. Without it a test fails under CI=true (nothing
 * skips there) and is skipped otherwise.
 */
public final class SharedTree {
    private SharedTree() {}

    /** The directory holding {@code packetdrill/}. */
    public static Path locate() {
        List<Path> tried = new ArrayList<>();
        String prop = System.getProperty("tcpsim.shared");
        if (prop != null && !prop.isEmpty()) tried.add(Path.of(prop));
        String env = System.getenv("TCPSIM_SHARED");
        if (env != null && !env.isEmpty()) tried.add(Path.of(env));
        Path root = repositoryRoot();
        if (root != null) tried.add(root.resolve("../shared").normalize());
        tried.add(Path.of("/work/shared"));
        for (Path p : tried) if (Files.isDirectory(p.resolve("packetdrill/gtests/net"))) return p.toAbsolutePath();
        String why = "no shared packetdrill tree (packetdrill/gtests/net) in any of " + tried
                + ": set -Dtcpsim.shared=DIR or TCPSIM_SHARED";
        if ("true".equals(System.getenv("CI"))) Assertions.fail(why);
        Assumptions.abort(why);
        throw new AssertionError(why);
    }

    /** gtests/net of the shared packetdrill tree. */
    public static Path scripts() {
        return locate().resolve("packetdrill/gtests/net");
    }

    /** Every .pkt file under the shared packetdrill tree, sorted by path. */
    public static List<Path> allScripts() throws java.io.IOException {
        Path base = locate().resolve("packetdrill");
        try (Stream<Path> s = Files.walk(base)) {
            return s.filter(p -> p.toString().endsWith(".pkt") && Files.isRegularFile(p)).sorted().toList();
        }
    }

    /**
     * The command line run_all.py gives a script: its IPv6 variant for the files named *v6.pkt (which it never runs
     * over IPv4), the IPv4 one ({@link PktSnippets#ARGS}) for all others.
     */
    public static List<String> runAllArguments(Path script) {
        if (!script.getFileName().toString().endsWith("v6.pkt")) return PktSnippets.ARGS;
        return List.of("--send_omit_free", "--ip_version=ipv6", "--mtu=1520", "--local_ip=fd3d:0a0b:17d6::1",
                "--gateway_ip=fd3d:0a0b:17d6:8888::1", "--remote_ip=fd3d:fa7b:d17d::1",
                "-D", "TFO_COOKIE=c1d1e9742a47a9bc", "-D", "CMSG_LEVEL_IP=SOL_IPV6", "-D", "CMSG_TYPE_RECVERR=IPV6_RECVERR");
    }

    private static Path repositoryRoot() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("simulator"))) return p;
        }
        return null;
    }
}
