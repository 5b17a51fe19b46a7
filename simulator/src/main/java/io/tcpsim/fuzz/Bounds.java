package io.tcpsim.fuzz;

/**
 * What a generated script may ask for. The model runs on a virtual clock, so its scripts sleep up to 70 s (long
 * enough for the delayed ACK, the FIN_WAIT2 timeout and TIME_WAIT to be reached); a kernel run spends real time,
 * so differential scripts keep every wait short.
 */
public record Bounds(long maxSleepMicros, int maxLingerSeconds, int maxPollMs, boolean smallBacklogs, int maxSteps,
                     boolean largeSends, boolean netstat) {

    /** Model only: sleeps up to 70 s, SO_LINGER up to 3 s, backlogs down to 0 (so SYNs are dropped and retried). */
    public static final Bounds MODEL = new Bounds(70_000_000L, 3, 200, true, 40, true, true);

    /**
     * Model and kernel: sleeps up to 100 ms, SO_LINGER 1 s, a backlog that never fills, and sends of at most
     * {@link ScriptBuilder#SMALL_SEND} bytes: bulk transfers depend on window autotuning, which the model does not
     * follow (docs/model.md, "What is not modelled yet"), and the kernel's own counts vary from run to run there
     * (a 4 MB MSG_DONTWAIT send took 3919692 or 3919872 bytes). No netstat steps: a kernel netstat takes 10-33 ms
     * where the model's takes 10, and check measures a timer's packet from the step before it, so a delayed ACK
     * armed before a netstat is misjudged (44.000 ms vs 44.107 ms from the start, 33.9 vs 25.6 ms from the netstat).
     */
    public static final Bounds KERNEL = new Bounds(100_000L, 1, 20, false, 25, false, false);
}
