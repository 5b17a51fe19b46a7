package io.tcpsim.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Cause;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.TcpState;
import io.tcpsim.backend.Inspectable;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.model.Model;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Each invariant fires: the model with one fault injected breaks exactly the invariant meant to catch it, on a
 * script the plain model passes. (A checker that never fails proves nothing.)
 */
class InvariantsTest {

    static final String SCRIPT = """
            name: invariants
            seed: 7
            steps:
              - server: a = socket()
              - server: setsockopt(a, SO_REUSEADDR, 1)
              - server: bind(a, 127.0.0.1:4321)
              - server: listen(a, 8)
              - client: c0 = socket()
              - client: connect(c0, 127.0.0.1:4321)
              - server: s0 = accept(a)
              - client: send(c0, 100)
              - server: send(s0, 50)
              - server: recv(s0, 30, MSG_DONTWAIT)
              - server: recv(s0, 1000, MSG_DONTWAIT)
              - sleep 50ms
              - client: send(c0, 20)
              - server: close(s0)
              - client: getsockopt(c0, SO_ERROR)
              - client: getsockopt(c0, SO_ERROR)
              - netstat
              - sleep 1s
            """;

    enum Fault { NONE, SHORT_READ, NETSTAT_STATE, ERROR_TWICE, BAD_TRANSITION, SEQ_BACK, THROW, NONDETERMINISM,
        SEND_FROM_CLOSE, FORGET_QUEUE }

    static final AtomicLong RUNS = new AtomicLong();

    /** The model, with one thing wrong. */
    static final class Faulty implements Backend, Inspectable {
        final Model m;
        final Fault f;
        final long run = RUNS.incrementAndGet();
        int dataPackets;
        final java.util.Map<String, Segment> last = new java.util.HashMap<>();
        boolean errored;

        Faulty(Model m, Fault f) {
            this.m = m;
            this.f = f;
        }

        public String name() { return "faulty"; }
        public long now() { return m.now(); }
        public void sleep(long nanos) { m.sleep(nanos); }
        public void exit(String process) { m.exit(process); }

        public Result call(String process, Call call) {
            if (f == Fault.THROW && call instanceof Call.Close) throw new IllegalStateException("boom");
            Result r = m.call(process, call);
            if (f == Fault.SHORT_READ && call instanceof Call.Recv && r.data() != null && r.data().length > 1) {
                return Result.data(java.util.Arrays.copyOf(r.data(), r.data().length - 1));
            }
            if (f == Fault.ERROR_TWICE && call instanceof Call.GetSockOpt g && g.option() == SockOpt.SO_ERROR) {
                if (r.optval()[0] != 0) errored = true;
                if (errored) return Result.option(104);
            }
            return r;
        }

        public List<NetstatRow> netstat() {
            List<NetstatRow> rows = new ArrayList<>(m.netstat());
            if (f == Fault.NETSTAT_STATE && !rows.isEmpty()) {
                NetstatRow r = rows.get(rows.size() - 1);
                rows.set(rows.size() - 1, new NetstatRow(r.recvQ(), r.sendQ(), r.local(), r.foreign(),
                        r.state() == TcpState.ESTABLISHED ? TcpState.CLOSE_WAIT : TcpState.ESTABLISHED, r.timer(), r.orphan()));
            }
            return rows;
        }

        public List<Event> drainEvents() {
            List<Event> out = new ArrayList<>();
            for (Event e : m.drainEvents()) {
                if (e instanceof Event.PacketSent p) {
                    Segment s = p.packet().segment();
                    if (f == Fault.SEQ_BACK && s.length() > 0 && ++dataPackets == 3) {
                        s = new Segment(s.src(), s.dst(), s.seq() - 1000, s.ack(), s.flags(), s.window(), s.urgent(),
                                s.options(), s.payload());
                    }
                    int ipId = p.packet().ipId() + (f == Fault.NONDETERMINISM ? (int) run : 0);
                    out.add(new Event.PacketSent(new Packet(p.packet().timeNanos(), ipId, s)));
                    if (!s.has(TcpFlags.RST)) last.put(s.src() + " > " + s.dst(), s);
                    continue;
                }
                out.add(e);
                if (f == Fault.BAD_TRANSITION && e instanceof Event.StateChanged sc && sc.to() == TcpState.ESTABLISHED) {
                    out.add(new Event.StateChanged(sc.timeNanos(), sc.endpoint(), TcpState.ESTABLISHED, TcpState.LISTEN,
                            Cause.CONNECT));
                }
                if (f == Fault.SEND_FROM_CLOSE && e instanceof Event.StateChanged sc && sc.to() == TcpState.CLOSE
                        && sc.endpoint().contains(" > ")) {
                    Segment s = last.get(sc.endpoint());
                    if (s != null) {
                        Segment ack = new Segment(s.src(), s.dst(), s.seq() + s.seqLength(), s.ack(), TcpFlags.ACK,
                                s.window(), 0, List.of(), null);
                        out.add(new Event.PacketSent(new Packet(sc.timeNanos(), 0, ack)));
                    }
                }
            }
            return out;
        }

        public List<EndpointSnapshot> endpoints() {
            List<EndpointSnapshot> out = new ArrayList<>();
            for (EndpointSnapshot s : m.endpoints()) {
                if (f == Fault.FORGET_QUEUE && s.recvQueued() > 0) {
                    s = new EndpointSnapshot(s.local(), s.remote(), s.owner(), s.state(), s.sndUna(), s.sndNxt(),
                            s.rcvNxt(), s.sendQueued(), s.recvQueued() - 1, s.skErr(), s.shutdown(), s.timers(), s.orphan());
                }
                out.add(s);
            }
            return out;
        }
    }

    private static Trial.Outcome run(Fault f) {
        return Trial.run(SCRIPT, new Coverage(), true, (script, seed) -> new Faulty(new Model(script.profile(), seed), f));
    }

    @Test
    void theModelPasses() {
        Trial.Outcome o = run(Fault.NONE);
        assertTrue(o.ok(), o.describe());
    }

    @Test
    void eachFaultBreaksItsInvariant() {
        assertBroken(Fault.SHORT_READ, "bytes");
        assertBroken(Fault.FORGET_QUEUE, "bytes");
        assertBroken(Fault.NETSTAT_STATE, "netstat");
        assertBroken(Fault.ERROR_TWICE, "SO_ERROR");
        assertBroken(Fault.BAD_TRANSITION, "transitions");
        assertBroken(Fault.SEQ_BACK, "wire");
        assertBroken(Fault.SEND_FROM_CLOSE, "wire");
        assertBroken(Fault.THROW, "never throws");
        assertBroken(Fault.NONDETERMINISM, "determinism");
    }

    private static void assertBroken(Fault f, String invariant) {
        Trial.Outcome o = run(f);
        assertEquals(invariant, o.invariant(), f + ": " + o.describe());
    }
}
