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
    /** The listener's address on two hosts: the server's host. */
    public static final String NET_PORT = "10.0.1.2:4321";

    private ScriptBuilder() {}

    private enum Fd { NONE, OPEN, CLOSED }

    /** The script text, with a {@code name} and the program's seed. */
    public static String text(Program p, String name, Bounds bounds) {
        StringBuilder b = new StringBuilder();
        b.append("name: ").append(name).append('\n');
        b.append("seed: ").append(p.seed()).append('\n');
        List<String> steps = steps(p, bounds);
        if (p.net() != null) {
            // Both hosts have steps: a program whose actions left the client none gets a socket of its own.
            if (steps.stream().noneMatch(s -> s.startsWith("client: "))) steps.add(5, "client: c = socket()");
            b.append("hosts:\n");
            b.append("  client: 10.0.1.1\n  server: 10.0.1.2\n");
            b.append("link:\n  delay: ").append(p.net().delayMicros()).append("us\n");
            // A blocking connect into a link that is down gives up after 1 + 2 s (the kernel run's limit is 30 s).
            b.append("sysctl:\n  net.ipv4.tcp_syn_retries: 1\n");
        }
        b.append("steps:\n");
        for (String s : steps) b.append("  - ").append(s).append('\n');
        return b.toString();
    }

    /** The steps, one YAML list entry each (without the leading dash). */
    public static List<String> steps(Program p, Bounds bounds) {
        List<String> out = new ArrayList<>();
        String port = p.net() == null ? PORT : NET_PORT;
        out.add("server: a = socket()");
        out.add("server: setsockopt(a, SO_REUSEADDR, 1)");
        out.add("server: bind(a, " + port + ")");
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
                out.add("client: connect(c" + i + ", " + port + ")");
                connected.add(i);
            } else if (op instanceof Op.Accept) {
                if (!alive[1] || accepted >= connected.size()) continue;
                int i = connected.get(accepted++);
                fd[1][i] = Fd.OPEN;
                out.add("server: s" + i + " = accept(a)");
            } else if (op instanceof Op.Sleep s) {
                long us = Math.max(1, Math.min(s.micros(), bounds.maxSleepMicros()));
                out.add("sleep " + us + "us");
            } else if (op instanceof Op.Link l) {
                if (p.net() == null) continue; // a link step needs two hosts
                out.add(switch (l.what()) {
                    case DOWN -> "link down";
                    case UP -> "link up";
                    case DROP -> "link drop " + Math.max(1, l.count()) + " " + l.from().process() + ">"
                            + (l.from() == Op.Side.CLIENT ? "server" : "client") + " " + l.kind();
                });
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
        boolean linkSteps = out.stream().anyMatch(st -> st.startsWith("link "));
        if (p.net() != null) out = quiet(out, p.net());
        // Both backends see the tail: the kernel's capture runs on for a moment after the last step, so the model
        // must move its clock past the timers still pending (a FIN's ACK on the next tick, a delayed ACK). After
        // link steps the link comes up and the tail is long enough for what they lost to be sent again (a loss
        // probe after ~210 ms, the RTO after ~400 ms): the kernel's host runs the steps up to 100 ms behind the
        // model's clock, so a timer due just after the model's last step would fire on the kernel's side only.
        if (linkSteps) out.add("link up");
        out.add("sleep " + (linkSteps ? LINK_TAIL_MICROS : TAIL_MICROS) + "us");
        return out;
    }

    /**
     * On two hosts, each step after the set-up is followed by a pause of two link delays and {@link #QUIET_MICROS}:
     * what a step sends has crossed and been answered before the next step runs. Without it the outcome depends on
     * how long the kernel's host takes for a step (1 to 10 ms under load), not on TCP: an accept() that the model runs
     * before the third ACK arrives and the kernel after it (found by the first two-host differential runs).
     */
    private static List<String> quiet(List<String> steps, Program.Net net) {
        List<String> out = new ArrayList<>();
        String pause = "sleep " + (2 * net.delayMicros() + QUIET_MICROS) + "us";
        for (int n = 0; n < steps.size(); n++) {
            out.add(steps.get(n));
            if (n >= 4 && !steps.get(n).startsWith("sleep ")) out.add(pause);
        }
        return out;
    }

    /** The pause beyond two link delays after each step on two hosts: a loaded host's step takes up to ~10 ms. */
    public static final long QUIET_MICROS = 20_000;

    /** The closing sleep after link steps (two hosts). */
    public static final long LINK_TAIL_MICROS = 1_000_000;

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
