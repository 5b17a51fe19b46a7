package io.tcpsim.model.files;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.model.Outcome;
import io.tcpsim.model.WaitQueue;
import io.tcpsim.model.tcp.TcpCalls;
import io.tcpsim.model.tcp.TcpSock;
import io.tcpsim.wire.SockAddr;
import java.util.function.ToIntFunction;

/** A TCP socket's file: inet_stream_ops, whose calls {@link TcpCalls} follows. */
public final class TcpFile extends SocketFile {
    public final TcpSock sock;
    private final TcpCalls calls;

    public TcpFile(TcpSock sock, TcpCalls calls) {
        this.sock = sock;
        this.calls = calls;
    }

    /** The calls of the stack the socket lives on (its host's). */
    public TcpCalls calls() { return calls; }

    @Override public int poll() { return calls.poll(sock); }

    @Override public WaitQueue waitQueue() { return sock.waitQueue; }

    @Override public Outcome bind(SockAddr addr) { return calls.bind(sock, addr); }

    @Override public Outcome listen(int backlog) { return calls.listen(sock, backlog); }

    /** inet_accept: the child is grafted onto a new socket and file (sock_graft), with the flags of accept4. */
    @Override
    public Outcome accept(int flags, ToIntFunction<OpenFile> install) {
        return calls.accept(sock, nonblock, child -> {
            TcpFile f = new TcpFile(child, calls);
            f.nonblock = (flags & Bits.SOCK_NONBLOCK) != 0;
            return Outcome.ok(install.applyAsInt(f));
        });
    }

    @Override public Outcome connect(SockAddr addr) { return calls.connect(sock, addr, nonblock); }

    @Override
    public Outcome sendmsg(byte[] data, int flags, int copied) {
        return calls.send(sock, data, flags, nonblock, copied);
    }

    /** recv with MSG_WAITALL: what it copies so far collects in {@code got} across waits (TcpCalls.recvWaitAll). */
    public Outcome recvWaitAll(int len, int flags, java.io.ByteArrayOutputStream got) {
        return calls.recvWaitAll(sock, len, flags, nonblock, got);
    }

    /** recv or read on a socket with SO_RCVLOWAT above 1 (TcpCalls.recvLowat). */
    public Outcome recvLowat(int len, int flags, java.io.ByteArrayOutputStream got) {
        return calls.recvLowat(sock, len, flags, nonblock, got);
    }

    /** recvmsg's TCP_INQ control message, or -1 (TcpCalls.inqHint). */
    public int inqHint() {
        return calls.inqHint(sock);
    }

    /** SO_RCVLOWAT (sk_rcvlowat). */
    public int rcvLowat() {
        return calls.rcvLowat(sock);
    }

    @Override public Outcome recvmsg(int len, int flags) { return calls.recv(sock, len, flags, nonblock); }

    @Override public Outcome shutdown(int how) { return calls.shutdown(sock, how); }

    @Override public Outcome setsockopt(SockOpt option, int[] values) { return calls.setsockopt(sock, option, values); }

    @Override public Outcome getsockopt(SockOpt option) { return calls.getsockopt(sock, option); }

    @Override public Outcome getName(boolean peer) { return calls.getName(sock, peer); }

    @Override public Outcome ioctl(int request) { return calls.ioctl(sock, request); }
}
