package io.tcpsim.cli;

import io.tcpsim.script.CText;

import io.tcpsim.output.OutputFile;
import io.tcpsim.picture.Ladder;
import io.tcpsim.picture.LadderHtml;
import io.tcpsim.picture.LadderSvg;
import io.tcpsim.script.CText;
import io.tcpsim.script.Script;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options more than one command takes, each written once as a picocli mixin ({@code @Mixin}): the script
 * argument, {@code --seed}, {@code --json} and the pictures ({@code --svg}, {@code --html}). {@code --help} comes
 * from the top command ({@code scope = INHERIT}).
 */
final class Options {
    private Options() {}

    /** SCRIPT: the positional argument of run, step, capture and check. */
    static final class ScriptArg {
        @Parameters(paramLabel = "SCRIPT", description = "The script (YAML, JSON when its name ends in .json, or a packetdrill script when it ends in .pkt).")
        Path file;

        /** The script, or null after one line on {@code err} (the caller exits 2). */
        Script load(PrintWriter err) {
            return ScriptFile.loadOrSay(file, err);
        }

        @Override
        public String toString() {
            return file.toString();
        }
    }

    /** {@code --seed N} of run, step, capture and check. */
    static final class Seed {
        @Option(names = "--seed", paramLabel = "N",
                description = "The model's seed (default: the script's seed:, else a random one; printed in the header).")
        Long value;

        /** --seed, else the script's seed:, else a fresh one. */
        long of(Script script) {
            return ScriptFile.seed(value, script);
        }
    }

    /** {@code --json} of run, capture, check and replay. */
    static final class Json {
        @Option(names = "--json", description = "Print JSON objects, one per line, instead of text.")
        boolean on;
    }

    /** {@code --svg FILE} and {@code --html FILE} of run, check and replay (docs/pictures.md). */
    static final class Pictures {
        @Option(names = "--svg", paramLabel = "FILE",
                description = "Also draw the ladder diagram in FILE (SVG); '-' is the standard output.")
        Path svg;

        @Option(names = "--html", paramLabel = "FILE",
                description = "Also write the ladder diagram as an HTML page that shows each mark's details on hover.")
        Path html;

        boolean any() {
            return svg != null || html != null;
        }

        Named[] named() {
            return new Named[] {new Named("--svg", svg), new Named("--html", html)};
        }

        /** Writes the pictures that were asked for (the ladder is made once); false after one line on stderr. */
        boolean write(Supplier<Ladder> ladder, Main.Env env) {
            if (!any()) return true;
            Ladder l;
            try {
                l = ladder.get();
            } catch (io.tcpsim.picture.TooLarge e) {
                env.err().println("tcpsim: cannot draw " + CText.printable((svg != null ? svg : html).toString()) + ": " + e.getMessage());
                return false;
            }
            return write(() -> LadderSvg.render(l), () -> LadderHtml.render(l), env);
        }

        /** The same with the texts given, for pictures that are not one {@link Ladder}. */
        boolean write(Supplier<String> svgText, Supplier<String> htmlText, Main.Env env) {
            return Outputs.text(svg, svgText, env) && Outputs.text(html, htmlText, env);
        }
    }

    /** The files a command writes, checked together before anything runs. */
    static final class Outputs {
        private Outputs() {}

        /** Why these output options cannot be used together (one line for stderr), or null when they can. */
        static String problem(Named... files) {
            List<String> dashes = new ArrayList<>();
            for (Named f : files) {
                if (f.path() == null) continue;
                if (f.path().toString().isEmpty()) return "tcpsim: " + f.option() + " needs a file name, got an empty one";
                if (OutputFile.isStdout(f.path())) dashes.add(f.option());
            }
            if (dashes.size() > 1)
                return "tcpsim: only one output can be '-' (the standard output), got " + String.join(" and ", dashes);
            return null;
        }

        /** True when one of the files is {@code -}: its bytes then take the place of the text output. */
        static boolean toStdout(Named... files) {
            for (Named f : files) if (f.path() != null && OutputFile.isStdout(f.path())) return true;
            return false;
        }

        /** Writes a text file (a picture) through {@link OutputFile}; false after one line on stderr. */
        static boolean text(Path target, Supplier<String> text, Main.Env env) {
            if (target == null) return true;
            return bytes(target, out -> out.write(text.get().getBytes(StandardCharsets.UTF_8)), env);
        }

        /** Writes a file through {@link OutputFile}; false after {@code tcpsim: cannot write FILE: REASON}. */
        static boolean bytes(Path target, OutputFile.Body body, Main.Env env) {
            try {
                OutputFile.write(target, env.stdout(), body);
                return true;
            } catch (OutputFile.Failure f) {
                env.err().println("tcpsim: " + f.getMessage());
                return false;
            }
        }
    }

    /** An output option and its value (null when not given), for {@link Outputs}. */
    record Named(String option, Path path) {}
}
