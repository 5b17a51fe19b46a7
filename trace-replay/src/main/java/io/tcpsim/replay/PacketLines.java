package io.tcpsim.replay;

import io.tcpsim.compare.SequenceSpace;
import io.tcpsim.replay.Predictions.Predicted;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpdumpPrinter;

/**
 * The two packets of a divergence printed the same way: tcpdump lines with the capture's addresses and seq and ack
 * relative to each side's ISN, the captured packet in the capture's sequence spaces and the model's in the model's.
 */
final class PacketLines {
    private final Sides sides;
    private final FlowModel model;
    private TcpdumpPrinter printer; // made when a line is printed: most flows print none

    PacketLines(Sides sides, FlowModel model) {
        this.sides = sides;
        this.model = model;
    }

    String captured(Packet p, Role role) {
        FlowSide me = sides.of(role), peer = sides.peer(me);
        return line(p, me, peer, me.captured, peer.captured);
    }

    String predicted(Predicted p) {
        FlowSide me = sides.of(p.role()), peer = sides.peer(me);
        return line(new Packet(model.origin + p.time(), 0, p.segment()), me, peer, me.model, peer.model);
    }

    private String line(Packet p, FlowSide me, FlowSide peer, SequenceSpace.Direction mine,
                        SequenceSpace.Direction theirs) {
        Segment s = p.segment();
        Segment r = new Segment(me.addr, peer.addr, mine.relative(s.seq()), theirs.relative(s.ack()), s.flags(),
                s.window(), s.urgent(), s.options(), s.payload());
        if (printer == null) printer = new TcpdumpPrinter(true, 0);
        return printer.print(new Packet(p.timeNanos(), p.ipId(), r));
    }
}
