package io.tcpsim.pktrun;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Result;
import io.tcpsim.packetdrill.Event.SyscallEvent;
import io.tcpsim.packetdrill.Expr;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpdumpPrinter;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run prints, on one time line as {@code tcpsim run} prints a script's: each call with its result, each
 * packet as tcpdump prints it, marked {@code <} (the script's, injected) or {@code >} (the model's), with
 * packetdrill's addresses: the model's host as {@code --local_ip} (192.168.0.1), the script as {@code --remote_ip}
 * (192.0.2.1).
 */
final class PktOutput {
    private final TcpdumpPrinter printer = new TcpdumpPrinter();
    private final List<String> lines = new ArrayList<>();
    private final int localIp, remoteIp;

    PktOutput(String localIp, String remoteIp) {
        Integer l = SockAddr.parseIp(localIp), r = SockAddr.parseIp(remoteIp);
        this.localIp = l == null ? 0xc0a80001 : l;
        this.remoteIp = r == null ? 0xc0000201 : r;
    }

    List<String> lines() {
        return lines;
    }

    void packet(Packet p, boolean inbound, String rstReason) {
        Segment s = p.segment();
        Segment shown = new Segment(addr(s.src()), addr(s.dst()), s.seq(), s.ack(), s.flags(), s.window(), s.urgent(),
                s.options(), s.payload());
        String line = printer.print(new Packet(p.timeNanos(), p.ipId(), shown));
        // "00:00:00.100000 IP ..." becomes "00:00:00.100000 < IP ...".
        lines.add(line.substring(0, 15) + (inbound ? " < " : " > ") + line.substring(16)
                + (rstReason == null ? "" : ", reason " + rstReason));
    }

    private SockAddr addr(SockAddr a) {
        if (a.ip() == PktRun.LOCAL_IP) return new SockAddr(localIp, a.port());
        if (a.ip() == PktRun.REMOTE_IP) return new SockAddr(remoteIp, a.port());
        return a;
    }

    /** The call's line, put where the call started ({@code mark}: the number of lines then). */
    void call(int mark, long startNanos, long endNanos, SyscallEvent e, Result r) {
        StringBuilder b = new StringBuilder();
        b.append(time(startNanos)).append(" [main] ").append(e.name()).append('(');
        for (int i = 0; i < e.arguments().size(); i++) b.append(i == 0 ? "" : ", ").append(expr(e.arguments().get(i)));
        b.append(") = ");
        if (r.blockedForever()) b.append("blocks forever: nothing left in the simulation can wake it");
        else if (r.failed()) b.append("-1 ").append(r.errno().name()).append(" (").append(r.errno().text).append(')');
        else b.append(r.value());
        if (r.optval() != null && r.optval().length > 0 && !r.failed()) b.append(" [").append(r.optval()[0]).append(']');
        if (r.events() != null && !r.events().isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (Result.EpollEvent ev : r.events()) parts.add(ev.fd() + ":" + Bits.format(ev.events(), Bits.EPOLL_NAMES));
            b.append(" [").append(String.join(", ", parts)).append(']');
        }
        if (r.revents() != null) {
            List<String> parts = new ArrayList<>();
            for (int v : r.revents()) parts.add(Bits.format(v, Bits.POLL_NAMES));
            b.append(" [").append(String.join(", ", parts)).append(']');
        }
        if (endNanos > startNanos) b.append(" <returned at ").append(time(endNanos)).append('>');
        lines.add(mark, b.toString());
    }

    static String time(long nanos) {
        long micros = nanos / 1000;
        return String.format("%02d:%02d:%02d.%06d", micros / 3_600_000_000L, micros / 60_000_000L % 60,
                micros / 1_000_000L % 60, micros % 1_000_000L);
    }

    /** An argument as the script writes it. */
    static String expr(Expr x) {
        if (x instanceof Expr.Ellipsis) return "...";
        if (x instanceof Expr.Int i) return i.hex() ? "0x" + Long.toHexString(i.value()) : Long.toString(i.value());
        if (x instanceof Expr.Word w) return w.name();
        if (x instanceof Expr.Str s) return "\"" + s.text() + "\"" + (s.prefix() ? "..." : "");
        if (x instanceof Expr.Or o) return String.join("|", o.terms().stream().map(PktOutput::expr).toList());
        if (x instanceof Expr.Assign a) return a.name() + "=" + expr(a.value());
        if (x instanceof Expr.Array a) return "[" + String.join(", ", a.items().stream().map(PktOutput::expr).toList()) + "]";
        if (x instanceof Expr.Fields f) return "{" + String.join(", ", f.items().stream().map(PktOutput::expr).toList()) + "}";
        if (x instanceof Expr.Linger l) return "{onoff=" + l.onoff() + ", linger=" + l.linger() + "}";
        if (x instanceof Expr.PollFd p) return "{fd=" + expr(p.fd()) + ", events=" + expr(p.events())
                + (p.revents() == null ? "" : ", revents=" + expr(p.revents())) + "}";
        if (x instanceof Expr.EpollEvent ev) return "{events=" + expr(ev.events()) + ", "
                + ev.field().name().toLowerCase(java.util.Locale.ROOT) + "=" + expr(ev.data()) + "}";
        if (x instanceof Expr.InetAddr a) return "inet_addr(\"" + a.address() + "\")";
        return "{...}";
    }
}
