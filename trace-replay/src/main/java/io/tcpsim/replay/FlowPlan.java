package io.tcpsim.replay;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayDeque;

/**
 * How a flow is replayed, decided from its first packet and the packets buffered behind it: which sides the model
 * judges, what the path between them looks like from where the capture was taken, and, when the model cannot judge
 * the flow at all, why.
 *
 * <ul>
 *   <li>{@link Mode#BOTH}: both sides are Linux; the model runs both (the default, and every loopback capture);</li>
 *   <li>{@link Mode#CLIENT} or {@link Mode#SERVER}: only that side is Linux; the model runs it, and the other side's
 *       packets are taken as given and delivered to it, as packetdrill plays a script's inbound packets;</li>
 *   <li>{@link Mode#NONE}: nothing is judged: neither side is Linux, or the flow uses what the model does not have
 *       (TCP Fast Open, MPTCP, ECN), or the capture cannot show it (no time in it).</li>
 * </ul>
 *
 * <p><b>The path.</b> A capture sees its own host's packets leave at once and the peer's arrive late. The handshake
 * shows how late: from the SYN to the SYN-ACK is the round trip from the capture point to the server, from the
 * SYN-ACK to the third ACK the round trip to the client. The model keeps the capture's clock for the packets it sends:
 * each direction's delivery takes the round trip to its receiver ({@link #toServer}, {@link #toClient}), which puts
 * every packet of both sides at the time the capture point sees it, wherever that is.
 */
