package io.tcpsim.kernel.net.experiments;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.kernel.net.Host;
import io.tcpsim.kernel.net.Sockets;
import java.util.ArrayList;
import java.util.List;

/**
 * Background observers for a trial: a descriptor's poll mask sampled every 2 ms (each change noted), and a host's
 * socket table sampled at a fixed period (each change of a row's state or timer column noted).
 */
final class Watch {
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    /** Notes every change of poll(fd, IN|OUT|RDHUP, 0). */
    void poll(Trial t, String who, int fd) {
        start(() -> {
            int last = -1;
            while (!stop) {
                int r = Sockets.poll(fd, Sockets.POLLIN | Sockets.POLLOUT | Sockets.POLLRDHUP, 0);
                if (r != last) {
                    t.note(who, "poll = " + mask(r));
                    last = r;
                }
                Lab.sleepMillis(2);
            }
        });
    }

    /** Notes the rows of host h whose local or foreign port is {@code port}, whenever they change. */
    void netstat(Trial t, Host h, int port, long periodMs) {
        start(() -> {
            String last = "";
            while (!stop) {
                StringBuilder s = new StringBuilder();
                for (NetstatRow r : h.netstat()) {
                    if (r.local().port() != port && r.foreign().port() != port) continue;
                    s.append(" | ").append(r.state()).append(' ').append(r.timer()).append(" q ").append(r.recvQ())
                            .append('/').append(r.sendQ());
                }
                String now = s.length() == 0 ? " | (none)" : s.toString();
                if (!now.equals(last)) {
                    t.note(h == t.a ? "A" : "B", "netstat" + now);
                    last = now;
                }
                Lab.sleepMillis(periodMs);
            }
        });
    }

    private void start(Runnable r) {
        Thread th = new Thread(r, "watch");
        th.setDaemon(true);
        th.start();
        threads.add(th);
    }

    void stop() {
        stop = true;
        for (Thread th : threads) {
            try {
                th.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String mask(int r) {
        List<String> n = new ArrayList<>();
        if ((r & 1) != 0) n.add("IN");
        if ((r & 4) != 0) n.add("OUT");
        if ((r & 8) != 0) n.add("ERR");
        if ((r & 0x10) != 0) n.add("HUP");
        if ((r & 0x2000) != 0) n.add("RDHUP");
        return n.isEmpty() ? "0" : String.join("|", n);
    }
}
