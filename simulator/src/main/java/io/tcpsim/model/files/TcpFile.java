package io.tcpsim.model.files;

import io.tcpsim.model.WaitQueue;
import io.tcpsim.model.tcp.TcpCalls;
import io.tcpsim.model.tcp.TcpSock;

/** A TCP socket's file. */
public final class TcpFile extends OpenFile {
    public final TcpSock sock;
    private final TcpCalls calls;

    public TcpFile(TcpSock sock, TcpCalls calls) {
        this.sock = sock;
        this.calls = calls;
    }

    @Override public int poll() { return calls.poll(sock); }

    @Override public WaitQueue waitQueue() { return sock.waitQueue; }

    @Override public int accessMode() { return 2; }
}
