package io.tcpsim.nio.corpus;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

/** The corpus beyond the seeds: programs with threads of their own. */
public final class More {
    private More() {}

    static final InetSocketAddress HTTP = new InetSocketAddress("127.0.0.1", 8080);

    /**
     * docs/java-nio.md's worked example: a server thread reads the first 4 bytes of a request and closes with the rest
     * unread, so its close sends [R.]; the client, reading its answer, gets "Connection reset".
     */
    static final Program SERVER_CLOSES_UNREAD = Seeds.of("server-closes-unread", (env, ops, p) -> {
        ServerSocketChannel server = p.openServerSocketChannel();
        ops.op("server.bind(8080)", () -> server.bind(HTTP));
        Thread t = new Thread(() -> {
            SocketChannel s = ops.op("s = server.accept()", server::accept);
            ops.read("s.read(4)", s, 4);
            ops.op("s.close()", () -> { s.close(); return "ok"; });
        }, "server");
        t.start();
        SocketChannel c = p.openSocketChannel();
        ops.op("c.connect(8080)", () -> c.connect(HTTP));
        ops.write("c.write(request)", c, "GET / HTTP/1.1\r\n\r\n");
        t.join();
        ops.read("c.read(100)", c, 100);
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        ops.op("server.close()", () -> { server.close(); return "ok"; });
    });

    /**
     * A blocking reader in one thread, a writer in another that first waits a second: the reader's read returns
     * when the data comes, a second later; the delayed ACK of the data and the close's FIN exchange follow.
     */
    static final Program BLOCKED_READER = Seeds.of("blocked-reader", (env, ops, p) -> {
        ServerSocketChannel server = p.openServerSocketChannel();
        ops.op("server.bind(8080)", () -> server.bind(HTTP));
        SocketChannel c = p.openSocketChannel();
        ops.op("c.connect(8080)", () -> c.connect(HTTP));
        SocketChannel s = ops.op("s = server.accept()", server::accept);
        Thread writer = new Thread(() -> {
            try {
                env.sleep(java.time.Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            ops.write("s.write(\"ping\")", s, "ping");
        }, "writer");
        writer.start();
        ops.read("c.read(100)", c, 100);
        writer.join();
        env.sleep(java.time.Duration.ofMillis(100));
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        ops.op("server.close()", () -> { server.close(); return "ok"; });
    });

    /**
     * A full backlog: listen(1) and three clients. Two connections complete (the accept queue holds backlog + 1);
     * the third client's SYN is dropped while the queue is full, and its non-blocking connect stays pending.
     */
    static final Program BACKLOG_FULL = Seeds.of("backlog-full", (env, ops, p) -> {
        ServerSocketChannel server = p.openServerSocketChannel();
        ops.op("server.bind(8080, 1)", () -> server.bind(HTTP, 1));
        SocketChannel[] cs = new SocketChannel[3];
        for (int i = 0; i < 3; i++) {
            SocketChannel c = cs[i] = p.openSocketChannel();
            int n = i + 1;
            ops.op("c" + n + ".configureBlocking(false)", () -> c.configureBlocking(false));
            ops.op("c" + n + ".connect(8080)", () -> c.connect(HTTP));
            ops.op("c" + n + ".finishConnect()", c::finishConnect);
        }
        env.sleep(java.time.Duration.ofMillis(100));
        for (int i = 0; i < 3; i++) {
            SocketChannel c = cs[i];
            ops.op("c" + (i + 1) + ".finishConnect()", c::finishConnect);
        }
        for (SocketChannel c : cs) ops.op("close", () -> { c.close(); return "ok"; });
        ops.op("server.close()", () -> { server.close(); return "ok"; });
    });

    /**
     * A peer thread killed mid-transfer: the server sends the first part of an answer; the client thread reads it
     * and blocks for the rest, and is interrupted (the JDK closes its channel: ClosedByInterruptException), so its
     * socket closes with a FIN. The server's next part draws an RST (the socket is gone), the one after that is a
     * broken pipe.
     */
    static final Program PEER_THREAD_KILLED = Seeds.of("peer-thread-killed", (env, ops, p) -> {
        ServerSocketChannel server = p.openServerSocketChannel();
        ops.op("server.bind(8080)", () -> server.bind(HTTP));
        Thread reader = new Thread(() -> {
            try {
                SocketChannel c = p.openSocketChannel();
                ops.op("c.connect(8080)", () -> c.connect(HTTP));
                ops.read("c.read(5)", c, 5);
                ops.read("c.read(100)", c, 100); // blocks: interrupted
                ops.op("c.isOpen()", c::isOpen);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "client");
        reader.start();
        SocketChannel s = ops.op("s = server.accept()", server::accept);
        ops.write("s.write(\"part1\")", s, "part1");
        env.sleep(java.time.Duration.ofMillis(100));
        ops.op("client.interrupt()", () -> { reader.interrupt(); return "ok"; });
        reader.join();
        env.sleep(java.time.Duration.ofMillis(50));
        ops.write("s.write(\"part2\")", s, "part2");
        env.sleep(java.time.Duration.ofMillis(50));
        ops.write("s.write(\"part3\")", s, "part3");
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        ops.op("server.close()", () -> { server.close(); return "ok"; });
    });

    /**
     * com.sun.net.httpserver's dispatcher in plain NIO: a readable key is cancelled and its channel put in blocking
     * mode before the selector has let go of the key; a close then (the request unread) sends nothing on Linux, not
     * the FIN a close in non-blocking mode sends (SocketChannelImpl.implCloseBlockingMode: no shutdown(SHUT_WR));
     * the descriptor closes at the next select, and the unread request makes that an RST. The client reads the reset.
     */
    static final Program CLOSE_CANCELLED_BLOCKING = Seeds.of("close-cancelled-key-blocking", (env, ops, p) -> {
        ServerSocketChannel server = p.openServerSocketChannel();
        ops.op("server.bind(8080)", () -> server.bind(HTTP));
        SocketChannel c = p.openSocketChannel();
        ops.op("c.connect(8080)", () -> c.connect(HTTP));
        SocketChannel s = ops.op("s = server.accept()", server::accept);
        java.nio.channels.Selector sel = p.openSelector();
        ops.op("s.configureBlocking(false)", () -> s.configureBlocking(false));
        java.nio.channels.SelectionKey key = ops.op("s.register(sel, OP_READ)",
                () -> s.register(sel, java.nio.channels.SelectionKey.OP_READ));
        ops.write("c.write(request)", c, "GET / HTTP/1.1\r\n\r\n");
        ops.select("sel.select()", sel, 1000, java.util.Map.of(key, "s"));
        ops.op("key.cancel()", () -> { key.cancel(); return "ok"; });
        ops.op("s.configureBlocking(true)", () -> s.configureBlocking(true));
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        env.sleep(java.time.Duration.ofMillis(50));
        ops.op("sel.selectNow()", sel::selectNow);
        ops.read("c.read(100)", c, 100);
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        ops.op("sel.close()", () -> { sel.close(); return "ok"; });
        ops.op("server.close()", () -> { server.close(); return "ok"; });
    });

    public static final List<Program> ALL = List.of(SERVER_CLOSES_UNREAD, BLOCKED_READER, BACKLOG_FULL, PEER_THREAD_KILLED,
            CLOSE_CANCELLED_BLOCKING);

    @SuppressWarnings("unused")
    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes());
    }
}
