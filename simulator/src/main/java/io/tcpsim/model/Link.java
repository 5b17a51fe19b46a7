package io.tcpsim.model;

import io.tcpsim.wire.Segment;

/**
 * Where a segment the host sends goes. By default the loopback device: captured at once and delivered back to the
 * host after the profile's loopback delay. Replay sets a link of its own to follow a capture made on a real path: a
 * delay per direction (the path's, as the capture point sees it), or {@link #LEAVES} for a segment to a peer that is
 * not in the model, whose packets replay delivers itself ({@link Model#inject}), as packetdrill plays a script's
 * inbound packets.
 */
public interface Link {
    /** The segment leaves the host: it is captured, and nothing in the model receives it. */
    long LEAVES = -1;

    /** Nanoseconds from transmit to arrival back at the host, or {@link #LEAVES}. */
    long delayNanos(Segment segment);
}
