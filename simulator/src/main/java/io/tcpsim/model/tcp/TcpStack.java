package io.tcpsim.model.tcp;

import io.tcpsim.backend.TcpState;
import io.tcpsim.backend.Cause;
import io.tcpsim.backend.DropReason;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.RstReason;
import io.tcpsim.model.Profile;
import io.tcpsim.model.Randomness;
import io.tcpsim.model.Randomness.Purpose;
import io.tcpsim.model.Scheduler;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The TCP stack of the simulated host: its hash tables, its loopback device and its timers. Segments go out through
 * {@link #transmit} and come back in through {@link TcpInput#receive}; the application side is {@link TcpCalls}.
 *
 * <p>Reading list: include/net/tcp.h, net/ipv4/tcp.c (the calls), tcp_input.c (the receive path), tcp_output.c
 * (what goes out), tcp_timer.c, tcp_minisocks.c (TIME_WAIT), tcp_ipv4.c (lookup, resets for no socket),
 * inet_connection_sock.c (bind, listen, accept), af_inet.c (connect, shutdown, release).
 */
public final class TcpStack {
    final Profile profile;
    final Scheduler clock;
    final Randomness random;
    private final Consumer<Event> events;

    final TcpInput input;
    final TcpOutput output;
    final TcpCalls calls;
    final TcpRetransmit rtx;
    final TcpKeepalive keepalive;
    final Congestion congestion;
    final Recovery recovery;

    /** The established hash: full sockets and timewait minisocks by 4-tuple (inet_ehash). */
    final Map<ConnKey, Endpoint> established = new HashMap<>();
    /** Listeners by local port (inet_lhash2). */
    final Map<Integer, TcpSock> listeners = new HashMap<>();
    /** Everything netstat lists, in creation order (a stand-in for /proc's hash-bucket order). */
    final LinkedHashMap<Endpoint, Boolean> listed = new LinkedHashMap<>();
    /** Every full socket ever made that still holds a port: the bind hash (inet_bind_bucket). */
    final List<Endpoint> bound = new ArrayList<>();

    /** net_secret: the key of the ISN hash, drawn once per host from the seed. */
    private final long isnSecret;
    /** net.ipv4.tcp_fastopen and its key (null until a listener needs one, when none was set). */
    FastOpen fastOpen = FastOpen.LINUX_DEFAULT;
    private int[] fastOpenKey;

    public TcpStack(Profile profile, Scheduler clock, Randomness random, Consumer<Event> events) {
        this.profile = profile;
        this.clock = clock;
        this.random = random;
        this.events = events;
        this.isnSecret = random.stream(Purpose.ISN_SECRET).nextLong();
        this.input = new TcpInput(this);
        this.output = new TcpOutput(this);
        this.calls = new TcpCalls(this);
        this.rtx = new TcpRetransmit(this);
        this.keepalive = new TcpKeepalive(this);
        this.congestion = new Congestion(this);
        this.recovery = new Recovery(this);
    }

    /** The host's TCP Fast Open sysctls (net.ipv4.tcp_fastopen, tcp_fastopen_key). */
    public void fastOpen(FastOpen f) {
        fastOpen = f;
        fastOpenKey = f.key();
    }

    /** The net namespace's Fast Open key: the one set, else random once (tcp_fastopen_init_key_once). */
    int[] fastOpenKey() {
        if (fastOpenKey == null) {
            var r = random.stream(Purpose.FASTOPEN_KEY);
            fastOpenKey = new int[] {(int) r.nextU32(), (int) r.nextU32(), (int) r.nextU32(), (int) r.nextU32()};
        }
        return fastOpenKey;
    }

    public TcpCalls calls() {
        return calls;
    }

    /** The host's stream for seeded loss on its link (Randomness.Purpose.LINK). */
    public io.tcpsim.model.Rng linkRandom() {
        return random.stream(io.tcpsim.model.Randomness.Purpose.LINK);
    }

    /** A connection's TS clock offset (secure_tcp_ts_off). */
    long tsOffset() {
        return random.stream(Purpose.TS_OFFSET).nextU32();
    }

    /** A socket's first IP id. */
    int ipId() {
        return random.stream(Purpose.IP_ID).between(0, 0xffff);
    }

    /** Where the search for an ephemeral port starts, in [lo, hi]. */
    int portSearchStart(int lo, int hi) {
        return random.stream(Purpose.EPHEMERAL_PORT).between(lo, hi);
    }

    TcpSock newSock(boolean v6) {
        TcpSock sk = new TcpSock(this);
        sk.v6 = v6;
        return sk;
    }

    /**
     * The MSS this host advertises for a connection from {@code local}: the profile's (IPv4 on lo: MTU 65536 − 40,
     * capped at 65535 − 40 by ipv4_default_advmss: 65495), and for IPv6 at most MTU − 60 (ip6_default_advmss: the
     * 40-byte IPv6 header; measured 65476 on ::1, docs/kernel-measurements.md section 34).
     */
    int advmss(SockAddr local) {
        return local != null && local.isV6() ? Math.min(profile.mss(), MSS6_LOOPBACK) : profile.mss();
    }

    /** ip6_default_advmss on lo: 65536 − 40 − 20. */
    static final int MSS6_LOOPBACK = 65476;

    /**
     * An IPv6 packet's flow label. With net.ipv6.auto_flowlabels=1 ip6_make_flowlabel takes it from a hash: of the
     * socket's sk_txhash (a random number), or for a reply without a socket of the flow's 5-tuple under a boot-time
     * seed. Neither can be reproduced; what can is its shape, measured on ::1 (docs/kernel-measurements.md section
     * 34): 20 bits, one label per direction of a connection, the same on every packet. Here a keyed hash of the
     * 4-tuple under the host's seeded secret, never 0. Check and replay do not compare labels.
     */
    int flowLabel(Segment seg) {
        long z = isnSecret * 0x9E3779B97F4A7C15L ^ ((long) seg.src().ip() << 32 | (seg.dst().ip() & 0xffffffffL));
        z ^= ((long) seg.src().port() << 16 | seg.dst().port()) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 29)) * 0x94D049BB133111EBL;
        int label = (int) (z ^ (z >>> 32)) & 0xfffff;
        return label == 0 ? 1 : label;
    }

    /** The key of a listener in {@link #listeners}: its port, and 65536 more for an IPv6 one. */
    static int listenKey(SockAddr local) {
        return local.isV6() ? local.port() | 0x10000 : local.port();
    }

    /**
     * The listener a segment to {@code dst} finds (__inet_lookup_listener, inet6_lookup_listener): one of its family
     * on its address or the wildcard; for an IPv4 segment, else an IPv6 listener on {@code [::]}, which takes it as
     * an IPv4 connection (IPV6_V6ONLY off: its child talks IPv4 and shows v4-mapped addresses).
     */
    TcpSock listenerFor(SockAddr dst) {
        TcpSock l = listeners.get(listenKey(dst));
        TcpSock l6 = l == null && !dst.isV6() ? listeners.get(dst.port() | 0x10000) : null;
        if (l6 != null && l6.local.isAny()) return l6;
        if (l == null) return null;
        return l.local.isAny() || l.local.sameIp(dst) ? l : null;
    }

    long now() {
        return clock.now();
    }

    long jiffies() {
        return clock.now() / profile.jiffyNanos();
    }

    /**
     * When a timer armed now for {@code delayJiffies} fires: the timer wheel (kernel/time/timer.c calc_wheel_index)
     * puts it in the level whose range holds the delay and rounds its expiry up to that level's granularity,
     * 8^level jiffies, strictly after the expiry ("a timer does not fire early"). Level 0 (delays under 63 jiffies)
     * therefore fires on the first tick after the expiry jiffy. Measured: a delayed ACK with ato 40 ms left
     * 40.2–44.2 ms after the data, a FIN's ACK with ato 0 after 0.2–4.0 ms (235 of 240 events on the predicted tick,
     * kernel-measurements.md section 1); SYN retransmissions 1 s apart came 1000–1032 ms apart (level 1, 32 ms).
     */
    long timerFiresAt(long delayJiffies) {
        long expires = jiffies() + delayJiffies;
        int level = 0;
        for (long start = 63; level < 8 && delayJiffies >= start; start <<= 3) level++;
        int shift = 3 * level;
        long bucket = ((expires >> shift) + 1) << shift;
        return bucket * profile.jiffyNanos();
    }

    /**
     * secure_tcp_seq (net/core/secure_seq.c): a keyed hash of the 4-tuple, seen from the side that picks the ISN,
     * plus the clock in 64 ns units (seq_scale). So a new connection on a 4-tuple that was used before gets a later
     * ISN, which is what lets a new SYN take over a TIME_WAIT (tcp_timewait_state_process: after(seq, rcv_nxt)).
     * The hash is SplitMix64 keyed by a seeded secret, not siphash: the values are as arbitrary, and reproducible.
     */
    long secureSeq(SockAddr local, SockAddr remote) {
        // secure_tcpv6_seq hashes the 128-bit addresses; the fold in ip() stands for them.
        long z = isnSecret ^ ((long) local.ip() << 32 | (remote.ip() & 0xffffffffL));
        z ^= ((long) local.port() << 16 | remote.port()) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return Seq.mask(z + (clock.now() >>> 6));
    }

    /** The TCP timestamp clock: milliseconds (tcp_time_stamp_ts with usec_ts off). */
    long tsNow(long offset) {
        return Seq.mask(clock.now() / 1_000_000L + offset);
    }

    // ---------------------------------------------------------------- the loopback device

    /** Where segments go; null: the loopback device with the profile's delay. */
    private io.tcpsim.model.Link link;

    /**
     * The host's own address on its link to another host (a script with {@code hosts:}), and the device that carries
     * segments for other addresses; 0 and null for the loopback-only host.
     */
    private int hostIp;
    private Device device;

    /** An interface to other hosts (a veth to the link): what is not for this host leaves through it. */
    public interface Device {
        /** Whether an address is reachable through the device (the route to the peer host). */
        boolean reaches(int ip);

        /** The segment left the host (it is already captured): the device carries it, or loses it. */
        void send(TcpStack from, Segment seg);

        /**
         * Whether the host's senders run the congestion window and loss recovery (Congestion, Recovery) and its
         * receivers the out-of-order queue: on the two-host link; not for packetdrill's one-sided runs, which refuse
         * more than 10 segments in flight and an out-of-order segment as before.
         */
        default boolean congestionModelled() {
            return false;
        }
    }

    /** The host's device runs the congestion window and loss recovery ({@link Device#congestionModelled}). */
    boolean congestionModelled() {
        return device != null && device.congestionModelled();
    }

    /** Puts the host on a link: its address there and the device to it (docs/model.md, "Two hosts on a link"). */
    public void attach(int ip, Device device) {
        this.hostIp = ip;
        this.device = device;
    }

    /** The host's address on its link, 0 for the loopback-only host. */
    public int hostIp() {
        return hostIp;
    }

    /** Whether an address is the host's own: 127/8 (lo) or its address on the link (inet_addr_type: RTN_LOCAL). */
    boolean isLocal(int ip) {
        return (ip >>> 24) == 127 || hostIp != 0 && ip == hostIp;
    }

    /** {@link #isLocal(int)} for either family: IPv6's own address is ::1 (ipv6_chk_addr on lo). */
    boolean isLocal(SockAddr a) {
        return a.isV6() ? a.isLoopback() : isLocal(a.ip());
    }

    /**
     * The source address of a connection to {@code dst} (ip_route_connect, fib's preferred source): 127.0.0.1 on lo,
     * the link's address otherwise; 0 when no route reaches {@code dst} (ENETUNREACH).
     */
    int sourceFor(int dst) {
        if ((dst >>> 24) == 127) return SockAddr.LOOPBACK;
        if (hostIp != 0 && dst == hostIp) return hostIp;
        if (device != null && device.reaches(dst)) return hostIp;
        return 0;
    }

    public void link(io.tcpsim.model.Link link) {
        this.link = link;
    }

    /**
     * Puts a segment on lo: it is captured now (dev_queue_xmit_nit) and delivered after the loopback delay, or as the
     * {@link io.tcpsim.model.Link} says.
     */
    void transmit(Segment seg, int ipId) {
        transmit(seg, ipId, null);
    }

    /** {@link #transmit(Segment, int)} for an RST, with the sk_rst_reason tcp_send_reset reports for it. */
    void transmit(Segment seg, int ipId, RstReason rstReason) {
        int id = seg.src().isV6() ? flowLabel(seg) : ipId & 0xffff;
        events.accept(new Event.PacketSent(new Packet(clock.now(), id, seg), rstReason));
        if (device != null && !isLocal(seg.dst())) {
            device.send(this, seg);
            return;
        }
        long delay = link == null ? profile.loopbackDelayNanos() : link.delayNanos(seg);
        if (delay < 0) return;
        if (delay <= profile.loopbackDelayNanos()) clock.deliverAt(clock.now() + delay, () -> input.receive(seg));
        else clock.arriveAt(clock.now() + delay, () -> input.receive(seg)); // a call does not wait for a path
    }

    /** A segment from the link, which the sender's capture already has (the receiver's capture is not modelled apart). */
    public void arrive(Segment seg) {
        input.receive(seg);
    }

    /** Whether this SYN-ACK, sent from here, is a listener's request's (not a simultaneous open's full socket's). */
    public boolean sentByRequest(Segment seg) {
        TcpSock l = listeners.get(listenKey(seg.src()));
        return l != null && l.synQueue.containsKey(new ConnKey(seg.src(), seg.dst()));
    }

    /** An event of the host's (the device reports a packet it lost through it). */
    public void report(Event e) {
        events.accept(e);
    }

    /** A segment straight into tcp_v4_rcv, as raw-socket injection does (kernel-measurements.md 18): no capture. */
    public void receive(Segment seg) {
        input.receive(seg);
    }

    // ---------------------------------------------------------------- state bookkeeping

    /** Called by {@link Endpoint#setState} only: keeps the hashes in step (tcp_set_state) and logs the change. */
    void stateChanged(Endpoint ep, TcpState from, TcpState to, Cause why, String detail) {
        if (to == TcpState.CLOSE) {
            unhash(ep);
            // tcp_set_state(TCP_CLOSE): a port the kernel chose (no SOCK_BINDPORT_LOCK) goes back (inet_put_port),
            // so a later connect() picks a new one (measured: a reconnect after a refusal uses another port).
            if (ep instanceof TcpSock sk && sk.bound && !sk.portLocked) {
                sk.bound = false;
                releasePort(sk);
            }
        } else if (from == TcpState.CLOSE || !listed.containsKey(ep)) {
            listed.put(ep, Boolean.TRUE);
        }
        events.accept(new Event.StateChanged(clock.now(), ep.name(), from, to, why, detail));
    }

    /** A segment thrown away (kfree_skb_reason): by {@code ep}, or by no socket at all when it is null. */
    void dropped(Endpoint ep, Segment seg, DropReason reason) {
        events.accept(new Event.Dropped(clock.now(), ep == null ? null : ep.name(), seg, reason));
    }

    void logBirth(Endpoint ep, Cause why) {
        listed.put(ep, Boolean.TRUE);
        events.accept(new Event.StateChanged(clock.now(), ep.name(), null, ep.state(), why));
    }

    void hash(TcpSock sk) {
        established.put(new ConnKey(sk.local, sk.remote), sk);
    }

    private void unhash(Endpoint ep) {
        listed.remove(ep);
        if (ep.local != null && ep.remote != null) {
            ConnKey k = new ConnKey(ep.local, ep.remote);
            if (established.get(k) == ep) established.remove(k);
        }
        if (ep instanceof TcpSock sk && ep.local != null && listeners.get(listenKey(ep.local)) == sk) {
            listeners.remove(listenKey(ep.local));
        }
    }

    /** The socket no longer holds its port (inet_put_port): it was destroyed, or disconnected from a port it auto-bound. */
    void releasePort(Endpoint ep) {
        bound.remove(ep);
    }

    /** inet_csk_destroy_sock: the socket is gone for good. */
    void destroy(TcpSock sk) {
        output.cancelTimers(sk);
        releasePort(sk);
        listed.remove(sk);
    }

    // ---------------------------------------------------------------- netstat

    /**
     * What {@code ss -tin} lists: inet_diag's dump of the established hash filtered by ss's default states (SS_CONN:
     * not LISTEN, CLOSE, TIME-WAIT or SYN-RECV), each full socket with its tcp_info (inet_diag_dump_one_icsk ->
     * tcp_diag_get_info -> tcp_get_info).
     */
    public List<NetstatRow> ss() {
        List<NetstatRow> rows = new ArrayList<>();
        for (Endpoint ep : listed.keySet()) {
            if (ep instanceof TimeWaitSock tw && tw.state() != TcpState.TIME_WAIT) {
                // An orphan in FIN_WAIT2 is a timewait minisock: inet_twsk_diag_fill reports its substate, no info.
                rows.add(new NetstatRow(0, 0, shown(tw.v6, tw.local), shown(tw.v6, tw.remote), tw.state(), "", true));
                continue;
            }
            if (!(ep instanceof TcpSock sk)) continue;
            TcpState s = sk.state();
            if (s == TcpState.LISTEN || s == TcpState.CLOSE || s == TcpState.SYN_RECV) continue;
            long rx = Math.max(Seq.diff(sk.rcvNxt, sk.copiedSeq), 0);
            long tx = Seq.diff(sk.writeSeq, sk.sndUna);
            rows.add(new NetstatRow(rx, tx, shown(sk.v6, sk.local), shown(sk.v6, sk.remote), s, output.timerColumn(sk), sk.dead || sk.parent != null,
                    calls.tcpInfo(sk)));
        }
        return rows;
    }

    /**
     * The rows get_tcp4_sock / get_timewait4_sock / get_openreq4 write to /proc/net/tcp (tcp_ipv4.c), then those
     * of IPv6 sockets in /proc/net/tcp6 (tcp_ipv6.c).
     */
    public List<NetstatRow> netstat(boolean withListeners) {
        List<NetstatRow> rows = new ArrayList<>();
        // /proc/net/tcp walks the listening hash first, then the established hash.
        for (Endpoint ep : listed.keySet()) {
            if (ep instanceof TcpSock sk && sk.state() == TcpState.LISTEN && withListeners) {
                rows.add(new NetstatRow(sk.acceptBacklog(), Seq.diff(sk.writeSeq, sk.sndUna), shown(sk.v6, sk.local), sk.v6 ? SockAddr.ANY6 : SockAddr.ANY, TcpState.LISTEN,
                        "off (0.00/0/0)", false));
            }
        }
        for (Endpoint ep : listed.keySet()) {
            if (ep instanceof TcpSock sk) {
                if (sk.state() == TcpState.LISTEN) {
                    // Request socks live in the established hash (TCP_NEW_SYN_RECV); get_openreq4 prints 0:0.
                    for (RequestSock req : sk.synQueue.values()) {
                        rows.add(new NetstatRow(0, 0, shown(sk.v6, req.local), shown(sk.v6, req.remote), TcpState.SYN_RECV, "on", true));
                    }
                    continue;
                }
                long rx = Math.max(Seq.diff(sk.rcvNxt, sk.copiedSeq), 0);
                long tx = Seq.diff(sk.writeSeq, sk.sndUna);
                rows.add(new NetstatRow(rx, tx, shown(sk.v6, sk.local), shown(sk.v6, sk.remote), sk.state(),
                        output.timerColumn(sk), sk.dead || sk.parent != null));
            } else if (ep instanceof TimeWaitSock tw) {
                // get_timewait4_sock prints tw_timer.expires - jiffies: the expiry as armed, not the wheel's bucket.
                double left = Math.max(0, tw.twTimer().expires() * profile.jiffyNanos() - clock.now()) / 1e9;
                rows.add(new NetstatRow(0, 0, shown(tw.v6, tw.local), shown(tw.v6, tw.remote), tw.state(),
                        String.format(java.util.Locale.ROOT, "timewait (%.2f/0/0)", left), true));
            }
        }
        // netstat reads /proc/net/tcp, then /proc/net/tcp6 (get_tcp6_sock and friends write the IPv6 sockets there).
        if (rows.stream().anyMatch(r -> r.local().isV6())) {
            List<NetstatRow> v6 = rows.stream().filter(r -> r.local().isV6()).toList();
            rows.removeIf(r -> r.local().isV6());
            rows.addAll(v6);
        }
        return rows;
    }

    /**
     * An address as an AF_INET6 socket shows it (getsockname, /proc/net/tcp6): an IPv4 one, which its packets carry
     * when it talks IPv4 (ipv6_mapped), as {@code ::ffff:a.b.c.d}.
     */
    static SockAddr shown(boolean v6, SockAddr a) {
        return v6 && a != null && !a.isV6() ? new SockAddr(SockAddr.Ip6.v4Mapped(a.ip()), a.port()) : a;
    }

    /**
     * The inside of every endpoint: those netstat lists, and full sockets that only a descriptor still sees (CLOSE
     * after an RST or a TIME_WAIT handover). Sequence numbers are relative to the ISNs.
     */
    public List<io.tcpsim.backend.Inspectable.EndpointSnapshot> snapshots(Map<TcpSock, String> owners) {
        List<io.tcpsim.backend.Inspectable.EndpointSnapshot> out = new ArrayList<>();
        java.util.Set<Endpoint> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<Endpoint> all = new ArrayList<>(listed.keySet());
        for (TcpSock sk : owners.keySet()) if (!listed.containsKey(sk)) all.add(sk);
        for (Endpoint ep : all) {
            if (!seen.add(ep)) continue;
            String local = ep.local == null ? "*" : ep.local.toString();
            String remote = ep.remote == null ? "*" : ep.remote.toString();
            if (ep instanceof TcpSock sk) {
                String shut = switch (sk.shutdown) {
                    case 0 -> "-";
                    case TcpSock.RCV_SHUTDOWN -> "RCV";
                    case TcpSock.SEND_SHUTDOWN -> "SEND";
                    default -> "RCV|SEND";
                };
                boolean sync = sk.state().isSynchronized() || sk.state() == TcpState.CLOSE && sk.irs != 0;
                out.add(new io.tcpsim.backend.Inspectable.EndpointSnapshot(local, remote,
                        owners.getOrDefault(sk, sk.parent != null ? "accept queue" : "orphan"), sk.state(),
                        Seq.mask(sk.sndUna - sk.iss), Seq.mask(sk.sndNxt - sk.iss),
                        sync ? Seq.mask(sk.rcvNxt - sk.irs) : 0, sk.sendQueue.size(), sk.recvQueue.size(),
                        sk.skErr == null ? "0" : sk.skErr.name(), shut, described(sk.timers()), sk.dead,
                        sk.cc == null ? null : rtx.describe(sk) + (sk.ofo == null || sk.ofo.isEmpty() ? ""
                                : " | out of order " + sk.ofo.describe(sk.irs))));
            } else if (ep instanceof TimeWaitSock tw) {
                out.add(new io.tcpsim.backend.Inspectable.EndpointSnapshot(local, remote, "timewait minisock",
                        tw.state(), -1, -1, -1, 0, 0, "0", "RCV|SEND", described(tw.timers()), true));
            }
        }
        return out;
    }

    /**
     * When the next timer of any endpoint fires. Every endpoint with a timer armed is listed: a socket leaves the
     * list only in CLOSE, whose ways in (tcp_done, tcp_disconnect, inet_csk_destroy_sock) cancel its timers.
     */
    public OptionalLong nextTimer() {
        long next = Long.MAX_VALUE;
        for (Endpoint ep : listed.keySet()) {
            OptionalLong t = ep.nextDeadline();
            if (t.isPresent()) next = Math.min(next, t.getAsLong());
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }

    /** When the next timer of the connection {@code local > remote} fires, or nothing (no such connection, no timer). */
    public OptionalLong nextTimer(SockAddr local, SockAddr remote) {
        Endpoint ep = established.get(new ConnKey(local, remote));
        return ep == null ? OptionalLong.empty() : ep.nextDeadline();
    }

    private static List<String> described(List<Timer> timers) {
        List<String> out = new ArrayList<>(timers.size());
        for (Timer t : timers) out.add(t.describe());
        return out;
    }
}
