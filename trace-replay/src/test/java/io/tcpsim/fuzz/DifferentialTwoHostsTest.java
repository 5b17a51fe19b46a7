package io.tcpsim.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The differential oracle on a script with {@code hosts:}: the kernel side runs on two hosts joined by the link, and
 * a script the model refuses is a "script" outcome, not a crash (root needed: fails, never skips).
 */
class DifferentialTwoHostsTest {
    static final String HEAD = """
            hosts:
              client: 10.0.1.1
              server: 10.0.1.2
            link:
              delay: 5ms
            steps:
              - 'server: a = socket()'
              - 'client: c = socket()'
            """;

    @Test
    void aRefusedConnectAcrossTheLinkAgrees() {
        Trial.Outcome o = new Differential().test("name: refused\n" + HEAD
                + "  - 'client: connect(c, 10.0.1.2:5001) = -1 ECONNREFUSED'\n");
        assertTrue(o.ok(), o.describe());
    }

    @Test
    void aScriptTheModelRefusesIsAScriptOutcome() {
        // ECN (net.ipv4.tcp_ecn) is namespaced, so the kernel side could run it; the model refuses it.
        Trial.Outcome o = new Differential().test("name: refused\nsysctl:\n  net.ipv4.tcp_ecn: 1\n" + HEAD);
        assertEquals("script", o.invariant(), o.describe());
        assertTrue(o.detail().contains("not modelled yet"), o.detail());
    }
}
