package io.tcpsim.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.TextOutput;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The out-of-order queue, SACK, RACK, PRR and the congestion window on two hosts (OfoQueue, Recovery, Congestion):
 * exact packets, each list the model's output that the two-host kernel confirmed (traces/scenarios/network:
 * lost-segment-with-more-behind, lost-two-data-segments, lost-last-segment; kernel-measurements.md section 31).
 */
class LossRecoveryTest {

    /** Time (us), direction, flags, relative seq range or ack, window and SACK blocks of every packet. */
    static List<String> packets(RunLog log) {
        List<String> out = new ArrayList<>();
        long cIsn = -1, sIsn = -1;
        for (Packet p : log.packets()) {
            Segment s = p.segment();
            boolean c = s.src().toString().startsWith("10.0.1.1");
            if (s.has(TcpFlags.SYN)) {
                if (c) cIsn = s.seq();
                else sIsn = s.seq();
                continue;
            }
            long base = c ? cIsn : sIsn, peer = c ? sIsn : cIsn;
            StringBuilder b = new StringBuilder().append(p.timeNanos() / 1000).append(c ? " C>S [" : " S>C [")
                    .append(TcpFlags.tcpdump(s.flags())).append("] ");
            if (s.length() > 0) b.append((s.seq() - base) & 0xffffffffL).append(':').append((s.seq() - base + s.length()) & 0xffffffffL);
            else b.append("ack ").append((s.ack() - peer) & 0xffffffffL);
            b.append(" win ").append(s.window());
            for (TcpOption o : s.options())
                if (o instanceof TcpOption.Sack sack)
                    for (long[] bl : sack.blocks()) b.append(" sack ").append((bl[0] - peer) & 0xffffffffL).append(':').append((bl[1] - peer) & 0xffffffffL);
            out.add(b.toString());
        }
        return out;
    }

    static final String TEN_SEGMENTS = """
              - 'client: setsockopt(c, TCP_NODELAY, 1) = 0'
              - link drop %d client>server data
              - 'client: send(c, 14480) = 14480'
              - 'server: recv(s, 14480, MSG_WAITALL) = 14480'
              - sleep 100ms
            """;

    @Test
    void theFirstOfTenLostIsSentAgainOnTheThirdDuplicateAck() throws Exception {
        RunLog log = TwoHostsTest.run(TwoHostsTest.HEAD + "steps:\n" + TwoHostsTest.CONNECT + TEN_SEGMENTS.formatted(1), 1);
        assertTrue(log.ok(), () -> String.join("\n", new TextOutput(log.script()).lines(log.lines())));
        assertEquals(List.of(
                "50000 C>S [.] ack 1 win 63",
                // Ten segments in GSO bursts of two (PSH on each burst's last); the first is lost on the link.
                "75000 C>S [.] 1:1449 win 63", "75000 C>S [P.] 1449:2897 win 63",
                "75000 C>S [.] 2897:4345 win 63", "75000 C>S [P.] 4345:5793 win 63",
                "75000 C>S [.] 5793:7241 win 63", "75000 C>S [P.] 7241:8689 win 63",
                "75000 C>S [.] 8689:10137 win 63", "75000 C>S [P.] 10137:11585 win 63",
                "75000 C>S [.] 11585:13033 win 63", "75000 C>S [P.] 13033:14481 win 63",
                // Duplicate ACKs with one SACK block: at once while the window grows (quick ACK), then three more
                // (the fast retransmit threshold), then the last two compressed into one 1 ms later.
                "100000 S>C [.] ack 1 win 67 sack 1449:2897", "100000 S>C [.] ack 1 win 70 sack 1449:4345",
                "100000 S>C [.] ack 1 win 73 sack 1449:5793", "100000 S>C [.] ack 1 win 75 sack 1449:7241",
                "100000 S>C [.] ack 1 win 75 sack 1449:8689", "100000 S>C [.] ack 1 win 75 sack 1449:10137",
                "100000 S>C [.] ack 1 win 75 sack 1449:11585", "101000 S>C [.] ack 1 win 75 sack 1449:14481",
                // RACK marks the first lost on the third duplicate ACK (three SACKed: no reordering window).
                "125000 C>S [.] 1:1449 win 63",
                // The hole filled: an ACK at once.
                "150000 S>C [.] ack 14481 win 66"), packets(log));
    }

    @Test
    void twoLostOfTenGoAgainTogether() throws Exception {
        RunLog log = TwoHostsTest.run(TwoHostsTest.HEAD + "steps:\n" + TwoHostsTest.CONNECT + TEN_SEGMENTS.formatted(2), 1);
        assertTrue(log.ok(), () -> String.join("\n", new TextOutput(log.script()).lines(log.lines())));
        List<String> p = packets(log);
        // PRR lets both go on the third duplicate ACK, without the PSH of their first transmission's burst.
        assertEquals(List.of("125000 C>S [.] 1:1449 win 63", "125000 C>S [.] 1449:2897 win 63",
                "150000 S>C [.] ack 1449 win 74 sack 2897:14481", "150000 S>C [.] ack 14481 win 66"), p.subList(p.size() - 4, p.size()));
    }

    @Test
    void aSeededLossIsTheSameForTheSameSeedAndAnotherForAnother() throws Exception {
        String script = TwoHostsTest.HEAD.replace("delay: 25ms", "delay: 25ms\n  loss: 5%") + """
                sysctl:
                  net.ipv4.tcp_rmem: 4096 4194304 8388608
                  net.ipv4.tcp_wmem: 4096 4194304 8388608
                steps:
                """ + TwoHostsTest.CONNECT + """
                  - 'client: send(c, 300000) = 300000'
                  - 'server: recv(s, 300000, MSG_WAITALL) = 300000'
                """;
        RunLog a = TwoHostsTest.run(script, 7), b = TwoHostsTest.run(script, 7), c = TwoHostsTest.run(script, 8);
        assertTrue(a.ok(), () -> String.join("\n", new TextOutput(a.script()).lines(a.lines())));
        assertEquals(packets(a), packets(b));
        assertNotEquals(packets(a), packets(c));
        long lost = a.lines().stream().filter(l -> l instanceof LogLine.LostLine).count();
        assertTrue(lost > 0, "5% of a few hundred packets");
    }
}
