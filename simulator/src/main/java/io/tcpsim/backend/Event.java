package io.tcpsim.backend;

import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;

/** Something a backend observed besides a call's own result. */
public sealed interface Event {
    long timeNanos();

    /**
     * A packet on the wire. {@code rstReason} is the kernel's reason for an RST ({@code tcp_send_reset}'s
     * sk_rst_reason), null for any other packet, and for an RST whose reason the backend does not know.
     */
    record PacketSent(Packet packet, RstReason rstReason) implements Event {
        public PacketSent(Packet packet) {
            this(packet, null);
        }

        public long timeNanos() { return packet.timeNanos(); }
    }

    /** A signal was delivered to a process (only SIGPIPE is modelled). */
    record SignalDelivered(long timeNanos, String process, int signo, boolean fatal) implements Event {}

    /** A process ended: it exited, or a signal killed it. */
    record ProcessEnded(long timeNanos, String process, ProcessEnd end) implements Event {}

    /**
     * An endpoint changed state (model only; the kernel backend does not see transitions). {@code from} is null
     * when the endpoint is born in {@code to} (a timewait minisock); {@code detail} fills the cause's {@code %s}.
     */
    record StateChanged(long timeNanos, String endpoint, TcpState from, TcpState to, Cause cause, String detail)
            implements Event {
        public StateChanged(long timeNanos, String endpoint, TcpState from, TcpState to, Cause cause) {
            this(timeNanos, endpoint, from, to, cause, null);
        }

        /** The cause's description with its detail, as the outputs print it. */
        public String why() { return cause.describe(detail); }
    }

    /**
     * The stack threw a segment away (kfree_skb with a reason): {@code endpoint} is the socket that dropped it, or
     * null when no socket took it (NO_SOCKET). A segment that was processed and answered (an ACK consumed, a SYN
     * answered) is not a drop.
     */
    record Dropped(long timeNanos, String endpoint, Segment segment, DropReason reason) implements Event {}

    /**
     * A packet the link between two hosts lost (a script with {@code hosts:}: {@code link down}, {@code link drop}):
     * it left its sender, whose capture has it (its {@link PacketSent} comes first), and never reached the other host.
     * {@code timeNanos} is when it left.
     */
    record LostOnLink(long timeNanos, Segment segment) implements Event {}
}
