package io.tcpsim.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.backend.Event;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.compare.SequenceSpace;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives the model the way the seed programs do: a few calls, then the exact packets and results. Packets are
 * described in a compact tcpdump-like form with sequence numbers relative to each side's ISN:
 * {@code "C>S [P.] seq 1:2 ack 1 win 64 [nop,nop,TS] len 1"}.
 */
public final class Harness {
    public static final SockAddr SERVER = SockAddr.loopback(4321);
    public final Model model;
    private final List<Packet> packets = new ArrayList<>();
    private final List<Event> other = new ArrayList<>();
    private final SequenceSpace isns = new SequenceSpace(); // from each side's SYN

    public Harness() {
        this(Profile.linux6(), 1);
    }

    public Harness(Profile profile, long seed) {
        model = new Model(profile, seed);
    }

    public Result call(String proc, Call c) {
        Result r = model.call(proc, c);
        drain();
        return r;
    }

    public Result call(Call c) {
        return call("main", c);
    }

    public long ok(Call c) {
        Result r = call(c);
        if (r.failed() || r.blockedForever()) throw new AssertionError(c + " failed: " + r.errno() + " blocked=" + r.blockedForever());
        return r.value();
    }

    public void fails(Call c, Errno e) {
        Result r = call(c);
        assertEquals(e, r.errno(), () -> c + " returned " + r.value());
    }

    public void sleepMs(double ms) {
        model.sleep((long) (ms * 1_000_000));
        drain();
    }

    private void drain() {
        for (Event e : model.drainEvents()) {
            if (e instanceof Event.PacketSent ps) packets.add(ps.packet());
            else other.add(e);
        }
    }

    // ------------------------------------------------------------ fixtures

    /** A listener on 127.0.0.1:4321 with backlog 1; returns its fd. */
    public int listener() {
        int a = (int) ok(new Call.Socket(0));
        ok(new Call.SetSockOpt(a, SockOpt.SO_REUSEADDR, new int[] {1}));
        ok(new Call.Bind(a, SERVER));
        ok(new Call.Listen(a, 1));
        return a;
    }

    /** An established pair: {listener, client, accepted}. Packets so far are discarded. */
    public int[] established() {
        int a = listener();
        int c = (int) ok(new Call.Socket(0));
        ok(new Call.Connect(c, SERVER));
        int s = (int) ok(new Call.Accept(a, 0));
        take(); // records both ISNs for relative numbering
        return new int[] {a, c, s};
    }

    /**
     * {listener, client, accepted}: the client did shutdown(SHUT_WR) and its FIN was ACKed, so the client is in
     * FIN_WAIT2 (not orphaned) and the accepted socket in CLOSE_WAIT. Packets so far are discarded.
     */
    public int[] closeWait() {
        int[] e = established();
        ok(new Call.Shutdown(e[1], Bits.SHUT_WR));
        sleepMs(10);
        take();
        return e;
    }

    /** The same fixture seen from the client: {listener, client in FIN_WAIT2, server in CLOSE_WAIT}. */
    public int[] finWait2() {
        return closeWait();
    }

    /**
     * {listener, client fd (CLOSE after TIME_WAIT handover), server fd}: client SHUT_WR, server read EOF and
     * closed, the client's endpoint is in TIME_WAIT. Packets so far are discarded.
     */
    public int[] timeWait() {
        int[] e = closeWait();
        assertEquals(0, call(recv(e[2], 10, 0)).value());
        ok(new Call.Close(e[2]));
        take();
        return e;
    }

    /** A client fd whose SYN was dropped by a full accept queue (listen(0) with one queued): {listener, queued, syn-sent}. */
    public int[] synSent() {
        int a = (int) ok(new Call.Socket(0));
        ok(new Call.SetSockOpt(a, SockOpt.SO_REUSEADDR, new int[] {1}));
        ok(new Call.Bind(a, SERVER));
        ok(new Call.Listen(a, 0));
        int c1 = (int) ok(new Call.Socket(0));
        ok(new Call.Connect(c1, SERVER));
        int c2 = (int) ok(new Call.Socket(Bits.SOCK_NONBLOCK));
        fails(new Call.Connect(c2, SERVER), Errno.EINPROGRESS);
        take();
        return new int[] {a, c1, c2};
    }

    /** Sets SO_LINGER {onoff, seconds}. */
    public void linger(int fd, int onoff, int seconds) {
        ok(new Call.SetSockOpt(fd, SockOpt.SO_LINGER, new int[] {onoff, seconds}));
    }

    public int soError(int fd) {
        return call(new Call.GetSockOpt(fd, SockOpt.SO_ERROR)).optval()[0];
    }

    /** recv's bytes as a string; fails the test if recv failed. */
    public String read(int fd, int len) {
        Result r = call(recv(fd, len, 0));
        if (r.failed() || r.blockedForever()) throw new AssertionError("recv failed: " + r.errno() + " blocked=" + r.blockedForever());
        return new String(r.data(), StandardCharsets.ISO_8859_1);
    }

    public Errno errno(Call c) {
        return call(c).errno();
    }

    public List<io.tcpsim.backend.NetstatRow> netstat() {
        return model.netstat();
    }

