package io.tcpsim.nio;

import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A selector on the model's epoll, as EPollSelectorImpl runs it: epoll_create when it opens; registrations and
 * interest changes applied at the start of the next select (epoll_ctl ADD, MOD, or DEL when the interest becomes
 * empty), level-triggered; cancelled keys removed before and after the wait (epoll_ctl DEL, and the deferred close of
 * a channel closed while registered); epoll_wait with up to 1024 events, processed in the order epoll returns them.
 * The selected-key set keeps that order, and {@link #select(Consumer)} calls the action in it: the ready sets are
 * exactly what epoll gives, in its order. Timeouts are in virtual time; {@link #wakeup} is the provider's (the JDK's
 * eventfd is not a model descriptor, so it is not in the log).
 */
final class SimSelector extends AbstractSelector {
    private static final int MAX_EVENTS = 1024;

    private final Kernel k;
    private final int epfd;
    private final Set<SelectionKey> keys = new LinkedHashSet<>();
    private final Set<SelectionKey> selected = new LinkedHashSet<>();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final Set<SelectionKey> publicSelected = new Ungrowable(selected);
    private final Map<Integer, SimSelectionKey> byFd = new HashMap<>();
    private final List<SimSelectionKey> updates = new ArrayList<>();
    private volatile boolean woken;

    SimSelector(SimSelectorProvider provider, Kernel k) throws IOException {
        super(provider);
        this.k = k;
        Result r = k.call(new Call.EpollCreate());
        if (r.failed()) throw new IOException(r.errno().text);
        epfd = (int) r.value();
    }

    private void ensureOpen() {
        if (!isOpen()) throw new ClosedSelectorException();
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return publicSelected;
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
        if (!(ch instanceof SimChannel)) throw new IllegalSelectorException();
        SimSelectionKey key = new SimSelectionKey(ch, this);
        key.attach(att);
        synchronized (this) {
            ensureOpen();
            keys.add(key);
        }
        try {
            key.interestOps(ops);
        } catch (ClosedSelectorException e) {
            synchronized (this) {
                keys.remove(key);
            }
            throw e;
        }
        return key;
    }

    void updated(SimSelectionKey key) {
        synchronized (updates) {
            updates.add(key);
        }
    }

    @Override
    public int selectNow() throws IOException {
        return doSelect(null, 0);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) throw new IllegalArgumentException("Negative timeout");
        return doSelect(null, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select() throws IOException {
        return doSelect(null, -1);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        if (timeout < 0) throw new IllegalArgumentException("Negative timeout");
        return doSelect(java.util.Objects.requireNonNull(action), timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        return doSelect(java.util.Objects.requireNonNull(action), -1);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        return doSelect(java.util.Objects.requireNonNull(action), 0);
    }

    /** {@code timeoutMs}: -1 for ever, 0 now, else virtual milliseconds. */
    private int doSelect(Consumer<SelectionKey> action, long timeoutMs) throws IOException {
        synchronized (this) {
            ensureOpen();
            synchronized (publicSelected) {
                processUpdates();
                processDeregisters();
                List<Result.EpollEvent> events = epollWait(timeoutMs);
                processDeregisters();
                return processEvents(events, action);
            }
        }
    }

    private List<Result.EpollEvent> epollWait(long timeoutMs) {
        int shownTimeout = (int) Math.min(timeoutMs, Integer.MAX_VALUE);
        Call shown = new Call.EpollWait(epfd, MAX_EVENTS, shownTimeout);
        Call now = new Call.EpollWait(epfd, MAX_EVENTS, 0);
        if (timeoutMs == 0 || woken) {
            woken = false;
            Result r = k.call(now.equals(shown) ? shown : now);
            return r.events() == null ? List.of() : r.events();
        }
        long start = k.now();
        Result r = k.quiet(now);
        if (r.value() == 0) {
            long deadline = timeoutMs < 0 ? -1 : start + timeoutMs * 1_000_000L;
            try {
                begin();
                k.await("epoll_wait(" + epfd + ")", () -> woken || !isOpen() || k.peek(now).value() > 0, deadline);
            } finally {
                end();
            }
            r = k.quiet(now);
        }
        woken = false;
        k.recordDone(shown, start, r);
        return r.events() == null ? List.of() : r.events();
    }

    private void processUpdates() {
        List<SimSelectionKey> todo;
        synchronized (updates) {
            todo = new ArrayList<>(updates);
            updates.clear();
        }
        for (SimSelectionKey key : todo) {
            if (!key.isValid()) continue;
            SimChannel ch = key.sim();
            int events = ch.events(key.interest());
            if (events == key.registeredEvents) continue;
            int op = events == 0 ? io.tcpsim.calls.Bits.EPOLL_CTL_DEL
                    : key.registeredEvents == 0 ? io.tcpsim.calls.Bits.EPOLL_CTL_ADD : io.tcpsim.calls.Bits.EPOLL_CTL_MOD;
            k.call(new Call.EpollCtl(epfd, op, ch.fd(), events));
            if (op == io.tcpsim.calls.Bits.EPOLL_CTL_DEL) byFd.remove(ch.fd());
            else byFd.put(ch.fd(), key);
            key.registeredEvents = events;
        }
    }

    private void processDeregisters() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            for (SelectionKey sk : cancelled) {
                SimSelectionKey key = (SimSelectionKey) sk;
                SimChannel ch = key.sim();
                if (key.registeredEvents != 0) {
                    k.call(new Call.EpollCtl(epfd, io.tcpsim.calls.Bits.EPOLL_CTL_DEL, ch.fd(), 0));
                    key.registeredEvents = 0;
                }
                byFd.remove(ch.fd(), key);
                keys.remove(key);
                selected.remove(key);
                deregister(key);
                SelectableChannel c = key.channel();
                if (!c.isOpen() && !c.isRegistered()) ch.kill();
            }
            cancelled.clear();
        }
    }

    /** EPollSelectorImpl.processEvents with SelectorImpl.processReadyEvents. */
    private int processEvents(List<Result.EpollEvent> events, Consumer<SelectionKey> action) {
        int n = 0;
        for (Result.EpollEvent e : events) {
            SimSelectionKey key = byFd.get(e.fd());
            if (key == null || !key.isValid()) continue;
            SimChannel ch = key.sim();
            int interest = key.interest();
            int r = ch.readyOps(e.events(), interest);
            if (action != null) {
                key.ready(r);
                if ((r & interest) != 0) {
                    action.accept(key);
                    ensureOpen();
                    n++;
                }
            } else if (selected.contains(key)) {
                int old = key.ready();
                int now = (e.events() & (io.tcpsim.calls.Bits.POLLERR | io.tcpsim.calls.Bits.POLLHUP)) != 0 ? interest : old | r;
                key.ready(now);
                if ((now & ~old) != 0) n++;
            } else {
                key.ready(r);
                if ((r & interest) != 0) {
                    selected.add(key);
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public Selector wakeup() {
        woken = true;
        k.wakeAll();
        return this;
    }

    @Override
    protected void implCloseSelector() {
        wakeup();
        synchronized (this) {
            synchronized (publicSelected) {
                k.call(new Call.Close(epfd));
                for (SelectionKey sk : new ArrayList<>(keys)) {
                    SimSelectionKey key = (SimSelectionKey) sk;
                    deregister(key);
                    SelectableChannel c = key.channel();
                    if (!c.isOpen() && !c.isRegistered()) key.sim().kill();
                }
                keys.clear();
                selected.clear();
                byFd.clear();
                processDeregistersAfterClose();
            }
        }
    }

    private void processDeregistersAfterClose() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            for (SelectionKey sk : cancelled) {
                SelectableChannel c = sk.channel();
                if (!c.isOpen() && !c.isRegistered()) ((SimChannel) c).kill();
            }
            cancelled.clear();
        }
    }

    /** The selected-key set as users see it: they may remove keys, not add them (Util.ungrowableSet). */
    private static final class Ungrowable extends java.util.AbstractSet<SelectionKey> {
        private final Set<SelectionKey> s;

        Ungrowable(Set<SelectionKey> s) {
            this.s = s;
        }

        @Override public int size() { return s.size(); }
        @Override public boolean isEmpty() { return s.isEmpty(); }
        @Override public boolean contains(Object o) { return s.contains(o); }
        @Override public java.util.Iterator<SelectionKey> iterator() { return s.iterator(); }
        @Override public boolean remove(Object o) { return s.remove(o); }
        @Override public void clear() { s.clear(); }
        @Override public boolean add(SelectionKey k) { throw new UnsupportedOperationException(); }
    }
}
