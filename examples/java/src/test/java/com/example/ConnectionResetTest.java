package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tcpsim.nio.SimNetwork;
import io.tcpsim.nio.TcpsimExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** docs/java-nio.md's worked example: "Connection reset" from a server that closed with unread data. */
@ExtendWith(TcpsimExtension.class)
class ConnectionResetTest {
    @Test
    void aServerThatClosesWithUnreadDataResetsTheConnection(SimNetwork net) throws Exception {
        SelectorProvider provider = net.provider();
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 8080);
        ServerSocketChannel server = provider.openServerSocketChannel().bind(addr);

        Thread serverThread = new Thread(() -> {
            try (SocketChannel s = server.accept()) {
                s.read(ByteBuffer.allocate(4));           // reads "GET " and closes: the rest is unread
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "server");
        serverThread.start();

        SocketChannel client = provider.openSocketChannel();
        client.connect(addr);
        client.write(ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        serverThread.join();

        SocketException e = assertThrows(SocketException.class, () -> client.read(ByteBuffer.allocate(100)));
        assertEquals("Connection reset", e.getMessage());
    }
}
