package io.tcpsim.script;

/**
 * What a call's success looks like, which decides how its expectation is written and how its result prints.
 * Every call can also fail ({@code -1 ERRNO}) or block for ever.
 */
public enum ResultShape {
    /** A plain return value: bind, listen, connect, send, shutdown, close, setsockopt, fcntl(F_SETFL), epoll_ctl, signal. */
    VALUE("N"),
    /** A new descriptor in the return value: socket, accept, epoll_create. */
    DESCRIPTOR("N"),
    /** Two new descriptors: pipe, socketpair (return value 0). */
    DESCRIPTOR_PAIR("0"),
    /** recv/read: the count and the bytes. */
    RECEIVED("N or N \"data\""),
    /** single-descriptor poll: the revents bits, 0 for a timeout. */
    REVENTS("POLL bits joined with | or 0"),
    /** multi-descriptor poll: each ready descriptor's revents. */
    POLL_LIST("name:POLL_BITS, ... or 0"),
    /** epoll_wait: each reported descriptor's events. */
    EPOLL_LIST("name:EPOLL_BITS, ... or 0"),
    /** getsockopt(SO_ERROR): the pending error. */
    SO_ERROR("0 or an errno name"),
    /** getsockopt(SO_LINGER): {onoff, seconds}. */
    LINGER("{ONOFF, SECONDS}"),
    /** getsockopt(TCP_CONGESTION): a name, as a string. */
    NAME("\"NAME\""),
    /** getsockopt(TCP_INFO): the fields of struct tcp_info the model gives. */
    TCP_INFO("{FIELD=VALUE, ...}"),
    /** getsockopt(SO_REUSEADDR), ioctl: the value the call wrote. */
    OPTION_VALUE("N"),
    /** select: the count and the ready descriptors of each set. */
    SELECT("N or N (in [a, b], out [c], ex [d])"),
    /** getsockname, getpeername: the address. */
    ADDRESS("A.B.C.D:PORT or A.B.C.D:*"),
    /** fcntl(F_GETFL): the file status flags. */
    FILE_FLAGS("O_ flags joined with | or N");

    /** How the success form is written, for error messages. */
    public final String form;

    ResultShape(String form) {
        this.form = form;
    }
}
