package io.tcpsim.nio;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * The JVM's provider when started with {@code -Djava.nio.channels.spi.SelectorProvider=io.tcpsim.nio.TcpsimSelectorProvider}:
 * SocketChannel.open(), ServerSocketChannel.open(), Selector.open() and Pipe.open() then open on the model. Each
 * call goes to {@link SimNetwork#current()}: the network a test installed, or else the JVM's own network, made on
 * first use. The property covers SelectorProvider.provider() only: java.net.Socket and ServerSocket do not use it on
 * JDK 17 and later (their NioSocketImpl is the platform's), so they stay on the real network.
 */
public final class TcpsimSelectorProvider extends SelectorProvider {
    /** Called by SelectorProvider.provider() (the system property names this class). */
    public TcpsimSelectorProvider() {}

    private static SelectorProvider target() {
        return SimNetwork.current().provider();
    }

    @Override public SocketChannel openSocketChannel() throws IOException { return target().openSocketChannel(); }

    @Override public SocketChannel openSocketChannel(ProtocolFamily f) throws IOException { return target().openSocketChannel(f); }

    @Override public ServerSocketChannel openServerSocketChannel() throws IOException { return target().openServerSocketChannel(); }

    @Override public ServerSocketChannel openServerSocketChannel(ProtocolFamily f) throws IOException {
        return target().openServerSocketChannel(f);
    }

    @Override public AbstractSelector openSelector() throws IOException { return target().openSelector(); }

    @Override public Pipe openPipe() throws IOException { return target().openPipe(); }

    @Override public DatagramChannel openDatagramChannel() throws IOException { return target().openDatagramChannel(); }

    @Override public DatagramChannel openDatagramChannel(ProtocolFamily f) throws IOException { return target().openDatagramChannel(f); }
}
