package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a quoted block is matched, run and refreshed: QuotedOutputTest's parts, on small made-up outputs. */
class QuoteMatchTest {
    static final List<String> OUT = List.of("a", "b", "c", "d", "e");

    @Test
    void aBlockIsContiguousLinesAnywhereInTheOutput() {
        assertNull(QuoteMatch.find(List.of("b", "c"), OUT, false));
        assertNull(QuoteMatch.find(List.of("e"), OUT, false));
        assertEquals(new QuoteMatch.Miss(1, "the output has instead: c"), QuoteMatch.find(List.of("b", "d"), OUT, false));
        assertEquals(new QuoteMatch.Miss(0, "not in the output"), QuoteMatch.find(List.of("x"), OUT, false));
    }

    @Test
    void threeDotsSkipLinesAndOrderCounts() {
        assertNull(QuoteMatch.find(List.of("a", "...", "d", "e"), OUT, false));
        assertNull(QuoteMatch.find(List.of("  ...", "c", "..."), OUT, false));
        assertEquals(new QuoteMatch.Miss(2, "not in the output after the lines before it"),
                QuoteMatch.find(List.of("c", "...", "a"), OUT, false));
    }

    @Test
    void trailingSpacesDoNotCount() {
        assertNull(QuoteMatch.find(List.of("State      ", "tcp"), List.of("State", "tcp   "), false));
    }

    @Test
    void aKernelQuoteMasksTheKernelsSideOnly() {
        List<String> out = List.of(
                "  kernel: 00:00:00.036032 [main] send(s) = 1",
                "    00:00:00.000000 [main] a = socket() = 3   | 00:00:00.000000 [main] a = socket() = 3",
                "# run 1/3: agree (7 packets; rules used: timer-tick-late x1; kernel run 5215.163 ms)");
        assertNull(QuoteMatch.find(List.of(
                "  kernel: 00:00:00.043352 [main] send(s) = 1",
                "    00:00:00.000000 [main] a = socket() = 3   | 00:00:00.000000 [main] a = socket() = 3 <blocked 1.310 ms>",
                "# run 1/3: agree (7 packets; rules used: none; kernel run 5142.891 ms)"), out, true));
        assertEquals(0, QuoteMatch.find(List.of(
                "    00:00:00.000010 [main] a = socket() = 3   | 00:00:00.000000 [main] a = socket() = 3"), out, true).blockLine());
        assertEquals(0, QuoteMatch.find(List.of("  kernel: 00:00:00.036032 [main] send(s) = 2"), out, true).blockLine());
        assertEquals(0, QuoteMatch.find(List.of("  kernel: 00:00:00.043352 [main] send(s) = 1"), out, false).blockLine());
    }

    @Test
    void aJavaExamplesOtherThreadsAreComparedWithoutTheirTimes() {
        List<String> out = List.of(
                "00:00:00.000000 [main] connect(4, 127.0.0.1:8080) = 0",
                "00:00:00.000000 [server] accept(3) = 5",
                "00:00:00.000000 IP 127.0.0.1.60004 > 127.0.0.1.8080: Flags [S]",
                "00:00:00.000030 [server] read(5, 4) = 4 \"GET \"");
        assertNull(QuoteMatch.findThreads(List.of(
                "00:00:00.000000 [main] connect(4, 127.0.0.1:8080) = 0",
                "00:00:00.000000 IP 127.0.0.1.60004 > 127.0.0.1.8080: Flags [S]",
                "00:00:00.000030 [server] accept(3) = 5",
                "00:00:00.000050 [server] read(5, 4) = 4 \"GET \""), out));
        QuoteMatch.Miss m = QuoteMatch.findThreads(List.of(
                "00:00:00.000050 [server] read(5, 4) = 4 \"GET \"",
                "00:00:00.000030 [server] accept(3) = 5"), out);
        assertEquals(1, m.blockLine());
        assertEquals("the output ends before it (another thread's calls, times not compared)", m.why());
    }

