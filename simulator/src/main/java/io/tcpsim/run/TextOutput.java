package io.tcpsim.run;

import io.tcpsim.backend.Inspectable;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Bits;
import io.tcpsim.script.Script;
import io.tcpsim.script.Step;
import io.tcpsim.wire.TcpdumpPrinter;
import java.util.ArrayList;
import java.util.List;

/**
 * The run as people read it: packets exactly as tcpdump -nn prints them, calls as strace would, netstat tables as
 * netstat prints them, all on one time line. One instance per run: the tcpdump printer keeps relative sequence
 * numbers across lines.
 */
public final class TextOutput {
    /** Calls that took less than this print no {@code <blocked ...>}. */
    static final long BLOCKED_SHOWN = 1_000_000L;

    private final Script script;
    private final TcpdumpPrinter printer = new TcpdumpPrinter();

    public TextOutput(Script script) {
        this.script = script;
    }

    /** The first line, which says how to run the same again. */
    public static String header(String command, String file, long seed) {
        return "# tcpsim " + command + " " + file + " --seed " + seed;
    }

    public List<String> lines(List<LogLine> lines) {
        List<String> out = new ArrayList<>();
        for (LogLine l : lines) out.addAll(format(l));
        return out;
    }

    /** The text lines of one log line (a netstat is several; a failed call adds its expectation). */
    public List<String> format(LogLine line) {
        String t = Clock.format(line.time());
        return switch (line.kind()) {
            case PACKET -> {
                LogLine.PacketLine p = (LogLine.PacketLine) line;
                yield List.of(printer.print(p.packet()) + rstReason(p));
            }
            case CALL -> {
                LogLine.CallLine c = (LogLine.CallLine) line;
                String s = t + " [" + c.step().process() + "] " + (c.resumed() ? "... " : "") + c.step().text()
                        + " = " + c.resultText();
                long took = c.endTime() - c.startTime();
                if (took >= BLOCKED_SHOWN && !c.result().blockedForever()) s += " <blocked " + Clock.millis(took) + ">";
                if (!c.failed()) yield List.of(s);
                yield List.of(s, expected(c.step().expected().text(), c.step()));
            }
            case RUNNING -> {
                LogLine.RunningLine r = (LogLine.RunningLine) line;
                yield List.of(t + " [" + r.step().process() + "] " + r.step().text() + " ...");
            }
            case SIGNAL -> {
                LogLine.SignalLine s = (LogLine.SignalLine) line;
                yield List.of(t + " [" + s.process() + "] --- " + Bits.signalName(s.signo()) + " (" + s.how() + ") ---");
            }
            case PROCESS_END -> {
                LogLine.ProcessEndLine e = (LogLine.ProcessEndLine) line;
                yield List.of(t + " [" + e.process() + "] +++ " + e.how() + " +++");
            }
            // The model's transitions stay out of the text: it shows what a person could observe (JSON has them).
            case STATE -> List.of();
            case DROP -> List.of(drop((LogLine.DropLine) line));
            case SLEEP -> List.of(t + " -- sleep " + ((LogLine.SleepLine) line).step().duration());
            case NETSTAT -> {
                LogLine.NetstatLine n = (LogLine.NetstatLine) line;
                List<String> out = new ArrayList<>();
                if (n.step().ss()) {
                    out.add(t + " ss -tin");
                    out.add(NetstatRow.SS_HEADER);
                    for (NetstatRow r : n.rows()) {
                        out.add(r.formatSs());
                        if (r.info() != null) out.add(io.tcpsim.calls.TcpInfo.ssLine(r.info()));
                    }
                    yield out;
                }
                out.add(t + " netstat " + (n.step().all() ? "-tan" : "-tn") + (n.host() == null ? ""
                        : " on " + n.host() + " (" + script.topology().address(n.host()) + ")"));
                out.add(NetstatRow.HEADER);
                for (NetstatRow r : n.rows()) out.add(r.format());
                yield out;
            }
            case LINK -> List.of(t + " -- " + ((LogLine.LinkLine) line).step().command().text());
            case LOST -> List.of(lost((LogLine.LostLine) line));
            case NOT_REACHED -> {
                LogLine.NotReachedLine r = (LogLine.NotReachedLine) line;
                String s = t + " [" + r.step().process() + "] " + stepText(r.step()) + " = not reached (" + r.why() + ")";
                if (!r.failed()) yield List.of(s);
                yield List.of(s, expected(((Step.CallStep) r.step()).expected().text(), r.step()));
            }
        };
    }

