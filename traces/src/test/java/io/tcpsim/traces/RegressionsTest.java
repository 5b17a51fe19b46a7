package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.fuzz.Differential;
import io.tcpsim.fuzz.Trial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * traces/scenarios/regressions: scripts where the model and Linux disagreed (found by tcpsim fuzz --kernel), each
 * run on both. A fixed regression must agree. One still listed in {@link #OPEN} is a known model bug: it must still
 * disagree, so that the fix is noticed and the scenario leaves the list (and gets its expected output).
 */
class RegressionsTest {
    /** Open model bugs, by file name (docs/model.md, "Transition coverage" lists them). */
    static final Set<String> OPEN = Set.of();

    @TestFactory
    Stream<DynamicTest> modelAndKernelAgreeOnEveryRegression() {
        return Scenarios.regressions().stream().map(p -> DynamicTest.dynamicTest(Scenarios.display(p), () -> {
            Trial.Outcome o = new Differential().test(Files.readString(p, StandardCharsets.UTF_8));
            String name = p.getFileName().toString();
            if (OPEN.contains(name)) {
                assertFalse(o.ok(), name + ": the model now agrees with the kernel; remove it from RegressionsTest.OPEN");
            } else {
                assertTrue(o.ok(), () -> name + ": " + o.describe());
            }
        }));
    }

}
