package io.tcpsim.kernel.net.experiments;

import io.tcpsim.capture.RawFrame;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.kernel.net.Host;
import io.tcpsim.kernel.net.LinkRecord;
import io.tcpsim.kernel.net.Network;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.TcpdumpPrinter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run of an experiment on the two-host topology: notes stamped with the time since the start, and at the end
 * one merged listing of both captures ({@code A} = client host, {@code B} = server host, each with its own tcpdump
 * numbering), the frames the link lost ({@code W lost}, at the time they entered the wire) and the notes, in time
 * order. Times are milliseconds since the trial started.
 */
final class Trial implements AutoCloseable {
    private record Line(long t, int order, String text) {}

    final Network net;
    final Host a;
    final Host b;
    final long t0;
    private final List<Line> notes = new ArrayList<>();
    private int order;

    Trial(long oneWayMillis, Map<String, String> sysctls) {
        net = Lab.open(oneWayMillis, sysctls);
        a = net.a();
        b = net.b();
        t0 = now();
    }

    static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** Milliseconds since the start. */
    double ms() {
        return (now() - t0) / 1e6;
    }

    synchronized void note(String who, String text) {
        notes.add(new Line(now(), order++, "# " + who + " " + text));
    }

    /** Everything so far, merged by time. Syncs the captures first. */
    List<String> listing() {
        net.sync();
        List<Line> all = new ArrayList<>();
        synchronized (this) {
            all.addAll(notes);
        }
        int k = 0;
        for (Host h : List.of(a, b)) {
            TcpdumpPrinter p = new TcpdumpPrinter();
            String tag = h == a ? "A " : "B ";
            for (RawFrame f : h.capture().frames()) {
                Packet pk = KernelBackend.decode(f);
                if (pk == null) continue;
                String line = p.print(pk);
                all.add(new Line(f.timeNanos(), k++, tag + line.substring(line.indexOf(' ') + 1)));
            }
        }
        TcpdumpPrinter lostPrinter = new TcpdumpPrinter(true, 0);
        for (LinkRecord r : net.link().records()) {
            if (!r.lost()) continue;
            Packet pk = KernelBackend.decode(new RawFrame(r.enteredNanos(), r.frame(), r.frame().length));
            String line = pk == null ? "(not TCP)" : lostPrinter.print(pk);
            all.add(new Line(r.enteredNanos(), k++, "W lost (" + r.why() + "): "
                    + line.substring(line.indexOf(' ') + 1)));
        }
        all.sort(Comparator.comparingLong(Line::t).thenComparingInt(Line::order));
        List<String> out = new ArrayList<>();
        for (Line l : all) out.add(String.format(Locale.ROOT, "%10.3f %s", (l.t() - t0) / 1e6, l.text()));
        return out;
    }

    @Override
    public void close() {
        net.close();
    }
}
