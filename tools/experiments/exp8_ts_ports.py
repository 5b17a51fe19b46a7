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
"""Experiment 8: TS option offsets and clock; ephemeral port parity.

 8a 6 connections to one listener: TS val of the SYN (client clock) and of the SYN-ACK (server
    clock) vs the capture time; then on one connection two data packets 1.000 s apart in each
    direction -> TS ticks per second.
 8b 20 x connect() without bind, 20 x bind(("127.0.0.1",0)), 20 x bind then connect: port parity.
"""
TS = re.compile(r"^(\d+\.\d+) IP 127\.0\.0\.1\.(\d+) > 127\.0\.0\.1\.(\d+): Flags \[([^\]]*)\].*TS val (\d+) ecr (\d+)")

def main():
    enter_netns()
    pcap = "/tmp/exp8.pcap"
    cap = Capture(pcap)
    l = tcp_listener(48001)
    conns = [pair(48001, l) for i in range(6)]
    c, s = conns[0]
    c.send(b"a"); s.send(b"b"); time.sleep(1.0); c.send(b"c"); s.send(b"d"); time.sleep(0.1)
    print("tcpdump stats:", cap.stop().replace("\n", "; "))
    rows = [TS.match(x).groups() for x in tcpdump_read(pcap, "-tt").splitlines() if TS.match(x)]
    print("=== SYN / SYN-ACK TS val minus capture time in ms (offset of each direction's TS clock) ===")
    for t, sp, dp, fl, val, ecr in rows:
        if fl in ("S", "S."):
            off = (int(val) - int(float(t) * 1000)) % (1 << 32)
            print(f"{fl:3s} {sp}->{dp} TS val {val:>10s}  offset {off}")
    print("=== TS clock rate on connection 0 (data packets) ===")
    cport = str(c.getsockname()[1])
    data = [(float(t), int(v), sp) for t, sp, dp, fl, v, e in rows if "P" in fl and cport in (sp, dp)]
    for d in ("c2s", "s2c"):
        pk = [x for x in data if (x[2] == cport) == (d == "c2s")]
        (t1, v1, _), (t2, v2, _) = pk[0], pk[-1]
        print(f"{d}: dt={1000*(t2-t1):.3f} ms, dTS={v2-v1} -> {(v2-v1)/(t2-t1):.1f} ticks/s")
    for x, y in conns: x.close(); y.close()
    l.close()
    l = tcp_listener(48002, 64)
    ports = []
    for i in range(20):
        x = socket.create_connection(("127.0.0.1", 48002)); ports.append(x.getsockname()[1]); x.close()
        l.accept()[0].close()
    print("\n8b connect() ports:", ports, "even:", sum(p % 2 == 0 for p in ports), "/ 20")
    ports = []
    for i in range(20):
        x = socket.socket(); x.bind(("127.0.0.1", 0)); ports.append(x.getsockname()[1]); x.close()
    print("8b bind(0) ports:", ports, "odd:", sum(p % 2 == 1 for p in ports), "/ 20")
    ports = []
    for i in range(20):
        x = socket.socket(); x.bind(("0.0.0.0", 0)); ports.append(x.getsockname()[1]); x.close()
    print("8b bind(0.0.0.0:0) ports:", ports, "odd:", sum(p % 2 == 1 for p in ports), "/ 20")
    ports = []
    for i in range(20):
        x = socket.socket(); x.bind(("127.0.0.1", 0)); x.connect(("127.0.0.1", 48002)); ports.append(x.getsockname()[1]); x.close()
        l.accept()[0].close()
    print("8b bind(0)+connect ports:", ports, "odd:", sum(p % 2 == 1 for p in ports), "/ 20")

main()
