package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.net.Host;
import io.tcpsim.kernel.net.Network;
import io.tcpsim.backend.LinkCommand;
import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.nio.file.Path;
import java.util.Map;

/**
 * Captures for replay's corpus of real paths (traces/captures/foreign): two hosts on the product's own link
 * (io.tcpsim.kernel.net.Network), 25 ms one way, MTU 1500. The client sends three 100-byte requests 60 ms apart and
 * the server answers each with 3000 bytes (three segments of at most 1448), then the client closes and the server
 * closes. Each run is captured at both hosts: at the client the server is a round trip away, at the server the client
 * is. With the argument {@code loss}, the link drops the server's second data segment once: the server retransmits
 * it, which replay reports as a loss on the path.
 * <p>Run: {@code tools/experiments/net/run.sh ForeignCaptures [loss] OUTDIR}.
 */
public final class ForeignCaptures {
    public static void main(String[] args) throws Exception {
        boolean loss = args.length > 1 && args[0].equals("loss");
        Path out = Path.of(args[args.length - 1]);
        String name = loss ? "path-25ms-loss" : "path-25ms";
        try (Network n = Lab.open(25, Map.of())) {
            Host a = n.a(), b = n.b();
            int l = Sockets.listener(b, Lab.PORT);
            int c = a.call(() -> Sockets.socket(0));
            a.call(() -> Sockets.connect(c, new SockAddr(b.ip(), Lab.PORT)));
            int s = b.call(() -> Sockets.accept(l));
            Lab.sleepMillis(60);
            byte[] request = new byte[100], answer = new byte[3000];
            for (int i = 0; i < 3; i++) {
                if (loss && i == 1) n.link().drop(n.direction("server"), LinkCommand.Kind.DATA, 1, 1);
                a.call(() -> Sockets.send(c, request));
                b.call(() -> {
                    int got = 0;
                    while (got < request.length) got += (int) Sockets.recv(s, 4096, 0);
                    return Sockets.send(s, answer);
                });
                a.call(() -> {
                    int got = 0;
                    while (got < answer.length) got += (int) Sockets.recv(c, 65536, 0);
                    return got;
                });
                Lab.sleepMillis(60);
            }
            a.call(() -> { Sockets.close(c); return null; });
            Lab.sleepMillis(100);
            b.call(() -> { Sockets.close(s); Sockets.close(l); return null; });
            Lab.sleepMillis(200);
            n.sync();
            Lab.writePcap(a, out.resolve(name + "-at-client-" + kernel() + ".pcap"));
            Lab.writePcap(b, out.resolve(name + "-at-server-" + kernel() + ".pcap"));
        }
    }

    private static String kernel() throws Exception {
        return new String(Runtime.getRuntime().exec(new String[] {"uname", "-r"}).getInputStream().readAllBytes())
                .trim();
    }
}
