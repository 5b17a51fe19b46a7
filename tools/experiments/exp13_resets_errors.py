"""Experiment 13: what the calls return after an RST, a refusal, a shutdown, data for a closed socket, and SIGPIPE.

 13a RST received in ESTABLISHED: recv/send/SO_ERROR in three orders (the peer closes with SO_LINGER {1, 0})
 13b RST received in CLOSE_WAIT (the peer shut its side first, then aborts)
 13c refused connect (SYN_SENT gets [R.]): non-blocking connect then recv, connect, send, SO_ERROR; blocking connect
 13d connect while SYN_SENT (veth black hole): EALREADY; shutdown or close in SYN_SENT: no packet, the socket leaves ss
 13e shutdown: how=3, fresh socket, SHUT_WR (FIN at once) in ESTABLISHED and CLOSE_WAIT, SHUT_RD (no packet, data
     read then 0, later data still queued, close with it unread -> RST), send after SHUT_WR
 13f send in CLOSE_WAIT; close with only an unread FIN (a FIN, no RST); close with unread data ([R.])
 13g data for a closed socket: orphan FIN_WAIT1 whose FIN the data ACKs, orphan FIN_WAIT2 (timewait minisock),
     FIN_WAIT2 after SHUT_RDWR with the fd open, FIN_WAIT2 after SHUT_WR only; what the sender sees
 13h SIGPIPE ignored / caught / default, in child processes; what the peer sees when the process dies
 13i poll masks of the common states

SIGPIPE is blocked in the main process: sigpipe() says whether the call raised it.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403

def reset_by_peer(port, close_wait=False):
    """(victim, peer's port): the peer aborts with SO_LINGER {1, 0}; with close_wait the peer shut its side first."""
    c, s = pair(port)
    if close_wait:
        c.shutdown(socket.SHUT_WR); time.sleep(0.02)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); c.close(); time.sleep(0.02)
    return s

def steps(s, seq):
    out = []
    for what in seq:
        if what == "recv": out.append(f"recv -> {call(s.recv, 10)!r}")
        elif what == "send":
            r = call(s.send, b"x"); out.append(f"send -> {r} {sigpipe()}")
        elif what == "SO_ERROR": out.append(f"SO_ERROR -> {soerr(s)}")
        elif what == "poll": out.append(f"poll {rawmask(s)}")
    return "; ".join(out)

