"""Experiment 6: full accept queue, SYN retransmission timing, closing a listener with queued children.

 6a listen(0): c1 connects (queued), c2 connects 50 ms later -> SYN dropped?  Never accept; watch c2 for 8.5 s.
 6b listen(0): same, but accept() c1 at t=2.0 s -> when does c2 complete?
 6c listen(1): three clients; accept one at t=2.0 s.
 6d listener with one ESTABLISHED child and one CLOSE_WAIT child (its client did shutdown(SHUT_WR)) is closed.
All of 6a-6c run concurrently on ports 46101-46103. Times are seconds since c1's connect().
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

def ss_all(port):
    out = subprocess.run(["ss", "-tanH", "state", "all", f"( sport = :{port} or dport = :{port} )"],
                         capture_output=True, text=True).stdout.strip()
    return "\n    ".join(" ".join(l.split()) for l in out.splitlines())

def nbconnect(port):
    c = socket.socket(); c.setblocking(False)
    return c, ename(c.connect_ex(("127.0.0.1", port)))

def main():
    enter_netns()
    print("sysctl:", {k: open(f"/proc/sys/net/ipv4/{k}").read().strip() for k in
                      ("tcp_syn_retries", "tcp_syn_linear_timeouts", "tcp_syncookies", "tcp_max_syn_backlog", "tcp_abort_on_overflow")
                      if os.path.exists(f"/proc/sys/net/ipv4/{k}")}, "somaxconn", open("/proc/sys/net/core/somaxconn").read().strip())
    pcap = "/tmp/exp6.pcap"
    cap = Capture(pcap, "tcp")
    L = {46101: tcp_listener(46101, 0), 46102: tcp_listener(46102, 0), 46103: tcp_listener(46103, 1)}
    t0 = time.perf_counter()
    T = lambda: time.perf_counter() - t0
    clients = {}
    for port, n in ((46101, 2), (46102, 2), (46103, 3)):
        clients[port] = []
    for i in range(3):
        for port, n in ((46101, 2), (46102, 2), (46103, 3)):
            if i < n:
                c, r = nbconnect(port); clients[port].append(c)
                print(f"[{T():.3f}] port {port} client {i+1} ({c.getsockname()[1]}) connect -> {r}", flush=True)
        time.sleep(0.05)
    time.sleep(0.3)
    print(f"[{T():.3f}] poll masks: " + "; ".join(f"{port}: " + ", ".join(pollmask(c) for c in cs) for port, cs in clients.items()))
    print(f"[{T():.3f}] listener poll: " + ", ".join(f"{p}: {pollmask(l)}" for p, l in L.items()))
    for port in L: print(f"  ss {port}:\n    {ss_all(port)}")
    print("  netstat -tn:\n" + subprocess.run(["netstat", "-tan"], capture_output=True, text=True).stdout)
    print("  /proc/net/tcp:\n" + open("/proc/net/tcp").read())
    # watch for completion
    pending = {(port, i): c for port, cs in clients.items() for i, c in enumerate(cs)}
    done = {}
    accepted = False
    while T() < 8.6:
        if not accepted and T() >= 2.0:
            for port in (46102, 46103):
                a, _ = L[port].accept(); print(f"[{T():.3f}] accept() on {port} -> peer port {a.getpeername()[1]}", flush=True)
            accepted = True
        for k, c in list(pending.items()):
            m = pollmask(c)
            if m != "0":
                done[k] = (T(), m, c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
                print(f"[{T():.3f}] port {k[0]} client {k[1]+1}: poll -> {m}, SO_ERROR {done[k][2]}", flush=True)
                del pending[k]
        time.sleep(0.002)
    for k in pending: print(f"[{T():.3f}] port {k[0]} client {k[1]+1}: still pending (poll 0)")
    for port in L: print(f"  ss {port}:\n    {ss_all(port)}")
    # 6d
    l = tcp_listener(46104, 8)
    a = socket.create_connection(("127.0.0.1", 46104)); a.settimeout(None)
    b = socket.create_connection(("127.0.0.1", 46104)); b.settimeout(None)
    b.shutdown(socket.SHUT_WR); time.sleep(0.1)
    print(f"6d before close:\n    {ss_all(46104)}")
    l.close(); time.sleep(0.05)
    print(f"6d after close:\n    {ss_all(46104)}")
    print(f"6d established client: poll {pollmask(a)}, recv -> {call(a.recv, 10)}, then {call(a.recv, 10)}")
    print(f"6d FIN_WAIT2 client: poll {pollmask(b)}, recv -> {call(b.recv, 10)}, then {call(b.recv, 10)}")
    time.sleep(0.2)
    print("tcpdump stats:", cap.stop().replace("\n", "; "))
    for port in (46101, 46102, 46103, 46104):
        print(f"\n=== port {port} (-ttttt) ===")
        print("\n".join(l[:220] for l in tcpdump_read(pcap, "-ttttt", "port", str(port)).splitlines()))

main()
