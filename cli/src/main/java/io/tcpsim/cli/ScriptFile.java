package io.tcpsim.cli;

import io.tcpsim.output.OutputFile;
import io.tcpsim.script.CText;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptException;
import io.tcpsim.script.ScriptParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Reading and parsing the script a command names; every failure is one line for stderr. */
final class ScriptFile {
    private ScriptFile() {}

    /** A failure to report as {@code tcpsim: MESSAGE} with exit code 2. */
    static final class Unusable extends Exception {
        Unusable(String message) {
            super(message);
        }
    }

    /**
     * The largest script read, in bytes (docs/limits.md): the parser keeps a few copies of the text and the
     * offsets of its characters, and a 1 MiB script (some 43,000 steps) runs in about 4 s in a 256 MB heap.
     */
    static final int MAX_BYTES = 1 << 20;

    static Script load(Path path) throws Unusable {
        String name = path.toString();
        if (name.isEmpty()) throw new Unusable("the script's file name is empty");
        String shown = CText.printable(name);
        String text;
        try {
            if (Files.isDirectory(path)) throw new Unusable(shown + ": is a directory, not a script");
            byte[] bytes = InputFile.read(path, MAX_BYTES);
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Unusable(shown + ": not UTF-8 text");
        } catch (InputFile.TooLarge | InputFile.NoWriter e) {
            throw new Unusable(shown + ": " + e.getMessage());
        } catch (IOException e) {
            throw new Unusable("cannot read " + shown + ": " + OutputFile.reason(e));
        }
        try {
            return ScriptParser.parse(name, text);
        } catch (ScriptException e) {
            throw new Unusable(e.getMessage());
        }
    }

    /** --seed, else the script's seed:, else a fresh one (printed, so that the run can be repeated). */
    static long seed(Long option, Script script) {
        if (option != null) return option;
        if (script.seed() != null) return script.seed();
        return ThreadLocalRandom.current().nextLong(1, 1L << 31);
    }

    /** The script, or null after saying on {@code err}, in one line, why it cannot be used (the caller exits 2). */
    static Script loadOrSay(Path file, PrintWriter err) {
        try {
            return load(file);
        } catch (Unusable e) {
            err.println("tcpsim: " + e.getMessage());
            return null;
        }
    }
}
