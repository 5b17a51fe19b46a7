package io.tcpsim.model.tcp;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.RstReason;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.calls.TcpInfo;
import io.tcpsim.model.Outcome;
import io.tcpsim.model.WaitQueue;
import io.tcpsim.wire.SockAddr;
import java.util.function.Function;

/**
 * The socket calls on a TCP socket, as af_inet.c and tcp.c implement them. A call that would block says so
 * ({@link Outcome.WouldBlock}); the caller moves the clock and calls again, which is what the kernel's code does after
 * its wait (inet_wait_for_connect, sk_wait_data, inet_csk_wait_for_connect, sk_stream_wait_memory all loop back to
 * the same checks).
 */
public final class TcpCalls {
    private final TcpStack stack;

    TcpCalls(TcpStack stack) {
        this.stack = stack;
    }

    private TcpOutput out() {
        return stack.output;
    }

    public TcpSock socket() {
        return stack.newSock(false);
    }

    /** socket(AF_INET6): inet6_create. */
    public TcpSock socket(boolean v6) {
        return stack.newSock(v6);
    }

    // ---------------------------------------------------------------- bind, listen, accept

    /**
     * inet_bind and inet_csk_get_port. The host's addresses are loopback's, the wildcard and, on a link, its
     * address there (inet_addr_type: anything else is EADDRNOTAVAIL).
     */
    public Outcome bind(TcpSock sk, SockAddr addr) {
        // inet6_bind: a sockaddr_in is shorter than SIN6_LEN_RFC2133 (EINVAL); __inet_bind: not AF_INET (EAFNOSUPPORT).
        if (sk.v6 && !addr.isV6()) return Outcome.fail(Errno.EINVAL);
        if (!sk.v6 && addr.isV6()) return Outcome.fail(Errno.EAFNOSUPPORT);
        // inet6_bind: a v4-mapped address binds the IPv4 one (the socket then talks IPv4: ipv6_mapped).
        if (addr.isV6() && addr.ip6().isV4Mapped()) addr = unmapped(addr);
        if (sk.bound || sk.state() != TcpState.CLOSE) return Outcome.fail(Errno.EINVAL);
        if (!addr.isAny() && !stack.isLocal(addr)) return Outcome.fail(Errno.EADDRNOTAVAIL);
        int port = addr.port();
        if (port == 0) {
            port = pickPort(addr.ip(), false);
            if (port < 0) return Outcome.fail(Errno.EADDRINUSE);
        } else if (conflict(sk, addr, port)) {
            return Outcome.fail(Errno.EADDRINUSE);
        }
        sk.local = addr.withPort(port);
        sk.bound = true;
        sk.portLocked = addr.port() != 0; // __inet_bind: SOCK_BINDPORT_LOCK only for a port the caller named
        stack.bound.add(sk);
        return Outcome.ok(0);
    }

    /**
     * inet_csk_bind_conflict (inet_bind_conflict with relax and reuseport_ok, as bind and listen call it): another
     * socket on the port conflicts unless both set SO_REUSEADDR and the other is not listening, or both set
     * SO_REUSEPORT (the same user: a script's processes are all one); different specific addresses never conflict.
     */
    private boolean conflict(TcpSock sk, SockAddr addr, int port) {
        for (Endpoint other : stack.bound) {
            if (other == sk || other.local == null || other.local.port() != port) continue;
            if (!sameAddress(addr, other.local)) continue;
            boolean otherReuse, otherReusePort;
            boolean otherListening = false;
            if (other instanceof TcpSock o) {
                otherReuse = o.reuseAddr;
                otherReusePort = o.reusePort;
                otherListening = o.state() == TcpState.LISTEN;
            } else {
                otherReuse = ((TimeWaitSock) other).reuseAddr;
                otherReusePort = ((TimeWaitSock) other).reusePort;
            }
            if (!(sk.reuseAddr && otherReuse && !otherListening) && !(sk.reusePort && otherReusePort)) return true;
        }
        return false;
    }

    /**
     * inet_rcv_saddr_equal with wildcards matching: the same family, equal or either a wildcard. Across families
     * (sk being bound, sk2 the other): binding IPv6 {@code ::} takes the port from IPv4 too (ipv6_rcv_saddr_equal:
     * the wildcard matches sk2's address, IPV6_V6ONLY being off); binding IPv4 meets an IPv6 socket as its
     * inet_rcv_saddr, 0 for {@code ::} and LOOPBACK4_IPV6 (127.0.0.6) for any other address (inet6_bind), so
     * 0.0.0.0 conflicts with every IPv6 socket on the port, and 127.0.0.1 only with {@code ::}.
     */
    private static boolean sameAddress(SockAddr addr, SockAddr other) {
        if (addr.isV6() == other.isV6()) return addr.isAny() || other.isAny() || addr.sameIp(other);
        if (addr.isV6()) return addr.isAny();
        int v4view = other.isAny() ? 0 : LOOPBACK4_IPV6;
        return addr.ip() == 0 || v4view == 0 || addr.ip() == v4view;
    }

    /** The IPv4 address inside a v4-mapped one ({@code ::ffff:a.b.c.d}). */
    private static SockAddr unmapped(SockAddr a) {
        return new SockAddr((int) a.ip6().lo(), a.port());
    }

    /** include/net/ipv6.h: the IPv4 address an IPv6 socket bound to a non-wildcard, non-mapped address holds. */
    private static final int LOOPBACK4_IPV6 = 0x7f000006;

    private boolean portInUse(int port) {
        for (Endpoint e : stack.bound) if (e.local != null && e.local.port() == port) return true;
        return false;
    }

