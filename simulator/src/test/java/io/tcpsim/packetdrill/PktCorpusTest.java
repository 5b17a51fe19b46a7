package io.tcpsim.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every .pkt file of the shared packetdrill tree (read there at test time, never copied into this repository)
 * either reads or is refused in one located line, with run_all.py's command line. The counts and the refusals are
 * pinned, so a change in the reader that reads fewer scripts, or refuses one differently, fails here.
 */
class PktCorpusTest {

    /** The PSP scripts use a symbol MSS that run_all.py does not define (the kernel selftests that run them do). */
    static final List<String> PSP = List.of("psp-basic", "psp-ofo-bad-fin", "psp-ofo-ok", "psp-ofo",
            "psp-retransmit-cleartext-after-upgrade", "psp-rx-rcv-clear-or-cipher", "psp-tw-rtx-ack",
            "psp-tx-accept-fin", "psp-tx-drop-plaintext-data", "psp-tx-key-retry");

    @Test
    void everyPublishedScriptReadsOrIsRefusedInOneLine() throws Exception {
        Path base = SharedTree.locate().resolve("packetdrill");
        List<Path> all = SharedTree.allScripts();
        int read = 0, events = 0;
        Map<String, String> refused = new TreeMap<>();
        for (Path p : all) {
            String rel = base.relativize(p).toString();
            try {
                PktScript s = PktParser.parse(rel, Files.readString(p), SharedTree.runAllArguments(p));
                events += s.events().size();
                read++;
            } catch (PktException e) {
                assertTrue(e.getMessage().matches(java.util.regex.Pattern.quote(rel) + ":[1-9][0-9]*:[1-9][0-9]*: [^\\n\\r]+"),
                        e.getMessage());
                refused.put(rel, e.getMessage());
            } catch (RuntimeException e) {
                fail(rel + ": " + e);
            }
        }
        Map<String, String> expected = new TreeMap<>();
        Map<String, String> where = Map.of("psp-ofo-bad-fin", "13", "psp-retransmit-cleartext-after-upgrade", "15",
                "psp-rx-rcv-clear-or-cipher", "13", "psp-tx-key-retry", "13");
        for (String n : PSP) {
            String rel = "gtests/net/psp/" + n + ".pkt";
            expected.put(rel, rel + ":" + where.getOrDefault(n, "12") + ":30: expected the MSS, found 'MSS'");
        }
        assertEquals(expected, refused);
        assertEquals(175, all.size());
        assertEquals(165, read);
        assertEquals(4265, events); // as many as lines that start with a time, counted file by file
    }

    @Test
    void withTheSymbolTheSelftestsDefineAllOfThemRead() throws Exception {
        int read = 0;
        for (Path p : SharedTree.allScripts()) {
            List<String> args = new ArrayList<>(SharedTree.runAllArguments(p));
            args.addAll(List.of("-D", "MSS=1000"));
            PktParser.parse(p.getFileName().toString(), Files.readString(p), args);
            read++;
        }
        assertEquals(175, read);
    }
}
