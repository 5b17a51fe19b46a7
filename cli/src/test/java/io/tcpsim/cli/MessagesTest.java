package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tcpsim.kernel.KernelUnavailableException;
import io.tcpsim.model.Model;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 19, items 18 and 19: what a user reads when something is wrong is one line in the user's words: no Java
 * class name, no SnakeYAML event, no "JSON syntax" for a YAML file, no raw control character, the right command
 * named, and nothing on stdout. Each input below is the one that leaked before.
 */
class MessagesTest {
    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {}

    static Outcome run(String... args) {
        return run(() -> {
            throw new KernelUnavailableException(KernelUnavailableException.NEEDS_PRIVILEGE);
        }, args);
    }

    static Outcome run(java.util.function.Supplier<io.tcpsim.backend.Backend> kernel, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new Main.Env(new PrintWriter(out), new PrintWriter(err),
                new BufferedReader(new StringReader("")), false, Model::new, kernel));
        return new Outcome(code, out.toString(), err.toString());
    }

    Path file(String name, String text) throws IOException {
        return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    /** One line, exit 2, nothing on stdout, and nothing that names Java. */
    static void oneLine(Outcome o, String expected) {
        assertEquals(new Outcome(2, "", expected + "\n"), o);
        assertFalse(o.err().matches("(?s).*(Exception|Event|org\\.yaml|com\\.fasterxml|java\\.|\\[Source).*"), o.err());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            a list as a mapping key (SnakeYAML's SequenceStartEvent) | x.yaml | name: a\\nsteps:\\n  - ? [a]\\n    : b\\n | 3:8: YAML syntax: a mapping key must be a plain name, not a list or a mapping
            1200 nested lists in YAML ("JSON syntax", StreamReadConstraints) | x.yaml | NESTED | 2:1008: YAML syntax: nested more than 1000 levels deep
            a JSON script ([Source: REDACTED ...]) | x.json | {"name": "a", "steps": [} | 1:25: JSON syntax: Unexpected close marker '}': expected ']'
            !!binary that is not base64 (Jackson's Base64Variant) | x.yaml | !!binary abc\\n | 1:13: YAML syntax: a !!binary value is not valid base64
            a control character escaped in YAML | x.yaml | name: a\\nsteps:\\n  - "close(\\x01)"\\n | 3:12: unexpected character '\\x01'
            a raw control character (SnakeYAML's reader, no mark) | x.yaml | name: a\\nsteps:\\n  - "close(\\u0001)"\\n | 3:12: YAML syntax: the character \\x01 is not allowed in YAML; in a double-quoted step write it as an escape (\\x01, \\t)
            a hexadecimal seed ("must fit in 64 bits") | x.yaml | name: a\\nseed: 0x10\\nsteps: []\\n | 2:7: seed must be a decimal integer, got 0x10
            """)
    void aScriptsSyntaxErrorSaysNothingOfJava(String what, String name, String text, String expected) throws IOException {
        String body = text.equals("NESTED") ? "name: a\nsteps: " + "[".repeat(1200) + "]".repeat(1200) + "\n"
                : text.replace("\\n", "\n").replace("\\u0001", "\u0001");
        Path p = file(name, body);
        oneLine(run("run", p.toString(), "--dry-run"), "tcpsim: " + p + ":" + expected);
    }

    @Test
    void anEmptyScriptNameIsNotADirectory() {
        oneLine(run("run", ""), "tcpsim: the script's file name is empty");
        oneLine(run("step", ""), "tcpsim: the script's file name is empty");
        oneLine(run("replay", ""), "tcpsim: the capture's file name is empty");
    }

    @Test
    void aFileNameWithAControlCharacterIsEscaped() {
        oneLine(run("run", "bad\u001b[31mname\n.yaml"), "tcpsim: cannot read bad\\x1b[31mname\\n.yaml: No such file or directory");
    }

    @Test
    void outOfRangeNumbersAreRefusedInOneLine() {
        String capture = "../traces/captures/replay/close-then-send-6.18.44-fc-v669.pcap";
        oneLine(run("replay", capture, "--flow", "-1"),
                "tcpsim: --flow must be at least 1 (flows are numbered from 1), got -1 (see tcpsim replay --help)");
        oneLine(run("replay", capture, "--flow", "0"),
                "tcpsim: --flow must be at least 1 (flows are numbered from 1), got 0 (see tcpsim replay --help)");
        oneLine(run("replay", capture, "--flow", "99999999999"),
                "tcpsim: Invalid value for option '--flow': '99999999999' is not an int (see tcpsim replay --help)");
        oneLine(run("check", "../examples/close-then-send.yaml", "--runs", "0"),
                "tcpsim: --runs must be at least 1, got 0 (see tcpsim check --help)");
        oneLine(run("fuzz", "--tries", "-5"), "tcpsim: --tries must be at least 1, got -5 (see tcpsim fuzz --help)");
    }

    @Test
    void withoutTheKernelEachCommandNamesItselfOnceAndPrintsNothing() {
        String need = KernelUnavailableException.NEEDS_PRIVILEGE;
        oneLine(run("check", "../examples/close-then-send.yaml"), "tcpsim: check " + need);
        oneLine(run("capture", "../examples/close-then-send.yaml", "-o", dir.resolve("x.pcap").toString()), "tcpsim: capture " + need);
        oneLine(run("fuzz", "--kernel", "--tries", "1"), "tcpsim: fuzz --kernel " + need);
    }

    @Test
    void checkPrintsNothingWhenTheScriptIsBad() throws IOException {
        Path p = file("bad.yaml", "name: b\nsteps:\n  - sned(c)\n");
        Outcome o = run(() -> new Model(io.tcpsim.model.Profile.linux6(), 1), "check", p.toString());
        assertEquals(2, o.code());
        assertEquals("", o.out());
        assertEquals(1, o.err().lines().count(), o.err());
    }

    @Test
    void anInternalErrorNamesNoJavaType() {
        assertEquals("array index out of bounds", Main.words(new ArrayIndexOutOfBoundsException()));
        assertEquals("the model is a stub", Main.words(new UnsupportedOperationException("the model is a stub")));
        assertEquals(List.of("null pointer"), List.of(Main.words(new NullPointerException())));
    }
}
