package io.tcpsim.model;

import io.tcpsim.backend.TcpState;
import static io.tcpsim.model.Harness.SERVER;
import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import java.util.List;
import org.junit.jupiter.api.Test;

/** netstat -tn rows: get_tcp4_sock / get_timewait4_sock ([M§20], [M§6]). */
class NetstatTest {

    /** [M§20]: the FIN counts 1 in Recv-Q in CLOSE_WAIT (1; 4 for 3 bytes + FIN); 0 after the EOF is read. */
    @Test
    void finCountsOneInRecvQ() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "abc", 0));
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_WR));
        h.sleepMs(100);
        assertEquals(4, h.row(TcpState.CLOSE_WAIT).recvQ());
        assertEquals("abc", h.read(e[2], 3)); // exactly the data: the FIN stays queued (loop ends at len 0)
        assertEquals(1, h.row(TcpState.CLOSE_WAIT).recvQ());
        assertEquals(0, h.call(Harness.recv(e[2], 10, 0)).value());
        assertEquals(0, h.row(TcpState.CLOSE_WAIT).recvQ());
    }

    /** [M§20]: FIN_WAIT1 with an unacked FIN shows Send-Q 1 (peer's delayed ACK pending). */
    @Test
    void finCountsOneInSendQ() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "hello", 0));
        h.read(e[2], 10);
        h.ok(new Call.Shutdown(e[1], Bits.SHUT_WR));
        NetstatRow r = h.row(TcpState.FIN_WAIT1);
        assertEquals(0, r.recvQ());
        assertEquals(1, r.sendQ());
    }

    /** [M§20] / [M§6]: SYN_SENT shows Send-Q 1; the listener's Recv-Q is the accept-queue length, Send-Q 0. */
    @Test
    void synCountsOneInSendQ() {
        Harness h = new Harness();
        h.synSent();
        assertEquals(List.of("LISTEN 1 0", "ESTABLISHED 0 0", "ESTABLISHED 0 0", "SYN_SENT 0 1"), h.netstatBrief());
    }

    /** [M§20]: unread data is Recv-Q. */
    @Test
    void unreadDataIsRecvQ() {
        Harness h = new Harness();
        int[] e = h.established();
        h.ok(send(e[1], "hello", 0));
        assertEquals(List.of("LISTEN 0 0", "ESTABLISHED 0 0", "ESTABLISHED 5 0"), h.netstatBrief());
    }

    /** [M§20], [M§14]: CLOSE sockets are never listed: after an RST, after a refusal, after shutdown in SYN_SENT. */
    @Test
    void closeSocketsAreNotListed() {
        Harness h = new Harness();
        int[] e = h.established();
        h.linger(e[2], 1, 0);
        h.ok(new Call.Close(e[2]));
        assertEquals(List.of("LISTEN 0 0"), h.netstatBrief());
        Harness g = new Harness();
        int c = (int) g.ok(new Call.Socket(0));
        g.fails(new Call.Connect(c, SERVER), Errno.ECONNREFUSED);
        assertEquals(List.of(), g.netstatBrief());
        Harness k = new Harness();
        int[] s = k.synSent();
        k.ok(new Call.Shutdown(s[2], Bits.SHUT_RDWR));
        assertEquals(List.of("LISTEN 1 0", "ESTABLISHED 0 0", "ESTABLISHED 0 0"), k.netstatBrief());
    }

    /** [M§21]: TIME_WAIT and orphan FIN_WAIT2 are listed (0 0, inode 0). */
    @Test
    void timewaitSocksAreListed() {
        Harness h = new Harness();
        h.timeWait();
        NetstatRow tw = h.row(TcpState.TIME_WAIT);
        assertEquals(0, tw.recvQ());
        assertEquals(0, tw.sendQ());
        Harness g = new Harness();
        int[] e = g.established();
        g.ok(new Call.Close(e[1]));
        g.sleepMs(10);
        NetstatRow f = g.row(TcpState.FIN_WAIT2);
        assertEquals(true, f.orphan());
        assertEquals(0, f.sendQ());
    }

    /** [M§20]: header and line format (printf "%-4s  %6ld %6ld %-23s %-23s %-11s"), listener peer 0.0.0.0:*. */
    @Test
    void lineFormat() {
        Harness h = new Harness();
        h.listener();
        assertEquals("Proto Recv-Q Send-Q Local Address           Foreign Address         State      ", NetstatRow.HEADER);
        assertEquals("tcp        0      0 127.0.0.1:4321          0.0.0.0:*               LISTEN     ",
                h.netstat().get(0).format());
    }
}
