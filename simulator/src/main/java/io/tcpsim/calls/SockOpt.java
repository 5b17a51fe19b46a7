package io.tcpsim.calls;

/** The socket options tcpsim models, with their SOL_SOCKET numbers and how many int values they carry. */
public enum SockOpt {
    SO_REUSEADDR(2, 1),
    SO_TYPE(3, 1),
    SO_ERROR(4, 1),
    SO_LINGER(13, 2),
    SO_ACCEPTCONN(30, 1),
    SO_PROTOCOL(38, 1),
    SO_DOMAIN(39, 1);

    public final int number;
    /** SO_LINGER carries {onoff, seconds}; the others one int. */
    public final int arity;

    SockOpt(int number, int arity) {
        this.number = number;
        this.arity = arity;
    }

    /** Options sk_setsockopt has no case for, that only getsockopt reads: setting one is ENOPROTOOPT. */
    public boolean readOnly() {
        return this == SO_ERROR || this == SO_TYPE || this == SO_ACCEPTCONN || this == SO_PROTOCOL || this == SO_DOMAIN;
    }
}
