package io.tcpsim.model;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.Inspectable;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.ProcessEnd;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.model.files.EpollFile;
import io.tcpsim.model.files.OpenFile;
import io.tcpsim.model.files.Pipe;
import io.tcpsim.model.files.SocketFile;
import io.tcpsim.model.files.TcpFile;
import io.tcpsim.model.files.UnixEnd;
import io.tcpsim.model.tcp.TcpCalls;
import io.tcpsim.model.tcp.TcpSock;
import io.tcpsim.model.tcp.TcpStack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The simulated Linux host: processes with descriptor tables, the TCP stack on loopback, pipes, AF_UNIX
 * socketpairs and epoll, all on one virtual clock. This is the model backend; see docs/model.md for what it
 * follows and where each rule comes from.
 *
 * <p>Every call runs to completion at the current virtual instant and then lets the loopback settle (every packet
 * it caused is delivered and answered, as the kernel does in softirq before the syscall returns). A call that must
 * block moves the clock event by event until it can complete; if nothing is left that could wake it, it returns
 * {@link Result#blocked()}.
 */
public final class Model implements Backend, Inspectable {
    private final Profile profile;
    private final Scheduler clock = new Scheduler();
    private final List<Event> events = new ArrayList<>();
    private final TcpStack stack;
    private final TcpCalls tcp;
    private final Map<String, Proc> procs = new LinkedHashMap<>();
    private final Syscalls syscalls = new Syscalls();
    /** The calls left running ({@link #start}), each waiting in its process, in the order they started. */
    private final Map<String, Waiting> waiting = new LinkedHashMap<>();
    private final List<Completion> completed = new ArrayList<>();
    /** Set while {@link #start} runs a call's first try: a call that must wait is then left waiting, not run to its end. */
    private Proc starting;
    private Waiting startedWaiting;
    private boolean waking;

    /** A call left running: its process and its next try (the wait loop of {@link #block}, one turn per event). */
    private record Waiting(Proc proc, java.util.function.Supplier<Outcome> retry) {}
    private final long seed;
    /** Every host's stack: the one loopback host, or the two hosts of a script with hosts: (in its order). */
    private final List<TcpStack> stacks = new ArrayList<>();
    /** With hosts: each process's host; the link between them. */
    private final Map<String, TcpStack> hostOf = new LinkedHashMap<>();
    private Wire wire;
    /** Each link step's command, with where the script wrote it, for refusals ({@code FILE:LINE:COL}). */
    private final Map<io.tcpsim.backend.LinkCommand, String> linkSteps = new java.util.IdentityHashMap<>();

    public Model(Profile profile, long seed) {
        this.profile = profile;
        this.seed = seed;
        this.stack = new TcpStack(profile, clock, new Randomness(seed, 0), events::add);
        this.tcp = stack.calls();
        clock.afterEvent(this::wake);
        stacks.add(stack);
    }

    /**
     * Refuses what the model does not run yet (an option, a sysctl; docs/model.md "What is not modelled yet"), and
     * for a script with hosts: makes its two hosts, each a stack of its own with its own randomness (host 0 and 1 in
     * the order of hosts:), joined by the link ({@link Wire}).
     */
    @Override
    public void prepare(io.tcpsim.script.Script script) {
        for (io.tcpsim.script.Step st : script.steps()) {
            if (!(st instanceof io.tcpsim.script.Step.CallStep c)) continue;
            io.tcpsim.calls.SockOpt o = c.call() instanceof io.tcpsim.script.CallTemplate.SetSockOpt s ? s.option()
                    : c.call() instanceof io.tcpsim.script.CallTemplate.GetSockOpt g ? g.option() : null;
            if (o != null && !o.modelled) throw refusal(script, st.source(), o.name() + " is not modelled yet");
        }
        io.tcpsim.script.Topology t = script.topology();
        if (t == null) return;
        for (io.tcpsim.script.Step st : script.steps())
            if (st instanceof io.tcpsim.script.Step.Netstat n && n.ss()) throw refusal(script, st.source(), "ss on two hosts is not modelled yet");
        for (io.tcpsim.script.Step st : script.steps())
            if (st instanceof io.tcpsim.script.Step.Link k) linkSteps.put(k.command(), script.file() + ":" + k.line() + ":" + k.column());
        if (!procs.isEmpty()) throw new IllegalStateException("prepare comes before the first call");
        List<String> names = t.names();
        stacks.clear();
        for (int i = 0; i < names.size(); i++) {
            TcpStack s = new TcpStack(hostProfile(script, t), clock, new Randomness(seed, i), events::add);
            stacks.add(s);
            hostOf.put(names.get(i), s);
        }
        wire = new Wire(clock, t, stacks.get(0), stacks.get(1));
        io.tcpsim.script.SourceText lossAt = t.at("link.loss");
        wire.lossWhere = script.file() + ":" + lossAt.line(0) + ":" + lossAt.column(0);
    }

    /**
     * A host's profile on the link: the route's advmss is the MTU less 40 (tcp_mss_clamp / ip_rt_get_mtu, measured
     * 1460 on MTU 1500, kernel-measurements.md section 24), and the script's sysctls that the model knows.
     */
    private Profile hostProfile(io.tcpsim.script.Script script, io.tcpsim.script.Topology t) {
        Profile p = profile;
        int mss = t.link().mtu() - 40;
        if (mss < 88) throw refusal(script, t.at("link.mtu"), "an MTU below 128 is not modelled yet");
        p = p.with("mss", String.valueOf(mss));
        for (var e : t.sysctls().entrySet()) {
            String key = e.getKey().substring("net.ipv4.".length());
            String v = e.getValue().trim();
            try {
                switch (key) {
                    case "tcp_timestamps", "tcp_sack", "tcp_syn_linear_timeouts", "tcp_syn_retries", "tcp_retries2",
                         "tcp_orphan_retries" -> p = p.with(key, v);
                    case "tcp_keepalive_time", "tcp_keepalive_intvl", "tcp_keepalive_probes", "tcp_synack_retries" ->
                            p = p.with(key, v);
                    case "tcp_fin_timeout" -> p = p.with(key, v + "s");
                    case "ip_local_port_range" -> p = p.with(key, v);
                    case "tcp_rmem" -> {
                        String[] parts = v.split("\\s+");
                        if (parts.length != 3) throw new IllegalArgumentException("expected MIN DEFAULT MAX");
                        p = p.with("rcvbuf", parts[1]).with("tcp_rmem_max", parts[2]);
                    }
                    case "tcp_wmem" -> {
                        // The send buffer: its default, counted in data bytes as the profile's sndbuf is. A default
                        // below what tcp_sndbuf_expand makes of a connected socket's (the profile's) would need that
                        // growth with cwnd, which is not modelled: refused.
                        String[] parts = v.split("\\s+");
                        if (parts.length != 3) throw new IllegalArgumentException("expected MIN DEFAULT MAX");
                        long def = Long.parseLong(parts[1]);
                        if (def < p.sndbuf()) throw new IllegalArgumentException("a default below " + p.sndbuf()
                                + ": the send buffer's growth, tcp_sndbuf_expand");
                        p = p.with("sndbuf", parts[1]);
                    }
                    default -> throw refusal(script, t.at(e.getKey()), "sysctl " + e.getKey() + " is not modelled yet");
                }
            } catch (IllegalArgumentException x) {
                throw refusal(script, t.at(e.getKey()), "sysctl " + e.getKey() + " = " + v + " is not modelled yet ("
                        + x.getMessage() + ")");
            }
        }
        return p;
    }

    private static io.tcpsim.backend.NotModelled refusal(io.tcpsim.script.Script s, io.tcpsim.script.SourceText at, String what) {
        return new io.tcpsim.backend.NotModelled(s.file() + ":" + at.line(0) + ":" + at.column(0) + ": " + what
                + " " + io.tcpsim.backend.NotModelled.DOCS);
    }

    /** The stack of a process's host: its host's on two hosts, the one loopback host's otherwise. */
    private TcpStack stackOf(String process) {
        return hostOf.getOrDefault(process, stack);
    }

    @Override
    public void link(io.tcpsim.backend.LinkCommand command) {
        if (wire == null) {
            Backend.super.link(command);
        } else {
            wire.apply(command, linkSteps.getOrDefault(command, "link"));
        }
    }

    @Override
    public List<NetstatRow> netstat(String host) {
        TcpStack s = hostOf.get(host);
        if (s == null) return Backend.super.netstat(host);
        return s.netstat(true);
    }

    public Profile profile() {
        return profile;
    }

    @Override public String name() { return "model"; }

    @Override public long now() { return clock.now(); }

    @Override
    public Result call(String process, Call call) {
        Proc p = procs.computeIfAbsent(process, Proc::new);
        if (!p.alive) return Result.error(Errno.EBADF);
        Result r = call.accept(syscalls, p);
        if (r.sigpipe()) deliverSigpipe(p);
        clock.settle();
        // On two hosts, what arrived from the link at this instant is processed before the woken process runs on:
        // the receive softirq handles the whole batch first (net_rx_action), and the veth delivers back to back.
        if (wire != null) clock.runUntil(clock.now());
        return r;
    }

    /**
     * Starts the call as its process's thread would: it runs to its first wait, and is then tried again after every
     * event (a packet, a timer), as a wakeup makes the kernel's wait loop check again, while other processes make
     * their calls. A call that does not wait completes at once.
     */
    @Override
    public void start(String process, Call call) {
        Proc p = procs.computeIfAbsent(process, Proc::new);
        if (waiting.containsKey(process)) throw new IllegalStateException(process + " already has a call running");
        starting = p;
        startedWaiting = null;
        Result r;
        try {
            r = p.alive ? call.accept(syscalls, p) : Result.error(Errno.EBADF);
        } finally {
            starting = null;
        }
        if (startedWaiting != null) {
            waiting.put(process, startedWaiting);
        } else {
            returnedNow(p, r);
        }
        clock.settle();
    }

    private void returnedNow(Proc p, Result r) {
        completed.add(new Completion(p.name, r, clock.now()));
        if (r.sigpipe()) deliverSigpipe(p);
    }

    /** After every event: each call left running tries again; one that completes returns now. */
    private void wake() {
        if (waiting.isEmpty() || waking) return;
        waking = true;
        try {
            for (var e : List.copyOf(waiting.entrySet())) {
                Outcome o = e.getValue().retry().get();
                if (o instanceof Outcome.Done d) {
                    waiting.remove(e.getKey());
                    returnedNow(e.getValue().proc(), d.result());
                }
            }
        } finally {
            waking = false;
        }
    }

    @Override
    public List<Completion> completions() {
        if (completed.isEmpty()) return List.of();
        List<Completion> out = new ArrayList<>(completed);
        completed.clear();
        return out;
    }

    /** Moves the clock event by event until the process's call returns; blocked for ever when nothing is left. */
    @Override
    public Completion await(String process) {
        while (waiting.containsKey(process)) {
            if (!clock.runNext()) {
                waiting.remove(process);
                returnedNow(procs.get(process), Result.blocked());
            }
        }
        clock.settle();
        Completion found = null;
        for (Completion c : completed) if (c.process().equals(process)) found = c;
        if (found != null) completed.remove(found);
        return found;
    }

    @Override
    public void sleep(long nanos) {
        clock.runUntil(clock.now() + nanos);
    }

    /** Where the host's segments go from now on (see {@link Link}); the loopback device until this is called. */
    public void link(Link link) {
        stack.link(link);
    }

    /**
     * A segment from a peer outside the model arrives at virtual time {@code time} (now, if that has passed): the
     * host takes it as tcp_v4_rcv takes any segment. Its effects happen when the clock gets there.
     */
    /**
     * Puts the host on a link to peers outside the model, as packetdrill's tun device puts its local host: its address
     * there is {@code ip}, and what it sends to an address {@code reaches} accepts leaves the host (it is captured and
     * nothing in the model receives it). A host on a link runs the retransmission machinery (docs/model.md, "Two
     * hosts on a link"); its peers' segments come in through {@link #inject}.
     */
    public void attach(int ip, java.util.function.IntPredicate reaches) {
        stack.attach(ip, new TcpStack.Device() {
            public boolean reaches(int dst) { return reaches.test(dst); }

            public void send(TcpStack from, io.tcpsim.wire.Segment seg) { }
        });
    }

    public void inject(io.tcpsim.wire.Segment segment, long time) {
        clock.arriveAt(time, () -> stack.receive(segment));
    }

    /**
     * As {@link #inject(io.tcpsim.wire.Segment, long)}, the segment made only when it arrives: a packetdrill script's
     * inbound packet names the host's sequence numbers relative to an ISN the host may choose while a blocking call
     * waits, before the packet is due.
     */
    public void inject(java.util.function.Supplier<io.tcpsim.wire.Segment> segment, long time) {
        clock.arriveAt(time, () -> {
            io.tcpsim.wire.Segment s = segment.get();
            if (s != null) stack.receive(s);
        });
    }

    /**
     * Delivers every packet in flight, and whatever they cause, as the end of a call does: replay settles the
     * loopback before it makes a call whose effect depends on what has arrived (an accept after a SYN retransmission).
     */
    public void settle() {
        clock.settle();
    }

    @Override
    public void exit(String process) {
        Proc p = procs.computeIfAbsent(process, Proc::new);
        if (!p.alive) return;
        end(p, ProcessEnd.EXITED);
        clock.settle();
    }

    /**
     * When something happens next if no process makes a call (virtual nanoseconds): a packet in flight arrives, or
     * an endpoint's armed timer fires. Nothing when neither is left: the host is quiet until a call.
     */
    public OptionalLong nextDeadline() {
        OptionalLong packet = clock.nextDelivery(), timer = OptionalLong.empty();
        for (TcpStack s : stacks) {
            OptionalLong t = s.nextTimer();
            if (t.isPresent() && (timer.isEmpty() || t.getAsLong() < timer.getAsLong())) timer = t;
        }
        if (packet.isEmpty()) return timer;
        if (timer.isEmpty()) return packet;
        return OptionalLong.of(Math.min(packet.getAsLong(), timer.getAsLong()));
    }

    /** When the next packet in flight arrives (across a Link's delay too), or nothing when none is. */
    public OptionalLong nextDelivery() {
        return clock.nextDelivery();
    }

    /**
     * When the next timer of the connection {@code local > remote} fires: replay lets the model's clock run on to it
     * for a packet the capture shows up to a jiffy before the model's tick, and not further.
     */
    public OptionalLong nextTimer(io.tcpsim.wire.SockAddr local, io.tcpsim.wire.SockAddr remote) {
        return stack.nextTimer(local, remote);
    }

    /** struct tcp_info's fields the model knows for {@code process}'s TCP socket {@code fd} (TcpCalls.tcpInfo), or null. */
    public java.util.Map<String, Long> pktrunTcpInfo(String process, int fd) {
        Proc p = procs.get(process);
        return p != null && p.fds.get(fd) instanceof TcpFile t ? t.calls().pktrunTcpInfo(t.sock) : null;
    }

    /** The TCP Fast Open sysctls of the host (net.ipv4.tcp_fastopen and its key; only the server side is modelled). */
    public void fastOpen(io.tcpsim.model.tcp.FastOpen f) {
        for (TcpStack s : stacks) s.fastOpen(f);
    }

    /**
     * Whether a read of everything queued on {@code process}'s TCP socket {@code fd} would send its scheduled ACK at
     * once (tcp_cleanup_rbuf). Replay asks before it makes a receiver read: a capture without that ACK shows that the
     * application had not read yet.
     */
    public boolean readFlushesAck(String process, int fd) {
        Proc p = procs.get(process);
        return p != null && p.fds.get(fd) instanceof TcpFile t && t.calls().readFlushesAck(t.sock);
    }

    @Override
    public List<NetstatRow> ss() {
        if (stacks.size() != 1) throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words("ss on two hosts"));
        return stack.ss();
    }

    @Override
    public List<NetstatRow> netstat() {
        if (stacks.size() == 1) return stack.netstat(true);
        List<NetstatRow> rows = new ArrayList<>();
        for (TcpStack s : stacks) rows.addAll(s.netstat(true));
        return rows;
    }

    @Override
    public List<Event> drainEvents() {
        if (events.isEmpty()) return List.of(); // replay drains after every step; most find nothing
        List<Event> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    /**
     * Every endpoint netstat lists, in its order, then the sockets only a descriptor still holds, in process and
     * descriptor order (sockets are compared by identity, so a linked map keeps that order).
     */
    @Override
    public List<EndpointSnapshot> endpoints() {
        Map<TcpSock, String> owners = new LinkedHashMap<>();
        for (Proc p : procs.values()) {
            for (var e : p.fds.entrySet()) {
                if (e.getValue() instanceof TcpFile f) owners.put(f.sock, p.name + ":" + e.getKey());
            }
        }
        if (stacks.size() == 1) return stack.snapshots(owners);
        List<EndpointSnapshot> out = new ArrayList<>();
        for (TcpStack s : stacks) {
            Map<TcpSock, String> mine = new LinkedHashMap<>();
            for (var e : owners.entrySet()) if (e.getKey().onStack(s)) mine.put(e.getKey(), e.getValue());
            out.addAll(s.snapshots(mine));
        }
        return out;
    }

    // ------------------------------------------------------------------ waiting

    /** One try at a call on {@code on}; {@code copied} is what the tries before it wrote (always 0 but for a write). */
    private interface Attempt<T> {
        Outcome run(T on, int copied);
    }

    /**
     * Runs a call that may block: after each wait, the next event (a packet, a timer) happens and the call is tried
     * again. A deadline (poll and epoll timeouts) is an event of its own. Nothing left to happen: blocked for ever.
     */
    private <T> Result block(T on, Attempt<T> attempt, long deadline) {
        if (deadline >= 0) clock.wakeAt(deadline);
        int copied = 0;
        while (true) {
            Outcome o = attempt.run(on, copied);
            if (!(o instanceof Outcome.WouldBlock w)) return returned(o);
            copied = w.copied();
            if (starting != null) {
                // A call left running: it waits in its own thread; each later event tries it again.
                int[] progress = {copied};
                startedWaiting = new Waiting(starting, () -> {
                    Outcome again = attempt.run(on, progress[0]);
                    if (again instanceof Outcome.WouldBlock more) progress[0] = more.copied();
                    return again;
                });
                return null;
            }
            if (!clock.runNext()) return Result.blocked();
            // On two hosts the whole batch the link delivered at this instant is in before the process wakes.
            if (wire != null) clock.runUntil(clock.now());
        }
    }

    /**
     * SO_RCVTIMEO and SO_SNDTIMEO (sock_rcvtimeo, sock_sndtimeo): a blocking call on a TCP socket whose timeout is set
     * waits at most that long (schedule_timeout: a timer on the wheel, TcpCalls.timeoutAt), then ends as
     * {@code expired} says, given what it has copied: recv, accept and a send that copied nothing EAGAIN, a send
     * that did its count (sk_stream_wait_memory), connect EINPROGRESS (__inet_stream_connect). No timeout: the
     * call as it is.
     */
    private <T> Attempt<T> timed(OpenFile f, boolean send, Attempt<T> attempt, java.util.function.IntFunction<Outcome> expired) {
        if (!(f instanceof TcpFile t) || t.nonblock) return attempt;
        long timeo = send ? t.sock.sndTimeoJiffies : t.sock.rcvTimeoJiffies;
        if (timeo == Long.MAX_VALUE) return attempt;
        long at = timeo == 0 ? clock.now() : t.calls().timeoutAt(timeo); // timeo 0: "if (!timeo)", no wait at all
        clock.wakeAt(at);
        return (on, copied) -> {
            Outcome o = attempt.run(on, copied);
            if (o instanceof Outcome.WouldBlock w && clock.now() >= at) return expired.apply(w.copied());
            return o;
        };
    }

    private static Outcome eagainOrCopied(int copied) {
        return copied > 0 ? Outcome.ok(copied) : Outcome.fail(Errno.EAGAIN);
    }

    /** The result of an outcome that is not a wait (Outcome has just the two kinds). */
    private static Result returned(Outcome o) {
        return ((Outcome.Done) o).result();
    }

    /** A socket call that never writes part of itself: no progress to carry across waits. */
    private interface SocketOp extends Attempt<SocketFile> {
        Outcome run(SocketFile s);

        @Override
        default Outcome run(SocketFile s, int copied) {
            return run(s);
        }
    }

    /** A call only a socket takes: EBADF for no file, ENOTSOCK for a pipe or epoll (sockfd_lookup). */
    private Result onSocket(Proc p, int fd, SocketOp op) {
        OpenFile f = p.fds.get(fd);
        if (f == null) return Result.error(Errno.EBADF);
        if (!(f instanceof SocketFile s)) return Result.error(Errno.ENOTSOCK);
        return block(s, op, -1);
    }

    // ------------------------------------------------------------------ the calls

    /** The system call table: each call finds its file and asks it (file_operations, proto_ops), or acts itself. */
    private final class Syscalls implements Call.Visitor<Result, Proc> {
        private static final int SOCK_FLAGS = Bits.SOCK_NONBLOCK | Bits.SOCK_CLOEXEC;

        @Override
        public Result socket(Call.Socket c, Proc p) {
            if ((c.flags() & ~SOCK_FLAGS) != 0) return Result.error(Errno.EINVAL);
            TcpCalls calls = stackOf(p.name).calls();
            TcpFile f = new TcpFile(calls.socket(c.v6()), calls);
            f.nonblock = (c.flags() & Bits.SOCK_NONBLOCK) != 0;
            return Result.ok(p.allocate(f));
        }

        @Override
        public Result bind(Call.Bind c, Proc p) {
            return onSocket(p, c.fd(), s -> s.bind(c.addr()));
        }

        @Override
        public Result listen(Call.Listen c, Proc p) {
            return onSocket(p, c.fd(), s -> s.listen(c.backlog()));
        }

        @Override
        public Result accept(Call.Accept c, Proc p) {
            if ((c.flags() & ~SOCK_FLAGS) != 0) return Result.error(Errno.EINVAL);
            OpenFile f = p.fds.get(c.fd());
            if (f instanceof TcpFile) {
                SocketOp op = s -> s.accept(c.flags(), p::allocate);
                return block((SocketFile) f, timed(f, false, op, n -> Outcome.fail(Errno.EAGAIN)), -1);
            }
            return onSocket(p, c.fd(), s -> s.accept(c.flags(), p::allocate));
        }

        @Override
        public Result connect(Call.Connect c, Proc p) {
            OpenFile f = p.fds.get(c.fd());
            if (f instanceof TcpFile) {
                SocketOp op = s -> s.connect(c.addr());
                return block((SocketFile) f, timed(f, true, op, n -> Outcome.fail(Errno.EINPROGRESS)), -1);
            }
            return onSocket(p, c.fd(), s -> s.connect(c.addr()));
        }

        /** write(2) goes to any file's write; send(2) only to a socket. Either may wait with part of it written. */
        @Override
        public Result send(Call.Send c, Proc p) {
            OpenFile f = p.fds.get(c.fd());
            if (f == null) return Result.error(Errno.EBADF);
            if (c.write()) return block(f, timed(f, true, (file, copied) -> file.write(c.data(), copied), Model::eagainOrCopied), -1);
            if (!(f instanceof SocketFile s)) return Result.error(Errno.ENOTSOCK);
            return block(s, timed(f, true, (sock, copied) -> sock.sendmsg(c.data(), c.flags(), copied), Model::eagainOrCopied), -1);
        }

        /** read(2) goes to any file's read; recv(2) only to a socket. */
        @Override
        public Result recv(Call.Recv c, Proc p) {
            if ((c.flags() & (Bits.MSG_WAITALL | Bits.MSG_PEEK | Bits.MSG_TRUNC)) == 0 && p.fds.get(c.fd()) instanceof TcpFile t
                    && t.rcvLowat() > 1) {
                java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                return block(t, (file, copied) -> file.recvLowat(c.length(), c.flags(), got), -1);
            }
            if (!c.read() && (c.flags() & Bits.MSG_WAITALL) != 0 && p.fds.get(c.fd()) instanceof TcpFile t) {
                java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                return block(t, timed(t, false, (file, copied) -> file.recvWaitAll(c.length(), c.flags(), got),
                        n -> got.size() > 0 ? Outcome.received(got.toByteArray()) : Outcome.fail(Errno.EAGAIN)), -1);
            }
            if (!c.read() && (c.flags() & Bits.MSG_TRUNC) != 0 && p.fds.get(c.fd()) instanceof TcpFile) {
                // tcp_recvmsg_locked with MSG_TRUNC skips skb_copy_datagram_msg: the bytes are consumed (or peeked)
                // and counted, and the caller's buffer is left as it was (zeros here, as the kernel backend's).
                Result r = onSocket(p, c.fd(), s -> s.recvmsg(c.length(), c.flags()));
                return r.data() == null || r.failed() ? r : Result.data(new byte[r.data().length]);
            }
            if (!c.read() && p.fds.get(c.fd()) instanceof TcpFile t) {
                SocketOp op = s -> s.recvmsg(c.length(), c.flags());
                return block((SocketFile) t, timed(t, false, op, n -> Outcome.fail(Errno.EAGAIN)), -1);
            }
            if (!c.read()) return onSocket(p, c.fd(), s -> s.recvmsg(c.length(), c.flags()));
            OpenFile f = p.fds.get(c.fd());
            if (f == null) return Result.error(Errno.EBADF);
            return block(f, timed(f, false, (file, copied) -> file.read(c.length()), n -> Outcome.fail(Errno.EAGAIN)), -1);
        }

        @Override
        public Result shutdown(Call.Shutdown c, Proc p) {
            return onSocket(p, c.fd(), s -> s.shutdown(c.how()));
        }

        @Override
        public Result close(Call.Close c, Proc p) {
            OpenFile f = p.fds.remove(c.fd());
            if (f == null) return Result.error(Errno.EBADF);
            put(f, false);
            return Result.ok(0);
        }

        @Override
        public Result sendTo(Call.SendTo c, Proc p) {
            return send(new Call.Send(c.fd(), c.data(), c.flags(), false), p);
        }

        @Override
        public Result recvFrom(Call.RecvFrom c, Proc p) {
            return recv(new Call.Recv(c.fd(), c.length(), c.flags(), false), p);
        }

        /** do_iter_write: the buffers go as one iterator through the file's write_iter. */
        @Override
        public Result writev(Call.WriteV c, Proc p) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (byte[] b : c.buffers()) all.writeBytes(b);
            return send(new Call.Send(c.fd(), all.toByteArray(), 0, true), p);
        }

        @Override
        public Result readv(Call.ReadV c, Proc p) {
            long sum = 0;
            for (int n : c.lengths()) sum += n;
            return recv(new Call.Recv(c.fd(), (int) Math.min(sum, Integer.MAX_VALUE), 0, true), p);
        }

        /** ____sys_sendmsg: the iovecs as one iterator through sock_sendmsg, as send(2) of them joined. */
        @Override
        public Result sendmsg(Call.SendMsg c, Proc p) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (byte[] b : c.buffers()) all.writeBytes(b);
            return send(new Call.Send(c.fd(), all.toByteArray(), c.flags(), false), p);
        }

        @Override
        public Result recvmsg(Call.RecvMsg c, Proc p) {
            long sum = 0;
            for (int n : c.lengths()) sum += n;
            Result r = recv(new Call.Recv(c.fd(), (int) Math.min(sum, Integer.MAX_VALUE), c.flags(), false), p);
            // tcp_recvmsg: "if (cmsg_flags && ret >= 0)" the TCP_INQ control message
            if (!(p.fds.get(c.fd()) instanceof TcpFile t) || t.inqHint() < 0) return r;
            if (r == null && startedWaiting != null) {
                // left running: the control message goes with the result when it comes
                Waiting w = startedWaiting;
                startedWaiting = new Waiting(w.proc(), () -> {
                    Outcome o = w.retry().get();
                    return o instanceof Outcome.Done d && !d.result().failed() && t.inqHint() >= 0
                            ? new Outcome.Done(d.result().withOption(t.inqHint())) : o;
                });
                return null;
            }
            return r != null && !r.failed() && !r.blockedForever() ? r.withOption(t.inqHint()) : r;
        }

        /**
         * dup (lowest free descriptor) or dup2 (that one, closing what it held: do_dup2): a second descriptor for
         * the same open file description, which shares its offset, flags and socket; only the last close releases it.
         */
        @Override
        public Result dup(Call.Dup c, Proc p) {
            OpenFile f = p.fds.get(c.fd());
            if (f == null) return Result.error(Errno.EBADF);
            if (!c.two()) return Result.ok(p.allocate(f));
            if (c.newFd() < 0) return Result.error(Errno.EBADF);
            if (c.newFd() == c.fd()) return Result.ok(c.fd());
            OpenFile old = p.fds.remove(c.newFd());
            p.install(c.newFd(), f);
            if (old != null) put(old, false);
            return Result.ok(c.newFd());
        }

        /** The option's length is checked before the descriptor (copy from user space comes first). */
        @Override
        public Result setsockopt(Call.SetSockOpt c, Proc p) {
            if (c.values().length != c.option().arity) return Result.error(Errno.EINVAL);
            return onSocket(p, c.fd(), s -> s.setsockopt(c.option(), c.values()));
        }

        @Override
        public Result getsockopt(Call.GetSockOpt c, Proc p) {
            return onSocket(p, c.fd(), s -> s.getsockopt(c.option()));
        }

        /** fcntl(2) acts on the file itself (fs/fcntl.c), whatever its kind. */
        @Override
        public Result fcntl(Call.Fcntl c, Proc p) {
            OpenFile f = p.fds.get(c.fd());
            if (f == null) return Result.error(Errno.EBADF);
            if (c.cmd() == Bits.F_GETFL) return Result.ok(f.accessMode() | (f.nonblock ? Bits.O_NONBLOCK : 0));
            if (c.cmd() == Bits.F_SETFL) {
                f.nonblock = (c.arg() & Bits.O_NONBLOCK) != 0;
                return Result.ok(0);
            }
            return Result.error(Errno.EINVAL);
        }

        /** poll(2): revents = the file's mask and (events | POLLERR | POLLHUP); POLLNVAL for a descriptor not open. */
        @Override
        public Result poll(Call.Poll c, Proc p) {
            int n = c.fds().size();
            int[] revents = new int[n];
            long deadline = c.timeoutMs() > 0 ? clock.now() + c.timeoutMs() * 1_000_000L : -1;
            return block(c, (poll, copied) -> {
                int count = 0;
                for (int i = 0; i < n; i++) {
                    Call.PollFd pfd = c.fds().get(i);
                    if (pfd.fd() < 0) {
                        revents[i] = 0;
                        continue;
                    }
                    OpenFile f = p.fds.get(pfd.fd());
                    revents[i] = f == null ? Bits.POLLNVAL : f.poll() & (pfd.events() | Bits.POLLERR | Bits.POLLHUP);
                    if (revents[i] != 0) count++;
                }
                boolean timedOut = c.timeoutMs() == 0 || deadline >= 0 && clock.now() >= deadline;
                if (count > 0 || timedOut) return new Outcome.Done(Result.poll(count, revents));
                return Outcome.wouldBlock(0);
            }, deadline);
        }

        /**
         * select(2) as do_select: each file's poll mask against POLLIN_SET (IN, RDNORM, RDBAND, HUP, ERR),
         * POLLOUT_SET (OUT, WRNORM, WRBAND, ERR) and POLLEX_SET (PRI); a descriptor not open is EBADF. The count is
         * the bits set across the three sets.
         */
        @Override
        public Result select(Call.Select c, Proc p) {
            List<Integer> all = new ArrayList<>(c.in());
            all.addAll(c.out());
            all.addAll(c.ex());
            for (int fd : all) if (!p.fds.containsKey(fd)) return Result.error(Errno.EBADF);
            int in = c.in().size(), out = c.out().size();
            int inSet = Bits.POLLIN | Bits.POLLRDNORM | Bits.POLLRDBAND | Bits.POLLHUP | Bits.POLLERR;
            int outSet = Bits.POLLOUT | Bits.POLLWRNORM | Bits.POLLWRBAND | Bits.POLLERR;
            int[] ready = new int[all.size()];
            long deadline = c.timeoutMs() > 0 ? clock.now() + c.timeoutMs() * 1_000_000L : -1;
            return block(c, (sel, copied) -> {
                int count = 0;
                for (int i = 0; i < all.size(); i++) {
                    int mask = p.fds.get(all.get(i)).poll();
                    int want = i < in ? inSet : i < in + out ? outSet : Bits.POLLPRI;
                    ready[i] = (mask & want) != 0 ? 1 : 0;
                    count += ready[i];
                }
                boolean timedOut = c.timeoutMs() == 0 || deadline >= 0 && clock.now() >= deadline;
                if (count > 0 || timedOut) return new Outcome.Done(Result.poll(count, ready.clone()));
                return Outcome.wouldBlock(0);
            }, deadline);
        }

        /** copy_files: the child's table holds the same open files (dup_fd: each one more reference). */
        @Override
        public Result fork(Call.Fork c, Proc p) {
            if (procs.containsKey(c.child())) return Result.error(Errno.EEXIST);
            Proc child = new Proc(c.child());
            for (var e : p.fds.entrySet()) child.install(e.getKey(), e.getValue());
            child.sigpipe = p.sigpipe;
            procs.put(c.child(), child);
            return Result.ok(0);
        }

        @Override
        public Result epollCreate(Call.EpollCreate c, Proc p) {
            return Result.ok(p.allocate(new EpollFile()));
        }

        /** epoll_ctl(2): both descriptors must be open, the first an epoll instance (is_file_epoll). */
        @Override
        public Result epollCtl(Call.EpollCtl c, Proc p) {
            OpenFile e = p.fds.get(c.epfd());
            OpenFile target = p.fds.get(c.fd());
            if (e == null || target == null) return Result.error(Errno.EBADF);
            if (!(e instanceof EpollFile ep)) return Result.error(Errno.EINVAL);
            return returned(ep.ctl(c.op(), c.fd(), target, c.events()));
        }

        @Override
        public Result epollWait(Call.EpollWait c, Proc p) {
            OpenFile e = p.fds.get(c.epfd());
            if (e == null) return Result.error(Errno.EBADF);
            if (!(e instanceof EpollFile ep) || c.maxEvents() <= 0) return Result.error(Errno.EINVAL);
            long deadline = c.timeoutMs() > 0 ? clock.now() + c.timeoutMs() * 1_000_000L : -1;
            return block(ep, (epoll, copied) -> {
                List<Result.EpollEvent> got = epoll.collect(c.maxEvents());
                boolean timedOut = c.timeoutMs() == 0 || deadline >= 0 && clock.now() >= deadline;
                if (!got.isEmpty() || timedOut) return new Outcome.Done(Result.epoll(got));
                return Outcome.wouldBlock(0);
            }, deadline);
        }

        @Override
        public Result pipe(Call.Pipe c, Proc p) {
            Pipe pipe = new Pipe();
            int r = p.allocate(pipe.readEnd());
            int w = p.allocate(pipe.writeEnd());
            return Result.fds(r, w);
        }

        @Override
        public Result socketPair(Call.SocketPair c, Proc p) {
            UnixEnd[] pair = UnixEnd.pair();
            int a = p.allocate(pair[0]);
            int b = p.allocate(pair[1]);
            return Result.fds(a, b);
        }

        @Override
        public Result getName(Call.GetName c, Proc p) {
            return onSocket(p, c.fd(), s -> s.getName(c.peer()));
        }

        /** ioctl(2) goes to any file (do_vfs_ioctl, then f_op->unlocked_ioctl): a socket, a pipe, or ENOTTY. */
        @Override
        public Result ioctl(Call.Ioctl c, Proc p) {
            OpenFile f = p.fds.get(c.fd());
            if (f == null) return Result.error(Errno.EBADF);
            return returned(f.ioctl(c.request()));
        }

        @Override
        public Result signal(Call.Signal c, Proc p) {
            if (c.signo() != Bits.SIGPIPE) return Result.error(Errno.EINVAL);
            p.sigpipe = c.disposition();
            return Result.ok(0);
        }
    }

    /** fput: one descriptor less; the last one releases the file. */
    private void put(OpenFile f, boolean exiting) {
        if (--f.refs == 0) release(f, exiting);
    }

    /**
     * The last reference to a file goes (the last close of its descriptors, dup'ed or not). A TCP socket runs
     * __tcp_close: with SO_LINGER set, close() waits up to the linger time for the FIN to be ACKed (even on a
     * non-blocking socket), but not when the process is exiting (inet_release checks PF_EXITING).
     */
    private void release(OpenFile f, boolean exiting) {
        f.release();
        if (f instanceof TcpFile t) {
            TcpSock sk = t.sock;
            TcpCalls calls = t.calls();
            boolean linger = calls.closeStart(sk);
            if (linger && !exiting) {
                // sk_stream_wait_close(sk, sk_lingertime): MAX_SCHEDULE_TIMEOUT has no deadline.
                long j = sk.lingerJiffies();
                long secs = j / profile.hz();
                long deadline = secs > 1_000_000_000L ? Long.MAX_VALUE
                        : clock.now() + secs * 1_000_000_000L + (j % profile.hz()) * 1_000_000_000L / profile.hz();
                if (deadline != Long.MAX_VALUE) clock.wakeAt(deadline);
                if (starting != null && sk.state().lingerWaits()) {
                    // close(fd) ... left running: it waits in its process's thread while other steps run, and
                    // returns when the FIN is ACKed or the linger time is up (each event tries it again).
                    long until = deadline;
                    startedWaiting = new Waiting(starting, () -> {
                        if (sk.state().lingerWaits() && clock.now() < until) return Outcome.wouldBlock(0);
                        calls.closeFinish(sk);
                        return new Outcome.Done(Result.ok(0));
                    });
                    return;
                }
                while (sk.state().lingerWaits() && clock.now() < deadline) {
                    if (!clock.runNext()) break;
                }
            }
            calls.closeFinish(sk);
        }
    }

    // ------------------------------------------------------------------ processes and signals

    /**
     * SIGPIPE: ignored, it is discarded; caught, the handler runs and the call still fails with EPIPE; by default
     * it kills the process, which closes its descriptors (do_exit -> exit_files).
     */
    private void deliverSigpipe(Proc p) {
        switch (p.sigpipe) {
            case SIG_IGN -> { }
            case HANDLER -> events.add(new Event.SignalDelivered(clock.now(), p.name, Bits.SIGPIPE, false));
            case SIG_DFL -> {
                events.add(new Event.SignalDelivered(clock.now(), p.name, Bits.SIGPIPE, true));
                end(p, ProcessEnd.KILLED_BY_SIGPIPE);
            }
        }
    }

    /** do_exit: the descriptors close in ascending order, as an exiting process (no lingering). */
    private void end(Proc p, ProcessEnd how) {
        p.alive = false;
        List<Integer> fds = new ArrayList<>(p.fds.keySet());
        java.util.Collections.sort(fds);
        for (int fd : fds) {
            OpenFile f = p.fds.remove(fd);
            put(f, true);
            // Each close is a complete syscall: what it sent on lo is processed in softirq before the next
            // descriptor closes (so a peer already reset by the first close sends no FIN from the second).
            clock.settle();
        }
        events.add(new Event.ProcessEnded(clock.now(), p.name, how));
    }
}