record FlowPlan(Mode mode, String notJudged, SideSystem client, SideSystem server, boolean loopback, long toServer,
                long toClient, boolean blankedTs, String where) {
    enum Mode { BOTH, CLIENT, SERVER, NONE }

    /** A round trip this short is the capture's own host, or the next hop. */
    static final long NEAR_NANOS = 1_000_000L;

    /** The judged side's role in a one-sided mode; null otherwise. */
    Role judged() {
        return mode == Mode.CLIENT ? Role.CLIENT : mode == Mode.SERVER ? Role.SERVER : null;
    }

    /**
     * The plan for a flow whose first packet is {@code first} (with IP TTL {@code ttl}), the packets after it in
     * {@code lookahead}, the roles already assigned to {@code client} and {@code server}.
     */
    static FlowPlan of(Captured first, ArrayDeque<Captured> lookahead, FlowSide client, FlowSide server,
                       CaptureFacts facts) {
        Segment s = first.packet.segment();
        boolean loopback = client.addr.isLoopback() && server.addr.isLoopback() || client.addr.sameIp(server.addr);
        if (!FlowSetup.isSyn(s)) {
            // Mid-stream: neither side's SYN, so neither window scale, is in the capture. On loopback both sides are
            // the capture host's kernel: judged as the reference machine. Elsewhere the windows cannot be read.
            if (loopback) {
                return new FlowPlan(Mode.BOTH, null, SideSystem.UNKNOWN, SideSystem.UNKNOWN, true, -1, -1, false,
                        null);
            }
            String why = s.has(TcpFlags.SYN) ? "the capture starts at the SYN-ACK: the client's SYN (its window scale "
                    + "and options) is not in it" : "the capture starts mid-connection, before either side's window "
                    + "scale is known (no SYN)";
            return none(why, SideSystem.UNKNOWN, s.has(TcpFlags.SYN) ? SideSystem.of(s, first.ttl, false)
                    : SideSystem.UNKNOWN, loopback);
        }
        Captured synAck = null, third = null, lastSyn = first;
        for (Captured n : lookahead) {
            Segment ns = n.packet.segment();
            if (synAck == null) {
                if (ns.src().equals(client.addr) && FlowSetup.isSyn(ns) && ns.seq() == s.seq()) lastSyn = n;
                if (ns.src().equals(server.addr) && ns.has(TcpFlags.SYN) && ns.has(TcpFlags.ACK)) synAck = n;
            } else if (ns.src().equals(client.addr) && ns.has(TcpFlags.ACK) && !ns.has(TcpFlags.SYN)) {
                third = n;
                break;
            }
        }
        boolean blanked = SideSystem.blankedTs(s) || synAck != null && SideSystem.blankedTs(synAck.packet.segment());
        SideSystem cs = SideSystem.of(s, first.ttl, first.df, blanked);
        SideSystem ss = synAck == null ? SideSystem.UNKNOWN
                : SideSystem.of(synAck.packet.segment(), synAck.ttl, synAck.df, blanked);
        if (ss.family() == SideSystem.Family.UNKNOWN && !loopback) ss = facts.host(server.addr.ip());
        if (loopback && cs.linux() && !ss.linux() && ss.family() == SideSystem.Family.UNKNOWN) {
            ss = new SideSystem(SideSystem.Family.LINUX, "the same host as the client (loopback)");
        }
        String feature = unmodelled(s, synAck == null ? null : synAck.packet.segment());
        if (feature != null) return none(feature, cs, ss, loopback);
        long toServer = synAck == null ? -1 : synAck.packet.timeNanos() - lastSyn.packet.timeNanos();
        long toClient = synAck == null || third == null ? -1 : third.packet.timeNanos() - synAck.packet.timeNanos();
        if (facts.timeless()) toServer = toClient = -1;
        String where = loopback ? null : facts.timeless() ? "path: unknown (the capture keeps no usable time)"
                : where(toServer, toClient);
        Mode mode;
        if (cs.linux() && (ss.linux() || ss.family() == SideSystem.Family.UNKNOWN)) mode = Mode.BOTH;
        else if (cs.linux()) mode = Mode.CLIENT;
        else if (ss.linux()) mode = Mode.SERVER;
        else return none("neither side is Linux, and the model is Linux's TCP", cs, ss, loopback);
        return new FlowPlan(mode, null, cs, ss, loopback, toServer, toClient, blanked, where);
    }

    private static FlowPlan none(String why, SideSystem c, SideSystem s, boolean loopback) {
        return new FlowPlan(Mode.NONE, why, c, s, loopback, -1, -1, false, null);
    }

    /** What the handshake uses that the model does not: TCP Fast Open, MPTCP, ECN; else null. */
    static String unmodelled(Segment syn, Segment synAck) {
        for (TcpOption o : syn.options()) {
            int k = o.kind();
            if (k == 34 || k == 254 && o instanceof TcpOption.Unknown u && u.data().length >= 2
                    && (u.data()[0] & 0xff) == 0xf9 && (u.data()[1] & 0xff) == 0x89) {
                return "TCP Fast Open (a cookie in the SYN options) is not modelled yet";
            }
            if (k == 30) return "MPTCP (option 30 in the SYN) is not modelled yet";
        }
        if (syn.length() > 0) return "the SYN carries data (TCP Fast Open), which is not modelled yet";
        if (syn.has(TcpFlags.ECE) && syn.has(TcpFlags.CWR)) {
            return synAck != null && synAck.has(TcpFlags.ECE) ? "ECN was negotiated (SYN [SEW], SYN-ACK [S.E]), "
                    + "and ECN is not modelled yet" : "the client offers ECN (SYN [SEW]; tcp_ecn=1), which is not "
                    + "modelled yet";
        }
        return null;
    }

    /** Where the capture was taken, from the round trips the handshake shows to each side. */
    static String where(long toServer, long toClient) {
        if (toServer < 0 || toClient < 0) return "path: the handshake is not all in the capture; delays unknown";
        String rs = ms(toServer), rc = ms(toClient);
        if (toServer < NEAR_NANOS && toClient < NEAR_NANOS) {
            return "path: the capture was taken next to both sides (round trips " + rs + " to the server, " + rc
                    + " to the client)";
        }
        if (toClient < NEAR_NANOS) {
            return "path: the capture was taken at the client (the server is " + rs + " away and back; the client "
                    + "answers in " + rc + ")";
        }
        if (toServer < NEAR_NANOS) {
            return "path: the capture was taken at the server (the client is " + rc + " away and back; the server "
                    + "answers in " + rs + ")";
        }
        return "path: the capture was taken between the two sides (" + rs + " to the server and back, " + rc
                + " to the client and back)";
    }

    static String ms(long nanos) {
        return nanos < 1_000_000L ? String.format(java.util.Locale.ROOT, "%.0f us", nanos / 1e3) : String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    /** Whether {@code a} is the flow's loopback address mapped into the model (for the facts' wording). */
    static boolean loopbackAddress(SockAddr a) {
        return a.isLoopback();
    }
}
