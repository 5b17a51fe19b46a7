import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.*;
import java.util.concurrent.Callable;

/**
 * Measures what the running JDK's own NIO provider throws (type and message) for each condition the tcpsim
 * provider maps from an errno. Run in a fresh network namespace (see README.md beside this file):
 *   unshare -n sh -c 'ip link set lo up && java JdkNioErrors.java'
 * Each line: case name, then "=> value" or "=> ExceptionClass: message".
 */
public class JdkNioErrors {
    static final InetSocketAddress ADDR = new InetSocketAddress("127.0.0.1", 4321);

    interface Body { Object run() throws Exception; }

    static void measure(String name, Body b) {
        String out;
        try {
            Object v = b.run();
            out = "=> " + v;
        } catch (Throwable t) {
            out = "=> " + t.getClass().getName() + ": " + t.getMessage();
        }
        System.out.println(name + " " + out);
    }

    static ServerSocketChannel listener() throws IOException {
        ServerSocketChannel l = ServerSocketChannel.open();
        l.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        l.bind(ADDR, 16);
        return l;
    }

    /** A connected pair: [client, server side]. */
    static SocketChannel[] pair(ServerSocketChannel l) throws IOException {
        SocketChannel c = SocketChannel.open(ADDR);
        SocketChannel s = l.accept();
        return new SocketChannel[] {c, s};
    }

    static ByteBuffer bytes(String s) { return ByteBuffer.wrap(s.getBytes()); }

    static void pause() throws InterruptedException { Thread.sleep(50); }

