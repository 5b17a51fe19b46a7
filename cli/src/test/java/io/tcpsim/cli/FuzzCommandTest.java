package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.model.Model;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** tcpsim fuzz: tries on the model, the rate, exit 0; bad usage exit 2. */
class FuzzCommandTest {

    private static MainTest.Outcome run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new Main.Env(new PrintWriter(out), new PrintWriter(err),
                new BufferedReader(new StringReader("")), false, Model::new));
        return new MainTest.Outcome(code, out.toString(), err.toString());
    }

    @Test
    void modelTriesReportTheRate() {
        MainTest.Outcome o = run("fuzz", "--tries", "200", "--seed", "3");
        assertEquals(0, o.code(), o.out() + o.err());
        assertTrue(o.out().startsWith("# tcpsim fuzz --tries 200 --seed 3\n"), o.out());
        assertTrue(o.out().matches("(?s).*\n200 tries in [0-9.]+ s: [0-9.]+ tries/s, no failure\n"), o.out());
    }

    @Test
    void twoHostTriesOnTheModel() {
        MainTest.Outcome o = run("fuzz", "--tries", "100", "--two-hosts", "--seed", "3");
        assertEquals(0, o.code(), o.out() + o.err());
        assertTrue(o.out().startsWith("# tcpsim fuzz --tries 100 --two-hosts --seed 3\n"), o.out());
        assertTrue(o.out().matches("(?s).*\n100 tries( \\([0-9]+ refused by the model\\))? in [0-9.]+ s: [0-9.]+ tries/s, "
                + "no failure\n"), o.out());
    }

    @Test
    void triesMustBePositive() {
        assertEquals(new MainTest.Outcome(2, "",
                "tcpsim: --tries must be at least 1, got 0 (see tcpsim fuzz --help)\n"), run("fuzz", "--tries", "0", "--seed", "1"));
    }
}
