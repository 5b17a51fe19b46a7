"""Experiment 10: miscellaneous errno values of socket calls (TCP/IPv4, loopback).

Every call is printed as `call -> result` where result is the return value or the errno name.
SIGPIPE: set to SIG_DFL and blocked with pthread_sigmask; after each send we look at sigpending() and consume the
signal with sigtimedwait(0), so "SIGPIPE=yes" means the kernel generated SIGPIPE for that call.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

LINGER = lambda on, t: struct.pack("ii", on, t)
# raw libc calls: CPython's recv(0) returns b'' without a syscall, and its connect() wrapper is not a plain syscall
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
def _r(ret):
    return ret if ret >= 0 else ename(ctypes.get_errno())
def lrecv(s, n, flags=0):
    buf = ctypes.create_string_buffer(max(n, 1)); return _r(libc.recv(s.fileno(), buf, n, flags))
def lsend(s, data, flags=0):
    return _r(libc.send(s.fileno(), data, len(data), flags))
def lconnect(s, port, ip="127.0.0.1"):
    sa = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(port), socket.inet_aton(ip))
    return _r(libc.connect(s.fileno(), sa, len(sa)))
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPIPE})

def sigpipe():
    pend = signal.SIGPIPE in signal.sigpending()
    if pend: signal.sigtimedwait([signal.SIGPIPE], 0)
    return "SIGPIPE=yes" if pend else "SIGPIPE=no"

def ss_state(port):
    out = subprocess.run(["ss", "-tanH", "state", "all", f"( sport = :{port} or dport = :{port} )"],
                         capture_output=True, text=True).stdout.strip()
    return " | ".join(" ".join(l.split()) for l in out.splitlines())

def p(case, txt):
    print(f"[{case}] {txt}", flush=True)

def main():
    enter_netns()
    pcap = "/tmp/exp10.pcap"
    cap = Capture(pcap, "tcp")
    S = lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # accept
    s = S(); p("10.1", f"accept() on fresh socket -> {call(s.accept)}"); s.close()
    l1 = tcp_listener(46001)
    c = S(); rc = call(c.connect, ("127.0.0.1", 46001))       # genuinely blocking connect (no Python timeout)
    sv, _ = l1.accept(); l1.close()
    p("10.2", f"blocking connect -> {rc}")
    p("10.2", f"accept() on connected client -> {call(c.accept)}; on accepted socket -> {call(sv.accept)}")
    p("10.3", f"listen(5) on connected client -> {call(c.listen, 5)}; on accepted socket -> {call(sv.listen, 5)}")
    p("10.5", f"connect() again after blocking connect (raw libc connect) same addr -> {lconnect(c, 46001)}, again -> {lconnect(c, 46001)}; "
              f"other addr -> {lconnect(c, 46999)}; (Python c.connect same addr -> {call(c.connect, ('127.0.0.1', 46001))})")
    c.close(); sv.close()
    l = tcp_listener(46002)
    p("10.4", f"connect() on a listening socket (to itself) -> {call(l.connect, ('127.0.0.1', 46002))}; "
              f"to another port -> {call(l.connect, ('127.0.0.1', 46999))}; state after: {ss_state(46002)}")
    # non-blocking connect, completed
    for rep in range(3):
        c = S(); c.setblocking(False)
        r0 = c.connect_ex(("127.0.0.1", 46002)); time.sleep(0.05)
        r1 = lconnect(c, 46002); r2 = lconnect(c, 46002); r3 = lconnect(c, 46999)
        p("10.6", f"rep {rep}: non-blocking connect -> {ename(r0)}; after 50 ms (established) raw connect -> {r1}; "
                  f"again -> {r2}; other addr -> {r3}")
        c.close(); l.accept()[0].close()
    # non-blocking connect, completed, SO_ERROR read first
    c = S(); c.setblocking(False); r0 = c.connect_ex(("127.0.0.1", 46002)); time.sleep(0.05)
    e = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    r1 = lconnect(c, 46002)
    p("10.6b", f"non-blocking connect -> {ename(r0)}; SO_ERROR -> {e}; then connect -> {r1}")
    c.close(); l.accept()[0].close()
    c = S(); c.setblocking(False); r0 = lconnect(c, 46002); r1 = lconnect(c, 46002)
    p("10.6c", f"non-blocking raw connect -> {r0}; immediately again -> {r1}")
    c.close(); l.accept()[0].close()
    # bind
    s = S(); s.bind(("127.0.0.1", 46010))
    p("10.7", f"bind() twice: 2nd same addr -> {call(s.bind, ('127.0.0.1', 46010))}; 2nd other port -> {call(s.bind, ('127.0.0.1', 46011))}")
    s.close()
    for ra_l in (0, 1):
        for ra_n in (0, 1):
            port = 46020 + ra_l * 2 + ra_n
            ll = S(); ll.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, ra_l); ll.bind(("127.0.0.1", port)); ll.listen(4)
            n = S(); n.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, ra_n)
            r = call(n.bind, ("127.0.0.1", port))
            n2 = S(); n2.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, ra_n)
            r2 = call(n2.bind, ("0.0.0.0", port))
            p("10.8", f"listener on 127.0.0.1:{port} REUSEADDR={ra_l}; new socket REUSEADDR={ra_n}: bind 127.0.0.1 -> {r}; bind 0.0.0.0 -> {r2}")
            ll.close(); n.close(); n2.close()
    # bound but not listening, other socket binds same port
    for ra in (0, 1):
        a = S(); a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, ra); a.bind(("127.0.0.1", 46030 + ra))
        b = S(); b.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, ra)
        p("10.8b", f"first socket only bound (not listening), REUSEADDR={ra} on both: 2nd bind -> {call(b.bind, ('127.0.0.1', 46030 + ra))}; "
                   f"then 1st listen -> {call(a.listen, 4)}, 2nd listen -> {call(b.listen, 4)}")
        a.close(); b.close()
    # TIME_WAIT
    for ra in (0, 1):
        port = 46040 + ra
        ll = tcp_listener(port); c = socket.create_connection(("127.0.0.1", port)); sv, _ = ll.accept(); ll.close()
        sv.close(); time.sleep(0.05); c.close(); time.sleep(0.05)
        st = ss_state(port)
        n = S(); n.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, ra)
        r = call(n.bind, ("127.0.0.1", port)); rl = call(n.listen, 4) if r is None else "-"
        n2 = S(); n2.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, ra)
        r2 = call(n2.bind, ("0.0.0.0", port + 10))
        p("10.9", f"port {port} held only by TIME_WAIT ({st}); new socket REUSEADDR={ra}: bind 127.0.0.1:{port} -> {r}, listen -> {rl}")
        n.close(); n2.close()
    for ra in (0, 1):
        port = 46044 + ra
        ll = S(); ll.bind(("127.0.0.1", port)); ll.listen(4)
        c = socket.create_connection(("127.0.0.1", port)); sv, _ = ll.accept(); ll.close()
        sv.close(); time.sleep(0.05); c.close(); time.sleep(0.05)
        st = ss_state(port)
        n = S(); n.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, ra)
        r = call(n.bind, ("127.0.0.1", port))
        p("10.9c", f"port {port} held only by TIME_WAIT of a listener WITHOUT SO_REUSEADDR ({st}); new socket REUSEADDR={ra}: bind -> {r}")
        n.close()
    # the TIME_WAIT is on the client side: bind to the client's ephemeral port
    for ra in (0, 1):
        port = 46050 + ra
        ll = tcp_listener(port); c = socket.create_connection(("127.0.0.1", port)); cport = c.getsockname()[1]
        sv, _ = ll.accept(); c.close(); time.sleep(0.05); sv.close(); time.sleep(0.05); ll.close()
        st = ss_state(port)
        n = S(); n.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, ra)
        r = call(n.bind, ("127.0.0.1", cport))
        rc = call(n.connect, ("127.0.0.1", port)) if r is None else "-"
        p("10.9b", f"client port {cport} in TIME_WAIT ({st}); new socket REUSEADDR={ra}: bind -> {r}; connect to the same peer (port closed) -> {rc}")
        n.close()
    # send / recv on fresh & listener
    s = S()
    r = call(s.send, b"x"); sp = sigpipe()
    r2 = call(s.send, b"x", socket.MSG_NOSIGNAL); sp2 = sigpipe()
    r3 = call(s.send, b""); sp3 = sigpipe()
    p("10.10", f"send(b'x') on fresh socket -> {r} {sp}; with MSG_NOSIGNAL -> {r2} {sp2}; send(b'') -> {r3} {sp3}")
    s.setblocking(False)
    r4 = call(s.send, b"x"); sp4 = sigpipe()
    p("10.10b", f"non-blocking fresh socket send -> {r4} {sp4}")
    s.setblocking(True)
    p("10.11", f"recv(10) on fresh socket -> {call(s.recv, 10)}; raw recv(0) -> {lrecv(s, 0)}; raw send(0 B) -> {lsend(s, b'')} {sigpipe()}")
    l2 = tcp_listener(46060)
    r = call(l2.send, b"x"); sp = sigpipe()
    p("10.12", f"recv(10) on listener -> {call(l2.recv, 10)}; send on listener -> {r} {sp}")
    p("10.13", f"shutdown(SHUT_RDWR) on fresh socket -> {call(s.shutdown, socket.SHUT_RDWR)}; SHUT_WR -> {call(S().shutdown, socket.SHUT_WR)}; "
               f"SHUT_RD -> {call(S().shutdown, socket.SHUT_RD)}")
    p("10.14", f"shutdown(SHUT_WR) on listener -> {call(l2.shutdown, socket.SHUT_WR)}; still listening: {ss_state(46060)}")
    c = socket.create_connection(("127.0.0.1", 46060)); time.sleep(0.02)
    p("10.14", f"  connect after that -> ok, accept -> {type(call(l2.accept)).__name__}")
    c.close()
    l3 = tcp_listener(46061)
    p("10.15", f"shutdown(SHUT_RD) on listener -> {call(l3.shutdown, socket.SHUT_RD)}; state: '{ss_state(46061)}'; "
               f"accept -> {call(l3.accept)}")
    c = S(); r = call(c.connect, ("127.0.0.1", 46061))
    p("10.15", f"  client connect after listener SHUT_RD -> {r}; listen() again -> {call(l3.listen, 4)}, state '{ss_state(46061)}'")
    l4 = tcp_listener(46062)
    p("10.15b", f"shutdown(SHUT_RDWR) on listener -> {call(l4.shutdown, socket.SHUT_RDWR)}; accept -> {call(l4.accept)}; "
                f"2nd shutdown -> {call(l4.shutdown, socket.SHUT_RDWR)}")
    s = S()
    p("10.16", f"SO_ERROR on fresh socket -> {s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)}; "
               f"SO_LINGER default -> {struct.unpack('ii', s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))}")
    fd = s.detach()
    p("10.17", f"close(fd) -> {call(os.close, fd)}; close(fd) again -> {call(os.close, fd)}")
    # zero-length send/recv on an established socket
    c, sv = pair(46070); time.sleep(0.05)
    t0 = time.perf_counter(); r = call(c.send, b""); sp = sigpipe()
    sv.setblocking(False)
    r2 = lrecv(sv, 0)
    sv.setblocking(True); sv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 300000))
    t1 = time.perf_counter(); r3 = lrecv(sv, 0); dt = (time.perf_counter() - t1) * 1000
    rr = lsend(c, b""); sp = sp + "; raw send(0 B) -> " + str(rr) + " " + sigpipe()
    threading.Timer(0.1, lambda: c.send(b"ab")).start()
    sv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 0))
    t1 = time.perf_counter(); r3b = lrecv(sv, 0); dt2 = (time.perf_counter() - t1) * 1000
    sp += f"; blocking recv(0), no timeout, 2 B sent by peer 100 ms later -> {r3b} after {dt2:.1f} ms, then recv(10) -> {call(sv.recv, 10)!r}"
    c.send(b"abc"); time.sleep(0.05)
    r4 = lrecv(sv, 0); r5 = call(sv.recv, 10)
    p("10.18", f"established: send(b'') -> {r} {sp}; peer recv(0) non-blocking, nothing queued -> {r2}; "
               f"blocking recv(0) (SO_RCVTIMEO 300 ms) -> {r3} after {dt:.1f} ms; with 3 B queued recv(0) -> {r4!r}, then recv(10) -> {r5!r}")
    sv.setblocking(False); r6 = call(sv.recv, 10)
    p("10.18", f"  non-blocking recv(10) nothing queued -> {r6}")
    c.shutdown(socket.SHUT_WR); time.sleep(0.05)
    p("10.18", f"  after peer FIN: raw recv(0) -> {lrecv(sv, 0)}, recv(10) -> {call(sv.recv, 10)}")
    c.close(); sv.close()
    # fcntl
    import fcntl
    s = S(); fl = fcntl.fcntl(s.fileno(), fcntl.F_GETFL); s.setblocking(False); fl2 = fcntl.fcntl(s.fileno(), fcntl.F_GETFL)
    rd, wr = os.pipe()
    rd2, wr2 = os.pipe2(os.O_NONBLOCK)
    a, b = socket.socketpair()
    p("10.19", f"F_GETFL: TCP socket {fl:#x} ({oct(fl)}), after setblocking(False) {fl2:#x}; pipe read end {fcntl.fcntl(rd, fcntl.F_GETFL):#x}, "
               f"write end {fcntl.fcntl(wr, fcntl.F_GETFL):#x}; pipe2(O_NONBLOCK) read {fcntl.fcntl(rd2, fcntl.F_GETFL):#x} write {fcntl.fcntl(wr2, fcntl.F_GETFL):#x}; "
               f"socketpair {fcntl.fcntl(a.fileno(), fcntl.F_GETFL):#x}; accepted TCP socket: see next")
    c, sv = pair(46080)
    p("10.19", f"F_GETFL connected client {fcntl.fcntl(c.fileno(), fcntl.F_GETFL):#x}, accepted {fcntl.fcntl(sv.fileno(), fcntl.F_GETFL):#x}, "
               f"listener {fcntl.fcntl(l2.fileno(), fcntl.F_GETFL):#x}; O_RDWR={os.O_RDWR:#x} O_NONBLOCK={os.O_NONBLOCK:#x}")
    time.sleep(0.2)
    print("tcpdump stats:", cap.stop().replace("\n", "; "))
    for port in (46001, 46002, 46060, 46061, 46062, 46070):
        print(f"\n=== port {port} ===")
        print("\n".join(l[:200] for l in tcpdump_read(pcap, "-ttttt", "port", str(port)).splitlines()))

main()
