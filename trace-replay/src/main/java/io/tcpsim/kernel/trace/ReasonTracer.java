package io.tcpsim.kernel.trace;

import static io.tcpsim.kernel.trace.Bpf.Asm.B;
import static io.tcpsim.kernel.trace.Bpf.Asm.DW;
import static io.tcpsim.kernel.trace.Bpf.Asm.FP;
import static io.tcpsim.kernel.trace.Bpf.Asm.H;
import static io.tcpsim.kernel.trace.Bpf.Asm.R0;
import static io.tcpsim.kernel.trace.Bpf.Asm.R1;
import static io.tcpsim.kernel.trace.Bpf.Asm.R2;
import static io.tcpsim.kernel.trace.Bpf.Asm.R3;
import static io.tcpsim.kernel.trace.Bpf.Asm.R6;
import static io.tcpsim.kernel.trace.Bpf.Asm.R7;
import static io.tcpsim.kernel.trace.Bpf.Asm.R8;
import static io.tcpsim.kernel.trace.Bpf.Asm.R9;
import static io.tcpsim.kernel.trace.Bpf.Asm.W;

import com.sun.jna.Memory;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's own reasons, recorded for one network namespace: every {@code tcp:tcp_send_reset} (with its
 * {@code enum sk_rst_reason}), {@code tcp:tcp_receive_reset} and {@code skb:kfree_skb} (with its
 * {@code enum skb_drop_reason}) whose socket or segment belongs to that namespace, and nothing else.
 *
 * <p><b>Why BPF.</b> tracefs is global: every namespace's events land in the same buffers, and the tracepoints
 * carry no namespace. Their addresses do not tell runs apart either (every run is 127.0.0.1 and most use port
 * 4321), nor does the process (timers and softirqs run in whatever task is current). So a small eBPF program on each
 * raw tracepoint follows the event's own pointers to its namespace, {@code sk->__sk_common.skc_net} for an event with
 * a socket, else {@code skb->dev->nd_net} (the lo the segment came in on), compares the namespace's inode number with
 * this run's, and only then records the event. The match is exact: an event from another namespace cannot pass, and
 * none of this namespace's can be missed, except when the queue overflows, which is counted ({@link #lost()}).
 * Struct offsets come from the running kernel's BTF, so nothing is typed in.
 *
 * <p>Each record also keeps the socket's 4-tuple and state and the segment's IP and TCP headers, so that each
 * event can be tied to the packet it concerns. Closing the tracer detaches the programs (the kernel frees them with
 * their last descriptor, also when the JVM dies).
 */
public final class ReasonTracer implements AutoCloseable {
    /** Which tracepoint a record came from. */
    public enum Kind { KFREE_SKB, SEND_RESET, RECEIVE_RESET }

    static final int RECORD = 152;
    private static final int QUEUE = 8192;

    /** One event: {@code monoNanos} on CLOCK_MONOTONIC (bpf_ktime_get_ns). */
    public record Record(Kind kind, long monoNanos, int reason, long location, long sk, SockCommon sock,
                         int inetSport, byte[] ipHeader, byte[] tcpHeader) {}

    /**
     * The head of struct sock_common: the socket's addresses, ports and state (addresses and dport big-endian), and
     * for an AF_INET6 socket (family 10) its IPv6 addresses (skc_v6_daddr, skc_v6_rcv_saddr), 16 bytes each.
     */
    public record SockCommon(int daddr, int rcvSaddr, int dport, int num, int family, int state, byte[] v6Daddr,
                             byte[] v6RcvSaddr) {
        public SockCommon(int daddr, int rcvSaddr, int dport, int num, int family, int state) {
            this(daddr, rcvSaddr, dport, num, family, state, null, null);
        }
    }

    private final int queue, lost;
    private final List<Integer> fds = new ArrayList<>();
    private final Memory value = new Memory(RECORD);
    private boolean closed;

