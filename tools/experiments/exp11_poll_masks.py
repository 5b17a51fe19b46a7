"""Experiment 11: poll() masks (all bits requested, timeout 0) in further states, with recv/send/SO_ERROR results.

 11a listener without / with a pending connection
 11b fresh socket
 11c SYN_SENT: (i) SYN black-holed into a veth, (ii) SYN dropped by a full accept queue
 11d shutdown(SHUT_RD) with 5 B still queued
 11e "linger-zero-unread-data": C sends "hello", then SO_LINGER{1,0} close(); S had not read -> poll/recv sequence
 11f the same, S reads in 2-byte pieces
 11g C shutdown(SHUT_WR), S recv -> 0, S close(): C is left with an fd in CLOSE while a TIME_WAIT minisock exists
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

LINGER = lambda on, t: struct.pack("ii", on, t)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPIPE})
def sigpipe():
    pend = signal.SIGPIPE in signal.sigpending()
    if pend: signal.sigtimedwait([signal.SIGPIPE], 0)
    return "SIGPIPE=yes" if pend else "SIGPIPE=no"
def rawmask(fd):
    p = select.poll(); p.register(fd, 0xffff & ~select.POLLNVAL); r = p.poll(0)
    return f"{(r[0][1] if r else 0):#06x}"
def pm(s):
    return f"{rawmask(s)} {pollmask(s)}"
def ss_state(port):
    out = subprocess.run(["ss", "-tanH", "state", "all", f"( sport = :{port} or dport = :{port} )"],
                         capture_output=True, text=True).stdout.strip()
    return " | ".join(" ".join(l.split()) for l in out.splitlines())
def p(case, txt): print(f"[{case}] {txt}", flush=True)
def soerr(s):
    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)   # read once: reading consumes it
    return ename(e) if e else 0

def main():
    enter_netns()
    subprocess.run("ip link add d0 type veth peer name d1 && ip addr add 10.9.0.1/24 dev d0 && "
                   "ip link set d1 up && ip link set d0 up && "
                   "ip neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev d0", shell=True, check=True)
    time.sleep(0.2)
    pcap = "/tmp/exp11.pcap"
    cap = Capture(pcap, "tcp")
    l = tcp_listener(46201, 8)
    p("11a", f"listener, nothing pending: {pm(l)}")
    c = socket.create_connection(("127.0.0.1", 46201)); time.sleep(0.02)
    p("11a", f"listener, 1 pending: {pm(l)}")
    a, _ = l.accept()
    p("11a", f"listener after accept: {pm(l)}")
    s = socket.socket()
    p("11b", f"fresh socket: {pm(s)}; SO_ERROR {soerr(s)}")
    s.bind(("127.0.0.1", 0)); p("11b", f"fresh socket after bind: {pm(s)}")
    s.close()
    x = socket.socket(); x.setblocking(False); r = ename(x.connect_ex(("10.9.0.2", 46202))); time.sleep(0.05)
    p("11c", f"SYN_SENT (veth black hole): connect -> {r}; poll {pm(x)}; SO_ERROR {soerr(x)}; recv -> {call(x.recv, 10)}; "
             f"send -> {call(x.send, b'x')}; state {ss_state(46202)}")
    x.close()
    lf = tcp_listener(46203, 0)
    f1 = socket.create_connection(("127.0.0.1", 46203)); time.sleep(0.02)
    f2 = socket.socket(); f2.setblocking(False); r = ename(f2.connect_ex(("127.0.0.1", 46203))); time.sleep(0.05)
    p("11c", f"SYN_SENT (full accept queue): connect -> {r}; poll {pm(f2)}; SO_ERROR {soerr(f2)}; state {ss_state(46203)}")
    f2.close(); f1.close(); lf.close()
    # 11d
    c, sv = pair(46204); c.send(b"hello"); time.sleep(0.02)
    sv.shutdown(socket.SHUT_RD)
    seq = [f"after SHUT_RD with 5 B queued: {pm(sv)}"]
    seq.append(f"recv(10) -> {call(sv.recv, 10)!r}; poll {pm(sv)}")
    seq.append(f"recv(10) -> {call(sv.recv, 10)!r}; poll {pm(sv)}")
    p("11d", "; ".join(seq))
    c.close(); sv.close()
    # 11e / 11f
    for case, port, chunk in (("11e", 46205, 100), ("11f", 46206, 2)):
        c, sv = pair(port); c.send(b"hello"); time.sleep(0.02)
        p(case, f"S before: {pm(sv)}; state {ss_state(port)}")
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); c.close(); time.sleep(0.02)
        p(case, f"after C's linger-0 close: S poll {pm(sv)}; state '{ss_state(port)}'")
        steps = []
        for i in range(6):
            r = call(sv.recv, chunk); steps.append(f"recv({chunk}) -> {r!r}; poll {pm(sv)}")
        p(case, "S: " + " || ".join(steps))
        r = call(sv.send, b"x"); sp = sigpipe()
        p(case, f"S then: send -> {r} {sp}; SO_ERROR {soerr(sv)}; shutdown -> {call(sv.shutdown, socket.SHUT_RDWR)}; getpeername -> {call(sv.getpeername)}")
        sv.close()
    # 11e': SO_ERROR read first, then recv
    c, sv = pair(46207); c.send(b"hello"); time.sleep(0.02)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); c.close(); time.sleep(0.02)
    e = soerr(sv)
    p("11e'", f"SO_ERROR first -> {e}; poll {pm(sv)}; recv(100) -> {call(sv.recv, 100)!r}; recv -> {call(sv.recv, 100)!r}; poll {pm(sv)}")
    sv.close()
    # 11e'': send first after the RST
    c, sv = pair(46208); c.send(b"hello"); time.sleep(0.02)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); c.close(); time.sleep(0.02)
    r = call(sv.send, b"x"); sp = sigpipe()
    p("11e''", f"send first -> {r} {sp}; poll {pm(sv)}; recv(100) -> {call(sv.recv, 100)!r}; recv -> {call(sv.recv, 100)!r}; poll {pm(sv)}")
    sv.close()
    # 11g
    c, sv = pair(46209)
    c.shutdown(socket.SHUT_WR); time.sleep(0.02)
    p("11g", f"C after SHUT_WR (FIN_WAIT2): poll {pm(c)}; S: poll {pm(sv)}, recv -> {call(sv.recv, 10)!r}")
    sv.close(); time.sleep(0.05)
    p("11g", f"state: {ss_state(46209)}")
    pl = pm(c)
    r1 = call(c.recv, 10); r2 = call(c.recv, 10); e = soerr(c)
    r3 = call(c.send, b"x"); sp = sigpipe()
    r4 = call(c.send, b"x", socket.MSG_NOSIGNAL); sp4 = sigpipe()
    p("11g", f"C fd (TIME_WAIT minisock): poll {pl}; recv -> {r1!r}, {r2!r}; SO_ERROR {e}; send -> {r3} {sp}; "
             f"send MSG_NOSIGNAL -> {r4} {sp4}; SO_ERROR {soerr(c)}; poll {pm(c)}; getpeername -> {call(c.getpeername)}; "
             f"getsockname -> {call(c.getsockname)}; shutdown -> {call(c.shutdown, socket.SHUT_RDWR)}; connect again -> {ename(c.connect_ex(('127.0.0.1', 46209)))}")
    c.close()
    time.sleep(0.2)
    print("tcpdump stats:", cap.stop().replace("\n", "; "))
    for port in (46204, 46205, 46206, 46207, 46208, 46209):
        print(f"\n=== port {port} (-ttttt) ===")
        print("\n".join(l[:220] for l in tcpdump_read(pcap, "-ttttt", "port", str(port)).splitlines()))

main()
