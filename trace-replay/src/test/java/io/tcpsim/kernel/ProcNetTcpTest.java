package io.tcpsim.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.TcpState;
import io.tcpsim.wire.SockAddr;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcNetTcpTest {
    static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
            + "timeout inode";

    @Test
    void convertsAsNetstatDoes() {
        List<NetstatRow> rows = ProcNetTcp.parse(List.of(HEADER,
                "   0: 0100007F:10E1 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 7702 1 "
                        + "0000000000000000 100 0 0 10 0",
                "   1: 0100007F:10E1 0100007F:87D8 08 00000000:00000001 00:00000000 00000000     0        0 7704 1 "
                        + "0000000000000000 20 4 1 10 -1",
                "   2: 0100007F:87D8 0100007F:10E1 04 00000001:00000000 01:00000014 00000002     0        0 7703 2 "
                        + "0000000000000000 20 4 1 10 -1",
                "   3: 0100007F:87DA 0100007F:10E1 06 00000000:00000000 03:00001769 00000000     0        0 0 3 "
                        + "0000000000000000"));
        SockAddr server = SockAddr.loopback(4321);
        SockAddr client = SockAddr.loopback(34776);
        assertEquals(List.of(
                new NetstatRow(2, 0, server, SockAddr.ANY, TcpState.LISTEN, "off (0.00/0/0)", false),
                new NetstatRow(1, 0, server, client, TcpState.CLOSE_WAIT, "off (0.00/0/0)", false),
                new NetstatRow(0, 1, client, server, TcpState.FIN_WAIT1, "on (0.20/2/0)", false),
                new NetstatRow(0, 0, SockAddr.loopback(34778), server, TcpState.TIME_WAIT, "timewait (59.93/0/0)", true)),
                rows);
    }
}
