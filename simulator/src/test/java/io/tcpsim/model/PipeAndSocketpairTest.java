package io.tcpsim.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** AF_UNIX stream socketpairs (af_unix.c) and pipes (fs/pipe.c): kernel-measurements exp9, exp10 10.19. */
class PipeAndSocketpairTest {

    private static Call.Send write(int fd, String s) {
        return new Call.Send(fd, s.getBytes(StandardCharsets.ISO_8859_1), 0, true);
    }

    private static Call.Recv read(int fd, int n) {
        return new Call.Recv(fd, n, 0, true);
    }

    private static int[] pair(Harness h) {
        return h.call(new Call.SocketPair()).fds();
    }

    private static int[] pipe(Harness h) {
        return h.call(new Call.Pipe()).fds();
    }

    private static String str(Result r) {
        return new String(r.data(), StandardCharsets.ISO_8859_1);
    }

    /** exp9: idle 0x304; 5 B unread 0x345. */
    @Test
    void socketpairIdleAndReadable() {
        Harness h = new Harness();
        int[] p = pair(h);
        assertEquals(0x304, h.pollNow(p[0]));
        h.ok(Harness.send(p[1], "hello", 0));
        assertEquals(0x345, h.pollNow(p[0]));
    }

    /** exp9: peer SHUT_WR -> 0x2345, recv 0; the peer itself 0x304; both SHUT_WR -> 0x2355 on both. */
    @Test
    void socketpairShutdown() {
        Harness h = new Harness();
        int[] p = pair(h);
        h.ok(new Call.Shutdown(p[1], Bits.SHUT_WR));
        assertEquals(0x2345, h.pollNow(p[0]));
        assertEquals(0, h.call(Harness.recv(p[0], 10, 0)).value());
        assertEquals(0x304, h.pollNow(p[1]));
        h.ok(new Call.Shutdown(p[0], Bits.SHUT_WR));
        assertEquals(0x2355, h.pollNow(p[0]));
        assertEquals(0x2355, h.pollNow(p[1]));
    }

    /** exp9: peer closed, nothing pending: 0x2355, SO_ERROR 0, recv 0 (also non-blocking), send EPIPE + SIGPIPE every time. */
    @Test
    void socketpairPeerClosed() {
        Harness h = new Harness();
        h.ok(new Call.Signal(Bits.SIGPIPE, Call.Disposition.SIG_IGN));
        int[] p = pair(h);
        h.ok(new Call.Close(p[1]));
        assertEquals(0x2355, h.pollNow(p[0]));
        assertEquals(0, h.soError(p[0]));
        assertEquals(0, h.call(Harness.recv(p[0], 10, Bits.MSG_DONTWAIT)).value());
        for (int i = 0; i < 2; i++) {
            Result r = h.call(Harness.send(p[0], "x", 0));
            assertEquals(Errno.EPIPE, r.errno());
            assertTrue(r.sigpipe());
        }
        Result r = h.call(Harness.send(p[0], "x", Bits.MSG_NOSIGNAL));
        assertEquals(Errno.EPIPE, r.errno());
        assertFalse(r.sigpipe());
    }

    /** exp9: peer sent 5 B then closed: 0x2355; recv(3) hel, recv lo, recv 0. */
    @Test
    void socketpairDataThenClose() {
        Harness h = new Harness();
        int[] p = pair(h);
        h.ok(Harness.send(p[1], "hello", 0));
        h.ok(new Call.Close(p[1]));
        assertEquals(0x2355, h.pollNow(p[0]));
        assertEquals("hel", str(h.call(Harness.recv(p[0], 3, 0))));
        assertEquals("lo", str(h.call(Harness.recv(p[0], 10, 0))));
        assertEquals(0, h.call(Harness.recv(p[0], 10, 0)).value());
    }

    /** exp9: peer closed with data it had not read: 0x235d; recv ECONNRESET then 0; poll 0x2355; SO_ERROR then 0. */
    @Test
    void socketpairPeerClosedWithUnreadData() {
        Harness h = new Harness();
        int[] p = pair(h);
        h.ok(Harness.send(p[0], "hello", 0));
        h.ok(new Call.Close(p[1]));
        assertEquals(0x235d, h.pollNow(p[0]));
        h.fails(Harness.recv(p[0], 10, 0), Errno.ECONNRESET);
        assertEquals(0, h.call(Harness.recv(p[0], 10, 0)).value());
        assertEquals(0x2355, h.pollNow(p[0]));
        assertEquals(0, h.soError(p[0]));
    }

    /** exp9: same, send first: EPIPE + SIGPIPE twice (the error stays pending), then recv ECONNRESET, then 0. */
    @Test
    void socketpairUnreadSendFirst() {
        Harness h = new Harness();
        h.ok(new Call.Signal(Bits.SIGPIPE, Call.Disposition.SIG_IGN));
        int[] p = pair(h);
        h.ok(Harness.send(p[0], "hello", 0));
        h.ok(new Call.Close(p[1]));
        for (int i = 0; i < 2; i++) {
            Result r = h.call(Harness.send(p[0], "x", 0));
            assertEquals(Errno.EPIPE, r.errno());
            assertTrue(r.sigpipe());
        }
        h.fails(Harness.recv(p[0], 10, 0), Errno.ECONNRESET);
        assertEquals(0, h.call(Harness.recv(p[0], 10, 0)).value());
    }

