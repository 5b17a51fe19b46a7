"""Experiment 7: epoll (select.epoll) level- vs edge-triggered behaviour on TCP sockets.

epoll_wait is always called with maxevents 16; "wait(t)" = epoll.poll(timeout=t s); results are lists of
(fd-role, events hex, names). 7a listener LT/ET with 2 pending; 7b ET on a connected socket; 7c EPOLLRDHUP after FIN;
7d events after RST (LT and ET); 7e EPOLLOUT-only ET registration.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

LINGER = lambda on, t: struct.pack("ii", on, t)
EP = [(select.EPOLLIN, "EPOLLIN"), (select.EPOLLPRI, "EPOLLPRI"), (select.EPOLLOUT, "EPOLLOUT"), (select.EPOLLERR, "EPOLLERR"),
      (select.EPOLLHUP, "EPOLLHUP"), (select.EPOLLRDNORM, "EPOLLRDNORM"), (select.EPOLLRDBAND, "EPOLLRDBAND"),
      (select.EPOLLWRNORM, "EPOLLWRNORM"), (select.EPOLLWRBAND, "EPOLLWRBAND"), (select.EPOLLRDHUP, "EPOLLRDHUP")]
ALL = select.EPOLLIN | select.EPOLLPRI | select.EPOLLOUT | select.EPOLLRDHUP    # (ERR and HUP are always reported)
def names(m): return f"{m:#x} " + ("|".join(n for b, n in EP if m & b) or "0")
def wait(ep, t=0):
    t0 = time.perf_counter(); r = ep.poll(t, 16); dt = (time.perf_counter() - t0) * 1000
    return ("[" + ", ".join(names(e) for fd, e in r) + "]") + (f" after {dt:.0f} ms" if t else "")
def p(case, txt): print(f"[{case}] {txt}", flush=True)

def main():
    enter_netns()
    pcap = "/tmp/exp7.pcap"
    cap = Capture(pcap, "tcp")
    # 7a
    for mode, port in (("LT", 46301), ("ET", 46302)):
        l = tcp_listener(port, 8); ep = select.epoll()
        ep.register(l.fileno(), select.EPOLLIN | (select.EPOLLET if mode == "ET" else 0))
        s = [f"registered, nothing pending: wait(0) -> {wait(ep)}"]
        cs = [socket.create_connection(("127.0.0.1", port)) for i in range(2)]; time.sleep(0.02)
        s.append(f"2 connections arrived: wait(0) -> {wait(ep)}"); s.append(f"wait(0) again -> {wait(ep)}")
        a1 = l.accept()[0]
        s.append(f"accepted 1: wait(0.1) -> {wait(ep, 0.1)}")
        a2 = l.accept()[0]
        s.append(f"accepted 2: wait(0.1) -> {wait(ep, 0.1)}")
        cs.append(socket.create_connection(("127.0.0.1", port))); time.sleep(0.02)
        s.append(f"3rd connection: wait(0) -> {wait(ep)}, again -> {wait(ep)}")
        p("7a " + mode, " || ".join(s))
        ep.close(); l.close()
    # ET listener registered while 2 connections are already pending
    l = tcp_listener(46303, 8); cs = [socket.create_connection(("127.0.0.1", 46303)) for i in range(2)]; time.sleep(0.02)
    ep = select.epoll(); ep.register(l.fileno(), select.EPOLLIN | select.EPOLLET)
    p("7a ET-late", f"registered with 2 already pending: wait(0) -> {wait(ep)}, again -> {wait(ep)}")
    ep.close(); l.close()
    # 7b ET on a connected socket
    c, s = pair(46304)
    ep = select.epoll(); ep.register(s.fileno(), ALL | select.EPOLLET)
    out = [f"registered (idle ESTABLISHED): wait(0) -> {wait(ep)}, again -> {wait(ep)}"]
    c.send(b"a"); time.sleep(0.02); c.send(b"b"); time.sleep(0.02)
    out.append(f"2 arrivals, unread: wait(0) -> {wait(ep)}, again -> {wait(ep)}")
    c.send(b"c"); time.sleep(0.02)
    out.append(f"3rd arrival (still 2 B unread): wait(0) -> {wait(ep)}")
    out.append(f"recv -> {s.recv(10)!r}; wait(0) -> {wait(ep)}")
    p("7b ET", " || ".join(out))
    ep.close()
    ep = select.epoll(); ep.register(s.fileno(), select.EPOLLIN | select.EPOLLET)
    out = [f"EPOLLIN|EPOLLET registered: wait(0) -> {wait(ep)}"]
    c.send(b"d"); time.sleep(0.02); out.append(f"1 arrival: wait(0) -> {wait(ep)}")
    c.send(b"e"); time.sleep(0.02); out.append(f"2nd arrival unread: wait(0) -> {wait(ep)}")
    s.send(b"x"); time.sleep(0.02); out.append(f"we send 1 B (peer ACKs): wait(0) -> {wait(ep)}")
    p("7b ET IN-only", " || ".join(out))
    ep.close()
    # 7c EPOLLRDHUP after FIN
    for mode in ("LT", "ET"):
        c, s = pair(46305 if mode == "LT" else 46306)
        ep = select.epoll(); ep.register(s.fileno(), ALL | (select.EPOLLET if mode == "ET" else 0)); wait(ep)
        c.shutdown(socket.SHUT_WR); time.sleep(0.02)
        out = [f"peer FIN: wait(0) -> {wait(ep)}, again -> {wait(ep)}"]
        out.append(f"recv -> {call(s.recv, 10)!r}; wait(0) -> {wait(ep)}")
        s.shutdown(socket.SHUT_WR); time.sleep(0.02)
        out.append(f"we SHUT_WR too (both shut): wait(0) -> {wait(ep)}")
        p("7c " + mode, " || ".join(out))
        ep.close()
    # 7d after RST
    for mode, port in (("LT", 46307), ("ET", 46308)):
        c, s = pair(port)
        ep = select.epoll(); ep.register(s.fileno(), ALL | (select.EPOLLET if mode == "ET" else 0)); wait(ep)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); c.close(); time.sleep(0.02)
        out = [f"peer RST: wait(0) -> {wait(ep)}, again -> {wait(ep)}"]
        out.append(f"recv -> {call(s.recv, 10)}; wait(0) -> {wait(ep)}")
        p("7d " + mode, " || ".join(out))
        ep.close()
    # registration with events=0 (only ERR/HUP implicit) then RST
    c, s = pair(46309)
    ep = select.epoll(); ep.register(s.fileno(), 0)
    out = [f"registered events=0: wait(0) -> {wait(ep)}"]
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); c.close(); time.sleep(0.02)
    out.append(f"peer RST: wait(0) -> {wait(ep)}")
    p("7d events=0", " || ".join(out)); ep.close()
    # 7e EPOLLOUT-only ET
    c, s = pair(46310)
    ep = select.epoll(); ep.register(s.fileno(), select.EPOLLOUT | select.EPOLLET)
    out = [f"EPOLLOUT|EPOLLET registered: wait(0) -> {wait(ep)}, again -> {wait(ep)}"]
    c.send(b"hello"); time.sleep(0.02)
    out.append(f"data arrives: wait(0) -> {wait(ep)}")
    s.send(b"x"); time.sleep(0.06)
    out.append(f"we send 1 B and it is ACKed: wait(0) -> {wait(ep)}")
    c.shutdown(socket.SHUT_WR); time.sleep(0.02)
    out.append(f"peer FIN: wait(0) -> {wait(ep)}")
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); c.close(); time.sleep(0.02)
    out.append(f"peer RST: wait(0) -> {wait(ep)}")
    p("7e", " || ".join(out)); ep.close()
    c, s = pair(46311)
    ep = select.epoll(); ep.register(s.fileno(), select.EPOLLOUT)
    p("7e LT", f"EPOLLOUT LT: wait(0) -> {wait(ep)}, again -> {wait(ep)}")
    ep.close()
    # ET EPOLLOUT after the send buffer filled and drained
    c, s = pair(46312)
    ep = select.epoll(); ep.register(s.fileno(), select.EPOLLOUT | select.EPOLLET); wait(ep)
    s.setblocking(False); n = 0
    try:
        while True: n += s.send(b"z" * 65536)
    except BlockingIOError: pass
    out = [f"filled send buffer ({n} B, EAGAIN): wait(0) -> {wait(ep)}"]
    got = 0
    c.setblocking(False)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 2:
        try: got += len(c.recv(1 << 20))
        except BlockingIOError: time.sleep(0.005)
        if got >= n: break
    time.sleep(0.05)
    out.append(f"peer read {got} B: wait(0) -> {wait(ep)}, again -> {wait(ep)}")
    p("7e ET after EAGAIN", " || ".join(out)); ep.close()
    time.sleep(0.2)
    print("tcpdump stats:", cap.stop().replace("\n", "; "))

main()
