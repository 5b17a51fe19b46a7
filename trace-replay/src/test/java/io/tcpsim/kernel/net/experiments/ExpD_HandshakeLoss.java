package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.net.Direction;
import io.tcpsim.backend.LinkCommand;
import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * (d) A lost SYN-ACK and a lost third ACK, 25 ms one way: what each side sends and when, when connect() and accept()
 * return, and B's netstat row (SYN_RECV and its timer) meanwhile.
 * <ul>
 *   <li>one SYN-ACK lost;</li>
 *   <li>every SYN-ACK lost, with tcp_synack_retries=2 on B and TCP_SYNCNT=2 on A; and with the default
 *       tcp_synack_retries (5) and TCP_SYNCNT=1 (so only B keeps sending);</li>
 *   <li>the third ACK lost, the client silent afterwards;</li>
 *   <li>the third ACK lost, the client sends 100 bytes 10 ms after connect() returned.</li>
 * </ul>
 * Output: results/expD-handshake-loss.txt.
 */
public final class ExpD_HandshakeLoss {
    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        out.addAll(run("one SYN-ACK lost", Map.of(), Direction.B_TO_A, LinkCommand.Kind.SYN_ACK, 1, 0, false, 5));
        out.addAll(run("every SYN-ACK lost, tcp_synack_retries=2, TCP_SYNCNT=2", Map.of("net.ipv4.tcp_synack_retries", "2"),
                Direction.B_TO_A, LinkCommand.Kind.SYN_ACK, 1000, 2, false, 20));
        out.addAll(run("every SYN-ACK lost, tcp_synack_retries default (5), TCP_SYNCNT=1", Map.of(),
                Direction.B_TO_A, LinkCommand.Kind.SYN_ACK, 1000, 1, false, 70));
        out.addAll(run("third ACK lost, client silent", Map.of(), Direction.A_TO_B, LinkCommand.Kind.ACK, 1, 0, false, 5));
        out.addAll(run("third ACK lost, client sends 100 bytes", Map.of(), Direction.A_TO_B, LinkCommand.Kind.ACK, 1, 0, true, 3));
        out.forEach(System.out::println);
        Lab.write("expD-handshake-loss.txt", out);
    }

    static List<String> run(String title, Map<String, String> sysctls, Direction d, LinkCommand.Kind kind, int count,
            int syncnt, boolean sendData, int seconds) throws Exception {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, sysctls)) {
            int l = Sockets.listener(t.b, Lab.PORT);
            int c = t.a.call(() -> Sockets.socket(0));
            if (syncnt > 0) Sockets.setInt(c, Sockets.IPPROTO_TCP, Sockets.TCP_SYNCNT, syncnt);
            t.net.link().drop(d, kind, count);
            Watch w = new Watch();
            w.netstat(t, t.b, Lab.PORT, 100);
            CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
                var o = t.b.callBounded(() -> Sockets.accept(l), TimeUnit.SECONDS.toNanos(seconds));
                t.note("B", "accept = " + o.value() + (o.signalled() ? " (interrupted at the time limit)" : ""));
            });
            Lab.sleepMillis(50);
            t.note("A", "connect(...) starts");
            int rc = Sockets.connect(c, new SockAddr(t.b.ip(), Lab.PORT));
            t.note("A", "connect = " + (rc == 0 ? "0" : "-1 " + io.tcpsim.calls.Errno.ofNumber(rc)));
            if (sendData && rc == 0) {
                Lab.sleepMillis(10);
                t.note("A", "send 100 = " + Sockets.send(c, new byte[100]));
            }
            try {
                accepted.get(seconds + 1, TimeUnit.SECONDS);
            } catch (Exception e) {
                t.note("B", "accept: " + e);
            }
            Lab.sleepMillis(Math.max(0, seconds * 1000L - (long) t.ms()));
            w.stop();
            out.add("## " + title);
            out.addAll(t.listing());
            Sockets.close(c);
            Sockets.close(l);
        }
        return out;
    }
}
