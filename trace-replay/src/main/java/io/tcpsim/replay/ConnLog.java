package io.tcpsim.replay;

import io.tcpsim.compare.Divergence;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flows as rows of a Zeek conn.log in Zeek's ASCII format (the TSV that zeek-cut and bro-cut read): the header lines
 * {@code #separator}, {@code #set_separator}, {@code #empty_field}, {@code #unset_field}, {@code #path},
 * {@code #open}, {@code #fields}, {@code #types}, a row per flow, and {@code #close}. The columns are Zeek's default
 * conn.log columns in Zeek's order, then tcpsim's own (prefixed {@code tcpsim_}).
 *
 * <p>What is Zeek's and what is not: {@code conn_state}, {@code history} (with {@code ^} when Zeek flips the roles),
 * who is the originator, {@code orig_bytes}/{@code resp_bytes} (TCP_Endpoint::Size), {@code missed_bytes} and the
 * packet counts follow Zeek's code ({@link ZeekState}). {@code uid} is {@code C} and the flow's number, not Zeek's
 * random id. {@code service} is unset ({@code -}): tcpsim does no protocol detection. {@code local_orig} and
 * {@code local_resp} are Zeek's defaults without {@code Site::local_nets}: private addresses are local. {@code #open} and
 * {@code #close} are the first and the last packet's times, not the wall clock, so that the file is the same every
 * run. Text in a field is escaped as Zeek's writer escapes it: the separator and unprintable bytes as {@code \xHH},
 * an empty string as {@code (empty)}, a lone {@code -} as {@code \x2d}.
 */
public final class ConnLog {
    public static final String FIELDS = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration"
            + "\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts"
            + "\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto"
            + "\ttcpsim_verdict\ttcpsim_divergences\ttcpsim_first_divergence\ttcpsim_calls\ttcpsim_rst_reason";
    static final String TYPES = "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring"
            + "\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tcount"
            + "\tstring\tcount\tstring\tstring\tstring";
    private static final DateTimeFormatter OPEN = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Pattern REASON = Pattern.compile("reason ([A-Z0-9_]+)");

    private final Writer out;
    private long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
    private boolean opened;

    public ConnLog(Writer out) {
        this.out = out;
    }

    /** One flow's row (the header first, with the first flow's start as {@code #open}). */
    public void flow(FlowReport f) throws IOException {
        if (!opened) header(f.startNanos());
        first = Math.min(first, f.startNanos());
        last = Math.max(last, f.endNanos());
        out.write(row(f));
        out.write('\n');
    }

    private void header(long openNanos) throws IOException {
        opened = true;
        out.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n");
        out.write("#open\t" + stamp(openNanos) + "\n#fields\t" + FIELDS + "\n#types\t" + TYPES + "\n");
    }

    /** The {@code #close} line (and the header if no flow came); call once, at the end. */
    public void close(long fallbackNanos) throws IOException {
        if (!opened) header(fallbackNanos);
        out.write("#close\t" + stamp(last == Long.MIN_VALUE ? fallbackNanos : last) + "\n");
        out.flush();
    }

    static String row(FlowReport f) {
        ZeekState.Log z = f.zeek();
        String[] c = split(f.client()), s = split(f.server());
        String[] o = z.origIsClient() ? c : s, r = z.origIsClient() ? s : c;
        StringBuilder b = new StringBuilder(256);
        b.append(seconds(f.startNanos())).append('\t').append('C').append(f.number()).append('\t')
                .append(o[0]).append('\t').append(o[1]).append('\t').append(r[0]).append('\t').append(r[1])
                .append("\ttcp\t-\t").append(seconds(z.durationNanos())).append('\t')
                .append(z.orig().bytes()).append('\t').append(z.resp().bytes()).append('\t')
                .append(f.connState()).append('\t').append(local(o[0])).append('\t').append(local(r[0])).append('\t').append(z.orig().missedBytes() + z.resp().missedBytes())
                .append('\t').append(field(f.history())).append('\t')
                .append(z.orig().packets()).append('\t').append(z.orig().ipBytes()).append('\t')
                .append(z.resp().packets()).append('\t').append(z.resp().ipBytes()).append("\t-\t6\t")
                .append(f.verdict().word).append('\t').append(f.divergenceCount()).append('\t');
        Divergence d = f.divergences().isEmpty() ? null : f.divergences().get(0);
        b.append(d == null ? "-" : field(d.text())).append('\t').append(field(calls(f))).append('\t');
        Matcher m = REASON.matcher(f.ended());
        b.append(m.find() ? m.group(1) : "-");
        return b.toString();
    }

    /** The inferred calls in short: {@code client: connect, send x3, close; server: accept, recv}. */
    static String calls(FlowReport f) {
        StringBuilder b = new StringBuilder();
        for (String side : new String[] {"client", "server", "both"}) {
            StringBuilder one = new StringBuilder();
            for (FlowReport.InferredCall c : f.calls()) {
                if (!c.side().equals(side)) continue;
                String name = c.call();
                int paren = name.indexOf('(');
                if (paren > 0) name = name.substring(0, paren);
                if (one.length() > 0) one.append(", ");
                one.append(name);
                if (c.count() > 1) one.append(" x").append(c.count());
            }
            if (one.length() == 0) continue;
            if (b.length() > 0) b.append("; ");
            b.append(side).append(": ").append(one);
        }
        return b.toString();
    }

    /** {@code 1.2.3.4:80} as address and port; an IPv6 address may hold colons, the port is after the last. */
    private static String[] split(String addr) {
        int colon = addr.lastIndexOf(':');
        String host = addr.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return new String[] {host, addr.substring(colon + 1)};
    }

    /**
     * local_orig and local_resp as Zeek sets them with no Site::local_nets configured: an address in
     * Site::private_address_space is local (Site::private_address_space_is_local=T; scripts/base/utils/site.zeek:
     * 10/8, 172.16/12, 192.168/16, 100.64/10, 127/8, fe80::/10, ::1).
     */
    static String local(String ip) {
        if (ip.contains(":")) {
            String l = ip.toLowerCase(Locale.ROOT);
            return l.equals("::1") || l.matches("fe[89ab][0-9a-f]?:.*") ? "T" : "F";
        }
        String[] q = ip.split("\\.");
        int a = Integer.parseInt(q[0]), b = Integer.parseInt(q[1]);
        boolean local = a == 10 || a == 127 || a == 172 && b >= 16 && b < 32 || a == 192 && b == 168
                || a == 100 && b >= 64 && b < 128;
        return local ? "T" : "F";
    }

    /** Seconds with six decimals, as Zeek writes a time or an interval. */
    static String seconds(long nanos) {
        long us = Math.floorDiv(nanos, 1000);
        return Math.floorDiv(us, 1_000_000) + "." + ReplayOutput.pad(Math.floorMod(us, 1_000_000), 6);
    }

    private static String stamp(long nanos) {
        return OPEN.format(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L)));
    }

    /** A string field as Zeek's ASCII writer escapes it. */
    static String field(String text) {
        if (text.isEmpty()) return "(empty)";
        if (text.equals("-")) return "\\x2d";
        StringBuilder b = new StringBuilder(text.length());
        for (byte x : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int v = x & 0xff;
            if (v == '\t' || v == '\\' || v < 0x20 || v >= 0x7f) b.append(String.format(Locale.ROOT, "\\x%02x", v));
            else b.append((char) v);
        }
        return b.toString();
    }
}
