package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tcpsim.backend.Backend;
import io.tcpsim.check.RstInCloseWaitGivesEconnreset;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.kernel.KernelUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every output quoted in README.md and docs/*.md is what tcpsim prints today: each marked block is run from its mark
 * and found in the fresh output ({@link Quotes}, {@link QuoteMatch}); every picture in docs/img is made again by the
 * command docs/pictures.md gives and is the same byte for byte. How to refresh a quote: docs/architecture.md,
 * "Writing docs".
 */
class QuotedOutputTest {
    @TempDir
    Path tmp;

    /** The test-only stand-ins for the model a mark may name: {@code <!-- kernel output (model: NAME): ... -->}. */
    static final Map<String, UnaryOperator<Backend>> MODELS = Map.of(
            "RstInCloseWaitGivesEconnreset", RstInCloseWaitGivesEconnreset::new);

    /** The stand-ins for the real kernel: {@code <!-- output (kernel: NAME): ... -->}, what a user without it sees. */
    static final Map<String, Supplier<Backend>> KERNELS = Map.of(
            "unprivileged", () -> {
                throw new KernelUnavailableException(KernelUnavailableException.NEEDS_PRIVILEGE);
            },
            "no-libpcap", () -> {
                throw new KernelUnavailableException(KernelUnavailableException.NEEDS_LIBPCAP);
            });

    static final Quotes.Docs DOCS = Quotes.read();

    /** The same source is quoted many times (the tour, the tutorial): run each once. */
    final Map<String, MarkCommands.Output> runs = new HashMap<>();

    @TestFactory
    Stream<DynamicTest> everyQuotedOutputIsTheCurrentOutput() {
        assertTrue(DOCS.quotes().size() >= 30, "marked blocks found: " + DOCS.quotes().size());
        return DOCS.quotes().stream().map(q -> DynamicTest.dynamicTest(q.where(), () -> check(q)));
    }

    private void check(Quotes.Quote q) throws Exception {
        UnaryOperator<Backend> model = UnaryOperator.identity();
        Supplier<Backend> kernel = KernelBackend::new;
        if (q.standIn() != null) {
            String name = q.standIn().replaceFirst("^\\w+: ", "");
            if (q.standIn().startsWith("model: ")) model = MODELS.get(name);
            else kernel = KERNELS.get(name);
            if (model == null || kernel == null) {
                fail(q.where() + ": unknown stand-in '" + q.standIn() + "'; known: models " + MODELS.keySet() + ", kernels "
                        + KERNELS.keySet());
            }
        }
        MarkCommands.Output out;
        String key = q.standIn() + "|" + q.source();
        if (runs.containsKey(key)) {
            out = runs.get(key);
        } else {
            Path dir = Files.createTempDirectory(tmp, "q");
            try {
                out = new MarkCommands(dir, model, kernel).run(q.source());
            } catch (MarkCommands.BadMark e) {
                fail(q.where() + ": bad mark: " + e.getMessage());
                return;
            }
            runs.put(key, out);
        }
        List<String> block = new ArrayList<>();
        List<Integer> lineOf = new ArrayList<>();
        for (int i = 0; i < q.lines().size(); i++) {
            String l = q.lines().get(i);
            if (l.startsWith("$ ")) {
                String typed = l.substring(2).replaceFirst("^(\\./)?tcpsim ", "");
                if (!out.commands().contains(typed)) {
                    fail(q.where() + ": the block's line " + (q.line() + 1 + i) + " shows the command '" + l.substring(2)
                            + "', and the mark's commands are " + out.commands());
                }
                continue;
            }
            block.add(l);
            lineOf.add(i);
        }
        QuoteMatch.Miss miss = q.source().startsWith("java ") ? QuoteMatch.findThreads(block, out.lines())
                : QuoteMatch.find(block, out.lines(), q.kind() == Quotes.Kind.KERNEL);
        if (miss == null) return;
        if (QuoteRefresh.ON) {
            QuoteRefresh.propose(q, out.lines());
            return;
        }
        int at = q.line() + 1 + lineOf.get(miss.blockLine());
        fail(q.file() + ":" + at + ": this line of the block at line " + q.line() + " is not what tcpsim prints ("
                + miss.why() + "):\n    " + block.get(miss.blockLine()).stripTrailing()
                + "\n" + (q.kind() == Quotes.Kind.KERNEL ? "kernel output (times, <blocked> and rules are masked on the "
                + "kernel's side), " : "") + "from: " + q.source()
                + "\nThe fresh output, to paste (keep the block's ... where it trims; or run this test with "
                + "-Dtcpsim.refreshQuotes=true to have it written in, then review the diff):\n"
                + String.join("\n", out.lines()) + "\n");
    }

