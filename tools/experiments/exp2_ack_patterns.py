"""Experiment 2: when do ACKs go out on loopback for small exchanges.

Each scenario uses its own server port, so `tcpdump -r f port P` shows one connection.
Times are -ttttt (since the first packet of that connection).
  2a ping-pong: 5 rounds of C send 5 B / S recv + send 5 B at once / C recv; then C close, S close.
  2b slow reply: 3 rounds of C send 5 B / S recv, sleep 100 ms, send 5 B / C recv; then close.
  2c never reply: C send 5 B, wait 300 ms, C close, S reads EOF and closes.
  2d N back-to-back send(5 B) calls (N=1,2,3,5,10,20), server never reads during the burst; 3 reps.
  2e 30 sends of 5 B spaced 5 ms, never read (quick-ACK budget).
  2f 30 sends of 5 B spaced 50 ms, never read (gap > ato=40 ms).
  2g 20 sends of 5 B spaced 250 ms (gap > RTO min 200 ms), never read.
  2h 2d with TCP_NODELAY (N=5,20).
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

def closeall(*xs):
    for x in xs:
        try: x.close()
        except OSError: pass

def s2a(port):
    c, s = pair(port)
    for i in range(5):
        c.send(b"q" * 5); s.recv(100); s.send(b"r" * 5); c.recv(100)
    time.sleep(0.2); c.close(); s.recv(100); time.sleep(0.1); s.close()

def s2b(port):
    c, s = pair(port)
    for i in range(3):
        c.send(b"q" * 5); s.recv(100); time.sleep(0.1); s.send(b"r" * 5); c.recv(100)
    time.sleep(0.2); c.close(); s.recv(100); time.sleep(0.1); s.close()

def s2c(port):
    c, s = pair(port)
    c.send(b"q" * 5); time.sleep(0.3); c.close(); time.sleep(0.05); s.recv(100); s.close()

def burst(port, n, nodelay=False):
    c, s = pair(port)
    if nodelay: c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    time.sleep(0.05)
    for i in range(n):
        c.send(b"x" * 5)
    time.sleep(0.3)
    return c, s

def spaced(port, n, gap):
    c, s = pair(port)
    time.sleep(0.05)
    for i in range(n):
        c.send(b"x" * 5); time.sleep(gap)
    time.sleep(0.3)
    return c, s

def main():
    enter_netns()
    pcap = "/tmp/exp2.pcap"
    cap = Capture(pcap)
    plan = []
    s2a(42001); plan.append((42001, "2a ping-pong immediate reply"))
    s2b(42002); plan.append((42002, "2b reply after 100 ms"))
    s2c(42003); plan.append((42003, "2c never reply"))
    keep = []
    port = 42100
    for n in (1, 2, 3, 5, 10, 20):
        for rep in range(3):
            keep.append(burst(port, n)); plan.append((port, f"2d burst N={n} rep {rep}")); port += 1
    keep.append(spaced(42200, 30, 0.005)); plan.append((42200, "2e 30 sends spaced 5 ms"))
    keep.append(spaced(42201, 30, 0.05)); plan.append((42201, "2f 30 sends spaced 50 ms"))
    keep.append(spaced(42202, 20, 0.25)); plan.append((42202, "2g 20 sends spaced 250 ms"))
    port = 42300
    for n in (5, 20):
        for rep in range(3):
            keep.append(burst(port, n, True)); plan.append((port, f"2h NODELAY burst N={n} rep {rep}")); port += 1
    for c, s in keep: closeall(c, s)   # after the capture of interest; teardown lines are still printed
    print("tcpdump stats:", cap.stop().replace("\n", "; "))
    for port, title in plan:
        print(f"\n=== {title} (server port {port}) ===")
        print(tcpdump_read(pcap, "-ttttt", "port", str(port)))

main()
