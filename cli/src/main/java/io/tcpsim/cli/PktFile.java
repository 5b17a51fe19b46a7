package io.tcpsim.cli;

import io.tcpsim.backend.Inspectable;
import io.tcpsim.output.OutputFile;
import io.tcpsim.packetdrill.PktException;
import io.tcpsim.packetdrill.PktParser;
import io.tcpsim.packetdrill.PktScript;
import io.tcpsim.pktrun.NotModelled;
import io.tcpsim.pktrun.PktRun;
import io.tcpsim.pktrun.PktVerdict;
import io.tcpsim.run.TextOutput;
import io.tcpsim.script.CText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code tcpsim run FILE.pkt} and {@code tcpsim step FILE.pkt}: a packetdrill script one-sided on the model
 * (docs/packetdrill.md). The trace is the usual one (calls with their results, packets as tcpdump prints them,
 * marked {@code <} for the script's and {@code >} for the model's); a failure is printed as packetdrill prints it,
 * with both packets, and exits 1; what the model does not model is refused in one line, exit 2.
 */
final class PktFile {
    private PktFile() {}

    static boolean is(Path file) {
        return file.getFileName() != null && file.getFileName().toString().endsWith(".pkt");
    }

    /** The script read, or null after one line on {@code err}. */
    static PktScript load(Path path, PrintWriter err) {
        String name = path.toString();
        String shown = CText.printable(name);
        String text;
        try {
            if (Files.isDirectory(path)) {
                err.println("tcpsim: " + shown + ": is a directory, not a script");
                return null;
            }
            byte[] bytes = InputFile.read(path, ScriptFile.MAX_BYTES);
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            err.println("tcpsim: " + shown + ": not UTF-8 text");
            return null;
        } catch (InputFile.TooLarge | InputFile.NoWriter e) {
            err.println("tcpsim: " + shown + ": " + e.getMessage());
            return null;
        } catch (IOException e) {
            err.println("tcpsim: cannot read " + shown + ": " + OutputFile.reason(e));
            return null;
        }
        try {
            return PktParser.parse(name, text);
        } catch (PktException e) {
            err.println("tcpsim: " + e.getMessage());
            return null;
        }
    }

    /**
     * Runs the script; {@code step} prints a heading before each event's lines and the endpoints after them.
     * Returns the exit code.
     */
    static int run(String command, Path file, boolean dryRun, boolean step, PrintWriter out, PrintWriter err) {
        PktScript s = load(file, err);
        if (s == null) return Main.BAD_INPUT;
        String shown = CText.printable(file.toString());
        try {
            if (dryRun) {
                PktRun.check(s);
                out.println("# tcpsim " + command + " " + shown + " --dry-run: " + s.events().size() + " events: ok");
                return Main.OK;
            }
            int total = s.events().size();
            StringBuilder text = new StringBuilder();
            PktRun.Outcome o = PktRun.run(s, done -> {
                if (!step) return;
                text.append("## event ").append(done.index() + 1).append('/').append(total).append(" (").append(shown)
                        .append(':').append(done.line()).append(")\n");
                for (String l : done.lines()) text.append(l).append('\n');
                endpoints(done.host(), text, s);
            });
            out.println("# tcpsim " + command + " " + shown + " (packetdrill, one-sided: the model is the local host)");
            if (step) out.print(text);
            else for (String l : o.lines()) out.println(l);
            PktVerdict v = o.verdict();
            if (v.passed()) {
                out.println("# " + shown + ": pass");
                out.flush();
                return Main.OK;
            }
            out.println(v.text(shown));
            for (String d : v.dumps()) out.println(d);
            out.flush();
            return Main.FAILED;
        } catch (NotModelled e) {
            err.println("tcpsim: " + e.getMessage());
            return Main.BAD_INPUT;
        }
    }

    /** The endpoints as {@code tcpsim step} shows them, with packetdrill's addresses for the model's two. */
    private static void endpoints(Inspectable host, StringBuilder out, PktScript s) {
        String local = s.config().localIp() == null ? "192.168.0.1" : s.config().localIp();
        String remote = s.config().remoteIp() == null ? "192.0.2.1" : s.config().remoteIp();
        List<Inspectable.EndpointSnapshot> eps = host.endpoints();
        if (eps.isEmpty()) {
            out.append("  (no TCP endpoint)\n");
            return;
        }
        for (Inspectable.EndpointSnapshot e : eps) {
            for (String l : TextOutput.endpoint(e))
                out.append(l.replace("192.168.0.1:", local + ":").replace("192.0.2.1:", remote + ":")).append('\n');
        }
    }
}
