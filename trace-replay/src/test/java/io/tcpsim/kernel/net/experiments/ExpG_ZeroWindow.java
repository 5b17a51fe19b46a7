package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.LibC;
import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * (g) A zero window, 25 ms one way: the server's listener has SO_RCVBUF 4096 (set before listen, so the accepted
 * socket has it from its SYN-ACK on), the server does not read for 6 s; the client (non-blocking) writes 64 KB
 * chunks until EAGAIN at the start and again whenever poll says POLLOUT. After 6 s the server reads everything, 100 ms
 * apart, until 200 KB arrived. Window probes and the persist timer (netstat "probe (...)") are the point.
 * Output: results/expG-zero-window.txt.
 */
public final class ExpG_ZeroWindow {
    static final int TOTAL = 200_000;

    public static void main(String[] args) {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, Map.of())) {
            int l = t.b.call(() -> {
                int fd = Sockets.socket(0);
                Sockets.setInt(fd, LibC.SOL_SOCKET, Sockets.SO_REUSEADDR, 1);
                Sockets.setInt(fd, LibC.SOL_SOCKET, Sockets.SO_RCVBUF, 4096);
                byte[] sa = Sockets.sockaddr(new SockAddr(t.b.ip(), Lab.PORT));
                Sockets.check(LibC.C.bind(fd, sa, sa.length), "bind");
                Sockets.check(LibC.C.listen(fd, 4), "listen");
                return fd;
            });
            int c = t.a.call(() -> Sockets.socket(Sockets.SOCK_NONBLOCK));
            Sockets.connect(c, new SockAddr(t.b.ip(), Lab.PORT));
            while ((Sockets.poll(c, Sockets.POLLOUT, 1000) & Sockets.POLLOUT) == 0) { /* wait */ }
            int s = t.b.call(() -> Sockets.accept(l));
            t.note("B", "SO_RCVBUF = " + Sockets.getInt(s, LibC.SOL_SOCKET, Sockets.SO_RCVBUF) + ", A SO_SNDBUF = "
                    + Sockets.getInt(c, LibC.SOL_SOCKET, Sockets.SO_SNDBUF));
            Watch w = new Watch();
            w.netstat(t, t.a, Lab.PORT, 100);
            w.netstat(t, t.b, Lab.PORT, 100);
            long sent = 0, received = 0;
            long readFrom = System.nanoTime() + 6_000_000_000L;
            long end = System.nanoTime() + 20_000_000_000L;
            long nextRead = readFrom;
            while (received < TOTAL && System.nanoTime() < end) {
                if (sent < TOTAL && (Sockets.poll(c, Sockets.POLLOUT, 0) & Sockets.POLLOUT) != 0) {
                    long n = Sockets.send(c, new byte[(int) Math.min(65536, TOTAL - sent)]);
                    if (n > 0) {
                        sent += n;
                        t.note("A", "send = " + n + " (total " + sent + ")");
                    }
                }
                if (System.nanoTime() >= nextRead) {
                    long n;
                    long got = 0;
                    while ((n = Sockets.recv(s, 65536, 0x40)) > 0) got += n;
                    if (got > 0) t.note("B", "read " + got + " (total " + (received += got) + ")");
                    nextRead += 100_000_000L;
                }
                Lab.sleepMillis(1);
            }
            Lab.sleepMillis(200);
            w.stop();
            out.add("## zero window: SO_RCVBUF 4096 on the server, which reads nothing for 6 s");
            out.addAll(t.listing());
            Sockets.close(c);
            Sockets.close(s);
            Sockets.close(l);
        }
        out.forEach(System.out::println);
        Lab.write("expG-zero-window.txt", out);
    }
}
