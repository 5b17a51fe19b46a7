package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.net.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a two-host network costs to open and to close: 11 in a row in one JVM (the first pays JNA, pcap4j and class
 * loading). Output: results/topology-cost.txt.
 */
public final class TopologyCost {
    public static void main(String[] args) {
        long[] open = new long[11], close = new long[11];
        for (int i = 0; i < 11; i++) {
            long t0 = System.nanoTime();
            Network n = Lab.open(25, Map.of("net.ipv4.tcp_retries2", "4"));
            long t1 = System.nanoTime();
            n.close();
            open[i] = t1 - t0;
            close[i] = System.nanoTime() - t1;
        }
        List<String> out = new ArrayList<>();
        out.add(String.format("first: open %.0f ms, close %.0f ms", open[0] / 1e6, close[0] / 1e6));
        out.add("next 10 open:  " + Lab.percentiles(java.util.Arrays.copyOfRange(open, 1, 11), 1e6, "ms"));
        out.add("next 10 close: " + Lab.percentiles(java.util.Arrays.copyOfRange(close, 1, 11), 1e6, "ms"));
        out.forEach(System.out::println);
        Lab.write("topology-cost.txt", out);
    }
}
