package io.tcpsim.kernel.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.backend.DropReason;
import io.tcpsim.backend.RstReason;
import io.tcpsim.kernel.LibC;
import io.tcpsim.kernel.NamespaceThread;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tracer on the real kernel: it records the reasons of its own namespace, exactly, and nothing of another
 * namespace's. Needs root (bpf and a network namespace): fails, never skips.
 */
class ReasonTracerTest {
    private static final int PORT = 4321;

    /** connect() to a port nobody listens on, on the namespace thread: the SYN is answered with an RST. */
    private static void connectToClosedPort(NamespaceThread ns) {
        ns.call(() -> {
            int fd = LibC.C.socket(LibC.AF_INET, LibC.SOCK_STREAM, 0);
            byte[] sa = new byte[16];
            sa[0] = (byte) LibC.AF_INET;
            sa[2] = (byte) (PORT >>> 8);
            sa[3] = (byte) PORT;
            sa[4] = 127;
            sa[7] = 1;
            LibC.C.connect(fd, sa, sa.length);
            LibC.C.close(fd);
            return null;
        });
    }

    private static List<String> described(List<ReasonTracer.Record> records) {
        List<String> out = new ArrayList<>();
        for (ReasonTracer.Record r : records) {
            String what = switch (r.kind()) {
                case SEND_RESET -> "tcp_send_reset " + RstReason.ofKernelValue(r.reason());
                case KFREE_SKB -> "kfree_skb " + DropReason.ofKernelValue(r.reason());
                case RECEIVE_RESET -> "tcp_receive_reset";
            };
            if (r.tcpHeader() != null) {
                var s = KernelReasons.segment(r);
                what += " segment " + (s.dst().port() == PORT ? "to " : "from ") + PORT + " flags " + s.flags();
            }
            if (r.sock() != null) what += " socket state " + r.sock().state();
            out.add(what);
        }
        return out;
    }

    private static List<ReasonTracer.Record> settle(ReasonTracer t) throws InterruptedException {
        List<ReasonTracer.Record> all = new ArrayList<>();
        for (int i = 0; i < 20 && all.size() < 3; i++) {
            all.addAll(t.drain());
            Thread.sleep(10);
        }
        Thread.sleep(50);
        all.addAll(t.drain());
        return all;
    }

    @Test
    void aConnectToAClosedPortIsAnsweredAndDroppedWithNoSocket() throws Exception {
        try (NamespaceThread ns = NamespaceThread.start("tracer-test");
             ReasonTracer t = new ReasonTracer(ns.call(NamespaceThread::netnsInode))) {
            connectToClosedPort(ns);
            // Measured on 6.18.44: the reply (no socket: the SYN's headers), the SYN freed with NO_SOCKET, and the
            // client taking the RST in SYN_SENT (2).
            assertEquals(List.of("tcp_send_reset NO_SOCKET segment to 4321 flags 2",
                    "kfree_skb NO_SOCKET segment to 4321 flags 2",
                    "tcp_receive_reset socket state 2"), described(settle(t)));
            assertEquals(0, t.lost());
        }
    }

    @Test
    void anotherNamespacesEventsAreNotRecorded() throws Exception {
        try (NamespaceThread mine = NamespaceThread.start("tracer-mine");
             NamespaceThread other = NamespaceThread.start("tracer-other");
             ReasonTracer t = new ReasonTracer(mine.call(NamespaceThread::netnsInode))) {
            for (int i = 0; i < 5; i++) connectToClosedPort(other);
            connectToClosedPort(mine);
            assertEquals(3, settle(t).size());
        }
    }
}
