package io.tcpsim.backend;

import io.tcpsim.wire.Packet;

/** Something a backend observed besides a call's own result. */
public sealed interface Event {
    long timeNanos();

    /** A packet on the loopback wire. */
    record PacketSent(Packet packet) implements Event {
        public long timeNanos() { return packet.timeNanos(); }
    }

    /** A signal was delivered to a process (only SIGPIPE is modelled). */
    record SignalDelivered(long timeNanos, String process, int signo, boolean fatal) implements Event {}

    /** A process ended: by exit, or killed by a signal. */
    record ProcessEnded(long timeNanos, String process, String reason) implements Event {}

    /** An endpoint changed state (model only; the kernel backend does not see transitions). */
    record StateChanged(long timeNanos, String endpoint, String from, String to, String why) implements Event {}
}
