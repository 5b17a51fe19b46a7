package com.example;

import static io.tcpsim.calls.Calls.MSG_NOSIGNAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tcpsim.api.Host;
import io.tcpsim.api.SyscallException;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Errno;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/java-api.md's example on the typed API: close, then send twice (the second is EPIPE). */
class TypedApiTest {
    @Test
    void closeThenSend() {
        Host host = Host.model(42);                            // one Linux host (Profile.linux6()), seed 42
        Host.Process server = host.process("server"), client = host.process("client");

        int a = server.listenOn(4321, 1);                      // socket, bind 127.0.0.1:4321, listen
        int c = client.connectTo(4321);                        // blocks (virtually) until established
        int s = server.accept(a);

        client.close(c);
        host.sleep(Duration.ofMillis(10));                     // the FIN's ACK goes on the next tick
        List<NetstatRow> table = host.netstat();

        assertEquals(List.of(TcpState.LISTEN, TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2),
                table.stream().map(NetstatRow::state).toList());
        assertEquals(1, server.send(s, "a", MSG_NOSIGNAL));   // the closed peer answers with an RST
        SyscallException e = assertThrows(SyscallException.class, () -> server.send(s, "a", MSG_NOSIGNAL));
        assertEquals(Errno.EPIPE, e.errno());
        assertEquals(7, host.packets().size());               // S, S., ., F., ., P., R
    }
}
