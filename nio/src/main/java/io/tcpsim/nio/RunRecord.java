package io.tcpsim.nio;

import io.tcpsim.backend.Event;
import io.tcpsim.calls.Call;
import io.tcpsim.model.Profile;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.ResultText;
import io.tcpsim.run.RunLog;
import io.tcpsim.script.CallTemplate;
import io.tcpsim.script.Script;
import io.tcpsim.script.SourceText;
import io.tcpsim.script.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A network's run as tcpsim run's own log: each call the code made is a step of a script written after the fact
 * (the thread is its process, descriptors are their numbers), and the model's events are its lines. TextOutput,
 * RunLadder and the pcap writer then print it exactly as they print a script's run.
 */
final class RunRecord {
    private RunRecord() {}

    static RunLog of(String name, Profile profile, long seed, List<Kernel.CallRecord> calls, List<Event> events) {
        StringBuilder source = new StringBuilder("name: ").append(name).append("\nsteps:\n");
        List<String> texts = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        for (Kernel.CallRecord c : calls) {
            String text = c.thread() + ": " + template(c.call()).text();
            source.append("  - ");
            starts.add(source.length());
            source.append(text).append('\n');
            texts.add(text);
        }
        SourceText.Lines lines = new SourceText.Lines(source.toString());
        List<Step> steps = new ArrayList<>();
        List<LogLine> log = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Kernel.CallRecord c = calls.get(i);
            String text = texts.get(i);
            int[] offsets = new int[text.length() + 1];
            for (int j = 0; j <= text.length(); j++) offsets[j] = starts.get(i) + j;
            CallTemplate t = template(c.call());
            Step.CallStep step = new Step.CallStep(c.thread(), List.of(), t, null, text.length(),
                    new SourceText(text, offsets, ' ', lines));
            steps.add(step);
            String result = ResultText.print(t, c.result(), Integer::toString);
            log.add(new LogLine.CallLine(c.start(), c.end(), step, c.result(), result, List.of(), null));
        }
        for (Event e : events) {
            if (e instanceof Event.PacketSent ps) {
                log.add(new LogLine.PacketLine(ps.packet(), ps.rstReason()));
            } else if (e instanceof Event.SignalDelivered s) {
                log.add(new LogLine.SignalLine(s.timeNanos(), s.process(), s.signo(), s.fatal() ? "fatal" : "caught"));
            } else if (e instanceof Event.ProcessEnded x) {
                log.add(new LogLine.ProcessEndLine(x.timeNanos(), x.process(), x.end()));
            } else if (e instanceof Event.StateChanged sc) {
                log.add(new LogLine.StateLine(sc.timeNanos(), sc.endpoint(), sc.from(), sc.to(), sc.cause(), sc.detail()));
            } else if (e instanceof Event.Dropped d) {
                log.add(new LogLine.DropLine(d.timeNanos(), d.endpoint(), d.segment(), d.reason()));
            }
        }
        log.sort(Comparator.comparingLong(LogLine::time)); // stable: a call before the packets it sent
        Script script = new Script(name, source.toString(), name, "", seed, profile, steps);
        return new RunLog(script, "model", log);
    }

    /** The call in script syntax, descriptors by number. */
    static CallTemplate template(Call call) {
        return call.accept(new Call.Visitor<CallTemplate, Void>() {
            public CallTemplate socket(Call.Socket c, Void v) { return new CallTemplate.Socket(c.flags()); }
            public CallTemplate bind(Call.Bind c, Void v) { return new CallTemplate.Bind(fd(c.fd()), c.addr()); }
            public CallTemplate listen(Call.Listen c, Void v) { return new CallTemplate.Listen(fd(c.fd()), c.backlog()); }
            public CallTemplate accept(Call.Accept c, Void v) { return new CallTemplate.Accept(fd(c.fd()), c.flags()); }
            public CallTemplate connect(Call.Connect c, Void v) { return new CallTemplate.Connect(fd(c.fd()), c.addr()); }
            public CallTemplate send(Call.Send c, Void v) {
                return new CallTemplate.Send(fd(c.fd()), CallTemplate.Data.of(c.data()), c.flags(), c.write());
            }
            public CallTemplate recv(Call.Recv c, Void v) { return new CallTemplate.Recv(fd(c.fd()), c.length(), c.flags(), c.read()); }
            public CallTemplate shutdown(Call.Shutdown c, Void v) { return new CallTemplate.Shutdown(fd(c.fd()), c.how()); }
            public CallTemplate close(Call.Close c, Void v) { return new CallTemplate.Close(fd(c.fd())); }
            public CallTemplate setsockopt(Call.SetSockOpt c, Void v) {
                List<Integer> vals = new ArrayList<>();
                for (int x : c.values()) vals.add(x);
                return new CallTemplate.SetSockOpt(fd(c.fd()), c.option(), vals);
            }
            public CallTemplate getsockopt(Call.GetSockOpt c, Void v) { return new CallTemplate.GetSockOpt(fd(c.fd()), c.option()); }
            public CallTemplate fcntl(Call.Fcntl c, Void v) { return new CallTemplate.Fcntl(fd(c.fd()), c.cmd(), c.arg()); }
            public CallTemplate poll(Call.Poll c, Void v) {
                List<CallTemplate.PollEntry> es = new ArrayList<>();
                for (Call.PollFd p : c.fds()) es.add(new CallTemplate.PollEntry(fd(p.fd()), p.events()));
                return new CallTemplate.Poll(es, c.timeoutMs(), es.size() == 1);
            }
            public CallTemplate epollCreate(Call.EpollCreate c, Void v) { return new CallTemplate.EpollCreate(); }
            public CallTemplate epollCtl(Call.EpollCtl c, Void v) {
                return new CallTemplate.EpollCtl(fd(c.epfd()), c.op(), fd(c.fd()), c.events());
            }
            public CallTemplate epollWait(Call.EpollWait c, Void v) {
                return new CallTemplate.EpollWait(fd(c.epfd()), c.maxEvents(), c.timeoutMs());
            }
            public CallTemplate pipe(Call.Pipe c, Void v) { return new CallTemplate.Pipe(); }
            public CallTemplate socketPair(Call.SocketPair c, Void v) { return new CallTemplate.SocketPair(); }
            public CallTemplate signal(Call.Signal c, Void v) { return new CallTemplate.Signal(c.signo(), c.disposition()); }
        }, null);
    }

    private static String fd(int fd) {
        return Integer.toString(fd);
    }
}
