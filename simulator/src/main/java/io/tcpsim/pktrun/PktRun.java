package io.tcpsim.pktrun;

import io.tcpsim.backend.Event;
import io.tcpsim.calls.Result;
import io.tcpsim.compare.SequenceSpace;
import io.tcpsim.compare.Tolerance;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import io.tcpsim.packetdrill.Event.CodeEvent;
import io.tcpsim.packetdrill.Event.CommandEvent;
import io.tcpsim.packetdrill.Event.PacketEvent;
import io.tcpsim.packetdrill.Event.SyscallEvent;
import io.tcpsim.packetdrill.EventTime;
import io.tcpsim.packetdrill.Packet;
import io.tcpsim.packetdrill.PktConfig;
import io.tcpsim.packetdrill.PktScript;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a packetdrill script one-sided on the model: the model is packetdrill's local host, the script its remote
 * peer. One interpreter loop over the events, as packetdrill's run.c runs them, in virtual time:
 * <ul>
 *   <li>an event's time is its script time; a relative time counts from the previous event's time when both are
 *       inbound packets, else from now (run.c, adjust_relative_event_times);</li>
 *   <li>{@code <}: the clock moves to the packet's time and it is injected, numbered in the live space
 *       (map_inbound_packet: the ACK and SACK blocks on the host's ISN, the TS echo on the TS value the host sent
 *       for the script's value);</li>
 *   <li>{@code >}: the next segments the host sent, gathered until they carry the payload the script expects
 *       (do_outbound_script_packet), waiting for them up to the script's time and two seconds, then checked
 *       ({@link OutboundCheck}) and timed (verify_time);</li>
 *   <li>a call runs on the model; one with {@code ...} blocks while the packets the script gives before its next
 *       call arrive, and its return is timed.</li>
 * </ul>
 * The model is exact, so times agree to the microsecond unless the model does something else; the tolerance is
 * applied only where packetdrill applies it. Everything is checked before the run starts: what the model does not
 * model is {@link NotModelled}, never skipped.
 */
public final class PktRun {
    /** packetdrill's local and remote addresses (192.168.0.1, 192.0.2.1): the model's host and its link's peer. */
    static final int LOCAL_IP = 0xc0a80001, REMOTE_IP = 0xc0000201;
    /** The port the script's remote end uses for connections to a listener (an ephemeral port of its own). */
    static final int REMOTE_PORT = 47301;
    /** A live segment carries more than this many segments of data in flight: the model has no congestion window. */
    static final int INITIAL_CWND = 10;
    private static final long NO_TIME = Long.MIN_VALUE;

    /** What a run printed, line by line, and how it ended. */
    public record Outcome(PktVerdict verdict, List<String> lines) {
        public Outcome {
            lines = List.copyOf(lines);
        }
    }

    /** A connection the script drives: the live numbers and the script's. */
    private static final class Conn {
        final int remotePort;
        int localPort = -1;
        /** The host's live ISN, learnt from the SYN it sends; the script's ISN for it, from the script's SYN. */
        final SequenceSpace.Direction local = new SequenceSpace.Direction();
        long scriptLocalIsn = 0;
        /** The remote side's ISN: the seq of its SYN, which the live packet keeps (remote_seq_script_to_live_offset). */
        final SequenceSpace.Direction remote = new SequenceSpace.Direction();
        /** Whether the host's SYN (or SYN-ACK) was seen on a {@code >} line. */
        boolean synSeen;
        final Map<Long, Long> tsVals = new HashMap<>();
        /** The first outbound TS val of the script and the live one it stood for (found_first_tcp_ts). */
        long firstScriptTs = -1, firstActualTs = -1;
        long highestAck = -1;
        /** The live ACK the host last got, and the ends of the data segments it sent beyond it. */
        long liveAck = -1;
        final ArrayDeque<Long> inFlight = new ArrayDeque<>();
        /** The end of the highest sequence number the host sent, in the script's space. */
        long scriptSndMax = -1;
        /** Since the last ACK that acknowledged new data: duplicate ACKs or SACK blocks came (fast retransmit's cue). */
        boolean dupAcked;

        Conn(int remotePort) {
            this.remotePort = remotePort;
        }
    }

    private final PktScript script;
    private final String file;
    private final PktConfig config;
    private final Model model;
    private final SockAddr local, remote;
    private final Map<Integer, Integer> fds = new HashMap<>();
    private final SyscallMap calls;
    private final Tolerance tolerance;
    private final PktOutput out;
    /** Segments the host sent that no {@code >} line has taken yet, in order. */
    private final ArrayDeque<io.tcpsim.wire.Packet> sniffed = new ArrayDeque<>();
    private final List<Conn> conns = new ArrayList<>();
    private Conn conn;
    private long lastTime = NO_TIME;
    private boolean lastInbound;
    private int nextRemotePort = REMOTE_PORT;
    /** The time each event's relative start was counted from, once computed (blocking calls compute ahead). */
    private final Map<Integer, long[]> times = new HashMap<>();
    private java.util.function.Consumer<EventDone> afterEach = done -> {};
    private int shown;
    private PktVerdict failure;
    /** The line of the event being run, for a refusal the run itself finds. */
    private int currentLine;
    private NotModelled refusal;
    /** The %{ }% blocks' Python, its first failed assertion (reported when the script ran to its end). */
    private final PyCode py;
    private PyCode.Failure pyFailure;
    /**
     * packetdrill's socket_under_test, whose TCP_INFO a %{ }% block reads: the last socket() (its model descriptor),
     * or the connection an inbound SYN opened, whose descriptor accept() gives ({@link #SUT_PENDING} until then).
     */
    private int sut = SUT_NONE;
    private static final int SUT_NONE = -1, SUT_PENDING = -2;

    private PktRun(PktScript script, Profile profile, io.tcpsim.model.tcp.FastOpen fastOpen) {
        this.script = script;
        this.file = script.file();
        this.config = script.config();
        this.model = new Model(profile, 1);
        this.py = new PyCode(file);
        model.fastOpen(fastOpen);
        this.local = new SockAddr(LOCAL_IP, config.bindPort());
        this.remote = new SockAddr(REMOTE_IP, config.connectPort());
        this.calls = new SyscallMap(file, local, remote, fds);
        this.tolerance = new Tolerance(config.toleranceUsecs() * 1000, (int) Math.round(config.tolerancePercent() * 10));
        this.out = new PktOutput(config.localIp() == null ? "192.168.0.1" : config.localIp(),
                config.remoteIp() == null ? "192.0.2.1" : config.remoteIp());
        model.attach(LOCAL_IP, ip -> ip == REMOTE_IP);
        // packetdrill ignores SIGPIPE before the first event (run.c, run_script): a write after a reset fails with
        // EPIPE and the process lives on.
        model.call("main", new io.tcpsim.calls.Call.Signal(io.tcpsim.calls.Bits.SIGPIPE,
                io.tcpsim.calls.Call.Disposition.SIG_IGN));
        model.drainEvents();
    }

    /**
     * Runs the script. Throws {@link NotModelled} before anything runs when the script needs what the model does not
     * model, or during the run when the model reaches what it does not model (more data in flight than the initial
     * congestion window).
     */
    public static Outcome run(PktScript script) throws NotModelled {
        return run(script, done -> {});
    }

    /**
     * One event has run ({@code tcpsim step}): its line, the lines it printed, and the host, between events, to look
     * inside ({@link io.tcpsim.backend.Inspectable#endpoints()}).
     */
    public record EventDone(int index, int line, List<String> lines, io.tcpsim.backend.Inspectable host) {}

    /** As {@link #run(PktScript)}, telling {@code afterEach} after every event (a blocking call: after its window). */
    public static Outcome run(PktScript script, java.util.function.Consumer<EventDone> afterEach) throws NotModelled {
        Profile profile = HostSetup.profile(script);
        PktRun r = new PktRun(script, profile, HostSetup.fastOpen(script));
        r.afterEach = afterEach;
        try {
            r.run();
        } catch (io.tcpsim.backend.NotModelled e) {
            // The model itself refuses what it reaches and does not follow yet (docs/model.md).
            String what = e.getMessage().replaceFirst(" is not modelled yet \\(docs/model\\.md[^)]*\\)$", "");
            throw new NotModelled(script.file(), r.currentLine, what);
        }
        if (r.refusal != null) throw r.refusal;
        if (r.failure == null && r.pyFailure != null) {
            // packetdrill runs the Python when the script has run to its end (code_execute): its first failure.
            r.failure = PktVerdict.fail(r.pyFailure.line(), "error in Python code", r.pyFailure.message(), List.of());
        }
        return new Outcome(r.failure == null ? PktVerdict.PASS : r.failure, r.out.lines());
    }

    /**
     * Whether the script uses only what the model models, all of it ({@code --dry-run}); the first thing it does not
     * is thrown. A run refuses an event only when it reaches it, as packetdrill reaches it: a script that fails before
     * it has that failure as its verdict.
     */
    public static void check(PktScript script) throws NotModelled {
        HostSetup.profile(script);
        HostSetup.fastOpen(script);
        PyCode py = new PyCode(script.file());
        for (var e : script.events()) if (e instanceof CodeEvent c) py.run(c.line(), c.code(), null);
        SyscallMap structure = new SyscallMap(script.file(), new SockAddr(LOCAL_IP, 8080), new SockAddr(REMOTE_IP, 8080),
                new HashMap<>());
        for (var e : script.events()) check(script.file(), e, structure);
    }

    private static void check(String f, io.tcpsim.packetdrill.Event e, SyscallMap structure) throws NotModelled {
        if (e instanceof CommandEvent c) HostSetup.command(f, c.command());
        else if (e instanceof SyscallEvent s) structure.map(s);
        else if (e instanceof PacketEvent p) packet(f, p);
    }

    private static void packet(String f, PacketEvent p) throws NotModelled {
        if (!(p.packet() instanceof Packet.Tcp t)) {
            throw new NotModelled(f, p.line(), p.packet() instanceof Packet.Icmp ? "ICMP" : "UDP");
        }
        if (!t.outer().isEmpty()) throw new NotModelled(f, p.line(), "encapsulation (an outer IP header)");
        if (t.psp() != null) throw new NotModelled(f, p.line(), "PSP");
        if (t.ip() != null) throw new NotModelled(f, p.line(), "IP header fields (ECN, TOS, flow label, TTL)");
        if (t.sourcePort() != null || t.destinationPort() != null)
            throw new NotModelled(f, p.line(), "packets with explicit ports (more than one connection)");
        if ((t.bits() & (TcpFlags.ECE | TcpFlags.CWR | 0x100)) != 0) throw new NotModelled(f, p.line(), "ECN");
        if ((t.bits() & TcpFlags.URG) != 0) throw new NotModelled(f, p.line(), "urgent data");
        if (t.options() != null) {
            for (TcpOption o : t.options()) {
                switch (o.kind()) {
                    case 0, 1, 2, 3, 4, 5, 8 -> { }
                    case 19 -> throw new NotModelled(f, p.line(), "TCP MD5 signatures (option 19)");
                    case 34, 254 -> { } // TCP Fast Open: the server side is modelled (tcp_try_fastopen)
                    case 172, 174 -> throw new NotModelled(f, p.line(), "AccECN (option " + o.kind() + ")");
                    default -> throw new NotModelled(f, p.line(), "TCP option " + o.kind());
                }
            }
        }
    }

    // ------------------------------------------------------------------ the loop

    private void run() {
        var events = script.events();
        for (int i = 0; i < events.size() && failure == null && refusal == null; i++) {
            var e = events.get(i);
            currentLine = e.line();
            try {
                check(file, e, calls);
            } catch (NotModelled n) {
                refusal = n;
                break;
            }
            long[] t = times.containsKey(i) ? times.get(i) : adjust(e, nowUsecs());
            if (i == 0 && t[0] != 0) {
                fail(e.line(), "error", "first event should be at time 0", List.of());
                return;
            }
            if (e instanceof PacketEvent p) {
                Packet.Tcp tcp = (Packet.Tcp) p.packet();
                if (tcp.direction() == Packet.Direction.INBOUND) {
                    if (!times.containsKey(i)) inbound(p, tcp, t[0]);
                } else {
                    outbound(p, tcp, e.time(), t);
                }
            } else if (e instanceof SyscallEvent s) {
                waitUntil(t[0]);
                if (s.endUsecs() == null) syscall(s, t);
                else i = blocking(i, s, t);
            } else if (e instanceof CommandEvent) {
                waitUntil(t[0]);
            } else if (e instanceof CodeEvent c) {
                waitUntil(t[0]);
                code(c);
            }
            if (times.containsKey(i) && events.get(i) != e) {
                // A blocking call ran the events of its window: the last of them is the previous event now.
                e = events.get(i);
                t = times.get(i);
            }
            lastTime = t[0];
            lastInbound = isInbound(e);
            List<String> all = out.lines();
            afterEach.accept(new EventDone(i, e.line(), List.copyOf(all.subList(shown, all.size())), model));
            shown = all.size();
        }
    }

    private static boolean isInbound(io.tcpsim.packetdrill.Event e) {
        return e instanceof PacketEvent p && p.packet().direction() == Packet.Direction.INBOUND;
    }

    /**
     * The event's start and end in script microseconds, and the offset a relative time counted from
     * (adjust_relative_event_times): a relative time counts from the previous event's time when both are inbound
     * packets, else from {@code now}; a blocking call's end given with a relative start counts from the same point.
     */
    private long[] adjust(io.tcpsim.packetdrill.Event e, long now) {
        boolean anchored = lastTime != NO_TIME && lastInbound && isInbound(e);
        long offset = anchored ? lastTime : now;
        long start, end;
        EventTime time = e.time();
        if (time instanceof EventTime.Absolute a) {
            start = a.usecs();
            end = start;
            offset = 0;
        } else if (time instanceof EventTime.AbsoluteRange a) {
            start = a.fromUsecs();
            end = a.toUsecs();
            offset = 0;
        } else if (time instanceof EventTime.Relative r) {
            start = offset + r.usecs();
            end = start;
        } else if (time instanceof EventTime.RelativeRange r) {
            start = offset + r.fromUsecs();
            end = offset + r.toUsecs();
        } else {
            start = offset;
            end = start;
        }
        if (e instanceof SyscallEvent s && s.endUsecs() != null) {
            end = e.time() instanceof EventTime.Relative ? offset + s.endUsecs() : s.endUsecs();
        }
        return new long[] {start, end, offset};
    }

    private long nowUsecs() {
        return model.now() / 1000;
    }

    /** Moves the clock to {@code usecs}, keeping what the host sends meanwhile. */
    private void waitUntil(long usecs) {
        long t = usecs * 1000;
        if (t > model.now()) model.sleep(t - model.now());
        observe();
    }

    /** Takes what the host sent since the last look: printed, kept for the {@code >} lines, its ISN learnt. */
    private void observe() {
        for (Event ev : model.drainEvents()) {
            if (!(ev instanceof Event.PacketSent ps)) continue;
            Segment s = ps.packet().segment();
            if (s.has(TcpFlags.SYN) && conn != null && conn.remotePort == s.dst().port()) {
                conn.local.learn(s.seq());
                conn.localPort = s.src().port();
            } else if (s.has(TcpFlags.SYN) && !s.has(TcpFlags.ACK)) {
                // tcp_v4_connect's SYN: the connecting socket's connection (handle_connect_for_script_packet).
                Conn c = new Conn(s.dst().port());
                c.local.learn(s.seq());
                c.localPort = s.src().port();
                conns.add(c);
                conn = c;
            }
            out.packet(ps.packet(), false, ps.rstReason() == null ? null : ps.rstReason().name());
            sniffed.add(ps.packet());
            if (conn != null && s.length() > 0 && refusal == null) {
                conn.inFlight.add((s.seq() + s.length()) & 0xffffffffL);
                if (conn.liveAck >= 0) conn.inFlight.removeIf(end -> io.tcpsim.model.tcp.Seq.diff(end, conn.liveAck) <= 0);
                if (conn.inFlight.size() > INITIAL_CWND) {
                    // tcp_cwnd_test: Linux sends no more than its congestion window (10 segments at first,
                    // TCP_INIT_CWND); the model has none and sends what the peer's window allows.
                    refusal = new NotModelled(file, currentLine, "the congestion window (the model sent more than "
                            + INITIAL_CWND + " segments in flight)");
                }
            }
        }
    }

    // ------------------------------------------------------------------ inbound

    private void inbound(PacketEvent p, Packet.Tcp t, long usecs) {
        waitUntil(usecs);
        if ((t.bits() & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN && (conn == null || conn.local.known())) {
            // A SYN to a listener: a new connection from a port of the script's own (handle_listen_for_script_packet).
            Conn c = new Conn(nextRemotePort++);
            conns.add(c);
            conn = c;
            sut = SUT_PENDING;
        }
        if (conn == null) {
            fail(p.line(), "error handling packet", "no matching socket for script packet", List.of());
            return;
        }
        Segment s = live(p, t);
        if (s == null) return;
        model.inject(s, usecs * 1000);
        model.sleep(0);
        out.packet(new io.tcpsim.wire.Packet(usecs * 1000, 0, s), true, null);
        observe();
    }

    /** The script's packet in live numbers (map_inbound_packet), or null after failing as packetdrill fails. */
    private Segment live(PacketEvent p, Packet.Tcp t) {
        Conn c = conn;
        // socket.h: a SYN's numbers are the script's own (its ACK moved from the script's ISN to the live one); any
        // other packet's are relative to the ISNs.
        boolean syn = (t.bits() & TcpFlags.SYN) != 0;
        long localIsn = c.local.known() ? c.local.isn() : 0;
        long ackOffset = syn ? localIsn - c.scriptLocalIsn : localIsn;
        long seq = syn ? t.start() : (t.start() + Math.max(c.remote.isn(), 0)) & 0xffffffffL;
        if (syn) c.remote.learn(seq);
        List<TcpOption> options = new ArrayList<>();
        for (TcpOption o : t.options()) {
            if (o instanceof TcpOption.Timestamps ts && (t.bits() & TcpFlags.ACK) != 0) {
                Long val = c.tsVals.get(ts.ecr());
                if (val == null) {
                    fail(p.line(), "error handling packet", "unable to infer live TS ecr for script TS ecr " + ts.ecr()
                            + ";  no matching or preceding outbound TS val", List.of());
                    return null;
                }
                o = new TcpOption.Timestamps(ts.val(), val);
            } else if (o instanceof TcpOption.Sack sack) {
                List<long[]> blocks = new ArrayList<>();
                for (long[] b : sack.blocks()) blocks.add(new long[] {(b[0] + ackOffset) & 0xffffffffL, (b[1] + ackOffset) & 0xffffffffL});
                o = new TcpOption.Sack(blocks);
            }
            options.add(o);
        }
        long ack = (t.bits() & TcpFlags.ACK) != 0 && t.ack() != null ? (t.ack() + ackOffset) & 0xffffffffL : 0;
        if ((t.bits() & TcpFlags.ACK) != 0) {
            long a = t.ack() == null ? 0 : t.ack();
            boolean sack = t.options().stream().anyMatch(o -> o instanceof TcpOption.Sack);
            if (!syn && (sack || a == c.highestAck && t.length() == 0 && c.scriptSndMax > a)) c.dupAcked = true;
            else if (a > c.highestAck) c.dupAcked = false;
            c.highestAck = Math.max(c.highestAck, a);
            if (c.local.known()) c.liveAck = ack;
        }
        int localPort = c.localPort >= 0 ? c.localPort : local.port();
        return new Segment(new SockAddr(REMOTE_IP, c.remotePort), new SockAddr(LOCAL_IP, localPort), seq, ack,
                t.bits() & 0xff, t.window() == null ? 0 : t.window(), 0, options, new byte[t.length()]);
    }

    // ------------------------------------------------------------------ outbound

    private void outbound(PacketEvent p, Packet.Tcp t, EventTime type, long[] time) {
        if ((t.bits() & TcpFlags.SYN) != 0 && conn != null) conn.scriptLocalIsn = t.start();
        // The host on its link retransmits data and FINs from its timers (TcpRetransmit); a SYN or SYN-ACK sent again
        // it does not, nor what duplicate ACKs and SACK blocks make Linux send at once (tcp_fastretrans_alert).
        boolean again = (t.bits() & TcpFlags.SYN) != 0 && conn != null && conn.synSeen;
        if (!again && conn != null && conn.dupAcked && conn.scriptSndMax >= 0 && t.start() < conn.scriptSndMax
                && (t.length() > 0 || (t.bits() & TcpFlags.FIN) != 0)) {
            refusal = new NotModelled(file, p.line(), "fast retransmit and SACK loss recovery (duplicate ACKs or SACK "
                    + "blocks before a retransmission: tcp_fastretrans_alert)");
            return;
        }
        if (again) {
            // The script expects data (or a SYN, a FIN) sent before to be sent again.
            refusal = new NotModelled(file, p.line(), "a SYN or SYN-ACK sent again (the SYN-ACK timer, tcp_synack_retries)");
            return;
        }
        long expected = Math.max(time[0], time[1]);
        // sniff_outbound_live_packet: wait the seconds from the previous event to this one, and two more.
        long waitSeconds = Math.max((expected - (lastTime == NO_TIME ? 0 : lastTime)) / 1_000_000L, 0) + 2;
        long deadline = type instanceof EventTime.Any ? Long.MAX_VALUE : model.now() + waitSeconds * 1_000_000_000L;
        List<io.tcpsim.wire.Packet> got = new ArrayList<>();
        int payload = 0;
        do {
            io.tcpsim.wire.Packet next = sniff(deadline);
            if (next == null) {
                fail(p.line(), "error handling packet", "Timed out waiting for packet", List.of());
                return;
            }
            if (conn == null || next.segment().dst().port() != conn.remotePort) {
                fail(p.line(), "error handling packet", "packet is not for expected socket", List.of());
                return;
            }
            got.add(next);
            payload += next.segment().length();
        } while (payload < t.length() && !config.strictSegments());
        Segment first = got.get(0).segment(), last = got.get(got.size() - 1).segment();
        long liveTime = got.get(got.size() - 1).timeNanos();
        Segment live = new Segment(last.src(), last.dst(), first.seq(), last.ack(), last.flags(), last.window(),
                last.urgent(), last.options(), new byte[payload]);
        TcpOption.Timestamps sts = null, lts = live.timestamps();
        if (t.options() != null) for (TcpOption o : t.options()) if (o instanceof TcpOption.Timestamps x) sts = x;
        if (sts != null && lts != null) {
            // map_outbound_live_packet: the script's TS val stands for the live one in later TS echoes, and the live
            // val is compared in the script's space, from the first pair on.
            conn.tsVals.put(sts.val(), lts.val());
            if (conn.firstScriptTs < 0) {
                conn.firstScriptTs = sts.val();
                conn.firstActualTs = lts.val();
            }
        }
        Segment actual = toScript(live, sts != null && lts != null);
        List<String> dumps = List.of(
                "script packet: " + String.format("%9.6f", time[0] / 1e6) + " " + OutboundCheck.dump(t.bits(), t.start(), t.length(), t.ack(), t.window(), t.options()),
                "actual packet: " + String.format("%9.6f", liveTime / 1e9) + " " + OutboundCheck.dump(actual.flags(), actual.seq(),
                        actual.length(), actual.ack(), actual.window() & 0xffff, actual.options()));
        if (payload != t.length()) {
            fail(p.line(), "error handling packet", "live packet payload: expected " + t.length() + " bytes vs actual "
                    + payload + " bytes", dumps);
            return;
        }
        long tol = tolerance(time[0], lastTime);
        long scriptTsVal = sts == null ? 0 : sts.val();
        // verify_outbound_tcp_option: a TS value's tolerance grows with the time since the script's start.
        long tsTol = tolerance.allowed(time[0] * 1000) / 1000;
        String d = OutboundCheck.verify(t, actual, true, tsTol, config.tcpTsTickUsecs(), scriptTsVal);
        if (d != null) {
            fail(p.line(), "error handling packet", d, dumps);
            return;
        }
        if (actual.has(TcpFlags.SYN)) {
            conn.synSeen = true;
            conn.scriptSndMax = Math.max(conn.scriptSndMax, 1);
        } else {
            conn.scriptSndMax = Math.max(conn.scriptSndMax, actual.seq() + actual.seqLength());
        }
        String timing = verifyTime(type, time[0], time[1], liveTime / 1000, tol, "outbound packet", time[2]);
        if (timing != null) fail(p.line(), "error handling packet", timing, dumps);
    }

    /** The next segment the host sends, waiting for it until {@code deadline} (virtual ns); null: none came. */
    private io.tcpsim.wire.Packet sniff(long deadline) {
        while (sniffed.isEmpty()) {
            var next = model.nextDeadline();
            if (next.isEmpty() || next.getAsLong() > deadline) {
                if (deadline != Long.MAX_VALUE && deadline > model.now()) model.sleep(deadline - model.now());
                observe();
                return sniffed.poll();
            }
            model.sleep(Math.max(0, next.getAsLong() - model.now()));
            observe();
        }
        return sniffed.poll();
    }

    /** A live segment in the script's space: the host's numbers from the script's ISN (tcp_convert_seq_number). */
    private Segment toScript(Segment s, boolean ts) {
        Conn c = conn;
        boolean syn = s.has(TcpFlags.SYN);
        // A SYN's numbers from the script's ISN; any other's relative to the live ISNs (SequenceSpace's numbers).
        long seqOffset = syn ? c.scriptLocalIsn - c.local.isn() : -c.local.isn();
        long ackOffset = syn || !c.remote.known() ? 0 : -c.remote.isn();
        List<TcpOption> options = s.options();
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i) instanceof TcpOption.Sack sack) {
                List<long[]> blocks = new ArrayList<>();
                for (long[] b : sack.blocks()) blocks.add(new long[] {(b[0] + ackOffset) & 0xffffffffL, (b[1] + ackOffset) & 0xffffffffL});
                List<TcpOption> o = new ArrayList<>(options);
                o.set(i, new TcpOption.Sack(blocks));
                options = o;
            }
        }
        if (ts) {
            List<TcpOption> o = new ArrayList<>(options);
            for (int i = 0; i < o.size(); i++) {
                if (o.get(i) instanceof TcpOption.Timestamps x)
                    o.set(i, new TcpOption.Timestamps((c.firstScriptTs + x.val() - c.firstActualTs) & 0xffffffffL, x.ecr()));
            }
            options = o;
        }
        return new Segment(s.src(), s.dst(), (s.seq() + seqOffset) & 0xffffffffL,
                s.has(TcpFlags.ACK) ? (s.ack() + ackOffset) & 0xffffffffL : s.ack(), s.flags(), s.window(), s.urgent(),
                options, s.payload());
    }

    /**
     * packetdrill's tolerance for an event {@code scriptUsecs} into the script whose previous event was at
     * {@code lastEventUsecs} (verify_time: the larger of --tolerance_usecs and --tolerance_percent of the time
     * between them), in microseconds: the comparison core's {@link Tolerance} with the script's numbers.
     */
    private long tolerance(long scriptUsecs, long lastEventUsecs) {
        long since = lastEventUsecs == NO_TIME ? 0 : scriptUsecs - lastEventUsecs;
        return tolerance.allowed(since * 1000) / 1000;
    }

    /** verify_time's judgement and words, or null when the time is within the tolerance. */
    private static String verifyTime(EventTime type, long script, long scriptEnd, long actual, long tol, String what,
                                     long offset) {
        if (type instanceof EventTime.Any) return null;
        if (type instanceof EventTime.AbsoluteRange || type instanceof EventTime.RelativeRange) {
            if (actual >= script - tol && actual <= scriptEnd + tol) return null;
            if (type instanceof EventTime.AbsoluteRange)
                return "timing error: expected " + what + " in time range " + secs(script) + "~" + secs(scriptEnd)
                        + " sec but happened at " + secs(actual) + " sec";
            return "timing error: expected " + what + " in relative time range +" + secs(script - offset) + "~+"
                    + secs(scriptEnd - offset) + " sec but happened at " + (actual - offset >= 0 ? "+" : "")
                    + secs(actual - offset) + " sec";
        }
        if (actual >= script - tol && actual <= script + tol) return null;
        return "timing error: expected " + what + " at " + secs(script) + " sec but happened at " + secs(actual)
                + " sec; tolerance " + secs(tol) + " sec";
    }

    static String secs(long usecs) {
        return String.format("%.6f", usecs / 1e6);
    }

    // ------------------------------------------------------------------ calls

    /** A %{ }% block: the TCP_INFO of the socket under test now, and the block's Python over it (run_code_event). */
    private void code(CodeEvent c) {
        try {
            if (sut < 0) {
                throw new NotModelled(file, c.line(), "%{ }% Python with no socket under test that has a descriptor ("
                        + (sut == SUT_NONE ? "no socket yet" : "a connection not yet accepted") + ")");
            }
            if (conns.size() > 1) throw new NotModelled(file, c.line(), "%{ }% Python in a script with more than one connection");
            Map<String, Long> info = model.pktrunTcpInfo("main", sut);
            if (info == null) throw new NotModelled(file, c.line(), "%{ }% Python on a descriptor that is not a TCP socket");
            PyCode.Failure f = py.run(c.line(), c.code(), info);
            if (f != null && pyFailure == null) pyFailure = f;
        } catch (NotModelled n) {
            refusal = n;
        }
    }

    /** socket_under_test after a call: socket() names it; accept() gives the pending connection its descriptor. */
    private void underTest(SyscallEvent s, Result r) {
        if (r.failed() || r.blockedForever()) return;
        if (s.name().equals("socket")) sut = (int) r.value();
        else if ((s.name().equals("accept") || s.name().equals("accept4")) && sut == SUT_PENDING) sut = (int) r.value();
    }

    private void syscall(SyscallEvent s, long[] t) {
        SyscallMap.Mapped m;
        try {
            m = calls.map(s);
        } catch (NotModelled e) {
            refusal = e;
            return;
        }
        long start = model.now();
        int mark = out.lines().size();
        Result r = model.call("main", m.call());
        observe();
        underTest(s, r);
        out.call(mark, start, model.now(), s, r);
        if (r.blockedForever()) {
            fail(s.line(), "runtime error in " + s.name() + " call", "the call blocks for ever on the model", List.of());
            return;
        }
        judge(s, m, r);
    }

    private void judge(SyscallEvent s, SyscallMap.Mapped m, Result r) {
        try {
            String d = calls.judge(s, m, r);
            if (d != null) fail(s.line(), "runtime error in " + s.name() + " call", d, List.of());
        } catch (NotModelled e) {
            refusal = e;
        }
    }

    /**
     * A call with {@code ...}: the inbound packets the script gives before its next call (or command) arrive while it
     * blocks, at their times, each computed as if the packets before it came when the script says; after it returns
     * the outbound lines among them take what the host sent, and its return is timed (run_system_call.c: from its
     * start). Returns the index of the last event it covered.
     */
    private int blocking(int index, SyscallEvent s, long[] t) {
        SyscallMap.Mapped m;
        try {
            m = calls.map(s);
        } catch (NotModelled e) {
            refusal = e;
            return index;
        }
        var events = script.events();
        long savedLast = lastTime;
        boolean savedInbound = lastInbound;
        lastTime = t[0];
        lastInbound = false;
        long now = t[0];
        int j = index + 1;
        for (; j < events.size(); j++) {
            var e = events.get(j);
            if (!(e instanceof PacketEvent p)) break;
            try {
                packet(file, p);
            } catch (NotModelled n) {
                refusal = n;
                return index;
            }
            long[] et = adjust(e, now);
            times.put(j, et);
            Packet.Tcp tcp = (Packet.Tcp) p.packet();
            if (tcp.direction() == Packet.Direction.INBOUND) scheduleInbound(p, tcp, et[0]);
            now = Math.max(now, et[0]);
            lastTime = et[0];
            lastInbound = isInbound(e);
        }
        lastTime = savedLast;
        lastInbound = savedInbound;
        long start = model.now();
        int mark = out.lines().size();
        Result r = model.call("main", m.call());
        observe();
        underTest(s, r);
        out.call(mark, start, model.now(), s, r);
        long end = nowUsecs();
        // Packets of the window due before the call returned are judged first, as packetdrill's main thread does.
        int k = index + 1;
        lastTime = t[0];
        lastInbound = false;
        for (; k < j && failure == null && refusal == null && times.get(k)[0] <= end; k++) step(k);
        if (failure != null || refusal != null) return j - 1;
        if (r.blockedForever()) {
            fail(s.line(), "runtime error in " + s.name() + " call", "the call blocks for ever on the model", List.of());
            return j - 1;
        }
        judge(s, m, r);
        if (failure != null) return j - 1;
        long tol = tolerance(t[1], t[0]);
        String timing = verifyTime(s.time(), t[1], 0, end, tol, "system call return", t[2]);
        if (timing != null) {
            fail(s.line(), "timing error", timing.substring("timing error: ".length()), List.of());
            return j - 1;
        }
        for (; k < j && failure == null && refusal == null; k++) step(k);
        return j - 1;
    }

    /** One event of a blocking call's window, after the call. */
    private void step(int k) {
        var e = (PacketEvent) script.events().get(k);
        long[] t = times.get(k);
        Packet.Tcp tcp = (Packet.Tcp) e.packet();
        if (tcp.direction() == Packet.Direction.OUTBOUND) outbound(e, tcp, e.time(), t);
        lastTime = t[0];
        lastInbound = isInbound(e);
    }

    /** An inbound packet that arrives while a call blocks: numbered when it arrives, when the host's ISN is known. */
    private void scheduleInbound(PacketEvent p, Packet.Tcp t, long usecs) {
        model.inject(() -> {
            observe();
            if (failure != null) return null;
            if ((t.bits() & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN && (conn == null || conn.local.known())) {
                Conn c = new Conn(nextRemotePort++);
                conns.add(c);
                conn = c;
                sut = SUT_PENDING;
            }
            if (conn == null) return null;
            Segment s = live(p, t);
            if (s != null) out.packet(new io.tcpsim.wire.Packet(usecs * 1000, 0, s), true, null);
            return s;
        }, usecs * 1000);
    }

    private void fail(int line, String kind, String message, List<String> dumps) {
        if (failure != null) return;
        failure = PktVerdict.fail(line, kind, message, dumps);
    }
}
