package io.tcpsim.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Property-based tests of the state machine (issue 6): generated scripts of two processes, one listener and up to
 * three connections run on the model, and after every step the {@link Invariants} hold; a second run with the same
 * seed gives the identical log. A failure shrinks (jqwik deletes actions) to a minimal script, printed ready to save
 * under traces/scenarios/regressions/.
 *
 * <p>The (state x event) pairs the runs reach are written to target/transition-coverage.md at the end
 * (docs/model.md, "Transition coverage").
 */
class StateMachineProperties {
    /** CI's bound: at least 10,000 model-only tries per run. */
    static final int TRIES = 10_000;

    static final Coverage COVERAGE = new Coverage();
    static final AtomicLong RUNS = new AtomicLong();

    @Provide
    Arbitrary<Program> programs() {
        return OpArbitraries.programs(Bounds.MODEL);
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.FULL)
    void invariantsHoldAfterEveryStep(@ForAll("programs") Program p) {
        RUNS.incrementAndGet();
        String text = ScriptBuilder.text(p, "regression", Bounds.MODEL);
        Trial.Outcome o = Trial.run(text, COVERAGE, true);
        if (!o.ok()) {
            throw new AssertionError(o.describe() + "\n\nSave under traces/scenarios/regressions/:\n" + text);
        }
    }

    /**
     * CLOSING -> TIME_WAIT, which random scripts reach about once in 10,000 tries: the client's FIN waits behind
     * data the server's full window holds back, the server closes its side, then reads; the FINs have crossed.
     */
    @Example
    void simultaneousCloseBehindAFullWindow() {
        List<Op> ops = new ArrayList<>(List.of(new Op.Connect(0, false), new Op.Accept(),
                new Op.Send(0, Op.Side.CLIENT, 1_000_000, ScriptBuilder.FLAG_DONTWAIT),
                new Op.Shutdown(0, Op.Side.CLIENT, 1), new Op.Shutdown(0, Op.Side.SERVER, 1)));
        for (int i = 0; i < 16; i++) ops.add(new Op.Recv(0, Op.Side.SERVER, 1 << 20, false));
        ops.add(new Op.Sleep(1_000_000));
        int before = COVERAGE.causes("CLOSING", "TIME_WAIT").size();
        invariantsHoldAfterEveryStep(new Program(1, 8, ops));
        assertTrue(COVERAGE.causes("CLOSING", "TIME_WAIT").size() > before || before > 0);
    }

    @AfterContainer
    static void writeCoverage() throws IOException {
        Path out = Path.of("target", "transition-coverage.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, COVERAGE.markdown(RUNS.get(), Gaps.EXPLAINED));
    }
}
