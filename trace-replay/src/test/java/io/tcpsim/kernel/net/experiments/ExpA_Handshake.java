package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * (a) SYN and SYN-ACK options, windows and window scale on veth at MTU 1500 with 25 ms one way, and the size of
 * data segments: connect, the client sends 5000 bytes, the server reads them and sends 3000 back. 3 runs.
 * Output: results/expA-handshake.txt.
 */
public final class ExpA_Handshake {
    public static void main(String[] args) {
        List<String> out = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            try (Trial t = new Trial(25, Map.of())) {
                int l = Sockets.listener(t.b, Lab.PORT);
                int c = t.a.call(() -> Sockets.socket(0));
                int rc = t.a.call(() -> Sockets.connect(c, new SockAddr(t.b.ip(), Lab.PORT)));
                t.note("A", "connect = " + rc);
                int s = t.b.call(() -> Sockets.accept(l));
                t.note("A", "TCP_MAXSEG = " + t.a.call(() -> Sockets.getInt(c, Sockets.IPPROTO_TCP, Sockets.TCP_MAXSEG))
                        + ", B TCP_MAXSEG = " + t.b.call(() -> Sockets.getInt(s, Sockets.IPPROTO_TCP, Sockets.TCP_MAXSEG)));
                t.a.call(() -> Sockets.send(c, new byte[5000]));
                Lab.sleepMillis(100);
                t.b.call(() -> Sockets.recv(s, 8192, 0));
                t.b.call(() -> Sockets.send(s, new byte[3000]));
                Lab.sleepMillis(200);
                out.add("## run " + run);
                out.addAll(t.listing());
                out.add("# ss -tin on A:");
                t.a.run("ss", "-tin").lines().forEach(x -> out.add("#   " + x));
                out.add("# ss -tin on B:");
                t.b.run("ss", "-tin").lines().forEach(x -> out.add("#   " + x));
                t.a.call(() -> { Sockets.close(c); return null; });
                t.b.call(() -> { Sockets.close(s); Sockets.close(l); return null; });
            }
        }
        out.forEach(System.out::println);
        Lab.write("expA-handshake.txt", out);
    }
}
