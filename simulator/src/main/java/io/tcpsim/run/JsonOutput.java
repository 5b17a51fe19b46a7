package io.tcpsim.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Result;
import io.tcpsim.script.Script;
import io.tcpsim.script.Step;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import io.tcpsim.wire.TcpdumpPrinter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run for programs: one JSON object per line, each with a {@code type}: run (first), packet (an RST with its
 * {@code reason}), call, failure, signal, process_end, state, drop, sleep, netstat (with its {@code host} in a script with hosts:),
 * link, lost (a packet the link lost), not_reached, end (last). Times are both {@code time} (as the text
 * prints them) and {@code time_ns}.
 */
public final class JsonOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Script script;
    private final TcpdumpPrinter printer = new TcpdumpPrinter();

    public JsonOutput(Script script) {
        this.script = script;
    }

    public static String header(String file, long seed, String backend) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "run");
        m.put("file", file);
        m.put("seed", seed);
        m.put("backend", backend);
        return write(m);
    }

    public static String end(RunLog log) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "end");
        m.put("ok", log.ok());
        m.put("failures", log.failures());
        return write(m);
    }

    public List<String> lines(List<LogLine> lines) {
        List<String> out = new ArrayList<>();
        for (LogLine l : lines) for (Map<String, Object> m : objects(l)) out.add(write(m));
        return out;
    }

    private static String write(Map<String, Object> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> base(String type, long time) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("time", Clock.format(time));
        m.put("time_ns", time);
        return m;
    }

    List<Map<String, Object>> objects(LogLine line) {
        return switch (line.kind()) {
            case PACKET -> {
                LogLine.PacketLine pl = (LogLine.PacketLine) line;
                Map<String, Object> m = packet(pl.packet());
                if (pl.packet().segment().has(TcpFlags.RST))
                    m.put("reason", pl.rstReason() == null ? null : pl.rstReason().name());
                yield List.of(m);
            }
            case CALL -> {
                LogLine.CallLine c = (LogLine.CallLine) line;
                Map<String, Object> m = base("call", c.time());
                Step.CallStep s = c.step();
                m.put("line", s.line());
                m.put("process", s.process());
                m.put("text", s.text());
                m.put("call", s.call().text().substring(0, s.call().text().indexOf('(')));
                m.put("result", c.resultText());
                Result r = c.result();
                m.put("value", r.value());
                m.put("errno", r.errno() == null ? null : r.errno().name());
                if (r.data() != null) m.put("data", hex(r.data()));
                if (r.fds() != null) m.put("fds", r.fds());
                if (r.revents() != null) m.put("revents", r.revents());
                if (r.events() != null) {
                    List<Map<String, Object>> evs = new ArrayList<>();
                    for (Result.EpollEvent e : r.events()) {
                        // A linked map: Map.of's order changes from one JVM run to the next.
                        Map<String, Object> ev = new LinkedHashMap<>();
                        ev.put("fd", e.fd());
                        ev.put("events", e.events());
                        evs.add(ev);
                    }
                    m.put("events", evs);
                }
                if (r.optval() != null) m.put("optval", r.optval());
                if (r.addr() != null) m.put("addr", r.addr().toString());
                m.put("sigpipe", r.sigpipe());
                m.put("blocked_forever", r.blockedForever());
                m.put("duration_ns", c.endTime() - c.startTime());
                if (c.resumed()) m.put("resumed", true);
                m.put("expected", s.expected() == null ? null : s.expected().text());
                m.put("ok", c.holds() == null || c.holds());
                if (!c.failed()) yield List.of(m);
                yield List.of(m, failure(c.time(), s, s.expected().text(), c.resultText()));
            }
            case SIGNAL -> {
                LogLine.SignalLine s = (LogLine.SignalLine) line;
                Map<String, Object> m = base("signal", s.time());
                m.put("process", s.process());
                m.put("signal", s.signo() == Bits.SIGPIPE ? "SIGPIPE" : String.valueOf(s.signo()));
                m.put("how", s.how());
                yield List.of(m);
            }
            case PROCESS_END -> {
                LogLine.ProcessEndLine e = (LogLine.ProcessEndLine) line;
                Map<String, Object> m = base("process_end", e.time());
                m.put("process", e.process());
                m.put("how", e.how());
                yield List.of(m);
            }
            case STATE -> {
                LogLine.StateLine s = (LogLine.StateLine) line;
                Map<String, Object> m = base("state", s.time());
                m.put("endpoint", s.endpoint());
                m.put("from", s.fromName());
                m.put("to", s.to().netstatName());
                m.put("why", s.why());
                yield List.of(m);
            }
            case DROP -> {
                LogLine.DropLine d = (LogLine.DropLine) line;
                Map<String, Object> m = base("drop", d.time());
                Segment s = d.segment();
                m.put("endpoint", d.endpoint());
                m.put("src", s.src().toString());
                m.put("dst", s.dst().toString());
                m.put("flags", TcpFlags.tcpdump(s.flags()));
                m.put("seq", s.seq());
                m.put("ack", s.ack());
                m.put("length", s.length());
                m.put("reason", d.reason().name());
                m.put("reason_value", d.reason().kernelValue);
                m.put("text", TextOutput.drop(d));
                yield List.of(m);
            }
            case SLEEP -> {
                LogLine.SleepLine s = (LogLine.SleepLine) line;
                Map<String, Object> m = base("sleep", s.time());
                m.put("line", s.step().line());
                m.put("duration", s.step().duration());
                m.put("duration_ns", s.step().nanos());
                yield List.of(m);
            }
            case NETSTAT -> {
                LogLine.NetstatLine n = (LogLine.NetstatLine) line;
                Map<String, Object> m = base("netstat", n.time());
                m.put("line", n.step().line());
                m.put("all", n.step().all());
                if (n.step().ss()) m.put("ss", true);
                if (n.host() != null) m.put("host", n.host());
                List<Map<String, Object>> rows = new ArrayList<>();
                for (NetstatRow r : n.rows()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("recv_q", r.recvQ());
                    row.put("send_q", r.sendQ());
                    row.put("local", r.local().toString());
                    row.put("foreign", r.foreign().toString());
                    row.put("state", r.state().netstatName());
                    row.put("timer", r.timer());
                    row.put("orphan", r.orphan());
                    if (r.info() != null) {
                        Map<String, Object> info = new LinkedHashMap<>();
                        for (var e : io.tcpsim.calls.TcpInfo.values(r.info()).entrySet()) info.put(e.getKey(), e.getValue());
                        row.put("tcp_info", info);
                    }
                    row.put("text", r.format());
                    rows.add(row);
                }
                m.put("rows", rows);
                yield List.of(m);
            }
            case RUNNING -> {
                LogLine.RunningLine r = (LogLine.RunningLine) line;
                Map<String, Object> m = base("running", r.time());
                m.put("line", r.step().line());
                m.put("process", r.step().process());
                m.put("text", r.step().text());
                yield List.of(m);
            }
            case LOST -> {
                LogLine.LostLine l = (LogLine.LostLine) line;
                Map<String, Object> m = base("lost", l.time());
                Segment s = l.segment();
                m.put("src", s.src().toString());
                m.put("dst", s.dst().toString());
                m.put("flags", TcpFlags.tcpdump(s.flags()));
                m.put("seq", s.seq());
                m.put("ack", s.ack());
                m.put("length", s.length());
                m.put("text", TextOutput.lost(l));
                yield List.of(m);
            }
            case LINK -> {
                LogLine.LinkLine k = (LogLine.LinkLine) line;
                Map<String, Object> m = base("link", k.time());
                m.put("line", k.step().line());
                m.put("text", k.step().command().text());
                yield List.of(m);
            }
            case NOT_REACHED -> {
                LogLine.NotReachedLine r = (LogLine.NotReachedLine) line;
                Map<String, Object> m = base("not_reached", r.time());
                m.put("line", r.step().line());
                m.put("process", r.step().process());
                m.put("why", r.why());
                if (!r.failed()) yield List.of(m);
                Step.CallStep c = (Step.CallStep) r.step();
                yield List.of(m, failure(r.time(), c, c.expected().text(), "not reached (" + r.why() + ")"));
            }
        };
    }

    private Map<String, Object> failure(long time, Step.CallStep s, String expected, String actual) {
        Map<String, Object> m = base("failure", time);
        m.put("file", script.file());
        m.put("line", s.line());
        m.put("column", s.column());
        m.put("process", s.process());
        m.put("text", s.text());
        m.put("expected", expected);
        m.put("actual", actual);
        return m;
    }

    private Map<String, Object> packet(Packet p) {
        Segment s = p.segment();
        Map<String, Object> m = base("packet", p.timeNanos());
        m.put("ip_id", p.ipId());
        m.put("src", s.src().toString());
        m.put("dst", s.dst().toString());
        m.put("flags", TcpFlags.tcpdump(s.flags()));
        m.put("flag_bits", s.flags());
        m.put("seq", s.seq());
        m.put("ack", s.ack());
        m.put("window", s.window());
        m.put("urgent", s.urgent());
        List<String> options = new ArrayList<>();
        for (TcpOption o : s.options()) options.add(option(o));
        m.put("options", options);
        m.put("length", s.length());
        m.put("payload", hex(s.payload()));
        m.put("tcpdump", printer.print(p));
        return m;
    }

    /** Options as tcpdump names them. */
    static String option(TcpOption o) {
        if (o instanceof TcpOption.Mss x) return "mss " + x.mss();
        if (o instanceof TcpOption.WindowScale x) return "wscale " + x.shift();
        if (o instanceof TcpOption.Timestamps x) return "TS val " + x.val() + " ecr " + x.ecr();
        if (o instanceof TcpOption.Sack x) {
            List<String> blocks = new ArrayList<>();
            for (long[] b : x.blocks()) blocks.add(b[0] + ":" + b[1]);
            return "sack " + x.blocks().size() + " {" + String.join("}{", blocks) + "}";
        }
        if (o instanceof TcpOption.SackPermitted) return "sackOK";
        if (o instanceof TcpOption.Nop) return "nop";
        if (o instanceof TcpOption.EndOfList) return "eol";
        TcpOption.Unknown u = (TcpOption.Unknown) o;
        return "opt-" + u.kind() + ":" + hex(u.data());
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        return s.toString();
    }
}
