package io.tcpsim.calls;

/** The socket options tcpsim models, with their SOL_SOCKET numbers and how many int values they carry. */
public enum SockOpt {
    SO_REUSEADDR(2, 1),
    SO_ERROR(4, 1),
    SO_LINGER(13, 2);

    public final int number;
    /** SO_LINGER carries {onoff, seconds}; the others one int. */
    public final int arity;

    SockOpt(int number, int arity) {
        this.number = number;
        this.arity = arity;
    }
}
