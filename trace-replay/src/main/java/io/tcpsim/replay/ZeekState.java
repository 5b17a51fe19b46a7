package io.tcpsim.replay;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;

/**
 * How Zeek would log a flow: its {@code conn_state} code and {@code history} string. This follows Zeek's own code,
 * not a paraphrase of it:
 *
 * <ul>
 *   <li>endpoint states and transitions: {@code TCPSessionAdapter::UpdateStateMachine} and the Update*State
 *       functions (src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc);</li>
 *   <li>history letters: {@code update_history} (same file) and {@code TCP_Endpoint::CheckHistory}: a, d, i, q once
 *       per direction; s, h, f, r again when the sequence number differs from the last one of that kind; t and w
 *       at 1, 10, 100... occurrences ({@code ScaledHistoryEntry}); upper case for the originator;</li>
 *   <li>the code: {@code conn_state()} in scripts/base/protocols/conn/main.zeek.</li>
 * </ul>
 *
 * The originator is the sender of the flow's first packet (Zeek's "likely server port" flip, '^', is not applied).
 * Checksums are not looked at, as with {@code zeek -C}: on lo they are wrong by design. Content gaps ('g') need
 * Zeek's reassembler and are not reported.
 */
public final class ZeekState {
    enum State { INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET }

    private static final int TOO_LARGE_SEQ_DELTA = 1_048_576;
    private static final int HIST_SYN = 1, HIST_FIN = 2, HIST_RST = 4, HIST_FIN_RST = 8, HIST_DATA = 16,
            HIST_ACK = 32, HIST_MULTI = 64;

    private static final class Endpoint {
        final boolean orig;
        State state = State.INACTIVE;
        State prev = State.INACTIVE;
        long start, last;
        int seen;
        long lastSyn, lastFin, lastRst;
        long size;
        long rxmit, rxmitThreshold = 1, zeroWindows, zeroThreshold = 1;
        /** The peer's highest ACK of this side's data (TCP_Endpoint::ack_seq), absolute. */
        long ackSeq;
        int finCount;
        /** Where this side's FIN sits, relative to start (TCP_Endpoint::FIN_seq). */
        long finRel = -1;
        /** Packets and IP bytes (the conn_size analyzer's orig_pkts/orig_ip_bytes). */
        long pkts, ipBytes;
        /** The reassembler's view: contiguous data delivered up to here (relative); blocks above a hole. */
        long reassembled = 1;
        final java.util.TreeMap<Long, Long> blocks = new java.util.TreeMap<>();
        long missed, gaps, gapThreshold = 1;
        /** TCP_Endpoint::did_close: its FIN or RST was taken (TCPSessionAdapter::ConnectionClosed). */
        boolean closed;
        Endpoint peer;

        Endpoint(boolean orig) {
            this.orig = orig;
        }

        void set(State s) {
            prev = state;
            state = s;
        }
    }

    private final Endpoint orig = new Endpoint(true);
    private final Endpoint resp = new Endpoint(false);
    private final StringBuilder history = new StringBuilder();
    /** Whether Zeek takes the first packet's receiver as the originator (see {@link #packet}). */
    private Boolean flipped;
    private long firstNanos, lastNanos;

    /**
     * Zeek's {@code likely_server_ports} for TCP as its base protocol scripts register them (each
     * {@code scripts/base/protocols/X/main.zeek} adds its {@code ports} to it): ftp 21, ssh 22, smtp 25 and 587, dns
     * 53, http 80, 81, 631, 1080, 3128, 8000, 8080 and 8888, pop3 110, imap 143, smb 139 and 445, ssl 443, 563, 585,
     * 614, 636, 989, 990, 992, 993, 995 and 5223, mysql 3306, rdp 3389. A Zeek run with other scripts loaded has
     * others.
     */
    static final java.util.Set<Integer> LIKELY_SERVER_PORTS = java.util.Set.of(21, 22, 25, 587, 53, 80, 81, 631,
            1080, 3128, 8000, 8080, 8888, 110, 143, 139, 445, 443, 563, 585, 614, 636, 989, 990, 992, 993, 995, 5223,
            3306, 3389);

    public ZeekState() {
        orig.peer = resp;
        resp.peer = orig;
    }

    private static int delta(long a, long b) {
        return (int) (a - b);
    }

    private boolean check(Endpoint e, int mask, char code) {
        if ((e.seen & mask) != 0) return true;
        e.seen |= mask;
        add(e, code);
        return false;
    }

