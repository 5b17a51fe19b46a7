package io.tcpsim.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.replay.CaptureFacts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pcapng file's Interface Statistics Blocks: what the capture itself says it lost is reported, per interface. */
class PcapngStatisticsTest {

    private static byte[] block(int type, byte[] body) {
        int length = 12 + ((body.length + 3) & ~3);
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(length).put(body);
        b.position(length - 4);
        b.putInt(length);
        return b.array();
    }

    /**
     * SHB, an Ethernet IDB, one EPB (the test SYN), then ISBs with {isb_ifdrop (5), isb_osdrop (7)} each (-1: another
     * counter in its place).
     */
    static byte[] capture(long[]... statistics) throws Exception {
        byte[] pcap = CaptureRecordsTest.pcap(List.of(CaptureRecordsTest.syn()));
        byte[] frame = Arrays.copyOfRange(pcap, 24 + 16, pcap.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(block(0x0a0d0d0a, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1).array()));
        out.writeBytes(block(1, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 1).putShort((short) 0).putInt(262144).array()));
        ByteBuffer epb = ByteBuffer.allocate(20 + ((frame.length + 3) & ~3)).order(ByteOrder.LITTLE_ENDIAN);
        epb.putInt(0).putInt(0).putInt(5_000_000).putInt(frame.length).putInt(frame.length).put(frame);
        out.writeBytes(block(6, epb.array()));
        for (long[] s : statistics) {
            ByteBuffer isb = ByteBuffer.allocate(12 + 12 + 12 + 4).order(ByteOrder.LITTLE_ENDIAN);
            isb.putInt(0).putInt(0).putInt(6_000_000);
            isb.putShort((short) (s[0] >= 0 ? 5 : 6)).putShort((short) 8).putLong(Math.max(s[0], 0)); // 6: isb_filteraccept
            isb.putShort((short) (s[1] >= 0 ? 7 : 8)).putShort((short) 8).putLong(Math.max(s[1], 0)); // 8: isb_usrdeliv
            isb.putShort((short) 0).putShort((short) 0);
            out.writeBytes(block(5, isb.array()));
        }
        return out.toByteArray();
    }

    private static List<String> drops(byte[] file) throws Exception {
        try (CaptureRecords r = CaptureRecords.open(new ByteArrayInputStream(file))) {
            while (r.next()) {
                // read to the end: the statistics come after the packets
            }
            return r.captureDrops();
        }
    }

    @Test
    void theLastStatisticsOfAnInterfaceGiveItsDrops() throws Exception {
        // Counters are cumulative: the second block's are the capture's.
        assertEquals(List.of("interface 0: 2 packet(s) dropped by the interface (isb_ifdrop), 3 packet(s) dropped by "
                + "the operating system (isb_osdrop)"), drops(capture(new long[] {0, 1}, new long[] {2, 3})));
        assertEquals(List.of(), drops(capture(new long[] {0, 0})));
        assertEquals(List.of(), drops(capture(new long[] {-1, -1})));
        assertEquals(List.of(), drops(capture()));
    }

    @Test
    void replayNamesThemOnTheCapturesLine() throws Exception {
        CaptureFacts f;
        try (CaptureRecords r = CaptureRecords.open(new ByteArrayInputStream(capture(new long[] {-1, 3})))) {
            f = CaptureFacts.learn(r);
        }
        assertEquals(List.of("lost by the capture: interface 0: 3 packet(s) dropped by the operating system "
                + "(isb_osdrop); a packet missing from a flow may be one of them"), f.lines());
    }
}
