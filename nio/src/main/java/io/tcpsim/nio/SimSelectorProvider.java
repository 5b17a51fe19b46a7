package io.tcpsim.nio;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/** The provider of one {@link SimNetwork}: every channel and selector it opens lives on that network's model. */
final class SimSelectorProvider extends SelectorProvider {
    private final Kernel k;

    SimSelectorProvider(Kernel k) {
        this.k = k;
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return new SimSocketChannel(this, k);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        if (family != StandardProtocolFamily.INET) throw new UnsupportedOperationException(family + " sockets not modelled yet");
        return openSocketChannel();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return new SimServerSocketChannel(this, k);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        if (family != StandardProtocolFamily.INET) throw new UnsupportedOperationException(family + " sockets not modelled yet");
        return openServerSocketChannel();
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return new SimSelector(this, k);
    }

    @Override
    public Pipe openPipe() throws IOException {
        return new SimPipe(this, k);
    }

    @Override
    public DatagramChannel openDatagramChannel() {
        throw new UnsupportedOperationException("DatagramChannel not modelled yet");
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) {
        throw new UnsupportedOperationException("DatagramChannel not modelled yet");
    }
}
