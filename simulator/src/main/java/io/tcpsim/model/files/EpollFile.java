package io.tcpsim.model.files;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.model.Outcome;
import io.tcpsim.model.WaitQueue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * An epoll instance (fs/eventpoll.c). Items join the ready list when their file's wait queue is woken with a key
 * they care about (ep_poll_callback), or at EPOLL_CTL_ADD/MOD when already ready. epoll_wait polls each ready item:
 * level-triggered items go back on the list, edge-triggered ones do not, one-shot ones are disabled.
 */
public final class EpollFile extends OpenFile {
    private static final int FLAG_BITS = Bits.EPOLLET | Bits.EPOLLONESHOT | Bits.EPOLLEXCLUSIVE | Bits.EPOLLWAKEUP;

    /** One registration (struct epitem). */
    public final class Item implements WaitQueue.Waiter {
        final int fd;
        final OpenFile file;
        int events;
        boolean disabled;

        Item(int fd, OpenFile file, int events) {
            this.fd = fd;
            this.file = file;
            this.events = events;
        }

        EpollFile epoll() {
            return EpollFile.this;
        }

        @Override
        public void wake(int key) {
            if (disabled) return;
            if (key != 0 && (key & events & ~FLAG_BITS) == 0) return;
            ready.add(this);
            wait.wake(WaitQueue.KEY_READABLE);
        }
    }

    private final Map<Integer, Item> items = new LinkedHashMap<>();
    private final LinkedHashSet<Item> ready = new LinkedHashSet<>();
    private final WaitQueue wait = new WaitQueue();

    @Override
    public int poll() {
        for (Item i : ready) {
            if ((i.file.poll() & (i.events | Bits.POLLERR | Bits.POLLHUP) & ~FLAG_BITS) != 0) {
                return Bits.POLLIN | Bits.POLLRDNORM;
            }
        }
        return 0;
    }

    @Override public WaitQueue waitQueue() { return wait; }

    @Override public int accessMode() { return 2; }

    /** ep_eventpoll_ioctl knows only EPIOCSPARAMS and EPIOCGPARAMS: any other request is EINVAL (measured). */
    @Override public Outcome ioctl(int request) { return Outcome.fail(Errno.EINVAL); }

    /** epoll_ctl. */
    public Outcome ctl(int op, int fd, OpenFile target, int events) {
        if (target == this) return Outcome.fail(Errno.EINVAL);
        Item item = items.get(fd);
        switch (op) {
            case Bits.EPOLL_CTL_ADD -> {
                if (item != null) return Outcome.fail(Errno.EEXIST);
                item = new Item(fd, target, events);
                items.put(fd, item);
                target.watchers.add(item);
                target.waitQueue().add(item);
                if ((target.poll() & (events | Bits.POLLERR | Bits.POLLHUP) & ~FLAG_BITS) != 0) ready.add(item);
            }
            case Bits.EPOLL_CTL_MOD -> {
                if (item == null) return Outcome.fail(Errno.ENOENT);
                item.events = events;
                item.disabled = false;
                if ((target.poll() & (events | Bits.POLLERR | Bits.POLLHUP) & ~FLAG_BITS) != 0) ready.add(item);
            }
            case Bits.EPOLL_CTL_DEL -> {
                if (item == null) return Outcome.fail(Errno.ENOENT);
                remove(item);
            }
            default -> { return Outcome.fail(Errno.EINVAL); }
        }
        return Outcome.ok(0);
    }

    void remove(Item item) {
        items.remove(item.fd, item);
        ready.remove(item);
        item.file.waitQueue().remove(item);
        item.file.watchers.remove(item);
    }

    /** The events epoll_wait would report now (ep_send_events); empty when nothing is ready. */
    public List<Result.EpollEvent> collect(int maxEvents) {
        List<Result.EpollEvent> out = new ArrayList<>();
        List<Item> requeue = new ArrayList<>();
        for (Item item : new ArrayList<>(ready)) {
            if (out.size() >= maxEvents) break;
            ready.remove(item);
            int revents = item.file.poll() & (item.events | Bits.POLLERR | Bits.POLLHUP) & ~FLAG_BITS;
            if (revents == 0) continue;
            out.add(new Result.EpollEvent(item.fd, revents));
            if ((item.events & Bits.EPOLLONESHOT) != 0) {
                item.disabled = true;
            } else if ((item.events & Bits.EPOLLET) == 0) {
                requeue.add(item);
            }
        }
        ready.addAll(requeue);
        return out;
    }

    @Override
    void released() {
        for (Item item : new ArrayList<>(items.values())) remove(item);
    }
}
