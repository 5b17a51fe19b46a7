package io.tcpsim.fuzz;

import io.tcpsim.model.tcp.StateTable;
import io.tcpsim.backend.TcpState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which (state x event) pairs the generated runs exercised, and which transitions each event caused. An event is the
 * cause as the application or the wire sees it: a call ({@code close}, {@code send}, ..., {@code exit} for a process
 * that ends), an arriving segment ({@code SYN SYN-ACK ACK data FIN RST}), or {@code timer}. The state is the
 * receiving endpoint's just before the event; {@code none} when no socket takes the segment (tcp_v4_send_reset).
 */
public final class Coverage {
    public static final List<String> CALLS = List.of("connect", "accept", "send", "recv", "shutdown", "close",
            "setsockopt", "getsockopt", "poll", "exit");
    public static final List<String> SEGMENTS = List.of("SYN", "SYN-ACK", "ACK", "data", "FIN", "RST");
    public static final String TIMER = "timer";

    private final Map<String, Integer> exercised = new ConcurrentHashMap<>();
    private final Map<String, Integer> transitions = new ConcurrentHashMap<>();

    public void exercised(String state, String event) {
        exercised.merge(state + "|" + event, 1, Integer::sum);
    }

    public void transition(String from, String event, String to) {
        transitions.merge(from + "|" + to + "|" + event, 1, Integer::sum);
    }

    public void addAll(Coverage other) {
        other.exercised.forEach((k, v) -> exercised.merge(k, v, Integer::sum));
        other.transitions.forEach((k, v) -> transitions.merge(k, v, Integer::sum));
    }

    public int exercisedCount(String state, String event) {
        return exercised.getOrDefault(state + "|" + event, 0);
    }

    /** The causes seen for one transition, with counts: {@code close 12, RST 3}. */
    public Map<String, Integer> causes(String from, String to) {
        Map<String, Integer> out = new TreeMap<>();
        String prefix = from + "|" + to + "|";
        transitions.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
        });
        return out;
    }

    /** Every transition seen, "FROM|TO|EVENT" to count. */
    public Map<String, Integer> transitions() {
        return new TreeMap<>(transitions);
    }

    public static List<String> events() {
        List<String> e = new ArrayList<>(CALLS);
        e.addAll(SEGMENTS);
        e.add(TIMER);
        return e;
    }

    public static List<String> states() {
        List<String> s = new ArrayList<>();
        for (TcpState t : TcpState.values()) s.add(t.netstatName());
        s.add("none");
        return s;
    }

    /** The table written to target/transition-coverage.md and summarised in docs/model.md. */
    public String markdown(long tries, Map<String, String> gaps) {
        StringBuilder b = new StringBuilder();
        b.append("# Transition coverage\n\n");
        b.append("From ").append(tries).append(" generated runs. An edge of `StateTable` and the events that caused it "
                + "(with counts); an edge never taken names why.\n\n");
        b.append("| from | to | caused by | gap |\n|---|---|---|---|\n");
        int covered = 0, edges = 0;
        for (TcpState from : TcpState.values()) {
            for (TcpState to : TcpState.values()) {
                if (!StateTable.allowed(from, to)) continue;
                edges++;
                Map<String, Integer> c = causes(from.netstatName(), to.netstatName());
                if (!c.isEmpty()) covered++;
                List<String> parts = new ArrayList<>();
                c.forEach((k, v) -> parts.add(k + " " + v));
                String gap = c.isEmpty() ? gaps.getOrDefault(from + "->" + to, "**not covered**") : "";
                b.append("| ").append(from.netstatName()).append(" | ").append(to.netstatName()).append(" | ")
                        .append(parts.isEmpty() ? "-" : String.join(", ", parts)).append(" | ").append(gap).append(" |\n");
            }
        }
        b.append("\n").append(covered).append(" of ").append(edges).append(" edges covered.\n\n");

        b.append("## State x event\n\nHow often each event met an endpoint in each state (`.` = never).\n\n");
        List<String> events = events();
        b.append("| state |");
        for (String e : events) b.append(' ').append(e).append(" |");
        b.append("\n|---|");
        for (int i = 0; i < events.size(); i++) b.append("---:|");
        b.append('\n');
        int pairs = 0;
        for (String s : states()) {
            b.append("| ").append(s).append(" |");
            for (String e : events) {
                int n = exercisedCount(s, e);
                if (n > 0) pairs++;
                b.append(' ').append(n == 0 ? "." : Integer.toString(n)).append(" |");
            }
            b.append('\n');
        }
        b.append("\n").append(pairs).append(" (state, event) pairs exercised.\n");
        return b.toString();
    }
}
