import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.*;
import java.util.List;

/**
 * Measures what the running JDK's own NIO provider throws for the errnos that need the network itself to fail:
 * a connect that times out (ETIMEDOUT), an unreachable network and host (ENETUNREACH, EHOSTUNREACH), a bind to an
 * address that is not local (EADDRNOTAVAIL), an established connection whose retransmissions time out (ETIMEDOUT on
 * read and write), and shutdown on a reset connection (ENOTCONN). It sets up its namespace itself (sysctl, ip route,
 * nft), so run it as root in a fresh network namespace (see README.md beside this file):
 *   unshare -n sh -c 'ip link set lo up && java JdkNioNetErrors.java'
 * Each line: case name, then "=> value" or "=> ExceptionClass: message".
 */
public class JdkNioNetErrors {
    interface Body { Object run() throws Exception; }

    static void measure(String name, Body b) {
        String out;
        try {
            out = "=> " + b.run();
        } catch (Throwable t) {
            out = "=> " + t.getClass().getName() + ": " + t.getMessage();
        }
        System.out.println(name + " " + out);
    }

    static void sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("failed: " + List.of(cmd));
    }

    static InetSocketAddress addr(String ip, int port) { return new InetSocketAddress(ip, port); }

    /** What the JDK says of the channel after a call that returned it (its toString has the port numbers). */
    static String state(SocketChannel c) {
        return "open=" + c.isOpen() + " inputShutdown=" + c.socket().isInputShutdown()
                + " outputShutdown=" + c.socket().isOutputShutdown();
    }

    static ByteBuffer bytes(int n) { return ByteBuffer.allocate(n); }

    public static void main(String[] args) throws Exception {
        System.out.println("java.version " + System.getProperty("java.version"));
        // One SYN retransmission, then ETIMEDOUT (about 3 s); an established connection gives up after one
        // retransmission timeout more (tcp_retries2=1). Both sysctls are per network namespace.
        sh("sysctl", "-qw", "net.ipv4.tcp_syn_retries=1");
        sh("sysctl", "-qw", "net.ipv4.tcp_retries2=1");
        sh("ip", "route", "add", "unreachable", "10.9.0.0/16");
        sh("nft", "add table inet m");
        sh("nft", "add chain inet m in { type filter hook input priority 0 ; }");
        sh("nft", "add rule inet m in tcp dport 4400 tcp flags syn drop");

        InetSocketAddress dropped = addr("127.0.0.1", 4400);
        measure("connect-timeout-blocking", () -> { try (SocketChannel c = SocketChannel.open()) { return c.connect(dropped); } });
        measure("connect-timeout-nonblocking-finishConnect", () -> {
            try (SocketChannel c = SocketChannel.open()) {
                c.configureBlocking(false);
                c.connect(dropped);
                while (!c.finishConnect()) Thread.sleep(100);
                return true;
            } });
        measure("connect-timeout-selector-readyOps", () -> {
            try (SocketChannel c = SocketChannel.open(); Selector sel = Selector.open()) {
                c.configureBlocking(false);
                c.connect(dropped);
                SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT | SelectionKey.OP_READ);
                int n = sel.select(10_000);
                return n + " readyOps=" + k.readyOps();
            } });
        measure("connect-timeout-then-isOpen", () -> {
            SocketChannel c = SocketChannel.open();
            try { c.connect(dropped); } catch (IOException e) { /* measured above */ }
            return "isOpen=" + c.isOpen();
        });
        // A full accept queue drops the SYN: the same ETIMEDOUT, by the way tcpsim's model gives it.
        measure("connect-timeout-full-backlog", () -> {
            try (ServerSocketChannel l = ServerSocketChannel.open().bind(addr("127.0.0.1", 4401), 1);
                 SocketChannel a = SocketChannel.open(addr("127.0.0.1", 4401));
                 SocketChannel b = SocketChannel.open(addr("127.0.0.1", 4401))) {
                Thread.sleep(50);
                try (SocketChannel c = SocketChannel.open()) { return c.connect(addr("127.0.0.1", 4401)); }
            } });

        measure("connect-timeout-full-backlog-selector-readyOps", () -> {
            try (ServerSocketChannel l = ServerSocketChannel.open().bind(addr("127.0.0.1", 4406), 1);
                 SocketChannel a = SocketChannel.open(addr("127.0.0.1", 4406));
                 SocketChannel b = SocketChannel.open(addr("127.0.0.1", 4406));
                 SocketChannel c = SocketChannel.open(); Selector sel = Selector.open()) {
                Thread.sleep(50);
                c.configureBlocking(false);
                c.connect(addr("127.0.0.1", 4406));
                SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT | SelectionKey.OP_READ);
                int n = sel.select(10_000);
                String first = n + " readyOps=" + k.readyOps();
                try {
                    return first + " then finishConnect=" + c.finishConnect();
                } catch (IOException e) {
                    return first + " then finishConnect " + e.getClass().getName() + ": " + e.getMessage() + " isOpen=" + c.isOpen();
                }
            } });
        measure("connect-netunreach-blocking", () -> { try (SocketChannel c = SocketChannel.open()) { return c.connect(addr("10.1.2.3", 80)); } });
        measure("connect-netunreach-nonblocking", () -> {
            try (SocketChannel c = SocketChannel.open()) { c.configureBlocking(false); return c.connect(addr("10.1.2.3", 80)); } });
        measure("connect-netunreach-then-isOpen", () -> {
            SocketChannel c = SocketChannel.open();
            try { c.connect(addr("10.1.2.3", 80)); } catch (IOException e) { /* measured above */ }
            return "isOpen=" + c.isOpen();
        });
        measure("connect-hostunreach-blocking", () -> { try (SocketChannel c = SocketChannel.open()) { return c.connect(addr("10.9.0.1", 80)); } });
        measure("connect-hostunreach-nonblocking", () -> {
            try (SocketChannel c = SocketChannel.open()) { c.configureBlocking(false); return c.connect(addr("10.9.0.1", 80)); } });
        measure("bind-not-local", () -> { try (SocketChannel c = SocketChannel.open()) { return c.bind(addr("10.0.0.1", 0)); } });
        measure("server-bind-not-local", () -> { try (ServerSocketChannel c = ServerSocketChannel.open()) { return c.bind(addr("10.0.0.1", 80)); } });

        // Established, then every packet to the server dropped: the client's data is never acknowledged.
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(addr("127.0.0.1", 4402))) {
            SocketChannel c = SocketChannel.open(addr("127.0.0.1", 4402));
            SocketChannel s = l.accept();
            sh("nft", "add rule inet m in tcp dport 4402 drop");
            c.write(ByteBuffer.wrap("hello".getBytes()));
            measure("read-timeout-established", () -> c.read(bytes(10)));
            measure("read-timeout-established-second", () -> c.read(bytes(10)));
            measure("write-timeout-established-after", () -> c.write(ByteBuffer.wrap("x".getBytes())));
            measure("shutdownOutput-after-timeout", () -> state(c.shutdownOutput()));
            measure("shutdownInput-after-timeout", () -> state(c.shutdownInput()));
            c.close();
            s.close();
        }
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(addr("127.0.0.1", 4403))) {
            SocketChannel c = SocketChannel.open(addr("127.0.0.1", 4403));
            SocketChannel s = l.accept();
            sh("nft", "add rule inet m in tcp dport 4403 drop");
            c.write(ByteBuffer.wrap("hello".getBytes()));
            Thread.sleep(3000);
            measure("write-timeout-established", () -> c.write(ByteBuffer.wrap("x".getBytes())));
            measure("write-timeout-established-second", () -> c.write(ByteBuffer.wrap("x".getBytes())));
            measure("read-timeout-established-after-write", () -> c.read(bytes(10)));
            c.close();
            s.close();
        }
        // Shutdown on a connection the peer reset (shutdown(2) gives ENOTCONN: the socket is CLOSE).
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(addr("127.0.0.1", 4404))) {
            SocketChannel c = SocketChannel.open(addr("127.0.0.1", 4404));
            SocketChannel s = l.accept();
            s.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            s.close();
            Thread.sleep(50);
            measure("shutdownOutput-after-rst", () -> state(c.shutdownOutput()));
            measure("shutdownInput-after-rst", () -> state(c.shutdownInput()));
            measure("shutdownOutput-after-rst-second", () -> state(c.shutdownOutput()));
            measure("read-after-rst-and-shutdown", () -> c.read(bytes(10)));
            c.close();
        }
        // A read that met the reset, then shutdownInput (what Netty does when half-closure is allowed), then reads.
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(addr("127.0.0.1", 4407))) {
            SocketChannel c = SocketChannel.open(addr("127.0.0.1", 4407));
            SocketChannel s = l.accept();
            s.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            s.close();
            Thread.sleep(50);
            measure("read-after-rst-read", () -> c.read(bytes(10)));
            measure("read-after-rst-read-shutdownInput", () -> { c.shutdownInput(); return c.read(bytes(10)); });
            measure("write-after-rst-read-shutdownInput", () -> c.write(ByteBuffer.wrap("x".getBytes())));
            c.close();
        }
        // Shutdown before the peer's RST was read.
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(addr("127.0.0.1", 4405))) {
            SocketChannel c = SocketChannel.open(addr("127.0.0.1", 4405));
            SocketChannel s = l.accept();
            s.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            s.close();
            Thread.sleep(50);
            measure("shutdownInput-after-rst-first", () -> state(c.shutdownInput()));
            measure("read-after-rst-shutdownInput", () -> c.read(bytes(10)));
            measure("write-after-rst-shutdownInput", () -> c.write(ByteBuffer.wrap("x".getBytes())));
            c.close();
        }
    }
}
