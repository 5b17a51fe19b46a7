package io.tcpsim.nio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SocketChannel;

/**
 * {@code SocketChannel.socket()}: a java.net.Socket over the channel (the JDK's SocketAdaptor). Streams work on a
 * channel in blocking mode only (IllegalBlockingModeException otherwise, as measured); what the model has no option
 * for (SO_TIMEOUT, TCP_NODELAY, SO_KEEPALIVE, buffer sizes, OOB) is refused as "not modelled yet".
 */
final class SocketAdaptor extends Socket {
    private final SimSocketChannel ch;

    private SocketAdaptor(SimSocketChannel ch) throws SocketException {
        super((java.net.SocketImpl) null);
        this.ch = ch;
    }

    static Socket create(SimSocketChannel ch) {
        try {
            return new SocketAdaptor(ch);
        } catch (SocketException e) {
            throw new IllegalStateException(e);
        }
    }

    private static UnsupportedOperationException notModelled(String what) {
        return new UnsupportedOperationException(what + " not modelled yet");
    }

    @Override public SocketChannel getChannel() { return ch; }

    @Override
    public void connect(SocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    @Override
    public void connect(SocketAddress remote, int timeout) throws IOException {
        if (timeout < 0) throw new IllegalArgumentException("connect: timeout can't be negative");
        if (timeout > 0) throw notModelled("Socket.connect with a timeout");
        if (!ch.isBlocking()) throw new IllegalBlockingModeException();
        ch.connect(remote);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        ch.bind(local);
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress r = remote();
        return r == null ? null : r.getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress r = remote();
        return r == null ? 0 : r.getPort();
    }

    @Override
    public InetAddress getLocalAddress() {
        InetSocketAddress l = local();
        return l == null ? null : l.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress l = local();
        return l == null ? -1 : l.getPort();
    }

    @Override public SocketAddress getRemoteSocketAddress() { return remote(); }

    @Override public SocketAddress getLocalSocketAddress() { return local(); }

    private InetSocketAddress remote() {
        try {
            return (InetSocketAddress) ch.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    private InetSocketAddress local() {
        try {
            return (InetSocketAddress) ch.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        if (isClosed()) throw new SocketException("Socket is closed");
        if (!ch.isConnected()) throw new SocketException("Socket is not connected");
        if (isInputShutdown()) throw new SocketException("Socket input is shutdown");
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                java.util.Objects.checkFromIndexSize(off, len, b.length);
                if (!ch.isBlocking()) throw new IllegalBlockingModeException();
                if (len == 0) return 0;
                return ch.read(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        if (isClosed()) throw new SocketException("Socket is closed");
        if (!ch.isConnected()) throw new SocketException("Socket is not connected");
        if (isOutputShutdown()) throw new SocketException("Socket output is shutdown");
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.util.Objects.checkFromIndexSize(off, len, b.length);
                if (!ch.isBlocking()) throw new IllegalBlockingModeException();
                ByteBuffer bb = ByteBuffer.wrap(b, off, len);
                while (bb.hasRemaining()) ch.write(bb);
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        if (!on) linger = -1;
        else if (linger < 0) throw new IllegalArgumentException("invalid value for SO_LINGER");
        try {
            ch.setOption(StandardSocketOptions.SO_LINGER, linger);
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    @Override
    public int getSoLinger() throws SocketException {
        try {
            return ch.getOption(StandardSocketOptions.SO_LINGER);
        } catch (IOException e) {
            throw socketException(e);
        }
    }

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

    private SocketException socketException(IOException e) {
        if (e instanceof SocketException s) return s;
        if (!ch.isOpen()) return new SocketException("Socket is closed");
        SocketException s = new SocketException(e.getMessage());
        s.initCause(e);
        return s;
    }

    @Override public void setSoTimeout(int timeout) { throw notModelled("SO_TIMEOUT"); }
    @Override public int getSoTimeout() { return 0; }
    @Override public void setTcpNoDelay(boolean on) { throw notModelled("TCP_NODELAY"); }
    @Override public boolean getTcpNoDelay() { throw notModelled("TCP_NODELAY"); }
    @Override public void setKeepAlive(boolean on) { throw notModelled("SO_KEEPALIVE"); }
    @Override public boolean getKeepAlive() { throw notModelled("SO_KEEPALIVE"); }
    @Override public void setSendBufferSize(int size) { throw notModelled("SO_SNDBUF"); }
    @Override public int getSendBufferSize() throws SocketException { return bufferSize(StandardSocketOptions.SO_SNDBUF); }
    @Override public void setReceiveBufferSize(int size) { throw notModelled("SO_RCVBUF"); }
    @Override public int getReceiveBufferSize() throws SocketException { return bufferSize(StandardSocketOptions.SO_RCVBUF); }

    /** Options.bufferSize: the values the JDK reads on this kernel. */
    private int bufferSize(java.net.SocketOption<Integer> name) throws SocketException {
        try {
            return ch.getOption(name);
        } catch (IOException e) {
            throw socketException(e);
        }
    }
    @Override public void setOOBInline(boolean on) { throw notModelled("SO_OOBINLINE"); }
    @Override public boolean getOOBInline() { throw notModelled("SO_OOBINLINE"); }
    @Override public void sendUrgentData(int data) { throw notModelled("urgent data"); }
    @Override public void setTrafficClass(int tc) { throw notModelled("IP_TOS"); }
    @Override public int getTrafficClass() { throw notModelled("IP_TOS"); }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        ch.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        ch.shutdownOutput();
    }

    @Override public boolean isConnected() { return ch.isConnected(); }
    @Override public boolean isBound() { return local() != null; }
    @Override public boolean isClosed() { return !ch.isOpen(); }
    @Override public boolean isInputShutdown() { return ch.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return ch.isOutputShutdown(); }

    @Override
    public String toString() {
        if (ch.isConnected()) return "Socket[addr=" + getInetAddress() + ",port=" + getPort() + ",localport=" + getLocalPort() + "]";
        return "Socket[unconnected]";
    }
}
