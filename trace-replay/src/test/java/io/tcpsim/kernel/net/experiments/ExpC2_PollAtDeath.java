package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * (c, continued) What poll() reports when a connection dies of retransmission timeouts, with nothing reading its
 * error: tcp_retries2=2, 25 ms one way, the link down, the client sends 100 bytes; a blocking poll(POLLIN, -1) and a
 * blocking poll(POLLOUT|POLLRDHUP, -1) wait on two threads; their revents are noted when they return, then poll(0)
 * every 10 ms for 100 ms, then SO_ERROR. 3 runs. Output: results/expC2-poll-at-death.txt.
 */
public final class ExpC2_PollAtDeath {
    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            try (Trial t = new Trial(25, Map.of("net.ipv4.tcp_retries2", "2"))) {
                int l = Sockets.listener(t.b, Lab.PORT);
                int c = t.a.call(() -> Sockets.socket(0));
                Sockets.connect(c, new SockAddr(t.b.ip(), Lab.PORT));
                int s = t.b.call(() -> Sockets.accept(l));
                t.net.link().down();
                t.note("A", "send 100 = " + Sockets.send(c, new byte[100]));
                CompletableFuture<Void> in = CompletableFuture.runAsync(
                        () -> t.note("A", "blocking poll(POLLIN) = " + Watch.mask(Sockets.poll(c, Sockets.POLLIN, -1))));
                CompletableFuture<Void> outp = CompletableFuture.runAsync(() -> t.note("A", "blocking poll(POLLOUT|POLLRDHUP) = "
                        + Watch.mask(Sockets.poll(c, Sockets.POLLOUT | Sockets.POLLRDHUP, -1))));
                Lab.sleepMillis(50);
                t.note("A", "poll(0) = " + Watch.mask(Sockets.poll(c, 0x2005, 0)));
                in.get(20, TimeUnit.SECONDS);
                for (int k = 0; k < 10; k++) {
                    t.note("A", "poll(0) = " + Watch.mask(Sockets.poll(c, 0x2005, 0)));
                    Lab.sleepMillis(10);
                }
                outp.get(1, TimeUnit.SECONDS);
                t.note("A", "SO_ERROR = " + ExpC_Rto.err(c) + "; poll(0) = " + Watch.mask(Sockets.poll(c, 0x2005, 0)));
                out.add("## run " + run);
                out.addAll(t.listing());
                Sockets.close(c);
                Sockets.close(s);
                Sockets.close(l);
            }
        }
        out.forEach(System.out::println);
        Lab.write("expC2-poll-at-death.txt", out);
    }
}
