package io.tcpsim.nio.corpus;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The nine seed scenarios (traces/scenarios/seeds) as Java NIO programs. Where the C program does something NIO
 * cannot say, the program says the nearest thing in NIO and its comment says what differs: a process exit is a
 * close, poll is a selector or finishConnect, socketpair has no NIO form (the seed's pipe half is kept), and an
 * edge-triggered epoll is level-triggered in the JDK.
 */
public final class Seeds {
    private Seeds() {}

    static final InetSocketAddress ADDR = new InetSocketAddress("127.0.0.1", 4321);
    static final Duration TICK = Duration.ofMillis(10);

    static ServerSocketChannel listen(Env env, SelectorProvider p, int port, int backlog) throws Exception {
        ServerSocketChannel a = p.openServerSocketChannel();
        env.ops().op("a.setOption(SO_REUSEADDR, true)", () -> a.setOption(StandardSocketOptions.SO_REUSEADDR, true));
        env.ops().op("a.bind(" + port + ", " + backlog + ")", () -> a.bind(new InetSocketAddress("127.0.0.1", port), backlog));
        return a;
    }

    static Program of(String name, Program.Body body) {
        return new Program() {
            public String name() { return name; }
            public void run(Env env) throws Exception { body.run(env, env.ops(), env.provider()); }
        };
    }

    /** close-then-send: the client closes; the server's first write draws an RST, the second is a broken pipe. */
    static final Program CLOSE_THEN_SEND = of("close-then-send", (env, ops, p) -> {
        ServerSocketChannel a = listen(env, p, 4321, 1);
        SocketChannel c = p.openSocketChannel();
        ops.op("c.configureBlocking(false)", () -> c.configureBlocking(false));
        ops.op("c.connect(4321)", () -> c.connect(ADDR));
        ops.op("c.configureBlocking(true)", () -> c.configureBlocking(true));
        SocketChannel s = ops.op("s = a.accept()", a::accept);
        ops.op("c.finishConnect()", c::finishConnect);
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        env.sleep(TICK);
        ops.write("s.write(\"a\")", s, "a");
        env.sleep(TICK);
        ops.write("s.write(\"a\")", s, "a");
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        ops.op("a.close()", () -> { a.close(); return "ok"; });
    });

    /**
     * epoll-server-client-abort: a non-blocking selector server. A: the client sends a request and goes away (its
     * process exit is a close here); the header write draws [R], the body write is a broken pipe (the JVM catches
     * SIGPIPE, so nothing dies). B: two clients connect before the server selects; the JDK's epoll is
     * level-triggered, so the listener stays ready and the second connection is accepted on the next select.
     */
    static final Program EPOLL_SERVER_CLIENT_ABORT = of("epoll-server-client-abort", (env, ops, p) -> {
        ServerSocketChannel a = listen(env, p, 8080, 16);
        ops.op("a.configureBlocking(false)", () -> a.configureBlocking(false));
        Selector sel = ops.op("sel = Selector.open()", p::openSelector);
        Map<SelectionKey, String> names = new HashMap<>();
        names.put(ops.op("a.register(OP_ACCEPT)", () -> a.register(sel, SelectionKey.OP_ACCEPT)), "a");
        SocketChannel c = p.openSocketChannel();
        ops.op("c.connect(8080)", () -> c.connect(new InetSocketAddress("127.0.0.1", 8080)));
        ops.select("sel.select()", sel, 0, names);
        SocketChannel s = ops.op("s = a.accept()", a::accept);
        ops.op("a.accept()", a::accept);
        ops.op("s.configureBlocking(false)", () -> s.configureBlocking(false));
        names.put(ops.op("s.register(OP_READ)", () -> s.register(sel, SelectionKey.OP_READ)), "s");
        ops.write("c.write(request)", c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        ops.select("sel.select()", sel, 0, names);
        ops.read("s.read(4096)", s, 4096);
        ops.write("s.write(header)", s, "HTTP/1.1 200 OK\r\n");
        ops.write("s.write(body)", s, "Content-Length: 5\r\n\r\nhello");
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        ops.op("a.close()", () -> { a.close(); return "ok"; });
        ops.op("sel.close()", () -> { sel.close(); return "ok"; });
        // Variant B
        ServerSocketChannel l = listen(env, p, 8081, 16);
        ops.op("l.configureBlocking(false)", () -> l.configureBlocking(false));
        Selector sel2 = ops.op("sel2 = Selector.open()", p::openSelector);
        Map<SelectionKey, String> names2 = new HashMap<>();
        names2.put(ops.op("l.register(OP_ACCEPT)", () -> l.register(sel2, SelectionKey.OP_ACCEPT)), "l");
        SocketChannel k1 = p.openSocketChannel(), k2 = p.openSocketChannel();
        ops.op("k1.connect(8081)", () -> k1.connect(new InetSocketAddress("127.0.0.1", 8081)));
        ops.op("k2.connect(8081)", () -> k2.connect(new InetSocketAddress("127.0.0.1", 8081)));
        ops.select("sel2.select()", sel2, 0, names2);
        SocketChannel t1 = ops.op("t1 = l.accept()", l::accept);
        ops.select("sel2.select()", sel2, 0, names2);
        SocketChannel t2 = ops.op("t2 = l.accept()", l::accept);
        for (var ch : List.of(k1, k2, t1, t2)) ops.op("close", () -> { ch.close(); return "ok"; });
        ops.op("sel2.close()", () -> { sel2.close(); return "ok"; });
        ops.op("l.close()", () -> { l.close(); return "ok"; });
    });

    /** fin-detection: the selector reports the FIN as READ; read drains the data, then returns -1. */
    static final Program FIN_DETECTION = of("fin-detection", (env, ops, p) -> {
        ServerSocketChannel a = listen(env, p, 4321, 1);
        SocketChannel c = p.openSocketChannel();
        ops.op("c.connect(4321)", () -> c.connect(ADDR));
        SocketChannel s = ops.op("s = a.accept()", a::accept);
        ops.write("c.write(\"hello\")", c, "hello");
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        ops.op("s.configureBlocking(false)", () -> s.configureBlocking(false));
        Selector sel = ops.op("sel = Selector.open()", p::openSelector);
        Map<SelectionKey, String> names = new HashMap<>();
        names.put(ops.op("s.register(OP_READ)", () -> s.register(sel, SelectionKey.OP_READ)), "s");
        ops.select("sel.select(1000)", sel, 1000, names);
        ops.read("s.read(1024)", s, 1024);
        ops.read("s.read(1024)", s, 1024);
        ops.op("sel.close()", () -> { sel.close(); return "ok"; });
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        ops.op("a.close()", () -> { a.close(); return "ok"; });
    });

    /**
     * linger-zero-unread-data: the receiver reads the bytes that arrived before the RST, then gets "Connection
     * reset"; unlike recv(2), which returns 0 after that, the JDK throws "Connection reset" again (the channel
     * remembers it).
     */
    static final Program LINGER_ZERO_UNREAD_DATA = of("linger-zero-unread-data", (env, ops, p) -> {
        ServerSocketChannel a = listen(env, p, 4321, 1);
        SocketChannel c = p.openSocketChannel();
        ops.op("c.connect(4321)", () -> c.connect(ADDR));
        SocketChannel s = ops.op("s = a.accept()", a::accept);
        ops.write("c.write(\"hello\")", c, "hello");
        ops.op("c.setOption(SO_LINGER, 0)", () -> c.setOption(StandardSocketOptions.SO_LINGER, 0));
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        ops.op("s.configureBlocking(false)", () -> s.configureBlocking(false));
        Selector sel = ops.op("sel = Selector.open()", p::openSelector);
        Map<SelectionKey, String> names = new HashMap<>();
        names.put(ops.op("s.register(OP_READ)", () -> s.register(sel, SelectionKey.OP_READ)), "s");
        ops.select("sel.select()", sel, 0, names);
        ops.read("s.read(1024)", s, 1024);
        ops.read("s.read(1024)", s, 1024);
        ops.read("s.read(1024)", s, 1024);
        ops.op("sel.close()", () -> { sel.close(); return "ok"; });
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        ops.op("a.close()", () -> { a.close(); return "ok"; });
    });

    /** linger-zero: close with SO_LINGER 0 sends [R.]; the first write meets the reset, the second a broken pipe. */
    static final Program LINGER_ZERO = of("linger-zero", (env, ops, p) -> {
        ServerSocketChannel a = listen(env, p, 4321, 1);
        SocketChannel c = p.openSocketChannel();
        ops.op("c.connect(4321)", () -> c.connect(ADDR));
        SocketChannel s = ops.op("s = a.accept()", a::accept);
        ops.op("c.setOption(SO_LINGER, 0)", () -> c.setOption(StandardSocketOptions.SO_LINGER, 0));
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        ops.write("s.write(\"a\")", s, "a");
        ops.write("s.write(\"a\")", s, "a");
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        ops.op("a.close()", () -> { a.close(); return "ok"; });
    });

    /** python-broken-pipe: the server reads and closes; a second later one write succeeds, the next is broken. */
    static final Program PYTHON_BROKEN_PIPE = of("python-broken-pipe", (env, ops, p) -> {
        ServerSocketChannel a = listen(env, p, 4321, 1);
        SocketChannel c = p.openSocketChannel();
        ops.op("c.connect(4321)", () -> c.connect(ADDR));
        SocketChannel s = ops.op("s = a.accept()", a::accept);
        ops.write("c.write(\"hello\")", c, "hello");
        ops.read("s.read(1024)", s, 1024);
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        env.sleep(Duration.ofSeconds(1));
        ops.write("c.write(\"hello\")", c, "hello");
        ops.write("c.write(\"hello\")", c, "hello");
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        ops.op("a.close()", () -> { a.close(); return "ok"; });
    });

    /**
     * server-shutdown-then-send: after shutdownOutput the JDK refuses the write itself (AsynchronousCloseException,
     * no system call, so no EPIPE); the client reads -1.
     */
    static final Program SERVER_SHUTDOWN_THEN_SEND = of("server-shutdown-then-send", (env, ops, p) -> {
        ServerSocketChannel a = listen(env, p, 4321, 1);
        SocketChannel c = p.openSocketChannel();
        ops.op("c.connect(4321)", () -> c.connect(ADDR));
        SocketChannel s = ops.op("s = a.accept()", a::accept);
        ops.op("s.shutdownOutput()", () -> { s.shutdownOutput(); return "ok"; });
        ops.write("s.write(\"a\")", s, "a");
        ops.read("c.read(16)", c, 16);
        env.sleep(TICK);
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        ops.op("a.close()", () -> { a.close(); return "ok"; });
    });

    /**
     * shutdown-then-send: as close-then-send with shutdownOutput instead of close: the server's bytes are queued and
     * ACKed; the client's close, with them unread, sends [R.] instead of a FIN.
     */
    static final Program SHUTDOWN_THEN_SEND = of("shutdown-then-send", (env, ops, p) -> {
        ServerSocketChannel a = listen(env, p, 4321, 1);
        SocketChannel c = p.openSocketChannel();
        ops.op("c.configureBlocking(false)", () -> c.configureBlocking(false));
        ops.op("c.connect(4321)", () -> c.connect(ADDR));
        ops.op("c.configureBlocking(true)", () -> c.configureBlocking(true));
        SocketChannel s = ops.op("s = a.accept()", a::accept);
        ops.op("c.finishConnect()", c::finishConnect);
        ops.op("c.shutdownOutput()", () -> { c.shutdownOutput(); return "ok"; });
        env.sleep(TICK);
        ops.write("s.write(\"a\")", s, "a");
        env.sleep(TICK);
        ops.write("s.write(\"a\")", s, "a");
        env.sleep(Duration.ofSeconds(1));
        ops.op("c.close()", () -> { c.close(); return "ok"; });
        ops.op("s.close()", () -> { s.close(); return "ok"; });
        ops.op("a.close()", () -> { a.close(); return "ok"; });
    });

    /**
     * socketpair-and-pipe, its pipe half (NIO has no socketpair): with the read end closed the write is a broken
     * pipe, and the sink's key reports the error as every op it is interested in; a pipe read after the writer's
     * close gets its byte, then -1.
     */
    static final Program SOCKETPAIR_AND_PIPE = of("socketpair-and-pipe", (env, ops, p) -> {
        Pipe pipe = ops.op("pipe = Pipe.open()", p::openPipe);
        ops.op("source.close()", () -> { pipe.source().close(); return "ok"; });
        ops.write("sink.write(\"x\")", pipe.sink(), "x");
        ops.op("sink.configureBlocking(false)", () -> pipe.sink().configureBlocking(false));
        Selector sel = ops.op("sel = Selector.open()", p::openSelector);
        Map<SelectionKey, String> names = new HashMap<>();
        names.put(ops.op("sink.register(OP_WRITE)", () -> pipe.sink().register(sel, SelectionKey.OP_WRITE)), "sink");
        ops.select("sel.selectNow()", sel, 0, names);
        ops.op("sink.close()", () -> { pipe.sink().close(); return "ok"; });
        ops.op("sel.close()", () -> { sel.close(); return "ok"; });
        Pipe q = ops.op("q = Pipe.open()", p::openPipe);
        ops.write("q.sink.write(\"x\")", q.sink(), "x");
        ops.op("q.sink.close()", () -> { q.sink().close(); return "ok"; });
        ops.read("q.source.read(10)", q.source(), 10);
        ops.read("q.source.read(10)", q.source(), 10);
        ops.op("q.source.close()", () -> { q.source().close(); return "ok"; });
    });

    public static final List<Program> ALL = List.of(CLOSE_THEN_SEND, EPOLL_SERVER_CLIENT_ABORT, FIN_DETECTION,
            LINGER_ZERO_UNREAD_DATA, LINGER_ZERO, PYTHON_BROKEN_PIPE, SERVER_SHUTDOWN_THEN_SEND, SHUTDOWN_THEN_SEND,
            SOCKETPAIR_AND_PIPE);
}
