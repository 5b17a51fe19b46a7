"""The harness every experiment imports: a private network namespace, tcpdump capture, small socket helpers."""
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
