package io.tcpsim.api;

import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;

/**
 * A system call that failed, thrown by {@link Host.Process}'s typed calls: which process, which call, and the errno
 * ({@code server: send(5) = -1 EPIPE (Broken pipe)}). A call that would block with nothing left to wake it is one
 * too, with no errno ({@link #blockedForever()}).
 */
public final class SyscallException extends RuntimeException {
    private final String process;
    private final transient Call call;
    private final Errno errno;

    SyscallException(String process, Call call, Errno errno) {
        super(process + ": " + call.name() + fdText(call) + (errno == null
                ? " blocks forever: nothing left in the simulation can wake it"
                : " = -1 " + errno.name() + " (" + errno.text + ")"));
        this.process = process;
        this.call = call;
        this.errno = errno;
    }

    private static String fdText(Call call) {
        String s = call.toString();
        int i = s.indexOf("fd=");
        if (i < 0) return "()";
        int j = i + 3;
        while (j < s.length() && Character.isDigit(s.charAt(j))) j++;
        return "(" + s.substring(i + 3, j) + ")";
    }

    public String process() { return process; }

    public Call call() { return call; }

    /** The errno, or null when the call blocked forever. */
    public Errno errno() { return errno; }

    public boolean blockedForever() { return errno == null; }
}
