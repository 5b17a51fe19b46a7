package io.tcpsim.kernel;

import io.tcpsim.calls.Call;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A script process emulated inside the JVM: the descriptors it owns and its SIGPIPE disposition.
 *
 * <p>All of a run's sockets really live in one JVM process, so their real numbers say nothing about the script.
 * Each process hands out its own numbers instead, the lowest free one from 3 up, as a fresh Linux process does
 * (0, 1, 2 being stdin, stdout, stderr; alloc_fd takes the lowest free slot).
 */
final class EmulatedProcess {
    static final int FIRST_FD = 3;

    final String name;
    private final TreeMap<Integer, Integer> realByVirtual = new TreeMap<>();
    private Call.Disposition sigpipe = Call.Disposition.SIG_DFL;
    /** The child a fork just made, until the backend records it. */
    EmulatedProcess forked;

    EmulatedProcess(String name) {
        this.name = name;
    }

    /** Gives the real descriptor the lowest free virtual number and returns it. */
    int adopt(int realFd) {
        int v = FIRST_FD;
        for (int used : realByVirtual.keySet()) {
            if (used > v) break;
            if (used == v) v++;
        }
        realByVirtual.put(v, realFd);
        return v;
    }

    /** Maps the virtual number {@code v} to {@code realFd} (dup2's slot; the caller closed what it held). */
    void adoptAt(int v, int realFd) {
        realByVirtual.put(v, realFd);
    }

    /** The real descriptor behind a virtual one, or null when this process has no such descriptor. */
    Integer real(int virtualFd) {
        return realByVirtual.get(virtualFd);
    }

    /** Forgets a descriptor (after close). */
    void release(int virtualFd) {
        realByVirtual.remove(virtualFd);
    }

    /** Virtual to real, in ascending virtual order: the order do_exit closes them. */
    List<Map.Entry<Integer, Integer>> descriptors() {
        return new ArrayList<>(realByVirtual.entrySet());
    }

    Call.Disposition sigpipe() {
        return sigpipe;
    }

    void setSigpipe(Call.Disposition d) {
        sigpipe = d;
    }
}
