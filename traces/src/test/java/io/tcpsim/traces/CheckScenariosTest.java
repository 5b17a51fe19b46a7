package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.check.Check;
import io.tcpsim.check.Verdict;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.model.Model;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every scenario under scenarios/check, and the example, agrees with the real kernel on several runs in a row (the
 * CLI's --runs 20 is the longer proof; see docs/cross-check.md). Needs root and libpcap: fails, never skips.
 */
class CheckScenariosTest {
    static final int RUNS = 3;

    static Stream<Path> scenarios() throws Exception {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("scenarios/check"))) {
            s.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(all::add);
        }
        all.add(Path.of("../examples/close-then-send.yaml"));
        assertTrue(all.size() >= 7, "scenarios missing: " + all);
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void agreesWithTheKernel(Path file) throws Exception {
        Script script = ScriptParser.parse(file.getFileName().toString(), Files.readString(file));
        RunLog model = Runner.run(script, new Model(script.profile(), 1));
        assertTrue(model.ok(), file + ": the model's run fails its own expectations");
        for (int run = 1; run <= RUNS; run++) {
            RunLog kernel = Runner.run(script, new KernelBackend());
            assertTrue(kernel.ok(), file + ": the kernel's run fails the expectations");
            Verdict v = Check.compare(model, kernel);
            int n = run;
            assertEquals(List.of(), v.report(), () -> file + " run " + n + ":\n" + String.join("\n", v.report()));
        }
    }
}
