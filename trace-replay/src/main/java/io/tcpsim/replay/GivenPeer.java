package io.tcpsim.replay;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The side of a flow the model does not run (its SYN is not Linux's): its captured packets are taken as given and
 * delivered to the judged side, as packetdrill delivers a script's inbound packets, and only the judged side's packets
 * are compared. Each is translated into the model's numbers: the given side keeps its own sequence numbers (its ISN
 * is the same in the model), its ACKs and SACK blocks are moved from the judged side's ISN in the capture to its ISN
 * in the model, and its TS echo from the judged side's TS clock in the capture to the model's.
 *
 * <p>A packet arrives at the judged side the round trip from the capture point to the judged side after the capture
 * shows it (FlowPlan, FlowModel#link), so that the judged side's answers leave at the times the capture shows them
 * (Flow's arrivals).
 */
final class GivenPeer {
    private final FlowSide given, judged;

    GivenPeer(FlowSide given, FlowSide judged) {
        this.given = given;
        this.judged = judged;
    }

    /** The given side's captured segment in the model's numbers and addresses (its SYN sets its ISN in the model). */
    Segment translate(Segment s) {
        if (s.has(TcpFlags.SYN) && !given.model.known()) given.model.learn(s.seq());
        long ack = s.has(TcpFlags.ACK) ? toModel(s.ack()) : s.ack();
        List<TcpOption> options = s.options();
        List<TcpOption> out = options;
        for (int i = 0; i < options.size(); i++) {
            TcpOption o = options.get(i);
            TcpOption t = o;
            if (o instanceof TcpOption.Timestamps ts && ts.ecr() != 0 && judged.capTs0 >= 0 && judged.modelTs0 >= 0) {
                t = new TcpOption.Timestamps(ts.val(), (ts.ecr() - judged.capTs0 + judged.modelTs0) & 0xffffffffL);
            } else if (o instanceof TcpOption.Sack sack) {
                List<long[]> blocks = new ArrayList<>(sack.blocks().size());
                for (long[] b : sack.blocks()) blocks.add(new long[] {toModel(b[0]), toModel(b[1])});
                t = new TcpOption.Sack(blocks);
            }
            if (t != o) {
                if (out == options) out = new ArrayList<>(options);
                out.set(i, t);
            }
        }
        return new Segment(given.modelAddr, judged.modelAddr, s.seq(), ack, s.flags(), s.window(), s.urgent(), out,
                s.payload());
    }

    /** A number in the judged side's sequence space: its place relative to the capture's ISN, on the model's ISN. */
    private long toModel(long number) {
        if (!judged.captured.known() || !judged.model.known()) return number;
        return (judged.captured.relative(number) + judged.model.isn()) & 0xffffffffL;
    }
}
