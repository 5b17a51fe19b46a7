package io.tcpsim.cli;

import io.tcpsim.backend.Backend;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.kernel.KernelUnavailableException;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import io.tcpsim.output.OutputFile;
import io.tcpsim.script.CText;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tcpsim}: the command line. Exit codes: 0 every expectation held, 1 one failed, 2 a bad script, bad usage, an
 * unreadable input or an output that cannot be written (one line on stderr), 3 a bug in tcpsim or no memory left
 * (one line on stderr, never a stack trace). {@code --help} and {@code --version} work on every command.
 */
@Command(name = "tcpsim", mixinStandardHelpOptions = true, versionProvider = Version.class,
        scope = CommandLine.ScopeType.INHERIT,
        description = "A packet-level TCP simulator: both loopback endpoints as Linux 6 runs them.")
public final class Main implements Callable<Integer> {
    public static final int OK = 0, FAILED = 1, BAD_INPUT = 2, INTERNAL = 3;

    /** The commands, in the order {@code tcpsim --help} lists them. */
    static final List<Class<?>> COMMANDS = List.of(RunCommand.class, StepCommand.class, CaptureCommand.class,
            CheckCommand.class, ReplayCommand.class, FuzzCommand.class, CommandLine.HelpCommand.class);

    /**
     * What the commands need from outside, so that tests can replace the terminal and the backend. {@code stdout} is
     * the standard output as bytes, for an output file named {@code -}; the text goes to {@code out}.
     */
    record Env(PrintWriter out, PrintWriter err, BufferedReader in, boolean terminal,
               BiFunction<Profile, Long, Backend> backend, Supplier<Backend> kernel, OutputStream stdout,
               Supplier<Backend> network) {
        /** The real two-host kernel behind capture and check of a script with {@code hosts:}. */
        Env(PrintWriter out, PrintWriter err, BufferedReader in, boolean terminal,
            BiFunction<Profile, Long, Backend> backend, Supplier<Backend> kernel, OutputStream stdout) {
            this(out, err, in, terminal, backend, kernel, stdout, Env::realNetwork);
        }

        /** Bytes for {@code -} go into {@code out}, one char per byte (ISO-8859-1), so that a test can read them back. */
        Env(PrintWriter out, PrintWriter err, BufferedReader in, boolean terminal,
            BiFunction<Profile, Long, Backend> backend, Supplier<Backend> kernel) {
            this(out, err, in, terminal, backend, kernel, new OutputStream() {
                @Override
                public void write(int b) {
                    out.write(b & 0xff);
                }
            });
        }

        /** The real kernel behind capture and check; it throws KernelUnavailableException when it cannot run. */
        Env(PrintWriter out, PrintWriter err, BufferedReader in, boolean terminal, BiFunction<Profile, Long, Backend> backend) {
            this(out, err, in, terminal, backend, Env::realKernel);
        }

        /**
         * The real kernel, named through a method and not {@code KernelBackend::new}: a constructor reference is
         * resolved when the Env is made, which loads KernelBackend and, to verify it, JNA's classes, in every
         * command; the kernel is for capture and check only.
         */
        static Backend realKernel() {
            return new KernelBackend();
        }

        /** Two hosts on a link (docs/kernel-backend.md, "The kernel backend on two hosts"), built by prepare. */
        static Backend realNetwork() {
            return new io.tcpsim.kernel.NetworkBackend();
        }

        /** {@link #kernelOrSay(String)} for this script: on two hosts when it has {@code hosts:}, else on loopback. */
        Backend kernelOrSay(String command, io.tcpsim.script.Script script) {
            if (script.topology() == null) return kernelOrSay(command);
            try {
                return network.get();
            } catch (KernelUnavailableException e) {
                out.flush();
                err.println("tcpsim: " + command + " " + e.getMessage());
                return null;
            }
        }

        /**
         * A kernel backend, or null after one line on stderr that names the command and what it needs
         * ({@code tcpsim: check needs root or ...}); the caller exits 2.
         */
        Backend kernelOrSay(String command) {
            try {
                return kernel.get();
            } catch (KernelUnavailableException e) {
                out.flush();
                err.println("tcpsim: " + command + " " + e.getMessage());
                return null;
            }
        }
    }

