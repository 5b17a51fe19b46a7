package io.tcpsim.model;

import io.tcpsim.calls.Call;
import io.tcpsim.model.files.OpenFile;
import java.util.HashMap;

/** A simulated process: its descriptor table and its SIGPIPE disposition. */
final class Proc {
    final String name;
    /** Descriptor table; exit sorts the numbers to close them in ascending order. */
    final HashMap<Integer, OpenFile> fds = new HashMap<>();
    Call.Disposition sigpipe = Call.Disposition.SIG_DFL;
    boolean alive = true;

    Proc(String name) {
        this.name = name;
    }

    /** The lowest free descriptor; 0, 1 and 2 are the standard streams (alloc_fd). */
    int allocate(OpenFile f) {
        int fd = 3;
        while (fds.containsKey(fd)) fd++;
        fds.put(fd, f);
        f.refs++;
        return fd;
    }

    /** Installs {@code f} at {@code fd} (dup2's slot, which the caller has emptied). */
    void install(int fd, OpenFile f) {
        fds.put(fd, f);
        f.refs++;
    }
}
