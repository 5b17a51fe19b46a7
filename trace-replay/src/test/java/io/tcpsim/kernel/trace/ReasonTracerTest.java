package io.tcpsim.kernel.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.kernel.LibC;
import io.tcpsim.kernel.NamespaceThread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReasonTracerTest {
    @Test
    void aConnectToAClosedPortIsResetWithNoSocket() throws Exception {
        try (NamespaceThread ns = NamespaceThread.start("tracer-test")) {
            long inode = ns.call(NamespaceThread::netnsInode);
            try (ReasonTracer t = new ReasonTracer(inode)) {
                ns.call(() -> {
                    int fd = LibC.C.socket(LibC.AF_INET, LibC.SOCK_STREAM, 0);
                    byte[] sa = new byte[16];
                    sa[0] = 2; sa[2] = 0x10; sa[3] = (byte) 0xe1; sa[4] = 127; sa[7] = 1;
                    LibC.C.connect(fd, sa, 16);
                    LibC.C.close(fd);
                    return null;
                });
                Thread.sleep(50);
                List<ReasonTracer.Record> r = t.drain();
                for (ReasonTracer.Record x : r) System.out.println(x.kind() + " reason " + x.reason() + " sock " + x.sock()
                        + " tcp " + java.util.HexFormat.of().formatHex(x.tcpHeader() == null ? new byte[0] : x.tcpHeader()));
                assertEquals(0, t.lost());
            }
        }
    }
}