    /** Starts recording the events of the network namespace whose inode number is {@code netnsInode}. */
    public ReasonTracer(long netnsInode) {
        Offsets o = Offsets.get();
        queue = Bpf.mapCreate(Bpf.MAP_TYPE_QUEUE, 0, RECORD, QUEUE);
        fds.add(queue);
        try {
            lost = Bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, 8, 1);
            fds.add(lost);
            // The raw tracepoints' arguments (their TP_PROTO on this kernel, read from btf_trace_* in its BTF):
            // kfree_skb(skb, location, reason, rx_sk), tcp_send_reset(sk, skb, reason), tcp_receive_reset(sk).
            attach("kfree_skb", program(o, netnsInode, Kind.KFREE_SKB, 3, 0, 2, 1));
            attach("tcp_send_reset", program(o, netnsInode, Kind.SEND_RESET, 0, 1, 2, -1));
            attach("tcp_receive_reset", program(o, netnsInode, Kind.RECEIVE_RESET, 0, -1, -1, -1));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void attach(String tracepoint, byte[] code) {
        int prog = Bpf.progLoad(Bpf.PROG_TYPE_RAW_TRACEPOINT, code, "tcpsim_" + tracepoint);
        fds.add(prog);
        fds.add(Bpf.rawTracepointOpen(tracepoint, prog));
    }

    /** Every record since the last call, in the order the events happened. */
    public synchronized List<Record> drain() {
        List<Record> out = new ArrayList<>();
        if (closed) return out;
        while (Bpf.pop(queue, value)) out.add(decode(value));
        return out;
    }

    /** Events of this namespace that did not fit in the queue (none is expected: the queue holds 8192). */
    public synchronized long lost() {
        return closed ? 0 : Bpf.arrayFirst(lost);
    }

    private static Record decode(Memory m) {
        Kind kind = Kind.values()[m.getByte(8) - 1];
        boolean hasSk = m.getByte(9) != 0, hasSkb = m.getByte(10) != 0;
        SockCommon sock = null;
        if (hasSk) {
            sock = new SockCommon(m.getInt(32), m.getInt(36), Short.toUnsignedInt(m.getShort(44)),
                    Short.toUnsignedInt(m.getShort(46)), Short.toUnsignedInt(m.getShort(48)), m.getByte(50) & 0xff,
                    m.getByteArray(120, 16), m.getByteArray(136, 16));
        }
        int sport = (m.getByte(112) & 0xff) << 8 | (m.getByte(113) & 0xff);
        return new Record(kind, m.getLong(0), m.getInt(12), m.getLong(16), m.getLong(24), sock, sport,
                hasSkb ? m.getByteArray(52, 40) : null, hasSkb ? m.getByteArray(92, 20) : null);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (int i = fds.size() - 1; i >= 0; i--) io.tcpsim.kernel.LibC.C.close(fds.get(i));
        fds.clear();
    }

    /** The struct offsets the programs follow, read once from the kernel's BTF. */
    record Offsets(int skcNet, int skbDev, int ndNet, int nsInum, int skbHead, int transportHeader,
                   int networkHeader, int inetSport, int v6Daddr, int v6RcvSaddr) {
        private static Offsets cached;

        static synchronized Offsets get() {
            if (cached == null) {
                Btf btf = Btf.vmlinux();
                cached = new Offsets(btf.offset("sock_common", "skc_net.net"), btf.offset("sk_buff", "dev"),
                        btf.offset("net_device", "nd_net.net"), btf.offset("net", "ns.inum"),
                        btf.offset("sk_buff", "head"), btf.offset("sk_buff", "transport_header"),
                        btf.offset("sk_buff", "network_header"), btf.offset("inet_sock", "inet_sport"),
                        btf.offset("sock_common", "skc_v6_daddr"), btf.offset("sock_common", "skc_v6_rcv_saddr"));
            }
            return cached;
        }
    }

    // The record on the program's stack, at fp-152 (offsets into it):
    //   0 u64 ktime, 8 u8 kind, 9 u8 has sk, 10 u8 has skb, 12 u32 reason, 16 u64 location, 24 u64 sk,
    //   32 sock_common bytes 0..19 (daddr, rcv_saddr, hash, dport, num, family, state), 52 IP header (40 bytes: an
    //   IPv6 one whole, an IPv4 one and what follows), 92 TCP header, 112 inet_sport (tcp_send_reset only: a full
    //   socket's source port, kept after skc_num is given back), 120 skc_v6_daddr, 136 skc_v6_rcv_saddr.
    private static final int REC = -152, TMP = -160, U32 = -164, NH = -166, TH = -168, KEY = -172;

    /**
     * One program: {@code skArg}, {@code skbArg}, {@code reasonArg} and {@code locationArg} are the indexes of those
     * arguments in the raw tracepoint's context (-1: the tracepoint has none).
     */
    private byte[] program(Offsets o, long netns, Kind kind, int skArg, int skbArg, int reasonArg, int locationArg) {
        Bpf.Asm a = new Bpf.Asm();
        a.mov(R6, R1);
        a.movImm(R7, 0);
        if (skArg >= 0) a.load(DW, R7, R6, 8 * skArg);
        a.movImm(R8, 0);
        if (skbArg >= 0) a.load(DW, R8, R6, 8 * skbArg);
        for (int off = REC; off < 0; off += 8) a.storeImm(DW, FP, off, 0);
        a.storeImm(DW, FP, TMP, 0).storeImm(DW, FP, TH, 0).storeImm(DW, FP, KEY - 4, 0);

        // The namespace: sk->skc_net, else skb->dev->nd_net; then net->ns.inum.
        a.jeqImm(R7, 0, "skb");
        read(a, TMP, 8, R7, o.skcNet()).jneImm(R0, 0, "out").ja("net");
        a.label("skb").jeqImm(R8, 0, "out");
        read(a, TMP, 8, R8, o.skbDev()).jneImm(R0, 0, "out");
        a.load(DW, R9, FP, TMP).jeqImm(R9, 0, "out");
        read(a, TMP, 8, R9, o.ndNet()).jneImm(R0, 0, "out");
        a.label("net").load(DW, R9, FP, TMP).jeqImm(R9, 0, "out");
        read(a, U32, 4, R9, o.nsInum()).jneImm(R0, 0, "out");
        a.load(W, R1, FP, U32).loadImm64(R2, netns, false).jne(R1, R2, "out");

        // Ours: fill the record.
        a.call(Bpf.KTIME_GET_NS).store(DW, FP, REC, R0);
        a.storeImm(B, FP, REC + 8, kind.ordinal() + 1);
        if (reasonArg >= 0) a.load(DW, R1, R6, 8 * reasonArg).store(W, FP, REC + 12, R1);
        if (locationArg >= 0) a.load(DW, R1, R6, 8 * locationArg).store(DW, FP, REC + 16, R1);
        a.jeqImm(R7, 0, "nosk");
        a.storeImm(B, FP, REC + 9, 1).store(DW, FP, REC + 24, R7);
        read(a, REC + 32, 20, R7, 0);
        read(a, REC + 120, 16, R7, o.v6Daddr());
        read(a, REC + 136, 16, R7, o.v6RcvSaddr());
        if (kind == Kind.SEND_RESET) read(a, REC + 112, 2, R7, o.inetSport());
        a.label("nosk").jeqImm(R8, 0, "push");
        read(a, TMP, 8, R8, o.skbHead()).jneImm(R0, 0, "push");
        read(a, TH, 2, R8, o.transportHeader());
        read(a, NH, 2, R8, o.networkHeader());
        a.storeImm(B, FP, REC + 10, 1);
        a.load(DW, R9, FP, TMP).load(H, R1, FP, NH).add(R9, R1);
        read(a, REC + 52, 40, R9, 0);
        a.load(DW, R9, FP, TMP).load(H, R1, FP, TH).add(R9, R1);
        read(a, REC + 92, 20, R9, 0);

        a.label("push").loadImm64(R1, queue, true).mov(R2, FP).addImm(R2, REC).movImm(R3, 0).call(Bpf.MAP_PUSH_ELEM);
        a.jeqImm(R0, 0, "out");
        a.storeImm(W, FP, KEY, 0).loadImm64(R1, lost, true).mov(R2, FP).addImm(R2, KEY).call(Bpf.MAP_LOOKUP);
        a.jeqImm(R0, 0, "out").movImm(R1, 1).atomicAdd(R0, 0, R1);
        a.label("out").movImm(R0, 0).exit();
        return a.bytes();
    }

    /** bpf_probe_read_kernel(fp + dst, size, base + off); the result in r0. */
    private static Bpf.Asm read(Bpf.Asm a, int dst, int size, int base, int off) {
        a.mov(R1, FP).addImm(R1, dst).movImm(R2, size).mov(R3, base);
        if (off != 0) a.addImm(R3, off);
        return a.call(Bpf.PROBE_READ_KERNEL);
    }
}
