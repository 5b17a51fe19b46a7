package io.tcpsim.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link Program} into script text (docs/scripts.md) that parses and never waits for ever on purpose:
 * two processes, {@code server} with one listener {@code a} on 127.0.0.1:4321 (non-blocking, so an accept never
 * hangs) and {@code client} with up to three connections {@code c0..c2}, accepted as {@code s0..s2}.
 *
 * <p>An action that does not apply where it falls is dropped: a call on a descriptor that is not open (never made,
 * closed, or its process exited), an accept with nothing connected, a second connect. So every sub-list of a
 * program is a program, and deleting actions (shrinking) always leaves a valid script.
 *
 * <p>What could block for ever is made non-blocking: recv is always MSG_DONTWAIT; a send larger than
 * {@link #SMALL_SEND}, and every later send on that descriptor, is MSG_DONTWAIT (a full send buffer would otherwise
 * block a writer whose reader never runs); poll has a finite timeout. What can still block (a blocking send into a
 * full window, a close with SO_LINGER) ends by a timer or is reported by the model as "blocks forever".
 */
public final class ScriptBuilder {
    public static final int CONNECTIONS = 3;
    public static final int SMALL_SEND = 3000;
    public static final String PORT = "127.0.0.1:4321";

    private ScriptBuilder() {}

    private enum Fd { NONE, OPEN, CLOSED }

    /** The script text, with a {@code name} and the program's seed. */
    public static String text(Program p, String name, Bounds bounds) {
        StringBuilder b = new StringBuilder();
        b.append("name: ").append(name).append('\n');
        b.append("seed: ").append(p.seed()).append('\n');
        b.append("steps:\n");
        for (String s : steps(p, bounds)) b.append("  - ").append(s).append('\n');
        return b.toString();
    }

    /** The steps, one YAML list entry each (without the leading dash). */
    public static List<String> steps(Program p, Bounds bounds) {
        List<String> out = new ArrayList<>();
        out.add("server: a = socket()");
        out.add("server: setsockopt(a, SO_REUSEADDR, 1)");
        out.add("server: bind(a, " + PORT + ")");
        out.add("server: listen(a, " + p.backlog() + ")");
        out.add("server: fcntl(a, F_SETFL, O_NONBLOCK)");

        boolean[] alive = {true, true}; // by Side.ordinal()
        Fd[][] fd = new Fd[2][CONNECTIONS];
        boolean[][] dontwait = new boolean[2][CONNECTIONS];
        for (Fd[] row : fd) java.util.Arrays.fill(row, Fd.NONE);
        List<Integer> connected = new ArrayList<>();
        int accepted = 0;

        for (Op op : p.ops()) {
            if (op instanceof Op.Connect c) {
                int i = c.conn() % CONNECTIONS;
                if (!alive[0] || fd[0][i] != Fd.NONE) continue;
                fd[0][i] = Fd.OPEN;
                dontwait[0][i] = c.nonblock();
                out.add("client: c" + i + " = socket(" + (c.nonblock() ? "SOCK_NONBLOCK" : "") + ")");
                out.add("client: connect(c" + i + ", " + PORT + ")");
                connected.add(i);
            } else if (op instanceof Op.Accept) {
                if (!alive[1] || accepted >= connected.size()) continue;
                int i = connected.get(accepted++);
                fd[1][i] = Fd.OPEN;
                out.add("server: s" + i + " = accept(a)");
            } else if (op instanceof Op.Sleep s) {
                long us = Math.max(1, Math.min(s.micros(), bounds.maxSleepMicros()));
                out.add("sleep " + us + "us");
            } else if (op instanceof Op.Netstat) {
                if (bounds.netstat()) out.add("netstat");
            } else if (op instanceof Op.Exit e) {
                int side = e.side().ordinal();
                if (!alive[side]) continue;
                alive[side] = false;
                for (int i = 0; i < CONNECTIONS; i++) if (fd[side][i] == Fd.OPEN) fd[side][i] = Fd.CLOSED;
                out.add("exit " + e.side().process());
            } else {
                Target t = target(op);
                int side = t.side.ordinal(), i = t.conn % CONNECTIONS;
                if (!alive[side] || fd[side][i] != Fd.OPEN) continue;
                String name = (t.side == Op.Side.CLIENT ? "c" : "s") + i;
                String call = call(op, name, bounds, dontwait[side], i);
                if (op instanceof Op.Close) fd[side][i] = Fd.CLOSED;
                out.add(t.side.process() + ": " + call);
            }
        }
        // Both backends see the tail: the kernel's capture runs on for a moment after the last step, so the model
        // must move its clock past the timers still pending (a FIN's ACK on the next tick, a delayed ACK).
        out.add("sleep " + TAIL_MICROS + "us");
        return out;
    }

