package io.tcpsim.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptParserTest {

    static String resource(String name) throws IOException {
        try (InputStream in = ScriptParserTest.class.getResourceAsStream("/scripts/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Script parse(String text) throws ScriptException {
        return ScriptParser.parse("t.yaml", text);
    }

    /** The steps of a script made of the given step lines. */
    static List<Step> steps(String... lines) throws ScriptException {
        StringBuilder b = new StringBuilder("name: t\nsteps:\n");
        for (String l : lines) b.append("  - ").append(l).append('\n');
        return parse(b.toString()).steps();
    }

    static Step.CallStep call(String line) throws ScriptException {
        return (Step.CallStep) steps(line).get(0);
    }

    @Test
    void theExampleParsesAndNormalizes() throws Exception {
        Script s = ScriptParser.parse("close-then-send.yaml", resource("close-then-send.yaml"));
        assertEquals("close-then-send", s.name());
        assertEquals("The client closes; the server's first send succeeds and draws an RST, the second fails with EPIPE.\n",
                s.description());
        assertNull(s.seed());
        List<String> texts = s.steps().stream().map(st -> switch (st.kind()) {
            case CALL -> st.line() + ":" + st.column() + " " + ((Step.CallStep) st).text()
                    + (((Step.CallStep) st).expected() == null ? "" : " = " + ((Step.CallStep) st).expected().text());
            case SLEEP -> st.line() + ":" + st.column() + " sleep " + ((Step.Sleep) st).nanos();
            case NETSTAT -> st.line() + ":" + st.column() + " netstat " + ((Step.Netstat) st).all();
            case EXIT -> st.line() + ":" + st.column() + " exit " + st.process();
        }).toList();
        assertEquals(List.of(
                "6:5 a = socket()",
                "7:5 setsockopt(a, SO_REUSEADDR, 1)",
                "8:5 bind(a, 127.0.0.1:4321)",
                "9:5 listen(a, 1)",
                "10:5 c = socket()",
                "11:5 fcntl(c, F_SETFL, O_NONBLOCK)",
                "12:5 connect(c, 127.0.0.1:4321) = -1 EINPROGRESS",
                "13:5 fcntl(c, F_SETFL, 0)",
                "14:5 s = accept(a)",
                "15:5 poll(c, POLLOUT) = POLLOUT",
                "16:5 getsockopt(c, SO_ERROR) = 0",
                "17:5 netstat false",
                "18:5 close(c)",
                "19:5 netstat false",
                "20:5 send(s, \"a\", MSG_NOSIGNAL) = 1",
                "21:5 netstat false",
                "22:5 send(s, \"a\", MSG_NOSIGNAL) = -1 EPIPE",
                "23:5 sleep 5000000000"), texts);
    }
}
