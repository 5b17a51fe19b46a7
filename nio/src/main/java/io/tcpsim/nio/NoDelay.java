package io.tcpsim.nio;

import io.tcpsim.backend.Inspectable.EndpointSnapshot;
import io.tcpsim.model.Model;

/**
 * TCP_NODELAY on a model that has no such option yet (issue 12): a channel may set it (the JDK's HttpClient does on
 * every connection, PlainHttpConnection), and the setting is exact as long as Nagle (tcp_nagle_test, which the model
 * has) holds nothing back: then Linux with TCP_NODELAY and the model without it send the same segments. After every
 * write on such a channel, and when the option is set, the provider looks at the socket: bytes written but not sent
 * mean the model's Nagle (or a window: the check cannot tell them apart) held them, where Linux with TCP_NODELAY
 * pushes them (tcp_push_pending_frames with TCP_NAGLE_OFF). The run is then refused, never carried on inexact.
 */
final class NoDelay {
    private NoDelay() {}

    /** Thrown from the write (or the setOption) at which the model would stop being exact. */
    static UnsupportedOperationException refused(int unsent) {
        return new UnsupportedOperationException("'TCP_NODELAY' not modelled yet: " + unsent + " byte(s) written and "
                + "held unsent (Nagle), which Linux with TCP_NODELAY sends at once (docs/java-nio.md, docs/model.md)");
    }

    /** Throws {@link #refused} when the socket of {@code fd} has bytes written and not yet sent. */
    static void ensureNothingHeld(Kernel k, int fd) {
        int unsent = unsent(k, fd);
        if (unsent > 0) throw refused(unsent);
    }

    /** Bytes in the send queue beyond SND.NXT: the queue starts at SND.UNA (tcp_write_queue). */
    static int unsent(Kernel k, int fd) {
        String owner = Kernel.PROCESS + ":" + fd;
        for (EndpointSnapshot e : k.inspect(Model::endpoints)) {
            if (!owner.equals(e.owner()) || e.sndUna() < 0) continue;
            long inFlight = (e.sndNxt() - e.sndUna()) & 0xffffffffL;
            return (int) Math.max(0, e.sendQueued() - inFlight);
        }
        return 0;
    }
}
