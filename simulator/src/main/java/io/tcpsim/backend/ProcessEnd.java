package io.tcpsim.backend;

import io.tcpsim.calls.Bits;

/** How a process ended: it exited (do_exit with its descriptors closing in order), or a signal killed it. */
public sealed interface ProcessEnd {
    /** The text strace prints between {@code +++}: "exited", "killed by SIGPIPE". */
    String text();

    boolean killed();

    record Exited() implements ProcessEnd {
        public String text() { return "exited"; }
        public boolean killed() { return false; }
    }

    record Killed(int signo) implements ProcessEnd {
        public String text() { return "killed by " + Bits.signalName(signo); }
        public boolean killed() { return true; }
    }

    ProcessEnd EXITED = new Exited();
    ProcessEnd KILLED_BY_SIGPIPE = new Killed(Bits.SIGPIPE);
}