    public static void main(String[] args) throws Exception {
        System.out.println("java.version " + System.getProperty("java.version"));
        System.out.println("provider " + java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
        measure("connect-refused-blocking", () -> { try (SocketChannel c = SocketChannel.open()) { return c.connect(ADDR); } });
        measure("open-connect-refused", () -> SocketChannel.open(ADDR));
        measure("connect-refused-nonblocking-connect", () -> {
            try (SocketChannel c = SocketChannel.open()) { c.configureBlocking(false); return c.connect(ADDR); } });
        measure("connect-refused-nonblocking-finishConnect", () -> {
            try (SocketChannel c = SocketChannel.open()) {
                c.configureBlocking(false); c.connect(ADDR); pause(); return c.finishConnect(); } });
        measure("connect-refused-selector-readyOps", () -> {
            try (SocketChannel c = SocketChannel.open(); Selector sel = Selector.open()) {
                c.configureBlocking(false); c.connect(ADDR);
                SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT | SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                int n = sel.select(1000); return n + " readyOps=" + k.readyOps(); } });
        measure("connect-refused-then-isOpen", () -> {
            SocketChannel c = SocketChannel.open();
            try { c.connect(ADDR); } catch (IOException e) { }
            return "isOpen=" + c.isOpen(); });
        try (ServerSocketChannel l = listener()) {
            measure("connect-nonblocking-returns", () -> {
                try (SocketChannel c = SocketChannel.open()) { c.configureBlocking(false); boolean r = c.connect(ADDR);
                    pause(); boolean f = c.finishConnect(); l.accept().close(); return r + " finish=" + f; } });
            measure("connect-again-connected", () -> {
                try (SocketChannel c = SocketChannel.open(ADDR)) { l.accept().close(); return c.connect(ADDR); } });
            measure("connect-while-pending", () -> {
                try (SocketChannel c = SocketChannel.open()) { c.configureBlocking(false); c.connect(ADDR);
                    try { return c.connect(ADDR); } finally { pause(); l.accept().close(); } } });
            measure("finishConnect-no-connect", () -> { try (SocketChannel c = SocketChannel.open()) { return c.finishConnect(); } });
            measure("read-not-connected", () -> { try (SocketChannel c = SocketChannel.open()) { return c.read(ByteBuffer.allocate(10)); } });
            measure("write-not-connected", () -> { try (SocketChannel c = SocketChannel.open()) { return c.write(bytes("a")); } });
            measure("shutdownOutput-not-connected", () -> { try (SocketChannel c = SocketChannel.open()) { return c.shutdownOutput(); } });
            measure("read-closed", () -> { SocketChannel c = SocketChannel.open(); c.close(); return c.read(ByteBuffer.allocate(10)); });
            measure("write-closed", () -> { SocketChannel c = SocketChannel.open(); c.close(); return c.write(bytes("a")); });
            measure("connect-closed", () -> { SocketChannel c = SocketChannel.open(); c.close(); return c.connect(ADDR); });
            measure("getLocalAddress-closed", () -> { SocketChannel c = SocketChannel.open(); c.close(); return c.getLocalAddress(); });
            measure("getRemoteAddress-unconnected", () -> { try (SocketChannel c = SocketChannel.open()) { return c.getRemoteAddress(); } });
            measure("getLocalAddress-unbound", () -> { try (SocketChannel c = SocketChannel.open()) { return c.getLocalAddress(); } });
            measure("bind-in-use", () -> { try (ServerSocketChannel l2 = ServerSocketChannel.open()) { return l2.bind(ADDR); } });
            measure("bind-twice", () -> { try (SocketChannel c = SocketChannel.open()) { c.bind(new InetSocketAddress("127.0.0.1", 0)); return c.bind(new InetSocketAddress("127.0.0.1", 0)); } });
            measure("accept-unbound", () -> { try (ServerSocketChannel l2 = ServerSocketChannel.open()) { return l2.accept(); } });
            measure("accept-nonblocking-empty", () -> { l.configureBlocking(false); try { return l.accept(); } finally { l.configureBlocking(true); } });
            measure("read-eof", () -> { SocketChannel[] p = pair(l); p[1].close(); pause();
                try { return p[0].read(ByteBuffer.allocate(10)) + "," + p[0].read(ByteBuffer.allocate(10)); } finally { p[0].close(); } });
            measure("read-after-shutdownInput", () -> { SocketChannel[] p = pair(l); p[0].shutdownInput();
                try { return p[0].read(ByteBuffer.allocate(10)); } finally { p[0].close(); p[1].close(); } });
            measure("write-after-shutdownOutput", () -> { SocketChannel[] p = pair(l); p[0].shutdownOutput();
                try { return p[0].write(bytes("a")); } finally { p[0].close(); p[1].close(); } });
            measure("shutdownOutput-twice", () -> { SocketChannel[] p = pair(l); p[0].shutdownOutput();
                try { return p[0].shutdownOutput(); } finally { p[0].close(); p[1].close(); } });
            measure("read-after-rst", () -> { SocketChannel[] p = pair(l);
                p[1].setOption(StandardSocketOptions.SO_LINGER, 0); p[1].close(); pause();
                try { return p[0].read(ByteBuffer.allocate(10)); } finally { p[0].close(); } });
            measure("read-after-rst-second", () -> { SocketChannel[] p = pair(l);
                p[1].setOption(StandardSocketOptions.SO_LINGER, 0); p[1].close(); pause();
                try { p[0].read(ByteBuffer.allocate(10)); } catch (IOException e) { }
                try { return p[0].read(ByteBuffer.allocate(10)); } finally { p[0].close(); } });
            measure("read-data-then-rst", () -> { SocketChannel[] p = pair(l); p[1].write(bytes("hello"));
                p[1].setOption(StandardSocketOptions.SO_LINGER, 0); p[1].close(); pause();
                ByteBuffer b = ByteBuffer.allocate(1024);
                int n = p[0].read(b); String second; try { second = String.valueOf(p[0].read(b)); } catch (IOException e) { second = e.getClass().getName() + ": " + e.getMessage(); }
                try { return n + " then " + second; } finally { p[0].close(); } });
            measure("write-after-rst", () -> { SocketChannel[] p = pair(l);
                p[1].setOption(StandardSocketOptions.SO_LINGER, 0); p[1].close(); pause();
                try { return p[0].write(bytes("a")); } finally { p[0].close(); } });
            measure("write-after-rst-second", () -> { SocketChannel[] p = pair(l);
                p[1].setOption(StandardSocketOptions.SO_LINGER, 0); p[1].close(); pause();
                try { p[0].write(bytes("a")); } catch (IOException e) { }
                try { return p[0].write(bytes("a")); } finally { p[0].close(); } });
            measure("write-after-peer-close-first", () -> { SocketChannel[] p = pair(l); p[1].close(); pause();
                try { return p[0].write(bytes("a")); } finally { p[0].close(); } });
            measure("write-after-peer-close-second", () -> { SocketChannel[] p = pair(l); p[1].close(); pause();
                p[0].write(bytes("a")); pause();
                try { return p[0].write(bytes("a")); } finally { p[0].close(); } });
            measure("read-after-peer-close-and-rst", () -> { SocketChannel[] p = pair(l); p[1].close(); pause();
                p[0].write(bytes("a")); pause();
                try { return p[0].read(ByteBuffer.allocate(10)); } finally { p[0].close(); } });
            measure("close-unread-peer-read", () -> { SocketChannel[] p = pair(l); p[0].write(bytes("unread")); pause();
                p[1].close(); pause();
                try { return p[0].read(ByteBuffer.allocate(10)); } finally { p[0].close(); } });
            measure("close-unread-peer-write", () -> { SocketChannel[] p = pair(l); p[0].write(bytes("unread")); pause();
                p[1].close(); pause();
                try { return p[0].write(bytes("more")); } finally { p[0].close(); } });
            measure("selector-rst-readyOps", () -> { SocketChannel[] p = pair(l);
                try (Selector sel = Selector.open()) {
                    p[0].configureBlocking(false);
                    SelectionKey k = p[0].register(sel, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    p[1].setOption(StandardSocketOptions.SO_LINGER, 0); p[1].close(); pause();
                    int n = sel.select(1000); return n + " readyOps=" + k.readyOps(); } finally { p[0].close(); } });
            measure("selector-eof-readyOps-read-only", () -> { SocketChannel[] p = pair(l);
                try (Selector sel = Selector.open()) {
                    p[0].configureBlocking(false);
                    SelectionKey k = p[0].register(sel, SelectionKey.OP_READ);
                    p[1].close(); pause();
                    int n = sel.select(1000); return n + " readyOps=" + k.readyOps(); } finally { p[0].close(); } });
            measure("selector-register-blocking", () -> { SocketChannel[] p = pair(l);
                try (Selector sel = Selector.open()) { return p[0].register(sel, SelectionKey.OP_READ); } finally { p[0].close(); p[1].close(); } });
            measure("selector-register-bad-ops", () -> { SocketChannel[] p = pair(l);
                try (Selector sel = Selector.open()) { p[0].configureBlocking(false); return p[0].register(sel, SelectionKey.OP_ACCEPT); } finally { p[0].close(); p[1].close(); } });
            measure("selector-closed-select", () -> { Selector sel = Selector.open(); sel.close(); return sel.select(); });
            measure("selector-closed-register", () -> { SocketChannel[] p = pair(l); Selector sel = Selector.open(); sel.close();
                p[0].configureBlocking(false); try { return p[0].register(sel, SelectionKey.OP_READ); } finally { p[0].close(); p[1].close(); } });
            measure("key-cancelled-interestOps", () -> { SocketChannel[] p = pair(l);
                try (Selector sel = Selector.open()) { p[0].configureBlocking(false); SelectionKey k = p[0].register(sel, SelectionKey.OP_READ);
                    k.cancel(); return k.interestOps(SelectionKey.OP_WRITE); } finally { p[0].close(); p[1].close(); } });
            measure("configureBlocking-registered", () -> { SocketChannel[] p = pair(l);
                try (Selector sel = Selector.open()) { p[0].configureBlocking(false); p[0].register(sel, SelectionKey.OP_READ);
                    return p[0].configureBlocking(true); } finally { p[0].close(); p[1].close(); } });
            measure("async-close-blocked-read", () -> { SocketChannel[] p = pair(l);
                Thread t = new Thread(() -> { try { Thread.sleep(100); p[0].close(); } catch (Exception e) { } });
                t.start();
                try { return p[0].read(ByteBuffer.allocate(10)); } finally { t.join(); p[1].close(); } });
            measure("interrupt-blocked-read", () -> { SocketChannel[] p = pair(l);
                Thread me = Thread.currentThread();
                Thread t = new Thread(() -> { try { Thread.sleep(100); me.interrupt(); } catch (Exception e) { } });
                t.start();
                try { return p[0].read(ByteBuffer.allocate(10)); } finally { t.join(); Thread.interrupted();
                    System.out.println("  (after interrupt: isOpen=" + p[0].isOpen() + ")"); p[1].close(); } });
            measure("async-close-blocked-accept", () -> { ServerSocketChannel l2 = ServerSocketChannel.open();
                l2.bind(new InetSocketAddress("127.0.0.1", 4322));
                Thread t = new Thread(() -> { try { Thread.sleep(100); l2.close(); } catch (Exception e) { } });
                t.start();
                try { return l2.accept(); } finally { t.join(); } });
            measure("socket-adaptor-read-rst", () -> { SocketChannel[] p = pair(l);
                p[1].setOption(StandardSocketOptions.SO_LINGER, 0); p[1].close(); pause();
                try { return p[0].socket().getInputStream().read(); } finally { p[0].close(); } });
            measure("socket-adaptor-write-epipe", () -> { SocketChannel[] p = pair(l); p[1].close(); pause();
                var out = p[0].socket().getOutputStream(); out.write('a'); pause();
                try { out.write('a'); return "ok"; } finally { p[0].close(); } });
            measure("socket-adaptor-nonblocking-stream", () -> { SocketChannel[] p = pair(l); p[0].configureBlocking(false);
                try { return p[0].socket().getInputStream().read(); } finally { p[0].close(); p[1].close(); } });
            measure("socket-adaptor-closed-getInputStream", () -> { SocketChannel[] p = pair(l); p[0].close(); p[1].close();
                return p[0].socket().getInputStream(); });
            measure("socket-adaptor-so-timeout", () -> { SocketChannel[] p = pair(l); p[0].socket().setSoTimeout(100);
                try { return p[0].socket().getInputStream().read(); } finally { p[0].close(); p[1].close(); } });
            measure("option-unsupported", () -> { try (SocketChannel c = SocketChannel.open()) { return c.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1); } });
            measure("option-get-defaults", () -> { try (SocketChannel c = SocketChannel.open()) {
                return "linger=" + c.getOption(StandardSocketOptions.SO_LINGER) + " reuse=" + c.getOption(StandardSocketOptions.SO_REUSEADDR)
                    + " keepalive=" + c.getOption(StandardSocketOptions.SO_KEEPALIVE) + " nodelay=" + c.getOption(StandardSocketOptions.TCP_NODELAY)
                    + " rcvbuf=" + c.getOption(StandardSocketOptions.SO_RCVBUF) + " sndbuf=" + c.getOption(StandardSocketOptions.SO_SNDBUF); } });
            measure("option-server-defaults", () -> { try (ServerSocketChannel c = ServerSocketChannel.open()) {
                return "reuse=" + c.getOption(StandardSocketOptions.SO_REUSEADDR) + " rcvbuf=" + c.getOption(StandardSocketOptions.SO_RCVBUF) + " options=" + new java.util.TreeSet<>(c.supportedOptions().stream().map(Object::toString).toList()); } });
            measure("option-supported", () -> { try (SocketChannel c = SocketChannel.open()) { return new java.util.TreeSet<>(c.supportedOptions().stream().map(Object::toString).toList()); } });
            measure("option-linger-set-get", () -> { try (SocketChannel c = SocketChannel.open()) { c.setOption(StandardSocketOptions.SO_LINGER, 5);
                int a = c.getOption(StandardSocketOptions.SO_LINGER); c.setOption(StandardSocketOptions.SO_LINGER, -1); return a + "," + c.getOption(StandardSocketOptions.SO_LINGER); } });
            measure("option-closed", () -> { SocketChannel c = SocketChannel.open(); c.close(); return c.getOption(StandardSocketOptions.SO_LINGER); });
            measure("option-null", () -> { try (SocketChannel c = SocketChannel.open()) { return c.setOption(StandardSocketOptions.SO_LINGER, null); } });
        }
        measure("pipe-write-after-source-close", () -> { Pipe p = Pipe.open(); p.source().close(); return p.sink().write(bytes("x")); });
        measure("pipe-read-after-sink-close", () -> { Pipe p = Pipe.open(); p.sink().write(bytes("x")); p.sink().close();
            ByteBuffer b = ByteBuffer.allocate(10); int n = p.source().read(b); return n + "," + p.source().read(b); });
        measure("pipe-selector", () -> { Pipe p = Pipe.open(); try (Selector sel = Selector.open()) {
            p.source().configureBlocking(false); p.sink().configureBlocking(false);
            SelectionKey r = p.source().register(sel, SelectionKey.OP_READ); SelectionKey w = p.sink().register(sel, SelectionKey.OP_WRITE);
            int n = sel.selectNow(); return n + " source=" + (r.isValid() ? r.readyOps() : -1) + " sink=" + w.readyOps(); } });
        measure("selector-wakeup-before-select", () -> { try (Selector sel = Selector.open()) { sel.wakeup(); return sel.select(5000) + " then selectNow=" + sel.selectNow(); } });
        measure("selector-select-timeout-empty", () -> { try (Selector sel = Selector.open()) { long t = System.nanoTime(); int n = sel.select(100); return n + " after>=100ms=" + ((System.nanoTime() - t) >= 100_000_000L); } });
        measure("selector-negative-timeout", () -> { try (Selector sel = Selector.open()) { return sel.select(-1); } });
    }
}