    @Test
    void sedSubstitutesAsGnuSedDoes() throws Exception {
        assertEquals("  - send(s, \"a\")\n  - x", MarkCommands.sed("s/, MSG_NOSIGNAL)/)/", "  - send(s, \"a\", MSG_NOSIGNAL)\n  - x"));
        assertEquals("steps:\n  - signal(SIGPIPE, SIG_IGN)\n  - a\n", MarkCommands.sed("s/^steps:$/steps:\\n  - signal(SIGPIPE, SIG_IGN)/", "steps:\n  - a\n"));
        assertEquals("# A\n  - b\nx # A", MarkCommands.sed("s/^# A$/&\\n  - b/", "# A\nx # A"));
        assertEquals("ba ba", MarkCommands.sed("s/\\(a\\)\\(b\\)/\\2\\1/g", "ab ab"));
        assertEquals("EPOLLIN|EPOLLRDHUP", MarkCommands.sed("s/EPOLLIN$/EPOLLIN|EPOLLRDHUP/", "EPOLLIN"));
        assertThrows(MarkCommands.BadMark.class, () -> MarkCommands.sed("y/a/b/", "a"));
    }

    @Test
    void diffPrintsNormalHunksForFilesOfEqualLength() throws Exception {
        assertEquals(List.of("2c2", "< b", "---", "> B", "4,5c4,5", "< d", "< e", "---", "> D", "> E"),
                MarkCommands.diff(List.of("a", "b", "c", "d", "e"), List.of("a", "B", "c", "D", "E")));
        assertThrows(MarkCommands.BadMark.class, () -> MarkCommands.diff(List.of("a"), List.of("a", "b")));
    }

    @Test
    void aMarksCommandsSplitAtSemicolonsOutsideQuotes() {
        assertEquals(List.of("cp a /tmp/b", "sed -i 's/x;y/z/' /tmp/b", "run /tmp/b --seed 1"),
                MarkCommands.split("cp a /tmp/b; sed -i 's/x;y/z/' /tmp/b; run /tmp/b --seed 1"));
        assertEquals(List.of("sed", "-i", "s/a b/c/", "/tmp/b"), MarkCommands.words("sed -i 's/a b/c/' /tmp/b"));
    }

    @Test
    void aRefreshKeepsTheTrimmingAndTakesTheLinesThatResembleMost() {
        List<String> fresh = List.of("# tcpsim run x", "00:00:00.000000 [main] a = socket() = 3",
                "00:00:00.000000 IP 127.0.0.1.60004 > 127.0.0.1.4321: Flags [S], seq 406240065",
                "00:00:00.000010 IP 127.0.0.1.4321 > 127.0.0.1.60004: Flags [S.], seq 2537269803",
                "00:00:00.010030 [main] close(c) = 0");
        List<String> block = List.of("$ ./tcpsim run x", "...", "00:00:00.000010 IP 127.0.0.1.4321 > 127.0.0.1.52888: Flags [S.], seq 1",
                "...", "00:00:00.010030 [main] close(c) = 0");
        assertEquals(List.of("$ ./tcpsim run x", "...", "00:00:00.000010 IP 127.0.0.1.4321 > 127.0.0.1.60004: Flags [S.], seq 2537269803",
                "...", "00:00:00.010030 [main] close(c) = 0"), QuoteRefresh.refreshed(block, fresh));
    }

    @Test
    void aRefreshKeepsTheLinesTheOutputGainedInsideARun() {
        List<String> fresh = List.of("00:00:00.020040 [main] send(s, \"a\") = 1",
                "00:00:00.020050 IP 127.0.0.1.60004 > 127.0.0.1.4321: Flags [R], seq 9, win 0, length 0, reason TCP_TIMEWAIT_SOCKET",
                "00:00:00.020050 [drop] 127.0.0.1.4321 > 127.0.0.1.60004: Flags [P.], length 1, reason NOT_SPECIFIED",
                "00:00:00.030060 [main] send(s, \"a\") = -1 EPIPE (Broken pipe)");
        List<String> block = List.of("00:00:00.020040 [main] send(s, \"a\") = 1",
                "00:00:00.020050 IP 127.0.0.1.52888 > 127.0.0.1.4321: Flags [R], seq 7, win 0, length 0",
                "00:00:00.030060 [main] send(s, \"a\") = -1 EPIPE (Broken pipe)");
        assertEquals(fresh, QuoteRefresh.refreshed(block, fresh));
    }
}