    private final Env env;

    Main(Env env) {
        this.env = env;
    }

    public Integer call() {
        env.err().println("tcpsim: a command is missing; commands: run, step, capture, check, replay, fuzz, help (see tcpsim --help)");
        return BAD_INPUT;
    }

    public static void main(String[] args) {
        // The standard output as the file descriptor itself: System.out would swallow a write error (a full disk, a
        // closed pipe), and the text and the bytes of '-' must both say when they could not be written.
        Stdout stdout = new Stdout(new FileOutputStream(FileDescriptor.out));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int code = run(args, new Env(out, err, in, System.console() != null, Model::new, Env::realKernel, stdout));
        out.flush();
        if (stdout.failure != null && code != INTERNAL) {
            err.println("tcpsim: cannot write the standard output: " + OutputFile.reason(stdout.failure));
            code = BAD_INPUT;
        }
        err.flush();
        System.exit(code);
    }

    /** The standard output, keeping the first write error (PrintWriter only says that there was one). */
    private static final class Stdout extends FilterOutputStream {
        IOException failure;

        Stdout(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                if (failure == null) failure = e;
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
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
        for (Class<?> command : commands(args)) cl.addSubcommand(command); // made by the factory above
        cl.setOut(e.out());
        cl.setErr(e.err());
        cl.setParameterExceptionHandler((ex, a) -> {
            String msg = ex.getMessage() == null ? "bad usage" : ex.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
            e.err().println("tcpsim: " + CText.printable(msg) + " (see " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> internal(ex, e));
        int code;
        try {
            code = cl.execute(args);
        } catch (Throwable t) { // an Error (out of memory, a stack overflow) passes picocli's handler
            code = internal(t, e);
        }
        e.out().flush();
        e.err().flush();
        return code;
    }

    /**
     * The commands to register: only the one named first when it is one ({@code tcpsim run ...}), else all of them
     * (help, a top-level option, a typo). Picocli reads each registered command's options by reflection at start-up;
     * registering one instead of seven, with the kernel backend no longer loaded, took 30 to 70 ms off {@code tcpsim
     * run} and {@code replay} without the class-data archive (docs/benchmarks.md, "Whole process"). What a command
     * prints, its help and its errors are the same either way.
     */
    static List<Class<?>> commands(String[] args) {
        if (args.length > 0 && !args[0].equals("help"))
            for (Class<?> c : COMMANDS)
                if (c.getAnnotation(Command.class).name().equals(args[0])) return List.of(c);
        return COMMANDS;
    }

    /**
     * A bug, or no memory left: one line and exit 3, never a stack trace or a Java type name. A script a backend
     * refused ({@link io.tcpsim.backend.NotModelled}) is bad input: its line and exit 2.
     */
    static int internal(Throwable t, Env e) {
        e.out().flush();
        if (t instanceof io.tcpsim.backend.NotModelled n) {
            // A backend refused the script before its first step (Backend.prepare): bad input, one line.
            e.err().println("tcpsim: " + CText.printable(n.getMessage()));
            return BAD_INPUT;
        }
        if (t instanceof OutOfMemoryError) {
            e.err().println("tcpsim: out of memory (the Java heap is full; give it more with JAVA_TOOL_OPTIONS=-Xmx...)");
        } else {
            e.err().println("tcpsim: internal error (a bug in tcpsim): " + words(t));
        }
        return INTERNAL;
    }

    /** The message of a Throwable on one line, or, when it has none, its type in words ("array index out of bounds"). */
    static String words(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t.getClass().getSimpleName().replaceAll("(Exception|Error)$", "")
                    .replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
        }
        return CText.printable(m.strip().replaceAll("\\s*\\R\\s*", " "));
    }

}