    /** With -Dtcpsim.refreshQuotes=true: the fresh outputs written into the pages, for a person to review. */
    @AfterAll
    static void writeRefreshedQuotes() throws IOException {
        if (QuoteRefresh.ON) QuoteRefresh.write(DOCS.quotes());
    }

    @Test
    void everyBlockThatLooksLikeOutputIsMarked() {
        assertEquals(List.of(), DOCS.problems().stream().map(p -> p.where() + ": " + p.what()).toList());
    }

    static final Path IMG = Scenarios.ROOT.resolve("docs/img");

    /** The commands of the pictures block in docs/pictures.md, one per line. */
    static List<String> pictureCommands() {
        List<String> out = new ArrayList<>();
        for (Quotes.Quote q : DOCS.pictures()) {
            for (String l : q.lines()) if (!l.isBlank() && !l.strip().startsWith("#")) out.add(l.strip());
        }
        return out;
    }

    private static final Pattern PICTURE_ARG = Pattern.compile("--(svg|html) (\\S+)");

    @TestFactory
    Stream<DynamicTest> everyPictureIsMadeAgainByItsCommand() {
        assertTrue(!pictureCommands().isEmpty(), "no <!-- pictures --> block in docs/pictures.md");
        return pictureCommands().stream().map(c -> DynamicTest.dynamicTest(c, () -> {
            Matcher m = PICTURE_ARG.matcher(c);
            assertTrue(m.find() && m.group(2).startsWith("docs/img/"), c + ": expected --svg docs/img/NAME");
            String name = m.group(2);
            Path dir = Files.createTempDirectory(tmp, "p");
            MarkCommands commands = new MarkCommands(dir, UnaryOperator.identity(), KernelBackend::new);
            commands.run(c);
            Path made = dir.resolve(Path.of(name).getFileName());
            assertTrue(Files.exists(made), c + " wrote no picture");
            String fresh = commands.unmap(Files.readString(made, StandardCharsets.UTF_8));
            String kept = Files.readString(Scenarios.ROOT.resolve(name), StandardCharsets.UTF_8);
            if (!fresh.equals(kept) && QuoteRefresh.ON) {
                Files.writeString(Scenarios.ROOT.resolve(name), fresh, StandardCharsets.UTF_8);
            } else if (!fresh.equals(kept)) {
                Path target = Scenarios.MODULE.resolve("target/pictures-fresh").resolve(Path.of(name).getFileName());
                Files.createDirectories(target.getParent());
                Files.writeString(target, fresh, StandardCharsets.UTF_8);
                fail(name + " is not what '" + c + "' draws today; the fresh picture is " + Scenarios.ROOT.relativize(target)
                        + " (cp it to " + name + ", or run the command from the repository root)");
            }
        }));
    }

    /** Every file in docs/img is drawn by a command of docs/pictures.md, and every picture a page shows exists. */
    @Test
    void everyPictureHasItsCommand() throws IOException {
        Set<String> made = new TreeSet<>();
        for (String c : pictureCommands()) {
            Matcher m = PICTURE_ARG.matcher(c);
            if (m.find()) made.add(m.group(2));
        }
        Set<String> present = new TreeSet<>();
        try (Stream<Path> s = Files.list(IMG)) {
            s.forEach(p -> present.add(Scenarios.ROOT.relativize(p).toString()));
        }
        assertEquals(present, made, "docs/img and the commands of docs/pictures.md's pictures block");
        Pattern image = Pattern.compile("!\\[[^\\]]*\\]\\(([^)]+)\\)");
        for (Path doc : Quotes.files()) {
            Matcher m = image.matcher(Files.readString(doc, StandardCharsets.UTF_8));
            while (m.find()) {
                Path target = doc.getParent().resolve(m.group(1)).normalize();
                assertTrue(Files.exists(target), Scenarios.ROOT.relativize(doc) + " shows " + m.group(1) + ", which does not exist");
            }
        }
    }
}
