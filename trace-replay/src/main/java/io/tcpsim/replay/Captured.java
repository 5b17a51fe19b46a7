package io.tcpsim.replay;

import io.tcpsim.wire.Packet;
import java.util.ArrayList;
import java.util.List;

/**
 * One packet of the capture: its number in the file (1-based, counting every record), where its record starts, and
 * the decoded packet (null for a record that is not IPv4/TCP, kept only for {@code --annotate}). Replay attaches
 * notes to it (state changes, inferred calls, divergences) for the annotated listing.
 */
final class Captured {
    final long index;
    final long offset;
    final Packet packet;
    final String skipped;
    Flow flow;
    boolean processed;
    boolean printed;
    /** The capture left out some of the payload (the snap length): its bytes are zeros here. */
    boolean payloadCut;
    List<String> notes;

    Captured(long index, long offset, Packet packet, String skipped) {
        this.index = index;
        this.offset = offset;
        this.packet = packet;
        this.skipped = skipped;
    }

    void note(String text) {
        if (notes == null) notes = new ArrayList<>(2);
        notes.add(text);
    }
}
