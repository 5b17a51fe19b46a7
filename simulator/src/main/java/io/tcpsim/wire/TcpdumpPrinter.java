package io.tcpsim.wire;

/**
 * Prints packets exactly as {@code tcpdump -nn} 4.99 prints them. Stateful: tcpdump's relative sequence numbers
 * depend on the packets seen before, so use one printer per trace, in packet order.
 */
public final class TcpdumpPrinter {
    public TcpdumpPrinter() {}

    /** One line, without a trailing newline, e.g. {@code 00:00:00.000123 IP 127.0.0.1.53746 > 127.0.0.1.4321: Flags [F.], ...}. */
    public String print(Packet packet) {
        // STUB: replaced by the real printer.
        return String.valueOf(packet);
    }
}
