package io.tcpsim.kernel.net;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Under CI=true the topology tests always run (a missing tool or privilege is a failure); elsewhere they skip when
 * the process is not root or a tool is missing.
 */
final class Privilege {
    private Privilege() {}

    static void assumeNetworkCanBeBuilt() {
        if ("true".equals(System.getenv("CI"))) return;
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean tools = Files.isExecutable(Path.of("/usr/sbin/ip")) && Files.isExecutable(Path.of("/usr/sbin/ethtool"))
                && Files.isExecutable(Path.of("/usr/bin/nsenter"));
        Assumptions.assumeTrue(root && tools, "the two-host topology needs root, iproute2, ethtool and nsenter");
    }
}
