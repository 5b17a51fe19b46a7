package io.tcpsim.kernel.net;

import java.util.Locale;

/**
 * What a drop rule matches: the script's {@code link drop N client>server KIND} (issue 12). Only IPv4 TCP frames
 * match any kind; a frame may match several (a FIN carrying data is both {@code data} and {@code fin}).
 */
public enum PacketKind {
    /** SYN without ACK. */
    SYN("syn"),
    /** SYN with ACK. */
    SYN_ACK("syn-ack"),
    /** A pure ACK: ACK set, no payload, no SYN, FIN or RST. */
    ACK("ack"),
    /** Any segment carrying payload, whatever its flags. */
    DATA("data"),
    /** FIN set, with or without payload. */
    FIN("fin"),
    /** RST set. */
    RST("rst"),
    /** Every TCP segment. */
    ANY("any");

    static final int FIN_BIT = 0x01, SYN_BIT = 0x02, RST_BIT = 0x04, ACK_BIT = 0x10;

    /** The word scripts use. */
    public final String word;

    PacketKind(String word) {
        this.word = word;
    }

    /** Whether a TCP segment with these flags (the byte at TCP offset 13) and this much payload is of this kind. */
    public boolean matches(int flags, int payload) {
        boolean syn = (flags & SYN_BIT) != 0, ack = (flags & ACK_BIT) != 0;
        boolean fin = (flags & FIN_BIT) != 0, rst = (flags & RST_BIT) != 0;
        return switch (this) {
            case SYN -> syn && !ack;
            case SYN_ACK -> syn && ack;
            case ACK -> ack && payload == 0 && !syn && !fin && !rst;
            case DATA -> payload > 0;
            case FIN -> fin;
            case RST -> rst;
            case ANY -> true;
        };
    }

    /** The kind a script word names, or null. */
    public static PacketKind ofWord(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        for (PacketKind k : values()) if (k.word.equals(w)) return k;
        return null;
    }
}
