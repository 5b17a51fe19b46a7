package io.tcpsim.kernel.net;

import io.tcpsim.capture.RawFrame;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;

/** A connection from host A (the client) to a listener on host B (the server), and what each host captured. */
final class Connection {
    static final int PORT = 5001;

    final Network net;
    final int listener;
    final int client;
    int server = -1;

    private Connection(Network net, int listener, int client) {
        this.net = net;
        this.listener = listener;
        this.client = client;
    }

    /** Listen on B, connect from A (blocking: returns after the handshake), accept on B. */
    static Connection open(Network n) {
        Connection c = connectOnly(n);
        int rc = n.a().call(() -> Sockets.connect(c.client, new SockAddr(n.b().ip(), PORT)));
        if (rc != 0) throw new AssertionError("connect failed: errno " + rc);
        c.server = n.b().call(() -> Sockets.accept(c.listener));
        return c;
    }

    /** The listener and the client's socket, not yet connected. */
    static Connection connectOnly(Network n) {
        int l = Sockets.listener(n.b(), PORT);
        int s = n.a().call(() -> Sockets.socket(0));
        return new Connection(n, l, s);
    }

    long send(byte[] data) {
        return net.a().call(() -> Sockets.send(client, data));
    }

    void close() {
        net.a().call(() -> {
            Sockets.close(client);
            return null;
        });
        net.b().call(() -> {
            if (server >= 0) Sockets.close(server);
            Sockets.close(listener);
            return null;
        });
    }

    /** The TCP packets a host captured so far (after a sync). */
    static List<Packet> packets(Host h) {
        List<Packet> out = new ArrayList<>();
        for (RawFrame f : h.capture().frames()) {
            Packet p = KernelBackend.decode(f);
            if (p == null) throw new AssertionError("a frame that is not TCP was captured on " + h);
            out.add(p);
        }
        return out;
    }

    /** Packets of a host's capture sent by {@code from}. */
    static List<Packet> from(Host h, Host from) {
        List<Packet> out = new ArrayList<>();
        for (Packet p : packets(h)) if (p.segment().src().ip() == from.ip()) out.add(p);
        return out;
    }
}