    private void add(Endpoint e, char code) {
        history.append(e.orig ? code : Character.toLowerCase(code));
    }

    /**
     * One packet; {@code fromFirst} says whether the flow's first packet's sender sent it. That sender is Zeek's
     * originator unless the first packet is not a bare SYN and its source port is a likely server port while its
     * destination port is not (or both are, it is not a SYN-ACK, and the source port is the lower): then Zeek flips
     * the roles and the history starts with {@code ^} ({@code TCPAnalyzer::WantConnection},
     * src/packet_analysis/protocol/tcp/TCP.cc). {@code payloadCut}: the capture's snap length cut the payload.
     */
    public void packet(Segment s, boolean fromFirst, long timeNanos, int ipBytes, boolean payloadCut) {
        if (flipped == null) {
            boolean syn = s.has(TcpFlags.SYN), ackFlag = s.has(TcpFlags.ACK);
            boolean flip = false;
            if (!syn || ackFlag) {
                int src = s.src().port(), dst = s.dst().port();
                if (LIKELY_SERVER_PORTS.contains(src)) {
                    flip = LIKELY_SERVER_PORTS.contains(dst) ? !syn && src < dst : true;
                }
            }
            flipped = flip;
            if (flip) history.append('^');
            firstNanos = timeNanos;
        }
        // The connection's last_time moves on only while one side has not closed (TCPSessionAdapter::DeliverPacket:
        // SetLastTime unless both did_close): the ACK of the last FIN is not in the duration.
        if (!(orig.closed && resp.closed)) lastNanos = timeNanos;
        boolean fromOrig = fromFirst != flipped;
        Endpoint e = fromOrig ? orig : resp;
        e.pkts++;
        e.ipBytes += ipBytes;
        Endpoint p = e.peer;
        boolean syn = s.has(TcpFlags.SYN), fin = s.has(TcpFlags.FIN), rst = s.has(TcpFlags.RST),
                ack = s.has(TcpFlags.ACK);
        int len = s.length();
        long seq = s.seq();
        int segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
        long end = (seq + segLen) & 0xffffffffL;

        // init_endpoint
        switch (e.state) {
            case INACTIVE -> {
                e.start = syn ? seq : (seq - 1) & 0xffffffffL;
                e.ackSeq = e.start;
                e.last = syn ? end : seq;
            }
            case SYN_SENT, SYN_ACK_SENT -> {
                if (syn && seq != e.start) {
                    e.start = seq;
                    e.ackSeq = seq;
                    e.last = end;
                }
            }
            case ESTABLISHED, PARTIAL -> {
                if (syn) {
                    e.start = seq;
                    e.last = end;
                }
            }
            default -> { }
        }
        long rel = (seq - e.start) & 0xffffffffL;

        // update_history
        int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
        if (bits > 1) {
            if (fin && rst) check(e, HIST_FIN_RST, 'I');
            else check(e, HIST_MULTI, 'Q');
        } else if (bits == 1) {
            if (syn) {
                char code = ack ? 'H' : 'S';
                if (check(e, HIST_SYN, code) && rel != e.lastSyn) add(e, code);
                e.lastSyn = rel;
            }
            if (fin) {
                if (check(e, HIST_FIN, 'F') && rel + len != e.lastFin) add(e, 'F');
                e.lastFin = rel + len;
            }
            if (rst) {
                if (check(e, HIST_RST, 'R') && rel != e.lastRst) add(e, 'R');
                e.lastRst = rel;
            }
        } else if (len > 0) {
            check(e, HIST_DATA, 'D');
        } else if (ack) {
            check(e, HIST_ACK, 'A');
        }

        // update_window: a zero window, outside RSTs and after the peer's FIN
        if (s.window() == 0 && !rst && p.state != State.CLOSED && e.state != State.RESET) {
            if (++e.zeroWindows == e.zeroThreshold) {
                add(e, 'W');
                e.zeroThreshold *= 10;
            }
        }

        if (ack && p.state == State.INACTIVE) {
            p.start = (s.ack() - 1) & 0xffffffffL;
            p.last = p.start;
            p.ackSeq = s.ack();
        }

        // update_last_seq
        int deltaLast = delta(end, e.last);
        if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) {
            // untrusted
        } else if (fin && e.last == ((e.start + 1) & 0xffffffffL)) {
            e.last = end;
        } else if (e.state == State.RESET) {
            // untrusted after a reset
        } else if (deltaLast > 0) {
            e.last = end;
        } else if (len > 0) {
            if (++e.rxmit == e.rxmitThreshold) {
                add(e, 'T');
                e.rxmitThreshold *= 10;
            }
        }
        if (len > 0 && !rst) e.size += len;
        if (fin && e.finCount++ == 0) e.finRel = (seq + len - e.start) & 0xffffffffL;
        if (fin || rst) e.closed = true;

