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
import io.tcpsim.calls.SockOpt;
import io.tcpsim.model.files.EpollFile;
import io.tcpsim.model.files.OpenFile;
import io.tcpsim.model.files.Pipe;
import io.tcpsim.model.files.PipeEnd;
import io.tcpsim.model.files.TcpFile;
import io.tcpsim.model.files.UnixEnd;
import io.tcpsim.model.tcp.TcpCalls;
import io.tcpsim.model.tcp.TcpSock;
import io.tcpsim.model.tcp.TcpStack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private static final long BLOCKED = Long.MIN_VALUE + 1;

    private final Profile profile;
    private final long seed;
    private final Scheduler clock = new Scheduler();
    private final List<Event> events = new ArrayList<>();
    private final TcpStack stack;
    private final TcpCalls tcp;
    private final Map<String, Proc> procs = new LinkedHashMap<>();
    private boolean sigpipe;

    public Model(Profile profile, long seed) {
        this.profile = profile;
        this.seed = seed;
        this.stack = new TcpStack(profile, clock, new Rng(seed), events::add);
        this.tcp = stack.calls();
    }

    public Profile profile() {
        return profile;
    }

    public long seed() {
        return seed;
    }

    @Override public String name() { return "model"; }

    @Override public long now() { return clock.now(); }

    @Override
    public Result call(String process, Call call) {
        Proc p = procs.computeIfAbsent(process, Proc::new);
        if (!p.alive) return Result.error(Errno.EBADF);
        sigpipe = false;
        Result r = dispatch(p, call);
        if (sigpipe) {
            r = r.withSigpipe();
            deliverSigpipe(p);
        }
        clock.settle();
        return r;
    }

    @Override
    public void sleep(long nanos) {
        clock.runUntil(clock.now() + nanos);
    }

    @Override
    public void exit(String process) {
        Proc p = procs.computeIfAbsent(process, Proc::new);
        if (!p.alive) return;
        end(p, ProcessEnd.EXITED);
        clock.settle();
    }

    /**
     * Whether a read of everything queued on {@code process}'s TCP socket {@code fd} would send its scheduled ACK at
     * once (tcp_cleanup_rbuf). Replay asks before it makes a receiver read: a capture without that ACK shows that the
     * application had not read yet.
     */
    public boolean readFlushesAck(String process, int fd) {
        Proc p = procs.get(process);
        return p != null && p.fds.get(fd) instanceof TcpFile t && tcp.readFlushesAck(t.sock);
    }

    @Override
    public List<NetstatRow> netstat() {
        return stack.netstat(true);
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
        return stack.snapshots(owners);
    }

    // ------------------------------------------------------------------ dispatch

    private Result dispatch(Proc p, Call call) {
        if (call instanceof Call.Socket c) return socket(p, c);
        if (call instanceof Call.Bind c) return onTcp(p, c.fd(), f -> tcp.bind(f.sock, c.addr()), Errno.EINVAL);
        if (call instanceof Call.Listen c) return onTcp(p, c.fd(), f -> tcp.listen(f.sock, c.backlog()), Errno.EINVAL);
        if (call instanceof Call.Accept c) return accept(p, c);
        if (call instanceof Call.Connect c) {
            return onTcp(p, c.fd(), f -> block(() -> tcp.connect(f.sock, c.addr(), f.nonblock), -1), Errno.EISCONN);
        }
        if (call instanceof Call.Send c) return send(p, c);
        if (call instanceof Call.Recv c) return recv(p, c);
        if (call instanceof Call.Shutdown c) return shutdown(p, c);
        if (call instanceof Call.Close c) return close(p, c.fd());
        if (call instanceof Call.SetSockOpt c) return setsockopt(p, c);
        if (call instanceof Call.GetSockOpt c) return getsockopt(p, c);
        if (call instanceof Call.Fcntl c) return fcntl(p, c);
        if (call instanceof Call.Poll c) return poll(p, c);
        if (call instanceof Call.EpollCreate) return Result.ok(p.allocate(new EpollFile()));
        if (call instanceof Call.EpollCtl c) return epollCtl(p, c);
        if (call instanceof Call.EpollWait c) return epollWait(p, c);
        if (call instanceof Call.Pipe) {
            Pipe pipe = new Pipe();
            int r = p.allocate(pipe.readEnd());
            int w = p.allocate(pipe.writeEnd());
            return Result.fds(r, w);
        }
        if (call instanceof Call.SocketPair) {
            UnixEnd[] pair = UnixEnd.pair();
            int a = p.allocate(pair[0]);
            int b = p.allocate(pair[1]);
            return Result.fds(a, b);
        }
        if (call instanceof Call.Signal c) {
            if (c.signo() != Bits.SIGPIPE) return Result.error(Errno.EINVAL);
            p.sigpipe = c.disposition();
            return Result.ok(0);
        }
        throw new IllegalArgumentException("unhandled call " + call);
    }

    private interface TcpOp {
        long run(TcpFile f);
    }

    /** A call that only a TCP socket can take: EBADF for no file, ENOTSOCK for a pipe or epoll, {@code unix} for a socketpair. */
    private Result onTcp(Proc p, int fd, TcpOp op, Errno unix) {
        OpenFile f = p.fds.get(fd);
        if (f == null) return Result.error(Errno.EBADF);
        if (f instanceof UnixEnd) return Result.error(unix);
        if (!(f instanceof TcpFile t)) return Result.error(Errno.ENOTSOCK);
        return result(op.run(t));
    }

    private static Result result(long v) {
        if (v == BLOCKED) return Result.blocked();
        if (v < 0) return Result.error(Errno.ofNumber((int) -v));
        return Result.ok(v);
    }

    private interface Attempt {
        long run();
    }

    /**
     * Runs a call that may block: after each would-block, the next event (a packet, a timer) happens and the call
     * is tried again. A deadline (poll and epoll timeouts) is an event of its own.
     */
    private long block(Attempt attempt, long deadline) {
        if (deadline >= 0) clock.at(deadline, () -> { });
        while (true) {
            long v = attempt.run();
            if (v != TcpCalls.WOULD_BLOCK) return v;
            if (!clock.runNext()) return BLOCKED;
        }
    }

    // ------------------------------------------------------------------ the calls

    private Result socket(Proc p, Call.Socket c) {
        if ((c.flags() & ~(Bits.SOCK_NONBLOCK | Bits.SOCK_CLOEXEC)) != 0) return Result.error(Errno.EINVAL);
        TcpFile f = new TcpFile(tcp.socket(), tcp);
        f.nonblock = (c.flags() & Bits.SOCK_NONBLOCK) != 0;
        return Result.ok(p.allocate(f));
    }

    private Result accept(Proc p, Call.Accept c) {
        if ((c.flags() & ~(Bits.SOCK_NONBLOCK | Bits.SOCK_CLOEXEC)) != 0) return Result.error(Errno.EINVAL);
        TcpSock[] child = new TcpSock[1];
        Result r = onTcp(p, c.fd(), f -> block(() -> {
            long[] err = new long[1];
            child[0] = tcp.accept(f.sock, f.nonblock, err);
            return child[0] != null ? 0 : err[0];
        }, -1), Errno.EINVAL);
        if (r.failed() || r.blockedForever()) return r;
        TcpFile nf = new TcpFile(child[0], tcp);
        nf.nonblock = (c.flags() & Bits.SOCK_NONBLOCK) != 0;
        return Result.ok(p.allocate(nf));
    }

    private Result send(Proc p, Call.Send c) {
        OpenFile f = p.fds.get(c.fd());
        if (f == null) return Result.error(Errno.EBADF);
        boolean[] sig = new boolean[1];
        long v;
        if (f instanceof TcpFile t) {
            TcpCalls.SendProgress progress = new TcpCalls.SendProgress();
            v = block(() -> tcp.send(t.sock, c.data(), c.flags(), t.nonblock, progress, sig), -1);
        } else if (f instanceof UnixEnd u) {
            int[] progress = new int[1];
            v = block(() -> u.send(c.data(), c.flags(), progress, sig), -1);
        } else if (f instanceof PipeEnd pe && c.write()) {
            int[] progress = new int[1];
            v = block(() -> pe.write(c.data(), progress, sig), -1);
        } else if (f instanceof PipeEnd) {
            return Result.error(Errno.ENOTSOCK);
        } else {
            return Result.error(c.write() ? Errno.EINVAL : Errno.ENOTSOCK);
        }
        sigpipe = sig[0];
        return result(v);
    }

    private Result recv(Proc p, Call.Recv c) {
        OpenFile f = p.fds.get(c.fd());
        if (f == null) return Result.error(Errno.EBADF);
        byte[][] out = new byte[1][];
        long v;
        if (f instanceof TcpFile t) {
            v = block(() -> tcp.recv(t.sock, c.length(), c.flags(), t.nonblock, out), -1);
        } else if (f instanceof UnixEnd u) {
            v = block(() -> u.recv(c.length(), c.flags(), out), -1);
        } else if (f instanceof PipeEnd pe && c.read()) {
            v = block(() -> pe.read(c.length(), out), -1);
        } else if (f instanceof PipeEnd) {
            return Result.error(Errno.ENOTSOCK);
        } else {
            return Result.error(c.read() ? Errno.EINVAL : Errno.ENOTSOCK);
        }
        if (v < 0 || v == BLOCKED) return result(v);
        return Result.data(out[0]);
    }

    private Result shutdown(Proc p, Call.Shutdown c) {
        OpenFile f = p.fds.get(c.fd());
        if (f == null) return Result.error(Errno.EBADF);
        if (f instanceof UnixEnd u) return result(u.shutdown(c.how()));
        if (!(f instanceof TcpFile t)) return Result.error(Errno.ENOTSOCK);
        return result(tcp.shutdown(t.sock, c.how()));
    }

    private Result close(Proc p, int fd) {
        OpenFile f = p.fds.remove(fd);
        if (f == null) return Result.error(Errno.EBADF);
        release(f, false);
        return Result.ok(0);
    }

    /**
     * The last reference to a file goes (no dup or fork is modelled, so every close is the last). A TCP socket runs
     * __tcp_close: with SO_LINGER set, close() waits up to the linger time for the FIN to be ACKed (even on a
     * non-blocking socket), but not when the process is exiting (inet_release checks PF_EXITING).
     */
    private void release(OpenFile f, boolean exiting) {
        f.release();
        if (f instanceof TcpFile t) {
            TcpSock sk = t.sock;
            boolean linger = tcp.closeStart(sk);
            if (linger && !exiting) {
                long deadline = clock.now() + sk.lingerSeconds() * 1_000_000_000L;
                clock.at(deadline, () -> { });
                while (sk.state().lingerWaits() && clock.now() < deadline) {
                    if (!clock.runNext()) break;
                }
            }
            tcp.closeFinish(sk);
        }
    }

    private Result setsockopt(Proc p, Call.SetSockOpt c) {
        if (c.values().length != c.option().arity) return Result.error(Errno.EINVAL);
        OpenFile f = p.fds.get(c.fd());
        if (f == null) return Result.error(Errno.EBADF);
        if (f instanceof UnixEnd) return c.option() == SockOpt.SO_ERROR ? Result.error(Errno.ENOPROTOOPT) : Result.ok(0);
        if (!(f instanceof TcpFile t)) return Result.error(Errno.ENOTSOCK);
        return result(tcp.setsockopt(t.sock, c.option(), c.values()));
    }

    private Result getsockopt(Proc p, Call.GetSockOpt c) {
        OpenFile f = p.fds.get(c.fd());
        if (f == null) return Result.error(Errno.EBADF);
        if (f instanceof UnixEnd u) {
            return switch (c.option()) {
                case SO_ERROR -> Result.option(u.takeError());
                case SO_LINGER -> Result.option(0, 0);
                case SO_REUSEADDR -> Result.option(0);
            };
        }
        if (!(f instanceof TcpFile t)) return Result.error(Errno.ENOTSOCK);
        return Result.option(tcp.getsockopt(t.sock, c.option()));
    }

    private Result fcntl(Proc p, Call.Fcntl c) {
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
    private Result poll(Proc p, Call.Poll c) {
        int n = c.fds().size();
        int[] revents = new int[n];
        long deadline = c.timeoutMs() > 0 ? clock.now() + c.timeoutMs() * 1_000_000L : -1;
        long v = block(() -> {
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
            if (count > 0 || c.timeoutMs() == 0) return count;
            if (deadline >= 0 && clock.now() >= deadline) return 0;
            return TcpCalls.WOULD_BLOCK;
        }, deadline);
        if (v == BLOCKED) return Result.blocked();
        return Result.poll((int) v, revents);
    }

    private Result epollCtl(Proc p, Call.EpollCtl c) {
        OpenFile e = p.fds.get(c.epfd());
        OpenFile target = p.fds.get(c.fd());
        if (e == null || target == null) return Result.error(Errno.EBADF);
        if (!(e instanceof EpollFile ep)) return Result.error(Errno.EINVAL);
        return result(ep.ctl(c.op(), c.fd(), target, c.events()));
    }

    private Result epollWait(Proc p, Call.EpollWait c) {
        OpenFile e = p.fds.get(c.epfd());
        if (e == null) return Result.error(Errno.EBADF);
        if (!(e instanceof EpollFile ep) || c.maxEvents() <= 0) return Result.error(Errno.EINVAL);
        List<Result.EpollEvent> got = new ArrayList<>();
        long deadline = c.timeoutMs() > 0 ? clock.now() + c.timeoutMs() * 1_000_000L : -1;
        long v = block(() -> {
            got.clear();
            got.addAll(ep.collect(c.maxEvents()));
            if (!got.isEmpty() || c.timeoutMs() == 0) return got.size();
            if (deadline >= 0 && clock.now() >= deadline) return 0;
            return TcpCalls.WOULD_BLOCK;
        }, deadline);
        if (v == BLOCKED) return Result.blocked();
        return Result.epoll(got);
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
            release(f, true);
            // Each close is a complete syscall: what it sent on lo is processed in softirq before the next
            // descriptor closes (so a peer already reset by the first close sends no FIN from the second).
            clock.settle();
        }
        events.add(new Event.ProcessEnded(clock.now(), p.name, how));
    }
}
