package io.tcpsim.wire;

/**
 * The {@code , options [...]} part of a tcpdump line, printed from the encoded option bytes the way print-tcp.c
 * (tcpdump 4.99) walks them: a kind byte, a length byte unless the kind is eol or nop, the kind's fields, then
 * {@code [len N]} when the length byte disagrees with what the kind needs, and a stop after {@code eol}. Walking the
 * bytes rather than the {@link TcpOption} list is what makes odd cases come out the same: an MSS of length 2 reads
 * into the next option, zero padding prints as {@code eol}, an impossible length prints {@code [bad opt]}.
 *
 * <p>Not reproduced: the MPTCP sub-option decoder (kind 30, print-mptcp.c); such an option prints as {@code mptcp}
 * followed by its bytes in hex, where tcpdump decodes them.
 */
final class TcpdumpOptions {
    private TcpdumpOptions() {}

    /**
     * tcp_option_values in print-tcp.c; kind 13 (CC.ECHO) really has an empty name there. 4.99.3 has no entry for
     * User Timeout (27): it prints {@code unknown-27 0x....}, measured; later versions decode it.
     */
    static String name(int kind) {
        return switch (kind) {
            case 0 -> "eol";
            case 1 -> "nop";
            case 2 -> "mss";
            case 3 -> "wscale";
            case 4 -> "sackOK";
            case 5 -> "sack";
            case 6 -> "echo";
            case 7 -> "echoreply";
            case 8 -> "TS";
            case 11 -> "cc";
            case 12 -> "ccnew";
            case 13 -> "";
            case 19 -> "md5";
            case 20 -> "scps";
            case 29 -> "tcp-ao";
            case 30 -> "mptcp";
            case 34 -> "tfo";
            case 254 -> "exp";
            default -> "unknown-" + kind;
        };
    }

    /** Thrown internally where print-tcp.c jumps to its {@code bad:} label. */
    private static final class Bad extends Exception {
        Bad() {
            super(null, null, false, false);
        }
    }

    /**
     * Appends {@code , options [...]} for {@code b} (the whole option area, padding included). {@code sackBase} is
     * subtracted from SACK edges (tcpdump's relative base, 0 when absolute). Returns false where tcpdump stops the
     * whole line after {@code [bad opt]}.
     */
    static boolean append(StringBuilder out, byte[] b, long sackBase) {
        out.append(", options [");
        int hlen = b.length;
        int cp = 0;
        boolean separator = false;
        try {
            while (hlen > 0) {
                if (separator) out.append(',');
                int opt = b[cp++] & 0xff;
                int len;
                if (opt == 0 || opt == 1) {
                    len = 1;
                } else {
                    if (cp >= b.length) throw new Bad(); // the length byte itself is missing
                    len = b[cp++] & 0xff;
                    if (len < 2 || len > hlen) throw new Bad();
                    --hlen;
                }
                --hlen;
                out.append(name(opt));
                int datalen = printFields(out, opt, len, b, cp, hlen, sackBase);
                cp += datalen;
                hlen -= datalen;
                int expected = datalen + 1 + (opt == 0 || opt == 1 ? 0 : 1);
                if (expected != len) out.append("[len ").append(len).append(']');
                separator = true;
                if (opt == 0) break;
            }
            out.append(']');
            return true;
        } catch (Bad bad) {
            out.append("[bad opt]");
            if (separator) out.append(']');
            return false;
        }
    }

    /** Prints one option's fields; returns the data length tcpdump accounts for. */
    private static int printFields(StringBuilder out, int opt, int len, byte[] b, int cp, int hlen, long sackBase)
            throws Bad {
        int datalen;
        switch (opt) {
            case 2 -> {
                datalen = 2;
                check(datalen, hlen);
                out.append(' ').append(FrameDecoder.u16(b, cp));
            }
            case 20 -> {
                datalen = 2;
                check(datalen, hlen);
                out.append(" cap ").append(hex2(b[cp] & 0xff)).append(" id ").append(b[cp + 1] & 0xff);
            }
            case 3 -> {
                datalen = 1;
                check(datalen, hlen);
                out.append(' ').append(b[cp] & 0xff);
            }
            case 5 -> {
                datalen = len - 2;
                if (datalen % 8 != 0) {
                    out.append(" invalid sack");
                } else {
                    out.append(' ').append(datalen / 8).append(' ');
                    for (int i = 0; i < datalen; i += 8) {
                        check(i + 8, hlen);
                        long s = (FrameDecoder.u32(b, cp + i) - sackBase) & 0xffffffffL;
                        long e = (FrameDecoder.u32(b, cp + i + 4) - sackBase) & 0xffffffffL;
                        out.append('{').append(s).append(':').append(e).append('}');
                    }
                }
            }
            case 6, 7, 11, 12, 13 -> {
                datalen = 4;
                check(datalen, hlen);
                out.append(' ').append(FrameDecoder.u32(b, cp));
            }
            case 8 -> {
                datalen = 8;
                check(datalen, hlen);
                out.append(" val ").append(FrameDecoder.u32(b, cp)).append(" ecr ").append(FrameDecoder.u32(b, cp + 4));
            }
            case 19 -> {
                // tcpdump built with libcrypto (Debian's is) tries to verify the signature and needs -M for that.
                datalen = 16;
                check(datalen, hlen);
                out.append(" shared secret not supplied with -M, can't check - ");
                hex(out, b, cp, 16);
            }
            case 29 -> {
                datalen = len - 2;
                if (datalen < 2) {
                    out.append(" (invalid)");
                } else {
                    out.append(" keyid ").append(b[cp] & 0xff).append(" rnextkeyid ").append(b[cp + 1] & 0xff);
                    if (datalen > 2) {
                        out.append(" mac 0x");
                        hex(out, b, cp + 2, datalen - 2);
                    }
                }
            }
            case 34 -> {
                datalen = len - 2;
                out.append(' ');
                fastOpen(out, b, cp, datalen);
            }
            case 254 -> {
                datalen = len - 2;
                if (datalen < 2) throw new Bad();
                int magic = FrameDecoder.u16(b, cp);
                out.append('-');
                if (magic == 0xf989) {
                    out.append("tfo");
                    fastOpen(out, b, cp + 2, datalen - 2);
                } else {
                    out.append(String.format(java.util.Locale.ROOT, "%04x", magic));
                }
            }
            case 0, 1, 4 -> datalen = 0;
            default -> {
                datalen = len - 2;
                if (datalen > 0) {
                    out.append(" 0x");
                    hex(out, b, cp, datalen);
                }
            }
        }
        return datalen;
    }

    private static void fastOpen(StringBuilder out, byte[] b, int cp, int datalen) {
        if (datalen == 0) {
            out.append(" cookiereq");
        } else if (datalen % 2 != 0 || datalen < 4 || datalen > 16) {
            out.append(" (invalid)");
        } else {
            out.append(" cookie ");
            hex(out, b, cp, datalen);
        }
    }

    /** LENCHECK: the kind needs more bytes than the option area has left. */
    private static void check(int needed, int hlen) throws Bad {
        if (needed > hlen) throw new Bad();
    }

    private static void hex(StringBuilder out, byte[] b, int at, int n) {
        for (int i = 0; i < n; i++) out.append(hex2(b[at + i] & 0xff));
    }

    private static String hex2(int v) {
        return v < 16 ? "0" + Integer.toHexString(v) : Integer.toHexString(v);
    }
}
