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

# ---- added for experiments 13-15 ----------------------------------------------------------------------------------
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
LINGER = lambda on, t: struct.pack("ii", on, t)

def block_sigpipe():
    """SIGPIPE stays SIG_DFL but blocked, so that sigpipe() can tell whether a call raised it."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPIPE})

def sigpipe():
    pend = signal.SIGPIPE in signal.sigpending()
    if pend: signal.sigtimedwait([signal.SIGPIPE], 0)
    return "SIGPIPE" if pend else "no SIGPIPE"

def soerr(s):
    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)   # reading consumes it
    return ename(e) if e else 0

def lconnect(s, port, ip="127.0.0.1"):
    """connect(2) itself: Python's connect() raises, connect_ex() is the same syscall; this returns 0 or the errno name."""
    sa = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(port), socket.inet_aton(ip))
    r = libc.connect(s.fileno(), sa, len(sa))
    return r if r >= 0 else ename(ctypes.get_errno())

def rawmask(fd):
    p = select.poll(); p.register(fd, 0xffff & ~select.POLLNVAL); r = p.poll(0)
    return f"{(r[0][1] if r else 0):#06x}"

def ss_state(port):
    out = subprocess.run(["ss", "-tanH", "state", "all", f"( sport = :{port} or dport = :{port} )"],
                         capture_output=True, text=True).stdout.strip()
    return " | ".join(" ".join(l.split()) for l in out.splitlines()) or "(nothing)"

def proc_rows(port):
    """/proc/net/tcp rows with `port` at either end: st, tx:rx queue, tr:when, inode."""
    rows = []
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        lp, rp = int(f[1].split(":")[1], 16), int(f[2].split(":")[1], 16)
        if port in (lp, rp):
            rows.append(f"{lp}->{rp} st {f[3]} q {f[4]} tr {f[5]} inode {f[9]}")
    return " | ".join(rows) or "(nothing)"

def netstat_rows(port, flags="-tano"):
    out = subprocess.run(["netstat", flags], capture_output=True, text=True).stdout.splitlines()
    return [l for l in out if f":{port} " in l]

def p(case, txt):
    print(f"[{case}] {txt}", flush=True)

def veth_black_hole():
    """Packets to 10.9.0.2 leave through d0 and are never answered (a static neighbour, no host behind it)."""
    subprocess.run("ip link add d0 type veth peer name d1 && ip addr add 10.9.0.1/24 dev d0 && "
                   "ip link set d1 up && ip link set d0 up && "
                   "ip neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev d0", shell=True, check=True)
    time.sleep(0.2)

def nft(*rules):
    """Runs nft commands in this namespace (drop rules that stand in for a lost packet)."""
    for r in rules:
        subprocess.run(["nft"] + r.split(), check=True)

def _csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

TCP_FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}

def raw_tcp(sport, dport, seq, ack, flags, payload=b"", window=1000, src="127.0.0.1", dst="127.0.0.1", ipid=4242):
    """Sends one hand-made IPv4/TCP segment through a raw socket (IP_HDRINCL): what no socket of ours would send."""
    f = 0
    for c in flags: f |= TCP_FLAGS[c]
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, f, window, 0, 0) + payload
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", _csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ipid, 0x4000, 64, 6, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    r.sendto(ip + tcp, (dst, 0))
    r.close()
