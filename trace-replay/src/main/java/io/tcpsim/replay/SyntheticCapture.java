package io.tcpsim.replay;

import io.tcpsim.pcap.PcapWriter;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Large captures for the replay benchmarks and the memory check, written as a stream: many copies of one real flow
 * (each with its own client port and ISNs, one starting every {@code spacing} of capture time), or one flow of
 * unacknowledged one-way segments.
 */
public final class SyntheticCapture {
    private SyntheticCapture() {}

    /**
     * Writes {@code copies} copies of {@code template} (the packets of one connection, as read from a capture).
     * Returns the number of packets written.
     */
    public static long manyFlows(Path out, List<Packet> template, long copies, long spacingNanos) throws IOException {
        Segment first = template.get(0).segment();
        SockAddr client = first.src();
        long t0 = template.get(0).timeNanos();
        long n = 0;
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20);
             PcapWriter w = PcapWriter.open(os)) {
            for (long i = 0; i < copies; i++) {
                // Client address 127.x.y.z and port vary, so every copy is its own 4-tuple.
                int ip = 0x7f000000 | (int) ((i / 28_000) + 1) << 8 | 1;
                int port = 32768 + (int) (i % 28_000);
                long shift = i * spacingNanos;
                long isnShift = i * 7_919L;
                for (Packet p : template) {
                    Segment s = p.segment();
                    boolean fromClient = s.src().equals(client);
                    SockAddr src = fromClient ? new SockAddr(ip, port) : s.src();
                    SockAddr dst = fromClient ? s.dst() : new SockAddr(ip, port);
                    long seq = (s.seq() + (fromClient ? isnShift : -isnShift)) & 0xffffffffL;
                    long ack = s.has(TcpFlags.ACK) ? (s.ack() + (fromClient ? -isnShift : isnShift)) & 0xffffffffL : 0;
                    w.write(new Packet(p.timeNanos() - t0 + 1_700_000_000_000_000_000L + shift, p.ipId(),
                            new Segment(src, dst, seq, ack, s.flags(), s.window(), s.urgent(), s.options(), s.payload())));
                    n++;
                }
            }
        }
        return n;
    }

    /** A handshake, then {@code segments} data segments from the client that nothing acknowledges. */
    public static long oneWay(Path out, long segments, int length) throws IOException {
        SockAddr c = new SockAddr(0x7f000001, 40000), s = new SockAddr(0x7f000001, 4321);
        long t = 1_700_000_000_000_000_000L;
        long cisn = 1000, sisn = 5000;
        List<TcpOption> synOpts = List.of(new TcpOption.Mss(65495), TcpOption.SACK_PERMITTED,
                new TcpOption.Timestamps(1, 0), TcpOption.NOP, new TcpOption.WindowScale(10));
        List<TcpOption> ts = List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(1, 1));
        byte[] payload = new byte[length];
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20);
             PcapWriter w = PcapWriter.open(os)) {
            w.write(new Packet(t, 0, new Segment(c, s, cisn, 0, TcpFlags.SYN, 65495, 0, synOpts, null)));
            w.write(new Packet(t + 10_000, 0, new Segment(s, c, sisn, cisn + 1, TcpFlags.SYN | TcpFlags.ACK, 65483, 0,
                    synOpts, null)));
            w.write(new Packet(t + 20_000, 0, new Segment(c, s, cisn + 1, sisn + 1, TcpFlags.ACK, 64, 0, ts, null)));
            for (long i = 0; i < segments; i++) {
                w.write(new Packet(t + 1_000_000 + i * 1_000, 0, new Segment(c, s, (cisn + 1 + i * length) & 0xffffffffL,
                        sisn + 1, TcpFlags.PSH | TcpFlags.ACK, 64, 0, ts, payload)));
            }
        }
        return segments + 3;
    }
}
