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
"""Experiment 3: the advertised window (raw tcpdump `win`) of a receiver that never reads.

For X in 1,10,100,1000,10000,60000,200000: fresh connection (own server port), the client
sends X bytes (non-blocking, retried with poll until all sent or 3 s pass), the server never
reads. After 0.5 s: ss -tmi of the server socket, then the server close()s with the data
unread (-> [R.]), then the client closes. All server->client lines are printed raw; the
client->server lines are summarised (count and lengths).
"""
SIZES = [1, 10, 100, 1000, 10000, 60000, 200000]

def main():
    enter_netns()
    pcap = "/tmp/exp3.pcap"
    cap = Capture(pcap)
    info = []
    for i, X in enumerate(SIZES):
        port = 43001 + i
        c, s = pair(port)
        c.setblocking(False)
        data = b"d" * X; sent = 0; calls = []
        t_end = time.time() + 3
        while sent < X and time.time() < t_end:
            try:
                n = c.send(data[sent:]); sent += n; calls.append(n)
            except BlockingIOError:
                calls.append("EAGAIN"); select.select([], [c], [], 0.2)
        time.sleep(0.5)
        ssout = subprocess.run(["ss", "-tnmi", "state", "all", f"( sport = :{port} )"],
                               capture_output=True, text=True).stdout.strip()
        rcvbuf = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        ns = netstat(port)
        s.close()                  # unread data -> RST
        time.sleep(0.05)
        c.close()
        info.append((X, port, sent, calls, rcvbuf, ssout, ns))
    print("tcpdump stats:", cap.stop().replace("\n", "; "))
    for X, port, sent, calls, rcvbuf, ssout, ns in info:
        print(f"\n=== X={X} server port {port}: client sent {sent} bytes, send() results {calls[:12]}{' ...' if len(calls)>12 else ''} ===")
        print(f"server SO_RCVBUF={rcvbuf}\n{ns}\n{ssout}")
        out = tcpdump_read(pcap, "-ttttt", "port", str(port)).splitlines()
        c2s = [l for l in out if f"> 127.0.0.1.{port}:" in l]
        lens = [re.search(r"length (\d+)", l).group(1) for l in c2s]
        print(f"client->server packets: {len(c2s)}, lengths: {' '.join(lens)}")
        for l in out:
            if f"127.0.0.1.{port} >" in l or "Flags [S]" in l or "[F" in l:
                print(l)

main()