def main():
    enter_netns()
    block_sigpipe()
    veth_black_hole()
    pcap = "/tmp/exp13.pcap"
    cap = Capture(pcap, "tcp")
    capd0 = subprocess.Popen(["tcpdump", "-i", "d0", "-nn", "--immediate-mode", "-U", "-w", "/tmp/exp13-d0.pcap", "tcp"],
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert "listening" in capd0.stderr.readline()

    # 13a
    for port, seq in ((47301, ["poll", "recv", "recv", "send", "send", "SO_ERROR"]),
                      (47302, ["send", "send", "recv", "SO_ERROR"]),
                      (47303, ["SO_ERROR", "SO_ERROR", "recv", "send"])):
        s = reset_by_peer(port)
        p("13a", f"ESTABLISHED victim, port {port}: {steps(s, seq)}; shutdown -> {call(s.shutdown, socket.SHUT_RDWR)}; "
                 f"getpeername -> {call(s.getpeername)}; ss {ss_state(port)}")
        s.close()
    # 13b
    for port, seq in ((47311, ["poll", "recv", "recv", "send", "send", "SO_ERROR"]),
                      (47312, ["SO_ERROR", "SO_ERROR", "send"])):
        s = reset_by_peer(port, close_wait=True)
        p("13b", f"CLOSE_WAIT victim, port {port}: {steps(s, seq)}")
        s.close()
    # 13c: nobody listens on 47321
    for label, seq in (("recv x3", ["poll", "recv", "recv", "recv"]), ("send", ["send", "send", "recv"]),
                       ("SO_ERROR", ["SO_ERROR", "SO_ERROR", "recv"])):
        c = socket.socket(); c.setblocking(False)
        r = ename(c.connect_ex(("127.0.0.1", 47321))); time.sleep(0.02)
        p("13c", f"refused non-blocking connect -> {r}; {steps(c, seq)}")
        c.close()
    c = socket.socket(); c.setblocking(False); r = ename(c.connect_ex(("127.0.0.1", 47321))); time.sleep(0.02)
    p("13c", f"refused non-blocking connect -> {r}; connect again -> {lconnect(c, 47321)}; recv -> {call(c.recv, 10)!r}; "
             f"recv -> {call(c.recv, 10)!r}; connect again -> {lconnect(c, 47321)}")
    c.close()
    c = socket.socket(); c.setblocking(False); r = ename(c.connect_ex(("127.0.0.1", 47321))); time.sleep(0.02)
    e = soerr(c)
    p("13c", f"refused non-blocking connect -> {r}; SO_ERROR -> {e}; connect again -> {lconnect(c, 47321)}; "
             f"ss {ss_state(47321)}")
    c.close()
    c = socket.socket()
    p("13c", f"blocking connect to a closed port -> {lconnect(c, 47321)}; SO_ERROR -> {soerr(c)}; recv -> {call(c.recv, 10)!r}")
    c.close()
    # 13d
    x = socket.socket(); x.setblocking(False); r = ename(x.connect_ex(("10.9.0.2", 47331))); time.sleep(0.02)
    p("13d", f"connect into the black hole -> {r}; again -> {lconnect(x, 47331, '10.9.0.2')}; ss {ss_state(47331)}")
    r = call(x.shutdown, socket.SHUT_RDWR); time.sleep(0.05)
    p("13d", f"shutdown(SHUT_RDWR) in SYN_SENT -> {r}; ss {ss_state(47331)}; poll {rawmask(x)}; "
             f"recv -> {call(x.recv, 10)!r}; send -> {call(x.send, b'x')} {sigpipe()}; connect again -> {lconnect(x, 47331, '10.9.0.2')}")
    x.close()
    x = socket.socket(); x.setblocking(False); r = ename(x.connect_ex(("10.9.0.2", 47332))); time.sleep(0.02)
    st = ss_state(47332)
    x.close(); time.sleep(0.05)
    p("13d", f"connect into the black hole -> {r}; ss {st}; close() in SYN_SENT; ss {ss_state(47332)}")
    # 13e
    s = socket.socket()
    p("13e", f"fresh socket: poll {rawmask(s)}; shutdown(3) -> {call(s.shutdown, 3)}; shutdown(SHUT_RD) -> "
             f"{call(s.shutdown, socket.SHUT_RD)}; poll {rawmask(s)}; shutdown(SHUT_WR) -> {call(s.shutdown, socket.SHUT_WR)}; "
             f"poll {rawmask(s)}")
    s.close()
    c, s = pair(47341)
    c.shutdown(socket.SHUT_WR); time.sleep(0.02)
    p("13e", f"port 47341 SHUT_WR in ESTABLISHED: ss {ss_state(47341)}; C poll {rawmask(c)}; S poll {rawmask(s)}")
    s.shutdown(socket.SHUT_WR); time.sleep(0.02)
    p("13e", f"port 47341 SHUT_WR in CLOSE_WAIT: ss {ss_state(47341)}")
    c.close(); s.close()
    c, s = pair(47342)
    c.send(b"hello"); time.sleep(0.02)
    s.shutdown(socket.SHUT_RD); time.sleep(0.02)
    s.setblocking(False)
    r1 = call(s.recv, 100); r2 = call(s.recv, 100)
    c.send(b"later"); time.sleep(0.02)
    q = ss_state(47342)
    r3 = call(s.recv, 100); r4 = call(s.recv, 100)
    c.send(b"unread"); time.sleep(0.02)
    p("13e", f"port 47342 SHUT_RD with 5 B queued (non-blocking): recv -> {r1!r}; recv -> {r2!r}; peer sends 5 B: ss {q}; "
             f"recv -> {r3!r}; recv -> {r4!r}; peer sends 6 B, then close()")
    s.close(); time.sleep(0.02); c.close()
    c, s = pair(47343)
    c.shutdown(socket.SHUT_WR); time.sleep(0.02)
    r1 = call(c.send, b"x"); sp1 = sigpipe(); r2 = call(c.send, b"x", socket.MSG_NOSIGNAL); sp2 = sigpipe()
    p("13e", f"send after SHUT_WR -> {r1} {sp1}; with MSG_NOSIGNAL -> {r2} {sp2}")
    c.close(); s.close()
    # 13f
    c, s = pair(47351)
    c.send(b"abc"); time.sleep(0.02); s.recv(10)
    c.shutdown(socket.SHUT_WR); time.sleep(0.06)
    r = call(s.send, b"reply"); time.sleep(0.02)
    p("13f", f"port 47351 send in CLOSE_WAIT -> {r}; C recv -> {call(c.recv, 10)!r}")
    c.close(); s.close()
    c, s = pair(47352)
    c.shutdown(socket.SHUT_WR); time.sleep(0.02)
    p("13f", f"port 47352 only the peer's FIN unread: ss {ss_state(47352)}; S close()")
    s.close(); time.sleep(0.02); c.close()
    c, s = pair(47353)
    c.send(b"hello"); time.sleep(0.02)
    s.close(); time.sleep(0.02)
    p("13f", f"port 47353 close() with 5 B unread: C recv -> {call(c.recv, 10)!r}; C then {steps(c, ['recv', 'send'])}; ss {ss_state(47353)}")
    c.close()
    # 13g
    c, s = pair(47361)
    c.send(b"x"); time.sleep(0.02); s.recv(10)   # S has received data: its ACK of C's FIN waits 40 ms
    c.close()                                    # orphan in FIN_WAIT1 until S ACKs
    s.send(b"data")                              # at once: this segment ACKs the FIN
    time.sleep(0.05)
    p("13g", f"port 47361 orphan FIN_WAIT1, data ACKing its FIN: S {steps(s, ['poll', 'recv', 'recv', 'send', 'SO_ERROR'])}; ss {ss_state(47361)}")
    s.close()
    c, s = pair(47362)
    c.close(); time.sleep(0.05)                  # S ACKed on the next tick: C is a timewait minisock, substate FIN_WAIT2
    before = proc_rows(47362)
    s.send(b"data"); time.sleep(0.02)
    p("13g", f"port 47362 orphan FIN_WAIT2 ({before}), data arrives: S {steps(s, ['poll', 'recv', 'send', 'SO_ERROR'])}; "
             f"ss {ss_state(47362)}")
    s.close()
    c, s = pair(47363)
    c.shutdown(socket.SHUT_RDWR); time.sleep(0.05)
    st = ss_state(47363)
    s.send(b"data"); time.sleep(0.02)
    p("13g", f"port 47363 FIN_WAIT2 after SHUT_RDWR, fd open ({st}), data arrives: C {steps(c, ['poll', 'recv', 'recv', 'SO_ERROR'])}; "
             f"S {steps(s, ['recv', 'send', 'SO_ERROR'])}; ss {ss_state(47363)}")
    c.close(); s.close()
    c, s = pair(47364)
    c.shutdown(socket.SHUT_WR); time.sleep(0.05)
    s.send(b"data"); time.sleep(0.02)
    p("13g", f"port 47364 FIN_WAIT2 after SHUT_WR only, data arrives: ss {ss_state(47364)}; C recv -> {call(c.recv, 10)!r}")
    c.close(); s.close()
    # 13h
    for disp, port in (("ignored", 47371), ("caught", 47372), ("default", 47373)):
        l = tcp_listener(port)
        pid = os.fork()
        if pid == 0:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGPIPE})
            hits = []
            if disp == "ignored": signal.signal(signal.SIGPIPE, signal.SIG_IGN)
            elif disp == "caught": signal.signal(signal.SIGPIPE, lambda n, f: hits.append(n))
            else: signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            k = socket.create_connection(("127.0.0.1", port)); k.settimeout(None)
            time.sleep(0.1)                      # the parent aborts the connection meanwhile
            r1 = call(k.send, b"x"); r2 = call(k.send, b"x")
            os.write(1, f"[13h] child, SIGPIPE {disp}: send -> {r1}; send -> {r2}; handler ran {len(hits)} time(s); alive\n".encode())
            os._exit(0)
        a, _ = l.accept(); l.close()
        a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); a.close()
        _, status = os.waitpid(pid, 0)
        how = f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exited {os.WEXITSTATUS(status)}"
        p("13h", f"SIGPIPE {disp}: child {how}")
    # a process killed by SIGPIPE closes its other descriptors: its second connection ends with a FIN
    l = tcp_listener(47374)
    pid = os.fork()
    if pid == 0:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGPIPE})
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        k1 = socket.create_connection(("127.0.0.1", 47374)); k1.settimeout(None)
        k2 = socket.create_connection(("127.0.0.1", 47374)); k2.settimeout(None)
        time.sleep(0.1)
        call(k1.send, b"x"); call(k1.send, b"x")
        os._exit(0)
    a1, _ = l.accept(); a2, _ = l.accept(); l.close()
    a1.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); a1.close()
    _, status = os.waitpid(pid, 0); time.sleep(0.02)
    p("13h", f"child killed by SIGPIPE ({os.WIFSIGNALED(status) and os.WTERMSIG(status)}): its other connection: "
             f"recv -> {call(a2.recv, 10)!r}; ss {ss_state(47374)}")
    a2.close()
    # 13i
    c, s = pair(47381)
    p("13i", f"ESTABLISHED idle: {rawmask(c)}")
    c.shutdown(socket.SHUT_WR); time.sleep(0.02)
    p("13i", f"after own SHUT_WR: {rawmask(c)}; the peer (CLOSE_WAIT): {rawmask(s)}")
    s.shutdown(socket.SHUT_WR); time.sleep(0.02)
    p("13i", f"both directions shut (SHUT_WR each): {rawmask(c)} / {rawmask(s)}")
    c.close(); s.close()
    c, s = pair(47382)
    c.shutdown(socket.SHUT_RD)
    p("13i", f"SHUT_RD only: {rawmask(c)}; SHUT_RDWR: ", )
    c.shutdown(socket.SHUT_RDWR); time.sleep(0.02)
    p("13i", f"after SHUT_RDWR: {rawmask(c)}")
    c.close(); s.close()

    time.sleep(0.2)
    capd0.send_signal(signal.SIGINT); capd0.communicate(timeout=10)
    print("tcpdump stats:", cap.stop().replace("\n", "; "))
    for port in (47301, 47311, 47321, 47341, 47342, 47351, 47352, 47353, 47361, 47362, 47363, 47364, 47373, 47374):
        print(f"\n=== port {port} (-ttttt) ===")
        print("\n".join(l[:230] for l in tcpdump_read(pcap, "-ttttt", "port", str(port)).splitlines()))
    for port in (47331, 47332):
        print(f"\n=== d0, port {port} (the black hole) ===")
        print(tcpdump_read("/tmp/exp13-d0.pcap", "-ttttt", "port", str(port)))

main()
