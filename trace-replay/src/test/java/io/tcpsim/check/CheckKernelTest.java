package io.tcpsim.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.compare.Divergence;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.model.Model;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Check against the real kernel (root and libpcap needed; without them these fail with KernelUnavailableException's
 * one-line message, never skip). The scenario files are checked by the traces module.
 */
class CheckKernelTest {

    static final String CLOSE_THEN_SEND = """
            name: close-then-send
            steps:
              - a = socket()
              - setsockopt(a, SO_REUSEADDR, 1)
              - bind(a, 127.0.0.1:4321)
              - listen(a, 1)
              - c = socket()
              - connect(c, 127.0.0.1:4321) = 0
              - s = accept(a)
              - close(c)
              - netstat
              - send(s, "a", MSG_NOSIGNAL) = 1
              - netstat
              - send(s, "a", MSG_NOSIGNAL)
              - sleep 50ms
            """;

    static Script script(String text) throws io.tcpsim.script.ScriptException {
        return ScriptParser.parse("close-then-send.yaml", text);
    }

    @Test
    void theModelAgreesWithTheKernel() throws Exception {
        Script s = script(CLOSE_THEN_SEND);
        RunLog model = Runner.run(s, new Model(s.profile(), 1));
        Verdict v = Check.compare(model, Runner.run(s, new KernelBackend()));
        assertEquals(List.of(), v.divergences());
        assertEquals(List.of(), v.report());
        assertEquals("7 packets, 10 calls, 2 netstat tables", v.counts());
    }

    @Test
    void aFlippedModelRuleIsFoundAtItsLineWithBothResults() throws Exception {
        Script s = script(CLOSE_THEN_SEND);
        var flipped = new RstInCloseWaitGivesEconnreset(new Model(s.profile(), 1));
        RunLog model = Runner.run(s, flipped);
        assertEquals(1, flipped.rewritten);
        Verdict v = Check.compare(model, Runner.run(s, new KernelBackend()));

        assertFalse(v.agrees());
        assertEquals(List.of("call at line 14 (send(s, \"a\", MSG_NOSIGNAL)) field errno: expected ECONNRESET vs actual EPIPE"),
                v.divergences().stream().map(Divergence::text).toList());
        List<String> report = v.report();
        assertEquals(v.divergences().get(0).text(), report.get(0));
        assertEquals("  model:  00:00:00.020060 [main] send(s, \"a\", MSG_NOSIGNAL) = -1 ECONNRESET (Connection reset by peer)",
                report.get(1));
        assertTrue(report.get(2).startsWith("  kernel: 00:00:0"), report.get(2));
        // A busy host may stretch any kernel call past 1 ms, which then prints <blocked X ms>.
        assertTrue(report.get(2).matches(".* \\[main\\] send\\(s, \"a\", MSG_NOSIGNAL\\) = -1 EPIPE \\(Broken pipe\\)"
                + "( <blocked [0-9.]+ ms>)?"), report.get(2));
        List<String> marked = report.stream().filter(l -> l.startsWith(">>> ")).toList();
        assertEquals(1, marked.size(), String.join("\n", report));
        assertTrue(marked.get(0).matches(">>> 00:00:00\\.020060 \\[main\\] send\\(s, \"a\", MSG_NOSIGNAL\\) = -1 ECONNRESET "
                + "\\(Connection reset by peer\\) +\\| 00:00:0\\d\\.\\d{6} \\[main\\] send\\(s, \"a\", MSG_NOSIGNAL\\) = -1 EPIPE "
                + "\\(Broken pipe\\)( <blocked [0-9.]+ ms>)?"), marked.get(0));
    }
}
