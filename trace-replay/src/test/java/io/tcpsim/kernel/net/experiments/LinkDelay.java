package io.tcpsim.kernel.net.experiments;

import io.tcpsim.capture.RawFrame;
import io.tcpsim.kernel.LibC;
import io.tcpsim.kernel.net.Host;
import io.tcpsim.kernel.net.Network;
import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What one-way delay the wire really gives: at 0, 1, 25 and 50 ms, the client sends 1500 messages of 100 bytes
 * (TCP_NODELAY, one every millisecond) and the server echoes each; every frame is looked up in the other host's
 * capture by its bytes (the wire does not change a frame), and the delay is capture time at the receiver minus
 * capture time at the sender (at least 1000 frames each way; the echoes coalesce at longer delays). Printed: the excess over the nominal delay, per direction. With the argument
 * {@code load}, two busy threads run meanwhile (the machine has 2 cores). With
 * {@code OUTLIERS=1} in the environment every frame more than 1 ms late is printed with its time (they line up with
 * the JVM's GC pauses: {@code JAVA_TOOL_OPTIONS=-Xlog:gc}).
 * <p>Run: {@code tools/experiments/net/run.sh LinkDelay [load]}; output in results/link-delay[-load].txt.
 */
public final class LinkDelay {
    public static void main(String[] args) throws Exception {
        boolean load = args.length > 0 && args[0].equals("load");
        List<Thread> hogs = new ArrayList<>();
        if (load) {
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(() -> { long x = 0; while (!Thread.currentThread().isInterrupted()) x += x * 31 + 7; });
                t.setDaemon(true);
                t.start();
                hogs.add(t);
            }
        }
        List<String> out = new ArrayList<>();
        out.add("# one-way delay of the wire, excess over nominal in microseconds" + (load ? " (2 busy threads)" : ""));
        for (long ms : new long[] {0, 1, 25, 50, 0}) {
            try (Network n = Lab.open(ms, Map.of())) {
                long[][] d = run(n, 1500);
                out.add(String.format("delay %2d ms client>server: %s", ms, Lab.percentiles(minus(d[0], ms), 1e3, "us")));
                out.add(String.format("delay %2d ms server>client: %s", ms, Lab.percentiles(minus(d[1], ms), 1e3, "us")));
                out.add(String.format("delay %2d ms wire hold (enter->leave) client>server: %s", ms,
                        Lab.percentiles(minus(d[2], ms), 1e3, "us")));
                out.add("  realtime scheduling " + n.link().realtimeScheduling() + ", overflow drops "
                        + n.link().overflowDrops());
            }
        }
        for (Thread t : hogs) t.interrupt();
        out.forEach(System.out::println);
        Lab.write(load ? "link-delay-load.txt" : "link-delay.txt", out);
    }

    private static long[] minus(long[] v, long ms) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[i] - ms * 1_000_000L;
        return r;
    }

    /** {client>server delays, server>client delays, wire hold times client>server}, in ns. */
    static long[][] run(Network n, int messages) throws Exception {
        Host a = n.a(), b = n.b();
        int l = Sockets.listener(b, Lab.PORT);
        int c = a.call(() -> Sockets.socket(0));
        a.call(() -> {
            Sockets.setInt(c, Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY, 1);
            return Sockets.connect(c, new SockAddr(b.ip(), Lab.PORT));
        });
        int s = b.call(() -> Sockets.accept(l));
        b.call(() -> { Sockets.setInt(s, Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY, 1); return null; });
        CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> b.callBounded(() -> {
            byte[] buf = new byte[4096];
            while (true) {
                long k = LibC.C.recv(s, buf, buf.length, 0);
                if (k <= 0) return null;
                LibC.C.send(s, buf, k, 0x4000);
            }
        }, TimeUnit.SECONDS.toNanos(30)));
        byte[] msg = new byte[100];
        long next = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            a.call(() -> LibC.C.send(c, msg, msg.length, 0x4000));
            next += 1_000_000;
            while (System.nanoTime() < next) Thread.onSpinWait();
        }
        Thread.sleep(3 * n.spec().link().aToB().delayNanos() / 1_000_000 + 50);
        a.call(() -> LibC.C.shutdown(c, 1));
        echo.get(10, TimeUnit.SECONDS);
        Thread.sleep(3 * n.spec().link().aToB().delayNanos() / 1_000_000 + 50);
        n.sync();
        long nominal = n.spec().link().aToB().delayNanos();
        long[] ab = delays(a.capture().frames(), b.capture().frames(), nominal);
        long[] ba = delays(b.capture().frames(), a.capture().frames(), nominal);
        long[] hold = n.link().records().stream()
                .filter(r -> r.direction() == io.tcpsim.kernel.net.Direction.A_TO_B && !r.lost())
                .mapToLong(r -> r.heldNanos()).toArray();
        a.call(() -> { Sockets.close(c); return null; });
        b.call(() -> { Sockets.close(s); Sockets.close(l); return null; });
        return new long[][] {ab, ba, hold};
    }

    /** For every frame the sender captured as its own and the receiver captured too: receiver time - sender time. */
    static long[] delays(List<RawFrame> sender, List<RawFrame> receiver, long nominal) {
        Map<ByteBuffer, Long> seen = new HashMap<>();
        for (RawFrame f : receiver) seen.put(ByteBuffer.wrap(f.data()), f.timeNanos());
        List<Long> d = new ArrayList<>();
        long first = sender.isEmpty() ? 0 : sender.get(0).timeNanos();
        boolean show = System.getenv("OUTLIERS") != null;
        for (RawFrame f : sender) {
            Long t = seen.get(ByteBuffer.wrap(f.data()));
            if (t == null) continue;
            if (t < f.timeNanos()) continue; // the frame came the other way: the receiver's own, seen first there
            d.add(t - f.timeNanos());
            if (show && t - f.timeNanos() > nominal + 1_000_000) {
                System.out.printf("outlier %.3f ms at +%.3f s (frame %d)%n", (t - f.timeNanos()) / 1e6,
                        (f.timeNanos() - first) / 1e9, d.size());
            }
        }
        return d.stream().mapToLong(Long::longValue).toArray();
    }
}
