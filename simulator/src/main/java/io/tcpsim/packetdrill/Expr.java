package io.tcpsim.packetdrill;

import java.util.List;

/**
 * A system call's argument or result, as packetdrill's grammar (parser.y, expression) writes them. Every expression
 * knows where it starts. Symbols ({@code SOCK_STREAM}, {@code O_NONBLOCK}, {@code NULL}) stay words: what they
 * stand for is the runner's business. Structs keep packetdrill's fixed field order, and only the forms it has.
 */
public sealed interface Expr {

    int line();

    int column();

    /** {@code ...}: anything (an argument the runner fills in, a result not checked). */
    record Ellipsis(int line, int column) implements Expr {}

    /** {@code 42}, {@code -1}, {@code 0x800} ({@code hex} says how it was written). */
    record Int(long value, boolean hex, int line, int column) implements Expr {}

    /** A symbol or name: {@code SOCK_STREAM}, {@code AF_INET}, {@code NULL}. */
    record Word(String name, int line, int column) implements Expr {}

    /**
     * {@code "text"}, adjacent strings joined; {@code "text"...} when {@code prefix} (a buffer that starts so).
     * The text is as written between the quotes: escapes are not decoded.
     */
    record Str(String text, boolean prefix, int line, int column) implements Expr {}

    /** {@code A | B | C}: flags or'ed together. */
    record Or(List<Expr> terms, int line, int column) implements Expr {
        public Or { terms = List.copyOf(terms); }
    }

    /** {@code name = value}: a named field of a struct packetdrill has no literal for. */
    record Assign(String name, Expr value, int line, int column) implements Expr {}

    /** {@code [a, b]}: an array, and a pointer to one value ({@code [0]}, {@code [4]}). */
    record Array(List<Expr> items, int line, int column) implements Expr {
        public Array { items = List.copyOf(items); }
    }

    /** {@code {a, b}}: a struct given field by field in order. */
    record Fields(List<Expr> items, int line, int column) implements Expr {
        public Fields { items = List.copyOf(items); }
    }

    /** {@code inet_addr("192.0.2.1")} (as inet_addr(3) reads it: the text is not checked). */
    record InetAddr(String address, int line, int column) implements Expr {}

    /** {@code inet6_addr("fd3d::1")}, a valid IPv6 address. */
    record Inet6Addr(String address, int line, int column) implements Expr {}

    /** {@code {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}}; AF_INET or AF_INET6. */
    record SockAddr(String family, int port, String address, int line, int column) implements Expr {}

    /**
     * {@code {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0[, msg_control=[...]]}}; {@code control} is
     * empty when not given.
     */
    record MsgHdr(long iovlen, Array iov, Expr flags, Array control, int line, int column) implements Expr {}

    /** {@code {..., 1000}}: an iovec of that length. */
    record IoVec(long length, int line, int column) implements Expr {}

    /** {@code {cmsg_level=..., cmsg_type=..., cmsg_data=...}} */
    record Cmsg(Expr level, Expr type, Expr data, int line, int column) implements Expr {}

    /** {@code {scm_sec=S, scm_nsec=N}} */
    record ScmTimestamping(long sec, long nsec, int line, int column) implements Expr {}

    /** {@code {ee_errno=..., ee_origin=..., ee_type=..., ee_code=..., ee_info=..., ee_data=...}} */
    record SockExtendedErr(Expr errno, Expr origin, Expr type, Expr code, Expr info, Expr data, int line, int column)
            implements Expr {}

    /** {@code {fd=4, events=POLLIN[, revents=POLLIN]}}; {@code revents} is null when not given (packetdrill: 0). */
    record PollFd(Expr fd, Expr events, Expr revents, int line, int column) implements Expr {}

    /** {@code {events=EPOLLIN, fd=4}} and its {@code ptr=}, {@code u32=}, {@code u64=} forms. */
    record EpollEvent(Expr events, DataField field, Expr data, int line, int column) implements Expr {
        public enum DataField { FD, PTR, U32, U64 }
    }

    /** {@code {onoff=1, linger=0}} */
    record Linger(long onoff, long linger, int line, int column) implements Expr {}
}
