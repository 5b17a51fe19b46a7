package io.tcpsim.replay;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.List;

/**
 * Which system a side of a flow runs, as far as its SYN (or SYN-ACK) tells: the model is Linux, so only a side that
 * sends what Linux sends is judged. Three things are read, each a rule Linux follows without exception:
 * <ul>
 *   <li>the option order: tcp_options_write puts mss, then sackOK+TS (or nop,nop,TS), nop,nop,sackOK without TS, then
 *       nop,wscale, then Fast Open and MPTCP (macOS and the BSDs put wscale second: mss,nop,wscale,...; Windows ends
 *       with nop,nop,sackOK);</li>
 *   <li>the window: tcp_select_initial_window rounds the space down to a multiple of the segment size it is given
 *       (the MSS; for a SYN-ACK with timestamps, the MSS less 12), so 65535 with an MSS of 1460 is not Linux;</li>
 *   <li>the TTL: Linux starts at 64 (net.ipv4.ip_default_ttl); above 64 the sender started at 128 (Windows) or 255;</li>
 *   <li>the IP header's DF bit, which Linux sets on every TCP segment (ip_no_pmtu_disc 0).</li>
 * </ul>
 * A side is {@link Family#LINUX} only when all three agree. This is a recognition, not a proof: a Linux host with
 * another default TTL, or a stack that copies Linux exactly, is taken for what it sends.
 */
record SideSystem(Family family, String why) {
    enum Family {
        LINUX("Linux"), WINDOWS("Windows-like"), MACOS_BSD("macOS/BSD-like"), OTHER("not Linux"), UNKNOWN("unknown");

        final String word;

        Family(String word) {
            this.word = word;
        }
    }

    static final SideSystem UNKNOWN = new SideSystem(Family.UNKNOWN, "no SYN of it in the capture");

    boolean linux() {
        return family == Family.LINUX;
    }

    /** {@code server: not Linux (Windows-like: ...)}, or {@code client: Linux (...)}. */
    String describe(Role role) {
        return role.word + ": " + (linux() ? "Linux" : family == Family.UNKNOWN ? "system unknown"
                : family == Family.OTHER ? "not Linux" : "not Linux (" + family.word + ")") + " (" + why + ")";
    }

    /**
     * The system that sent {@code syn} (a SYN or a SYN-ACK) with IP TTL {@code ttl} (0 when the capture does not
     * say). {@code blankedTs}: the capture's options had a TS option overwritten with NOPs, taken as TS here.
     */
    static SideSystem of(Segment syn, int ttl, boolean blankedTs) {
        return of(syn, ttl, true, blankedTs);
    }

    /** As {@link #of(Segment, int, boolean)}; {@code df}: the IP header's Don't Fragment bit. */
    static SideSystem of(Segment syn, int ttl, boolean df, boolean blankedTs) {
        List<TcpOption> options = syn.options();
        String kinds = kinds(options, blankedTs);
        String linux = linuxOrder(options, blankedTs);
        boolean synAck = syn.has(TcpFlags.ACK);
        String what = (synAck ? "SYN-ACK" : "SYN") + " options [" + kinds + "], win " + syn.window()
                + (ttl > 0 ? ", TTL " + ttl : "");
        if (ttl > 64) {
            return new SideSystem(ttl <= 128 ? Family.WINDOWS : Family.OTHER, what
                    + (ttl <= 128 ? ": a TTL above 64 started at 128" : ": a TTL above 128 started at 255"));
        }
        if (!df) {
            return new SideSystem(Family.OTHER, what + ", no DF bit: Linux sets DF on TCP (path MTU discovery, "
                    + "ip_no_pmtu_disc 0)");
        }
        if (!kinds.startsWith(linux)) {
            Family f = kinds.startsWith("mss,nop,wscale") ? Family.MACOS_BSD
                    : kinds.endsWith("nop,nop,sackOK") && kinds.contains("wscale") ? Family.WINDOWS : Family.OTHER;
            return new SideSystem(f, what + ": Linux would order them [" + linux + "]");
        }
        int mss = mss(options);
        boolean ts = kinds.contains("TS");
        int segment = mss - (synAck && ts ? 12 : 0);
        if (mss > 0 && syn.window() > segment && syn.window() % segment != 0) {
            return new SideSystem(Family.OTHER, what + ": Linux's initial window is a multiple of " + segment);
        }
        return new SideSystem(Family.LINUX, what);
    }

