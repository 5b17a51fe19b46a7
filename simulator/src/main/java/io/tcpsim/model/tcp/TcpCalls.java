package io.tcpsim.model.tcp;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Errno;
import io.tcpsim.model.WaitQueue;
import io.tcpsim.wire.SockAddr;

/**
 * The socket calls on a TCP socket, as af_inet.c and tcp.c implement them. A call that would block returns
 * {@link #WOULD_BLOCK}; the caller moves the clock and calls again, which is what the kernel's code does after its
 * wait (inet_wait_for_connect, sk_wait_data, inet_csk_wait_for_connect, sk_stream_wait_memory all loop back to the
 * same checks). Results are the return value, or the negated errno as in the kernel ({@link #err}).
 */
public final class TcpCalls {
    /** A call that must wait. */
    public static final long WOULD_BLOCK = Long.MIN_VALUE;

    private final TcpStack stack;

    TcpCalls(TcpStack stack) {
        this.stack = stack;
    }

    public static long err(Errno e) {
        return -e.number;
    }

    private TcpOutput out() {
        return stack.output;
    }

    public TcpSock socket() {
        return stack.newSock();
    }

    // ---------------------------------------------------------------- bind, listen, accept

    /** inet_bind and inet_csk_get_port. Only loopback and the wildcard address exist on this host. */
    public long bind(TcpSock sk, SockAddr addr) {
        if (sk.bound || sk.state() != TcpState.CLOSE) return err(Errno.EINVAL);
        if (addr.ip() != 0 && (addr.ip() >>> 24) != 127) return err(Errno.EADDRNOTAVAIL);
        int port = addr.port();
        if (port == 0) {
            port = pickPort(addr.ip(), false);
            if (port < 0) return err(Errno.EADDRINUSE);
        } else if (conflict(sk, addr.ip(), port)) {
            return err(Errno.EADDRINUSE);
        }
        sk.local = new SockAddr(addr.ip(), port);
        sk.bound = true;
        sk.portLocked = addr.port() != 0; // __inet_bind: SOCK_BINDPORT_LOCK only for a port the caller named
        stack.bound.add(sk);
        return 0;
    }

    /**
     * inet_csk_bind_conflict: another socket on the port conflicts unless both set SO_REUSEADDR and the other is
     * not listening; different specific addresses never conflict.
     */
    private boolean conflict(TcpSock sk, int ip, int port) {
        for (Endpoint other : stack.bound) {
            if (other == sk || other.local == null || other.local.port() != port) continue;
            int oip = other.local.ip();
            if (ip != 0 && oip != 0 && ip != oip) continue;
            boolean otherReuse;
            boolean otherListening = false;
            if (other instanceof TcpSock o) {
                otherReuse = o.reuseAddr;
                otherListening = o.state() == TcpState.LISTEN;
            } else {
                otherReuse = ((TimeWaitSock) other).reuseAddr;
            }
            if (!(sk.reuseAddr && otherReuse && !otherListening)) return true;
        }
        return false;
    }

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
        int start = stack.rng.between(lo, hi);
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
    public long listen(TcpSock sk, int backlog) {
        if (sk.ss != TcpSock.SocketState.UNCONNECTED) return err(Errno.EINVAL);
        TcpState s = sk.state();
        if (s != TcpState.CLOSE && s != TcpState.LISTEN) return err(Errno.EINVAL);
        int somaxconn = stack.profile.somaxconn();
        sk.backlog = (backlog < 0 || backlog > somaxconn) ? somaxconn : backlog;
        if (s == TcpState.LISTEN) return 0;
        if (!sk.bound) {
            int port = pickPort(0, false);
            if (port < 0) return err(Errno.EADDRINUSE);
            sk.local = new SockAddr(0, port);
            sk.bound = true;
            stack.bound.add(sk);
        } else if (listenerOn(sk.local.port()) != null) {
            return err(Errno.EADDRINUSE);
        }
        sk.remote = new SockAddr(0, 0);
        sk.setState(TcpState.LISTEN, Cause.LISTEN_START);
        stack.listeners.put(sk.local.port(), sk);
        return 0;
    }

    private TcpSock listenerOn(int port) {
        return stack.listeners.get(port);
    }

    /** inet_csk_accept: returns the child, or null with {@code error[0]} set. */
    public TcpSock accept(TcpSock l, boolean nonblock, long[] error) {
        if (l.state() != TcpState.LISTEN) {
            error[0] = err(Errno.EINVAL);
            return null;
        }
        TcpSock child = l.acceptQueue.poll();
        if (child == null) {
            error[0] = nonblock ? err(Errno.EAGAIN) : WOULD_BLOCK;
            return null;
        }
        child.parent = null;
        return child;
    }

    // ---------------------------------------------------------------- connect

