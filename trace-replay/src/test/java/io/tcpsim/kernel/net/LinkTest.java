package io.tcpsim.kernel.net;

import io.tcpsim.backend.LinkCommand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The link's decisions, without a kernel: what each frame entering at a given time becomes. */
class LinkTest {
    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

    /** An Ethernet/IPv4/TCP frame with these flags and this much payload (20-byte headers). */
    static byte[] tcp(int flags, int payload) {
        byte[] f = new byte[14 + 20 + 20 + payload];
        f[12] = 0x08;
        f[14] = 0x45;
        int total = 40 + payload;
        f[16] = (byte) (total >>> 8);
        f[17] = (byte) total;
        f[14 + 9] = 6;
        f[34 + 12] = 0x50;
        f[34 + 13] = (byte) flags;
        return f;
    }

    static long later() {
        return RealClock.nanos() + 1_000;
    }

    @Test
    void kindsMatchAsTheScriptSays() {
        int[][] frames = {{SYN, 0}, {SYN | ACK, 0}, {ACK, 0}, {ACK | PSH, 5}, {FIN | ACK, 0}, {FIN | ACK | PSH, 3},
            {RST, 0}, {RST | ACK, 0}};
        String[] expected = {
            "syn any", "syn-ack any", "ack any", "data any", "fin any", "data fin any", "rst any", "rst any"};
        for (int i = 0; i < frames.length; i++) {
            List<String> kinds = new ArrayList<>();
            for (LinkCommand.Kind k : LinkCommand.Kind.values()) if (k.matches(frames[i][0], frames[i][1])) kinds.add(k.text);
            assertEquals(expected[i], String.join(" ", kinds));
        }
        assertEquals(LinkCommand.Kind.SYN_ACK, LinkCommand.Kind.of("syn-ack"));
        assertNull(LinkCommand.Kind.of("push"));
    }

    @Test
    void aDropRuleLosesTheNextNMatchingFramesOfItsDirectionOnly() {
        Link l = new Link(LinkSpec.IDEAL);
        l.drop(Direction.A_TO_B, LinkCommand.Kind.DATA, 2);
        long t = later();
        assertArrayEquals(new long[] {t}, l.admit(Direction.A_TO_B, t, tcp(ACK, 0)), "a pure ACK passes");
        assertArrayEquals(new long[] {t}, l.admit(Direction.B_TO_A, t, tcp(ACK | PSH, 1)), "the other way passes");
        assertNull(l.admit(Direction.A_TO_B, t, tcp(ACK | PSH, 1)));
        assertEquals(1, l.pendingDrops(Direction.A_TO_B));
        assertNull(l.admit(Direction.A_TO_B, t, tcp(FIN | ACK, 7)));
        assertArrayEquals(new long[] {t}, l.admit(Direction.A_TO_B, t, tcp(ACK | PSH, 1)), "two were lost: done");
        assertEquals(List.of("drop 2 a>b data", "drop 2 a>b data"),
                l.records().stream().map(LinkRecord::why).toList());
    }

    @Test
    void aRuleWithAfterLetsTheFirstMatchesPass() {
        Link l = new Link(LinkSpec.IDEAL);
        l.drop(Direction.A_TO_B, LinkCommand.Kind.DATA, 1, 2);
        long t = later();
        assertArrayEquals(new long[] {t}, l.admit(Direction.A_TO_B, t, tcp(ACK | PSH, 1)));
        assertArrayEquals(new long[] {t}, l.admit(Direction.A_TO_B, t, tcp(ACK, 0)), "not data: not counted");
        assertArrayEquals(new long[] {t}, l.admit(Direction.A_TO_B, t, tcp(ACK | PSH, 1)));
        assertNull(l.admit(Direction.A_TO_B, t, tcp(ACK | PSH, 1)), "the third data segment");
        assertArrayEquals(new long[] {t}, l.admit(Direction.A_TO_B, t, tcp(ACK | PSH, 1)));
        assertEquals(List.of("drop 1 a>b data after 2"), l.records().stream().map(LinkRecord::why).toList());
    }

    @Test
    void aLostFrameCountsForTheFirstMatchingRuleAlone() {
        Link l = new Link(LinkSpec.IDEAL);
        l.drop(Direction.A_TO_B, LinkCommand.Kind.DATA, 1);
        l.drop(Direction.A_TO_B, LinkCommand.Kind.ANY, 1);
        long t = later();
        assertNull(l.admit(Direction.A_TO_B, t, tcp(ACK | PSH, 1)), "data: the first rule's");
        assertNull(l.admit(Direction.A_TO_B, t, tcp(ACK | PSH, 1)), "the any rule's: the first did not count for it");
        assertArrayEquals(new long[] {t}, l.admit(Direction.A_TO_B, t, tcp(ACK | PSH, 1)), "both rules are spent");
        assertEquals(List.of("drop 1 a>b data", "drop 1 a>b any"), l.records().stream().map(LinkRecord::why).toList());
    }

