package io.tcpsim.nio.examples;

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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/java-nio.md's worked example: a server that closes a connection with part of the request unread resets it,
 * and the client, reading the answer, gets "Connection reset". The same program runs on the kernel in the corpus
 * (More.SERVER_CLOSES_UNREAD), where its calls and packets agree with these.
 */
@ExtendWith(TcpsimExtension.class)
class ConnectionResetExampleTest {

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
        assertEquals(List.of(
                "00:00:00.000000 IP 127.0.0.1.60004 > 127.0.0.1.8080: Flags [S], seq 3822200633, win 65495, options [mss 65495,sackOK,TS val 3220065313 ecr 0,nop,wscale 10], length 0",
                "00:00:00.000010 IP 127.0.0.1.8080 > 127.0.0.1.60004: Flags [S.], seq 1503147634, ack 3822200634, win 65483, options [mss 65495,sackOK,TS val 159750304 ecr 3220065313,nop,wscale 10], length 0",
                "00:00:00.000020 IP 127.0.0.1.60004 > 127.0.0.1.8080: Flags [.], ack 1, win 64, options [nop,nop,TS val 3220065313 ecr 159750304], length 0",
                "00:00:00.000030 IP 127.0.0.1.60004 > 127.0.0.1.8080: Flags [P.], seq 1:19, ack 1, win 64, options [nop,nop,TS val 3220065313 ecr 159750304], length 18: HTTP: GET / HTTP/1.1",
                "00:00:00.000040 IP 127.0.0.1.8080 > 127.0.0.1.60004: Flags [.], ack 19, win 64, options [nop,nop,TS val 159750304 ecr 3220065313], length 0",
                "00:00:00.000050 IP 127.0.0.1.8080 > 127.0.0.1.60004: Flags [R.], seq 1, ack 19, win 64, options [nop,nop,TS val 159750304 ecr 3220065313], length 0"), net.tcpdump());
    }
}