    /** __inet_stream_connect. Calling it again after a wait gives the kernel's result after its wait. */
    public long connect(TcpSock sk, SockAddr addr, boolean nonblock) {
        long err;
        switch (sk.ss) {
            case CONNECTED -> { return err(Errno.EISCONN); }
            case CONNECTING -> err = err(Errno.EALREADY);
            case UNCONNECTED -> {
                if (sk.state() != TcpState.CLOSE) return err(Errno.EISCONN);
                long e = v4Connect(sk, addr);
                if (e < 0) return e;
                sk.ss = TcpSock.SocketState.CONNECTING;
                err = err(Errno.EINPROGRESS);
            }
            default -> { return err(Errno.EINVAL); }
        }
        if (sk.state().connecting()) {
            return nonblock ? err : WOULD_BLOCK;
        }
        if (sk.state() == TcpState.CLOSE) {
            // sock_error: the pending error (ECONNREFUSED) once, then ECONNABORTED; and tcp_disconnect.
            Errno e = sk.takeError();
            sk.ss = TcpSock.SocketState.UNCONNECTED;
            disconnect(sk);
            return err(e != null ? e : Errno.ECONNABORTED);
        }
        sk.ss = TcpSock.SocketState.CONNECTED;
        return 0;
    }

    /** tcp_v4_connect: route (loopback only), a source port, the ISN, the SYN. */
    private long v4Connect(TcpSock sk, SockAddr addr) {
        if ((addr.ip() >>> 24) != 127) return err(Errno.ENETUNREACH);
        int srcIp = sk.local != null && sk.local.ip() != 0 ? sk.local.ip() : SockAddr.LOOPBACK;
        int srcPort;
        if (!sk.bound) {
            srcPort = pickPort(srcIp, true);
            if (srcPort < 0) return err(Errno.EADDRNOTAVAIL);
            sk.bound = true;
            stack.bound.add(sk);
        } else {
            srcPort = sk.local.port();
        }
        SockAddr local = new SockAddr(srcIp, srcPort);
        Endpoint existing = stack.established.get(new ConnKey(local, addr));
        if (existing instanceof TcpSock) return err(Errno.EADDRNOTAVAIL);
        if (existing instanceof TimeWaitSock tw) {
            // tcp_twsk_unique with tcp_tw_reuse=2 (loopback): the TIME_WAIT is reused; its sequence space ends.
            stack.established.remove(new ConnKey(local, addr));
            stack.releasePort(tw);
            tw.setState(TcpState.CLOSE, Cause.TIME_WAIT_REUSED_BY_CONNECT);
        }
        sk.local = local;
        sk.remote = addr;
        sk.iss = stack.secureSeq(local, addr);
        sk.tsOffset = stack.rng.nextU32();
        sk.ipId = stack.rng.between(0, 0xffff);
        sk.sndUna = sk.iss;
        sk.sndNxt = sk.writeSeq = Seq.mask(sk.iss + 1);
        sk.setState(TcpState.SYN_SENT, Cause.CONNECT);
        stack.hash(sk);
        out().sendSyn(sk);
        return 0;
    }

