package io.tcpsim.kernel.net;

import io.tcpsim.capture.RawFrame;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpdumpPrinter;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void smoke() throws Exception {
        Privilege.assumeNetworkCanBeBuilt();
        long t0 = System.nanoTime();
        NetSpec spec = NetSpec.of(HostSpec.parse("client", "10.0.1.1/24"), HostSpec.parse("server", "10.0.1.2/24"))
                .withLink(LinkSpec.symmetric(25_000_000));
        try (Network n = Network.open(spec)) {
            System.out.println("open ms " + (System.nanoTime() - t0) / 1e6);
            Host a = n.a(), b = n.b();
            System.out.println(a.run("ip", "-d", "link"));
            System.out.println(a.run("ip", "route"));
            System.out.println(a.run("ip", "neigh"));
            int l = Sockets.listener(b, 5001);
            int c = a.call(() -> Sockets.socket(0));
            long t1 = System.nanoTime();
            int rc = a.call(() -> Sockets.connect(c, new SockAddr(b.ip(), 5001)));
            System.out.println("connect " + rc + " in ms " + (System.nanoTime() - t1) / 1e6);
            int s = b.call(() -> Sockets.accept(l));
            a.call(() -> Sockets.send(c, new byte[5000]));
            Thread.sleep(200);
            System.out.println(a.run("ss", "-tin"));
            System.out.println(b.run("ss", "-tin"));
            System.out.println(a.netstat());
            n.sync();
            for (Host h : new Host[] {a, b}) {
                System.out.println("== " + h);
                for (RawFrame f : h.capture().drain()) {
                    var p = KernelBackend.decode(f);
                    System.out.println(f.timeNanos() + " " + (p == null ? "?" : p.segment()));
                }
            }
            for (LinkRecord r : n.link().records()) System.out.println(r.direction() + " " + r.fate() + " " + r.heldNanos() / 1e6);
            System.out.println("overflow " + n.link().overflowDrops() + " rt " + n.link().realtimeScheduling());
            b.call(() -> { Sockets.close(s); Sockets.close(l); return null; });
            a.call(() -> { Sockets.close(c); return null; });
            t0 = System.nanoTime();
        }
        System.out.println("close ms " + (System.nanoTime() - t0) / 1e6);
    }
}
