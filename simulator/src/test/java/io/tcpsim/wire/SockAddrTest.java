package io.tcpsim.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Addresses as scripts write them, and as tcpdump, netstat and inet_ntop print them. */
class SockAddrTest {
    private static String v6(String text) {
        return SockAddr.Ip6.parse(text).toString();
    }

    @Test
    void ipv6PrintsAsInetNtopPrintsIt() {
        assertEquals("::1", v6("::1"));
        assertEquals("::", v6("::"));
        assertEquals("::", v6("0:0:0:0:0:0:0:0"));
        assertEquals("2001:db8::1", v6("2001:0db8:0000:0000:0000:0000:0000:0001"));
        assertEquals("2001:db8::1:0:0:1", v6("2001:db8:0:0:1:0:0:1")); // the first of two equal runs
        assertEquals("2001:0:0:1::1", v6("2001:0:0:1:0:0:0:1"));   // the longest run
        assertEquals("2001:db8:0:1:1:1:1:1", v6("2001:db8:0:1:1:1:1:1")); // one zero word stays
        assertEquals("fe80::", v6("fe80::"));
        assertEquals("1::", v6("1:0:0:0:0:0:0:0"));
        assertEquals("::ffff:127.0.0.1", v6("::ffff:127.0.0.1"));
        assertEquals("::ffff:127.0.0.1", v6("::ffff:7f00:1"));
        assertEquals("::1.2.3.4", v6("::1.2.3.4"));
    }

    @Test
    void scriptAddressesParse() {
        SockAddr a = SockAddr.parse("[::1]:4321");
        assertEquals(SockAddr.loopback6(4321), a);
        assertTrue(a.isV6() && a.isLoopback() && !a.isAny());
        assertEquals("[::1]:4321", a.toString());
        assertEquals("::1.4321", a.tcpdumpString());
        assertEquals("::1:4321", a.netstatString());
        assertTrue(SockAddr.parse("[::]:80").isAny());
        assertEquals(0, SockAddr.parse("[::]:80").ip());
        assertTrue(SockAddr.parse("[::ffff:127.0.0.1]:80").ip6().isV4Mapped());
        assertNull(SockAddr.parse("[::1]"));
        assertNull(SockAddr.parse("::1:80"));
        assertNull(SockAddr.parse("[::1::2]:80"));
        assertNull(SockAddr.parse("[1:2:3:4:5:6:7:8:9]:80"));
        assertNull(SockAddr.parse("[12345::]:80"));
        assertNull(SockAddr.parse("[:1]:80"));
        assertNull(SockAddr.parse("[1:]:80"));
        assertNull(SockAddr.parse("[::g]:80"));
    }

    @Test
    void theFamiliesStayApart() {
        SockAddr v4 = new SockAddr(1, 80), v6 = SockAddr.loopback6(80);
        assertEquals(1, v6.ip());
        assertNotEquals(v4, v6);
        assertFalse(v4.sameIp(v6));
        assertEquals("127.0.0.1:4321", SockAddr.loopback(4321).toString());
        assertFalse(SockAddr.loopback(1).isV6());
    }

    @Test
    void bytesRoundTrip() {
        SockAddr.Ip6 a = SockAddr.Ip6.parse("2001:db8:1234:5678:9abc:def0:1:2");
        assertEquals(a, SockAddr.Ip6.of(a.bytes(), 0));
        assertEquals(0x2001, a.word(0));
        assertEquals(0x2, a.word(7));
    }
}