    /** The closing sleep: longer than a delayed ACK (40-44 ms). */
    public static final long TAIL_MICROS = 100_000;

    private record Target(int conn, Op.Side side) {}

    private static Target target(Op op) {
        if (op instanceof Op.Send o) return new Target(o.conn(), o.side());
        if (op instanceof Op.Recv o) return new Target(o.conn(), o.side());
        if (op instanceof Op.Shutdown o) return new Target(o.conn(), o.side());
        if (op instanceof Op.Close o) return new Target(o.conn(), o.side());
        if (op instanceof Op.Linger o) return new Target(o.conn(), o.side());
        if (op instanceof Op.SoError o) return new Target(o.conn(), o.side());
        if (op instanceof Op.Poll o) return new Target(o.conn(), o.side());
        throw new IllegalArgumentException("not a descriptor action: " + op);
    }

    private static String call(Op op, String fd, Bounds bounds, boolean[] dontwait, int i) {
        if (op instanceof Op.Send s) {
            int size = Math.max(0, s.size());
            if (!bounds.largeSends()) size = Math.min(size, SMALL_SEND);
            if (size > SMALL_SEND) dontwait[i] = true;
            int flags = s.flags() & (FLAG_NOSIGNAL | FLAG_DONTWAIT);
            if (dontwait[i]) flags |= FLAG_DONTWAIT;
            return "send(" + fd + ", " + size + sendFlags(flags) + ")";
        }
        if (op instanceof Op.Recv r) {
            return "recv(" + fd + ", " + Math.max(0, r.size()) + ", " + (r.peek() ? "MSG_PEEK|" : "") + "MSG_DONTWAIT)";
        }
        if (op instanceof Op.Shutdown s) {
            return "shutdown(" + fd + ", " + switch (Math.floorMod(s.how(), 3)) {
                case 0 -> "SHUT_RD";
                case 1 -> "SHUT_WR";
                default -> "SHUT_RDWR";
            } + ")";
        }
        if (op instanceof Op.Close) return "close(" + fd + ")";
        if (op instanceof Op.Linger l) {
            int secs = Math.max(0, Math.min(l.seconds(), bounds.maxLingerSeconds()));
            return "setsockopt(" + fd + ", SO_LINGER, 1, " + secs + ")";
        }
        if (op instanceof Op.SoError) return "getsockopt(" + fd + ", SO_ERROR)";
        if (op instanceof Op.Poll p) {
            return "poll(" + fd + ", " + pollEvents(p.events()) + ", " + Math.max(0, Math.min(p.timeoutMs(), bounds.maxPollMs())) + ")";
        }
        throw new IllegalArgumentException("not a descriptor action: " + op);
    }

    /** Send flags the generators use (values of linux/socket.h). */
    public static final int FLAG_DONTWAIT = 0x40, FLAG_NOSIGNAL = 0x4000;

    private static String sendFlags(int flags) {
        List<String> names = new ArrayList<>();
        if ((flags & FLAG_NOSIGNAL) != 0) names.add("MSG_NOSIGNAL");
        if ((flags & FLAG_DONTWAIT) != 0) names.add("MSG_DONTWAIT");
        return names.isEmpty() ? "" : ", " + String.join("|", names);
    }

    /** The poll event sets the generators pick from, by index. */
    public static final List<String> POLL_EVENTS = List.of("POLLIN", "POLLOUT", "POLLIN|POLLOUT", "POLLIN|POLLRDHUP",
            "POLLIN|POLLOUT|POLLRDHUP");

    private static String pollEvents(int index) {
        return POLL_EVENTS.get(Math.floorMod(index, POLL_EVENTS.size()));
    }
}
