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
"""Experiment 4: send buffer, partial sends, EAGAIN, blocking send into a peer that never reads.

  4a default SO_SNDBUF/SO_RCVBUF of a fresh socket, a connected client, an accepted socket
     (and after the transfers below: autotuning).
  4b non-blocking send of one 1 MB buffer, then again and again, until EAGAIN; likewise 10 MB.
     The peer never reads. Each send() return value is printed. 3 repetitions each.
  4c blocking send of 1 MB with a 3 s SO_SNDTIMEO to a peer that never reads: does it block?
  Segment sizes on the wire are listed (GSO super-segments) for the first 1 MB case.
"""
def bufs(s):
    return (s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))

def nb_until_eagain(port, size, settle):
    c, s = pair(port)
    c.setblocking(False)
    buf = b"z" * size
    res = []
    for i in range(50):
        try:
            res.append(c.send(buf))
        except BlockingIOError as e:
            res.append(ename(e.errno))
            time.sleep(settle)              # let the stack drain into the peer, try once more
            try: res.append(("after %.1fs" % settle, c.send(buf)))
            except BlockingIOError as e2: res.append(("after %.1fs" % settle, ename(e2.errno)))
            break
    sq = netstat(port)
    b = (bufs(c), bufs(s))
    s.close(); c.close()
    return res, sq, b

def main():
    enter_netns()
    f = socket.socket()
    print("4a fresh socket SO_SNDBUF, SO_RCVBUF =", bufs(f)); f.close()
    l = tcp_listener(44000)
    c = socket.create_connection(("127.0.0.1", 44000)); s, _ = l.accept()
    print("4a connected client:", bufs(c), " accepted:", bufs(s), " listener:", bufs(l))
    c.close(); s.close(); l.close()
    pcap = "/tmp/exp4.pcap"
    cap = Capture(pcap)
    port = 44001
    for size in (1 << 20, 10 << 20):
        for rep in range(3):
            res, sq, b = nb_until_eagain(port, size, 0.3)
            print(f"\n4b non-blocking send({size}) repeated, server port {port}: {res}")
            print(f"   (client SNDBUF,RCVBUF), (server SNDBUF,RCVBUF) at the end: {b}")
            print("   " + sq.replace("\n", "\n   "))
            port += 1
    # 4c
    c, s = pair(44100)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 3, 0))
    t0 = time.time()
    try:
        r = c.send(b"y" * (1 << 20))
    except OSError as e:
        r = ename(e.errno)
    print(f"\n4c blocking send(1 MB) with SO_SNDTIMEO 3 s -> {r} after {time.time()-t0:.3f} s")
    print("   " + netstat(44100).replace("\n", "\n   "))
    t0 = time.time()
    try:
        r = c.send(b"y" * (1 << 20))
    except OSError as e:
        r = ename(e.errno)
    print(f"4c second blocking send(1 MB) -> {r} after {time.time()-t0:.3f} s")
    # sendall semantics: a blocking send of 4 MB returns partial?  (SO_SNDTIMEO 1 s)
    c.close(); s.close()
    c, s = pair(44101)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 1, 0))
    print("4c O_NONBLOCK on client fd:", bool(__import__("fcntl").fcntl(c.fileno(), __import__("fcntl").F_GETFL) & os.O_NONBLOCK))
    t0 = time.time()
    try:
        r = c.send(b"y" * (8 << 20))
    except OSError as e:
        r = ename(e.errno)
    print(f"4c blocking send(8 MB) with SO_SNDTIMEO 1 s -> {r} after {time.time()-t0:.3f} s")
    t0 = time.time()
    try:
        r = c.send(b"y" * (1 << 20))
    except OSError as e:
        r = ename(e.errno)
    print(f"4c next blocking send(1 MB), SO_SNDTIMEO 1 s, buffer full -> {r} after {time.time()-t0:.3f} s")
    c.close(); s.close()
    print("\ntcpdump stats:", cap.stop().replace("\n", "; "))
    out = tcpdump_read(pcap, "-ttttt", "port", "44001").splitlines()
    print("\n=== wire, first 1 MB case (port 44001) ===")
    print("\n".join(l[:230] for l in out))
    out = tcpdump_read(pcap, "-ttttt", "port", "44100").splitlines()
    print("\n=== wire, blocking 1 MB case (port 44100) ===")
    print("\n".join(l[:230] for l in out))

main()
