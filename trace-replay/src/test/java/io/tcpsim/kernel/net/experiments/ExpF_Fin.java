package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.net.Direction;
import io.tcpsim.backend.LinkCommand;
import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * (f) FIN_WAIT1 and FIN_WAIT2 on a path with 25 ms one way:
 * <ul>
 *   <li>the client's FIN lost once: shutdown(SHUT_WR) (the socket keeps its descriptor), then close();</li>
 *   <li>an orphan's FIN retransmissions while the link is down: close() with the default tcp_orphan_retries (0,
 *       which tcp_orphan_retries() turns into 8), and with tcp_orphan_retries=2;</li>
 *   <li>an orphan in FIN_WAIT2 (the server never closes): with TCP_LINGER2=3, and with tcp_fin_timeout=5; then the
 *       server sends 1 byte.</li>
 * </ul>
 * B's and A's netstat rows are sampled every 100 ms. Output: results/expF-fin.txt.
 */
public final class ExpF_Fin {
    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        out.addAll(lostFin());
        out.addAll(orphan("orphan FIN_WAIT1, link down, tcp_orphan_retries default (0)", Map.of(), 150));
        out.addAll(orphan("orphan FIN_WAIT1, link down, tcp_orphan_retries=2", Map.of("net.ipv4.tcp_orphan_retries", "2"), 10));
        out.addAll(finWait2("FIN_WAIT2 orphan with TCP_LINGER2=3", Map.of(), 3, 5000));
        out.addAll(finWait2("FIN_WAIT2 orphan with tcp_fin_timeout=5", Map.of("net.ipv4.tcp_fin_timeout", "5"), 0, 7000));
        out.forEach(System.out::println);
        Lab.write("expF-fin.txt", out);
    }

    record Pair(int l, int c, int s) {}

    static Pair connect(Trial t) {
        int l = Sockets.listener(t.b, Lab.PORT);
        int c = t.a.call(() -> Sockets.socket(0));
        int rc = Sockets.connect(c, new SockAddr(t.b.ip(), Lab.PORT));
        if (rc != 0) throw new IllegalStateException("connect " + rc);
        int s = t.b.call(() -> Sockets.accept(l));
        return new Pair(l, c, s);
    }

    static List<String> lostFin() {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, Map.of())) {
            Pair p = connect(t);
            Watch w = new Watch();
            w.netstat(t, t.a, Lab.PORT, 100);
            w.netstat(t, t.b, Lab.PORT, 100);
            t.net.link().drop(Direction.A_TO_B, LinkCommand.Kind.FIN, 1);
            t.note("A", "shutdown(SHUT_WR) = " + io.tcpsim.kernel.LibC.C.shutdown(p.c(), 1));
            Lab.sleepMillis(1000);
            t.note("B", "recv = " + Sockets.recv(p.s(), 100, 0x40));
            Sockets.close(p.s());
            t.note("B", "close");
            Lab.sleepMillis(500);
            w.stop();
            out.add("## the client's FIN lost once (shutdown SHUT_WR)");
            out.addAll(t.listing());
            Sockets.close(p.c());
            Sockets.close(p.l());
        }
        return out;
    }

    static List<String> orphan(String title, Map<String, String> sysctls, int seconds) {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, sysctls)) {
            Pair p = connect(t);
            Watch w = new Watch();
            w.netstat(t, t.a, Lab.PORT, 250);
            t.net.link().down();
            t.note("W", "link down");
            Sockets.close(p.c());
            t.note("A", "close (an orphan now)");
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < deadline
                    && t.a.netstat().stream().anyMatch(r -> r.foreign().port() == Lab.PORT)) {
                Lab.sleepMillis(50);
            }
            t.note("A", "netstat: the orphan is " + (t.a.netstat().isEmpty() ? "gone" : "still there"));
            w.stop();
            out.add("## " + title);
            out.addAll(t.listing());
            Sockets.close(p.s());
            Sockets.close(p.l());
        }
        return out;
    }

    static List<String> finWait2(String title, Map<String, String> sysctls, int linger2, long millis) {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, sysctls)) {
            Pair p = connect(t);
            if (linger2 > 0) Sockets.setInt(p.c(), Sockets.IPPROTO_TCP, Sockets.TCP_LINGER2, linger2);
            Watch w = new Watch();
            w.netstat(t, t.a, Lab.PORT, 100);
            Sockets.close(p.c());
            t.note("A", "close (an orphan now)");
            long deadline = System.nanoTime() + millis * 1_000_000L;
            while (System.nanoTime() < deadline
                    && t.a.netstat().stream().anyMatch(r -> r.foreign().port() == Lab.PORT)) {
                Lab.sleepMillis(20);
            }
            t.note("A", "netstat: the orphan is " + (t.a.netstat().isEmpty() ? "gone" : "still there"));
            Lab.sleepMillis(200);
            t.note("B", "send 1 = " + ExpC_Rto.result(Sockets.send(p.s(), new byte[1])));
            Lab.sleepMillis(200);
            t.note("B", "recv = " + ExpC_Rto.result(Sockets.recv(p.s(), 10, 0x40)) + "; recv = "
                    + ExpC_Rto.result(Sockets.recv(p.s(), 10, 0x40)));
            w.stop();
            out.add("## " + title);
            out.addAll(t.listing());
            Sockets.close(p.s());
            Sockets.close(p.l());
        }
        return out;
    }
}
