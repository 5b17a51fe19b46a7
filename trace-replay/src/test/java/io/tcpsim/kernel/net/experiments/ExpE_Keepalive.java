package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.LibC;
import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * (e) Keepalive on the client, SO_KEEPALIVE with TCP_KEEPIDLE=2, TCP_KEEPINTVL=1, TCP_KEEPCNT=3, 25 ms one way:
 * the peer alive for 7.5 s; then the link down 1 s after the handshake, until the connection dies. A blocking recv()
 * runs on the client all along; poll and netstat's timer column are sampled. Output: results/expE-keepalive.txt.
 */
public final class ExpE_Keepalive {
    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        out.addAll(run("peer alive", false, 7500));
        out.addAll(run("link down 1 s after the handshake", true, 8000));
        out.forEach(System.out::println);
        Lab.write("expE-keepalive.txt", out);
    }

    static List<String> run(String title, boolean down, long millis) throws Exception {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, Map.of())) {
            int l = Sockets.listener(t.b, Lab.PORT);
            int c = t.a.call(() -> Sockets.socket(0));
            Sockets.setInt(c, LibC.SOL_SOCKET, Sockets.SO_KEEPALIVE, 1);
            Sockets.setInt(c, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPIDLE, 2);
            Sockets.setInt(c, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPINTVL, 1);
            Sockets.setInt(c, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPCNT, 3);
            int rc = Sockets.connect(c, new SockAddr(t.b.ip(), Lab.PORT));
            t.note("A", "connect = " + rc);
            int s = t.b.call(() -> Sockets.accept(l));
            Watch w = new Watch();
            w.poll(t, "A", c);
            w.netstat(t, t.a, Lab.PORT, 250);
            CompletableFuture<Void> recv = CompletableFuture.runAsync(() -> {
                long r = Sockets.recv(c, 100, 0);
                t.note("A", "blocking recv = " + ExpC_Rto.result(r));
            });
            if (down) {
                Lab.sleepMillis(1000);
                t.net.link().down();
                t.note("W", "link down");
            }
            try {
                recv.get(millis, TimeUnit.MILLISECONDS);
                t.note("A", "SO_ERROR = " + ExpC_Rto.err(c) + "; recv = " + ExpC_Rto.result(Sockets.recv(c, 100, 0x40))
                        + "; send = " + ExpC_Rto.result(Sockets.send(c, new byte[1])));
            } catch (java.util.concurrent.TimeoutException e) {
                t.note("A", "recv still blocked");
            }
            Lab.sleepMillis(Math.max(0, millis - (long) t.ms()));
            w.stop();
            out.add("## " + title);
            out.addAll(t.listing());
            Sockets.close(c);
            Sockets.close(s);
            Sockets.close(l);
        }
        return out;
    }
}
