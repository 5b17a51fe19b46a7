package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.net.Direction;
import io.tcpsim.backend.LinkCommand;
import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * (h) Loss recovery, 25 ms one way, after 5 warm-up exchanges (so srtt has samples), TCP_NODELAY on the client:
 * <ul>
 *   <li>the first of 10 full segments lost (9 behind it): SACK blocks, fast retransmit / RACK;</li>
 *   <li>the last of 10 segments lost: 9 are sent, then the rule, then the 10th: the tail loss probe;</li>
 *   <li>a lone segment (100 bytes, nothing else in flight) lost.</li>
 * </ul>
 * The server reads everything as it arrives. 3 runs of each. Output: results/expH-recovery.txt.
 */
public final class ExpH_Recovery {
    public static void main(String[] args) {
        List<String> out = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            out.addAll(run("first of 10 lost, run " + run, 0));
            out.addAll(run("last of 10 lost, run " + run, 1));
            out.addAll(run("a lone segment lost, run " + run, 2));
        }
        out.forEach(System.out::println);
        Lab.write("expH-recovery.txt", out);
    }

    static List<String> run(String title, int mode) {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(25, Map.of())) {
            ExpF_Fin.Pair p = ExpF_Fin.connect(t);
            Sockets.setInt(p.c(), Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY, 1);
            for (int k = 0; k < 5; k++) {
                Sockets.send(p.c(), new byte[100]);
                Lab.sleepMillis(30);
                Sockets.recv(p.s(), 1000, 0);
                Sockets.send(p.s(), new byte[100]);
                Lab.sleepMillis(70);
                Sockets.recv(p.c(), 1000, 0);
            }
            t.note("A", "ss: " + ExpC_Rto.ssLine(t, Lab.PORT));
            switch (mode) {
                case 0 -> {
                    t.net.link().drop(Direction.A_TO_B, LinkCommand.Kind.DATA, 1);
                    t.note("A", "send = " + Sockets.send(p.c(), new byte[10 * 1448]));
                }
                case 1 -> {
                    t.note("A", "send = " + Sockets.send(p.c(), new byte[9 * 1448]));
                    t.net.link().drop(Direction.A_TO_B, LinkCommand.Kind.DATA, 1);
                    t.note("A", "send = " + Sockets.send(p.c(), new byte[1448]));
                }
                default -> {
                    t.net.link().drop(Direction.A_TO_B, LinkCommand.Kind.DATA, 1);
                    t.note("A", "send = " + Sockets.send(p.c(), new byte[100]));
                }
            }
            long end = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < end) {
                Sockets.recv(p.s(), 65536, 0x40);
                Lab.sleepMillis(1);
            }
            t.note("A", "ss: " + ExpC_Rto.ssLine(t, Lab.PORT));
            out.add("## " + title);
            out.addAll(t.listing());
            Sockets.close(p.c());
            Sockets.close(p.s());
            Sockets.close(p.l());
        }
        return out;
    }
}
