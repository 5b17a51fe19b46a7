package io.tcpsim.model.tcp;

import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The receiver's out-of-order queue (tp->out_of_order_queue) and the SACK blocks it gives rise to
 * (tp->selective_acks, tp->duplicate_sack), on a host with a link; loopback never reorders and keeps none of this.
 * tcp_input.c: tcp_data_queue_ofo (queueing, tcp_ooo_try_coalesce), tcp_sack_new_ofo_skb with tcp_sack_extend and
 * tcp_sack_maybe_coalesce (the blocks, most recent first), tcp_ofo_queue (the hole filled), tcp_sack_remove, and
 * tcp_dsack_set (a duplicate reported once, in the first block of the next segment sent). The blocks as they leave:
 * tcp_established_options (at most 3 next to the timestamp option, the D-SACK block first).
 * docs/model.md, "Two hosts on a link"; measured in kernel-measurements.md section 31.
 */
final class OfoQueue {
    /** TCP_NUM_SACKS: the receiver remembers at most four blocks. */
    static final int NUM_SACKS = 4;
    /** MAX_SKB_FRAGS: what one coalesced skb holds. */
    static final int MAX_PIECES = 17;

    /** One queued skb: its sequence range (a FIN counts one), its bytes, how many segments it coalesced (each charged). */
    static final class Skb {
        long seq, end;
        byte[] data;
        boolean fin;
        int pieces = 1;
        /** The truesize its segments cost the receive buffer, all of them (what insert charged). */
        long charged;

        Skb(long seq, long end, byte[] data, boolean fin, long charged) {
            this.seq = seq;
            this.end = end;
            this.data = data;
            this.fin = fin;
            this.charged = charged;
        }

        int len() {
            return data.length;
        }
    }

    /** In sequence order, none covering another. */
    final List<Skb> skbs = new ArrayList<>(2);
    /** selective_acks[0..numSacks), each {start, end}, the most recently changed first. */
    final long[][] sacks = new long[NUM_SACKS][2];
    int numSacks;
    /** rx_opt.dsack with duplicate_sack[0]: a duplicate to report in the next segment. */
    boolean dsack;
    final long[] dsackBlock = new long[2];
    /** __tcp_ack_snd_check's SACK compression: dup_ack_counter, compressed_ack, compressed_ack_rcv_nxt. */
    int dupAckCounter, compressedAck;
    long compressedAckRcvNxt = -1;

    boolean isEmpty() {
        return skbs.isEmpty();
    }

    /**
     * tcp_data_queue_ofo for a segment beyond rcv_nxt. Returns the truesize it costs the receive buffer: its bytes
     * and {@code overhead}, appended to the last skb (tcp_ooo_try_coalesce) or not, since skb_try_coalesce saves
     * only the head of a received skb and not its page fragment (measured: the duplicate ACKs' windows stop
     * growing at 75 after four segments, section 31, where in-order coalescing would let them grow to 77);
     * a segment already queued costs nothing, and is reported (tcp_dsack_set). {@code sack}: SACK was negotiated.
     */
    long insert(long seq, long end, byte[] data, boolean fin, boolean sack, int overhead) {
        if (skbs.isEmpty()) {
            skbs.add(new Skb(seq, end, data, fin, data.length + overhead));
            if (sack) { // initial out of order segment: one SACK block
                numSacks = 1;
                sacks[0][0] = seq;
                sacks[0][1] = end;
            }
            return data.length + overhead;
        }
        Skb last = skbs.get(skbs.size() - 1);
        long cost;
        if (last.end == seq && !last.fin && last.pieces < MAX_PIECES) {
            // tcp_ooo_try_coalesce: the common case, appended to the last skb.
            last.data = concat(last.data, data);
            last.end = end;
            last.fin = fin;
            last.pieces++;
            cost = data.length + overhead; // a veth skb keeps its truesize (measured windows)
            last.charged += cost;
        } else {
            int i = 0;
            while (i < skbs.size() && Seq.before(skbs.get(i).seq, seq)) i++;
            // Covered by what is queued (the skb before it, or one starting at the same sequence): a duplicate.
            Skb prev = i > 0 ? skbs.get(i - 1) : null;
            if (prev != null && !Seq.after(end, prev.end)) {
                setDsack(seq, end, sack);
                return 0;
            }
            if (i < skbs.size() && skbs.get(i).seq == seq && !Seq.after(end, skbs.get(i).end)) {
                setDsack(seq, end, sack);
                return 0;
            }
            // Skbs the new one covers are dropped, each reported (tcp_dsack_extend).
            cost = data.length + overhead;
            while (i < skbs.size() && !Seq.after(skbs.get(i).end, end)) {
                Skb gone = skbs.remove(i);
                cost -= gone.charged;
                setDsack(gone.seq, gone.end, sack);
            }
            skbs.add(i, new Skb(seq, end, data, fin, data.length + overhead));
        }
        if (sack) newOfoSkb(seq, end);
        return cost;
    }

