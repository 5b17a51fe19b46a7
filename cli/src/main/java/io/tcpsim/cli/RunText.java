package io.tcpsim.cli;

import io.tcpsim.run.JsonOutput;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.TextOutput;
import io.tcpsim.script.Script;
import java.util.ArrayList;
import java.util.List;

/** A run's whole output, text or JSON lines, the same for every command that prints one (run, capture). */
final class RunText {
    private RunText() {}

    static List<String> lines(String command, String file, long seed, Script script, RunLog log, boolean json) {
        List<String> lines = new ArrayList<>();
        if (json) {
            JsonOutput j = new JsonOutput(script);
            lines.add(JsonOutput.header(file, seed, log.backend()));
            lines.addAll(j.lines(log.lines()));
            lines.add(JsonOutput.end(log));
        } else {
            TextOutput t = new TextOutput(script);
            lines.add(TextOutput.header(command, file, seed));
            lines.addAll(t.lines(log.lines()));
            if (!log.ok()) lines.add(t.summary(log));
        }
        return lines;
    }
}
