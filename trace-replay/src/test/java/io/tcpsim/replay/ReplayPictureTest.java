package io.tcpsim.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.compare.Divergence;
import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.pcap.PcapWriter;
import io.tcpsim.picture.Ladder;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.picture.SvgRaster;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code tcpsim replay --svg}: every test capture's picture, rasterized by Apache Batik, renders without an error or a
 * warning, at a size a screen can show, and says what replay found: every packet's label, every divergence. The PNGs
 * land in {@code trace-replay/target/pictures/} for a look.
 */
class ReplayPictureTest {
    static final Path OUT = Path.of("target/pictures");

    static {
        System.setProperty("java.awt.headless", "true");
    }

    @TempDir
    Path dir;

    static Stream<Path> captures() throws IOException {
        try (Stream<Path> files = Files.list(ReplayTest.CAPTURES)) {
            List<Path> all = files.filter(f -> f.toString().matches(".*\\.pcap(ng)?$")).sorted().toList();
            assertFalse(all.isEmpty(), "no captures in " + ReplayTest.CAPTURES.toAbsolutePath());
            return all.stream();
        }
    }

    static List<FlowReport> replay(Path file) throws IOException {
        List<FlowReport> flows = new ArrayList<>();
        Replay r = new Replay(new Replay.Sink() {
            @Override public void flow(FlowReport f) { flows.add(f); }
        }, false, n -> true);
        try (CaptureRecords records = CaptureRecords.open(file)) {
            r.run(records, null);
        }
        flows.sort(java.util.Comparator.comparingInt(FlowReport::number));
        return flows;
    }

