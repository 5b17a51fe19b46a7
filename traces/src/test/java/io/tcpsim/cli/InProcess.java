package io.tcpsim.cli;

import io.tcpsim.backend.Backend;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The command line run inside the test's JVM, as {@code tcpsim ARGS} runs it, with its standard output and error
 * captured (cli's own tests do the same with {@link Main#run}). It lives in cli's package because {@code Main.run}
 * and {@code Main.Env} are the cli's, not a public API.
 */
public final class InProcess {
    private InProcess() {}

    /** What a command printed and returned. */
    public record Outcome(int code, String out, String err) {}

    /** {@code tcpsim ARGS} on the model, and on the real kernel for capture and check. */
    public static Outcome run(String... args) {
        return run(UnaryOperator.identity(), args);
    }

    /**
     * The same, the model wrapped in {@code model} first: a test-only stand-in such as a model with one rule flipped,
     * for the documentation's example of a difference.
     */
    public static Outcome run(UnaryOperator<Backend> model, String... args) {
        return run(model, KernelBackend::new, args);
    }

    /** The same, with a stand-in for the real kernel too (one that says the kernel cannot be used, say). */
    public static Outcome run(UnaryOperator<Backend> model, Supplier<Backend> kernel, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new Main.Env(new PrintWriter(out), new PrintWriter(err),
                new BufferedReader(new StringReader("")), false,
                (Profile profile, Long seed) -> model.apply(new Model(profile, seed)), kernel));
        return new Outcome(code, out.toString(), err.toString());
    }
}
