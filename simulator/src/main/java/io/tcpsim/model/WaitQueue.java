package io.tcpsim.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The wait queue of one file (socket, pipe end): epoll items register here and are woken with a key, as
 * ep_poll_callback is by the kernel's wake_up_*_poll calls. Blocking calls do not register: the model re-checks
 * their condition after every event instead.
 */
public final class WaitQueue {
    /** Woken with the poll bits of the event (0 means "anything changed", as sock_def_wakeup's NULL key). */
    public interface Waiter {
        void wake(int key);
    }

    /** sock_def_readable: EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND. */
    public static final int KEY_READABLE = 0x001 | 0x002 | 0x040 | 0x080;
    /** sk_stream_write_space: EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND. */
    public static final int KEY_WRITABLE = 0x004 | 0x100 | 0x200;
    /** sock_def_error_report: EPOLLERR. */
    public static final int KEY_ERROR = 0x008;
    /** sock_def_wakeup (state change): no key, wakes every waiter. */
    public static final int KEY_ANY = 0;

    private List<Waiter> waiters;

    public void add(Waiter w) {
        if (waiters == null) waiters = new ArrayList<>(2);
        waiters.add(w);
    }

    public void remove(Waiter w) {
        if (waiters != null) waiters.remove(w);
    }

    public void wake(int key) {
        if (waiters == null) return;
        for (int i = 0; i < waiters.size(); i++) waiters.get(i).wake(key);
    }
}
