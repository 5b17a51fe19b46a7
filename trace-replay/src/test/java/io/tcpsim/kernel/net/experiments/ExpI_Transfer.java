package io.tcpsim.kernel.net.experiments;

import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.kernel.net.Direction;
import io.tcpsim.backend.LinkCommand;
import io.tcpsim.kernel.net.Sockets;
import io.tcpsim.wire.Packet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * (i) 1 MB over a 50 ms one-way path (100 ms RTT), cubic: the client sends 1,048,576 bytes in one blocking send()
 * right after the handshake, the server reads as fast as it can. Without loss, and with one loss (the 100th data
 * segment). Kept: both hosts' captures (results/expI-*.pcap.gz) and a summary per round trip: the segments the
 * client sent in each 100 ms window after its first data segment, their bytes, and when the last byte was ACKed.
 * 2 runs of each. Output: results/expI-transfer.txt.
 */
public final class ExpI_Transfer {
    static final int SIZE = 1 << 20;

    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        for (int run = 1; run <= 2; run++) {
            out.addAll(run("no loss", -1, run));
            out.addAll(run("the 100th data segment lost", 99, run));
        }
        out.forEach(System.out::println);
        Lab.write("expI-transfer.txt", out);
    }

    static List<String> run(String title, int lose, int runNo) throws Exception {
        List<String> out = new ArrayList<>();
        try (Trial t = new Trial(50, Map.of())) {
            ExpF_Fin.Pair p = ExpF_Fin.connect(t);
            if (lose >= 0) t.net.link().drop(Direction.A_TO_B, LinkCommand.Kind.DATA, 1, lose);
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                long got = 0;
                while (got < SIZE) {
                    long n = Sockets.recv(p.s(), 1 << 20, 0);
                    if (n <= 0) break;
                    got += n;
                }
                return got;
            });
            long start = System.nanoTime();
            long n = Sockets.send(p.c(), new byte[SIZE]);
            t.note("A", "send = " + n + " after " + (System.nanoTime() - start) / 1_000_000 + " ms");
            long got = reader.get(30, TimeUnit.SECONDS);
            t.note("B", "received " + got);
            Lab.sleepMillis(300);
            out.add("## " + title + ", run " + runNo);
            out.addAll(summary(t));
            String tag = (lose >= 0 ? "loss" : "noloss") + "-run" + runNo;
            for (var h : List.of(t.a, t.b)) {
                Path pcap = Path.of("/tmp/expI-" + tag + "-" + (h == t.a ? "client" : "server") + ".pcap");
                Lab.writePcap(h, pcap);
                if (runNo == 1) gzip(pcap, Lab.RESULTS.resolve(pcap.getFileName() + ".gz"));
            }
            Sockets.close(p.c());
            Sockets.close(p.s());
            Sockets.close(p.l());
        }
        return out;
    }

    /** Per 100 ms round after the first data segment: segments and bytes the client sent, and retransmissions. */
    static List<String> summary(Trial t) {
        t.net.sync();
        List<Packet> sent = new ArrayList<>();
        List<Packet> acks = new ArrayList<>();
        for (var f : t.a.capture().frames()) {
            Packet pk = KernelBackend.decode(f);
            if (pk.segment().src().ip() == t.a.ip()) sent.add(pk);
            else acks.add(pk);
        }
        List<Packet> data = sent.stream().filter(x -> x.segment().length() > 0).toList();
        long first = data.get(0).timeNanos();
        long isn = sent.get(0).segment().seq();
        long top = isn + 1 + SIZE;
        long lastAck = acks.stream().filter(x -> x.segment().ack() == (top & 0xffffffffL)).mapToLong(Packet::timeNanos)
                .min().orElse(-1);
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "# data segments %d, first at %.3f ms after the SYN, last byte ACKed %.3f ms "
                        + "after the first data segment (client's capture)",
                data.size(), (first - sent.get(0).timeNanos()) / 1e6, (lastAck - first) / 1e6));
        long maxSeq = isn + 1;
        int round = 0;
        int segs = 0, bytes = 0, retr = 0;
        List<String> sizes = new ArrayList<>();
        for (Packet x : data) {
            int r = (int) ((x.timeNanos() - first) / 100_000_000L);
            while (r > round) {
                out.add(String.format(Locale.ROOT, "round %2d: %4d segments %8d bytes %d retransmitted", round, segs,
                        bytes, retr));
                round++;
                segs = bytes = retr = 0;
            }
            segs++;
            bytes += x.segment().length();
            long end = x.segment().seq() + x.segment().length();
            if (Long.compareUnsigned(end & 0xffffffffL, maxSeq & 0xffffffffL) <= 0 && end - maxSeq < 0x7fffffffL) retr++;
            else maxSeq = end;
            if (x.segment().length() != 1448) sizes.add(x.segment().length() + "@" + (x.timeNanos() - first) / 1000 + "us");
        }
        out.add(String.format(Locale.ROOT, "round %2d: %4d segments %8d bytes %d retransmitted", round, segs, bytes, retr));
        out.add("# segments not of 1448 bytes (size@us after the first): " + sizes);
        return out;
    }

    static void gzip(Path from, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        try (var in = Files.newInputStream(from); var o = new GZIPOutputStream(Files.newOutputStream(to))) {
            in.transferTo(o);
        }
    }
}
