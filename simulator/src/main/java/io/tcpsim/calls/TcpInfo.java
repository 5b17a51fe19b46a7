package io.tcpsim.calls;

import io.tcpsim.backend.TcpState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * getsockopt(TCP_INFO): struct tcp_info as Linux 6.18 lays it out (include/uapi/linux/tcp.h, 280 bytes), carried as
 * little-endian 32-bit words in {@link Result#optval()} so that both backends hand over the same bytes: the kernel
 * backend the struct the kernel wrote, the model one it filled (tcp_get_info).
 *
 * <p>{@link #MODELLED} are the fields the model gives exactly on loopback, and the only ones a result prints and an
 * expectation may name. The rest depend on what the model does not follow: the clock of a real host (rtt, rttvar,
 * min_rtt, rcv_rtt, rto and ato, which a measured RTT sample moves, last_data_sent, last_data_recv, last_ack_recv,
 * busy_time and the other chrono stats), congestion control (snd_cwnd, pacing_rate, delivery_rate: the loopback
 * kernel runs bbr), receive-buffer autotuning (rcv_space) and ECN (delivered_ce and the AccECN counters).
 */
public final class TcpInfo {
    private TcpInfo() {}

    /** sizeof(struct tcp_info) on 6.18, in 32-bit words. */
    public static final int WORDS = 70;

    /** One field: its name without {@code tcpi_}, its byte offset and its size in bytes (a bit field: shift and width). */
    public record Field(String name, int offset, int size, int shift, int bits) {
        Field(String name, int offset, int size) {
            this(name, offset, size, 0, size * 8);
        }

        public long get(int[] words) {
            if (size == 8) return (words[offset / 4] & 0xffffffffL) | (long) words[offset / 4 + 1] << 32;
            long word = words[offset / 4] & 0xffffffffL;
            long v = word >>> ((offset % 4) * 8) & (size == 4 ? 0xffffffffL : (1L << size * 8) - 1);
            return v >>> shift & ((1L << bits) - 1);
        }

        public void set(int[] words, long value) {
            if (size == 8) {
                words[offset / 4] = (int) value;
                words[offset / 4 + 1] = (int) (value >>> 32);
                return;
            }
            int at = (offset % 4) * 8 + shift;
            long mask = ((1L << bits) - 1) << at;
            long word = words[offset / 4] & 0xffffffffL;
            words[offset / 4] = (int) (word & ~mask | (value << at & mask));
        }
    }

    public static final Field STATE = new Field("state", 0, 1), CA_STATE = new Field("ca_state", 1, 1),
            RETRANSMITS = new Field("retransmits", 2, 1), PROBES = new Field("probes", 3, 1),
            BACKOFF = new Field("backoff", 4, 1), OPTIONS = new Field("options", 5, 1),
            SND_WSCALE = new Field("snd_wscale", 6, 1, 0, 4), RCV_WSCALE = new Field("rcv_wscale", 6, 1, 4, 4),
            SND_MSS = new Field("snd_mss", 16, 4), RCV_MSS = new Field("rcv_mss", 20, 4),
            UNACKED = new Field("unacked", 24, 4), SACKED = new Field("sacked", 28, 4), LOST = new Field("lost", 32, 4),
            RETRANS = new Field("retrans", 36, 4), PMTU = new Field("pmtu", 60, 4),
            RCV_SSTHRESH = new Field("rcv_ssthresh", 64, 4), SND_SSTHRESH = new Field("snd_ssthresh", 76, 4),
            ADVMSS = new Field("advmss", 84, 4), REORDERING = new Field("reordering", 88, 4),
            TOTAL_RETRANS = new Field("total_retrans", 100, 4), BYTES_ACKED = new Field("bytes_acked", 120, 8),
            BYTES_RECEIVED = new Field("bytes_received", 128, 8), SEGS_OUT = new Field("segs_out", 136, 4),
            SEGS_IN = new Field("segs_in", 140, 4), NOTSENT_BYTES = new Field("notsent_bytes", 144, 4),
            DATA_SEGS_IN = new Field("data_segs_in", 152, 4), DATA_SEGS_OUT = new Field("data_segs_out", 156, 4),
            DELIVERED = new Field("delivered", 192, 4), BYTES_SENT = new Field("bytes_sent", 200, 8),
            BYTES_RETRANS = new Field("bytes_retrans", 208, 8), SND_WND = new Field("snd_wnd", 228, 4),
            RCV_WND = new Field("rcv_wnd", 232, 4);

    /** The fields the model gives exactly, in the struct's order: what a result prints. */
    public static final List<Field> MODELLED = List.of(STATE, CA_STATE, RETRANSMITS, PROBES, BACKOFF, OPTIONS,
            SND_WSCALE, RCV_WSCALE, SND_MSS, RCV_MSS, UNACKED, SACKED, LOST, RETRANS, PMTU, RCV_SSTHRESH, SND_SSTHRESH,
            ADVMSS, REORDERING, TOTAL_RETRANS, BYTES_ACKED, BYTES_RECEIVED, SEGS_OUT, SEGS_IN, NOTSENT_BYTES,
            DATA_SEGS_IN, DATA_SEGS_OUT, DELIVERED, BYTES_SENT, BYTES_RETRANS, SND_WND, RCV_WND);

    /** The fields left out, as docs/scripts.md lists them. */
    public static final List<String> NOT_MODELLED = List.of("rto", "ato", "fackets", "last_data_sent", "last_ack_sent",
            "last_data_recv", "last_ack_recv", "rtt", "rttvar", "snd_cwnd", "rcv_rtt", "rcv_space", "pacing_rate",
            "max_pacing_rate", "min_rtt", "delivery_rate", "delivery_rate_app_limited", "busy_time", "rwnd_limited",
            "sndbuf_limited", "delivered_ce", "dsack_dups", "reord_seen", "rcv_ooopack", "rehash", "total_rto",
            "total_rto_recoveries", "total_rto_time", "fastopen_client_fail", "the AccECN counters");

    /** tcpi_options bits (TCPI_OPT_*). */
    public static final int OPT_TIMESTAMPS = 1, OPT_SACK = 2, OPT_WSCALE = 4;

    public static Field field(String name) {
        for (Field f : MODELLED) if (f.name.equals(name)) return f;
        return null;
    }

    /** How a field's value is written: the state by its name, the rest as numbers. */
    public static String valueText(Field f, long v) {
        if (f == STATE) {
            for (TcpState s : TcpState.values()) if (s.code == v) return s.name();
        }
        return Long.toString(v);
    }

    /** A state's name, or a number, as an expectation writes it; null if it is neither. */
    public static Long parseValue(Field f, String text) {
        if (f == STATE) {
            for (TcpState s : TcpState.values()) if (s.name().equals(text)) return (long) s.code;
        }
        try {
            return Long.decode(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The modelled fields, as a result prints: {@code {state=ESTABLISHED, ca_state=0, ...}}. */
    public static String format(int[] words) {
        List<String> parts = new ArrayList<>();
        for (Field f : MODELLED) parts.add(f.name + "=" + valueText(f, words == null || words.length < WORDS ? 0 : f.get(words)));
        return "{" + String.join(", ", parts) + "}";
    }

    /**
     * The line {@code ss -tin} prints under a socket (iproute2 6.1, tcp_show_info), its fields the model gives, in
     * ss's order and on ss's conditions (most only when not 0): {@code \t wscale:10,10 mss:32768 ... snd_wnd:65536}.
     * ss's congestion control name, rto, rtt, ato, cwnd, send rate, lastsnd/lastrcv/lastack, pacing and delivery
     * rates, app_limited, busy, rcv_space and minrtt are left out (not modelled, see the class comment).
     */
    public static String ssLine(int[] w) {
        StringBuilder b = new StringBuilder("\t");
        if ((OPTIONS.get(w) & OPT_WSCALE) != 0) b.append(" wscale:").append(SND_WSCALE.get(w)).append(',').append(RCV_WSCALE.get(w));
        nonZero(b, "backoff", BACKOFF.get(w));
        nonZero(b, "mss", SND_MSS.get(w));
        nonZero(b, "pmtu", PMTU.get(w));
        nonZero(b, "rcvmss", RCV_MSS.get(w));
        nonZero(b, "advmss", ADVMSS.get(w));
        if (SND_SSTHRESH.get(w) < 0xFFFF) b.append(" ssthresh:").append(SND_SSTHRESH.get(w)); // tcp_in_initial_slowstart
        nonZero(b, "bytes_sent", BYTES_SENT.get(w));
        nonZero(b, "bytes_retrans", BYTES_RETRANS.get(w));
        nonZero(b, "bytes_acked", BYTES_ACKED.get(w));
        nonZero(b, "bytes_received", BYTES_RECEIVED.get(w));
        nonZero(b, "segs_out", SEGS_OUT.get(w));
        nonZero(b, "segs_in", SEGS_IN.get(w));
        nonZero(b, "data_segs_out", DATA_SEGS_OUT.get(w));
        nonZero(b, "data_segs_in", DATA_SEGS_IN.get(w));
        nonZero(b, "delivered", DELIVERED.get(w));
        nonZero(b, "unacked", UNACKED.get(w));
        if (RETRANS.get(w) != 0 || TOTAL_RETRANS.get(w) != 0)
            b.append(" retrans:").append(RETRANS.get(w)).append('/').append(TOTAL_RETRANS.get(w));
        nonZero(b, "lost", LOST.get(w));
        nonZero(b, "sacked", SACKED.get(w));
        if (REORDERING.get(w) != 3) b.append(" reordering:").append(REORDERING.get(w));
        nonZero(b, "rcv_ssthresh", RCV_SSTHRESH.get(w));
        nonZero(b, "notsent", NOTSENT_BYTES.get(w));
        nonZero(b, "snd_wnd", SND_WND.get(w));
        return b.toString();
    }

    private static void nonZero(StringBuilder b, String name, long v) {
        if (v != 0) b.append(' ').append(name).append(':').append(v);
    }

    /** The given fields' values, by name, in the order given. */
    public static Map<String, Long> values(int[] words) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Field f : MODELLED) m.put(f.name, f.get(words));
        return m;
    }
}
