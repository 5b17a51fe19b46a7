package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.LibC;
import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * (c) The RTO and giving up, 25 ms one way. Four connections (client ports to server ports 5001..5004) are set up;
 * {@code warm} of them exchange 5 request/response pairs 100 ms apart first (so srtt and rttvar have samples), then
 * the link goes down and each client sends 100 bytes. Each then dies as the kernel decides, and we look at it in a
 * different way:
 * <ul>
 *   <li>5001: a blocking recv() in progress all along: when it returns, with what;</li>
 *   <li>5002: poll sampled every 2 ms and netstat's timer column every 250 ms; after the death SO_ERROR twice,
 *       then recv and send;</li>
 *   <li>5003: after the death, recv(MSG_DONTWAIT) first, then SO_ERROR, then recv again;</li>
 *   <li>5004: after the death, send first, then SO_ERROR, then send again.</li>
 * </ul>
 * Variants: tcp_retries2=4 with the data sent right after the handshake (cold) and after the exchanges (warm);
 * TCP_USER_TIMEOUT=3000 (default retries2). Output: results/expC-rto.txt.
 */
public final class ExpC_Rto {
    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        out.addAll(run("tcp_retries2=4, data right after the handshake", Map.of("net.ipv4.tcp_retries2", "4"), false, 0, 20));
        out.addAll(run("tcp_retries2=4, after 5 exchanges", Map.of("net.ipv4.tcp_retries2", "4"), true, 0, 20));
        out.addAll(run("TCP_USER_TIMEOUT=3000 (tcp_retries2 default 15)", Map.of(), true, 3000, 10));
        out.forEach(System.out::println);
        Lab.write("expC-rto.txt", out);
    }

    static List<String> run(String title, Map<String, String> sysctls, boolean warm, int userTimeout, int seconds)
            throws Exception {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, sysctls)) {
            int[] l = new int[4], c = new int[4], s = new int[4];
            for (int i = 0; i < 4; i++) {
                l[i] = Sockets.listener(t.b, Lab.PORT + i);
                c[i] = t.a.call(() -> Sockets.socket(0));
                int ci = c[i];
                if (userTimeout > 0) Sockets.setInt(ci, Sockets.IPPROTO_TCP, Sockets.TCP_USER_TIMEOUT, userTimeout);
                int port = Lab.PORT + i;
                check(Sockets.connect(ci, new SockAddr(t.b.ip(), port)));
                int li = l[i];
                s[i] = t.b.call(() -> Sockets.accept(li));
            }
            if (warm) {
                for (int k = 0; k < 5; k++) {
                    for (int i = 0; i < 4; i++) Sockets.send(c[i], new byte[100]);
                    Lab.sleepMillis(30);
                    for (int i = 0; i < 4; i++) Sockets.recv(s[i], 1000, 0);
                    for (int i = 0; i < 4; i++) Sockets.send(s[i], new byte[100]);
                    Lab.sleepMillis(70);
                    for (int i = 0; i < 4; i++) Sockets.recv(c[i], 1000, 0);
                }
            }
            t.note("A", "ss before: " + ssLine(t, Lab.PORT + 1));
            Watch w = new Watch();
            CompletableFuture<Void> blockedRecv = CompletableFuture.runAsync(() -> {
                t.note("A 5001", "recv(...) blocking starts");
                long r = Sockets.recv(c[0], 1000, 0);
                t.note("A 5001", "recv = " + result(r));
            });
            Lab.sleepMillis(20);
            t.net.link().down();
            t.note("W", "link down");
            for (int i = 0; i < 4; i++) t.note("A " + (Lab.PORT + i), "send 100 = " + result(Sockets.send(c[i], new byte[100])));
            w.poll(t, "A 5002", c[1]);
            w.netstat(t, t.a, Lab.PORT + 1, 250);
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while ((Sockets.poll(c[1], Sockets.POLLIN, 0) & Sockets.POLLERR) == 0 && System.nanoTime() < deadline) {
                Lab.sleepMillis(1);
            }
            t.note("A 5002", "saw POLLERR; SO_ERROR = " + err(c[1]) + " then " + err(c[1]) + "; recv = "
                    + result(Sockets.recv(c[1], 1000, 0x40)) + "; send = " + result(Sockets.send(c[1], new byte[1])));
            while ((Sockets.poll(c[2], Sockets.POLLIN, 0) & Sockets.POLLERR) == 0 && System.nanoTime() < deadline) {
                Lab.sleepMillis(1);
            }
            t.note("A 5003", "recv = " + result(Sockets.recv(c[2], 1000, 0x40)) + "; SO_ERROR = " + err(c[2])
                    + "; recv = " + result(Sockets.recv(c[2], 1000, 0x40)));
            while ((Sockets.poll(c[3], Sockets.POLLIN, 0) & Sockets.POLLERR) == 0 && System.nanoTime() < deadline) {
                Lab.sleepMillis(1);
            }
            t.note("A 5004", "send = " + result(Sockets.send(c[3], new byte[1])) + "; SO_ERROR = " + err(c[3])
                    + "; send = " + result(Sockets.send(c[3], new byte[1])));
            Lab.sleepMillis(300);
            blockedRecv.get(5, java.util.concurrent.TimeUnit.SECONDS);
            w.stop();
            t.note("A", "poll 5002 after = " + Watch.mask(Sockets.poll(c[1], 0x2005, 0)));
            out.add("## " + title);
            out.addAll(t.listing());
            for (int i = 0; i < 4; i++) {
                Sockets.close(c[i]);
                Sockets.close(s[i]);
                Sockets.close(l[i]);
            }
        }
        return out;
    }

    static String ssLine(Trial t, int port) {
        for (String line : t.a.run("ss", "-tin", "dport", "= :" + port).lines().toList()) {
            if (line.contains("rto:")) return line.strip();
        }
        return "?";
    }

    static int err(int fd) {
        return Sockets.getInt(fd, LibC.SOL_SOCKET, Sockets.SO_ERROR);
    }

    static String result(long r) {
        return r >= 0 ? Long.toString(r) : "-1 " + io.tcpsim.calls.Errno.ofNumber((int) -r);
    }

    static void check(int rc) {
        if (rc != 0) throw new IllegalStateException("connect: errno " + rc);
    }
}
