package io.tcpsim.replay;

import io.tcpsim.compare.Tolerance;
import io.tcpsim.model.Model;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A flow's first packet: the plan (what is judged, the path, see {@link FlowPlan}), the facts the report states about
 * it, the profile chosen from the handshake, and the model set up for what is judged ({@link Judging}).
 */
final class FlowStart {
    private FlowStart() {}

    /** What the first packet decided: the plan, the tolerance, whether a server listened, and the judging (or null). */
    record Started(FlowPlan plan, Tolerance tolerance, boolean listener, Judging judging) {}

    static Started start(Flow flow, Captured c, ArrayDeque<Captured> buffer, Sides sides, FlowRecorder recorder,
            CaptureFacts facts) {
        FlowSide client = sides.client(), server = sides.server();
        FlowPlan plan = FlowPlan.of(c, buffer, client, server, facts);
        String vlan = io.tcpsim.pcap.LinkLayer.describeVlans(c.vlans);
        if (vlan != null) recorder.fact("link: " + vlan + " (a flow is its 4-tuple in its VLANs)");
        if (plan.mode() != FlowPlan.Mode.BOTH || !plan.loopback()) {
            recorder.fact(plan.client().describe(Role.CLIENT));
            recorder.fact(plan.server().describe(Role.SERVER));
        }
        if (plan.where() != null) recorder.fact(plan.where());
        Tolerance tolerance = Flow.TOLERANCE;
        if (facts.timeless()) {
            tolerance = Flow.TIMELESS;
            recorder.fact("time: " + facts.sameTimes() + " share their timestamp with the one before (the "
                    + "capture keeps no usable time): packets are compared without their times");
        }
        if (plan.mode() == FlowPlan.Mode.NONE) {
            recorder.notJudged(0, plan.notJudged());
            return new Started(plan, tolerance, false, null);
        }
        Role judged = plan.judged();
        FlowSide j = judged == null ? null : sides.of(judged), g = judged == null ? null : sides.peer(j);
        if (g != null) {
            g.given = true;
            recorder.fact(g.role.word + ": taken as given (its packets are delivered to the " + j.role.word
                    + " in the model, as a script's inbound packets are; only the " + j.role.word + " is judged)");
        }
        if (plan.blankedTs()) {
            recorder.fact("options: ten NOPs stand where the TS option goes (the capture was anonymised, or a "
                    + "middlebox rewrote them): compared as TS");
        }
        Profiles.Chosen chosen = chooseProfile(c, judged, buffer, facts);
        // Seeded by the flow's first record, not its number: a worker knows the record when the flow starts, and the
        // number only when every flow started before it is known (Workers). Replay adopts the captured ports, ISNs and
        // timestamps, so no output depends on the seed (every expected output in traces/ is the same with any seed).
        Model m = new Model(chosen.profile(), c.index);
        Predictions predictions = new Predictions(sides, m.profile().jiffyNanos());
        // The judging's missing-prediction sink is needed by the model before the judging exists: forwarded.
        Judging[] self = new Judging[1];
        FlowModel model = new FlowModel(m, c.packet.timeNanos(), sides, predictions, recorder,
                p -> self[0].missing.accept(p));
        recorder.attach(model, predictions);
        CallInference calls = new CallInference(model, sides, predictions, recorder, buffer);
        GivenPeer given = g == null ? null : new GivenPeer(g, j);
        self[0] = new Judging(flow, sides, recorder, plan, tolerance, model, predictions, calls, given);
        long lo = m.profile().loopbackDelayNanos();
        if (g != null) {
            model.link(g, Math.max(judged == Role.SERVER ? plan.toServer() : plan.toClient(), 0), lo);
            FlowSetup.startOne(c, buffer, model, j, g, recorder);
        } else {
            if (!plan.loopback() && plan.toServer() >= 0 && plan.toClient() >= 0) {
                model.link(Math.max(plan.toServer(), lo), Math.max(plan.toClient(), lo), lo);
            }
            FlowSetup.start(c, buffer, model, client, server, recorder, calls, plan.loopback());
        }
        if (chosen.olderKernel() != null) {
            String why = chosen.olderKernel() + "; its receive-window accounting (tcp_adv_win_scale) is not the model's";
            for (FlowSide sd : new FlowSide[] {client, server}) if (!sd.given) sd.windowNotJudged = why;
            recorder.fact("window: not compared (" + why + ")");
        }
        if (!chosen.keys().isEmpty()) {
            recorder.note("profile from the handshake: " + String.join(", ", chosen.keys()));
        }
        return new Started(plan, tolerance, model.listenFd >= 0, self[0]);
    }

    /**
     * The model's profile, from the flow's SYN and the SYN-ACK that answers it, when the lookahead has them: the
     * judged side's, when only one side is judged.
     */
    private static Profiles.Chosen chooseProfile(Captured first, Role judged, ArrayDeque<Captured> buffer,
            CaptureFacts facts) {
        Segment s = first.packet.segment();
        if (!FlowSetup.isSyn(s)) return new Profiles.Chosen(Profiles.LINUX6, List.of());
        Segment synAck = null;
        for (Captured n : buffer) {
            Segment ns = n.packet.segment();
            if (ns.src().equals(s.dst()) && ns.has(TcpFlags.SYN) && ns.has(TcpFlags.ACK)) {
                synAck = ns;
                break;
            }
        }
        Profiles.SynFacts cf = Profiles.SynFacts.of(s), sf = synAck == null ? null : Profiles.SynFacts.of(synAck);
        if (judged == Role.SERVER && sf != null) {
            return Profiles.forHandshake(sf, cf, -1, facts.pingpong(s.dst().ip()), true, -1);
        }
        return Profiles.forHandshake(cf, sf, facts.synLinearTimeouts(s.src().ip()),
                facts.pingpong(s.dst().ip()), false, facts.hz());
    }
}
