package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.net.Direction;
import io.tcpsim.backend.LinkCommand;
import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * (d, continued) How a connection waiting for its third ACK shows in the server's socket table: the third ACK is
 * lost, and 300 ms later the server host's /proc/net/tcp (raw lines) and {@code ss -tan} are printed.
 * Output: results/expD2-syn-recv-row.txt.
 */
public final class ExpD2_SynRecvRow {
    public static void main(String[] args) {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, Map.of())) {
            int l = Sockets.listener(t.b, Lab.PORT);
            int c = t.a.call(() -> Sockets.socket(0));
            t.net.link().drop(Direction.A_TO_B, LinkCommand.Kind.ACK, 1);
            Sockets.connect(c, new SockAddr(t.b.ip(), Lab.PORT));
            Lab.sleepMillis(300);
            out.add("# B /proc/net/tcp:");
            t.b.procNetTcp().forEach(x -> out.add("#   " + x));
            out.add("# B ss -tan:");
            t.b.run("ss", "-tan").lines().forEach(x -> out.add("#   " + x));
            out.add("# B netstat rows: " + t.b.netstat());
            Lab.sleepMillis(1000);
            out.add("# after the SYN-ACK retransmission, B ss -tan:");
            t.b.run("ss", "-tan").lines().forEach(x -> out.add("#   " + x));
            out.addAll(t.listing());
            Sockets.close(c);
            Sockets.close(l);
        }
        out.forEach(System.out::println);
        Lab.write("expD2-syn-recv-row.txt", out);
    }
}
