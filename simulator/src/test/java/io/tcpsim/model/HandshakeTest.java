package io.tcpsim.model;

import static io.tcpsim.model.Harness.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.calls.Call;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.TcpOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loopback three-way handshake as measured: docs/kernel-measurements.md section 19. */
class HandshakeTest {

    /**
     * [M§19], its three lines: {@code [S] win 65495 [mss 65495,sackOK,TS,nop,wscale 10]},
     * {@code [S.] ack ISN+1 win 65483 [same]}, {@code [.] ack 1 win 64 [nop,nop,TS]}.
     */
    @Test
    void threeWayHandshakeHasTheMeasuredPackets() {
        Harness h = new Harness();
        int a = h.listener();
        int c = (int) h.ok(new Call.Socket(0));
        assertEquals(0, h.ok(new Call.Connect(c, SERVER)));
        assertEquals(List.of(
                "C>S [S] seq ISN win 65495 [mss 65495,sackOK,TS,nop,wscale 10] len 0",
                "S>C [S.] seq ISN ack 1 win 65483 [mss 65495,sackOK,TS,nop,wscale 10] len 0",
                "C>S [.] seq 1 ack 1 win 64 [nop,nop,TS] len 0"), h.take());
        h.ok(new Call.Accept(a, 0));
        assertEquals(List.of(), h.take(), "accept() sends nothing");
    }

    /** [M§19]: the SYN-ACK's ecr is the SYN's TS val; the SYN's ecr is 0; the third ACK echoes the SYN-ACK. */
    @Test
    void timestampsAreEchoed() {
        Harness h = new Harness();
        h.listener();
        int c = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c, SERVER));
        List<Packet> p = h.raw();
        assertEquals(3, p.size());
        TcpOption.Timestamps syn = p.get(0).segment().timestamps(), synack = p.get(1).segment().timestamps(),
                ack = p.get(2).segment().timestamps();
        assertEquals(0, syn.ecr());
        assertEquals(syn.val(), synack.ecr());
        assertEquals(synack.val(), ack.ecr());
    }

    /** [M§19]: the third ACK goes at once (2-11 us after the SYN-ACK in 60 handshakes). */
    @Test
    void handshakeTakesMicroseconds() {
        Harness h = new Harness();
        h.listener();
        int c = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c, SERVER));
        List<Packet> p = h.raw();
        assertTrue(Harness.ms(p.get(0), p.get(2)) < 1.0, "third ACK " + Harness.ms(p.get(0), p.get(2)) + " ms after SYN");
    }

    /** [M§19]: the SYN-ACK acknowledges ISN+1 of the SYN (absolute check). */
    @Test
    void synAckAcksIsnPlusOne() {
        Harness h = new Harness();
        h.listener();
        int c = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c, SERVER));
        List<Packet> p = h.raw();
        assertEquals((p.get(0).segment().seq() + 1) & 0xffffffffL, p.get(1).segment().ack());
        assertEquals((p.get(1).segment().seq() + 1) & 0xffffffffL, p.get(2).segment().ack());
        assertEquals((p.get(0).segment().seq() + 1) & 0xffffffffL, p.get(2).segment().seq());
    }

    /** [M§20], [M§6]: the accepted child and the client are both ESTABLISHED; the listener Recv-Q counts the queue. */
    @Test
    void netstatAfterHandshakeBeforeAccept() {
        Harness h = new Harness();
        int a = h.listener();
        int c = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c, SERVER));
        assertEquals(List.of("LISTEN 1 0", "ESTABLISHED 0 0", "ESTABLISHED 0 0"), h.netstatBrief());
        h.ok(new Call.Accept(a, 0));
        assertEquals(List.of("LISTEN 0 0", "ESTABLISHED 0 0", "ESTABLISHED 0 0"), h.netstatBrief());
    }
}
