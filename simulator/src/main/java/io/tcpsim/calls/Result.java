package io.tcpsim.calls;

import io.tcpsim.wire.SockAddr;
import java.util.List;

/**
 * What a call returned. {@code value} is the return value (or -1 with {@code errno} set). Extra outputs, when the
 * call has them: the bytes a recv read, the descriptors pipe/socketpair made, the revents of each pollfd, the events
 * epoll_wait reported, the option values getsockopt read, the address getsockname or getpeername wrote.
 * {@code sigpipe} says whether the call raised SIGPIPE.
 * {@code blockedForever} says that the call would block and nothing left in the simulation can wake it.
 */
public record Result(long value, Errno errno, byte[] data, int[] fds, int[] revents, List<EpollEvent> events,
                     int[] optval, boolean sigpipe, boolean blockedForever, SockAddr addr) {

    /** A result without an address: every call but getsockname and getpeername. */
    public Result(long value, Errno errno, byte[] data, int[] fds, int[] revents, List<EpollEvent> events,
                  int[] optval, boolean sigpipe, boolean blockedForever) {
        this(value, errno, data, fds, revents, events, optval, sigpipe, blockedForever, null);
    }

    public record EpollEvent(int fd, int events) {}

    public static Result ok(long value) {
        return new Result(value, null, null, null, null, null, null, false, false);
    }

    public static Result error(Errno e) {
        return new Result(-1, e, null, null, null, null, null, false, false);
    }

    public static Result blocked() {
        return new Result(-1, null, null, null, null, null, null, false, true);
    }

    /** Arrays are compared by content, so two results that print the same are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Result r && r.value == value && r.errno == errno && r.sigpipe == sigpipe
                && r.blockedForever == blockedForever && java.util.Arrays.equals(r.data, data)
                && java.util.Arrays.equals(r.fds, fds) && java.util.Arrays.equals(r.revents, revents)
                && java.util.Objects.equals(r.events, events) && java.util.Arrays.equals(r.optval, optval)
                && java.util.Objects.equals(r.addr, addr);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(value, errno, sigpipe, blockedForever, java.util.Arrays.hashCode(data));
    }

    public boolean failed() {
        return errno != null;
    }

    /** The same result with option values: recvmsg's control message (TCP_INQ). */
    public Result withOption(int... values) {
        return new Result(value, errno, data, fds, revents, events, values, sigpipe, blockedForever, addr);
    }

    public Result withSigpipe() {
        return new Result(value, errno, data, fds, revents, events, optval, true, blockedForever, addr);
    }

    public static Result data(byte[] bytes) {
        return new Result(bytes.length, null, bytes, null, null, null, null, false, false);
    }

    public static Result fds(int a, int b) {
        return new Result(0, null, null, new int[] {a, b}, null, null, null, false, false);
    }

    public static Result poll(int count, int[] revents) {
        return new Result(count, null, null, null, revents, null, null, false, false);
    }

    public static Result epoll(List<EpollEvent> events) {
        return new Result(events.size(), null, null, null, null, List.copyOf(events), null, false, false);
    }

    /** getsockname and getpeername: 0 and the address. */
    public static Result address(SockAddr a) {
        return new Result(0, null, null, null, null, null, null, false, false, a);
    }

    public static Result option(int... values) {
        return new Result(0, null, null, null, null, null, values, false, false);
    }
}