    /**
     * An ephemeral port from ip_local_port_range. Measured: connect() picks even ports, bind(0) odd ones
     * (__inet_hash_connect and inet_csk_find_open_port prefer opposite parities).
     */
    private int pickPort(int ip, boolean forConnect) {
        int lo = stack.profile.ephemeralLow(), hi = stack.profile.ephemeralHigh();
        int start = stack.portSearchStart(lo, hi);
        int parity = forConnect ? 0 : 1;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i <= hi - lo; i++) {
                int p = lo + Math.floorMod(start - lo + i, hi - lo + 1);
                if (pass == 0 && (p & 1) != parity) continue;
                if (!portInUse(p)) return p;
            }
        }
        return -1;
    }

    /** inet_listen. */
    public Outcome listen(TcpSock sk, int backlog) {
        if (sk.ss != TcpSock.SocketState.UNCONNECTED) return Outcome.fail(Errno.EINVAL);
        TcpState s = sk.state();
        if (!s.unconnected()) return Outcome.fail(Errno.EINVAL);
        int somaxconn = stack.profile.somaxconn();
        sk.backlog = (backlog < 0 || backlog > somaxconn) ? somaxconn : backlog;
        if (s == TcpState.LISTEN) return Outcome.ok(0);
        if (!sk.bound) {
            int port = pickPort(0, false);
            if (port < 0) return Outcome.fail(Errno.EADDRINUSE);
            sk.local = sk.v6 ? SockAddr.ANY6.withPort(port) : new SockAddr(0, port);
            sk.bound = true;
            stack.bound.add(sk);
        } else if (stack.listeners.get(TcpStack.listenKey(sk.local)) != null) {
            TcpSock other = stack.listeners.get(TcpStack.listenKey(sk.local));
            // Two listeners of one SO_REUSEPORT group: each SYN goes to one of them by a hash of its 4-tuple
            // (reuseport_select_sock), which a script cannot know.
            if (sk.reusePort && other.reusePort)
                throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                        "a second listener in a SO_REUSEPORT group (the kernel picks one by a hash)"));
            return Outcome.fail(Errno.EADDRINUSE);
        }
        sk.remote = sk.v6 ? SockAddr.ANY6 : new SockAddr(0, 0);
        // inet_listen: TFO_SERVER_WO_SOCKOPT1 with TFO_SERVER_ENABLE gives a listener Fast Open without the
        // TCP_FASTOPEN option, its queue as long as the backlog (fastopen_queue_tune; unsigned, capped by somaxconn).
        FastOpen fo = stack.fastOpen;
        if (fo.has(FastOpen.TFO_SERVER_WO_SOCKOPT1) && fo.has(FastOpen.TFO_SERVER_ENABLE) && sk.fastopenMaxQlen == 0) {
            sk.fastopenMaxQlen = Integer.compareUnsigned(backlog, somaxconn) < 0 ? backlog : somaxconn;
        }
        sk.setState(TcpState.LISTEN, Cause.LISTEN_START);
        stack.listeners.put(TcpStack.listenKey(sk.local), sk);
        return Outcome.ok(0);
    }

    /**
     * inet_csk_accept: the first child of the accept queue, which {@code graft} gives a file (inet_accept); EINVAL if
     * not listening, else EAGAIN or a wait.
     */
    public Outcome accept(TcpSock l, boolean nonblock, Function<TcpSock, Outcome> graft) {
        if (l.state() != TcpState.LISTEN) return Outcome.fail(Errno.EINVAL);
        TcpSock child = l.acceptQueue.poll();
        if (child == null) return nonblock ? Outcome.fail(Errno.EAGAIN) : Outcome.wouldBlock(0);
        child.parent = null;
        return graft.apply(child);
    }

    // ---------------------------------------------------------------- connect

    /** __inet_stream_connect. Calling it again after a wait gives the kernel's result after its wait. */
    public Outcome connect(TcpSock sk, SockAddr addr, boolean nonblock) {
        Errno err;
        switch (sk.ss) {
            case CONNECTED -> { return Outcome.fail(Errno.EISCONN); }
            case CONNECTING -> err = Errno.EALREADY;
            case UNCONNECTED -> {
                if (sk.state() != TcpState.CLOSE) return Outcome.fail(Errno.EISCONN);
                Errno e = sk.v6 ? v6Connect(sk, addr) : v4Connect(sk, addr);
                if (e != null) return Outcome.fail(e);
                sk.ss = TcpSock.SocketState.CONNECTING;
                err = Errno.EINPROGRESS;
            }
            default -> { return Outcome.fail(Errno.EINVAL); }
        }
        if (sk.state().connecting()) {
            return nonblock ? Outcome.fail(err) : Outcome.wouldBlock(0);
        }
        if (sk.state() == TcpState.CLOSE) {
            // sock_error: the pending error (ECONNREFUSED) once, then ECONNABORTED; and tcp_disconnect.
            Errno e = sk.takeError();
            sk.ss = TcpSock.SocketState.UNCONNECTED;
            disconnect(sk);
            return Outcome.fail(e != null ? e : Errno.ECONNABORTED);
        }
        sk.ss = TcpSock.SocketState.CONNECTED;
        return Outcome.ok(0);
    }

    /**
     * tcp_v4_connect: the route (loopback, or the link to the other host), a source port, the ISN, the SYN. The
     * error, or null: the SYN is out.
     */
    private Errno v4Connect(TcpSock sk, SockAddr addr) {
        if (addr.isV6()) return Errno.EAFNOSUPPORT; // tcp_v4_connect: sin_family != AF_INET
        // ip_route_output_key_hash_rcu: a zero destination is the source address, or 127.0.0.1 for an unbound
        // source, and the route is lo's; tcp_v4_connect then connects to that address.
        if (addr.ip() == 0) {
            int bound = sk.local != null ? sk.local.ip() : 0;
            addr = new SockAddr(bound != 0 ? bound : SockAddr.LOOPBACK, addr.port());
        }
        int routeSrc = stack.sourceFor(addr.ip());
        if (routeSrc == 0) return Errno.ENETUNREACH;
        int srcIp = sk.local != null && sk.local.ip() != 0 ? sk.local.ip() : routeSrc;
        return connectFrom(sk, new SockAddr(srcIp, 0), addr);
    }

    /**
     * tcp_v6_connect: a sockaddr_in is too short (EINVAL); the unspecified address means ::1 ("connect() to
     * INADDR_ANY means loopback (BSD'ism)"); the route is lo's for ::1, and nothing else is reachable from the
     * loopback-only host (ip6_dst_lookup_flow: ENETUNREACH). Then as tcp_v4_connect: a port, the ISN, the SYN.
     */
    private Errno v6Connect(TcpSock sk, SockAddr addr) {
        if (!addr.isV6()) return Errno.EINVAL;
        if (addr.ip6().isV4Mapped()) {
            // tcp_v6_connect, the mapped branch: a socket bound to an IPv6 address cannot send IPv4 (ENETUNREACH,
            // measured); else tcp_v4_connect, the socket talking IPv4 from then on.
            if (sk.local != null && sk.local.isV6() && !sk.local.isAny()) return Errno.ENETUNREACH;
            return v4Connect(sk, unmapped(addr));
        }
        // bound to a v4-mapped address (its local address is IPv4): no IPv6 destination (EAFNOSUPPORT, measured)
        if (sk.local != null && !sk.local.isV6()) return Errno.EAFNOSUPPORT;
        if (addr.isAny()) addr = SockAddr.loopback6(addr.port());
        if (!addr.isLoopback()) return Errno.ENETUNREACH;
        return connectFrom(sk, sk.local != null && !sk.local.isAny() ? sk.local.withPort(0) : SockAddr.loopback6(0), addr);
    }

    /** The rest of tcp_v4_connect and tcp_v6_connect: the source port (inet_hash_connect), the ISN, the SYN. */
    private Errno connectFrom(TcpSock sk, SockAddr src, SockAddr addr) {
        int srcPort;
        if (!sk.bound) {
            srcPort = pickPort(src.ip(), true);
            if (srcPort < 0) return Errno.EADDRNOTAVAIL;
            sk.bound = true;
            stack.bound.add(sk);
        } else {
            srcPort = sk.local.port();
        }
        SockAddr local = src.withPort(srcPort);
        Endpoint existing = stack.established.get(new ConnKey(local, addr));
        if (existing instanceof TcpSock) return Errno.EADDRNOTAVAIL;
        if (existing instanceof TimeWaitSock tw) {
            // tcp_twsk_unique with tcp_tw_reuse=2 (loopback): the TIME_WAIT is reused; its sequence space ends.
            stack.input.timewaitKill(tw, Cause.TIME_WAIT_REUSED_BY_CONNECT);
        }
        sk.local = local;
        sk.remote = addr;
        sk.iss = stack.secureSeq(local, addr);
        sk.tsOffset = stack.tsOffset();
        if (!local.isV6()) sk.ipId = stack.ipId();
        sk.sndUna = sk.iss;
        sk.sndNxt = sk.writeSeq = Seq.mask(sk.iss + 1);
        sk.setState(TcpState.SYN_SENT, Cause.CONNECT);
        stack.hash(sk);
        out().sendSyn(sk);
        return null;
    }

    /**
     * tcp_disconnect: the ABORT of RFC 793. An RST from the states that need one (tcp_need_reset, or CLOSING and
     * LAST_ACK with unsent data), sk_err = ECONNRESET, then everything is cleared and the socket can connect again.
     */
    void disconnect(TcpSock sk) {
        TcpState old = sk.state();
        if (old != TcpState.CLOSE) sk.setState(TcpState.CLOSE, Cause.DISCONNECT);
        if (old == TcpState.LISTEN) {
            listenStop(sk);
        } else if (old.needsResetOnAbort()) {
            out().sendActiveReset(sk, RstReason.TCP_STATE); // tcp_need_reset
            sk.skErr = Errno.ECONNRESET;
        } else if (sk.sndNxt != sk.writeSeq && (old == TcpState.CLOSING || old == TcpState.LAST_ACK)) {
            out().sendActiveReset(sk, RstReason.TCP_DISCONNECT_WITH_DATA);
            sk.skErr = Errno.ECONNRESET;
        } else if (old == TcpState.SYN_SENT) {
            sk.skErr = Errno.ECONNRESET;
        }
        out().cancelTimers(sk);
        sk.purgeRx();
        sk.optionsKnown = false; // tcp_disconnect: memset(&tp->rx_opt, 0, ...)
        sk.copiedSeq = sk.rcvNxt;
        // "write_seq += max_window + 2": the next connection's sequence space starts clear of this one's. A
        // listener (max_window 0) then shows Send-Q 2 (measured after shutdown(SHUT_RD) and listen() again).
        sk.writeSeq = Seq.mask(sk.writeSeq + sk.maxWindow + 2);
        if (sk.writeSeq == 0) sk.writeSeq = 1;
        sk.sendQueue.clear();
        sk.finQueued = false;
        sk.shutdown = 0;
        sk.done = false;
        if (sk.remote != null && old != TcpState.LISTEN) sk.remote = null;
        sk.quick = 0;
        sk.pingpong = 0;
        sk.atoJiffies = 0;
        sk.lrcvtime = Long.MIN_VALUE;
        sk.lsndtimeJiffies = Long.MIN_VALUE;
        sk.retransmits = 0;
        sk.rtoNanos = 1_000_000_000L;
        if (!sk.dead) sk.waitQueue.wake(WaitQueue.KEY_ERROR);
    }

    /**
     * inet_csk_listen_stop: every child still in the accept queue is disconnected (an RST from ESTABLISHED or
     * CLOSE_WAIT: measured [R.] seq 1, ack 1 per child) and destroyed; pending request socks are dropped.
     */
    private void listenStop(TcpSock l) {
        TcpSock child;
        while ((child = l.acceptQueue.poll()) != null) {
            child.parent = null;
            child.dead = true;
            child.fastopenListener = null; // inet_child_forget
            disconnect(child);
            stack.destroy(child);
        }
        l.synQueue.clear();
        stack.listeners.remove(l.local.port(), l);
    }

    // ---------------------------------------------------------------- send

    /**
     * tcp_sendmsg_locked: the bytes accepted, an error, or a wait. {@code copied} is what earlier attempts of this
     * send already queued (the function's {@code copied}, kept across sk_stream_wait_memory). EPIPE without
     * MSG_NOSIGNAL raises SIGPIPE (sk_stream_error).
     */
    public Outcome send(TcpSock sk, byte[] data, int flags, boolean nonblock, int copied) {
        boolean dontwait = nonblock || (flags & Bits.MSG_DONTWAIT) != 0;
        // tcp_sendmsg_locked checks sk_stream_memory_free (TCP_NOTSENT_LOWAT) each time it needs a new skb: a send
        // that fills more than the one segment would wait for the unsent bytes to go (not modelled).
        if (sk.notsentLowat != 0 && sk.state().isSynchronized()
                && Math.max(0, Seq.diff(sk.writeSeq, sk.sndNxt)) + data.length - copied > out().sendMss(sk))
            throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                    "a send of more than one segment with TCP_NOTSENT_LOWAT set"));
        // tcp_sendmsg_locked: a passive Fast Open child sends in SYN_RECV, before the handshake ends
        // (tcp_passive_fastopen).
        boolean passiveFastOpen = sk.state() == TcpState.SYN_RECV && sk.fastopenListener != null;
        if (!sk.state().canSendData() && !passiveFastOpen) {
            // sk_stream_wait_connect: the pending error first, EPIPE unless still connecting, EAGAIN if not waiting.
            Errno e = sk.takeError();
            if (e == null && sk.state().connecting()) {
                if (!dontwait) return Outcome.wouldBlock(copied);
                e = Errno.EAGAIN;
            }
            return sendError(sk, copied, e != null ? e : Errno.EPIPE, flags);
        }
        if (sk.skErr != null || (sk.shutdown & TcpSock.SEND_SHUTDOWN) != 0) {
            return sendError(sk, copied, Errno.EPIPE, flags);
        }
        while (copied < data.length) {
            int room = stack.profile.sndbuf() - sk.sendQueue.size();
            // A writer that found the buffer full writes again only once it is writeable (free space at least half
            // of what is queued, __sk_stream_is_writeable), as sk_stream_write_space would wake it. Measured: right
            // after a send filled the buffer, the next non-blocking send gets EAGAIN although one ACK freed 32741.
            if (sk.noSpace && !writeable(sk)) room = 0;
            if (room <= 0) {
                sk.noSpace = true; // SOCK_NOSPACE: the next ACK that frees space calls sk_write_space
                out().push(sk, false);
                if (copied > 0 && dontwait) break;
                if (dontwait) return sendError(sk, copied, Errno.EAGAIN, flags);
                return Outcome.wouldBlock(copied);
            }
            int n = Math.min(room, data.length - copied);
            sk.sendQueue.add(data, copied, n);
            sk.writeSeq = Seq.mask(sk.writeSeq + n);
            copied += n;
        }
        // tcp_push: MSG_MORE corks the tail (TCP_NAGLE_CORK) until a later send without it pushes it, or the probe
        // timer sends it.
        if (copied > 0) out().push(sk, false, (flags & Bits.MSG_MORE) != 0);
        return Outcome.ok(copied);
    }

    /** __sk_stream_is_writeable: the free space is at least half of what is queued (sk_stream_min_wspace). */
    /** tcp_stream_memory_free: the unsent bytes (doubled for a wakeup) below TCP_NOTSENT_LOWAT. */
    static boolean notsentBelowLowat(TcpSock sk, int wake) {
        if (sk.notsentLowat == 0) return true; // tcp_notsent_lowat: the sysctl, UINT_MAX
        long notsent = Math.max(0, Seq.diff(sk.writeSeq, sk.sndNxt));
        return Long.compareUnsigned(notsent << wake, sk.notsentLowat & 0xffffffffL) < 0;
    }

    boolean writeable(TcpSock sk) {
        long queued = sk.sendQueue.size();
        return stack.profile.sndbuf() - queued >= queued / 2;
    }

    /** The do_error path: bytes already copied win; else sk_stream_error (a pending error wins over EPIPE; SIGPIPE). */
    private static Outcome sendError(TcpSock sk, int copied, Errno err, int flags) {
        if (copied > 0) return Outcome.ok(copied);
        if (err == Errno.EPIPE) {
            Errno pending = sk.takeError();
            if (pending != null) err = pending;
        }
        if (err == Errno.EPIPE && (flags & Bits.MSG_NOSIGNAL) == 0) {
            return new Outcome.Done(Result.error(Errno.EPIPE).withSigpipe());
        }
        return Outcome.fail(err);
    }

    // ---------------------------------------------------------------- recv

    /**
     * tcp_recvmsg_locked: queued data (and a FIN behind it) first; then SOCK_DONE gives 0, a pending error is
     * returned once, RCV_SHUTDOWN gives 0, CLOSE gives ENOTCONN, and otherwise EAGAIN or a wait.
     */
    public Outcome recv(TcpSock sk, int len, int flags, boolean nonblock) {
        if (sk.state() == TcpState.LISTEN) return Outcome.fail(Errno.ENOTCONN);
        if (sk.rcvLowat > 1 && len > 1)
            throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                    "SO_RCVLOWAT with MSG_PEEK, readv, recvmsg or recvfrom"));
        boolean peek = (flags & Bits.MSG_PEEK) != 0;
        boolean dontwait = nonblock || (flags & Bits.MSG_DONTWAIT) != 0;
        int avail = sk.recvQueue.size();
        if (len == 0 && avail > 0) {
            // A zero-length read copies nothing and leaves the data queued (measured).
            return Outcome.received(new byte[0]);
        }
        // With only the FIN queued, even a zero-length read consumes it: the do-while loop of tcp_recvmsg_locked
        // runs once and reaches found_fin_ok (regression found by tcpsim fuzz --kernel: Recv-Q 0 afterwards).
        if (avail > 0) {
            int n = Math.min(len, avail);
            byte[] got = sk.recvQueue.peek(0, n);
            if (!peek) {
                sk.recvQueue.drop(n);
                sk.uncharge(n);
                sk.copiedSeq = Seq.mask(sk.copiedSeq + n);
                if (n == avail && len > n && sk.finInRecvQueue) consumeFin(sk);
                cleanupRbuf(sk, n);
            }
            return Outcome.received(got);
        }
        if (sk.finInRecvQueue) {
            if (!peek) consumeFin(sk);
            return Outcome.received(new byte[0]);
        }
        if (sk.done) return Outcome.received(new byte[0]);
        Errno e = sk.takeError();
        if (e != null) return Outcome.fail(e);
        if ((sk.shutdown & TcpSock.RCV_SHUTDOWN) != 0) return Outcome.received(new byte[0]);
        if (sk.state() == TcpState.CLOSE) return Outcome.fail(Errno.ENOTCONN);
        if (dontwait) return Outcome.fail(Errno.EAGAIN);
        // A blocking recv(fd, buf, 0) waits for one wakeup and then returns 0 (measured): the retry sees the
        // new data or FIN above and returns 0.
        return Outcome.wouldBlock(0);
    }

    /**
     * tcp_recvmsg_locked with MSG_WAITALL (target = len, sock_rcvlowat): what is queued is copied into {@code got}
     * and consumed, and the call waits (tcp_cleanup_rbuf, then sk_wait_data) until it holds {@code len} bytes. With
     * some bytes copied it returns them as soon as it finds the FIN (found_fin_ok), an error, RCV_SHUTDOWN, CLOSE or a
     * non-blocking socket; with none, it answers as {@link #recv} does.
     */
    public Outcome recvWaitAll(TcpSock sk, int len, int flags, boolean nonblock, java.io.ByteArrayOutputStream got) {
        return recvTarget(sk, len, len, flags, nonblock, got);
    }

    /**
     * tcp_recvmsg_locked with SO_RCVLOWAT: the same loop as MSG_WAITALL with sock_rcvlowat's target, the low-water
     * mark (at most len); it copies up to len and returns once it holds the target.
     */
    public Outcome recvLowat(TcpSock sk, int len, int flags, boolean nonblock, java.io.ByteArrayOutputStream got) {
        return recvTarget(sk, len, Math.min(sk.rcvLowat, len), flags, nonblock, got);
    }

    /**
     * tcp_recvmsg's TCP_CM_INQ control message after a successful read with TCP_INQ on: tcp_inq_hint, the bytes
     * left (rcv_nxt - copied_seq), or 1 once a FIN came and none are left; -1 with TCP_INQ off.
     */
    public int inqHint(TcpSock sk) {
        if (!sk.recvmsgInq) return -1;
        int inq = Math.max(0, Seq.diff(sk.rcvNxt, sk.copiedSeq));
        return inq == 0 && sk.done ? 1 : inq;
    }

    public int rcvLowat(TcpSock sk) {
        return sk.rcvLowat;
    }

    private Outcome recvTarget(TcpSock sk, int len, int target, int flags, boolean nonblock, java.io.ByteArrayOutputStream got) {
        if (sk.state() == TcpState.LISTEN) return Outcome.fail(Errno.ENOTCONN);
        boolean dontwait = nonblock || (flags & Bits.MSG_DONTWAIT) != 0;
        int want = len - got.size();
        int avail = sk.recvQueue.size();
        if (want > 0 && avail > 0) {
            int n = Math.min(want, avail);
            got.writeBytes(sk.recvQueue.peek(0, n));
            sk.recvQueue.drop(n);
            sk.uncharge(n);
            sk.copiedSeq = Seq.mask(sk.copiedSeq + n);
            want -= n;
            if (want > 0 && sk.finInRecvQueue) {
                consumeFin(sk);
                want = 0; // found_fin_ok: break
            }
        }
        if (got.size() == 0) {
            if (len == 0) return recv(sk, len, flags, nonblock);
            if (sk.finInRecvQueue) {
                consumeFin(sk);
                return Outcome.received(new byte[0]);
            }
            if (sk.done) return Outcome.received(new byte[0]);
            Errno e = sk.takeError();
            if (e != null) return Outcome.fail(e);
            if ((sk.shutdown & TcpSock.RCV_SHUTDOWN) != 0) return Outcome.received(new byte[0]);
            if (sk.state() == TcpState.CLOSE) return Outcome.fail(Errno.ENOTCONN);
            if (dontwait) return Outcome.fail(Errno.EAGAIN);
            return Outcome.wouldBlock(0);
        }
        boolean stop = want <= 0 || got.size() >= target || dontwait || sk.skErr != null || sk.state() == TcpState.CLOSE
                || (sk.shutdown & TcpSock.RCV_SHUTDOWN) != 0;
        cleanupRbuf(sk, got.size());
        if (stop) return Outcome.received(got.toByteArray());
        return Outcome.wouldBlock(got.size());
    }

    private static void consumeFin(TcpSock sk) {
        sk.finInRecvQueue = false;
        sk.copiedSeq = Seq.mask(sk.copiedSeq + 1);
    }

    /**
     * tcp_cleanup_rbuf: after a read, ACK now if a delayed ACK covers more than a frame, or the reader emptied the
     * queue of small pushed segments (ICSK_ACK_PUSHED2, or PUSHED outside pingpong mode), or the window grew a lot.
     */
    private void cleanupRbuf(TcpSock sk, int copied) {
        if (sk.state() == TcpState.CLOSE) return;
        boolean timeToAck = sk.ackScheduled && flushesScheduledAck(sk, copied, sk.recvQueue.isEmpty());
        if (copied > 0 && !timeToAck && (sk.shutdown & TcpSock.RCV_SHUTDOWN) == 0) {
            long windowNow = Math.max(0, Seq.diff(sk.rcvWup + sk.rcvWnd, sk.rcvNxt));
            long clamp = stack.profile.rcvbuf() / 2;
            if (2 * windowNow <= clamp) {
                long newWin = (long) out().peekWindow(sk) << sk.rcvWscale;
                if (newWin != 0 && newWin >= 2 * windowNow) timeToAck = true;
            }
        }
        if (timeToAck) out().sendAck(sk);
    }

    /** The first test of tcp_cleanup_rbuf, for a socket with an ACK scheduled. */
    private boolean flushesScheduledAck(TcpSock sk, int copied, boolean emptied) {
        return Seq.diff(sk.rcvNxt, sk.rcvWup) > sk.rcvMss
                || copied > 0 && (sk.ackPushed2 || (sk.ackPushed && !stack.output.inPingpongMode(sk))) && emptied;
    }

    /**
     * Whether reading everything queued now would send the scheduled ACK at once (the first test of
     * tcp_cleanup_rbuf): replay asks before it makes a receiver read, since the capture shows whether it did.
     */
    public boolean readFlushesAck(TcpSock sk) {
        if (sk.state() == TcpState.CLOSE || !sk.ackScheduled) return false;
        return flushesScheduledAck(sk, sk.recvQueue.size(), true);
    }

    // ---------------------------------------------------------------- shutdown and close

    /** inet_shutdown and tcp_shutdown. */
    public Outcome shutdown(TcpSock sk, int how) {
        int mask = how + 1;
        if (how < 0 || (mask & ~TcpSock.SHUTDOWN_MASK) != 0 || mask == 0) return Outcome.fail(Errno.EINVAL);
        if (sk.ss == TcpSock.SocketState.CONNECTING) {
            TcpState s = sk.state();
            sk.ss = (s.connecting() || s == TcpState.CLOSE)
                    ? TcpSock.SocketState.DISCONNECTING : TcpSock.SocketState.CONNECTED;
        }
        Errno err = null;
        switch (sk.state()) {
            case LISTEN -> {
                if ((mask & TcpSock.RCV_SHUTDOWN) == 0) break;
                disconnect(sk);
                sk.ss = TcpSock.SocketState.UNCONNECTED;
            }
            case SYN_SENT -> {
                // Measured: the connect is silently aborted, no packet, the socket leaves netstat.
                disconnect(sk);
                sk.ss = TcpSock.SocketState.UNCONNECTED;
            }
            default -> {
                if (sk.state() == TcpState.CLOSE) err = Errno.ENOTCONN;
                sk.shutdown |= mask;
                if ((mask & TcpSock.SEND_SHUTDOWN) != 0 && sk.state().shutdownSendsFin()) {
                    closeState(sk, Cause.SHUTDOWN_SEND);
                }
            }
        }
        sk.waitQueue.wake(WaitQueue.KEY_ANY); // sk_state_change
        return err == null ? Outcome.ok(0) : Outcome.fail(err);
    }

    /** tcp_close_state, then tcp_send_fin when the new state sends one. */
    private void closeState(TcpSock sk, Cause why) {
        switch (sk.state()) {
            case ESTABLISHED, SYN_RECV -> {
                sk.setState(TcpState.FIN_WAIT1, why);
                sendFin(sk);
            }
            case CLOSE_WAIT -> {
                sk.setState(TcpState.LAST_ACK, why);
                sendFin(sk);
            }
            case SYN_SENT -> sk.setState(TcpState.CLOSE, why);
            default -> { }
        }
    }

    /** tcp_send_fin: the FIN joins unsent data if there is some ([FP.]), and everything is pushed, Nagle off. */
    private void sendFin(TcpSock sk) {
        sk.finQueued = true;
        sk.writeSeq = Seq.mask(sk.writeSeq + 1);
        out().push(sk, true);
    }

    /**
     * The first half of __tcp_close, up to sk_stream_wait_close: shut both ways, purge the receive queue (an unread
     * FIN alone does not count), then RST if data was unread (checked before SO_LINGER), tcp_disconnect for
     * SO_LINGER 0, otherwise the FIN. Returns whether close() must now linger (SO_LINGER on, not exiting).
     */
    public boolean closeStart(TcpSock sk) {
        sk.shutdown = TcpSock.SHUTDOWN_MASK;
        if (sk.state() == TcpState.LISTEN) {
            sk.setState(TcpState.CLOSE, Cause.CLOSE_LISTENER);
            listenStop(sk);
            return false;
        }
        int unread = sk.recvQueue.size();
        sk.purgeRx();
        sk.copiedSeq = sk.rcvNxt;
        if (sk.state() == TcpState.CLOSE) return false;
        if (unread > 0) {
            sk.setState(TcpState.CLOSE, Cause.CLOSE_WITH_UNREAD_DATA, Integer.toString(unread));
            out().sendActiveReset(sk, RstReason.TCP_ABORT_ON_CLOSE); // __tcp_close
        } else if (sk.linger && sk.lingerJiffies == 0) {
            disconnect(sk);
        } else {
            closeState(sk, Cause.CLOSE);
        }
        sk.waitQueue.wake(WaitQueue.KEY_ANY);
        return sk.linger && sk.lingerJiffies > 0 && sk.state().lingerWaits();
    }

    /**
     * The second half of __tcp_close (adjudge_to_death): the socket becomes an orphan. An orphan in FIN_WAIT2 with
     * TCP_LINGER2 negative is reset (TCP_ABORT_ON_LINGER); otherwise it waits tcp_fin_time, on a timewait minisock
     * (TcpKeepalive.orphanFinWait2); a socket in CLOSE is destroyed.
     */
    public void closeFinish(TcpSock sk) {
        sk.dead = true;
        if (sk.state() == TcpState.FIN_WAIT2) {
            if (sk.linger2Jiffies < 0) {
                sk.setState(TcpState.CLOSE, Cause.CLOSE_ABORT_ON_LINGER);
                out().sendActiveReset(sk, RstReason.TCP_ABORT_ON_LINGER); // __tcp_close
                stack.destroy(sk);
                return;
            }
            stack.keepalive.orphanFinWait2(sk);
            return;
        }
        if (sk.state() == TcpState.CLOSE) {
            // __tcp_close: a Fast Open child aborted before its handshake ended lets its request go.
            if (sk.fastopenListener != null) stack.input.fastOpenRemove(sk, false);
            stack.destroy(sk);
        }
    }

    // ---------------------------------------------------------------- options

    /** The congestion controls of net/ipv4/tcp_*.c that a kernel may have: setting one is not modelled, not ENOENT. */
    static final java.util.Set<String> KNOWN_CONGESTION = java.util.Set.of("bic", "cdg", "dctcp", "highspeed", "htcp",
            "hybla", "illinois", "lp", "nv", "scalable", "vegas", "veno", "westwood", "yeah");

    /** When a wait of {@code jiffies} started now ends: schedule_timeout's timer, on the wheel as any other. */
    public long timeoutAt(long jiffies) {
        return stack.timerFiresAt(jiffies);
    }

    /** sock_setsockopt; SO_ERROR is read-only (ENOPROTOOPT). */
    public Outcome setsockopt(TcpSock sk, SockOpt opt, int[] v) {
        switch (opt) {
            case SO_REUSEADDR -> sk.reuseAddr = v[0] != 0;
            case SO_REUSEPORT -> sk.reusePort = v[0] != 0; // sk_setsockopt: valbool
            case SO_OOBINLINE -> sk.oobInline = v[0] != 0;
            case TCP_WINDOW_CLAMP -> throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                    "setsockopt TCP_WINDOW_CLAMP (tcp_set_window_clamp)"));
            case SO_LINGER -> {
                // sk_setsockopt: l_linger is an int widened to unsigned long, so a negative one is huge and the
                // time becomes MAX_SCHEDULE_TIMEOUT; {0, n} clears SOCK_LINGER and leaves the time as it was.
                sk.linger = v[0] != 0;
                if (sk.linger) {
                    long tSec = v[1];
                    long max = Long.MAX_VALUE / stack.profile.hz();
                    sk.lingerJiffies = Long.compareUnsigned(tSec, max) >= 0 ? Long.MAX_VALUE : tSec * stack.profile.hz();
                }
            }
            case SO_ERROR, SO_TYPE, SO_ACCEPTCONN, SO_PROTOCOL, SO_DOMAIN, TCP_INFO -> { return Outcome.fail(Errno.ENOPROTOOPT); }
            case TCP_SYNCNT -> {
                // tcp_setsockopt: 1..MAX_TCP_SYNCNT (127), else EINVAL.
                if (v[0] < 1 || v[0] > 127) return Outcome.fail(Errno.EINVAL);
                sk.synRetries = v[0];
            }
            case TCP_NODELAY -> {
                // __tcp_sock_set_nodelay: on, the pending frames go at once (tcp_push_pending_frames).
                sk.nodelay = v[0] != 0;
                if (sk.nodelay && sk.state().isSynchronized()) out().push(sk, true);
            }
            case TCP_QUICKACK -> {
                // __tcp_sock_set_quickack: 0 enters pingpong mode; otherwise out of it, and an ACK waiting on a
                // drained queue goes now (ICSK_ACK_PUSHED, tcp_cleanup_rbuf(sk, 1)); an even value then re-enters it.
                if (v[0] == 0) {
                    out().enterPingpongMode(sk);
                } else {
                    sk.pingpong = 0; // inet_csk_exit_pingpong_mode
                    TcpState s = sk.state();
                    if ((s == TcpState.ESTABLISHED || s == TcpState.CLOSE_WAIT) && sk.ackScheduled) {
                        sk.ackPushed = true;
                        cleanupRbuf(sk, 1);
                        if ((v[0] & 1) == 0) out().enterPingpongMode(sk);
                    }
                }
            }
            case TCP_NOTSENT_LOWAT -> sk.notsentLowat = v[0]; // do_tcp_setsockopt: any value, read as u32
            case TCP_INQ -> {
                if (v[0] < 0 || v[0] > 1) return Outcome.fail(Errno.EINVAL); // do_tcp_setsockopt
                sk.recvmsgInq = v[0] == 1;
            }
            case TCP_CONGESTION -> {
                // tcp_set_congestion_control: a name the kernel does not have (nor can load) is ENOENT. The model has no
                // congestion window on loopback, so cubic and reno send alike; bbr paces, which it does not model.
                String cc = SockOpt.name(v);
                switch (cc) {
                    case "cubic" -> sk.congestion = cc;
                    // On two hosts the model's congestion window is cubic's (Congestion): reno's is not modelled.
                    case "reno" -> {
                        if (stack.congestionModelled())
                            throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                                    "TCP_CONGESTION \"reno\" on two hosts"));
                        sk.congestion = cc;
                    }
                    case "bbr" -> throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words("TCP_CONGESTION \"bbr\""));
                    default -> {
                        if (KNOWN_CONGESTION.contains(cc))
                            throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words("TCP_CONGESTION \"" + cc + "\""));
                        return Outcome.fail(Errno.ENOENT);
                    }
                }
            }
            case TCP_MAXSEG -> {
                // do_tcp_setsockopt: 0 or TCP_MIN_MSS (88) to MAX_TCP_WINDOW (32767), else EINVAL.
                if (v[0] != 0 && (v[0] < 88 || v[0] > 32767)) return Outcome.fail(Errno.EINVAL);
                if (sk.state() != TcpState.CLOSE || sk.ss != TcpSock.SocketState.UNCONNECTED)
                    throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words("TCP_MAXSEG after connect or listen"));
                if (v[0] != 0 && v[0] < 536 + TcpOutput.TS_LEN)
                    throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                            "TCP_MAXSEG below 548 (a receive MSS estimate below TCP_MSS_DEFAULT)"));
                sk.userMss = v[0];
            }
            case SO_RCVLOWAT -> {
                // sk_setsockopt: negative is INT_MAX; tcp_set_rcvlowat caps it at tcp_rmem[2] / 2, 0 is 1, and a
                // value whose buffer space exceeds sk_rcvbuf grows the buffer and clamps the window (not modelled).
                long val = v[0] < 0 ? Integer.MAX_VALUE : Math.min(v[0], stack.profile.tcpRmemMax() / 2);
                if ((val << 8) / sk.scalingRatio > stack.profile.rcvbuf())
                    throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                            "SO_RCVLOWAT above what the receive buffer holds (tcp_set_rcvlowat growing sk_rcvbuf)"));
                sk.rcvLowat = val == 0 ? 1 : (int) val;
            }
            case TCP_USER_TIMEOUT -> {
                // tcp_sock_set_user_timeout: milliseconds, negative is EINVAL.
                if (v[0] < 0) return Outcome.fail(Errno.EINVAL);
                sk.userTimeoutMs = v[0];
            }
            case SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_LINGER2 -> {
                return stack.keepalive.setsockopt(sk, opt, v[0]);
            }
            case TCP_CORK -> {
                // __tcp_sock_set_cork: off, the pending frames go (tcp_push_pending_frames, Nagle and TCP_NODELAY as set).
                boolean was = sk.corked;
                sk.corked = v[0] != 0;
                if (was && !sk.corked && sk.state().isSynchronized()) out().push(sk, false);
            }
            case SO_RCVTIMEO, SO_SNDTIMEO -> {
                // sock_set_timeout: the script's milliseconds are a struct timeval {ms / 1000, ms % 1000 * 1000}; a
                // negative tv_usec is EDOM, 0 waits for ever, else tv_sec * HZ + tv_usec rounded up to jiffies. A
                // negative whole number of seconds: measured on 6.18.44, getsockopt reads it back and recv waits for
                // ever; not followed here.
                long ms = v[0], sec = ms / 1000, usec = ms % 1000 * 1000;
                if (usec < 0) return Outcome.fail(Errno.EDOM);
                if (sec < 0) throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                        opt.name() + " of a negative number of seconds"));
                int hz = stack.profile.hz();
                long timeo = ms == 0 ? Long.MAX_VALUE : sec * hz + (usec + 1_000_000 / hz - 1) / (1_000_000 / hz);
                if (opt == SockOpt.SO_RCVTIMEO) sk.rcvTimeoJiffies = timeo;
                else sk.sndTimeoJiffies = timeo;
            }
            case TCP_FASTOPEN -> {
                // tcp_setsockopt: in CLOSE or LISTEN, fastopen_queue_tune (capped by somaxconn); else EINVAL.
                TcpState s = sk.state();
                if (v[0] < 0 || (s != TcpState.CLOSE && s != TcpState.LISTEN)) return Outcome.fail(Errno.EINVAL);
                sk.fastopenMaxQlen = Math.min(v[0], stack.profile.somaxconn());
            }
            case TCP_FASTOPEN_KEY -> {
                // tcp_setsockopt: tcp_fastopen_reset_cipher(net, sk, key): the key's bytes as two little-endian
                // 64-bit halves, the same words the sysctl writes.
                sk.fastopenKey = v.clone();
            }
            default -> throw notModelled(opt);
        }
        return Outcome.ok(0);
    }

    /** sock_getsockopt; SO_ERROR reads and clears the pending error. */
    public Outcome getsockopt(TcpSock sk, SockOpt opt) {
        return new Outcome.Done(switch (opt) {
            case SO_REUSEADDR -> Result.option(sk.reuseAddr ? 1 : 0);
            case SO_REUSEPORT -> Result.option(sk.reusePort ? 1 : 0);
            case SO_OOBINLINE -> Result.option(sk.oobInline ? 1 : 0);
            case TCP_WINDOW_CLAMP -> {
                // tp->window_clamp: 0 until tcp_connect_init or the child's tcp_openreq_init_rwin set it, then
                // tcp_full_space at the scaling ratio, which tcp_measure_rcv_mss updates (65536, then 71168 after a
                // 1000-byte segment: measured)
                if (sk.state() == TcpState.SYN_SENT) throw new io.tcpsim.backend.NotModelled(
                        io.tcpsim.backend.NotModelled.words("TCP_WINDOW_CLAMP in SYN_SENT"));
                yield Result.option(sk.synced ? (int) sk.windowClamp : 0);
            }
            case SO_TYPE -> Result.option(Bits.SOCK_STREAM);
            case SO_ACCEPTCONN -> Result.option(sk.state() == TcpState.LISTEN ? 1 : 0); // sk_getsockopt: TCP_LISTEN
            case SO_PROTOCOL -> Result.option(6); // IPPROTO_TCP
            case SO_DOMAIN -> Result.option(2); // AF_INET
            // sk_getsockopt: l_linger = sk_lingertime / HZ, truncated to an int ({1, -1752346657} at HZ 250 after {1, -3}).
            case SO_LINGER -> Result.option(sk.linger ? 1 : 0, (int) (sk.lingerJiffies / stack.profile.hz()));
            case SO_ERROR -> {
                Errno e = sk.takeError();
                yield Result.option(e == null ? 0 : e.number);
            }
            // do_tcp_getsockopt: the socket's own value, else the sysctl's.
            case TCP_SYNCNT -> Result.option(sk.synRetries > 0 ? sk.synRetries : stack.profile.synRetries());
            case TCP_USER_TIMEOUT -> Result.option(sk.userTimeoutMs);
            case TCP_NODELAY -> Result.option(sk.nodelay ? 1 : 0);
            case SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_LINGER2 -> stack.keepalive.getsockopt(sk, opt);
            case TCP_CORK -> Result.option(sk.corked ? 1 : 0);
            case SO_RCVTIMEO, SO_SNDTIMEO -> {
                // sock_get_timeout: {timeo / HZ, (timeo % HZ) * USEC_PER_SEC / HZ}, {0, 0} for MAX_SCHEDULE_TIMEOUT.
                long timeo = opt == SockOpt.SO_RCVTIMEO ? sk.rcvTimeoJiffies : sk.sndTimeoJiffies;
                int hz = stack.profile.hz();
                long ms = timeo == Long.MAX_VALUE ? 0 : timeo / hz * 1000 + (timeo % hz) * 1_000_000 / hz / 1000;
                yield Result.option((int) ms);
            }
            case TCP_FASTOPEN -> Result.option(sk.fastopenMaxQlen); // do_tcp_getsockopt: fastopenq.max_qlen
            case TCP_INFO -> Result.option(tcpInfo(sk));
            case TCP_QUICKACK -> Result.option(out().inPingpongMode(sk) ? 0 : 1); // !inet_csk_in_pingpong_mode
            case TCP_CONGESTION -> {
                if (sk.congestion == null) throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                        "TCP_CONGESTION before a setsockopt names one (the host's default, net.ipv4.tcp_congestion_control)"));
                yield Result.option(SockOpt.packName(sk.congestion));
            }
            // do_tcp_getsockopt: mss_cache (tcpi_snd_mss), or user_mss in CLOSE and LISTEN
            case TCP_MAXSEG -> Result.option(sk.userMss != 0 && (sk.state() == TcpState.CLOSE || sk.state() == TcpState.LISTEN)
                    ? sk.userMss : (int) TcpInfo.SND_MSS.get(tcpInfoUnchecked(sk)));
            case TCP_NOTSENT_LOWAT -> Result.option(sk.notsentLowat);
            case TCP_INQ -> Result.option(sk.recvmsgInq ? 1 : 0);
            case SO_RCVLOWAT -> Result.option(sk.rcvLowat);
            default -> throw notModelled(opt);
        });
    }

    /**
     * tcp_get_info: the fields of struct tcp_info the model gives exactly ({@link TcpInfo#MODELLED}); a listener
     * reports only its accept queue (unacked: children ready, sacked: the backlog), reordering and cwnd. Measured on
     * 6.18.44 (traces/scenarios/api/tcp-info.yaml): a fresh socket's snd_mss is TCP_MSS_DEFAULT (536) and its
     * pmtu, advmss, rcv_mss and windows 0; after the handshake snd_mss is mss_cache (tcp_sync_mss, bound to half the
     * largest window: 32741, then 32768), advmss 65483 (less the timestamp option), pmtu 65535; segs_out does not
     * count a child's SYN-ACK, segs_in counts its SYN; bytes_acked and bytes_received count a FIN, and the client's
     * bytes_acked its SYN.
     */
    int[] tcpInfo(TcpSock sk) {
        if (stack.rtx.on()) throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words("TCP_INFO on two hosts"));
        if (sk.totalRetrans > 0)
            throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words("TCP_INFO after a retransmission"));
        return tcpInfoUnchecked(sk);
    }

    private int[] tcpInfoUnchecked(TcpSock sk) {
        int[] w = new int[TcpInfo.WORDS];
        TcpState state = sk.state();
        TcpInfo.STATE.set(w, state.code);
        TcpInfo.REORDERING.set(w, 3); // sysctl_tcp_reordering
        if (state == TcpState.LISTEN) {
            TcpInfo.UNACKED.set(w, sk.acceptQueue.size()); // sk_ack_backlog
            TcpInfo.SACKED.set(w, sk.backlog);             // sk_max_ack_backlog
            return w;
        }
        int mss = out().advMss(sk);
        boolean connecting = state == TcpState.SYN_SENT;
        TcpInfo.RETRANSMITS.set(w, sk.retransmits);
        TcpInfo.PROBES.set(w, sk.probesOut); // icsk_probes_out: unanswered keepalive probes (TcpKeepalive)
        if (sk.synced) {
            TcpInfo.OPTIONS.set(w, (sk.tsOk ? TcpInfo.OPT_TIMESTAMPS : 0) | (sk.sackNegotiated ? TcpInfo.OPT_SACK : 0)
                    | (sk.wsOk ? TcpInfo.OPT_WSCALE : 0));
            if (sk.wsOk) {
                TcpInfo.SND_WSCALE.set(w, sk.sndWscale);
                TcpInfo.RCV_WSCALE.set(w, sk.rcvWscale);
            }
        }
        // tcp_init_sock: mss_cache TCP_MSS_DEFAULT; tcp_connect_init: tcp_sync_mss with no window yet; then mss_cache.
        TcpInfo.SND_MSS.set(w, sk.synced ? out().sendMss(sk) : connecting ? mss - (stack.profile.timestamps() ? TcpOutput.TS_LEN : 0) : 536);
        TcpInfo.RCV_MSS.set(w, sk.synced ? sk.rcvMss : 0); // tcp_initialize_rcv_mss at tcp_init_transfer
        // tcp_write_queue_purge (tcp_done) empties packets_out
        TcpInfo.UNACKED.set(w, state == TcpState.CLOSE ? 0 : sk.unackedEnds.size());
        TcpInfo.PMTU.set(w, sk.synced || connecting ? 65535 : 0); // icsk_pmtu_cookie: lo's MTU, at most IP_MAX_MTU
        TcpInfo.RCV_SSTHRESH.set(w, sk.rcvSsthresh);
        TcpInfo.SND_SSTHRESH.set(w, 0x7fffffffL); // TCP_INFINITE_SSTHRESH
        TcpInfo.ADVMSS.set(w, sk.synced ? mss - (sk.tsOk ? TcpOutput.TS_LEN : 0) : connecting ? mss : 0);
        TcpInfo.TOTAL_RETRANS.set(w, sk.totalRetrans);
        TcpInfo.BYTES_ACKED.set(w, sk.bytesAcked);
        TcpInfo.BYTES_RECEIVED.set(w, sk.bytesReceived);
        TcpInfo.SEGS_OUT.set(w, sk.segsOut);
        TcpInfo.SEGS_IN.set(w, sk.segsIn);
        TcpInfo.NOTSENT_BYTES.set(w, Math.max(0, Seq.diff(sk.writeSeq, sk.sndNxt)));
        TcpInfo.DATA_SEGS_IN.set(w, sk.dataSegsIn);
        TcpInfo.DATA_SEGS_OUT.set(w, sk.dataSegsOut);
        TcpInfo.DELIVERED.set(w, sk.delivered);
        TcpInfo.BYTES_SENT.set(w, sk.bytesSent);
        TcpInfo.BYTES_RETRANS.set(w, sk.bytesRetrans);
        TcpInfo.SND_WND.set(w, sk.sndWnd);
        TcpInfo.RCV_WND.set(w, sk.rcvWnd);
        return w;
    }

    // ---------------------------------------------------------------- getname, ioctl

    /**
     * inet_getname: the peer's address unless there is none or the socket is in CLOSE or SYN_SENT (ENOTCONN); the
     * local one is inet_rcv_saddr (or inet_saddr) and inet_sport: 0.0.0.0:0 before any bind.
     */
    public Outcome getName(TcpSock sk, boolean peer) {
        if (peer) {
            if (sk.remote == null || sk.remote.port() == 0 || sk.state() == TcpState.CLOSE || sk.state() == TcpState.SYN_SENT)
                return Outcome.fail(Errno.ENOTCONN);
            return new Outcome.Done(Result.address(TcpStack.shown(sk.v6, sk.remote)));
        }
        return new Outcome.Done(Result.address(sk.local != null ? TcpStack.shown(sk.v6, sk.local)
                : sk.v6 ? SockAddr.ANY6 : SockAddr.ANY));
    }

    /**
     * tcp_ioctl: SIOCINQ is tcp_inq (the unread bytes, less a FIN), SIOCOUTQ write_seq - snd_una (sent and queued,
     * not yet ACKed), SIOCOUTQNSD write_seq - snd_nxt (not yet sent); a listener gets EINVAL, a socket still in the
     * handshake 0.
     */
    public Outcome ioctl(TcpSock sk, int request) {
        TcpState s = sk.state();
        if (s == TcpState.LISTEN) return Outcome.fail(Errno.EINVAL);
        boolean handshake = s == TcpState.SYN_SENT || s == TcpState.SYN_RECV;
        long n = switch (request) {
            case Bits.SIOCINQ -> {
                long answ = handshake ? 0 : Seq.diff(sk.rcvNxt, sk.copiedSeq);
                yield answ > 0 && sk.done ? answ - 1 : answ;
            }
            case Bits.SIOCOUTQ -> handshake ? 0 : Seq.diff(sk.writeSeq, sk.sndUna);
            case Bits.SIOCOUTQNSD -> handshake ? 0 : Seq.diff(sk.writeSeq, sk.sndNxt);
            default -> -1;
        };
        if (n < 0) return Outcome.fail(Errno.ENOTTY);
        return new Outcome.Done(Result.option((int) n));
    }

    /** TCPI_OPT_* bits of tcpi_options (include/uapi/linux/tcp.h). */
    public static final int TCPI_OPT_TIMESTAMPS = 1, TCPI_OPT_SACK = 2, TCPI_OPT_WSCALE = 4, TCPI_OPT_ECN = 8,
            TCPI_OPT_ECN_SEEN = 16, TCPI_OPT_SYN_DATA = 32, TCPI_OPT_USEC_TS = 64, TCPI_OPT_TFO_CHILD = 128;

    /**
     * The fields of struct tcp_info (tcp_get_info) that packetdrill's %{ }% blocks read on the model, where the host
     * is on a link and {@link #tcpInfo} refuses (it models loopback's): to be folded into it. By name:
     * {@code tcpi_state}, and
     * {@code tcpi_options} once a handshake has set the negotiated options (kept after a reset, cleared by
     * tcp_disconnect; not for a listener, nor without the link's retransmission machinery, which alone keeps SACK). ECN
     * and microsecond timestamps are never negotiated by the model.
     */
    public java.util.Map<String, Long> pktrunTcpInfo(TcpSock sk) {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        TcpState s = sk.state();
        m.put("tcpi_state", (long) s.code);
        if (sk.optionsKnown && s != TcpState.LISTEN && s != TcpState.SYN_SENT && stack.rtx.on()) {
            long o = 0;
            if (sk.tsOk) o |= TCPI_OPT_TIMESTAMPS;
            if (sk.sackOk) o |= TCPI_OPT_SACK;
            if (sk.wscaleOk) o |= TCPI_OPT_WSCALE;
            if (sk.synDataAcked) o |= TCPI_OPT_SYN_DATA;
            if (sk.synFastopenChild) o |= TCPI_OPT_TFO_CHILD;
            m.put("tcpi_options", o);
        }
        return m;
    }

    /** An option the script layer lets through (the kernel backend runs it) and the model does not model yet. */
    private static io.tcpsim.backend.NotModelled notModelled(SockOpt opt) {
        return new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(opt.name()));
    }

    // ---------------------------------------------------------------- poll

    /** tcp_poll. */
    public int poll(TcpSock sk) {
        TcpState state = sk.state();
        if (state == TcpState.LISTEN) {
            return sk.acceptQueue.isEmpty() ? 0 : Bits.POLLIN | Bits.POLLRDNORM;
        }
        int mask = 0;
        int shutdown = sk.shutdown;
        if (shutdown == TcpSock.SHUTDOWN_MASK || state == TcpState.CLOSE) mask |= Bits.POLLHUP;
        if ((shutdown & TcpSock.RCV_SHUTDOWN) != 0) mask |= Bits.POLLIN | Bits.POLLRDNORM | Bits.POLLRDHUP;
        if (!state.connecting()) {
            // tcp_stream_is_readable with sock_rcvlowat's target (tcp_epollin_ready; its memory-pressure and
            // small-window exceptions do not arise on loopback)
            if (Seq.diff(sk.rcvNxt, sk.copiedSeq) >= Math.max(1, sk.rcvLowat)) mask |= Bits.POLLIN | Bits.POLLRDNORM;
            if ((shutdown & TcpSock.SEND_SHUTDOWN) != 0 || writeable(sk) && notsentBelowLowat(sk, 1)) {
                mask |= Bits.POLLOUT | Bits.POLLWRNORM;
            } else {
                sk.noSpace = true; // tcp_poll sets SOCK_NOSPACE when it finds the socket not writeable
            }
        }
        if (sk.skErr != null) mask |= Bits.POLLERR;
        return mask;
    }
}
