# ---- harness (copied verbatim into every experiment; keep in sync) ----
import os, sys, subprocess, time, socket, signal, re, errno, select, struct, threading, random, statistics

def enter_netns():
    """Re-exec under `unshare -n` (fresh network namespace) and bring lo up."""
    if os.environ.get("TCPSIM_NETNS") != "1":
        env = dict(os.environ, TCPSIM_NETNS="1")
        os.execvpe("timeout", ["timeout", "600", "unshare", "-n", sys.executable,
                               os.path.abspath(sys.argv[0])] + sys.argv[1:], env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)

class Capture:
    def __init__(self, path, filt="tcp"):
        self.path = path
        self.p = subprocess.Popen(["tcpdump", "-i", "lo", "-nn", "--immediate-mode", "-U", "-s", "256",
                                   "-B", "65536", "-Z", "root", "-w", path] + filt.split(),
                                  stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        line = self.p.stderr.readline()          # "listening on lo, ..." => capture is live
        assert "listening" in line, line
    def stop(self, settle=0.3):
        time.sleep(settle)
        self.p.send_signal(signal.SIGINT)
        err = self.p.communicate(timeout=10)[1]
        return err.strip()

def tcpdump_read(path, *extra):
    return subprocess.run(["tcpdump", "-nn", *extra, "-r", path], capture_output=True, text=True,
                          timeout=60).stdout.rstrip("\n")

def ename(e):
    return errno.errorcode.get(e, str(e))

def call(fn, *a):
    """Run a socket call, return 'ret' or 'ERRNAME'."""
    try:
        r = fn(*a)
        return r
    except OSError as e:
        return ename(e.errno)

POLLNAMES = [(select.POLLIN, "POLLIN"), (select.POLLPRI, "POLLPRI"), (select.POLLOUT, "POLLOUT"),
             (select.POLLERR, "POLLERR"), (select.POLLHUP, "POLLHUP"), (select.POLLNVAL, "POLLNVAL"),
             (select.POLLRDNORM, "POLLRDNORM"), (select.POLLRDBAND, "POLLRDBAND"),
             (select.POLLWRNORM, "POLLWRNORM"), (select.POLLWRBAND, "POLLWRBAND"), (select.POLLRDHUP, "POLLRDHUP")]

def pollmask(fd):
    p = select.poll()
    p.register(fd, 0xffff & ~select.POLLNVAL)
    r = p.poll(0)
    m = r[0][1] if r else 0
    return "|".join(n for b, n in POLLNAMES if m & b) or "0"

def tcp_listener(port, backlog=16, **kw):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(backlog)
    return s

def pair(port, lst=None):
    """Connected (client, server) pair on 127.0.0.1:port."""
    l = lst or tcp_listener(port)
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.settimeout(None)          # a Python timeout would make the fd O_NONBLOCK behind our back
    s, _ = l.accept()
    if lst is None: l.close()
    return c, s

def netstat(port=None):
    out = subprocess.run(["netstat", "-tan"], capture_output=True, text=True).stdout.splitlines()
    return "\n".join(l for l in out if port is None or f":{port} " in l or l.startswith("Proto"))
# ---- end harness ----
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
