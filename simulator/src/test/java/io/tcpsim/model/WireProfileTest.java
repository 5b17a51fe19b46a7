package io.tcpsim.model;

import static io.tcpsim.model.Harness.SERVER;
import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.calls.Call;
import io.tcpsim.wire.Packet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loopback wire values: [M§19] (tcp_select_initial_window, tcp_openreq_init_rwin, TS clock), exp8. */
class WireProfileTest {

    private static List<String> handshake(Profile p) {
        Harness h = new Harness(p, 1);
        h.listener();
        int c = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c, SERVER));
        return h.take();
    }

    /** [M§19]: MSS 65495 both ways, SYN win 65495, SYN-ACK 65483, wscale 10, sackOK; win 64 after the handshake. */
    @Test
    void defaultProfile() {
        assertEquals(List.of(
                "C>S [S] seq ISN win 65495 [mss 65495,sackOK,TS,nop,wscale 10] len 0",
                "S>C [S.] seq ISN ack 1 win 65483 [mss 65495,sackOK,TS,nop,wscale 10] len 0",
                "C>S [.] seq 1 ack 1 win 64 [nop,nop,TS] len 0"), handshake(Profile.linux6()));
    }

    /**
     * [M§19], measured with tcp_rmem[2] = 6291456: wscale = ilog2(max(tcp_rmem[2], rmem_max)) - 15: with 6291456 it is 7,
     * and the window after the handshake is ALIGN(65483, 128) >> 7 = 512.
     */
    @Test
    void olderRmemGivesWscale7() {
        Profile p = Profile.linux6().with("tcp_rmem_max", "6291456");
        assertEquals(List.of(
                "C>S [S] seq ISN win 65495 [mss 65495,sackOK,TS,nop,wscale 7] len 0",
                "S>C [S.] seq ISN ack 1 win 65483 [mss 65495,sackOK,TS,nop,wscale 7] len 0",
                "C>S [.] seq 1 ack 1 win 512 [nop,nop,TS] len 0"), handshake(p));
    }

    /** exp8: the TS clock is 1 kHz: data 1000 ms apart advances TS val by 1000 (measured 1001 for 1000.331 ms). */
    @Test
    void timestampClockIsMilliseconds() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "a", 0));
        h.sleepMs(1000);
        h.ok(send(e[1], "b", 0));
        List<Packet> raw = h.raw();
        long d = raw.get(2).segment().timestamps().val() - raw.get(0).segment().timestamps().val();
        assertTrue(d >= 1000 && d <= 1001, "TS advanced " + d);
    }

    /** [M§8]: TS offsets are random per connection and per direction. */
    @Test
    void timestampOffsetsPerConnectionAndDirection() {
        Harness h = new Harness();
        h.listener();
        int c1 = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c1, SERVER));
        h.ok(new Call.Accept(3, 0));
        int c2 = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c2, SERVER));
        List<Packet> raw = h.raw();
        long syn1 = raw.get(0).segment().timestamps().val(), synack1 = raw.get(1).segment().timestamps().val();
        long syn2 = raw.get(3).segment().timestamps().val(), synack2 = raw.get(4).segment().timestamps().val();
        assertTrue(Math.abs(syn1 - synack1) > 1000, "directions differ");
        assertTrue(Math.abs(syn1 - syn2) > 1000, "connections differ (client)");
        assertTrue(Math.abs(synack1 - synack2) > 1000, "connections differ (server)");
    }

    /** exp3: the raw window does not shrink with small unread data (1, 10, 100 bytes -> win 64). */
    @Test
    void windowStays64WithSmallUnreadData() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "x".repeat(100), 0));
        assertEquals(List.of(
                "C>S [P.] seq 1:101 ack 1 win 64 [nop,nop,TS] len 100",
                "S>C [.] seq 1 ack 101 win 64 [nop,nop,TS] len 0"), h.take());
    }

    /** exp3: 1000 unread bytes -> the ACK says win 69 (rcv_ssthresh growth), and close() then sends [R.] win 69. */
    @Test
    void windowGrowsTo69After1000Bytes() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "x".repeat(1000), 0));
        assertEquals(List.of(
                "C>S [P.] seq 1:1001 ack 1 win 64 [nop,nop,TS] len 1000",
                "S>C [.] seq 1 ack 1001 win 69 [nop,nop,TS] len 0"), h.take());
        h.ok(new Call.Close(e[2]));
        assertEquals(List.of("S>C [R.] seq 1 ack 1001 win 69 [nop,nop,TS] len 0"), h.take());
    }
}
