package io.tcpsim.check;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import java.util.List;

/**
 * The model with one rule flipped on purpose, for tests only: an RST received in CLOSE_WAIT sets ECONNRESET
 * instead of EPIPE (tcp_reset sets EPIPE there), so a send after it fails with ECONNRESET. Everything else is the
 * model unchanged; the decorator only rewrites that one result. Public for docs/cross-check.md's example, which the
 * traces module's QuotedOutputTest runs.
 */
public final class RstInCloseWaitGivesEconnreset implements Backend {
    private final Backend model;
    int rewritten;

    public RstInCloseWaitGivesEconnreset(Backend model) {
        this.model = model;
    }

    @Override public String name() { return model.name(); }
    @Override public long now() { return model.now(); }
    @Override public void sleep(long nanos) { model.sleep(nanos); }
    @Override public void exit(String process) { model.exit(process); }
    @Override public List<NetstatRow> netstat() { return model.netstat(); }
    @Override public List<Event> drainEvents() { return model.drainEvents(); }
    @Override public void close() { model.close(); }

    @Override
    public Result call(String process, Call call) {
        Result r = model.call(process, call);
        if (call instanceof Call.Send && r.errno() == Errno.EPIPE) {
            rewritten++;
            return Result.error(Errno.ECONNRESET);
        }
        return r;
    }
}