    @Test
    void aFrameThatEnteredBeforeTheRuleIsNotCounted() {
        Link l = new Link(LinkSpec.IDEAL);
        long before = RealClock.nanos();
        l.drop(Direction.A_TO_B, LinkCommand.Kind.ANY, 1);
        assertArrayEquals(new long[] {before - 1}, l.admit(Direction.A_TO_B, before - 1, tcp(ACK, 0)));
        assertNull(l.admit(Direction.A_TO_B, later(), tcp(ACK, 0)));
    }

    @Test
    void linkDownLosesWhatEntersWhileDownBothWays() {
        Link l = new Link(LinkSpec.symmetric(5_000_000));
        long beforeDown = RealClock.nanos() - 1;
        l.down();
        long whileDown = RealClock.nanos();
        while (RealClock.nanos() <= whileDown) Thread.onSpinWait(); // up() must be stamped after whileDown
        l.up();
        long afterUp = RealClock.nanos();
        assertArrayEquals(new long[] {beforeDown + 5_000_000}, l.admit(Direction.A_TO_B, beforeDown, tcp(ACK, 0)),
                "on the wire before the link went down: delivered");
        assertNull(l.admit(Direction.A_TO_B, whileDown, tcp(ACK, 0)));
        assertNull(l.admit(Direction.B_TO_A, whileDown, tcp(SYN, 0)));
        assertArrayEquals(new long[] {afterUp + 5_000_000}, l.admit(Direction.B_TO_A, afterUp, tcp(SYN, 0)));
        assertEquals(List.of("link down", "link down"), l.records().stream().map(LinkRecord::why).toList());
    }

    @Test
    void aRateSerialisesFramesBehindEachOtherThenAddsTheDelay() {
        // 8 Mbit/s: a frame of 1000 bytes takes 1 ms.
        Link l = new Link(new LinkSpec(new Lane(10_000_000, 8_000_000, 0, 0), Lane.IDEAL, 0));
        long t = later();
        byte[] f = tcp(ACK | PSH, 1000 - 54);
        assertArrayEquals(new long[] {t + 1_000_000 + 10_000_000}, l.admit(Direction.A_TO_B, t, f));
        assertArrayEquals(new long[] {t + 2_000_000 + 10_000_000}, l.admit(Direction.A_TO_B, t, f), "queued");
        assertArrayEquals(new long[] {t + 5_000_000 + 1_000_000 + 10_000_000},
                l.admit(Direction.A_TO_B, t + 5_000_000, f), "the lane was idle again");
    }

    @Test
    void randomLossAndDuplicationFollowTheSeed() {
        LinkSpec spec = new LinkSpec(Lane.IDEAL.withLoss(0.3).withDuplicate(0.2), Lane.IDEAL, 42);
        List<String> first = fates(new Link(spec)), second = fates(new Link(spec));
        assertEquals(first, second);
        long lost = first.stream().filter("lost"::equals).count();
        long twice = first.stream().filter("twice"::equals).count();
        assertEquals(first, fates(new Link(spec)));
        // 1000 frames: about 300 lost and 140 of the other 700 sent twice (binomial, 4 standard deviations).
        assertEquals(300, lost, 4 * Math.sqrt(1000 * 0.3 * 0.7));
        assertEquals(140, twice, 4 * Math.sqrt(700 * 0.2 * 0.8));
    }

    private static List<String> fates(Link l) {
        List<String> out = new ArrayList<>();
        long t = later();
        for (int i = 0; i < 1000; i++) {
            long[] due = l.admit(Direction.A_TO_B, t, tcp(ACK, 0));
            out.add(due == null ? "lost" : due.length == 2 ? "twice" : "once");
        }
        return out;
    }

    @Test
    void badControlsAreRefused() {
        Link l = new Link(LinkSpec.IDEAL);
        assertEquals("drop needs a count of at least 1, not 0",
                assertThrows(IllegalArgumentException.class, () -> l.drop(Direction.A_TO_B, LinkCommand.Kind.ANY, 0))
                        .getMessage());
        assertEquals("loss must be between 0 and 1, not 1.5",
                assertThrows(IllegalArgumentException.class, () -> Lane.IDEAL.withLoss(1.5)).getMessage());
    }
}
