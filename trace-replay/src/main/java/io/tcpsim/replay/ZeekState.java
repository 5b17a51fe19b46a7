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

    /** One packet; {@code fromOrig} says which side sent it. */
    public void packet(Segment s, boolean fromOrig) {
        Endpoint e = fromOrig ? orig : resp;
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
                e.last = syn ? end : seq;
            }
            case SYN_SENT, SYN_ACK_SENT -> {
                if (syn && seq != e.start) {
                    e.start = seq;
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

        stateMachine(e, p, s, syn, fin, rst, ack, len);
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
