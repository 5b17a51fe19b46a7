package io.tcpsim.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.Event;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.capture.RawFrame;
import io.tcpsim.wire.SockAddr;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/** The run's namespace and the machine's do not see each other; the raw frames make a valid pcap file. */
class IsolationTest {

    @Test
    void theRunAndTheMachineDoNotSeeEachOther(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (KernelBackend k = new KernelBackend()) {
            assertEquals(Result.ok(3), k.call("server", new Call.Socket(0)));
            assertEquals(Result.ok(0), k.call("server", new Call.Bind(3, SockAddr.loopback(4321))));
            assertEquals(Result.ok(0), k.call("server", new Call.Listen(3, 5)));
            k.drainEvents();

            // Traffic on the machine's own lo (this test thread is in the machine's namespace): not captured.
            int hostPort;
            try (ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                 Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                 Socket a = ss.accept()) {
                hostPort = ss.getLocalPort();
                OutputStream out = c.getOutputStream();
                out.write(7);
                InputStream in = a.getInputStream();
                assertEquals(7, in.read());
                // The machine's /proc/net/tcp does not hold the run's listener; the run's does not hold ours.
                // (Java's sockets are dual-stack IPv6 ones: look in tcp6 too.)
                String hostTcp = Files.readString(Path.of("/proc/net/tcp")) + Files.readString(Path.of("/proc/net/tcp6"));
                assertFalse(hostTcp.contains(":10E1 00000000:0000 0A"), "the run's listener leaked to the machine");
                assertTrue(hostTcp.contains(String.format(":%04X", hostPort)));
                assertTrue(k.netstat().stream().noneMatch(r -> r.local().port() == hostPort));
            }
            assertEquals(List.of(), k.drainEvents());

            // The run's own traffic is captured; its frames write out as a pcap file that reads back the same.
            assertEquals(Result.ok(3), k.call("client", new Call.Socket(0)));
            assertEquals(Result.ok(0), k.call("client", new Call.Connect(3, SockAddr.loopback(4321))));
            List<Event> events = k.drainEvents();
            List<RawFrame> frames = k.rawFrames();
            assertEquals(3, frames.size());
            assertEquals(3, events.size());
            for (int i = 0; i < 3; i++) {
                RawFrame f = frames.get(i);
                assertEquals(f.data().length, f.originalLength());
                assertEquals(((Event.PacketSent) events.get(i)).packet(), KernelBackend.decode(f));
                assertFalse(f.timeNanos() % 1000 == 0 && frames.get(0).timeNanos() % 1000 == 0
                        && frames.get(1).timeNanos() % 1000 == 0, "nanosecond timestamps expected");
            }
            Path file = dir.resolve("run.pcap");
            try (PcapHandle dead = Pcaps.openDead(DataLinkType.EN10MB, 262144, PcapHandle.TimestampPrecision.NANO);
                 PcapDumper d = dead.dumpOpen(file.toString())) {
                for (RawFrame f : frames) {
                    java.sql.Timestamp ts = new java.sql.Timestamp(f.timeNanos() / 1_000_000_000L * 1000);
                    ts.setNanos((int) (f.timeNanos() % 1_000_000_000L));
                    d.dumpRaw(f.data(), ts);
                }
            }
            try (PcapHandle in = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO)) {
                for (RawFrame f : frames) {
                    byte[] back = in.getNextRawPacketEx();
                    assertEquals(KernelBackend.decode(f), KernelBackend.decode(new RawFrame(f.timeNanos(), back, back.length)));
                    java.sql.Timestamp ts = in.getTimestamp();
                    assertEquals(f.timeNanos(), ts.getTime() / 1000 * 1_000_000_000L + ts.getNanos());
                }
            }
        }
    }
}
