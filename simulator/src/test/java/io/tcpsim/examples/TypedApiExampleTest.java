package io.tcpsim.examples;

import static io.tcpsim.calls.Calls.MSG_NOSIGNAL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tcpsim.api.Host;
import io.tcpsim.api.SyscallException;
import io.tcpsim.backend.Event;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Calls;
import io.tcpsim.calls.Errno;
import io.tcpsim.model.Model;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.model.Profile;
import io.tcpsim.backend.TcpState;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.SockAddr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/java-api.md's typed example (Host, Calls), compiled and run; and the named factories build exactly the
 * records the positional constructors do, so the same program through either gives the same packets.
 */
class TypedApiExampleTest {
    @Test
    void closeThenSendWithTypedCalls() {
        // -- the example starts here --
        Host host = Host.model(42);                            // one Linux host (Profile.linux6()), seed 42
        Host.Process server = host.process("server"), client = host.process("client");

        int a = server.listenOn(4321, 1);                      // socket, bind 127.0.0.1:4321, listen
        int c = client.connectTo(4321);                        // blocks (virtually) until established
        int s = server.accept(a);

        client.close(c);
        host.sleep(Duration.ofMillis(10));                     // the FIN's ACK goes on the next tick
        List<NetstatRow> table = host.netstat();               // LISTEN, CLOSE_WAIT, FIN_WAIT2

        int sent = server.send(s, "a", MSG_NOSIGNAL);          // 1: the closed peer answers with an RST
        SyscallException e = assertThrows(SyscallException.class, () -> server.send(s, "a", MSG_NOSIGNAL));
        // e.errno() == Errno.EPIPE; e.getMessage(): "server: send(4) = -1 EPIPE (Broken pipe)"
        // -- the example ends here --

        assertEquals(List.of(TcpState.LISTEN, TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2),
                table.stream().map(NetstatRow::state).toList());
        assertEquals(1, sent);
        assertEquals(Errno.EPIPE, e.errno());
        assertEquals("server: send(4) = -1 EPIPE (Broken pipe)", e.getMessage()); // as the example says
        assertEquals(packetsOfTheRawApi(), host.packets());
    }

    /** JavaApiExampleTest's program, positional records and all. */
    private static List<Packet> packetsOfTheRawApi() {
        Model host = new Model(Profile.linux6(), 42);
        SockAddr addr = SockAddr.loopback(4321);
        int a = (int) host.call("server", new Call.Socket(0)).value();
        host.call("server", new Call.Bind(a, addr));
        host.call("server", new Call.Listen(a, 1));
        int c = (int) host.call("client", new Call.Socket(0)).value();
        host.call("client", new Call.Connect(c, addr));
        int s = (int) host.call("server", new Call.Accept(a, 0)).value();
        host.call("client", new Call.Close(c));
        host.sleep(10_000_000);
        byte[] one = {'a'};
        host.call("server", new Call.Send(s, one, Bits.MSG_NOSIGNAL, false));
        host.call("server", new Call.Send(s, one, Bits.MSG_NOSIGNAL, false));
        List<Packet> out = new ArrayList<>();
        for (Event ev : host.drainEvents()) if (ev instanceof Event.PacketSent p) out.add(p.packet());
        return out;
    }

    @Test
    void theFactoriesBuildThePositionalRecords() {
        byte[] b = {1, 2};
        assertEquals(new Call.Recv(3, 100, 0, false), Calls.recv(3, 100));
        assertEquals(new Call.Recv(3, 100, Bits.MSG_PEEK, false), Calls.recv(3, 100, Calls.MSG_PEEK));
        assertEquals(new Call.Recv(3, 100, 0, true), Calls.read(3, 100));
        assertSend(new Call.Send(3, b, Bits.MSG_NOSIGNAL, false), Calls.send(3, b, MSG_NOSIGNAL));
        assertSend(new Call.Send(3, b, 0, true), Calls.write(3, b));
        assertEquals(new Call.Accept(3, 0), Calls.accept(3));
        assertEquals(new Call.Shutdown(3, Bits.SHUT_WR), Calls.shutdown(3, Calls.SHUT_WR));
        assertEquals(new Call.Fcntl(3, Bits.F_SETFL, Bits.O_NONBLOCK), Calls.nonBlocking(3));
    }

    private static void assertSend(Call expected, Call actual) {
        Call.Send e = (Call.Send) expected, a = (Call.Send) actual;
        assertEquals(List.of(e.fd(), e.flags(), e.write()), List.of(a.fd(), a.flags(), a.write()));
        assertArrayEquals(e.data(), a.data());
    }

    /** docs/java-nio.md's worked example (kernel-checked as nio's More.SERVER_CLOSES_UNREAD), on the typed API. */
    @Test
    void aResetIsAnErrnoAndEndOfStreamIsEmpty() {
        Host host = Host.model(7);
        Host.Process server = host.process("server"), client = host.process("client");
        int a = server.listenOn(8080, 1);
        int c = client.connectTo(8080);
        int s = server.accept(a);
        client.write(c, "GET / HTTP/1.1\r\n\r\n");
        assertEquals("GET ", server.recvText(s, 4));
        server.close(s);                                       // 14 bytes unread: an RST
        SyscallException e = assertThrows(SyscallException.class, () -> client.recv(c, 100));
        assertEquals(Errno.ECONNRESET, e.errno());
        assertEquals("client: recv(" + c + ") = -1 ECONNRESET (Connection reset by peer)", e.getMessage());

        int c2 = client.connectTo(8080);
        int s2 = server.accept(a);
        client.close(c2);
        assertEquals("", server.recvText(s2, 100));            // the FIN: end of stream
    }
}
