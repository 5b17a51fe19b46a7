package io.tcpsim.packetdrill;

import io.tcpsim.wire.TcpOption;
import java.util.List;

/**
 * A packet line: {@code <} one the script injects, {@code >} one the stack must send. Sequence numbers are as
 * written: packetdrill reads them relative to the connection's initial sequence numbers.
 */
public sealed interface Packet {

    enum Direction {
        /** {@code <}: injected into the stack under test. */
        INBOUND,
        /** {@code >}: expected from the stack under test. */
        OUTBOUND
    }

    Direction direction();

    /** Explicit outer headers ({@code ipv4 192.0.2.1 > 192.168.0.1:}) before the packet, outermost first. */
    List<IpHeader> outer();

    /** The packet's own IP fields ({@code [ect0]}, {@code (tos 0x10)}, ...), or null when the line sets none. */
    IpInfo ip();

    /** ECN codepoints of {@code [noecn]}, {@code [ect0]}, {@code [ect1]}, {@code [ce]}; {@code [ect01]}: either ECT. */
    enum Ecn { NO_ECN, ECT0, ECT1, CE, ECT01 }

    /**
     * IP fields a line may set. {@code ecn} (checked ECN bits) and {@code tos} (the whole byte, {@code tos 0x..})
     * exclude each other; each field is null when not given.
     */
    record IpInfo(Ecn ecn, Integer tos, Integer flowLabel, Integer ttl) {}

    /** {@code ipv4 [ip info] SRC > DST:} or {@code ipv6 ...}: an encapsulating header. */
    record IpHeader(int version, String source, String destination, IpInfo ip) {}

    /**
     * A TCP segment. {@code flags} is as written ({@code "S."}, {@code ""} for {@code -}); {@code bits} holds them as
     * header bits ({@link io.tcpsim.wire.TcpFlags}, with 0x100 for the AE bit; ACE digits 0-7 set AE, CWR and ECE as
     * their three bits). {@code ack}, {@code window} and {@code urgent} are null when the line does not give them
     * (an outbound window is then not checked); {@code options} is null for {@code <...>} (not checked) and empty
     * for none. {@code psp} is the SPI of {@code encap psp spi N}, or null; ports are null unless {@code SRC > DST}
     * is written.
     */
    record Tcp(Direction direction, List<IpHeader> outer, IpInfo ip, Long psp, Integer sourcePort,
               Integer destinationPort, String flags, int bits, long start, long end, int length, Long ack,
               Integer window, Integer urgent, List<TcpOption> options) implements Packet {
        public Tcp {
            outer = List.copyOf(outer);
            if (options != null) options = List.copyOf(options);
        }
    }

    /** {@code udp [SRC > DST] (LENGTH)} */
    record Udp(Direction direction, List<IpHeader> outer, IpInfo ip, Integer sourcePort, Integer destinationPort,
               int length) implements Packet {
        public Udp { outer = List.copyOf(outer); }
    }

    /**
     * {@code icmp TYPE [CODE] [mtu N] [id N] [[echoed]]}: type and code are names ({@code unreachable},
     * {@code frag_needed}) that the reader does not check; {@code echoed} is the quoted packet: {@code start:end(len)}
     * of TCP, or {@code udp (len)} / {@code raw (len)}, or null.
     */
    record Icmp(Direction direction, List<IpHeader> outer, IpInfo ip, String type, String code, Integer mtu,
                Integer id, Echoed echoed) implements Packet {
        public Icmp { outer = List.copyOf(outer); }
    }

    /** What an ICMP message quotes: {@code protocol} is {@code tcp}, {@code udp} or {@code raw}. */
    record Echoed(String protocol, long start, int length) {}
}
