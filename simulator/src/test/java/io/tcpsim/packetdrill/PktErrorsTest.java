package io.tcpsim.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every refusal is one located line (PktSnippets.REFUSED; packetdrill refuses each of those too, at the same line,
 * except where the reader is stricter or does not support a form: PacketdrillAgreesWithTheReaderTest in traces), and no
 * text makes the reader throw anything else.
 */
class PktErrorsTest {

    static final Pattern ONE_LOCATED_LINE = Pattern.compile("t\\.pkt:[1-9][0-9]*:[1-9][0-9]*: [^\\n\\r]+");

    @TestFactory
    Stream<DynamicTest> eachRefusalIsItsOwnLine() {
        return PktSnippets.REFUSED.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            PktException x = assertThrows(PktException.class,
                    () -> PktParser.parse("t.pkt", e.getValue().text(), PktSnippets.ARGS));
            assertEquals(e.getValue().message(), x.getMessage());
            assertTrue(ONE_LOCATED_LINE.matcher(x.getMessage()).matches(), x.getMessage());
            assertEquals(x.getMessage(), "t.pkt:" + x.line() + ":" + x.column() + ": " + x.problem());
        }));
    }

    @Test
    void commandLineProblemsNameTheArgument() {
        assertEquals("command line: argument 2: unknown option --speedy",
                assertThrows(PktException.class, () -> PktParser.parse("t.pkt", "0 close(3) = 0\n",
                        List.of("--ip_version=ipv4", "--speedy=1"))).getMessage());
        assertEquals("command line: argument 1: --mss needs a value",
                assertThrows(PktException.class, () -> PktParser.parse("t.pkt", "0 close(3) = 0\n",
                        List.of("--mss"))).getMessage());
        assertEquals("command line: argument 3: expected a positive number of bytes for --mss, found 'x'",
                assertThrows(PktException.class, () -> PktParser.parse("t.pkt", "0 close(3) = 0\n",
                        List.of("-D", "A=1", "--mss", "x"))).getMessage());
        assertEquals("command line: argument 1: expected an option (--name[=value], -D NAME=VALUE or -v), found 't.pkt'",
                assertThrows(PktException.class, () -> PktParser.parse("t.pkt", "0 close(3) = 0\n",
                        List.of("t.pkt"))).getMessage());
    }

    /**
     * Every prefix of every accepted snippet, and each with one character removed: the reader either reads it or
     * refuses it in one located line. Nothing else escapes.
     */
    @Test
    void noTextMakesItThrowAnythingElse() {
        int read = 0, refused = 0;
        for (String text : PktSnippets.ACCEPTED.values()) {
            for (int i = 0; i <= text.length(); i++) {
                for (String variant : List.of(text.substring(0, i), i < text.length() ? text.substring(0, i) + text.substring(i + 1) : text)) {
                    try {
                        PktParser.parse("t.pkt", variant, PktSnippets.ARGS);
                        read++;
                    } catch (PktException e) {
                        if (!ONE_LOCATED_LINE.matcher(e.getMessage()).matches()) fail(e.getMessage() + " <- " + variant);
                        refused++;
                    } catch (RuntimeException | StackOverflowError e) {
                        fail("escaped " + e + " <- " + variant);
                    }
                }
            }
        }
        assertTrue(read > 0 && refused > 0, read + " read, " + refused + " refused");
    }
}
