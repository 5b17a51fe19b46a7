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
            case LINK -> st.line() + ":" + st.column() + " " + ((Step.Link) st).command().text();
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

    /** The call and its expectation, normalized. */
    static String norm(String line) throws ScriptException {
        Step.CallStep c = call(line);
        return "[" + c.process() + "] " + c.text() + (c.expected() == null ? "" : " = " + c.expected().text());
    }

    @Test
    void callFormsNormalize() throws ScriptException {
        assertEquals("[main] c = socket(SOCK_NONBLOCK)", norm("c = socket(SOCK_NONBLOCK)"));
        assertEquals("[main] c = socket(SOCK_NONBLOCK)", norm("c = socket(0x800)"));
        assertEquals("[main] e = epoll_create()", norm("e = epoll_create1(0)"));
        assertEquals("[main] shutdown(3, SHUT_WR) = 0", norm("shutdown(3, 1) = 0"));
        assertEquals("[main] send(3, \"a\\n\\0\\x7f\\\"\", MSG_DONTWAIT|MSG_NOSIGNAL) = 5",
                norm("'send(3, \"a\\n\\0\\x7F\\\"\", MSG_NOSIGNAL | MSG_DONTWAIT) = 5'"));
        assertEquals("[main] send(3, 1000) = -1 EAGAIN", norm("send(3, 1000) = -1 EAGAIN (Resource temporarily unavailable)"));
        assertEquals("[main] write(3, \"" + "x".repeat(64) + "\"...)", norm("write(3, \"" + "x".repeat(70) + "\")"));
        assertEquals("[main] recv(3, 100, MSG_PEEK) = 5 \"hello\"", norm("recv(3, 100, MSG_PEEK) = 5 \"hello\""));
        assertEquals("[main] read(3, 10) = blocks forever", norm("read(3, 10) = blocks forever"));
        assertEquals("[main] setsockopt(3, SO_LINGER, 1, 0) = 0", norm("setsockopt(3, SO_LINGER, 1, 0) = 0"));
        assertEquals("[main] getsockopt(3, SO_LINGER) = {1, 5}", norm("getsockopt(3, SO_LINGER) = {1, 5}"));
        assertEquals("[main] getsockopt(3, SO_ERROR) = ECONNRESET", norm("getsockopt(3, SO_ERROR) = ECONNRESET"));
        assertEquals("[main] fcntl(3, F_GETFL) = O_RDWR|O_NONBLOCK", norm("fcntl(3, F_GETFL) = O_NONBLOCK|O_RDWR"));
        assertEquals("[main] poll(3, POLLIN|POLLRDHUP, 100) = 0", norm("poll(3, POLLIN|POLLRDHUP, 100) = 0"));
        assertEquals("[main] epoll_ctl(3, EPOLL_CTL_MOD, 4, EPOLLIN|EPOLLET) = 0", norm("epoll_ctl(3, MOD, 4, EPOLLIN|EPOLLET) = 0"));
        assertEquals("[main] epoll_wait(3, 1, 0) = 0", norm("epoll_wait(3, 1, 0) = 0"));
        assertEquals("[main] epoll_wait(3)", norm("epoll_wait(3, 64)"));
        assertEquals("[main] signal(SIGPIPE, handler)", norm("signal(SIGPIPE, handler)"));
        assertEquals("[server] s = accept(3, SOCK_NONBLOCK)", norm("server: s = accept4(3, SOCK_NONBLOCK)"));
        assertEquals("[server] s = accept(3)", norm("'server: s = accept(3)'"));
    }

    @Test
    void templatesResolveNamesToTheBackendsNumbers() throws ScriptException {
        List<Step> st = steps("a = socket()", "b = socket()", "poll([a, POLLIN], [b, POLLOUT], 5) = b:POLLOUT, a:POLLIN|POLLHUP");
        Step.CallStep p = (Step.CallStep) st.get(2);
        assertEquals(new io.tcpsim.calls.Call.Poll(List.of(new io.tcpsim.calls.Call.PollFd(7, io.tcpsim.calls.Bits.POLLIN),
                new io.tcpsim.calls.Call.PollFd(9, io.tcpsim.calls.Bits.POLLOUT)), 5), p.call().resolve(n -> n.equals("a") ? 7 : 9));
        assertEquals("b:POLLOUT, a:POLLIN|POLLHUP", p.expected().text());
        assertEquals(List.of("a", "b"), p.call().uses());
    }

    @Test
    void pipesAndSocketpairsBindTwoNames() throws ScriptException {
        List<Step> st = steps("'[r, w] = pipe()'", "'[p, q] = socketpair() = 0'", "close(r)", "close(q)");
        assertEquals(List.of("r", "w"), ((Step.CallStep) st.get(0)).binds());
        assertEquals("[p, q] = socketpair()", ((Step.CallStep) st.get(1)).text());
    }

    @Test
    void aNameMayBeBoundAgainAfterClose() throws ScriptException {
        assertEquals(3, steps("c = socket()", "close(c)", "c = socket()").size());
    }

    @Test
    void mappingStepsNameTheProcess() throws ScriptException {
        Script s = ScriptParser.parse("t.yaml", "name: t\nsteps:\n  - server: s = socket()\n  - server: exit\n  - exit\n");
        assertEquals(List.of("server", "server", "main"), s.steps().stream().map(Step::process).toList());
        assertEquals(Step.Kind.EXIT, s.steps().get(1).kind());
        assertEquals("3:13", s.steps().get(0).line() + ":" + s.steps().get(0).column());
    }

    @Test
    void directives() throws ScriptException {
        List<Step> st = steps("sleep 1.5s", "sleep 250us", "sleep 20ms", "netstat", "netstat -a", "exit server");
        assertEquals(1_500_000_000L, ((Step.Sleep) st.get(0)).nanos());
        assertEquals(250_000L, ((Step.Sleep) st.get(1)).nanos());
        assertEquals(20_000_000L, ((Step.Sleep) st.get(2)).nanos());
        assertEquals(false, ((Step.Netstat) st.get(3)).all());
        assertEquals(true, ((Step.Netstat) st.get(4)).all());
        assertEquals("server", st.get(5).process());
    }

    @Test
    void seedProfileAndJson() throws ScriptException {
        Script y = ScriptParser.parse("t.yaml", "name: t\nseed: 42\nprofile:\n  mss: 1460\n  tcp_timestamps: 0\nsteps: []\n");
        assertEquals(42L, y.seed());
        assertEquals(1460, y.profile().mss());
        assertEquals(false, y.profile().timestamps());
        Script j = ScriptParser.parse("t.json", "{\"name\": \"t\", \"seed\": 1, \"profile\": {\"hz\": 1000},"
                + " \"steps\": [\"c = socket()\", {\"server\": \"s = socket()\"}, \"send(c, \\\"a\\\")\"]}");
        assertEquals(1000, j.profile().hz());
        assertEquals("send(c, \"a\")", ((Step.CallStep) j.steps().get(2)).text());
        assertEquals("server", j.steps().get(1).process());
    }
}