    private static int mss(List<TcpOption> options) {
        for (TcpOption o : options) if (o instanceof TcpOption.Mss m) return m.mss();
        return -1;
    }

    /** The option kinds as tcpdump names them; a run of ten NOPs where TS would be reads TS when {@code blankedTs}. */
    static String kinds(List<TcpOption> options, boolean blankedTs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < options.size(); i++) {
            TcpOption o = options.get(i);
            if (blankedTs && nops(options, i) >= 10) {
                append(b, "TS");
                i += 9;
                continue;
            }
            append(b, TcpOption.name(o.kind()));
        }
        return b.toString();
    }

    private static int nops(List<TcpOption> options, int from) {
        int n = 0;
        while (from + n < options.size() && options.get(from + n).kind() == 1) n++;
        return n;
    }

    private static void append(StringBuilder b, String s) {
        if (b.length() > 0) b.append(',');
        b.append(s);
    }

    /** The kinds tcp_options_write would write for the MSS, SACK, TS and wscale options present. */
    static String linuxOrder(List<TcpOption> options, boolean blankedTs) {
        String kinds = kinds(options, blankedTs);
        boolean mss = false, sack = false, ws = false;
        for (TcpOption o : options) {
            mss |= o instanceof TcpOption.Mss;
            sack |= o == TcpOption.SACK_PERMITTED;
            ws |= o instanceof TcpOption.WindowScale;
        }
        boolean ts = kinds.contains("TS");
        StringBuilder b = new StringBuilder();
        if (mss) append(b, "mss");
        if (ts) append(b, sack ? "sackOK,TS" : "nop,nop,TS");
        else if (sack) append(b, "nop,nop,sackOK");
        if (ws) append(b, "nop,wscale");
        return b.toString();
    }

    /**
     * {@code s} with each run of ten NOPs read as the TS option it stands for (values 0: they are not compared), so that
     * its option kinds compare with the model's.
     */
    static Segment unblank(Segment s) {
        List<TcpOption> options = s.options();
        int i = 0;
        while (i < options.size() && nops(options, i) < 10) i++;
        if (i == options.size()) return s;
        List<TcpOption> out = new java.util.ArrayList<>(options.size());
        for (int k = 0; k < options.size(); k++) {
            if (nops(options, k) >= 10) {
                // Linux writes nop,nop,TS (12 bytes) on data and sackOK,TS or nop,nop,TS on SYNs: the last ten of a
                // longer run are the TS.
                int run = nops(options, k);
                boolean ws = k + run < options.size() && options.get(k + run) instanceof TcpOption.WindowScale;
                for (int n = 0; n < run - (ws ? 11 : 10); n++) out.add(TcpOption.NOP);
                out.add(new TcpOption.Timestamps(0, 0));
                if (ws) out.add(TcpOption.NOP); // nop,wscale follows the TS in a SYN (tcp_options_write)
                k += run - 1;
                continue;
            }
            out.add(options.get(k));
        }
        return new Segment(s.src(), s.dst(), s.seq(), s.ack(), s.flags(), s.window(), s.urgent(), out, s.payload());
    }

    /** Whether the SYN's options show a TS option overwritten with NOPs (ten NOPs in a row: the option's length). */
    static boolean blankedTs(Segment syn) {
        List<TcpOption> options = syn.options();
        for (int i = 0; i < options.size(); i++) if (nops(options, i) >= 10) return true;
        return false;
    }
}
