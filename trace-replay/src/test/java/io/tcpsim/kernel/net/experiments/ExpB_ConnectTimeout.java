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
 * (b) connect() to a silent peer (the link is down from the start; 25 ms one way): the SYN retransmissions with the
 * default tcp_syn_retries (6), with tcp_syn_retries=2, and with TCP_SYNCNT=1 on the socket; when connect() fails and
 * with what; what poll and SO_ERROR show for a non-blocking connect meanwhile and after.
 * In each case two sockets: one blocking connect (its return time and errno), one non-blocking (poll sampled every
 * 2 ms, netstat every 100 ms, SO_ERROR read twice at the end).
 * Output: results/expB-connect-timeout.txt. Takes ~2.5 min (the default gives up after 127 s).
 */
public final class ExpB_ConnectTimeout {
    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        out.addAll(run("default tcp_syn_retries (6)", Map.of(), 0, 140));
        out.addAll(run("tcp_syn_retries=2", Map.of("net.ipv4.tcp_syn_retries", "2"), 0, 12));
        out.addAll(run("TCP_SYNCNT=1", Map.of(), 1, 8));
        out.forEach(System.out::println);
        Lab.write("expB-connect-timeout.txt", out);
    }

    static List<String> run(String title, Map<String, String> sysctls, int syncnt, int seconds) throws Exception {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, sysctls)) {
            t.net.link().down();
            int blocking = t.a.call(() -> Sockets.socket(0));
            int nonblocking = t.a.call(() -> Sockets.socket(Sockets.SOCK_NONBLOCK));
            if (syncnt > 0) {
                for (int fd : new int[] {blocking, nonblocking}) {
                    Sockets.setInt(fd, Sockets.IPPROTO_TCP, Sockets.TCP_SYNCNT, syncnt);
                }
            }
            SockAddr to = new SockAddr(t.b.ip(), Lab.PORT);
            Watch w = new Watch();
            CompletableFuture<Integer> done = CompletableFuture.supplyAsync(() -> {
                t.note("A", "blocking connect(...) starts");
                int rc = Sockets.connect(blocking, to);
                t.note("A", "blocking connect = " + (rc == 0 ? "0" : "-1 errno " + rc));
                return rc;
            });
            Lab.sleepMillis(300);
            int rc = Sockets.connect(nonblocking, to);
            t.note("A", "non-blocking connect = -1 errno " + rc + " (" + LibC.C.strerror(rc) + ")");
            w.poll(t, "A nonblocking", nonblocking);
            w.netstat(t, t.a, Lab.PORT, 100);
            done.get(seconds, TimeUnit.SECONDS);
            Lab.sleepMillis(1000);
            w.stop();
            int e1 = Sockets.getInt(nonblocking, LibC.SOL_SOCKET, Sockets.SO_ERROR);
            int e2 = Sockets.getInt(nonblocking, LibC.SOL_SOCKET, Sockets.SO_ERROR);
            t.note("A", "nonblocking SO_ERROR = " + e1 + " then " + e2);
            byte[] sa = Sockets.sockaddr(to);
            int again = LibC.C.connect(nonblocking, sa, sa.length) == 0 ? 0 : LibC.errno();
            t.note("A", "nonblocking connect again = " + again);
            out.add("## " + title);
            out.addAll(t.listing());
            Sockets.close(blocking);
            Sockets.close(nonblocking);
        }
        return out;
    }
}
