package io.tcpsim.nio.examples;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A small HTTP server (a selector loop) and client in plain java.nio, with no tcpsim in sight: started with
 * -Djava.nio.channels.spi.SelectorProvider=io.tcpsim.nio.TcpsimSelectorProvider it runs on the model
 * (PlainHttpProgramTest), without it on the real network.
 */
public final class PlainHttp {
    public static void main(String[] args) throws Exception {
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 8080);
        ServerSocketChannel server = ServerSocketChannel.open().bind(addr);
        server.configureBlocking(false);
        Selector sel = Selector.open();
        server.register(sel, SelectionKey.OP_ACCEPT);
        Thread loop = new Thread(() -> serve(sel), "server");
        loop.start();

        try (SocketChannel c = SocketChannel.open(addr)) {
            c.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer b = ByteBuffer.allocate(1024);
            while (c.read(b) >= 0) { /* until the server closes */ }
            System.out.println("client got: " + new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).lines().findFirst().orElse(""));
        }
        loop.join();
        sel.close();
        server.close();
    }

    private static void serve(Selector sel) {
        try {
            while (true) {
                sel.select();
                for (var it = sel.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k.isAcceptable()) {
                        SocketChannel s = ((ServerSocketChannel) k.channel()).accept();
                        s.configureBlocking(false);
                        s.register(sel, SelectionKey.OP_READ);
                    } else if (k.isReadable()) {
                        SocketChannel s = (SocketChannel) k.channel();
                        if (s.read(ByteBuffer.allocate(1024)) <= 0) continue;
                        s.write(ByteBuffer.wrap("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi".getBytes(StandardCharsets.US_ASCII)));
                        s.close();
                        return; // one request is the whole demonstration
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
