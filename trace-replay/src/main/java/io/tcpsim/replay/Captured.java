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
    /** The packet as replay judges it: as captured, unless its options were rewritten (see {@link #judgeAs}). */
    Packet packet;
    /** The packet as captured, which the annotated listing prints. */
    final Packet shown;
    final String skipped;
    /** The IP header's TTL (hop limit), for telling a sender's system; 0 when not known. */
    int ttl;
    /** The IP header's Don't Fragment bit (Linux sets it on TCP: ip_no_pmtu_disc 0). */
    boolean df = true;
    /** The frame's VLAN tags (LinkLayer.vlans): part of the flow's key. */
    int vlans;
    Flow flow;
    /** Past this capture time (the latest packet's), the packet waits no longer for lookahead (Replay.drainWindow). */
    long deadline;
    boolean processed;
    boolean printed;
    /** The capture left out some of the payload (the snap length): its bytes are zeros here. */
    boolean payloadCut;
    List<String> notes;

    Captured(long index, long offset, Packet packet, String skipped) {
        this.index = index;
        this.offset = offset;
        this.packet = packet;
        this.shown = packet;
        this.skipped = skipped;
    }

    /** Judges {@code s} in place of the captured segment (the same packet, its blanked options read back). */
    io.tcpsim.wire.Segment judgeAs(io.tcpsim.wire.Segment s) {
        if (s != packet.segment()) packet = new Packet(packet.timeNanos(), packet.ipId(), s);
        return s;
    }

    void note(String text) {
        if (notes == null) notes = new ArrayList<>(2);
        notes.add(text);
    }
}
