package io.tcpsim.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceSpaceTest {
    static final SockAddr C = SockAddr.loopback(52888), S = SockAddr.loopback(4321);

    static Segment seg(SockAddr from, SockAddr to, long seq, long ack, int flags) {
        return new Segment(from, to, seq, ack, flags, 64, 0, List.of(), new byte[0]);
    }

    @Test
    void aNumberIsRelativeToItsSendersIsnModulo2To32() {
        SequenceSpace.Direction d = new SequenceSpace.Direction();
        assertFalse(d.known());
        assertEquals(-1, d.isn());
        assertEquals(4_000_000_000L, d.relative(4_000_000_000L)); // absolute until the ISN is known
        d.learn(4_294_967_290L);
        assertTrue(d.known());
        assertEquals(0, d.relative(4_294_967_290L));
        assertEquals(7, d.relative(1)); // wrapped past 2^32
    }

    @Test
    void eachSidesSynGivesItsDirectionAndALaterSynReplacesIt() {
        SequenceSpace space = new SequenceSpace();
        space.see(seg(C, S, 1000, 0, TcpFlags.SYN));
        space.see(seg(S, C, 5000, 1001, TcpFlags.SYN | TcpFlags.ACK));
        space.see(seg(C, S, 1001, 5001, TcpFlags.ACK)); // not a SYN: learns nothing
        Segment data = seg(C, S, 1001, 5001, TcpFlags.PSH | TcpFlags.ACK);
        assertEquals(1, space.seq(data));
        assertEquals(1, space.ack(data));
        assertEquals(1000, space.find(C, S).isn());
        space.see(seg(C, S, 9000, 0, TcpFlags.SYN)); // a new connection on the same 4-tuple
        assertEquals(2, space.seq(seg(C, S, 9002, 0, TcpFlags.ACK)));
        assertEquals(1, space.ack(seg(C, S, 9001, 5001, TcpFlags.ACK)), "the server's direction keeps its ISN");
    }

    @Test
    void aSideWhoseSynWasNeverSeenStaysAbsolute() {
        SequenceSpace space = new SequenceSpace();
        space.see(seg(C, S, 1000, 0, TcpFlags.SYN));
        // The RST/ACK from a port nobody listens on: seq 0, ack ISN+1.
        Segment rst = seg(S, C, 0, 1001, TcpFlags.RST | TcpFlags.ACK);
        assertEquals(0, space.seq(rst));
        assertEquals(1, space.ack(rst));
        assertNull(space.find(S, C));
        space.clear();
        assertEquals(1001, space.ack(rst));
    }
}
