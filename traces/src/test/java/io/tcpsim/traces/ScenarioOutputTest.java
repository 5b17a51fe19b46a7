package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every scenario under traces/scenarios runs on the model with every expectation met, and prints exactly its
 * expected output in traces/expected (made by the model, {@code traces/update-expected}, and confirmed on the
 * kernel by {@code tcpsim check}).
 */
class ScenarioOutputTest {
    @TestFactory
    Stream<DynamicTest> everyScenarioMatchesItsExpectedOutput() {
        return Scenarios.all().stream().map(p -> DynamicTest.dynamicTest(Scenarios.display(p), () -> {
            Scenarios.Run run = Scenarios.run(p);
            assertTrue(run.log().ok(), () -> "expectations failed:\n" + String.join("\n", run.text()));
            Path expected = Scenarios.expectedFor(p);
            assertTrue(Files.exists(expected), () -> "no expected output " + Scenarios.ROOT.relativize(expected)
                    + "; make it with traces/update-expected and confirm it with tcpsim check");
            List<String> want = Files.readAllLines(expected, StandardCharsets.UTF_8);
            assertEquals(String.join("\n", want), String.join("\n", run.text()));
        }));
    }

    @TestFactory
    Stream<DynamicTest> theSameSeedGivesAByteIdenticalTrace() {
        return Scenarios.all().stream().map(p -> DynamicTest.dynamicTest(Scenarios.display(p), () ->
                assertEquals(Scenarios.run(p).text(), Scenarios.run(p).text())));
    }
}
