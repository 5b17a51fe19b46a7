package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.LibC;
import io.tcpsim.kernel.net.Sockets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * (j) A peer that "rebooted", 25 ms one way: established; the link goes down; the server aborts its socket
 * (SO_LINGER {1, 0} and close: the RST is lost on the link) and closes its listener too (variant 2 keeps the
 * listener); the link comes up; the client sends 1 byte. What answers, when, and what the client's calls see.
 * Output: results/expJ-reboot.txt.
 */
public final class ExpJ_Reboot {
    public static void main(String[] args) {
        List<String> out = new ArrayList<>();
        out.addAll(run("socket and listener gone", true));
        out.addAll(run("socket gone, listener still there", false));
        out.forEach(System.out::println);
        Lab.write("expJ-reboot.txt", out);
    }

    static List<String> run(String title, boolean closeListener) {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, Map.of())) {
            ExpF_Fin.Pair p = ExpF_Fin.connect(t);
            Lab.sleepMillis(100);
            t.net.link().down();
            t.note("W", "link down");
            LibC.C.setsockopt(p.s(), LibC.SOL_SOCKET, Sockets.SO_LINGER, new int[] {1, 0}, 8);
            Sockets.close(p.s());
            t.note("B", "close with SO_LINGER {1,0}");
            if (closeListener) {
                Sockets.close(p.l());
                t.note("B", "close listener");
            }
            Lab.sleepMillis(200);
            t.net.link().up();
            t.note("W", "link up");
            Lab.sleepMillis(100);
            t.note("A", "send 1 = " + ExpC_Rto.result(Sockets.send(p.c(), new byte[] {'x'})));
            Watch w = new Watch();
            w.poll(t, "A", p.c());
            Lab.sleepMillis(200);
            w.stop();
            t.note("A", "SO_ERROR = " + ExpC_Rto.err(p.c()) + "; recv = " + ExpC_Rto.result(Sockets.recv(p.c(), 10, 0x40))
                    + "; send = " + ExpC_Rto.result(Sockets.send(p.c(), new byte[1])) + "; netstat A: "
                    + t.a.netstat().size() + " rows");
            out.add("## " + title);
            out.addAll(t.listing());
            Sockets.close(p.c());
            if (!closeListener) Sockets.close(p.l());
        }
        return out;
    }
}
