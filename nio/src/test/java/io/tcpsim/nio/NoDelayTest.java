package io.tcpsim.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TCP_NODELAY, which the model does not have yet (issue 12): taken while Nagle holds nothing back (then Linux with
 * the option and the model without it send the same segments), refused at the write where Nagle would hold bytes.
 */
@ExtendWith(TcpsimExtension.class)
class NoDelayTest {
    static final InetSocketAddress ADDR = new InetSocketAddress("127.0.0.1", 4321);

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void aRequestAndItsAnswerGoOutAsWithoutTheOption(SimNetwork net) throws Exception {
        ServerSocketChannel server = net.provider().openServerSocketChannel().bind(ADDR);
        SocketChannel c = net.provider().openSocketChannel();
        assertFalse(c.getOption(StandardSocketOptions.TCP_NODELAY));
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(c.getOption(StandardSocketOptions.TCP_NODELAY));
        assertTrue(c.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY));
        c.connect(ADDR);
        SocketChannel s = server.accept();
        assertEquals(4, c.write(bytes("ping")));
        assertEquals(4, s.read(ByteBuffer.allocate(10)));
        net.sleep(Duration.ofMillis(100));
        assertEquals(4, c.write(bytes("pong"))); // everything before it acknowledged: nothing held
        assertTrue(net.tcpdump().stream().anyMatch(l -> l.contains("length 4") && l.contains("seq 5:9")), () -> String.join("\n", net.trace()));
    }

    /**
     * A request answered at once puts the server in delayed-ACK (pingpong) mode (tcp_event_data_sent), so the next
     * small segment stays unacknowledged for the delayed-ACK timer: the client writes "a", and Nagle would hold "b".
     */
    private static SocketChannel afterAnExchange(SimNetwork net, boolean noDelay) throws Exception {
        ServerSocketChannel server = net.provider().openServerSocketChannel().bind(ADDR);
        SocketChannel c = net.provider().openSocketChannel();
        if (noDelay) c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.connect(ADDR);
        SocketChannel s = server.accept();
        c.write(bytes("request"));
        s.read(ByteBuffer.allocate(100));
        s.write(bytes("answer"));
        c.read(ByteBuffer.allocate(100));
        return c;
    }

    @Test
    void aWriteThatNagleWouldHoldIsRefused(SimNetwork net) throws Exception {
        SocketChannel c = afterAnExchange(net, true);
        c.write(bytes("a")); // a small segment in flight, its ACK delayed
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> c.write(bytes("b")));
        assertEquals("'TCP_NODELAY' not modelled yet: 1 byte(s) written and held unsent (Nagle), which Linux with "
                + "TCP_NODELAY sends at once (docs/java-nio.md, docs/model.md)", e.getMessage());
    }

    @Test
    void withoutTheOptionNagleHoldsTheSameWrite(SimNetwork net) throws Exception {
        SocketChannel c = afterAnExchange(net, false);
        c.write(bytes("a"));
        assertEquals(1, c.write(bytes("b"))); // held until "a" is acknowledged, then sent
        assertEquals(1, NoDelay.unsent(net.kernel(), ((SimSocketChannel) c).fd));
    }

    @Test
    void settingItWhileNagleHoldsBytesIsRefused(SimNetwork net) throws Exception {
        SocketChannel c = afterAnExchange(net, false);
        c.write(bytes("a"));
        c.write(bytes("b"));
        assertThrows(UnsupportedOperationException.class, () -> c.setOption(StandardSocketOptions.TCP_NODELAY, true));
        assertFalse(c.getOption(StandardSocketOptions.TCP_NODELAY));
    }
}
