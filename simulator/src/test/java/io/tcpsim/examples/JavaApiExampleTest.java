package io.tcpsim.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.backend.Event;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpdumpPrinter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example of docs/java-api.md, compiled and run: if it breaks, the documentation is wrong. */
class JavaApiExampleTest {
    @Test
    void closeThenSendThroughTheJavaApi() {
        // -- the example starts here --
        Model host = new Model(Profile.linux6(), 42);          // one Linux host, seed 42
        SockAddr addr = SockAddr.loopback(4321);

        int a = (int) host.call("server", new Call.Socket(0)).value();
        host.call("server", new Call.Bind(a, addr));
        host.call("server", new Call.Listen(a, 1));
        int c = (int) host.call("client", new Call.Socket(0)).value();
        host.call("client", new Call.Connect(c, addr));        // blocks (virtually) until established
        int s = (int) host.call("server", new Call.Accept(a, 0)).value();

        host.call("client", new Call.Close(c));
        host.sleep(10_000_000);                                // 10 ms: the FIN's ACK goes on the next tick
        List<NetstatRow> table = host.netstat();

        byte[] one = "a".getBytes(StandardCharsets.US_ASCII);
        Result first = host.call("server", new Call.Send(s, one, Bits.MSG_NOSIGNAL, false));
        Result second = host.call("server", new Call.Send(s, one, Bits.MSG_NOSIGNAL, false));

        TcpdumpPrinter tcpdump = new TcpdumpPrinter();
        List<String> lines = new ArrayList<>();
        for (Event e : host.drainEvents()) {
            if (e instanceof Event.PacketSent p) lines.add(tcpdump.print(p.packet()));
        }
        // -- the example ends here --

        assertEquals(List.of(TcpState.LISTEN, TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2),
                table.stream().map(NetstatRow::state).toList());
        assertEquals(1, first.value());
        assertEquals(Errno.EPIPE, second.errno());
        assertEquals(7, lines.size()); // S, S., ., F., . (ACK of FIN), P., R
        assertEquals(true, lines.get(6).contains("Flags [R], seq "));
    }
}
