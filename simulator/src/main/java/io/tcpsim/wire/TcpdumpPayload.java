package io.tcpsim.wire;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What tcpdump 4.99.3 prints after {@code length N} for a segment that carries data: the payload decoder chosen by
 * port (print-tcp.c), and, for the text protocols, util-print.c's txtproto_print. Every rule here was checked against
 * the installed tcpdump (PcapRoundTripTest's payload tests and TcpdumpPrinterTest.Payload hold the real lines).
 *
 * <p>Choice of decoder: print-tcp.c tries the decoders in a fixed order, each on "source or destination port", and
 * the first match wins, so {@code 25 > 80} is SMTP and {@code 22 > 80} is SSH. {@link Decoder} lists them in that
 * order. The SMB decoders (139, 445) are compiled only with {@code --enable-smb}; the Debian 4.99.3 build has none,
 * and with it a segment from port 80 to port 139 prints as HTTP, so they are not decoders here.
 *
 * <p>Reproduced (the text protocols): SMTP 25, WHOIS 43, FTP 21, HTTP 80/8080, RTSP 554/8554.
 * Not reproduced: every other decoder ({@link #NOT_REPRODUCED_PORTS}). When one of those wins, the printer ends the
 * line at {@code length N}, where tcpdump may print more ({@code : BGP}, {@code : SSH: SSH-2.0-...}, DNS, ...).
 *
 * <p>The text rules (txtproto_print, non-verbose): the protocol name in capitals follows {@code ": "}, always. For
 * FTP, SMTP and WHOIS the first line follows too; for HTTP and RTSP only when the payload looks like a request or a
 * response: its first token is one of the protocol's methods (compared ignoring ASCII case), or its second token is
 * a three-digit status code. A token is a run of printable ASCII up to a space, tab, CR or LF; a token longer than
 * 128 characters, a token that runs into a control or non-ASCII byte, or a payload starting with white space gives
 * no token. After the first token only spaces are skipped (a tab ends the search). The line is printed as
 * {@code ": " + text} if it ends with LF or CRLF and contains only printable ASCII and tabs; if the payload ends
 * before any line ending, the text is printed with {@code " [|http]"} (lower-case protocol name) after it; a control
 * byte, a non-ASCII byte, a CR not followed by LF, or a CR as the last byte prints no text at all.
 *
 * <p>With {@code -v} the line gets {@code ", length: N"} instead, then every line as {@code "\n\t" + text}, until a
 * line that cannot be printed (as above, which ends the output, or {@code [|http]} after a last line without an
 * ending). A RST with data and {@code -v} prints {@code [RST ...]} and no decoder; without {@code -v} a RST's data goes
 * to the decoder like any other.
 */
public final class TcpdumpPayload {
    private TcpdumpPayload() {}

    private static final List<String> HTTP_METHODS = List.of("GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL",
            "POST", "BCOPY", "BMOVE", "MKCOL", "TRACE", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT",
            "UPDATE", "NOTIFY", "BDELETE", "CONNECT", "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST",
            "SUBSCRIBE", "PROPPATCH", "BPROPFIND", "BPROPPATCH", "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE",
            "UNSUBSCRIBE", "RPC_CONNECT", "VERSION-CONTROL", "BASELINE-CONTROL");
    private static final List<String> RTSP_METHODS = List.of("DESCRIBE", "ANNOUNCE", "GET_PARAMETER", "OPTIONS",
            "PAUSE", "PLAY", "RECORD", "REDIRECT", "SETUP", "SET_PARAMETER", "TEARDOWN");

    /** print-tcp.c's payload decoders, in the order it tries them. */
    public enum Decoder {
        TELNET(null, null, 23),
        SMTP("smtp", null, 25),
        WHOIS("whois", null, 43),
        BGP(null, null, 179),
        PPTP(null, null, 1723),
        RESP(null, null, 6379),
        SSH(null, null, 22),
        BEEP(null, null, 10288),
        OPENFLOW(null, null, 6633, 6653),
        FTP("ftp", null, 21),
        HTTP("http", HTTP_METHODS, 80, 8080),
        RTSP("rtsp", RTSP_METHODS, 554, 8554),
        DOMAIN(null, null, 53),
        MSDP(null, null, 639),
        RPKI_RTR(null, null, 323),
        LDP(null, null, 646),
        NFS(null, null, 2049);

        /** tcpdump's protocol name for the text decoders, null for the decoders tcpsim does not reproduce. */
        private final String protocol;
        /** Requests that make an HTTP-like payload printable; null: every payload is printed (FTP, SMTP, WHOIS). */
        private final List<String> methods;
        private final int[] ports;

        Decoder(String protocol, List<String> methods, int... ports) {
            this.protocol = protocol;
            this.methods = methods;
            this.ports = ports;
        }

        /** Whether the printer prints exactly what tcpdump prints for this decoder. */
        public boolean reproduced() {
            return protocol != null;
        }

        public List<Integer> ports() {
            List<Integer> list = new ArrayList<>();
            for (int p : ports) list.add(p);
            return list;
        }

        boolean matches(int sport, int dport) {
            for (int p : ports) if (p == sport || p == dport) return true;
            return false;
        }
    }

    /**
     * The ports of the decoders tcpsim does not reproduce, sorted. A data-carrying segment whose decoder is one of
     * these prints only up to {@code length N}, where tcpdump would print the decoder's output.
     */
    public static final List<Integer> NOT_REPRODUCED_PORTS;

    static {
        List<Integer> ports = new ArrayList<>();
        for (Decoder d : Decoder.values()) if (!d.reproduced()) ports.addAll(d.ports());
        Collections.sort(ports);
        NOT_REPRODUCED_PORTS = List.copyOf(ports);
    }

    /** The decoder tcpdump picks for a segment between these ports, or null if none. */
    public static Decoder decoder(int sport, int dport) {
        for (Decoder d : Decoder.values()) if (d.matches(sport, dport)) return d;
        return null;
    }

    /**
     * Appends what tcpdump prints after {@code length N} for a data segment that does not go to print_tcp_rst_data.
     * Appends nothing when no decoder applies or the decoder is not reproduced.
     */
    static void append(StringBuilder out, int sport, int dport, byte[] payload, boolean verbose) {
        Decoder d = decoder(sport, dport);
        if (d == null || !d.reproduced() || payload.length == 0) return;
        out.append(": ").append(d.protocol.toUpperCase(Locale.ROOT));
        if (!looksLikeRequestOrResponse(d, payload)) return;
        if (verbose) {
            out.append(", length: ").append(payload.length);
            int idx = 0;
            while (idx < payload.length) {
                idx = line(out, "\n\t", d.protocol, payload, idx);
                if (idx == 0) break;
            }
        } else {
            line(out, ": ", d.protocol, payload, 0);
        }
    }

    private static boolean looksLikeRequestOrResponse(Decoder d, byte[] p) {
        if (d.methods == null) return true;
        Token first = token(p, 0);
        if (first == null) return false;
        for (String m : d.methods) if (m.equalsIgnoreCase(first.text)) return true;
        // HTTP and RTSP put the status code second ("HTTP/1.1 200 OK").
        Token second = token(p, first.next);
        if (second == null) return false;
        String t = second.text;
        return t.length() == 3 && isDigit(t.charAt(0)) && isDigit(t.charAt(1)) && isDigit(t.charAt(2));
    }

    private record Token(String text, int next) {}

    /** fetch_token: the token at {@code idx} and the index after the spaces that follow it; null for no token. */
    private static Token token(byte[] p, int idx) {
        int start = idx;
        for (; idx < p.length; idx++) {
            int c = p[idx] & 0xff;
            if (c > 0x7f) return null;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') break;
            if (!isPrint(c)) return null;
            if (idx - start >= 128) return null; // tcpdump's 129-byte buffer holds 128 characters and the NUL
        }
        if (idx == start) return null;
        String text = new String(p, start, idx - start, java.nio.charset.StandardCharsets.US_ASCII);
        // Only spaces are skipped: a tab is not printable ASCII, and that check comes first.
        while (idx < p.length && p[idx] == ' ') idx++;
        return new Token(text, idx);
    }

    /**
     * print_txt_line: appends {@code prefix + line} and returns the index after the line ending; returns 0 after
     * appending {@code prefix + rest + " [|proto]"} when the payload ends without a line ending, and returns 0
     * without appending anything at a byte that is not printable ASCII or tab, or at a CR not followed by LF.
     */
    private static int line(StringBuilder out, String prefix, String protocol, byte[] p, int idx) {
        int start = idx;
        while (idx < p.length) {
            int c = p[idx] & 0xff;
            if (c == '\n') {
                appendAscii(out.append(prefix), p, start, idx);
                return idx + 1;
            }
            if (c == '\r') {
                if (idx + 1 >= p.length || p[idx + 1] != '\n') return 0;
                appendAscii(out.append(prefix), p, start, idx);
                return idx + 2;
            }
            if (!isPrint(c) && c != '\t') return 0;
            idx++;
        }
        appendAscii(out.append(prefix), p, start, idx);
        out.append(" [|").append(protocol).append(']');
        return 0;
    }

    private static void appendAscii(StringBuilder out, byte[] p, int from, int to) {
        for (int i = from; i < to; i++) out.append((char) p[i]);
    }

    private static boolean isPrint(int c) {
        return c >= 0x20 && c <= 0x7e;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
