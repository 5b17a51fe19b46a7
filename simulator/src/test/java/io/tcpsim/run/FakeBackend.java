package io.tcpsim.run;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.Inspectable;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A backend that answers from a list the test gives, on a virtual clock: each call lets 5 us pass, as the model's
 * loopback settling does. Replies may emit packets and events; {@code holdUntilClose} makes it behave like the
 * kernel backend, which hands its packets over only when closed.
 */
final class FakeBackend implements Backend, Inspectable {
    interface Reply {
        Result reply(FakeBackend b, String process, Call call);
    }

    static final long SETTLE = 5_000;
    static final SockAddr CLIENT = SockAddr.loopback(40000), SERVER = SockAddr.loopback(4321);

    long now;
    int nextFd = 3;
    boolean holdUntilClose;
    final List<String> calls = new ArrayList<>();
    final Deque<Reply> replies = new ArrayDeque<>();
    final List<Event> pending = new ArrayList<>();
    List<NetstatRow> table = List.of();
    List<EndpointSnapshot> endpoints = List.of();
    int ipId = 1;
    /** For a script with hosts: each host's table, and what a link step does; null refuses as a loopback backend does. */
    java.util.function.Function<String, List<NetstatRow>> hosts;
    /** What prepare, netstat(host) and link saw, with the time of each link command. */
    final List<String> hostLog = new ArrayList<>();

    @Override
    public void prepare(io.tcpsim.script.Script script) {
        if (hosts == null) {
            Backend.super.prepare(script);
        } else {
            hostLog.add("prepared " + script.file());
        }
    }

    @Override
    public List<NetstatRow> netstat(String host) {
        if (hosts == null) return Backend.super.netstat(host);
        hostLog.add("netstat " + host);
        return hosts.apply(host);
    }

    @Override
    public void link(io.tcpsim.backend.LinkCommand command) {
        if (hosts == null) Backend.super.link(command); else hostLog.add(command.text() + " at " + now);
    }

    FakeBackend reply(Reply r) {
        replies.add(r);
        return this;
    }

    FakeBackend reply(Result r) {
        return reply((b, p, c) -> r);
    }

    Packet packet(long at, SockAddr src, SockAddr dst, int flags, String payload) {
        Packet p = new Packet(at, ipId++, new Segment(src, dst, 1000, 2000, flags, 512, 0, List.of(), payload.getBytes()));
        pending.add(new Event.PacketSent(p));
        return p;
    }

    public String name() { return "fake"; }

    public long now() { return now; }

    public Result call(String process, Call call) {
        calls.add(process + " " + describe(call));
        Reply r = replies.poll();
        Result res = r != null ? r.reply(this, process, call) : defaults(call);
        now += SETTLE;
        return res;
    }

    private Result defaults(Call c) {
        if (c instanceof Call.Socket || c instanceof Call.Accept || c instanceof Call.EpollCreate) return Result.ok(nextFd++);
        if (c instanceof Call.Pipe || c instanceof Call.SocketPair) return Result.fds(nextFd++, nextFd++);
        return Result.ok(0);
    }

    /** The call with its resolved descriptor numbers, so that tests see what reached the backend. */
    static String describe(Call c) {
        String s = c.toString();
        return s.replaceAll("\\[B@[0-9a-f]+", "bytes").replaceAll("\\[I@[0-9a-f]+", "ints");
    }

    public void sleep(long nanos) { now += nanos; }

    public void exit(String process) { calls.add(process + " exit"); }

    public List<NetstatRow> netstat() { return table; }

    public List<Event> drainEvents() {
        if (holdUntilClose) return List.of();
        List<Event> out = new ArrayList<>(pending);
        pending.clear();
        return out;
    }

    public void close() { holdUntilClose = false; }

    public List<EndpointSnapshot> endpoints() { return endpoints; }
}
