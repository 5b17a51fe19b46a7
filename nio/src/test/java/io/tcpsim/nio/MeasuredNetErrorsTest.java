package io.tcpsim.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cases of nio/measure/JdkNioNetErrors.java that the model can bring about (a connect that times out against a
 * full accept queue, a network that is not loopback, a bind to an address that is not local, shutdown after a
 * reset), run on tcpsim's provider: each line must be the one the real JDK printed on this kernel
 * (netjdk17.txt or netjdk25.txt, by the running JDK).
 */
class MeasuredNetErrorsTest {
    interface Body { Object run(SimNetwork net, SelectorProvider p) throws Exception; }

    static InetSocketAddress addr(String ip, int port) { return new InetSocketAddress(ip, port); }

    static String state(SocketChannel c) {
        return "open=" + c.isOpen() + " inputShutdown=" + c.socket().isInputShutdown()
                + " outputShutdown=" + c.socket().isOutputShutdown();
    }

    static String outcome(Body b) {
        try (SimNetwork net = SimNetwork.create()) {
            return "=> " + b.run(net, net.provider());
        } catch (Throwable t) {
            return "=> " + t.getClass().getName() + ": " + t.getMessage();
        }
    }

    /** The peer resets the connection (SO_LINGER 0), then the body runs on the client. */
    interface AfterRst { Object run(SocketChannel c) throws Exception; }

    static Body afterRst(int port, AfterRst after) {
        return (net, p) -> {
            ServerSocketChannel l = p.openServerSocketChannel().bind(addr("127.0.0.1", port));
            SocketChannel c = p.openSocketChannel();
            c.connect(addr("127.0.0.1", port));
            SocketChannel s = l.accept();
            s.setOption(StandardSocketOptions.SO_LINGER, 0);
            s.close();
            net.sleep(Duration.ofMillis(50));
            return after.run(c);
        };
    }

    @Test
    void theModelThrowsWhatTheJdkThrew() throws Exception {
        Map<String, Body> cases = new LinkedHashMap<>();
        cases.put("connect-timeout-full-backlog", (net, p) -> {
            ServerSocketChannel l = p.openServerSocketChannel().bind(addr("127.0.0.1", 4401), 1);
            p.openSocketChannel().connect(addr("127.0.0.1", 4401));
            p.openSocketChannel().connect(addr("127.0.0.1", 4401));
            net.sleep(Duration.ofMillis(50));
            return p.openSocketChannel().connect(addr("127.0.0.1", 4401));
        });
        cases.put("connect-timeout-full-backlog-selector-readyOps", (net, p) -> {
            ServerSocketChannel l = p.openServerSocketChannel().bind(addr("127.0.0.1", 4406), 1);
            p.openSocketChannel().connect(addr("127.0.0.1", 4406));
            p.openSocketChannel().connect(addr("127.0.0.1", 4406));
            net.sleep(Duration.ofMillis(50));
            SocketChannel c = p.openSocketChannel();
            Selector sel = p.openSelector();
            c.configureBlocking(false);
            c.connect(addr("127.0.0.1", 4406));
            SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT | SelectionKey.OP_READ);
            // The kernel gave up after tcp_syn_retries=1 (3 s); the model's SYN retries take longer: the select
            // waits long enough for either.
            int n = sel.select(1_000_000);
            String first = n + " readyOps=" + k.readyOps();
            try {
                return first + " then finishConnect=" + c.finishConnect();
            } catch (IOException e) {
                return first + " then finishConnect " + e.getClass().getName() + ": " + e.getMessage() + " isOpen=" + c.isOpen();
            }
        });
        cases.put("connect-netunreach-blocking", (net, p) -> p.openSocketChannel().connect(addr("10.1.2.3", 80)));
        cases.put("connect-netunreach-nonblocking", (net, p) -> {
            SocketChannel c = p.openSocketChannel();
            c.configureBlocking(false);
            return c.connect(addr("10.1.2.3", 80));
        });
        cases.put("connect-netunreach-then-isOpen", (net, p) -> {
            SocketChannel c = p.openSocketChannel();
            try { c.connect(addr("10.1.2.3", 80)); } catch (IOException e) { /* the case above */ }
            return "isOpen=" + c.isOpen();
        });
        cases.put("bind-not-local", (net, p) -> p.openSocketChannel().bind(addr("10.0.0.1", 0)));
        cases.put("server-bind-not-local", (net, p) -> p.openServerSocketChannel().bind(addr("10.0.0.1", 80)));
        cases.put("shutdownOutput-after-rst", afterRst(4404, c -> state(c.shutdownOutput())));
        cases.put("shutdownInput-after-rst", afterRst(4404, c -> { c.shutdownOutput(); return state(c.shutdownInput()); }));
        cases.put("shutdownOutput-after-rst-second", afterRst(4404, c -> {
            c.shutdownOutput(); c.shutdownInput(); return state(c.shutdownOutput()); }));
        cases.put("read-after-rst-and-shutdown", afterRst(4404, c -> {
            c.shutdownOutput(); c.shutdownInput(); c.shutdownOutput(); return c.read(ByteBuffer.allocate(10)); }));
        cases.put("shutdownInput-after-rst-first", afterRst(4405, c -> state(c.shutdownInput())));
        cases.put("read-after-rst-shutdownInput", afterRst(4405, c -> { c.shutdownInput(); return c.read(ByteBuffer.allocate(10)); }));
        cases.put("write-after-rst-shutdownInput", afterRst(4405, c -> {
            c.shutdownInput(); c.read(ByteBuffer.allocate(10)); return c.write(ByteBuffer.wrap("x".getBytes())); }));

        cases.put("read-after-rst-read", afterRst(4407, c -> c.read(ByteBuffer.allocate(10))));
        cases.put("read-after-rst-read-shutdownInput", afterRst(4407, c -> {
            try { c.read(ByteBuffer.allocate(10)); } catch (IOException e) { /* the case above */ }
            c.shutdownInput();
            return c.read(ByteBuffer.allocate(10));
        }));
        cases.put("write-after-rst-read-shutdownInput", afterRst(4407, c -> {
            try { c.read(ByteBuffer.allocate(10)); } catch (IOException e) { /* the case above */ }
            c.shutdownInput();
            c.read(ByteBuffer.allocate(10));
            return c.write(ByteBuffer.wrap("x".getBytes()));
        }));

        Path file = Path.of("measure", Jdk.FEATURE >= 25 ? "netjdk25.txt" : "netjdk17.txt");
        Map<String, String> measured = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int i = line.indexOf(" => ");
            if (i > 0) measured.put(line.substring(0, i), line.substring(i + 1));
        }
        StringBuilder expected = new StringBuilder(), actual = new StringBuilder();
        for (Map.Entry<String, Body> e : cases.entrySet()) {
            String m = measured.get(e.getKey());
            if (m == null) throw new IllegalStateException(e.getKey() + " is not in " + file);
            expected.append(e.getKey()).append(' ').append(m).append('\n');
            actual.append(e.getKey()).append(' ').append(outcome(e.getValue())).append('\n');
        }
        assertEquals(expected.toString(), actual.toString());
    }
}
