package io.tcpsim.cli;

import io.tcpsim.backend.Backend;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tcpsim}: the command line. Exit codes: 0 every expectation held, 1 one failed, 2 a bad script, bad usage or
 * an unreadable file (one line on stderr), 3 a bug in tcpsim (one line on stderr, never a stack trace).
 */
@Command(name = "tcpsim", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A packet-level TCP simulator: both loopback endpoints as Linux 6 runs them.",
        subcommands = {RunCommand.class, StepCommand.class, CaptureCommand.class, CheckCommand.class, ReplayCommand.class, FuzzCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    public static final int OK = 0, FAILED = 1, BAD_INPUT = 2, INTERNAL = 3;

    /** What the commands need from outside, so that tests can replace the terminal and the backend. */
    record Env(PrintWriter out, PrintWriter err, BufferedReader in, boolean terminal,
               BiFunction<Profile, Long, Backend> backend, Supplier<Backend> kernel) {
        /** The real kernel behind capture and check; it throws KernelUnavailableException when it cannot run. */
        Env(PrintWriter out, PrintWriter err, BufferedReader in, boolean terminal, BiFunction<Profile, Long, Backend> backend) {
            this(out, err, in, terminal, backend, KernelBackend::new);
        }
    }

    private final Env env;

    Main(Env env) {
        this.env = env;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public Integer call() {
        env.err().println("tcpsim: a command is missing; commands: run, step, capture, check, replay, fuzz, help (see tcpsim --help)");
        return BAD_INPUT;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int code = run(args, new Env(out, err, in, System.console() != null, Model::new));
        out.flush();
        err.flush();
        System.exit(code);
    }

    static int run(String[] args, Env e) {
        // Commands get the environment through their constructors: no global state (tests run several at once).
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                try {
                    return cls.getDeclaredConstructor(Env.class).newInstance(e);
                } catch (NoSuchMethodException noEnv) {
                    return CommandLine.defaultFactory().create(cls);
                }
            }
        };
        CommandLine cl = new CommandLine(new Main(e), factory);
        cl.setOut(e.out());
        cl.setErr(e.err());
        cl.setParameterExceptionHandler((ex, a) -> {
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
            e.err().println("tcpsim: " + msg + " (see tcpsim --help)");
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            e.err().println("tcpsim: internal error: " + oneLine(ex));
            return INTERNAL;
        });
        int code = cl.execute(args);
        e.out().flush();
        e.err().flush();
        return code;
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage();
        String s = t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

}