    static String svg(Path file, List<FlowReport> flows) {
        return ReplayLadder.svg("tcpsim replay " + file.getFileName(), List.of("a test capture"), flows);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void everyCaptureRendersReadablyAndShowsEveryPacket(Path file) throws Exception {
        List<FlowReport> flows = replay(file);
        String svg = svg(file, flows);
        BufferedImage image = look(file.getFileName().toString(), svg);
        assertTrue(image.getWidth() >= 640 && image.getWidth() <= 2400, "width " + image.getWidth());
        assertTrue(image.getHeight() >= 300 && image.getHeight() <= 6000, "height " + image.getHeight());
        assertTrue(SvgRaster.inked(image) > 0.02, "almost blank");

        List<String> missing = new ArrayList<>();
        for (FlowReport f : flows) {
            if (!svg.contains(esc(ReplayLadder.heading(f)))) missing.add("heading of flow " + f.number());
            for (FlowTrace.Step p : f.trace().packets()) {
                if (!svg.contains(esc(p.tcpdump()))) missing.add("tcpdump line of packet " + p.index());
            }
            for (Ladder.Mark m : ReplayLadder.of(f).marks()) {
                if (m instanceof Ladder.Arrow a && !svg.contains(">" + esc(a.label()) + "</text>")) missing.add("label " + a.label());
            }
            for (FlowReport.StateChange s : f.timeline()) {
                if (!svg.contains(">" + s.to() + "</text>")) missing.add("state " + s.to());
            }
            for (FlowReport.InferredCall c : f.calls()) {
                if (!svg.contains(">" + esc(c.call() + " = "))) missing.add("call " + c.text());
            }
            assertEquals(f.packets(), f.trace().packets().size(), "every packet is kept");
        }
        assertEquals(List.of(), missing, file + ": not in the picture");
        selfContained(svg);
    }

    @Test
    void labelsAreRelativeTheTcpdumpWay() throws Exception {
        FlowReport f = replay(ReplayTest.capture("close-then-send")).get(0);
        List<String> labels = ReplayLadder.of(f).marks().stream().filter(m -> m instanceof Ladder.Arrow)
                .map(m -> ((Ladder.Arrow) m).label()).toList();
        assertEquals(List.of("[S] seq 0", "[S.] seq 0, ack 1", "[.] ack 1", "[F.] seq 1, ack 1", "[.] ack 2",
                "[P.] seq 1:2, ack 2, length 1 \"a\"", "[R] seq 2"), labels);
        String svg = svg(ReplayTest.capture("close-then-send"), List.of(f));
        assertTrue(svg.contains(">flow 1: 127.0.0.1:48272 &gt; 127.0.0.1:4321, conn_state RSTO, history ShAFadR</text>"), svg);
        // The FIN's call turned out to be a close; the consequence is drawn lighter (INFERRED).
        assertTrue(svg.contains(">close() = 0  (not shutdown: the RST at packet 7 answers data)</text>"));
        assertTrue(svg.contains("send() = -1 EPIPE  (consequence)</text>"));
    }

    @Test
    void everyDivergenceIsABandWithTheModelsExpectation() throws Exception {
        // The edit of ReplayTest.anRstLinuxWouldNotSendIsFlagged: an [R] where an application's close() sends [R.];
        // and of anAckForDataNeverSentIsFlagged: packet 5 ACKs 9 bytes of 5.
        List<Packet> ps = new ArrayList<>(CaptureRecords.readPackets(ReplayTest.capture("request-response")));
        Packet p = ps.get(4);
        ps.set(4, with(p, p.segment().seq(), p.segment().ack() + 3, p.segment().flags(), 0));
        ps.add(5, with(p, p.segment().seq(), 0, TcpFlags.RST, 1000));
        Path file = dir.resolve("request-response-edited.pcap");
        PcapWriter.write(file, ps);
        List<FlowReport> flows = replay(file);
        FlowReport f = flows.get(0);
        assertTrue(f.divergenceCount() >= 2, "divergences: " + f.divergences());
        String svg = svg(file, flows);
        look("request-response-edited", svg);
        for (Divergence d : f.divergences()) {
            String band = "\u2717 " + d.kind().word + (d.packet() > 0 ? " at packet " + d.packet() : "") + ": " + d.detail();
            assertTrue(svg.contains(">" + esc(ReplayLadder.cut(band, ReplayLadder.BAND_MAX)) + "</text>"), band);
            assertTrue(svg.contains(esc(ReplayOutput.text(d))), "hover text of " + d.text());
        }
        assertTrue(svg.contains(">model: [R.] seq 1, ack 6</text>") || svg.contains(">model: [R.]"), "the model's RST");
        assertTrue(svg.contains("fill=\"#ffebee\" stroke=\"#c62828\""), "a red band");
        String html = ReplayLadder.html("t", List.of(), flows);
        assertTrue(html.contains("after packet 6"), "the states after each packet, for hovering");
        selfContained(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", ""));
    }

    @Test
    void aDivergenceIsMarkedAtItsPacket() throws Exception {
        // close-then-send with its last packet, the client's [R], sent as [R.]: the example of docs/replay.md.
        List<Packet> ps = new ArrayList<>(CaptureRecords.readPackets(ReplayTest.capture("close-then-send")));
        Packet p = ps.get(6);
        ps.set(6, with(p, p.segment().seq(), p.segment().ack(), TcpFlags.RST | TcpFlags.ACK, 0));
        Path file = dir.resolve("close-then-send-edited.pcap");
        PcapWriter.write(file, ps);
        List<FlowReport> flows = replay(file);
        assertEquals(1, flows.get(0).divergenceCount());
        String svg = svg(file, flows);
        look("close-then-send-edited", svg);
        assertTrue(svg.contains(">\u2717 different at packet 7: flags: expected [R] vs actual [R.]</text>"), svg);
        assertTrue(svg.contains(">model: [R] seq 2</text>"), "the model's expectation beside the client");
        // The band comes right after the packet's arrow.
        assertTrue(svg.indexOf(">[R.] seq 2, ack ") < svg.indexOf(">\u2717 different at packet 7"));
    }

    @Test
    void manyFlowsStackWithOneHeadingEach() throws Exception {
        Path file = ReplayTest.capture("two-connections");
        List<FlowReport> flows = replay(file);
        assertEquals(2, flows.size());
        String svg = svg(file, flows);
        for (FlowReport f : flows) assertTrue(svg.contains(esc(ReplayLadder.heading(f))));
        assertEquals(2, svg.split("end of the flow", -1).length - 1);
    }

    private static Packet with(Packet p, long seq, long ack, int flags, long dt) {
        Segment s = p.segment();
        return new Packet(p.timeNanos() + dt, p.ipId(), new Segment(s.src(), s.dst(), seq, ack, flags, s.window(),
                s.urgent(), s.options(), flags == TcpFlags.RST ? new byte[0] : s.payload()));
    }

    static void selfContained(String svg) {
        String body = svg.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for (String remote : List.of("http:", "https:", "href", "@import", "url(", "<image", "@font-face"))
            assertFalse(body.contains(remote), "the picture must be self-contained, found " + remote);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static BufferedImage look(String name, String svg) throws Exception {
        BufferedImage image = SvgRaster.rasterize(svg);
        Files.createDirectories(OUT);
        ImageIO.write(image, "png", OUT.resolve(name + ".png").toFile());
        Files.writeString(OUT.resolve(name + ".svg"), svg);
        return image;
    }
}
