package io.tcpsim.model;

import io.tcpsim.backend.Event;
import io.tcpsim.backend.LinkCommand;
import io.tcpsim.model.tcp.TcpStack;
import io.tcpsim.script.Topology;
import io.tcpsim.wire.Segment;
import java.util.ArrayList;
import java.util.List;

/**
 * The link between the two hosts of a script with {@code hosts:} (docs/model.md, "Two hosts on a link"): each
 * direction delays a segment by its one-way delay, and loses it while the link is down or when an armed drop
 * matches it. A lost segment is in its sender's capture (its PacketSent came first) and reported as lost; the other
 * host never sees it. Packets are never reordered: a constant delay per direction keeps them in order.
 */
final class Wire {
    /**
     * An armed {@code link drop}: of the packets of {@code kind} from host {@code from}, {@code skip} more pass, then
     * {@code left} more are lost.
     */
    private static final class Drop {
        final int from;
        final LinkCommand.Kind kind;
        final String where;
        int skip;
        int left;

        Drop(int from, LinkCommand.Kind kind, int skip, int left, String where) {
            this.from = from;
            this.kind = kind;
            this.skip = skip;
            this.left = left;
            this.where = where;
        }
    }

    private final Scheduler clock;
    private final Topology topology;
    private final TcpStack[] hosts;
    private final int[] ips;
    private final long[] delays;
    private final List<Drop> drops = new ArrayList<>();
    private boolean down;
    /** Where the step that took the link down is ({@code FILE:LINE:COL}), for a refusal. */
    private String downWhere;

    Wire(Scheduler clock, Topology topology, TcpStack a, TcpStack b) {
        this.clock = clock;
        this.topology = topology;
        this.hosts = new TcpStack[] {a, b};
        List<String> names = topology.names();
        this.ips = new int[] {topology.hosts().get(names.get(0)), topology.hosts().get(names.get(1))};
        this.delays = new long[] {topology.link().delayNanos(), topology.link().reverseDelayNanos()};
        for (int i = 0; i < 2; i++) {
            final int self = i;
            hosts[i].attach(ips[i], new TcpStack.Device() {
                public boolean reaches(int ip) { return ip == ips[1 - self]; }

                public void send(TcpStack from, io.tcpsim.wire.Segment seg) { carry(self, seg); }
            });
        }
    }

    /**
     * A link step: {@code down} and {@code up} switch the link; a drop is armed beside those already armed.
     * {@code where} is the step's place in the script ({@code FILE:LINE:COL}).
     */
    void apply(LinkCommand c, String where) {
        if (c instanceof LinkCommand.Down) {
            down = true;
            downWhere = where;
        } else if (c instanceof LinkCommand.Up) {
            down = false;
        } else if (c instanceof LinkCommand.Drop d) {
            drops.add(new Drop(topology.names().indexOf(d.from()), d.kind(), d.skip(), d.count(), where));
        }
    }

    /**
     * What the model cannot follow yet when the link loses this segment (docs/model.md, "What is not modelled yet"):
     * a SYN-ACK (its retransmission, tcp_synack_retries), and the third ACK of a handshake (the server waits on its
     * SYN-ACK timer). A lost SYN is retransmitted by the SYN timer, data and FIN by the probe and RTO timers
     * (TcpRetransmit), a lost RST leaves nothing behind on its sender, and another lost pure ACK is covered by the
     * next one or by the peer's retransmission. Null when the loss is modelled.
     */
    private String unmodelledLoss(Segment seg, TcpStack to) {
        int f = seg.flags();
        boolean syn = (f & io.tcpsim.wire.TcpFlags.SYN) != 0, ack = (f & io.tcpsim.wire.TcpFlags.ACK) != 0;
        if ((f & io.tcpsim.wire.TcpFlags.RST) != 0) return null;
        if (syn && !ack) return null;
        if (syn) return "a lost SYN-ACK (its retransmission, tcp_synack_retries)";
        if (seg.length() == 0 && (f & io.tcpsim.wire.TcpFlags.FIN) == 0 && to.awaitsThirdAck(seg))
            return "a lost third ACK (the SYN-ACK timer of the server's request)";
        return null;
    }

    /**
     * A segment host {@code from} sent to the other host: lost while the link is down; otherwise the first armed
     * drop of its direction that matches counts it (a packet it lets through counts for it alone), as the kernel
     * backend's wire decides (trace-replay io.tcpsim.kernel.net.Link#admit).
     */
    private void carry(int from, Segment seg) {
        if (seg.dst().ip() != ips[1 - from]) {
            // No route leads anywhere else: sourceFor() refused the connection. A reply to a stray address is lost.
            hosts[from].report(new Event.LostOnLink(clock.now(), seg));
            return;
        }
        boolean lost = down;
        String lostBy = null;
        if (!down) {
            for (java.util.Iterator<Drop> it = drops.iterator(); it.hasNext(); ) {
                Drop d = it.next();
                if (d.from != from || !d.kind.matches(seg.flags(), seg.length())) continue;
                if (d.skip > 0) {
                    d.skip--;
                } else {
                    lost = true;
                    lostBy = d.where;
                    if (--d.left == 0) it.remove();
                }
                break;
            }
        }
        if (lost) {
            String why = unmodelledLoss(seg, hosts[1 - from]);
            if (why != null)
                throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                        (lostBy == null ? downWhere : lostBy) + ": " + why));
            hosts[from].report(new Event.LostOnLink(clock.now(), seg));
            return;
        }
        TcpStack to = hosts[1 - from];
        clock.arriveAt(clock.now() + delays[from], () -> to.arrive(seg));
    }
}