    /**
     * What follows an RST's tcpdump line: {@code , reason TCP_ABORT_ON_CLOSE}, the sk_rst_reason the kernel's
     * tcp_send_reset reports; {@code , reason unknown} for an RST whose backend does not know it. Nothing for other
     * packets.
     */
    public static String rstReason(LogLine.PacketLine p) {
        if (!p.packet().segment().has(io.tcpsim.wire.TcpFlags.RST)) return "";
        return ", reason " + (p.rstReason() == null ? "unknown" : p.rstReason().name());
    }

    /**
     * A segment the stack threw away: {@code 00:00:00.010040 [drop] 127.0.0.1.4321 > 127.0.0.1.52888: Flags [P.],
     * length 1, reason TCP_ZEROWINDOW}, the skb_drop_reason kfree_skb reports (docs/output-format.md).
     */
    public static String drop(LogLine.DropLine d) {
        io.tcpsim.wire.Segment s = d.segment();
        return Clock.format(d.time()) + " [drop] " + s.src().tcpdumpString() + " > " + s.dst().tcpdumpString()
                + ": Flags [" + io.tcpsim.wire.TcpFlags.tcpdump(s.flags()) + "], length " + s.length() + ", reason "
                + d.reason().name();
    }

    /**
     * A packet the link lost, after its tcpdump line: {@code 00:00:01.000000 [lost] 10.0.1.1.40000 > 10.0.1.2.5001:
     * Flags [S], length 0, on the link}.
     */
    public static String lost(LogLine.LostLine l) {
        io.tcpsim.wire.Segment s = l.segment();
        return Clock.format(l.time()) + " [lost] " + s.src().tcpdumpString() + " > " + s.dst().tcpdumpString()
                + ": Flags [" + io.tcpsim.wire.TcpFlags.tcpdump(s.flags()) + "], length " + s.length() + ", on the link";
    }

    private String expected(String text, Step step) {
        return "    ^ expected: " + text + " (" + script.file() + ":" + step.line() + ")";
    }

    private static String stepText(Step step) {
        return switch (step.kind()) {
            case CALL -> ((Step.CallStep) step).text();
            case SLEEP -> "sleep " + ((Step.Sleep) step).duration();
            case NETSTAT -> ((Step.Netstat) step).all() ? "netstat -a" : "netstat";
            case EXIT -> "exit";
            case LINK -> ((Step.Link) step).command().text();
        };
    }

    /** The summary line after a failed run. */
    public String summary(RunLog log) {
        int n = log.failures();
        return "# " + n + (n == 1 ? " expectation" : " expectations") + " failed";
    }

    /** One endpoint's inside, for tcpsim step: two lines. */
    public static List<String> endpoint(Inspectable.EndpointSnapshot e) {
        return List.of(
                "  " + e.local() + " > " + e.remote() + " [" + e.owner() + "] " + e.state() + (e.orphan() ? " (orphan)" : ""),
                "    " + (e.sndUna() < 0 ? "(a timewait minisock keeps no sequence state to show)"
                                : "snd_una " + e.sndUna() + " snd_nxt " + e.sndNxt() + " rcv_nxt " + e.rcvNxt())
                        + " | send-q " + e.sendQueued() + " recv-q " + e.recvQueued()
                        + " | sk_err " + (e.skErr() == null || e.skErr().isEmpty() ? "0" : e.skErr())
                        + " | shutdown " + (e.shutdown() == null || e.shutdown().isEmpty() ? "-" : e.shutdown())
                        + " | timers " + (e.timers() == null || e.timers().isEmpty() ? "-" : String.join(", ", e.timers())));
    }
}
