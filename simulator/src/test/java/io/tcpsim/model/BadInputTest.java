package io.tcpsim.model;

import static io.tcpsim.model.Harness.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.wire.SockAddr;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Descriptors that are not open or not sockets (fdget -> EBADF, sockfd_lookup -> ENOTSOCK; exp10 10.17), and robustness. */
class BadInputTest {

    private static List<Call> everyCallOn(int fd) {
        return List.of(new Call.Bind(fd, SERVER), new Call.Listen(fd, 1), new Call.Accept(fd, 0),
                new Call.Connect(fd, SERVER), Harness.send(fd, "x", Bits.MSG_NOSIGNAL), Harness.recv(fd, 10, 0),
                new Call.Shutdown(fd, Bits.SHUT_WR), new Call.SetSockOpt(fd, SockOpt.SO_REUSEADDR, new int[] {1}),
                new Call.GetSockOpt(fd, SockOpt.SO_ERROR), new Call.Close(fd));
    }

    /** Unknown descriptors -> EBADF for every call. */
    @Test
    void unknownFdIsEbadf() {
        Harness h = new Harness();
        for (Call c : everyCallOn(99)) h.fails(c, Errno.EBADF);
        h.fails(new Call.Fcntl(99, Bits.F_GETFL, 0), Errno.EBADF);
    }

    /** exp10 10.17: close twice -> 0 then EBADF; every call on the closed number -> EBADF. */
    @Test
    void closedFdIsEbadf() {
        Harness h = new Harness();
        int s = (int) h.ok(new Call.Socket(0));
        assertEquals(0, h.ok(new Call.Close(s)));
        for (Call c : everyCallOn(s)) h.fails(c, Errno.EBADF);
    }

    /** Socket calls on a pipe -> ENOTSOCK. */
    @Test
    void socketCallsOnPipeAreEnotsock() {
        Harness h = new Harness();
        int[] p = h.call(new Call.Pipe()).fds();
        for (int fd : p) {
            h.fails(new Call.Bind(fd, SERVER), Errno.ENOTSOCK);
            h.fails(new Call.Listen(fd, 1), Errno.ENOTSOCK);
            h.fails(new Call.Accept(fd, 0), Errno.ENOTSOCK);
            h.fails(new Call.Connect(fd, SERVER), Errno.ENOTSOCK);
            h.fails(new Call.Shutdown(fd, Bits.SHUT_WR), Errno.ENOTSOCK);
            h.fails(new Call.GetSockOpt(fd, SockOpt.SO_ERROR), Errno.ENOTSOCK);
        }
        h.fails(Harness.send(p[1], "x", 0), Errno.ENOTSOCK);
        h.fails(Harness.recv(p[0], 1, 0), Errno.ENOTSOCK);
    }

    /** The model never throws, whatever the order of calls (random sequences over a few descriptors, fixed seeds). */
    @Test
    void oddSequencesNeverThrow() {
        for (int seed = 0; seed < 200; seed++) {
            Random r = new Random(seed);
            Harness h = new Harness(Profile.linux6(), seed);
            for (int i = 0; i < 60; i++) {
                int fd = 3 + r.nextInt(5);
                SockAddr addr = r.nextBoolean() ? SERVER : SockAddr.loopback(r.nextInt(3));
                Call c;
                switch (r.nextInt(16)) {
                    case 0: c = new Call.Socket(r.nextBoolean() ? Bits.SOCK_NONBLOCK : 0); break;
                    case 1: c = new Call.Bind(fd, addr); break;
                    case 2: c = new Call.Listen(fd, r.nextInt(3) - 1); break;
                    case 3: c = new Call.Accept(fd, Bits.SOCK_NONBLOCK); break;
                    case 4: c = new Call.Connect(fd, addr); break;
                    case 5: c = Harness.send(fd, "abc", Bits.MSG_NOSIGNAL | Bits.MSG_DONTWAIT); break;
                    case 6: c = Harness.recv(fd, r.nextInt(4), Bits.MSG_DONTWAIT); break;
                    case 7: c = new Call.Shutdown(fd, r.nextInt(4)); break;
                    case 8: c = new Call.Close(fd); break;
                    case 9: c = new Call.SetSockOpt(fd, SockOpt.SO_LINGER, new int[] {r.nextInt(2), r.nextInt(2)}); break;
                    case 10: c = new Call.GetSockOpt(fd, SockOpt.SO_ERROR); break;
                    case 11: c = new Call.Fcntl(fd, Bits.F_SETFL, Bits.O_NONBLOCK); break;
                    case 12: c = Harness.poll(fd, 0xffff, 0); break;
                    case 13: c = new Call.Pipe(); break;
                    case 14: c = new Call.SocketPair(); break;
                    default: c = new Call.EpollCtl(fd, Bits.EPOLL_CTL_ADD, 3, Bits.POLLIN); break;
                }
                h.call(c);
                if (r.nextInt(4) == 0) h.sleepMs(r.nextInt(100));
            }
            h.sleepMs(200_000);
        }
    }
}
