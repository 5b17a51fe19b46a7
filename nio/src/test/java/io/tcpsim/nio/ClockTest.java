package io.tcpsim.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Virtual time with real threads: it moves only when every thread that uses the network waits in it. */
@ExtendWith(TcpsimExtension.class)
class ClockTest {
    static final InetSocketAddress ADDR = new InetSocketAddress("127.0.0.1", 4321);

    @Test
    void aSelectTimeoutIsVirtualTime(SimNetwork net) throws Exception {
        try (Selector sel = net.provider().openSelector()) {
            long t0 = System.nanoTime();
            assertEquals(0, sel.select(30_000)); // 30 s of virtual time, at once
            assertEquals(30_000_000_000L, net.nanoTime());
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
            assertEquals(List.of("00:00:00.000000 [main] epoll_create() = 3",
                    "00:00:00.000000 [main] epoll_wait(3, 1024, 30000) = 0 <blocked 30000.000 ms>"), net.calls());
        }
    }

    @Test
    void aBlockingReadWaitsForAnotherThreadsVirtualSleep(SimNetwork net) throws Exception {
        ServerSocketChannel server = net.provider().openServerSocketChannel().bind(ADDR);
        SocketChannel c = net.provider().openSocketChannel();
        c.connect(ADDR);
        SocketChannel s = server.accept();
        Thread writer = new Thread(() -> {
            net.sleep(Duration.ofSeconds(2));
            try {
                s.write(ByteBuffer.wrap(new byte[] {'x'}));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "writer");
        writer.start();
        ByteBuffer b = ByteBuffer.allocate(10);
        assertEquals(1, c.read(b));
        writer.join();
        List<String> calls = net.calls();
        // Calls are listed by the time they started: the read, blocked for the writer's two virtual seconds, first.
        assertEquals(List.of("00:00:00.000030 [main] read(4, 10) = 1 \"x\" <blocked 2000.020 ms>",
                "00:00:02.000030 [writer] write(5, \"x\") = 1"), calls.subList(calls.size() - 2, calls.size()));
        assertNull(net.stalled());
    }

    @Test
    void everyThreadWaitingForNothingIsAStall(SimNetwork net) throws Exception {
        // The test thread makes no call, so it does not hold the clock; the selector thread waits for ever.
        Selector[] sel = new Selector[1];
        Thread t = new Thread(() -> {
            try (Selector s = net.provider().openSelector()) {
                sel[0] = s;
                s.select();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "selector");
        t.start();
        long until = System.nanoTime() + 5_000_000_000L;
        while (net.stalled() == null && System.nanoTime() < until) Thread.sleep(5);
        assertEquals("selector in epoll_wait(3)", net.stalled());
        sel[0].wakeup();
        t.join();
        assertNull(net.stalled());
    }
    @Test
    void anIdleWorkerOfACachedPoolDoesNotHoldTheClock(SimNetwork net) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
        try (Selector sel = net.provider().openSelector()) {
            // The worker makes a call, then waits 60 s (real) for its next task in ThreadPoolExecutor.getTask.
            pool.submit(() -> {
                net.provider().openSocketChannel().close();
                return null;
            }).get();
            long t0 = System.nanoTime();
            assertEquals(0, sel.select(30_000));
            assertEquals(30_000_000_000L, net.nanoTime());
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "the idle worker held the clock");
        } finally {
            pool.shutdownNow();
        }
    }
}