        stateMachine(e, p, s, syn, fin, rst, ack, len);

        // The peer's ack_seq (TCPSessionAdapter: UpdateAckSeq when it moves forward), then its reassembler's view
        // of the ACK (TCP_Reassembler::AckReceived) and this side's data (DataSent) into its own.
        if (ack && !rst && p.state != State.INACTIVE) {
            if (delta(s.ack(), p.ackSeq) > 0 || p.ackSeq == p.start) p.ackSeq = s.ack();
            ackReceived(p, (s.ack() - p.start) & 0xffffffffL);
        }
        // A payload the capture cut short is not delivered (TCP_Endpoint::DataSent: caplen < len is only a weird).
        if (len > 0 && !rst && !payloadCut) dataSent(e, (seq - e.start) & 0xffffffffL, len);
    }

    /** TCP_Reassembler's blocks: data at {@code rel}, held above a hole or merged into what is contiguous. */
    private static void dataSent(Endpoint e, long rel, int len) {
        long end = rel + len;
        if (end <= e.reassembled) return;
        long from = Math.max(rel, e.reassembled);
        Long prev = e.blocks.get(from);
        if (prev == null || prev < end) e.blocks.put(from, end);
        drain(e);
    }

    private static void drain(Endpoint e) {
        while (!e.blocks.isEmpty() && e.blocks.firstKey() <= e.reassembled) {
            var first = e.blocks.pollFirstEntry();
            e.reassembled = Math.max(e.reassembled, first.getValue());
        }
    }

    /**
     * The peer acknowledged this side's data up to {@code rel}: what was never seen below it is missing
     * (TCP_Reassembler::AckReceived and TrimToSeq: the FIN's octet is not data; a gap is counted only while both
     * sides are established, Zeek's default report_gaps_for_partial=F), a {@code G} in the history at the 1st, 10th,
     * 100th... gap (TCP_Endpoint::Gap, ScaledHistoryEntry) and its bytes in missed_bytes.
     */
    private void ackReceived(Endpoint e, long rel) {
        if (e.finCount > 0 && rel >= e.finRel) rel = e.finRel;
        if (rel > (1L << 31)) return;
        if (rel <= e.reassembled) return;
        long missing = 0, at = e.reassembled;
        while (at < rel) {
            var next = e.blocks.ceilingEntry(at);
            Long covering = e.blocks.floorKey(at);
            if (covering != null && e.blocks.get(covering) > at) {
                at = e.blocks.get(covering);
                continue;
            }
            long holeEnd = next == null ? rel : Math.min(rel, next.getKey());
            missing += holeEnd - at;
            at = next == null ? rel : Math.max(holeEnd, Math.min(rel, next.getValue()));
        }
        e.reassembled = rel;
        e.blocks.headMap(rel, false).clear();
        drain(e);
        boolean active = e.state == State.ESTABLISHED && e.peer.state == State.ESTABLISHED;
        if (missing > 0 && active) {
            e.missed += missing;
            if (++e.gaps == e.gapThreshold) {
                add(e, 'G');
                e.gapThreshold *= 10;
            }
        }
    }

    private void stateMachine(Endpoint e, Endpoint p, Segment s, boolean syn, boolean fin, boolean rst, boolean ack,
                              int len) {
        switch (e.state) {
            case INACTIVE -> {
                if (syn) {
                    if (e.orig) {
                        e.set(ack ? State.SYN_ACK_SENT : State.SYN_SENT);
                    } else {
                        if (!ack && p.state == State.SYN_ACK_SENT && s.seq() == e.start) {
                            p.set(State.ESTABLISHED); // SYN/SYN-ACK reversal (Zeek flips the roles)
                        }
                        if (p.state == State.SYN_SENT) p.set(State.ESTABLISHED);
                        e.set(State.ESTABLISHED);
                    }
                }
                if (fin) e.set(State.CLOSED);
                if (rst) e.set(State.RESET);
                if (e.state == State.INACTIVE) {
                    if (!e.orig && len == 0 && orig.state == State.SYN_SENT) {
                        // an ACK of the SYN before the SYN-ACK: not a partial connection
                    } else if (ack && p.state == State.ESTABLISHED) {
                        e.set(State.ESTABLISHED);
                    } else {
                        e.set(State.PARTIAL);
                    }
                }
            }
            case SYN_SENT, SYN_ACK_SENT -> {
                if (fin) e.set(State.CLOSED);
                if (rst) e.set(State.RESET);
            }
            case ESTABLISHED, PARTIAL -> {
                if (syn && e.state == State.PARTIAL && p.state == State.INACTIVE && !ack) e.set(State.SYN_SENT);
                if (fin && !rst) {
                    e.set(State.CLOSED);
                    if (p.state == State.RESET && p.prev == State.CLOSED) p.set(State.CLOSED);
                }
                if (rst) e.set(State.RESET);
            }
            case CLOSED -> {
                if (rst && p.state != State.CLOSED) e.set(State.RESET);
            }
            case RESET -> { }
        }
    }

    public String history() {
        return history.toString();
    }

    /** Whether Zeek's originator is the first packet's receiver. */
    public boolean flipped() {
        return flipped != null && flipped;
    }

    /** The numbers of Zeek's conn.log for one side: bytes (TCP_Endpoint::Size), missed bytes, packets, IP bytes. */
    public record Counts(long bytes, long missedBytes, long packets, long ipBytes) {}

    public Counts counts(boolean ofOrig) {
        Endpoint e = ofOrig ? orig : resp;
        return new Counts(size(e), e.missed, e.pkts, e.ipBytes);
    }

    /** conn.log's duration: the first packet to the last. */
    public long durationNanos() {
        return lastNanos - firstNanos;
    }

    /**
     * What conn.log says of a flow beyond its conn_state and history. {@code origIsClient}: Zeek's originator is the
     * side replay calls the client.
     */
    public record Log(boolean origIsClient, boolean flipped, long durationNanos, Counts orig, Counts resp) {}

    private boolean firstFromClient = true;

    /** Whether the flow's first packet came from the side replay calls the client (set before the first packet). */
    public void firstSenderIsClient(boolean yes) {
        firstFromClient = yes;
    }

    public Log log() {
        return new Log(firstFromClient != flipped(), flipped(), durationNanos(), counts(true), counts(false));
    }

    /**
     * A packet's IP bytes as Zeek's conn_size analyzer counts them (the IP total length), from the decoded segment:
     * a 20-byte IP header, the TCP header with its options, the payload. IP options are not kept by the decoder, and
     * a payload cut short by the capture's snap length counts as captured.
     */
    public static int ipLength(Segment s) {
        return 40 + io.tcpsim.wire.FrameEncoder.options(s.options()).length + s.length();
    }

    /** TCP_Endpoint::Size: the sequence space the side used, from its last sequence number or the peer's ACK. */
    private static long size(Endpoint e) {
        if (e.prev == State.SYN_SENT && e.state == State.RESET && e.peer.state == State.INACTIVE
                && !(e.ackSeq == e.start || e.ackSeq == ((e.start + 1) & 0xffffffffL))) return 0;
        long last = (e.last - e.start) & 0xffffffffL, ack = (e.ackSeq - e.start) & 0xffffffffL;
        if (e.state == State.INACTIVE) return 0;
        long size = Math.max(last, ack);
        if (size != 0) size--;
        if (e.finCount > 0 && size != 0) size--;
        return size;
    }

    /** conn_state() of scripts/base/protocols/conn/main.zeek, for TCP. */
    public String connState() {
        State os = orig.state, rs = resp.state;
        boolean oInactive = os == State.INACTIVE || os == State.PARTIAL;
        boolean rInactive = rs == State.INACTIVE || rs == State.PARTIAL;
        if (rs == State.RESET) {
            if (os == State.SYN_SENT || os == State.SYN_ACK_SENT
                    || (os == State.RESET && orig.size == 0 && resp.size == 0)) return "REJ";
            return oInactive ? "RSTRH" : "RSTR";
        }
        if (os == State.RESET) {
            if (rInactive) return history().matches("\\^?S[^HAFGIQ]*R.*") ? "RSTOS0" : "OTH";
            return "RSTO";
        }
        if (rs == State.CLOSED && os == State.CLOSED) return "SF";
        if (os == State.CLOSED) return rInactive ? "SH" : "S2";
        if (rs == State.CLOSED) return oInactive ? "SHR" : "S3";
        if (os == State.SYN_SENT && rs == State.INACTIVE) return "S0";
        if (os == State.ESTABLISHED && rs == State.ESTABLISHED) return "S1";
        return "OTH";
    }
}
