package io.tcpsim.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The crafted captures of the hostile-input corpus (traces/hostile/README.md, issue 19): written by
 * {@link #main} into traces/hostile/, except the large one ({@link #openFlows}), which the test writes into its own
 * temporary directory. Frames are Ethernet, IPv4 and TCP with correct checksums, timestamps in microseconds.
 *
 * <p>{@code mvn -q -o -pl cli -am test-compile} then
 * {@code java -cp cli/target/test-classes:cli/target/classes io.tcpsim.cli.HostileCaptures traces/hostile}.
 */
public final class HostileCaptures {
    private HostileCaptures() {}

    static final int SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01, RST = 0x04, ALL = 0xff;
    static final int LO = 0x7f000001;

    /** A pcap file being written: one record per {@link #tcp} call. */
    public static final class Pcap implements AutoCloseable {
        private final OutputStream out;

        public Pcap(Path file) throws IOException {
            out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            ByteBuffer h = ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
            out.write(h.array());
        }

        /** One TCP segment at {@code micros}; a SYN carries Linux's options on lo (MSS 65495, SACK, TS, WS 7). */
        public void tcp(long micros, int src, int sport, int dst, int dport, long seq, long ack, int flags, int payload)
                throws IOException {
            boolean syn = (flags & SYN) != 0;
            byte[] opts = syn
                    ? new byte[] {2, 4, (byte) 0xff, (byte) 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7}
                    : new byte[0];
            int tcpLen = 20 + opts.length + payload, ipLen = 20 + tcpLen;
            ByteBuffer f = ByteBuffer.allocate(14 + ipLen);
            f.put(new byte[12]).putShort((short) 0x0800);
            int ip = f.position();
            f.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) (seq ^ sport)).putShort((short) 0x4000)
                    .put((byte) 64).put((byte) 6).putShort((short) 0).putInt(src).putInt(dst);
            f.putShort(ip + 10, (short) checksum(f.array(), ip, 20, 0));
            int t = f.position();
            f.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack)
                    .put((byte) ((20 + opts.length) / 4 << 4)).put((byte) flags).putShort((short) 65483)
                    .putShort((short) 0).putShort((short) 0).put(opts);
            for (int i = 0; i < payload; i++) f.put((byte) ('a' + i % 26));
            long pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + tcpLen;
            f.putShort(t + 16, (short) checksum(f.array(), t, tcpLen, pseudo));
            ByteBuffer r = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            r.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(f.capacity()).putInt(f.capacity());
            out.write(r.array());
            out.write(f.array());
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    static int checksum(byte[] b, int off, int len, long sum) {
        for (int i = 0; i + 1 < len; i += 2) sum += (b[off + i] & 0xff) << 8 | b[off + i + 1] & 0xff;
        if ((len & 1) != 0) sum += (b[off + len - 1] & 0xff) << 8;
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }

    /** The handshake of client port {@code port} to 127.0.0.1:80 at {@code micros}; the ISNs are 1000 and 5000. */
    static void handshake(Pcap p, long micros, int port) throws IOException {
        p.tcp(micros, LO, port, LO, 80, 1000, 0, SYN, 0);
        p.tcp(micros + 10, LO, 80, LO, port, 5000, 1001, SYN | ACK, 0);
        p.tcp(micros + 20, LO, port, LO, 80, 1001, 5001, ACK, 0);
    }

    /** Item 2: a SYN with all eight flags, then a handshake on the same ports. */
    static void synAllFlags(Path file) throws IOException {
        try (Pcap p = new Pcap(file)) {
            p.tcp(1_000_000, LO, 40000, LO, 80, 1000, 0, ALL, 0);
            p.tcp(1_000_010, LO, 80, LO, 40000, 5000, 1001, SYN | ACK, 0);
            p.tcp(1_000_020, LO, 40000, LO, 80, 1001, 5001, ACK | PSH, 10);
        }
    }

    /** Item 2: a self-connection (127.0.0.1:5000 to itself): a SYN, the simultaneous open's SYN-ACK, data, a FIN. */
    static void selfConnect(Path file) throws IOException {
        try (Pcap p = new Pcap(file)) {
            p.tcp(1_000_000, LO, 5000, LO, 5000, 1000, 0, SYN, 0);
            p.tcp(1_000_010, LO, 5000, LO, 5000, 1000, 1001, SYN | ACK, 0);
            p.tcp(1_000_020, LO, 5000, LO, 5000, 1001, 1001, ACK | PSH, 100);
            p.tcp(1_000_030, LO, 5000, LO, 5000, 1101, 1101, ACK | FIN, 0);
        }
    }

    /** Item 2: after the handshake, a segment 3 GiB ahead: the gap as an int is negative. */
    static void negativeGap(Path file) throws IOException {
        try (Pcap p = new Pcap(file)) {
            handshake(p, 1_000_000, 40003);
            p.tcp(1_000_100, LO, 40003, LO, 80, 1001 + (3L << 30), 5001, ACK | PSH, 100);
        }
    }

    /** Item 3: after the handshake, a segment 1 GiB ahead of the client's next byte. */
    static void gibibyteAhead(Path file) throws IOException {
        try (Pcap p = new Pcap(file)) {
            handshake(p, 1_000_000, 40001);
            p.tcp(1_000_100, LO, 40001, LO, 80, 1001 + (1L << 30), 5001, ACK | PSH, 100);
            p.tcp(1_000_200, LO, 40001, LO, 80, 1001 + (3L << 30), 5001, ACK | PSH, 100);
        }
    }

    /** Item 4: after the handshake and some data, a packet whose time jumps 30 years ahead. */
    static void timeJump(Path file) throws IOException {
        try (Pcap p = new Pcap(file)) {
            handshake(p, 1_000_000, 40002);
            p.tcp(1_000_100, LO, 40002, LO, 80, 1001, 5001, ACK | PSH, 10);
            p.tcp(1_000_000 + 30L * 365 * 86400 * 1_000_000, LO, 80, LO, 40002, 5001, 1011, ACK, 0);
            p.tcp(1_000_000 + 30L * 365 * 86400 * 1_000_000 + 10, LO, 40002, LO, 80, 1011, 5001, ACK | FIN, 0);
        }
    }

    /**
     * Item 5: a real capture (traces/captures/replay/close-then-send) with its last packet, the client's RST, 30 ms
     * late: a divergence in timing only. Replay --json exited 3 with a NullPointerException on it before c49d957
     * (checked on 69e3a2f, the main of 21 November).
     */
    static void lateLastPacket(Path from, Path file, long lateMicros) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(from)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0xa1b2c3d4) throw new IOException(from + ": not a microsecond pcap file");
        int last = -1;
        for (int at = 24; at + 16 <= b.limit(); at += 16 + b.getInt(at + 8)) last = at;
        long micros = b.getInt(last) * 1_000_000L + b.getInt(last + 4) + lateMicros;
        b.putInt(last, (int) (micros / 1_000_000)).putInt(last + 4, (int) (micros % 1_000_000));
        Files.write(file, b.array());
    }

    /** Item 6: {@code n} connections opened and never closed, one after the other, 10 us apart. */
    public static void openFlows(Path file, int n) throws IOException {
        try (Pcap p = new Pcap(file)) {
            for (int i = 0; i < n; i++) {
                int client = LO + 1 + i / 60000, port = 1024 + i % 60000;
                long t = 1_000_000 + i * 10L;
                p.tcp(t, client, port, LO, 80, 1000, 0, SYN, 0);
                p.tcp(t + 2, LO, 80, client, port, 5000, 1001, SYN | ACK, 0);
                p.tcp(t + 4, client, port, LO, 80, 1001, 5001, ACK, 0);
            }
        }
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "traces/hostile");
        synAllFlags(dir.resolve("item02-syn-all-flags.pcap"));
        selfConnect(dir.resolve("item02-self-connect.pcap"));
        negativeGap(dir.resolve("item02-negative-gap.pcap"));
        gibibyteAhead(dir.resolve("item03-gibibyte-ahead.pcap"));
        timeJump(dir.resolve("item04-time-jump.pcap"));
        lateLastPacket(dir.resolve("../captures/replay/close-then-send-6.18.44-fc-v669.pcap"),
                dir.resolve("item05-rst-30ms-late.pcap"), 30_000);
    }
}