    /**
     * tcp_disconnect: the ABORT of RFC 793. An RST from the states that need one (tcp_need_reset, or CLOSING and
     * LAST_ACK with unsent data), sk_err = ECONNRESET, then everything is cleared and the socket can connect again.
     */
    long disconnect(TcpSock sk) {
        TcpState old = sk.state();
        if (old != TcpState.CLOSE) sk.setState(TcpState.CLOSE, Cause.DISCONNECT);
        if (old == TcpState.LISTEN) {
            listenStop(sk);
        } else if (old.needsResetOnAbort()
                || (sk.sndNxt != sk.writeSeq && (old == TcpState.CLOSING || old == TcpState.LAST_ACK))) {
            out().sendActiveReset(sk);
            sk.skErr = Errno.ECONNRESET;
        } else if (old == TcpState.SYN_SENT) {
            sk.skErr = Errno.ECONNRESET;
        }
        out().cancelTimers(sk);
        sk.purgeRx();
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
        sk.retransmits = 0;
        sk.rtoNanos = 1_000_000_000L;
        if (!sk.dead) sk.waitQueue.wake(WaitQueue.KEY_ERROR);
        return 0;
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
            disconnect(child);
            stack.destroy(child);
        }
        l.synQueue.clear();
        stack.listeners.remove(l.local.port(), l);
    }

    // ---------------------------------------------------------------- send

    /** Progress of one send() across its waits: the bytes already copied (tcp_sendmsg_locked's {@code copied}). */
    public static final class SendProgress {
        public int copied;
    }

    /**
     * tcp_sendmsg_locked. Returns the bytes accepted, a negated errno, or WOULD_BLOCK. {@code raiseSigpipe[0]}
     * is set when sk_stream_error would send SIGPIPE (EPIPE without MSG_NOSIGNAL).
     */
    public long send(TcpSock sk, byte[] data, int flags, boolean nonblock, SendProgress p, boolean[] raiseSigpipe) {
        boolean dontwait = nonblock || (flags & Bits.MSG_DONTWAIT) != 0;
        long err;
        if (!sk.state().canSendData()) {
            err = waitConnect(sk, dontwait);
            if (err == WOULD_BLOCK) return WOULD_BLOCK;
            if (err != 0) return sendError(sk, p, err, flags, raiseSigpipe);
        }
        if (sk.skErr != null || (sk.shutdown & TcpSock.SEND_SHUTDOWN) != 0) {
            return sendError(sk, p, err(Errno.EPIPE), flags, raiseSigpipe);
        }
        while (p.copied < data.length) {
            int room = stack.profile.sndbuf() - sk.sendQueue.size();
            // A writer that found the buffer full writes again only once it is writeable (free space at least half
            // of what is queued, __sk_stream_is_writeable), as sk_stream_write_space would wake it. Measured: right
            // after a send filled the buffer, the next non-blocking send gets EAGAIN although one ACK freed 32741.
            if (sk.noSpace && !writeable(sk)) room = 0;
            if (room <= 0) {
                sk.noSpace = true; // SOCK_NOSPACE: the next ACK that frees space calls sk_write_space
                out().push(sk, false);
                if (p.copied > 0 && dontwait) break;
                if (dontwait) return sendError(sk, p, err(Errno.EAGAIN), flags, raiseSigpipe);
                return WOULD_BLOCK;
            }
            int n = Math.min(room, data.length - p.copied);
            sk.sendQueue.add(data, p.copied, n);
            sk.writeSeq = Seq.mask(sk.writeSeq + n);
            p.copied += n;
        }
        if (p.copied > 0) out().push(sk, false);
        return p.copied;
    }

    /** __sk_stream_is_writeable: the free space is at least half of what is queued (sk_stream_min_wspace). */
    boolean writeable(TcpSock sk) {
        long queued = sk.sendQueue.size();
        return stack.profile.sndbuf() - queued >= queued / 2;
    }

    /** sk_stream_wait_connect: the pending error first, EPIPE unless still connecting, EAGAIN if not waiting. */
    private long waitConnect(TcpSock sk, boolean dontwait) {
        Errno e = sk.takeError();
        if (e != null) return err(e);
        if (!sk.state().connecting()) return err(Errno.EPIPE);
        if (dontwait) return err(Errno.EAGAIN);
        return WOULD_BLOCK;
    }

    /** The do_error path: bytes already copied win; else sk_stream_error (EPIPE becomes a pending error, and SIGPIPE). */
    private long sendError(TcpSock sk, SendProgress p, long err, int flags, boolean[] raiseSigpipe) {
        if (p.copied > 0) return p.copied;
        if (err == err(Errno.EPIPE)) {
            Errno pending = sk.takeError();
            if (pending != null) err = err(pending);
        }
        if (err == err(Errno.EPIPE) && (flags & Bits.MSG_NOSIGNAL) == 0) raiseSigpipe[0] = true;
        return err;
    }

    // ---------------------------------------------------------------- recv

    /**
     * tcp_recvmsg_locked: queued data (and a FIN behind it) first; then SOCK_DONE gives 0, a pending error is
     * returned once, RCV_SHUTDOWN gives 0, CLOSE gives ENOTCONN, and otherwise EAGAIN or a wait.
     * {@code out[0]} receives the bytes.
     */
    public long recv(TcpSock sk, int len, int flags, boolean nonblock, byte[][] out) {
        if (sk.state() == TcpState.LISTEN) return err(Errno.ENOTCONN);
        boolean peek = (flags & Bits.MSG_PEEK) != 0;
        boolean dontwait = nonblock || (flags & Bits.MSG_DONTWAIT) != 0;
        int avail = sk.recvQueue.size();
        if (len == 0 && avail > 0) {
            // A zero-length read copies nothing and leaves the data queued (measured).
            out[0] = new byte[0];
            return 0;
        }
        // With only the FIN queued, even a zero-length read consumes it: the do-while loop of tcp_recvmsg_locked
        // runs once and reaches found_fin_ok (regression found by tcpsim fuzz --kernel: Recv-Q 0 afterwards).
        if (avail > 0) {
            int n = Math.min(len, avail);
            out[0] = sk.recvQueue.peek(0, n);
            if (!peek) {
                sk.recvQueue.drop(n);
                sk.uncharge(n, TcpOutput.SKB_OVERHEAD);
                sk.copiedSeq = Seq.mask(sk.copiedSeq + n);
                if (n == avail && len > n && sk.finInRecvQueue) consumeFin(sk);
                cleanupRbuf(sk, n);
            }
            return n;
        }
        out[0] = new byte[0];
        if (sk.finInRecvQueue) {
            if (!peek) consumeFin(sk);
            return 0;
        }
        if (sk.done) return 0;
        Errno e = sk.takeError();
        if (e != null) return err(e);
        if ((sk.shutdown & TcpSock.RCV_SHUTDOWN) != 0) return 0;
        if (sk.state() == TcpState.CLOSE) return err(Errno.ENOTCONN);
        if (dontwait) return err(Errno.EAGAIN);
        // A blocking recv(fd, buf, 0) waits for one wakeup and then returns 0 (measured): the retry sees the
        // new data or FIN above and returns 0.
        return WOULD_BLOCK;
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
    private static boolean flushesScheduledAck(TcpSock sk, int copied, boolean emptied) {
        return Seq.diff(sk.rcvNxt, sk.rcvWup) > sk.rcvMss
                || copied > 0 && (sk.ackPushed2 || (sk.ackPushed && sk.pingpong == 0)) && emptied;
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
    public long shutdown(TcpSock sk, int how) {
        int mask = how + 1;
        if (how < 0 || (mask & ~TcpSock.SHUTDOWN_MASK) != 0 || mask == 0) return err(Errno.EINVAL);
        if (sk.ss == TcpSock.SocketState.CONNECTING) {
            TcpState s = sk.state();
            sk.ss = (s.connecting() || s == TcpState.CLOSE)
                    ? TcpSock.SocketState.DISCONNECTING : TcpSock.SocketState.CONNECTED;
        }
        long err = 0;
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
                if (sk.state() == TcpState.CLOSE) err = err(Errno.ENOTCONN);
                sk.shutdown |= mask;
                if ((mask & TcpSock.SEND_SHUTDOWN) != 0 && sk.state().shutdownSendsFin()) {
                    closeState(sk, Cause.SHUTDOWN_SEND);
                }
            }
        }
        sk.waitQueue.wake(WaitQueue.KEY_ANY); // sk_state_change
        return err;
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
            out().sendActiveReset(sk);
        } else if (sk.linger && sk.lingerSeconds == 0) {
            disconnect(sk);
        } else {
            closeState(sk, Cause.CLOSE);
        }
        sk.waitQueue.wake(WaitQueue.KEY_ANY);
        return sk.linger && sk.lingerSeconds > 0 && sk.state().lingerWaits();
    }

    /**
     * The second half of __tcp_close (adjudge_to_death): the socket becomes an orphan. An orphan in FIN_WAIT2 hands
     * over to a timewait minisock for tcp_fin_timeout; a socket in CLOSE is destroyed.
     */
    public void closeFinish(TcpSock sk) {
        sk.dead = true;
        if (sk.state() == TcpState.FIN_WAIT2) {
            stack.input.timeWait(sk, TcpState.FIN_WAIT2, stack.input.finTime());
            return;
        }
        if (sk.state() == TcpState.CLOSE) stack.destroy(sk);
    }

    // ---------------------------------------------------------------- options

    public long setsockopt(TcpSock sk, io.tcpsim.calls.SockOpt opt, int[] v) {
        switch (opt) {
            case SO_REUSEADDR -> sk.reuseAddr = v[0] != 0;
            case SO_LINGER -> {
                sk.linger = v[0] != 0;
                sk.lingerSeconds = Math.max(0, v[1]);
            }
            case SO_ERROR -> { return err(Errno.ENOPROTOOPT); }
        }
        return 0;
    }

    /** sock_getsockopt; SO_ERROR reads and clears the pending error. */
    public int[] getsockopt(TcpSock sk, io.tcpsim.calls.SockOpt opt) {
        return switch (opt) {
            case SO_REUSEADDR -> new int[] {sk.reuseAddr ? 1 : 0};
            case SO_LINGER -> new int[] {sk.linger ? 1 : 0, sk.lingerSeconds};
            case SO_ERROR -> {
                Errno e = sk.takeError();
                yield new int[] {e == null ? 0 : e.number};
            }
        };
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
            if (Seq.diff(sk.rcvNxt, sk.copiedSeq) >= 1) mask |= Bits.POLLIN | Bits.POLLRDNORM;
            if ((shutdown & TcpSock.SEND_SHUTDOWN) != 0 || writeable(sk)) {
                mask |= Bits.POLLOUT | Bits.POLLWRNORM;
            } else {
                sk.noSpace = true; // tcp_poll sets SOCK_NOSPACE when it finds the socket not writeable
            }
        }
        if (sk.skErr != null) mask |= Bits.POLLERR;
        return mask;
    }
}
