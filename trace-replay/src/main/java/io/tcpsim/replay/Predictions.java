package io.tcpsim.replay;

import io.tcpsim.compare.PacketFields;
import io.tcpsim.compare.Rule;
import io.tcpsim.compare.Tolerance;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The packets the model has sent that the capture has not shown yet, and the one judgement of a captured packet
 * against them: same fields ({@link PacketFields#same}, seq and ack relative to each side's ISN in the capture and in
 * the model), and in time. Pure: no model, no capture, only segments and times (the model's clock, which follows the
 * capture's from the flow's first packet).
 *
 * <p>In time means within the {@link Tolerance} of the model's time; or of that time moved by {@link #skew}, the
 * offset of the last packet matched (a packet the model sends in answer to one that left at another time, a SYN-ACK
 * answering a retransmitted SYN, keeps its cause's offset: that is how replay measures an answer, as check measures a
 * packet from its previous event); or, for a packet the model sent from a timer (exactly on one of its jiffy ticks),
 * within the timer rules: {@link Rule#TIMER_TICK_PHASE} one jiffy earlier, {@link Rule#TIMER_TICK_LATE} one jiffy
 * later, and both together two jiffies later (the model's tick has the capture's phase only to within a jiffy, and
 * the kernel's tick may also have run late).
 */
final class Predictions {
    static final int MAX = 256;

    /** What the model sent ({@code time} on the model's clock); notes and events for the annotation and the picture. */
    record Predicted(long time, Role role, Segment segment, List<String> notes, List<FlowTrace.Event> events) {}

    private static final List<Rule> NONE = List.of(), PHASE = List.of(Rule.TIMER_TICK_PHASE),
            LATE = List.of(Rule.TIMER_TICK_LATE), PHASE_AND_LATE = List.of(Rule.TIMER_TICK_PHASE, Rule.TIMER_TICK_LATE);

    private final ArrayDeque<Predicted> pending = new ArrayDeque<>();
    private final Sides sides;
    private final long jiffy;
    /** The capture's time minus the model's for the last packet matched. */
    private long skew;
    private Predicted last;
    /** The rules of the last {@link #match}: empty within the tolerance, null when it was late. */
    private List<Rule> matchedUnder;

    Predictions(Sides sides, long jiffyNanos) {
        this.sides = sides;
        this.jiffy = jiffyNanos;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** When {@link #MAX} predictions wait, the oldest, taken out (the caller reports it missing); else null. */
    Predicted overflow() {
        return pending.size() >= MAX ? pending.poll() : null;
    }

    Predicted add(long time, Role role, Segment segment, List<String> notes, List<FlowTrace.Event> events) {
        last = new Predicted(time, role, segment, notes, events);
        pending.add(last);
        return last;
    }

    /** The prediction made last, shown by the capture or not (see {@link #pending}). */
    Predicted last() {
        return last;
    }

    /** Whether the capture has not shown {@code p} yet. */
    boolean pending(Predicted p) {
        return pending.contains(p);
    }

    void remove(Predicted p) {
        pending.remove(p);
    }

    /** Whether a captured segment of {@code role} has the fields of the model's {@code p}. */
    boolean same(Segment captured, Role role, Predicted p) {
        FlowSide me = sides.of(role), peer = sides.peer(me);
        if (me.windowNotJudged != null && captured.window() != p.segment().window()) {
            captured = new Segment(captured.src(), captured.dst(), captured.seq(), captured.ack(), captured.flags(),
                    p.segment().window(), captured.urgent(), captured.options(), captured.payload());
        }
        return PacketFields.same(p.segment(), me.model, peer.model, captured, me.captured, peer.captured);
    }

    /**
     * The first prediction of {@code role} with the captured packet's fields that is in time, taken out (and
     * {@link #skew} set to its offset); else, unless the packet is an application's ({@code app}: a call may still
     * make it, see CallInference), the first with its fields, taken out as late; else null. {@link #matchedUnder}
     * says which.
     */
    Predicted match(Segment s, Role role, long t, long tol, boolean app) {
        Predicted late = null;
        for (Iterator<Predicted> it = pending.iterator(); it.hasNext(); ) {
            Predicted p = it.next();
            if (p.role() != role || !same(s, role, p)) continue;
            List<Rule> rules = inTime(p, t, tol);
            if (rules != null) {
                skew = t - p.time();
                it.remove();
                matchedUnder = rules;
                return p;
            }
            if (late == null) late = p;
        }
        if (late == null || app) return null;
        pending.remove(late);
        matchedUnder = null;
        return late;
    }

    /** The rules under which the last {@link #match} was in time (empty: the tolerance); null when it was late. */
    List<Rule> matchedUnder() {
        return matchedUnder;
    }

    /** The rules under which the capture's packet at {@code t} is {@code p} in time (empty: the tolerance); or null. */
    List<Rule> inTime(Predicted p, long t, long tol) {
        long d = t - p.time();
        if (Math.abs(d) <= tol || Math.abs(d - skew) <= tol) return NONE;
        if (p.time() % jiffy != 0) return null;
        if (d < 0) return -d <= Rule.TIMER_TICK_PHASE.window(tol, jiffy) ? PHASE : null;
        if (d <= Rule.TIMER_TICK_LATE.window(tol, jiffy)) return LATE;
        return d <= lateWindow(tol) ? PHASE_AND_LATE : null;
    }

    /** How late a timer packet may be: a jiffy of phase and a jiffy late beyond the tolerance. */
    private long lateWindow(long tol) {
        return Rule.TIMER_TICK_LATE.window(tol, jiffy) + Rule.TIMER_TICK_PHASE.jiffies() * jiffy;
    }

    /** The latest time the capture can still show {@code p} (see {@link #inTime}). */
    long lateLimit(Predicted p, long tol) {
        long late = Math.max(tol, skew + tol);
        if (p.time() % jiffy == 0) late = Math.max(late, lateWindow(tol));
        return p.time() + late;
    }

    /**
     * How far past a captured packet's time the model's clock may run to find it: a timer packet up to
     * {@link Rule#TIMER_TICK_PHASE}'s jiffy early, or an answer at the last packet's offset.
     */
    long earlyLimit(long t, long tol) {
        return t + Math.max(Rule.TIMER_TICK_PHASE.window(tol, jiffy), tol - skew);
    }

    /**
     * {@link Rule#ACK_CARRIED_BY_NEXT_PACKET}: pure ACKs the model sent on its own tick, within the tolerance of a
     * captured segment of the same side that carries data or a FIN and acknowledges as much or more; the capture's ACK
     * rode on that segment. Taken out and returned in order (most packets have none).
     */
    List<Predicted> forgiveRiders(Segment s, Role role, long t, long tol) {
        if (s.length() == 0 && !s.has(TcpFlags.FIN) || !s.has(TcpFlags.ACK)) return List.of();
        FlowSide peer = sides.of(role.other());
        long ack = peer.captured.relative(s.ack());
        List<Predicted> riders = List.of();
        for (Iterator<Predicted> it = pending.iterator(); it.hasNext(); ) {
            Predicted p = it.next();
            if (p.role() == role && p.segment().flags() == TcpFlags.ACK && p.segment().length() == 0
                    && Math.abs(p.time() - t) <= tol && peer.model.relative(p.segment().ack()) <= ack) {
                it.remove();
                if (riders.isEmpty()) riders = new ArrayList<>(1);
                riders.add(p);
            }
        }
        return riders;
    }

    /**
     * Predictions the capture can no longer show at {@code t}, taken out in order and handed to {@code missing}: past
     * {@link #lateLimit} ({@code tolerance} measured from the flow's packet before {@code prevRel}), or at the end past
     * the tolerance's floor.
     */
    void expire(long t, boolean atEnd, long prevRel, Tolerance tolerance, Consumer<Predicted> missing) {
        for (Iterator<Predicted> it = pending.iterator(); it.hasNext(); ) {
            Predicted p = it.next();
            if (atEnd ? p.time() + tolerance.floorNanos() <= t
                    : lateLimit(p, tolerance.allowed(p.time() - prevRel)) < t) {
                it.remove();
                missing.accept(p);
            }
        }
    }

    /**
     * The closest prediction of {@code role} to captured segment {@code s}: the same bytes (seq and length), else the
     * same flags, else the oldest.
     */
    Predicted closest(Role role, Segment s, FlowSide me) {
        Predicted best = null;
        int bestScore = -1;
        for (Predicted p : pending) {
            if (p.role() != role) continue;
            int score = Classifier.sameBytes(s, p, me) ? 2 : p.segment().flags() == s.flags() ? 1 : 0;
            if (score > bestScore) {
                best = p;
                bestScore = score;
            }
        }
        return best;
    }

    /** The model's data segments of {@code role} over relative bytes [from, to): {@code 1:1449 (1448), ...}. */
    String cuts(Role role, long from, long to, FlowSide me) {
        StringBuilder b = new StringBuilder();
        for (Predicted p : pending) {
            Segment m = p.segment();
            if (p.role() != role || m.length() == 0) continue;
            long a = me.model.relative(m.seq()), z = a + m.length();
            if (z <= from || a >= to) continue;
            if (b.length() > 0) b.append(", ");
            b.append(a).append(':').append(z).append(" (").append(m.length()).append(')');
        }
        return b.toString();
    }

    /** The first prediction of {@code role} with the SYN bit, taken out; or null. */
    Predicted takeSyn(Role role) {
        for (Predicted p : pending) {
            if (p.role() == role && p.segment().has(TcpFlags.SYN)) {
                pending.remove(p);
                return p;
            }
        }
        return null;
    }
}
