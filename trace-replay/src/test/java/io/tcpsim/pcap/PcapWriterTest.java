package io.tcpsim.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tcpsim.wire.FrameEncoder;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    @TempDir
    Path dir;

    static final Packet SYN = CaptureRecordsTest.syn();

    @Test
    void globalHeaderAndFirstRecordByteForByte() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.open(out)) {
            w.write(SYN);
        }
        String hex = HexFormat.of().formatHex(out.toByteArray());
        // magic a1b23c4d LE, 2.4, zone 0, sigfigs 0, snaplen 262144, EN10MB
        assertEquals("4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "01000000"
                // 5 s, 123 ns, 74 bytes twice
                + "05000000" + "7b000000" + "4a000000" + "4a000000"
                // zero MACs, IPv4
                + "000000000000" + "000000000000" + "0800"
                // 45 00, length 60, id 7, DF, ttl 64, TCP, checksum, 127.0.0.1 twice
                + "4500" + "003c" + "0007" + "4000" + "40" + "06", hex.substring(0, 2 * (24 + 16 + 14 + 10)));
        assertEquals(24 + 16 + 74, out.size());
    }

    @Test
    void replacesAnOldFileAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("out.pcap");
        Files.writeString(file, "old");
        PcapWriter.write(file, List.of(SYN));
        assertEquals(List.of(SYN), CaptureRecords.readPackets(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void aFailureLeavesTheOldFileAsItWas() throws Exception {
        Path file = dir.resolve("out.pcap");
        PcapWriter.write(file, List.of(SYN));
        byte[] before = Files.readAllBytes(file);
        Packet tooManyOptions = new Packet(0, 0, new Segment(SockAddr.loopback(1), SockAddr.loopback(2), 1, 0,
                TcpFlags.SYN, 1, 0, Collections.nCopies(41, TcpOption.NOP), null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PcapWriter.write(file, List.of(SYN, tooManyOptions)));
        assertEquals("TCP options take 41 bytes, more than the 40 a header can hold", e.getMessage().split(":")[0]);
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void timesOutsidePcapsRangeAreRefused() throws Exception {
        try (PcapWriter w = PcapWriter.open(new ByteArrayOutputStream())) {
            Packet early = new Packet(-1, 0, SYN.segment());
            assertEquals("packet time -1 ns is outside pcap's unsigned 32-bit seconds",
                    assertThrows(IllegalArgumentException.class, () -> w.write(early)).getMessage());
        }
    }

    @Test
    void theLargestSegmentFitsAndOneByteMoreDoesNot() {
        Packet max = new Packet(0, 0, new Segment(SockAddr.loopback(1), SockAddr.loopback(2), 1, 0, TcpFlags.ACK, 1,
                0, List.of(), new byte[65535 - 40]));
        assertEquals(14 + 65535, FrameEncoder.frame(max).length);
        Packet over = new Packet(0, 0, new Segment(SockAddr.loopback(1), SockAddr.loopback(2), 1, 0, TcpFlags.ACK, 1,
                0, List.of(), new byte[65535 - 39]));
        assertEquals("IPv4 total length 65536 exceeds 65535 (payload 65496 bytes)",
                assertThrows(IllegalArgumentException.class, () -> FrameEncoder.frame(over)).getMessage());
    }
}
