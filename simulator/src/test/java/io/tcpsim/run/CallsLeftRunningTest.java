package io.tcpsim.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Calls left running ({@code call(...) ...}) on the model: the call waits in its process while later steps of
 * other processes run, returns at the event that wakes it, and its line and expectation come at that moment.
 */
class CallsLeftRunningTest {
    static List<String> calls(Script s, RunLog log) {
        return RunnerTest.text(s, log).stream().filter(l -> l.contains("] ")).toList();
    }

    @Test
    void anAcceptLeftRunningReturnsWhenALaterConnectCompletesTheHandshake() throws ScriptException {
        Script s = RunnerTest.script("server: a = socket()", "server: bind(a, 127.0.0.1:4321) = 0",
                "server: listen(a, 8) = 0", "server: s = accept(a) ... = 4", "c = socket()",
                "connect(c, 127.0.0.1:4321) = 0", "server: close(s) = 0");
        RunLog log = Runner.run(s, new Model(Profile.linux6(), 1));
        assertTrue(log.ok());
        assertEquals(List.of(
                "00:00:00.000000 [server] a = socket() = 3",
                "00:00:00.000000 [server] bind(a, 127.0.0.1:4321) = 0",
                "00:00:00.000000 [server] listen(a, 8) = 0",
                "00:00:00.000000 [server] s = accept(a) ...",
                "00:00:00.000000 [main] c = socket() = 3",
                "00:00:00.000000 [main] connect(c, 127.0.0.1:4321) = 0",
                // the third ACK arrives 20 us after the SYN; the child is queued and the accept returns then
                "00:00:00.000030 [server] ... s = accept(a) = 4",
                "00:00:00.000030 [server] close(s) = 0"), calls(s, log));
    }

    @Test
    void theExpectationOfACallLeftRunningIsCheckedWhenItReturns() throws ScriptException {
        Script s = RunnerTest.script("server: a = socket()", "server: bind(a, 127.0.0.1:4321) = 0",
                "server: listen(a, 8) = 0", "c = socket()", "connect(c, 127.0.0.1:4321) = 0",
                "server: s = accept(a) = 4", "server: recv(s, 10) ... = 2 \"no\"", "send(c, \"yes\") = 3");
        RunLog log = Runner.run(s, new Model(Profile.linux6(), 1));
        List<String> text = RunnerTest.text(s, log);
        int at = text.indexOf("00:00:00.000040 [server] ... recv(s, 10) = 3 \"yes\"");
        assertTrue(at > 0, () -> String.join("\n", text));
        assertEquals("    ^ expected: 2 \"no\" (t.yaml:9)", text.get(at + 1));
    }

    @Test
    void aCallNothingWakesBlocksForeverAtTheEndAndTheProcessesNextStepWaitsForIt() throws ScriptException {
        Script s = RunnerTest.script("server: a = socket()", "server: bind(a, 127.0.0.1:4321) = 0",
                "server: listen(a, 8) = 0", "server: accept(a) ...", "c = socket() = 3", "server: close(a) = 0");
        RunLog log = Runner.run(s, new Model(Profile.linux6(), 1));
        List<String> lines = calls(s, log);
        assertEquals("00:00:00.000000 [main] c = socket() = 3", lines.get(4));
        assertEquals("00:00:00.000000 [server] ... accept(a) = blocks forever: nothing left in the simulation can wake it",
                lines.get(5));
        assertTrue(lines.get(6).contains("[server] close(a) = not reached (blocked for ever at line 6)"), lines.get(6));
    }
}
