package io.tcpsim.model;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.Inspectable;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import java.util.List;

/** STUB: the simulated host. Being written; the signatures are final. */
public final class Model implements Backend, Inspectable {
    public Model(Profile profile, long seed) {}
    public String name() { return "model"; }
    public long now() { return 0; }
    public Result call(String process, Call call) { throw new UnsupportedOperationException(); }
    public void sleep(long nanos) {}
    public void exit(String process) {}
    public List<NetstatRow> netstat() { return List.of(); }
    public List<Event> drainEvents() { return List.of(); }
    public List<EndpointSnapshot> endpoints() { return List.of(); }
}
