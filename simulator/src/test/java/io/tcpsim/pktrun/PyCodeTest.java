package io.tcpsim.pktrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Python subset of %{ }% blocks: what the published scripts write, evaluated; the rest refused. */
class PyCodeTest {
    private static final Map<String, Long> CHILD = Map.of("tcpi_state", 3L, "tcpi_options", 2L | 32 | 128);

    private static PyCode.Failure run(String code) throws NotModelled {
        return new PyCode("t.pkt").run(7, code, CHILD);
    }

    @Test
    void assertionsOverTcpInfo() throws NotModelled {
        assertNull(run(" assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0, tcpi_options "));
        assertNull(run("assert tcpi_state == TCP_SYN_RECV, tcpi_state"));
        assertNull(run("assert 1 <= tcpi_state <= 3; assert not tcpi_state == TCP_CLOSE"));
        assertEquals(new PyCode.Failure(7, "AssertionError: 162"),
                run("assert (tcpi_options & TCPI_OPT_SYN_DATA) == 0, tcpi_options"));
        assertEquals(new PyCode.Failure(7, "AssertionError: state=3"), run("assert tcpi_state == 1, 'state=%d' % tcpi_state"));
        assertEquals(new PyCode.Failure(7, "AssertionError"), run("assert tcpi_state == 7"));
    }

    @Test
    void namesAssignedInOneBlockServeTheNext() throws NotModelled {
        PyCode py = new PyCode("t.pkt");
        assertNull(py.run(3, "SYN_RECV = 0x3  # a comment", null));
        assertNull(py.run(4, "assert tcpi_state == SYN_RECV,\\\n tcpi_state", CHILD));
    }

    @Test
    void whatIsNotEvaluatedIsRefused() throws NotModelled {
        assertEquals("%{ }% Python: the TCP_INFO field tcpi_snd_cwnd (the model does not report it yet)",
                assertThrows(NotModelled.class, () -> run("assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd")).feature());
        assertEquals("%{ }% Python: the name cwnd", assertThrows(NotModelled.class, () -> run("assert cwnd == 1")).feature());
        assertEquals("%{ }% Python: calls, attributes and subscripts (len()",
                assertThrows(NotModelled.class, () -> run("assert len(x) == 1")).feature());
        assertEquals("%{ }% Python: a statement other than assert or NAME = EXPR",
                assertThrows(NotModelled.class, () -> run("import os")).feature());
        assertEquals("%{ }% Python: an expression nested more than 100 deep",
                assertThrows(NotModelled.class, () -> run("assert " + "(".repeat(5000) + "1" + ")".repeat(5000))).feature());
        assertEquals("%{ }% Python: an expression nested more than 100 deep",
                assertThrows(NotModelled.class, () -> run("assert " + "not ".repeat(5000) + "1")).feature());
        assertNull(run("assert " + "1 + ".repeat(500) + "1 == 501"));
    }
}