    /** tcp_sack_new_ofo_skb: extend a block and move it to the front, or put a new block at the front. */
    private void newOfoSkb(long seq, long end) {
        for (int i = 0; i < numSacks; i++) {
            if (extend(sacks[i], seq, end)) {
                for (; i > 0; i--) swap(i, i - 1);
                if (numSacks > 1) maybeCoalesce();
                return;
            }
        }
        int n = numSacks;
        if (n >= NUM_SACKS) n--; // the array is full: forget the oldest
        for (int i = n; i > 0; i--) {
            sacks[i][0] = sacks[i - 1][0];
            sacks[i][1] = sacks[i - 1][1];
        }
        sacks[0][0] = seq;
        sacks[0][1] = end;
        numSacks = n + 1;
    }

    /** tcp_sack_extend: a block touching or overlapping [seq, end) grows to cover it. */
    private static boolean extend(long[] sp, long seq, long end) {
        if (!Seq.after(sp[0], end) && !Seq.after(seq, sp[1])) {
            if (Seq.before(seq, sp[0])) sp[0] = seq;
            if (Seq.after(end, sp[1])) sp[1] = end;
            return true;
        }
        return false;
    }

    /** tcp_sack_maybe_coalesce: the first block swallows any other it now touches. */
    private void maybeCoalesce() {
        for (int i = 1; i < numSacks; ) {
            if (extend(sacks[0], sacks[i][0], sacks[i][1])) {
                for (int j = i; j + 1 < numSacks; j++) {
                    sacks[j][0] = sacks[j + 1][0];
                    sacks[j][1] = sacks[j + 1][1];
                }
                numSacks--;
                continue;
            }
            i++;
        }
    }

    private void swap(int a, int b) {
        long[] t = sacks[a];
        sacks[a] = sacks[b];
        sacks[b] = t;
    }

    /** tcp_dsack_set: a duplicate [seq, end) to report (only with SACK; tcp_dsack is on by default). */
    void setDsack(long seq, long end, boolean sack) {
        if (!sack) return;
        dsack = true;
        dsackBlock[0] = seq;
        dsackBlock[1] = end;
    }

    /** The first skb if rcv_nxt has reached it (tcp_ofo_queue's loop), taken out of the queue; else null. */
    Skb pollInOrder(long rcvNxt) {
        if (skbs.isEmpty() || Seq.after(skbs.get(0).seq, rcvNxt)) return null;
        return skbs.remove(0);
    }

    /** tcp_sack_remove: blocks that rcv_nxt covers are gone; with the queue empty, all of them. */
    void sackRemove(long rcvNxt) {
        if (skbs.isEmpty()) {
            numSacks = 0;
            return;
        }
        for (int i = 0; i < numSacks; ) {
            if (!Seq.before(rcvNxt, sacks[i][0])) {
                for (int j = i; j + 1 < numSacks; j++) {
                    sacks[j][0] = sacks[j + 1][0];
                    sacks[j][1] = sacks[j + 1][1];
                }
                numSacks--;
                continue;
            }
            i++;
        }
    }

    /**
     * The SACK option of the next segment (tcp_established_options, tcp_options_write): the D-SACK block first, then
     * the blocks, as many as fit beside the timestamps (3; 4 without them). Null when there is none. Sending it
     * clears the D-SACK.
     */
    TcpOption.Sack takeOption(boolean ts) {
        int eff = numSacks + (dsack ? 1 : 0);
        if (eff == 0) return null;
        int room = ts ? 3 : 4;
        List<long[]> blocks = new ArrayList<>(Math.min(eff, room));
        if (dsack) blocks.add(new long[] {Seq.mask(dsackBlock[0]), Seq.mask(dsackBlock[1])});
        for (int i = 0; i < numSacks && blocks.size() < room; i++)
            blocks.add(new long[] {Seq.mask(sacks[i][0]), Seq.mask(sacks[i][1])});
        dsack = false;
        return new TcpOption.Sack(blocks);
    }

    /** The receiver's side for the step view: the queued ranges, relative to {@code base}. */
    String describe(long base) {
        StringBuilder sb = new StringBuilder();
        for (Skb s : skbs) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(Seq.mask(s.seq - base)).append(':').append(Seq.mask(s.end - base));
        }
        return sb.toString();
    }

    void clear() {
        skbs.clear();
        numSacks = 0;
        dsack = false;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
