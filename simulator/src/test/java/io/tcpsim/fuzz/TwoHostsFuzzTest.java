package io.tcpsim.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptParser;
import io.tcpsim.script.Step;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The generator on two hosts joined by a link (issue 12: the fuzzer learns the link), on the model. */
class TwoHostsFuzzTest {
    @Test
    void aTwoHostProgramIsAScriptWithHostsALinkAndLinkSteps() throws Exception {
        Program p = new Program(7, 8, List.of(new Op.Connect(0, false), new Op.Accept(),
                new Op.Link(Op.LinkKind.DROP, Op.Side.CLIENT, "data", 1), new Op.Send(0, Op.Side.CLIENT, 10, 0),
                new Op.Link(Op.LinkKind.DOWN, Op.Side.SERVER, null, 0), new Op.Link(Op.LinkKind.UP, Op.Side.SERVER, null, 0)),
                new Program.Net(5000));
        String text = ScriptBuilder.text(p, "t", Bounds.KERNEL);
        assertTrue(text.contains("hosts:\n  client: 10.0.1.1\n  server: 10.0.1.2\nlink:\n  delay: 5000us\n"
                + "sysctl:\n  net.ipv4.tcp_syn_retries: 1\n"), text);
        assertTrue(text.contains("  - client: connect(c0, 10.0.1.2:4321)\n"), text);
        // Each step after the listener's set-up is followed by two link delays and 20 ms of quiet.
        assertTrue(text.contains("  - link drop 1 client>server data\n  - sleep 30000us\n  - client: send(c0, 10)\n"
                + "  - sleep 30000us\n  - link down\n  - sleep 30000us\n  - link up\n  - sleep 30000us\n"), text);
        Script s = ScriptParser.parse("t.yaml", text);
        // and a closing link up before the tail of 1 s
        assertTrue(text.endsWith("  - link up\n  - sleep 1000000us\n"), text);
        assertEquals(4, s.steps().stream().filter(st -> st instanceof Step.Link).count());
    }

    @Test
    void onLoopbackALinkStepIsLeftOut() {
        Program p = new Program(7, 8, List.of(new Op.Link(Op.LinkKind.DOWN, Op.Side.CLIENT, null, 0)));
        assertTrue(!ScriptBuilder.text(p, "t", Bounds.KERNEL).contains("link"));
    }

    @Test
    void generatedTwoHostProgramsNeverThrowAreDeterministicOrAreRefused() {
        Fuzzer.Report r = Fuzzer.run(400, 20261204L, Bounds.MODEL, Fuzzer.model(new Coverage()), "two-hosts", true);
        assertNull(r.failure(), () -> r.failure().outcome().describe() + "\n" + r.failure().script());
        // The generator must mostly make what the model runs, or the differential run learns nothing.
        assertTrue(r.refused() < r.tries() / 2, r.refused() + " of " + r.tries() + " refused");
        SplittableRandom rnd = new SplittableRandom(1);
        OpGenerator g = new OpGenerator(Bounds.MODEL);
        int withLink = 0;
        for (int i = 0; i < 100; i++) {
            Program p = g.next(rnd, true);
            if (ScriptBuilder.text(p, "t", Bounds.MODEL).contains("\n  - link ")) withLink++;
        }
        assertTrue(withLink > 50, withLink + " of 100 programs have a link step");
    }
}
