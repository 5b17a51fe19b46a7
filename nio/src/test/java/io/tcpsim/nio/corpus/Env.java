package io.tcpsim.nio.corpus;

import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;

/** What a corpus program runs on: the JDK's provider in a network namespace, or a simulated network's. */
public interface Env {
    SelectorProvider provider();

    /** Lets time pass: Thread.sleep on the kernel, virtual time on the model. */
    void sleep(Duration d) throws InterruptedException;

    /** Now, in the clock the run's packets are stamped with (CLOCK_REALTIME on the kernel, virtual on the model). */
    long now();

    Ops ops();
}
