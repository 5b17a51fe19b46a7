package io.tcpsim.nio;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/** A registration of a channel with a {@link SimSelector} (SelectionKeyImpl). */
final class SimSelectionKey extends AbstractSelectionKey {
    private final SelectableChannel channel;
    private final SimSelector selector;
    private volatile int interestOps;
    private volatile int readyOps;
    /** The events the selector's epoll instance has for the descriptor (0: not added). */
    int registeredEvents;

    SimSelectionKey(SelectableChannel channel, SimSelector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    SimChannel sim() {
        return (SimChannel) channel;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    private void ensureValid() {
        if (!isValid()) throw new CancelledKeyException();
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public SimSelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) throw new IllegalArgumentException("Invalid interest ops");
        interestOps = ops;
        selector.updated(this);
        return this;
    }

    int interest() {
        return interestOps;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    int ready() {
        return readyOps;
    }

    void ready(int ops) {
        readyOps = ops;
    }
}
