package io.tcpsim.picture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.model.Model;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every seed scenario's diagram, rasterized by a real SVG renderer (Apache Batik): it must render without an error or
 * a warning, at a size a screen can show, not blank, and it must say everything the run did. The PNGs land in
 * {@code simulator/target/pictures/} for a look.
 */
class PictureRenderTest {
    static final Path SEEDS = Path.of("../traces/scenarios/seeds");
    static final Path OUT = Path.of("target/pictures");

    static {
        System.setProperty("java.awt.headless", "true");
    }

    static Stream<Path> seeds() throws IOException {
        try (Stream<Path> files = Files.list(SEEDS)) {
            List<Path> all = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertFalse(all.isEmpty(), "no seed scenarios in " + SEEDS.toAbsolutePath());
            return all.stream();
        }
    }

    record Run(RunLog log, Ladder ladder, String svg) {}

    static Run run(Path file) throws Exception {
        Script script = ScriptParser.parse(file.getFileName().toString(), Files.readString(file));
        long seed = script.seed() != null ? script.seed() : 1;
        Model model = new Model(script.profile(), seed);
        RunLadder.Recorder steps = new RunLadder.Recorder(model);
        RunLog log = Runner.run(script, model, steps);
        Ladder ladder = RunLadder.of(log, steps.steps(), "tcpsim run " + file.getFileName() + " --seed " + seed);
        return new Run(log, ladder, LadderSvg.render(ladder));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeds")
    void everySeedRendersReadably(Path file) throws Exception {
        Run run = run(file);
        BufferedImage image = SvgRaster.rasterize(run.svg());
        Files.createDirectories(OUT);
        String name = file.getFileName().toString().replaceFirst("\\.yaml$", "");
        ImageIO.write(image, "png", OUT.resolve(name + ".png").toFile());
        Files.writeString(OUT.resolve(name + ".svg"), run.svg());

        assertTrue(image.getWidth() >= 640 && image.getWidth() <= 2400, "width " + image.getWidth());
        assertTrue(image.getHeight() >= 300 && image.getHeight() <= 4000, "height " + image.getHeight());
        assertTrue(SvgRaster.inked(image) > 0.02, "almost blank: " + SvgRaster.inked(image) + " of the pixels are not white");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeds")
    void everySeedShowsEveryPacketCallAndState(Path file) throws Exception {
        Run run = run(file);
        String svg = run.svg();
        List<String> missing = new ArrayList<>();
        for (Ladder.Mark m : run.ladder().marks()) {
            if (m instanceof Ladder.Arrow a && !svg.contains(">" + LadderSvg.esc(a.label()) + "</text>")) missing.add("label " + a.label());
        }
        for (LogLine l : run.log().lines()) {
            if (l instanceof LogLine.PacketLine p) {
                String line = new io.tcpsim.wire.TcpdumpPrinter().print(p.packet());
                String flags = "[" + io.tcpsim.wire.TcpFlags.tcpdump(p.packet().segment().flags()) + "]";
                // The full tcpdump line is the hover text; the short label starts with the flags.
                if (!svg.contains(LadderSvg.esc(line.substring(line.indexOf(" IP ") + 4, line.indexOf(": Flags")))))
                    missing.add("tcpdump line " + line);
                if (!svg.contains(">" + LadderSvg.esc(flags))) missing.add("flags " + flags);
            } else if (l instanceof LogLine.CallLine c) {
                String shown = RunLadder.shortStrings(c.step().text()) + " = ";
                if (!svg.contains(LadderSvg.esc(shown.substring(0, Math.min(shown.length(), LadderSvg.NOTE_MAX - 1)))))
                    missing.add("call " + c.step().text());
                if (c.result().failed() && !svg.contains(" = -1 " + c.result().errno().name())) missing.add("errno of " + c.step().text());
            } else if (l instanceof LogLine.StateLine s) {
                if (!svg.contains(">" + s.to() + "</text>")) missing.add("state " + s.to());
            } else if (l instanceof LogLine.ProcessEndLine e) {
                if (!svg.contains("process " + e.process() + " " + e.how())) missing.add("end of " + e.process());
            } else if (l instanceof LogLine.NotReachedLine r) {
                if (!svg.contains("not reached")) missing.add("not reached " + r.step().line());
            }
        }
        assertEquals(List.of(), missing, file + ": not in the picture");
        String body = svg.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for (String remote : List.of("http:", "https:", "href", "@import", "url(", "<script", "<image", "@font-face"))
            assertFalse(body.contains(remote), "the SVG must be self-contained, found " + remote);
    }

    @Test
    void packetLabelsAreShortAndRelative() throws Exception {
        Run run = run(SEEDS.resolve("close-then-send.yaml"));
        List<String> labels = run.ladder().marks().stream().filter(m -> m instanceof Ladder.Arrow)
                .map(m -> ((Ladder.Arrow) m).label()).toList();
        assertEquals(List.of("[S] seq 0", "[S.] seq 0, ack 1", "[.] ack 1", "[F.] seq 1, ack 1", "[.] ack 2",
                "[P.] seq 1:2, ack 2, length 1 \"a\"", "[R] seq 2 \u00b7 reason TCP_TIMEWAIT_SOCKET"), labels);
    }

    @Test
    void gapsAreLabelledWithTheirLength() throws Exception {
        String svg = run(SEEDS.resolve("close-then-send.yaml")).svg();
        assertTrue(svg.contains(">\u2026 5 s \u2026</text>"), "the final sleep 5s");
        assertTrue(svg.contains(">\u2026 10 ms \u2026</text>") || svg.contains(">\u2026 8.03 ms \u2026</text>"), "a netstat's 10 ms");
    }
}
