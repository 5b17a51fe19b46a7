package io.tcpsim.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.backend.Event;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    private final Map<SockAddr, Long> isn = new HashMap<>();
    private SockAddr client;

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
        packets.clear();
        return new int[] {a, c, s};
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
        for (Packet p : packets) {
            Segment s = p.segment();
            if (s.has(TcpFlags.SYN) && !s.has(TcpFlags.ACK)) {
                client = s.src();
                isn.put(s.src(), s.seq());
            } else if (s.has(TcpFlags.SYN)) {
                isn.put(s.src(), s.seq());
            }
        }
        List<String> out = new ArrayList<>();
        for (Packet p : packets) out.add(describe(p.segment()));
        packets.clear();
        return out;
    }

    private String describe(Segment s) {
        String dir = s.src().port() == SERVER.port() ? "S>C" : "C>S";
        StringBuilder b = new StringBuilder(dir).append(" [").append(TcpFlags.tcpdump(s.flags())).append("]");
        Long mine = isn.get(s.src()), theirs = isn.get(s.dst());
        boolean rel = !s.has(TcpFlags.SYN) && mine != null && (s.has(TcpFlags.ACK));
        long seq = rel ? (s.seq() - mine) & 0xffffffffL : s.seq();
        if (s.has(TcpFlags.SYN)) b.append(" seq ISN");
        else if (s.length() > 0) b.append(" seq ").append(seq).append(':').append(seq + s.length());
        else b.append(" seq ").append(seq);
        if (s.has(TcpFlags.ACK)) {
            long ack = theirs == null ? s.ack() : (s.ack() - theirs) & 0xffffffffL;
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
