package io.tcpsim.compare;

/**
 * How far an observed time may lie from the model's and still agree. packetdrill's rule (run_packet.c, verify_time):
 * 4 ms, or a fraction of the time since the previous event, whichever is larger. Here the fraction is 12.5 %. In
 * check the previous event is the last line before the packet in the model's log that both runs have (a call's
 * start, a sleep, a netstat, a packet); in replay it is the flow's previous packet.
 *
 * <p>Times are never compared from the start of the run: the kernel spends ~40 µs per call and ~0.3 ms per netstat
 * more than the model, which adds up. Each packet is measured from its previous event on both sides instead, so the
 * drift of earlier steps does not count (docs/cross-check.md, "Timing"). Where Linux's timers make more than the
 * tolerance correct, a named {@link Rule} says how much more.
 */
public record Tolerance(long floorNanos, int percentTenths) {

    /** A model call that takes this long blocks (the output's {@code <blocked ...>}): its duration is compared. */
    public static final long BLOCKS = 1_000_000L;

    /**
     * A call the model does not block in is let off up to this long on the kernel: the host adds noise there (JIT
     * and class loading on a cold JVM made socket() take 11 ms once; a thread handoff is ~40 us otherwise).
     */
    public static final long HOST_NOISE = 50_000_000L;

    /** 4 ms or 12.5 % of the time since the previous step. */
    public static final Tolerance DEFAULT = new Tolerance(4_000_000L, 125);

    /** The allowed difference for an event {@code sinceStep} ns after its step (on the model). */
    public long allowed(long sinceStep) {
        return Math.max(floorNanos, Math.max(0, sinceStep) * percentTenths / 1000);
    }

    public boolean agrees(long sinceStep, long difference) {
        return Math.abs(difference) <= allowed(sinceStep);
    }
}
