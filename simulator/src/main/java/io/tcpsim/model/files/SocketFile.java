package io.tcpsim.model.files;

import io.tcpsim.calls.SockOpt;
import io.tcpsim.model.Outcome;
import io.tcpsim.wire.SockAddr;
import java.util.function.ToIntFunction;

/**
 * A socket's file (socket_file_ops with the socket's proto_ops): the calls only a socket takes (a descriptor of
 * another kind fails them with ENOTSOCK in sockfd_lookup, which {@code Model} checks), and read and write as recvmsg
 * and sendmsg without flags (sock_read_iter, sock_write_iter).
 */
public abstract sealed class SocketFile extends OpenFile permits TcpFile, UnixEnd {
    @Override
    public final Outcome read(int len) {
        return recvmsg(len, 0);
    }

    @Override
    public final Outcome write(byte[] data, int copied) {
        return sendmsg(data, 0, copied);
    }

    /** A socket is opened O_RDWR (sock_alloc_file). */
    @Override
    public final int accessMode() {
        return 2;
    }

    public abstract Outcome bind(SockAddr addr);

    public abstract Outcome listen(int backlog);

    /**
     * accept4: a connection off the queue gets a file of its own, which {@code install} puts in the caller's
     * descriptor table (do_accept, fd_install); the result is its descriptor.
     */
    public abstract Outcome accept(int flags, ToIntFunction<OpenFile> install);

    public abstract Outcome connect(SockAddr addr);

    /** sendmsg with {@code flags}; {@code copied} is what an earlier attempt queued before it waited. */
    public abstract Outcome sendmsg(byte[] data, int flags, int copied);

    public abstract Outcome recvmsg(int len, int flags);

    public abstract Outcome shutdown(int how);

    public abstract Outcome setsockopt(SockOpt option, int[] values);

    public abstract Outcome getsockopt(SockOpt option);

    /** getsockname, or getpeername when {@code peer} (proto_ops getname). */
    public abstract Outcome getName(boolean peer);
}
