package io.tcpsim.nio;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.StandardSocketOptions;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;

/**
 * {@code ServerSocketChannel.socket()}: a java.net.ServerSocket over the channel (the JDK's ServerSocketAdaptor):
 * bind, accept (blocking mode only), the addresses, close, SO_REUSEADDR, and SO_RCVBUF read as the JDK reads it on a
 * listener (65536, nio/measure/bufjdk17.txt). Libraries take it for their configuration (Netty's
 * NioServerSocketChannel does). SO_TIMEOUT and setting a buffer size are refused as "not modelled yet".
 */
final class ServerSocketAdaptor extends ServerSocket {
    private final SimServerSocketChannel ch;

    /** ServerSocket needs an implementation, which nothing here calls. */
    private static final class NoImpl extends SocketImpl {
        private static IOException no() { return new SocketException("not a socket of its own: use the channel"); }
        @Override protected void create(boolean stream) throws IOException { throw no(); }
        @Override protected void connect(String host, int port) throws IOException { throw no(); }
        @Override protected void connect(InetAddress address, int port) throws IOException { throw no(); }
        @Override protected void connect(SocketAddress address, int timeout) throws IOException { throw no(); }
        @Override protected void bind(InetAddress host, int port) throws IOException { throw no(); }
        @Override protected void listen(int backlog) throws IOException { throw no(); }
        @Override protected void accept(SocketImpl s) throws IOException { throw no(); }
        @Override protected InputStream getInputStream() throws IOException { throw no(); }
        @Override protected OutputStream getOutputStream() throws IOException { throw no(); }
        @Override protected int available() throws IOException { throw no(); }
        @Override protected void close() { }
        @Override protected void sendUrgentData(int data) throws IOException { throw no(); }
        @Override public void setOption(int optID, Object value) throws SocketException { throw new SocketException("not modelled yet"); }
        @Override public Object getOption(int optID) throws SocketException { throw new SocketException("not modelled yet"); }
        @Override protected FileDescriptor getFileDescriptor() { return null; }
    }

    private ServerSocketAdaptor(SimServerSocketChannel ch) throws IOException {
        super(new NoImpl());
        this.ch = ch;
    }

    static ServerSocket create(SimServerSocketChannel ch) {
        try {
            return new ServerSocketAdaptor(ch);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static UnsupportedOperationException notModelled(String what) {
        return new UnsupportedOperationException(what + " not modelled yet");
    }

    private SocketException socketException(IOException e) {
        if (e instanceof SocketException s) return s;
        if (!ch.isOpen()) return new SocketException("Socket is closed");
        SocketException s = new SocketException(e.getMessage());
        s.initCause(e);
        return s;
    }

    @Override public ServerSocketChannel getChannel() { return ch; }

    @Override public void bind(SocketAddress local) throws IOException { bind(local, 50); }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        ch.bind(local, backlog);
    }

    @Override
    public Socket accept() throws IOException {
        if (!ch.isBlocking()) throw new IllegalBlockingModeException();
        return ch.accept().socket();
    }

    private InetSocketAddress local() {
        try {
            return ch.isOpen() ? (InetSocketAddress) ch.getLocalAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override public InetAddress getInetAddress() { InetSocketAddress l = local(); return l == null ? null : l.getAddress(); }
    @Override public int getLocalPort() { InetSocketAddress l = local(); return l == null ? -1 : l.getPort(); }
    @Override public SocketAddress getLocalSocketAddress() { return local(); }
    @Override public boolean isBound() { return local() != null; }
    @Override public boolean isClosed() { return !ch.isOpen(); }
    @Override public void close() throws IOException { ch.close(); }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, on);
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        try {
            return ch.getOption(StandardSocketOptions.SO_REUSEADDR);
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        if (!ch.isOpen()) throw new SocketException("Socket is closed");
        return Options.RCVBUF;
    }

    @Override public void setReceiveBufferSize(int size) { throw notModelled("SO_RCVBUF"); }
    @Override public void setSoTimeout(int timeout) { throw notModelled("SO_TIMEOUT"); }
    @Override public int getSoTimeout() { return 0; }
    @Override public void setPerformancePreferences(int c, int l, int b) { }

    @Override
    public String toString() {
        InetSocketAddress l = local();
        return l == null ? "ServerSocket[unbound]" : "ServerSocket[addr=" + l.getAddress() + ",localport=" + l.getPort() + "]";
    }
}
