package io.tcpsim.backend;

import java.util.Objects;

/**
 * What a script's {@code link} step does to the path between its two hosts (docs/scripts.md, "Two hosts"). The
 * packets a command loses are lost on the wire: the sender's capture has them, the receiver's does not.
 */
public sealed interface LinkCommand {

    /** The step's text, as the script wrote it and the output prints it: {@code link drop 1 client>server data}. */
    String text();

    /** {@code link down}: from now on every packet on the link is lost, both directions. */
    record Down() implements LinkCommand {
        public String text() { return "link down"; }
    }

    /** {@code link up}: packets pass again (the drops still armed stay armed). */
    record Up() implements LinkCommand {
        public String text() { return "link up"; }
    }

    /**
     * {@code link drop COUNT FROM>TO KIND [after SKIP]}: of the packets from host {@code from} to host {@code to}
     * that are of {@code kind}, the next {@code skip} pass and the {@code count} after them are lost. {@code from}
     * and {@code to} are the process names of {@code hosts:}. A packet is counted by the first drop armed in its
     * direction that matches it (in the order the steps armed them), and by no other.
     */
    record Drop(String from, String to, Kind kind, int count, int skip) implements LinkCommand {
        public Drop(String from, String to, Kind kind, int count) {
            this(from, to, kind, count, 0);
        }

        public Drop {
            if (skip < 0) throw new IllegalArgumentException("a drop cannot let " + skip + " packets through");
            Objects.requireNonNull(from);
            Objects.requireNonNull(to);
            Objects.requireNonNull(kind);
            if (count < 1) throw new IllegalArgumentException("drop count must be at least 1, got " + count);
            if (from.equals(to)) throw new IllegalArgumentException("a direction joins two different hosts, got " + from + ">" + to);
        }

        public String text() {
            return "link drop " + count + " " + from + ">" + to + " " + kind.text + (skip > 0 ? " after " + skip : "");
        }
    }

    /**
     * Which packets a drop matches, for both backends (the model's Wire and the kernel's forwarder, trace-replay's
     * {@code io.tcpsim.kernel.net.Link}, match with this one definition). A packet may be of several kinds: a FIN that carries data is both {@code data} and {@code fin}.
     */
    enum Kind {
        SYN("syn"), SYN_ACK("syn-ack"), ACK("ack"), DATA("data"), FIN("fin"), RST("rst"), ANY("any");

        /** The name scripts write. */
        public final String text;

        Kind(String text) { this.text = text; }

        /** Whether a segment with these TCP flags ({@link io.tcpsim.wire.TcpFlags}) and this much payload is of this kind. */
        public boolean matches(int flags, int payload) {
            boolean syn = (flags & io.tcpsim.wire.TcpFlags.SYN) != 0, ack = (flags & io.tcpsim.wire.TcpFlags.ACK) != 0;
            boolean fin = (flags & io.tcpsim.wire.TcpFlags.FIN) != 0, rst = (flags & io.tcpsim.wire.TcpFlags.RST) != 0;
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

        /** The kind a script names, or null. */
        public static Kind of(String text) {
            for (Kind k : values()) if (k.text.equals(text)) return k;
            return null;
        }

        /** The names scripts may write, in order, for error messages. */
        public static String names() {
            StringBuilder b = new StringBuilder();
            for (Kind k : values()) b.append(b.length() == 0 ? "" : ", ").append(k.text);
            return b.toString();
        }
    }
}
