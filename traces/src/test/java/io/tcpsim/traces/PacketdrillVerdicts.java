package io.tcpsim.traces;

import io.tcpsim.packetdrill.SharedTree;
import io.tcpsim.pktrun.ModelVerdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's recorded verdicts (traces/packetdrill/kernel-verdicts.tsv) and the model's on every published script,
 * side by side: what PacketdrillVerdictsTest pins, the table docs/packetdrill.md shows, and the list of scripts the
 * kernel test and the benchmark run.
 */
final class PacketdrillVerdicts {
    private PacketdrillVerdicts() {}

    /** One row of the kernel's table: path under gtests/net, verdict, line (0: none), error, seconds, runs. */
    record Kernel(String path, String verdict, int line, String error, String seconds, String runs) {
        boolean stable() {
            return java.util.Arrays.stream(runs.split(",")).distinct().count() == 1;
        }
    }

    /** Both verdicts of one script, and whether they agree. */
    record Row(Kernel kernel, ModelVerdict model) {
        boolean agrees() {
            return kernel.stable() && model.agrees(kernel.verdict(), kernel.line(), kernel.error());
        }
    }

    static Path table() {
        Path p = Path.of("packetdrill/kernel-verdicts.tsv");
        return Files.isRegularFile(p) ? p : Path.of("traces/packetdrill/kernel-verdicts.tsv");
    }

    static Map<String, Kernel> kernel() throws IOException {
        Map<String, Kernel> m = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(table());
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split("\t", -1);
            m.put(f[0], new Kernel(f[0], f[1], f[2].isEmpty() ? 0 : Integer.parseInt(f[2]), f[3], f[4], f[5]));
        }
        return m;
    }

    /** Every script of the kernel's table, run on the model with run_all.py's command line. */
    static Map<String, Row> all() throws IOException {
        Path net = SharedTree.scripts();
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Kernel k : kernel().values()) {
            Path p = net.resolve(k.path());
            String file = p.getFileName().toString();
            rows.put(k.path(), new Row(k, ModelVerdict.of(file, Files.readString(p), SharedTree.runAllArguments(p))));
        }
        return rows;
    }
}
