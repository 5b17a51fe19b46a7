package io.tcpsim.packetdrill;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-written .pkt snippets, one per construct and one per refusal. The simulator's tests assert what the reader
 * makes of each; traces' PacketdrillAgreesWithTheReaderTest gives each to the real packetdrill ({@code --dry_run}) and
 * asserts that it accepts the accepted ones and refuses each refused one at the same line. All are read with
 * {@link #ARGS}, run_all.py's IPv4 arguments.
 */
public final class PktSnippets {
    private PktSnippets() {}

    /** gtests/net/packetdrill/run_all.py's IPv4 variant (read, not copied: the arguments it passes). */
    public static final List<String> ARGS = List.of("--send_omit_free", "--ip_version=ipv4", "--local_ip=192.168.0.1",
            "--gateway_ip=192.168.0.1", "--netmask_ip=255.255.0.0", "--remote_ip=192.0.2.1",
            "-D", "TFO_COOKIE=3021b9d889017eeb", "-D", "CODE=host_unreachable", "-D", "CMSG_LEVEL_IP=SOL_IP",
            "-D", "CMSG_TYPE_RECVERR=IP_RECVERR");

    /** A refused snippet and the reader's one line about it. */
    public record Refused(String text, String message) {
        /** The line the message names. */
        public int line() {
            String rest = message.substring(message.indexOf(':') + 1);
            return Integer.parseInt(rest.substring(0, rest.indexOf(':')));
        }
    }

    /** Snippets the reader (and packetdrill) accept, by name. */
    public static final Map<String, String> ACCEPTED = new LinkedHashMap<>();

    /** Snippets the reader refuses, by name, with the message. */
    public static final Map<String, Refused> REFUSED = new LinkedHashMap<>();

    private static void ok(String name, String text) {
        ACCEPTED.put(name, text);
    }

    private static void no(String name, String text, String message) {
        REFUSED.put(name, new Refused(text, message));
    }

    static {
        ok("options", """
                --tolerance_usecs=10000
                --mss=1000
                --ip_version=ipv4
                --local_ip=192.168.0.2
                --remote_ip=10.248.0.3
                --strict_segments // a flag
                --define=PROTO=IPPROTO_TCP
                --define=PAYLOAD="hello"
                0 socket(..., SOCK_STREAM, PROTO) = 3
                +0 write(3, PAYLOAD, 5) = 5
                """);
        ok("times", """
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                0.1 close(3) = 0
                +0.25 close(3) = 0
                +.1 close(3) = 0
                * > . 1:1(0) ack 1
                0.5~0.6 > . 1:1(0) ack 1
                +.004~+.008 > P. 1:401(400) ack 1
                +0...0.200 accept(3, ..., ...) = 4
                1 close(3) = 0
                """);
        ok("calls", """
                0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
                +0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
                +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0 poll([{fd=3, events=POLLIN|POLLOUT, revents=POLLOUT}, {fd=4, events=POLLIN}], 2, 0) = 1
                +0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT|EPOLLET, fd=4}) = 0
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                +0 write(4, "hello" "world", 10) = 10
                +0 read(4, "abc"..., 1000) = 3
                +0 ioctl(4, 0x541b, [1000]) = 0
                +0 bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.168.0.1")}, 16) = 0
                +0 getsockopt(4, SOL_TCP, TCP_INFO, {tcpi_state=TCP_ESTABLISHED, tcpi_rto=200000}, [...]) = 0 (ok)
                +0 accept(3, ..., ...) = -1 EAGAIN (Resource temporarily unavailable)
                +0 shutdown(4, SHUT_WR) = 0
                +0 getpid() = ...
                """);
        ok("messages", """
                0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}, MSG_ZEROCOPY) = 1000
                +0 recvmsg(4, {msg_name(...)=...,
                               msg_iov(1)=[{...,0}],
                               msg_flags=MSG_ERRQUEUE,
                               msg_control=[
                                 {cmsg_level=CMSG_LEVEL_IP,
                                  cmsg_type=CMSG_TYPE_RECVERR,
                                  cmsg_data={ee_errno=0,
                                             ee_origin=SO_EE_ORIGIN_ZEROCOPY,
                                             ee_type=0,
                                             ee_code=SO_EE_CODE_ZEROCOPY_COPIED,
                                             ee_info=4,
                                             ee_data=4}}
                               ]}, MSG_ERRQUEUE) = 0
                +0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 10}], msg_flags=0,
                               msg_control=[{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING,
                                             cmsg_data={scm_sec=0, scm_nsec=0}}]}, 0) = 10
                """);
        ok("packets", """
                --psp_udp_port=1000
                0 > S 0:0(0) <...>
                +0 < S. 0:0(0) ack 1 win 32000 <mss 1460,nop,wscale 7>
                +0 > . 1:1(0) ack 1 <nop,nop,TS val 100 ecr 200>
                +0 < P. 1:1001(1000) ack 1 win 257 <nop,nop,sack 1001:2001 3001:4001>
                +0 < F. 1001:1001(0) ack 1 win 257 urg 5
                +0 < R 1:1(0) win 0
                +0 < - 1:1(0) win 100
                +0 > SEW 0:0(0) <...>
                +0 > S.5 0:0(0) ack 1 <...>
                +0 < [ect0] P. 1:11(10) ack 1 win 100
                +0 < (tos 0x10) . 1:1(0) ack 1 win 100
                +0 > [ect01] . 1:1(0) ack 1
                +0 < [ce, flowlabel 0x12345] . 1:1(0) ack 1 win 100
                +0 < encap psp spi 7 . 1:1(0) ack 1 win 50000
                +0 < 8080 > 9090 S 0:0(0) win 100
                +0 < ipv4 192.0.2.2 > 192.168.0.1: . 1:1(0) ack 1 win 100
                """);
        ok("tcp options", """
                0 < S 0:0(0) win 1000 <mss 1460,FO TFO_COOKIE,nop,nop>
                +0 < S 0:0(0) win 1000 <mss 1460,FO,nop,nop>
                +0 < S 0:0(0) win 1000 <mss 1460,FOEXP 3021b9d889017eeb>
                +0 < S 0:0(0) win 1000 <md5 000102030405060708090a0b0c0d0e0f,nop,nop>
                +0 < S 0:0(0) win 1000 <ECN e1b 1 ceb 0 e0b 1,nop>
                +0 < S 0:0(0) win 1000 <eol,eol,eol,eol>
                """);
        ok("udp and icmp", """
                0 < udp (100)
                +0 < udp 53 > 4000 (100)
                +0 < icmp unreachable frag_needed mtu 800 [0:1000(1000)]
                +0 < icmp unreachable CODE
                +0 < icmp echo_reply id 7 [udp (20)]
                """);
        ok("commands and code", """
                `../common/defaults.sh
                sysctl -q net.ipv4.tcp_sack=0`
                /* a C comment
                   over lines */
                0 `sysctl -q net.ipv4.tcp_timestamps=0`
                +0 %{ assert tcpi_rto == 200000, tcpi_rto }%
                +0 %{
                print(tcpi_snd_cwnd)
                }%
                `echo done`
                """);

        no("errno without note", "0 connect(3, ..., ...) = -1 EINPROGRESS\n",
                "t.pkt:2:1: expected the description of EINPROGRESS in parentheses, e.g. (Operation now in progress), found end of file");
        no("no result", "0 close(3)\n+0 close(4) = 0\n",
                "t.pkt:2:1: expected '=' and the result close returns, found '+'");
        no("bad flag", "0 > SX 0:0(0) <...>\n",
                "t.pkt:1:5: invalid TCP flag 'X' (expected F, S, R, P, ., U, E, W, A or an ACE digit 0-7)");
        no("ace and ecn", "0 > E.1 0:0(0) <...>\n",
                "t.pkt:1:5: conflicting TCP flag '1' (one ACE digit, without E, W or A)");
        no("sequence does not add up", "0 < . 1:10(10) ack 1 win 100\n",
                "t.pkt:1:7: inconsistent TCP sequence numbers and payload size: 1 + 10 is 11, not 10");
        no("sequence out of range", "0 < . 4294967296:4294967296(0) ack 1 win 100\n",
                "t.pkt:1:7: TCP start sequence number out of range (4294967296)");
        no("window out of range", "0 < . 1:1(0) ack 1 win 70000\n",
                "t.pkt:1:24: TCP window value out of range (70000)");
        no("inbound without window", "0 < . 1:1(0) ack 1\n",
                "t.pkt:1:3: window must be specified for inbound packets");
        no("inbound any options", "0 < S 0:0(0) win 100 <...>\n",
                "t.pkt:1:22: <...> for TCP options can only be used with outbound packets");
        no("star on a call", "* close(3) = 0\n",
                "t.pkt:1:1: event time * can only be used with outbound packets");
        no("range on an inbound packet", "0~1 < . 1:1(0) ack 1 win 100\n",
                "t.pkt:1:1: an event time range can only be used with outbound packets");
        no("backwards range", "0.2~0.1 > . 1:1(0) ack 1\n",
                "t.pkt:1:1: time range is backwards");
        no("relative range needs plus", "+.1~.2 > . 1:1(0) ack 1\n",
                "t.pkt:1:5: expected '+' (a range after a relative time is relative too: +0.1~+0.2), found '.2'");
        no("negative time", "-1 close(3) = 0\n",
                "t.pkt:1:1: negative time");
        no("unknown option", "--speedy=1\n0 close(3) = 0\n",
                "t.pkt:1:1: unknown option --speedy");
        no("option needs a value", "--mss\n0 close(3) = 0\n",
                "t.pkt:1:1: --mss needs a value");
        no("option takes no value", "--strict_segments=1\n0 close(3) = 0\n",
                "t.pkt:1:1: --strict_segments takes no value");
        no("bad ip version", "--ip_version=ipv5\n0 close(3) = 0\n",
                "t.pkt:1:1: expected ipv4, ipv4-mapped-ipv6 or ipv6 for --ip_version, found 'ipv5'");
        no("bad mss", "--mss=0\n0 close(3) = 0\n",
                "t.pkt:1:1: expected a positive number of bytes for --mss, found 0");
        no("option after an event", "0 close(3) = 0\n--mss=1000\n",
                "t.pkt:2:1: options (--mss) must come before the first event");
        no("unpadded options", "0 < S 0:0(0) win 100 <wscale 7>\n",
                "t.pkt:1:22: TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: 3 excess bytes");
        no("options too long", "0 < S 0:0(0) win 100 <sack 1:2 3:4 5:6 7:8 9:10,nop,nop>\n",
                "t.pkt:1:23: TCP option list too long (more than 40 bytes)");
        no("odd cookie", "0 < S 0:0(0) win 100 <FO 123,nop,nop>\n",
                "t.pkt:1:26: TCP fast open cookie has an odd number of digits");
        no("bad cookie", "0 < S 0:0(0) win 100 <FO abcdefgh,nop,nop>\n",
                "t.pkt:1:26: TCP fast open cookie 'abcdefgh' is not a valid hex string");
        no("unknown tcp option", "0 < S 0:0(0) win 100 <mss 1460,timestamp>\n",
                "t.pkt:1:32: expected a TCP option (mss N, wscale N, sackOK, sack L:R, TS val N ecr N, nop, eol, md5 HEX, FO [HEX], FOEXP [HEX], ECN ...), found 'timestamp'");
        no("ect01 inbound", "0 < [ect01] . 1:1(0) ack 1 win 100\n",
                "t.pkt:1:6: [ect01] can only be used with outbound packets");
        no("ecn on udp", "0 < [ect0] udp (10)\n",
                "t.pkt:1:3: ECN can only be used with TCP packets");
        no("tos out of range", "0 < (tos 0x100) . 1:1(0) ack 1 win 100\n",
                "t.pkt:1:10: tos out of range for 8 bits");
        no("command without a time inside", "0 close(3) = 0\n`echo hi`\n+0 close(4) = 0\n",
                "t.pkt:3:1: expected end of file after the last `command` (only the first and the last may go without a time), found '+'");
        no("no events", "// nothing but a comment\n",
                "t.pkt:2:1: expected an event: a time (0, +0.1, 0.1~0.2 or *) and what happens then, found end of file");
        no("not an event", "0 close(3) = 0\n> S 0:0(0) <...>\n",
                "t.pkt:2:1: expected a time (0, +0.1, 0.1~0.2 or *) to start an event, found '>'");
        no("a word after a result", "0 close(3) = 0\nclose(4) = 0\n",
                "t.pkt:2:7: expected a word of the note, found '4'");
        no("psp without its port", "0 < encap psp spi 7 . 1:1(0) ack 1 win 50000\n",
                "t.pkt:1:3: attempting to use PSP without specifying its UDP port (--psp_udp_port)");
        no("nothing after the time", "0 = 3\n",
                "t.pkt:1:3: expected a packet (< or >), a system call, a `command` or a %{ code }% block, found '='");
        no("keyword as an argument", "0 setsockopt(3, SOL_SOCKET, SO_LINGER, {linger=0, onoff=1}, 8) = 0\n",
                "t.pkt:1:41: expected an expression (a number, a word, a \"string\", [...], {...} or ...), found 'linger'");
        no("iovec with more", "0 writev(4, [{..., 10, 20}], 1) = 10\n",
                "t.pkt:1:22: expected '}', found ','");
        no("bad family", "0 bind(3, {sa_family=AF_UNIX, sin_port=htons(8080), sin_addr=inet_addr(\"1.2.3.4\")}, 16) = 0\n",
                "t.pkt:1:22: expected AF_INET or AF_INET6, found 'AF_UNIX'");
        no("bad address", "0 bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"1.2.3\")}, 16) = 0\n",
                "t.pkt:1:72: expected an IPv4 address, found '\"1.2.3\"'");
        no("unterminated string", "0 write(4, \"abc, 3) = 3\n",
                "t.pkt:1:12: expected an expression (a number, a word, a \"string\", [...], {...} or ...), found '\"'");
        no("number too large", "0 close(99999999999999999999) = 0\n",
                "t.pkt:1:9: number 99999999999999999999 does not fit in 64 bits");
        no("carriage return", "0 close(3) = 0\r\n",
                "t.pkt:1:15: expected a time (0, +0.1, 0.1~0.2 or *) to start an event, found '\\r'");
        no("gre", "0 < gre: . 1:1(0) ack 1 win 100\n",
                "t.pkt:1:5: GRE encapsulation is not supported by tcpsim's .pkt reader yet");
        no("mpls stack", "0 setsockopt(3, SOL_IP, IP_OPTIONS, {(label 1, tc 0, [S], ttl 64)}, 4) = 0\n",
                "t.pkt:1:37: an MPLS label stack {(label N, tc N, ttl N)} is not supported by tcpsim's .pkt reader yet");
    }
}
