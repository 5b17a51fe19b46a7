package io.tcpsim.script;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --record writes results in place: only the text after the call's ')' changes, in every scalar style. */
class RecorderTest {

    static String record(String source, Map<Integer, List<String>> byStepIndex) throws ScriptException {
        Script s = ScriptParser.parse("t.yaml", source);
        Map<Step.CallStep, List<String>> m = new LinkedHashMap<>();
        byStepIndex.forEach((i, texts) -> m.put((Step.CallStep) s.steps().get(i), texts));
        Recorder.Recorded r = Recorder.record(s, m);
        ScriptParser.parse("t.yaml", r.text());
        return r.text();
    }

    @Test
    void appendsToPlainStepsAndReplacesExpectations() throws ScriptException {
        String src = "name: t   # the name\nsteps:\n  - c = socket()      # comment kept\n  - close(c) = -1 EBADF (Bad file descriptor)\n";
        assertEquals("name: t   # the name\nsteps:\n  - c = socket() = 3      # comment kept\n  - close(c) = 0\n",
                record(src, Map.of(0, List.of("3"), 1, List.of("0"))));
    }

    @Test
    void escapesForTheQuotingOfTheStep() throws ScriptException {
        String src = "name: t\nsteps:\n  - c = socket()\n  - \"recv(c, 10)\"\n  - 'recv(c, 10) = 1'\n  - server: \"s = socket()\"\n";
        assertEquals("name: t\nsteps:\n  - c = socket()\n  - \"recv(c, 10) = 3 \\\"a\\\\n'\\\"\"\n  - 'recv(c, 10) = 3 \"a\\n''\"'\n"
                        + "  - server: \"s = socket() = 4\"\n",
                record(src, Map.of(1, List.of("3 \"a\\n'\"", "3"), 2, List.of("3 \"a\\n'\"", "3"), 3, List.of("4"))));
    }

    @Test
    void aPlainStepFallsBackWhenTheDataWouldEndTheScalar() throws ScriptException {
        String src = "name: t\nsteps:\n  - c = socket()\n  - recv(c, 10)\n  - recv(c, 10)\n";
        assertEquals("name: t\nsteps:\n  - c = socket()\n  - recv(c, 10) = 4\n  - recv(c, 10) = 4\n",
                record(src, Map.of(1, List.of("4 \"a #b\"", "4"), 2, List.of("4 \"a: b\"", "4"))));
    }

    @Test
    void multiLineStepsAndJsonKeepTheirLayout() throws ScriptException {
        String src = "name: t\nsteps:\n  - c = socket()\n  - send(c,\n      \"a\") = 9\n  - close(c)\n";
        assertEquals("name: t\nsteps:\n  - c = socket()\n  - send(c,\n      \"a\") = 1\n  - close(c)\n",
                record(src, Map.of(1, List.of("1"))));
        Script j = ScriptParser.parse("t.json", "{\"name\": \"t\",\n \"steps\": [\"c = socket()\", \"recv(c, 5)\"]}\n");
        Recorder.Recorded r = Recorder.record(j, Map.of((Step.CallStep) j.steps().get(1), List.of("2 \"\\\"\\\\\"")));
        assertEquals("{\"name\": \"t\",\n \"steps\": [\"c = socket()\", \"recv(c, 5) = 2 \\\"\\\\\\\"\\\\\\\\\\\"\"]}\n", r.text());
        assertEquals("2 \"\\\"\\\\\"", ((Step.CallStep) ScriptParser.parse("t.json", r.text()).steps().get(1)).expected().text());
    }

    @Test
    void recordingTwiceChangesNothingMore() throws ScriptException {
        String once = record("name: t\nsteps:\n  - c = socket()\n", Map.of(0, List.of("3")));
        assertEquals(once, record(once, Map.of(0, List.of("3"))));
    }
}
