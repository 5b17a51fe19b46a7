package io.tcpsim.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.wire.FrameDecoder;
import io.tcpsim.wire.FrameEncoder;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classic pcap through the one reader ({@link CaptureRecords}, {@link PcapRecords}): what the writer wrote reads back,
 * both byte orders and both stamp resolutions, frames that are skipped, and every kind of damage named by its byte.
 */
class CaptureRecordsTest {
    @TempDir
    Path dir;

    /**
     * A packet as comparable text. Segment.equals compares TcpOption.Sack by its List of long[], that is by array
     * identity, so SACK blocks are spelled out here.
     */
    static String describe(Packet p) {
        var s = p.segment();
        List<String> options = new ArrayList<>();
        for (TcpOption o : s.options()) {
            options.add(o instanceof TcpOption.Sack sack
                    ? "Sack" + Arrays.deepToString(sack.blocks().toArray()) : String.valueOf(o));
        }
        return p.timeNanos() + " id " + p.ipId() + " " + s.src() + ">" + s.dst() + " seq " + s.seq() + " ack "
                + s.ack() + " flags " + s.flags() + " win " + s.window() + " urg " + s.urgent() + " " + options + " "
                + Arrays.toString(s.payload());
    }

    static byte[] pcap(List<Packet> packets) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.open(bytes)) {
            for (Packet p : packets) w.write(p);
        }
        return bytes.toByteArray();
    }

    static List<Packet> read(byte[] file) throws Exception {
        return CaptureRecords.readPackets(new ByteArrayInputStream(file));
    }

    /** The next record, which must be IPv4/TCP. */
    static Packet next(CaptureRecords r) throws Exception {
        assertTrue(r.next());
        return ((FrameDecoder.Tcp) r.decode()).packet();
    }

    static Packet syn() {
        return new Packet(5_000_000_123L, 7, new io.tcpsim.wire.Segment(SockAddr.loopback(40000),
                SockAddr.loopback(4321), 100, 0, TcpFlags.SYN, 65495, 0, Fixtures.syn(1, 0), null));
    }

    static Packet data() {
        return new Packet(6_000_000_000L, 8, new io.tcpsim.wire.Segment(SockAddr.loopback(40000),
                SockAddr.loopback(4321), 101, 1, TcpFlags.PSH | TcpFlags.ACK, 64, 0, Fixtures.ts(2, 1),
                "0123456789".getBytes()));
    }

    /**
     * Re-encodes a file: byte order, micro- or nanosecond stamps. Records must be whole; the stamps are truncated to
     * microseconds when asked for.
     */
    static byte[] convert(byte[] nanoLittle, ByteOrder order, boolean micros) {
        ByteBuffer in = ByteBuffer.wrap(nanoLittle).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(nanoLittle.length).order(order);
        out.putInt(micros ? PcapWriter.MAGIC_MICROS : PcapWriter.MAGIC_NANOS);
        out.putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(PcapWriter.SNAPLEN).putInt(1);
        in.position(24);
        while (in.hasRemaining()) {
            int sec = in.getInt();
            int frac = in.getInt();
            int caplen = in.getInt();
            int len = in.getInt();
            out.putInt(sec).putInt(micros ? frac / 1000 : frac).putInt(caplen).putInt(len);
            byte[] frame = new byte[caplen];
            in.get(frame);
            out.put(frame);
        }
        return out.array();
    }

    @Nested
    class WhatTheWriterWrote {
        @Test
        void readsBackEqualPackets() throws Exception {
            List<Packet> written = Fixtures.everything();
            Path file = dir.resolve("all.pcap");
            PcapWriter.write(file, written);
            List<Packet> read = CaptureRecords.readPackets(file);
            assertEquals(written.size(), read.size());
            for (int i = 0; i < written.size(); i++) {
                Packet w = written.get(i);
                Packet r = read.get(i);
                // Every frame is byte for byte the same when encoded again, unless options follow an eol...
                List<TcpOption> options = w.segment().options();
                int eol = options.indexOf(TcpOption.EOL);
                if (eol < 0 || eol == options.size() - 1) {
                    assertArrayEquals(FrameEncoder.frame(w), FrameEncoder.frame(r), "packet " + (i + 1));
                }
                // ...and every packet is equal except where an eol is ambiguous in the bytes (see FrameDecoder).
                if (!w.segment().options().contains(TcpOption.EOL)) {
                    assertEquals(describe(w), describe(r), "packet " + (i + 1));
                }
            }
        }

        @Test
        void packetsWithoutSackAreEqualAsRecords() throws Exception {
            assertEquals(List.of(syn(), data()), read(pcap(List.of(syn(), data()))));
        }

        @Test
        void anEolIsKeptOnAWordBoundaryAndWhatFollowsItIsLost() throws Exception {
            Packet p = new Packet(0, 0, new io.tcpsim.wire.Segment(SockAddr.loopback(1), SockAddr.loopback(2), 1, 0,
                    TcpFlags.SYN, 1, 0, List.of(new TcpOption.Mss(536), TcpOption.EOL, TcpOption.NOP), null));
            assertEquals(List.of(new TcpOption.Mss(536), TcpOption.EOL), read(pcap(List.of(p))).get(0).segment().options());
        }

        @Test
        void streamsOnePacketAtATime() throws Exception {
            try (CaptureRecords r = CaptureRecords.open(new ByteArrayInputStream(pcap(List.of(syn(), data()))))) {
                assertEquals("pcap", r.format());
                assertEquals(syn(), next(r));
                assertEquals(24, r.recordOffset());
                assertEquals(data(), next(r));
                assertFalse(r.next());
                assertEquals(2, r.records());
            }
        }
    }

    @Nested
    class Formats {
        @Test
        void microsecondAndNanosecondInBothByteOrders() throws Exception {
            byte[] file = pcap(List.of(syn(), data()));
            Packet synMicros = new Packet(5_000_000_000L, 7, syn().segment());
            assertEquals(List.of(syn(), data()), read(convert(file, ByteOrder.BIG_ENDIAN, false)));
            assertEquals(List.of(synMicros, data()), read(convert(file, ByteOrder.BIG_ENDIAN, true)));
            assertEquals(List.of(synMicros, data()), read(convert(file, ByteOrder.LITTLE_ENDIAN, true)));
        }

        /** The converted files are real pcap: tcpdump prints them as it prints the file the writer made. */
        @Test
        void tcpdumpAgreesWithTheConvertedFiles() throws Exception {
            byte[] file = pcap(Fixtures.everything());
            Path original = dir.resolve("ns-le.pcap");
            Files.write(original, file);
            List<String> expected = Tcpdump.read(original, "-nn").stdout();
            for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
                Path converted = dir.resolve("us-" + order + ".pcap");
                Files.write(converted, convert(file, order, true));
                assertEquals(expected, Tcpdump.read(converted, "-nn").stdout(), order.toString());
                assertEquals(Fixtures.everything().size(), CaptureRecords.readPackets(converted).size());
            }
        }

        @Test
        void framesThatAreNotIpv4TcpAreSkippedAndCounted() throws Exception {
            byte[] tcp = FrameEncoder.frame(syn());
            byte[] udp = tcp.clone();
            udp[14 + 9] = 17;
            byte[] arp = tcp.clone();
            arp[12] = 0x08;
            arp[13] = 0x06;
            byte[] fragment = tcp.clone();
            fragment[14 + 6] = 0x20; // MF
            byte[] file = records(List.of(udp, arp, fragment, tcp));
            List<String> decoded = new ArrayList<>();
            try (CaptureRecords r = CaptureRecords.open(new ByteArrayInputStream(file))) {
                while (r.next()) {
                    FrameDecoder.Result d = r.decode();
                    decoded.add(d instanceof FrameDecoder.Skipped s ? s.why() : ((FrameDecoder.Tcp) d).packet().equals(syn()) ? "syn" : "?");
                }
                assertEquals(4, r.records());
            }
            assertEquals(List.of("IP protocol 17", "not IP", "IPv4 fragment", "syn"), decoded);
            assertEquals(List.of(syn()), read(file));
        }

        @Test
        void payloadCutBySnaplenIsZeroFilledToTheIpLength() throws Exception {
            byte[] frame = FrameEncoder.frame(data());
            byte[] cut = Arrays.copyOf(frame, frame.length - 4);
            ByteBuffer b = ByteBuffer.wrap(header(ByteOrder.LITTLE_ENDIAN)).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer rec = ByteBuffer.allocate(16 + cut.length).order(ByteOrder.LITTLE_ENDIAN);
            rec.putInt(6).putInt(0).putInt(cut.length).putInt(frame.length).put(cut);
            byte[] file = concat(b.array(), rec.array());
            try (CaptureRecords r = CaptureRecords.open(new ByteArrayInputStream(file))) {
                assertTrue(r.next());
                assertEquals(frame.length - 4, r.capturedLength());
                assertEquals(frame.length, r.originalLength());
                FrameDecoder.Tcp tcp = (FrameDecoder.Tcp) r.decode();
                assertEquals("[48, 49, 50, 51, 52, 53, 0, 0, 0, 0]", Arrays.toString(tcp.packet().segment().payload()));
                assertEquals(4, tcp.truncatedBy());
            }
        }
    }

    @Nested
    class BadInput {
        CaptureFormatException fails(byte[] file) {
            CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> read(file));
            assertFalse(e.getMessage().contains("\n"), "one line");
            return e;
        }

        void assertFails(String message, long offset, byte[] file) {
            CaptureFormatException e = fails(file);
            assertEquals(message, e.getMessage());
            assertEquals(offset, e.offset());
        }

        @Test
        void emptyOrShortFile() throws Exception {
            assertFails("capture byte 0: the file is empty", 0, new byte[0]);
            assertFails("capture byte 0: file too short for a capture header: 3 bytes", 0, Arrays.copyOf(pcap(List.of()), 3));
            assertFails("pcap byte 10: file too short for a pcap header: 10 of 24 bytes", 10,
                    Arrays.copyOf(pcap(List.of()), 10));
        }

        @Test
        void badMagic() {
            assertFails("capture byte 0: not a pcap or pcapng file: magic 0x47455420", 0,
                    "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            // pcapng's magic, then zeros: the reader is pcapng's, and the byte-order magic is wrong.
            assertFails("pcapng byte 8: section header block: bad byte-order magic 0x00000000", 8, new byte[] {0x0a, 0x0d,
                    0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        }

        @Test
        void unsupportedVersionAndLinkType() throws Exception {
            byte[] v3 = pcap(List.of());
            v3[4] = 3;
            assertFails("pcap byte 4: unsupported pcap version 3.4", 4, v3);
            byte[] wifi = pcap(List.of());
            wifi[20] = 105;
            assertFails("pcap byte 20: link type 105 is not supported (Ethernet 1, raw IP 101/228/229, BSD loopback "
                    + "0/108, Linux cooked 113 and 276, NFLOG 239 are)", 20, wifi);
        }

        @Test
        void truncatedRecordHeader() throws Exception {
            byte[] one = pcap(List.of(syn()));
            byte[] file = Arrays.copyOf(one, one.length + 6);
            assertFails("pcap byte " + one.length + ": record 2: truncated record header: 6 of 16 bytes", one.length,
                    file);
        }

        @Test
        void truncatedRecordData() throws Exception {
            byte[] one = pcap(List.of(syn()));
            int frame = one.length - 40;
            assertFails("pcap byte 24: record 1: truncated record data: " + (frame - 10) + " of " + frame + " bytes",
                    24, Arrays.copyOf(one, one.length - 10));
        }

        @Test
        void recordLongerThanLibpcapAccepts() throws Exception {
            byte[] file = pcap(List.of(syn()));
            ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(32, 300000);
            assertFails("pcap byte 32: record 1: captured length 300000 is larger than the snapshot length 262144", 32, file);
        }

        @Test
        void malformedHeadersPointAtTheByte() throws Exception {
            byte[] ip = pcap(List.of(syn()));
            ip[24 + 16 + 14 + 2] = 0;
            ip[24 + 16 + 14 + 3] = 10;
            assertFails("pcap byte 56: record 1: IPv4 total length 10 < header length 20", 56, ip);
            byte[] option = pcap(List.of(syn()));
            option[24 + 16 + 14 + 20 + 20 + 1] = 0; // the MSS option's length byte
            assertFails("pcap byte 95: record 1: TCP option kind 2 has length 0 but 20 option bytes remain", 95,
                    option);
            byte[] dataOffset = pcap(List.of(syn()));
            dataOffset[24 + 16 + 14 + 20 + 12] = (byte) 0xf0;
            assertFails("pcap byte 86: record 1: TCP data offset 60 > segment length 40", 86, dataOffset);
        }

        @Test
        void packetsBeforeTheDamageAreDelivered() throws Exception {
            byte[] two = pcap(List.of(syn(), data()));
            byte[] cut = Arrays.copyOf(two, two.length - 1);
            try (CaptureRecords r = CaptureRecords.open(new ByteArrayInputStream(cut))) {
                assertEquals(syn(), next(r));
                CaptureFormatException e = assertThrows(CaptureFormatException.class, r::next);
                assertEquals(24 + 16 + FrameEncoder.frame(syn()).length, e.offset());
            }
        }
    }

    static byte[] header(ByteOrder order) {
        ByteBuffer g = ByteBuffer.allocate(24).order(order);
        g.putInt(PcapWriter.MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(PcapWriter.SNAPLEN).putInt(1);
        return g.array();
    }

    static byte[] records(List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header(ByteOrder.LITTLE_ENDIAN));
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(5).putInt(123).putInt(f.length).putInt(f.length);
            out.writeBytes(r.array());
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