    /**
     * netstat rows as "STATE recvQ sendQ": listeners first (/proc walks the listening hash first, [M§20]), then the
     * others sorted by text, since the hash-bucket order is not something the measurements fix.
     */
    public List<String> netstatBrief() {
        List<String> out = new ArrayList<>(), rest = new ArrayList<>();
        for (var r : model.netstat()) (r.listening() ? out : rest).add(r.state() + " " + r.recvQ() + " " + r.sendQ());
        java.util.Collections.sort(rest);
        out.addAll(rest);
        return out;
    }

    /** The only netstat row in that state. */
    public io.tcpsim.backend.NetstatRow row(io.tcpsim.backend.TcpState state) {
        io.tcpsim.backend.NetstatRow found = null;
        for (var r : model.netstat()) {
            if (r.state() == state) {
                if (found != null) throw new AssertionError("two rows in " + state);
                found = r;
            }
        }
        if (found == null) throw new AssertionError("no row in " + state + ": " + netstatBrief());
        return found;
    }

    /** Clears the packets seen so far (recording ISNs first). */
    public void clear() {
        take();
    }

    /** The raw packets seen so far, without clearing them. */
    public List<Packet> raw() {
        return new ArrayList<>(packets);
    }

    /**
     * Puts a hand-made segment on the loopback as raw-socket injection did in the measurements ([M§18]):
     * it goes straight to tcp_v4_rcv. Then the loopback settles.
     */
    public void inject(Segment seg) {
        try {
            java.lang.reflect.Field fs = Model.class.getDeclaredField("stack");
            fs.setAccessible(true);
            Object stack = fs.get(model);
            java.lang.reflect.Field fi = stack.getClass().getDeclaredField("input");
            fi.setAccessible(true);
            Object input = fi.get(stack);
            java.lang.reflect.Method m = input.getClass().getDeclaredMethod("receive", Segment.class);
            m.setAccessible(true);
            m.invoke(input, seg);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        sleepMs(0.1);
    }

    public static Segment segment(SockAddr src, SockAddr dst, long seq, long ack, int flags, int win, String data) {
        return new Segment(src, dst, seq, ack, flags, win, 0, List.of(), data.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Milliseconds between two packets. */
    public static double ms(Packet from, Packet to) {
        return (to.timeNanos() - from.timeNanos()) / 1e6;
    }

    public static int[] ints(int... v) {
        return v;
    }

    public static Call.Send send(int fd, String data, int flags) {
        return new Call.Send(fd, data.getBytes(StandardCharsets.ISO_8859_1), flags, false);
    }

    public static Call.Recv recv(int fd, int len, int flags) {
        return new Call.Recv(fd, len, flags, false);
    }

    public static Call.Poll poll(int fd, int events, int timeoutMs) {
        return new Call.Poll(List.of(new Call.PollFd(fd, events)), timeoutMs);
    }

    public int pollNow(int fd) {
        Result r = call(poll(fd, 0xffff, 0));
        return r.revents()[0];
    }

    public static String bits(int mask) {
        return Bits.format(mask, Bits.POLL_NAMES);
    }

    // ------------------------------------------------------------ packets

    public List<Packet> packets() {
        return packets;
    }

    public List<Event> events() {
        return other;
    }

    /** Takes the packets seen so far, each described compactly. */
    public List<String> take() {
        for (Packet p : packets) isns.see(p.segment());
        List<String> out = new ArrayList<>();
        for (Packet p : packets) out.add(describe(p.segment()));
        packets.clear();
        return out;
    }

    private String describe(Segment s) {
        String dir = s.src().port() == SERVER.port() ? "S>C" : "C>S";
        StringBuilder b = new StringBuilder(dir).append(" [").append(TcpFlags.tcpdump(s.flags())).append("]");
        // As tcpdump prints it, a packet without ACK (an RST answering a segment) shows its seq absolute.
        boolean rel = !s.has(TcpFlags.SYN) && s.has(TcpFlags.ACK);
        long seq = rel ? isns.seq(s) : s.seq();
        if (s.has(TcpFlags.SYN)) b.append(" seq ISN");
        else if (s.length() > 0) b.append(" seq ").append(seq).append(':').append(seq + s.length());
        else b.append(" seq ").append(seq);
        if (s.has(TcpFlags.ACK)) {
            long ack = isns.ack(s);
            b.append(" ack ").append(ack);
        }
        b.append(" win ").append(s.window());
        if (!s.options().isEmpty()) {
            List<String> o = new ArrayList<>();
            for (TcpOption op : s.options()) {
                if (op instanceof TcpOption.Nop) o.add("nop");
                else if (op instanceof TcpOption.Mss m) o.add("mss " + m.mss());
                else if (op instanceof TcpOption.SackPermitted) o.add("sackOK");
                else if (op instanceof TcpOption.Timestamps) o.add("TS");
                else if (op instanceof TcpOption.WindowScale w) o.add("wscale " + w.shift());
                else o.add(op.toString());
            }
            b.append(" [").append(String.join(",", o)).append("]");
        }
        b.append(" len ").append(s.length());
        return b.toString();
    }

    /** Time of the n-th packet taken so far, in microseconds since the start. */
    public static long micros(Packet p) {
        return p.timeNanos() / 1000;
    }
}
