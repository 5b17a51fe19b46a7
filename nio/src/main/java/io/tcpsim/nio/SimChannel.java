package io.tcpsim.nio;

/** What the selector needs of a channel of this provider: its model descriptor and the JDK's translation rules. */
interface SimChannel {
    int fd();

    /** The interest set as poll events (the channel's translateInterestOps). */
    int events(int ops);

    /** The ready set from the events epoll reported, for a key with this interest set (translateReadyOps). */
    int readyOps(int events, int interest);

    /** Closes the descriptor of a closed channel once no selector holds a key for it (SelChImpl.kill). */
    void kill();
}
