package io.tcpsim.nio;

import io.tcpsim.wire.FrameEncoder;
import io.tcpsim.wire.Packet;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A classic pcap file of the packets (nanosecond timestamps, Ethernet link type, as trace-replay's PcapWriter and
 * tcpdump -w on lo write them). Written here rather than taken from trace-replay so that a user's test classpath
 * does not get pcap4j, JNA and the rest of trace-replay for one file format of 24 + 16 bytes of headers.
 */
final class PcapFile {
    private PcapFile() {}

    private static final int MAGIC_NANOS = 0xa1b23c4d;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int SNAPLEN = 262144;

    static byte[] of(List<Packet> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                .putInt(LINKTYPE_ETHERNET);
        out.writeBytes(h.array());
        for (Packet p : packets) {
            byte[] frame = FrameEncoder.frame(p);
            long t = p.timeNanos();
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt((int) Math.floorDiv(t, 1_000_000_000L)).putInt((int) Math.floorMod(t, 1_000_000_000L))
                    .putInt(frame.length).putInt(frame.length);
            out.writeBytes(r.array());
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }
}