    /** exp9: same, SO_ERROR first: ECONNRESET, then recv 0; and with data from the peer: world first, then ECONNRESET. */
    @Test
    void socketpairUnreadSoErrorFirstAndPeerData() {
        Harness h = new Harness();
        int[] p = pair(h);
        h.ok(Harness.send(p[0], "hello", 0));
        h.ok(new Call.Close(p[1]));
        assertEquals(Errno.ECONNRESET.number, h.soError(p[0]));
        assertEquals(0, h.call(Harness.recv(p[0], 10, 0)).value());
        int[] q = pair(h);
        h.ok(Harness.send(q[0], "hello", 0));
        h.ok(Harness.send(q[1], "world", 0));
        h.ok(new Call.Close(q[1]));
        assertEquals(0x235d, h.pollNow(q[0]));
        assertEquals("world", str(h.call(Harness.recv(q[0], 10, 0))));
        assertEquals(0x235d, h.pollNow(q[0]));
        h.fails(Harness.recv(q[0], 10, 0), Errno.ECONNRESET);
        assertEquals(0, h.call(Harness.recv(q[0], 10, 0)).value());
    }

    /** exp9 pipes: idle read 0 / write 0x104; 5 B in pipe read 0x41. */
    @Test
    void pipeIdleAndReadable() {
        Harness h = new Harness();
        int[] p = pipe(h);
        assertEquals(0, h.pollNow(p[0]));
        assertEquals(0x104, h.pollNow(p[1]));
        assertEquals(5, h.ok(write(p[1], "hello")));
        assertEquals(0x41, h.pollNow(p[0]));
        assertEquals(0x104, h.pollNow(p[1]));
    }

    /** exp9: read end closed: write end 0x10c; write EPIPE + SIGPIPE every time. */
    @Test
    void pipeReaderGone() {
        Harness h = new Harness();
        h.ok(new Call.Signal(Bits.SIGPIPE, Call.Disposition.SIG_IGN));
        int[] p = pipe(h);
        h.ok(write(p[1], "hello"));
        h.ok(new Call.Close(p[0]));
        assertEquals(0x10c, h.pollNow(p[1]));
        for (int i = 0; i < 2; i++) {
            Result r = h.call(write(p[1], "x"));
            assertEquals(Errno.EPIPE, r.errno());
            assertTrue(r.sigpipe());
        }
    }

    /** exp9: write end closed: empty 0x10 and read 0 twice; with 5 B 0x51, read(3) hel, read lo, then 0x10 and 0. */
    @Test
    void pipeWriterGone() {
        Harness h = new Harness();
        int[] p = pipe(h);
        h.ok(new Call.Close(p[1]));
        assertEquals(0x10, h.pollNow(p[0]));
        assertEquals(0, h.call(read(p[0], 10)).value());
        assertEquals(0, h.call(read(p[0], 10)).value());
        int[] q = pipe(h);
        h.ok(write(q[1], "hello"));
        h.ok(new Call.Close(q[1]));
        assertEquals(0x51, h.pollNow(q[0]));
        assertEquals("hel", str(h.call(read(q[0], 3))));
        assertEquals("lo", str(h.call(read(q[0], 10))));
        assertEquals(0x10, h.pollNow(q[0]));
        assertEquals(0, h.call(read(q[0], 10)).value());
    }

    /** exp9: write() on the read end and read() on the write end -> EBADF. */
    @Test
    void pipeWrongDirection() {
        Harness h = new Harness();
        int[] p = pipe(h);
        h.fails(write(p[0], "x"), Errno.EBADF);
        h.fails(read(p[1], 10), Errno.EBADF);
    }

    /** exp9: a full pipe (non-blocking writes): write end poll 0, write EAGAIN; read end 0x41. */
    @Test
    void pipeFull() {
        Harness h = new Harness();
        int[] p = pipe(h);
        h.ok(new Call.Fcntl(p[1], Bits.F_SETFL, Bits.O_NONBLOCK));
        String chunk = "x".repeat(4096);
        Result r;
        int total = 0;
        do {
            r = h.call(write(p[1], chunk));
            if (!r.failed()) total += (int) r.value();
        } while (!r.failed() && total < 1_000_000);
        assertEquals(Errno.EAGAIN, r.errno());
        assertEquals(0, h.pollNow(p[1]));
        assertEquals(0x41, h.pollNow(p[0]));
    }

    /** exp10 10.19: F_GETFL: TCP socket O_RDWR (2), 0x802 non-blocking; pipe read 0, write 1; socketpair 2. */
    @Test
    void fcntlAccessModes() {
        Harness h = new Harness();
        int s = (int) h.ok(new Call.Socket(0));
        assertEquals(0x2, h.ok(new Call.Fcntl(s, Bits.F_GETFL, 0)));
        h.ok(new Call.Fcntl(s, Bits.F_SETFL, Bits.O_NONBLOCK));
        assertEquals(0x802, h.ok(new Call.Fcntl(s, Bits.F_GETFL, 0)));
        int[] p = pipe(h);
        assertEquals(0x0, h.ok(new Call.Fcntl(p[0], Bits.F_GETFL, 0)));
        assertEquals(0x1, h.ok(new Call.Fcntl(p[1], Bits.F_GETFL, 0)));
        int[] u = pair(h);
        assertEquals(0x2, h.ok(new Call.Fcntl(u[0], Bits.F_GETFL, 0)));
    }
}
