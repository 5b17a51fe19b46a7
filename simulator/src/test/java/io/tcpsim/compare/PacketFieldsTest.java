package io.tcpsim.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compared fields of hand-made segments: the model's (ISNs 1000 and 5000) against an observed run's (7 and 90). */
class PacketFieldsTest {
    static final SockAddr C = SockAddr.loopback(52888), S = SockAddr.loopback(4321);
    static final List<TcpOption> TS = List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(1, 2));

    final SequenceSpace.Direction modelClient = isn(1000), modelServer = isn(5000);
    final SequenceSpace.Direction seenClient = isn(7), seenServer = isn(90);

    static SequenceSpace.Direction isn(long isn) {
        SequenceSpace.Direction d = new SequenceSpace.Direction();
        d.learn(isn);
        return d;
    }

    static Segment seg(long seq, long ack, int flags, int win, List<TcpOption> options, int length) {
        return new Segment(C, S, seq, ack, flags, win, 0, options, new byte[length]);
    }

    PacketFields model(Segment s) {
        return PacketFields.of(s, "E1", "4321", modelClient, modelServer);
    }

    PacketFields seen(Segment s) {
        return PacketFields.of(s, "E1", "4321", seenClient, seenServer);
    }

    /** The model's FIN, seq 1 ack 1 relative, and the same FIN as the observed run numbers it. */
    final Segment modelFin = seg(1001, 5001, TcpFlags.FIN | TcpFlags.ACK, 64, TS, 0);
    final Segment seenFin = seg(8, 91, TcpFlags.FIN | TcpFlags.ACK, 64, TS, 0);

    @Test
    void theSamePacketInOtherSequenceSpacesAgrees() {
        assertEquals(List.of(), model(modelFin).differences(seen(seenFin)));
        assertNull(model(modelFin).firstDifference(seen(seenFin)));
        assertTrue(PacketFields.same(modelFin, modelClient, modelServer, seenFin, seenClient, seenServer));
        assertEquals("E1 > 4321 [F.] seq 1 ack 1 win 64 [nop,nop,TS] len 0", model(modelFin).text());
    }

    @Test
    void everyDifferenceIsNamedInOrderInPacketdrillsWords() {
        Segment other = seg(9, 93, TcpFlags.PSH | TcpFlags.ACK, 65, List.of(), 3);
        List<String> texts = model(modelFin).differences(seen(other)).stream().map(Difference::text).toList();
        assertEquals(List.of("flags: expected [F.] vs actual [P.]", "seq: expected 1 vs actual 2",
                "ack: expected 1 vs actual 3", "win: expected 64 vs actual 65", "options: expected [nop,nop,TS] vs actual []",
                "length: expected 0 vs actual 3"), texts);
        assertEquals("packet 5 field flags: expected [F.] vs actual [P.]", Divergence.field(Divergence.Kind.DIFFERENT,
                0, "packet 5", model(modelFin).firstDifference(seen(other)), null, null).text());
    }

    @Test
    void theDirectionComesFirstAndAckCountsOnlyWithTheAckBit() {
        PacketFields back = PacketFields.of(modelFin, "4321", "E1", modelClient, modelServer);
        assertEquals("direction: expected E1 > 4321 vs actual 4321 > E1",
                model(modelFin).firstDifference(back).text());
        // An RST without ACK: its ack field is not compared, and flags name the difference.
        Segment rst = seg(8, 12345, TcpFlags.RST, 0, List.of(), 0);
        PacketFields r = seen(rst);
        assertEquals("-", r.field("ack"));
        assertEquals("E1 > 4321 [R] seq 1 win 0 len 0", r.text());
        assertEquals(List.of(new Difference("flags", "[R]", "[F.]"), new Difference("win", "0", "64"),
                new Difference("options", "[]", "[nop,nop,TS]")), r.differences(seen(seenFin)));
        assertEquals(List.of(), r.differences(seen(seg(8, 999, TcpFlags.RST, 0, List.of(), 0))));
    }

    @Test
    void onlyOptionKindsAreComparedNotTheirValues() {
        Segment otherTs = seg(8, 91, TcpFlags.FIN | TcpFlags.ACK, 64,
                List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(77, 88)), 0);
        assertEquals(List.of(), model(modelFin).differences(seen(otherTs)));
        assertFalse(model(modelFin).pureAck());
        assertTrue(seen(seg(8, 91, TcpFlags.ACK, 64, TS, 0)).pureAck());
    }

    /** {@link PacketFields#same} decides as {@link PacketFields#differences} finds, field by field. */
    @Test
    void theQuickDecisionAgreesWithTheDifferences() {
        List<Segment> seen = new ArrayList<>();
        for (int flags : new int[] {TcpFlags.FIN | TcpFlags.ACK, TcpFlags.ACK, TcpFlags.RST, TcpFlags.FIN}) {
            for (long seq : new long[] {8, 9}) {
                for (long ack : new long[] {91, 92}) {
                    for (int win : new int[] {64, 65}) {
                        for (List<TcpOption> o : List.of(TS, List.<TcpOption>of())) {
                            for (int len : new int[] {0, 1}) seen.add(seg(seq, ack, flags, win, o, len));
                        }
                    }
                }
            }
        }
        for (Segment model : List.of(modelFin, seg(1001, 5001, TcpFlags.FIN, 64, TS, 0))) {
            for (Segment s : seen) {
                boolean same = PacketFields.same(model, modelClient, modelServer, s, seenClient, seenServer);
                assertEquals(model(model).differences(seen(s)).isEmpty(), same, s.toString());
            }
        }
    }
}
