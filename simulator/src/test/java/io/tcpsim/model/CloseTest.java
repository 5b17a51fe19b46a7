package io.tcpsim.model;

import io.tcpsim.backend.TcpState;
import static io.tcpsim.model.Harness.recv;
import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.wire.Packet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Normal close: tcp.c __tcp_close / tcp_close_state, tcp_fin, tcp_time_wait ([M§15], [M§20]-[M§22]). */
class CloseTest {

    private static Profile finTimeout(String s) {
        return Profile.linux6().with("tcp_fin_timeout", s);
    }

    /**
     * FIN both ways, client first, no data ever: [F.] seq 1 ack 1; the ACK of a FIN on a socket that never received
     * data leaves on the next tick, 0-4 ms (exp1 scenario C: 0.199-3.958 ms); the server's FIN is ACKed at once by
     * the FIN_WAIT2 side ([M§22]: a FIN that reaches FIN_WAIT2 is ACKed at once, then TIME_WAIT).
     */
    @Test
    void finBothWaysClientFirst() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(new Call.Close(e[1]));
        h.sleepMs(10);
        List<Packet> raw = h.raw();
        assertEquals(List.of(
                "C>S [F.] seq 1 ack 1 win 64 [nop,nop,TS] len 0",
                "S>C [.] seq 1 ack 2 win 64 [nop,nop,TS] len 0"), h.take());
        double d = Harness.ms(raw.get(0), raw.get(1));
        assertTrue(d > 0 && d <= 4.1, "ACK of FIN after " + d + " ms");
        assertEquals(0, h.call(recv(e[2], 10, 0)).value());
        h.ok(new Call.Close(e[2]));
        raw = h.raw();
        assertEquals(List.of(
                "S>C [F.] seq 1 ack 2 win 64 [nop,nop,TS] len 0",
                "C>S [.] seq 2 ack 2 win 64 [nop,nop,TS] len 0"), h.take());
        assertTrue(Harness.ms(raw.get(0), raw.get(1)) < 0.1, "TIME_WAIT ACK is immediate");
        assertEquals(List.of("LISTEN 0 0", "TIME_WAIT 0 0"), h.netstatBrief());
    }

    /**
     * [M§1] scenario B: a FIN arriving at a socket that had received data is ACKed 40-44 ms later
     * (tcp_fin -> inet_csk_enter_pingpong_mode, tcp_send_delayed_ack with ato 40 ms).
     */
    @Test
    void finAfterDataIsAckedAfterDelayedAckTimeout() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "hello", 0));
        assertEquals("hello", h.read(e[2], 10));
        h.clear();
        h.ok(new Call.Close(e[1]));
        h.sleepMs(100);
        List<Packet> raw = h.raw();
        assertEquals(List.of(
                "C>S [F.] seq 6 ack 1 win 64 [nop,nop,TS] len 0",
                "S>C [.] seq 1 ack 7 win 64 [nop,nop,TS] len 0"), h.take());
        double d = Harness.ms(raw.get(0), raw.get(1));
        assertTrue(d > 40 && d <= 44.1, "ACK of FIN after " + d + " ms");
    }

    /**
     * [M§22]: "if the application closes before the timer fires, the ACK rides on its FIN -> a 3-packet close"
     * ([F.], [F.] ack=FIN+1, [.]; observed 145 us apart).
     */
    @Test
    void threePacketCloseWhenPeerClosesBeforeDelayedAck() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "hello", 0));
        assertEquals("hello", h.read(e[2], 10));
        h.clear();
        h.ok(new Call.Close(e[1]));
        assertEquals(0, h.call(recv(e[2], 10, 0)).value());
        h.ok(new Call.Close(e[2]));
        h.sleepMs(100);
        assertEquals(List.of(
                "C>S [F.] seq 6 ack 1 win 64 [nop,nop,TS] len 0",
                "S>C [F.] seq 1 ack 7 win 64 [nop,nop,TS] len 0",
                "C>S [.] seq 7 ack 2 win 64 [nop,nop,TS] len 0"), h.take());
    }

    /**
     * Half-close ([M§14], [M§15] last row): after shutdown(SHUT_WR) the FIN leaves at once; data from the peer in
     * FIN_WAIT2 is queued, ACKed immediately while in quickack, and readable; the peer reads 0.
     */
    @Test
    void halfCloseStillReceives() {
        Harness h = new Harness();
        int[] e = h.closeWait();
        assertEquals(0, h.call(recv(e[2], 10, 0)).value());
        h.ok(send(e[2], "world", 0));
        assertEquals(List.of(
                "S>C [P.] seq 1:6 ack 2 win 64 [nop,nop,TS] len 5",
                "C>S [.] seq 2 ack 6 win 64 [nop,nop,TS] len 0"), h.take());
        assertEquals("world", h.read(e[1], 10));
    }

    /**
     * [M§12], [M§21]: TIME_WAIT is armed for TCP_TIMEWAIT_LEN = 60 s and netstat lists it with "timewait (59.9x/0/0)"; the
     * timer wheel rounds a 15000-jiffy timer up to its 2.048 s granularity, so it is gone 60.6–61.9 s later
     * (kernel-measurements.md section 12: 61.150, 61.903, 60.579 s).
     */
    @Test
    void timeWaitLastsSixtySeconds() {
        Harness h = new Harness();
        h.timeWait();
        NetstatRow tw = h.row(TcpState.TIME_WAIT);
        assertEquals(TcpState.TIME_WAIT, tw.state());
        assertTrue(tw.timer().startsWith("timewait (59.9") || tw.timer().startsWith("timewait (60.0"), tw.timer());
        assertTrue(tw.orphan());
        h.sleepMs(59_900);
        assertEquals(List.of("LISTEN 0 0", "TIME_WAIT 0 0"), h.netstatBrief());
        h.sleepMs(2_200);
        assertEquals(List.of("LISTEN 0 0"), h.netstatBrief());
        assertEquals(List.of(), h.take(), "TIME_WAIT ends silently");
    }

    /** tcp_time_wait [SRC]: tcp_fin_timeout does not change TIME_WAIT (TCP_TIMEWAIT_LEN is a compile-time constant). */
    @Test
    void timeWaitIgnoresFinTimeout() {
        Harness h = new Harness(finTimeout("10"), 1);
        h.timeWait();
        h.sleepMs(30_000);
        assertEquals(List.of("LISTEN 0 0", "TIME_WAIT 0 0"), h.netstatBrief());
        h.sleepMs(32_200); // 60 s plus the timer wheel's rounding (section 12)
        assertEquals(List.of("LISTEN 0 0"), h.netstatBrief());
    }

    /**
     * [M§21]: an orphan in FIN_WAIT2 becomes a timewait minisock with substate FIN_WAIT2 for tcp_fin_timeout
     * (60 s): netstat FIN_WAIT2, inode 0, "timewait (59.94/0/0)"; then disappears silently (no TIME_WAIT), after
     * the timer wheel's rounding of a 60 s timer (up to 2.048 s, kernel-measurements.md section 12).
     */
    @Test
    void orphanFinWait2TimesOutAfterFinTimeout() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(new Call.Close(e[1]));
        h.sleepMs(10);
        h.clear();
        NetstatRow row = h.row(TcpState.FIN_WAIT2);
        assertEquals(TcpState.FIN_WAIT2, row.state());
        assertTrue(row.orphan());
        assertTrue(row.timer().startsWith("timewait (59.9") || row.timer().startsWith("timewait (60.00"), row.timer());
        h.sleepMs(59_900);
        h.row(TcpState.FIN_WAIT2);
        h.sleepMs(2_200);
        assertEquals(List.of("LISTEN 0 0", "CLOSE_WAIT 1 0"), h.netstatBrief());
        assertEquals(List.of(), h.take());
    }

    /** tcp_fin_time [SRC]: tmo = tcp_fin_timeout (here 10 s), at least 3.5 RTO; a 2500-jiffy timer rounds up by up to 256 ms. */
    @Test
    void orphanFinWait2FollowsTcpFinTimeout() {
        Harness h = new Harness(finTimeout("10"), 1);
        int[] e = h.established();
        h.ok(new Call.Close(e[1]));
        h.sleepMs(9_900);
        h.row(TcpState.FIN_WAIT2);
        h.sleepMs(400);
        assertEquals(List.of("LISTEN 0 0", "CLOSE_WAIT 1 0"), h.netstatBrief());
    }

    /** [M§21]: the peer's FIN reaching an orphan FIN_WAIT2: immediate ACK, substate TIME_WAIT, timer re-armed to 60 s. */
    @Test
    void orphanFinWait2GetsFinAndEntersTimeWait() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(new Call.Close(e[1]));
        h.sleepMs(30_000);
        h.clear();
        h.ok(new Call.Close(e[2]));
        assertEquals(List.of(
                "S>C [F.] seq 1 ack 2 win 64 [nop,nop,TS] len 0",
                "C>S [.] seq 2 ack 2 win 64 [nop,nop,TS] len 0"), h.take());
        NetstatRow row = h.row(TcpState.TIME_WAIT);
        assertTrue(row.timer().startsWith("timewait (59.9") || row.timer().startsWith("timewait (60.0"), row.timer());
        h.sleepMs(59_000);
        h.row(TcpState.TIME_WAIT);
    }

    /** [M§21]: a non-orphan FIN_WAIT2 (SHUT_WR, fd open) has no timer and lasts indefinitely. */
    @Test
    void nonOrphanFinWait2NeverTimesOut() {
        Harness h = new Harness();
        h.finWait2();
        NetstatRow row = h.row(TcpState.FIN_WAIT2);
        assertEquals(TcpState.FIN_WAIT2, row.state());
        assertTrue(!row.orphan());
        h.sleepMs(1_000_000);
        assertEquals(List.of("LISTEN 0 0", "CLOSE_WAIT 1 0", "FIN_WAIT2 0 0"), h.netstatBrief());
        assertEquals(List.of(), h.take());
    }

    /** [M§15]: an unread FIN alone does not count as unread data, so close() sends a normal FIN, not an RST. */
    @Test
    void unreadFinAloneStillClosesWithFin() {
        Harness h = new Harness();
        int[] e = h.closeWait();
        h.ok(new Call.Close(e[2]));
        assertEquals(List.of(
                "S>C [F.] seq 1 ack 2 win 64 [nop,nop,TS] len 0",
                "C>S [.] seq 2 ack 2 win 64 [nop,nop,TS] len 0"), h.take());
    }

    /** [M§20]: close() of the last socket, LAST_ACK then gone; the closer of the second FIN is not listed. */
    @Test
    void lastAckSideDisappearsAfterFinalAck() {
        Harness h = new Harness();
        int[] e = h.closeWait();
        h.ok(new Call.Close(e[2]));
        assertEquals(List.of("LISTEN 0 0", "TIME_WAIT 0 0"), h.netstatBrief());
    }

    /** [M§14]: close() in SYN_SENT goes to CLOSE with no packet and the socket leaves netstat. */
    @Test
    void closeInSynSentSendsNothing() {
        Harness h = new Harness();
        int[] s = h.synSent();
        h.ok(new Call.Close(s[2]));
        h.sleepMs(0.5);
        assertEquals(List.of(), h.take());
        assertEquals(List.of("LISTEN 1 0", "ESTABLISHED 0 0", "ESTABLISHED 0 0"), h.netstatBrief());
    }

    /** [M§11] 11g: the fd left behind by TIME_WAIT: recv 0, SO_ERROR 0, send EPIPE, shutdown ENOTCONN. */
    @Test
    void fdAfterTimeWaitHandover() {
        Harness h = new Harness();
        int[] e = h.timeWait();
        assertEquals(0x2155, h.pollNow(e[1]));
        assertEquals(0, h.call(recv(e[1], 10, 0)).value());
        assertEquals(0, h.call(recv(e[1], 10, 0)).value());
        assertEquals(0, h.soError(e[1]));
        var r = h.call(send(e[1], "x", Bits.MSG_NOSIGNAL));
        assertEquals(io.tcpsim.calls.Errno.EPIPE, r.errno());
        assertTrue(!r.sigpipe());
        h.fails(new Call.Shutdown(e[1], Bits.SHUT_RDWR), io.tcpsim.calls.Errno.ENOTCONN);
        h.fails(new Call.Connect(e[1], Harness.SERVER), io.tcpsim.calls.Errno.EISCONN);
    }
}
