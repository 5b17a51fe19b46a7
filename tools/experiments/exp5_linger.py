"""Experiment 5: SO_LINGER.

 5a linger{1,5}, blocking, normal peer, peer never received data    -> how long close() blocks, result
 5b linger{1,5}, blocking, normal peer that had received 5 B        -> ditto (FIN ACK is a delayed ACK)
 5c = 5b with O_NONBLOCK on the closing fd
 5d linger{1,2}: FIN stuck behind unsent data (peer never reads, window 0) -> close blocks the whole 2 s?
 5e = 5d with O_NONBLOCK
 5f linger{1,5} with 5 unread bytes at the closer                   -> RST at once?
 5g linger{1,0} in SYN_SENT (SYN black-holed into a veth), ESTABLISHED, CLOSE_WAIT,
    FIN_WAIT1, FIN_WAIT2, LAST_ACK (FIN queued behind unsent data), listener with 2 queued children.
Each case has its own server port; state before close is shown with `ss`.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

LINGER = lambda on, t: struct.pack("ii", on, t)

def ss_state(port):
    out = subprocess.run(["ss", "-tanH", "state", "all", f"( sport = :{port} or dport = :{port} )"],
                         capture_output=True, text=True).stdout.strip()
    return " | ".join(" ".join(l.split()) for l in out.splitlines())

def timed_close(sock):
    t0 = time.perf_counter()
    try:
        sock.close(); r = 0
    except OSError as e:
        r = ename(e.errno)
    return r, (time.perf_counter() - t0) * 1000

def fill(c):
    """Fill the peer's window and our send buffer (peer never reads)."""
    c.setblocking(False)
    n = 0
    try:
        while True: n += c.send(b"f" * 65536)
    except BlockingIOError:
        pass
    c.setblocking(True)
    return n

results = []
def note(case, port, txt):
    results.append((case, port, txt)); print(f"[{case}] port {port}: {txt}", flush=True)

def main():
    enter_netns()
    # black hole for SYNs: veth pair, static neighbour with a MAC nobody owns (dummy is not built here)
    subprocess.run("ip link add d0 type veth peer name d1 && ip addr add 10.9.0.1/24 dev d0 && "
                   "ip link set d1 up && ip link set d0 up && "
                   "ip neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev d0", shell=True, check=True)
    time.sleep(0.2)
    pcap = "/tmp/exp5.pcap"
    cap = Capture(pcap, "tcp")           # lo only; the dummy SYN never reaches lo
    capd = subprocess.Popen(["tcpdump", "-i", "d0", "-nn", "--immediate-mode", "-U", "-Z", "root", "-w",
                             "/tmp/exp5d.pcap", "tcp"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    capd.stderr.readline()
    keep = []
    for case, port, pre, nonblock in (("5a", 45001, False, False), ("5b", 45002, True, False),
                                      ("5c", 45003, True, True)):
        for rep in range(5):
            c, s = pair(port)
            if pre: c.send(b"hello"); s.recv(10)
            time.sleep(0.05)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 5))
            if nonblock: c.setblocking(False)
            r, ms = timed_close(c)
            note(case, port, f"rep {rep}: close() -> {r} after {ms:.2f} ms; after: {ss_state(port)}")
            keep.append(s); time.sleep(0.05)
    for case, port, nonblock in (("5d", 45004, False), ("5e", 45005, True)):
        c, s = pair(port)
        n = fill(c)
        time.sleep(0.3)
        before = ss_state(port)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 2))
        if nonblock: c.setblocking(False)
        r, ms = timed_close(c)
        note(case, port, f"queued {n} B; before: {before}; close() -> {r} after {ms:.1f} ms; after: {ss_state(port)}")
        keep.append(s)
    c, s = pair(45006)
    s.send(b"12345"); time.sleep(0.05)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 5))
    r, ms = timed_close(c)
    note("5f", 45006, f"5 unread bytes, close() -> {r} after {ms:.2f} ms; after: {ss_state(45006)}")
    keep.append(s)
    # 5g linger{1,0}
    c = socket.socket(); c.setblocking(False)
    r = c.connect_ex(("10.9.0.2", 45007)); time.sleep(0.05)
    before = ss_state(45007)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0))
    r2, ms = timed_close(c)
    note("5g SYN_SENT", 45007, f"connect -> {ename(r)}; before: {before}; close() -> {r2} ({ms:.2f} ms); after: {ss_state(45007)}")
    c, s = pair(45008); time.sleep(0.05)
    before = ss_state(45008)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); r, ms = timed_close(c)
    time.sleep(0.01)
    note("5g ESTABLISHED", 45008, f"before: {before}; close() -> {r}; after: {ss_state(45008)}; peer recv -> {call(s.recv, 10)}")
    keep.append(s)
    c, s = pair(45009); s.close(); time.sleep(0.1)
    before = ss_state(45009)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); r, ms = timed_close(c)
    note("5g CLOSE_WAIT", 45009, f"before: {before}; close() -> {r}; after: {ss_state(45009)}")
    c, s = pair(45010); c.send(b"hello"); s.recv(10)     # peer now has ato 40 ms: FIN ACK delayed
    c.shutdown(socket.SHUT_WR)
    before = ss_state(45010)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); r, ms = timed_close(c)
    time.sleep(0.01)
    note("5g FIN_WAIT1", 45010, f"before: {before}; close() -> {r}; after: {ss_state(45010)}; peer recv -> {call(s.recv, 10)} then {call(s.recv, 10)}")
    keep.append(s)
    c, s = pair(45011); c.shutdown(socket.SHUT_WR); time.sleep(0.1)
    before = ss_state(45011)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); r, ms = timed_close(c)
    time.sleep(0.01)
    note("5g FIN_WAIT2", 45011, f"before: {before}; close() -> {r}; after: {ss_state(45011)}; peer recv -> {call(s.recv, 10)} then {call(s.recv, 10)}")
    keep.append(s)
    c, s = pair(45012); s.shutdown(socket.SHUT_WR); time.sleep(0.1)   # we (c) are CLOSE_WAIT, peer never reads
    n = fill(c); time.sleep(0.3)
    c.shutdown(socket.SHUT_WR); time.sleep(0.05)
    before = ss_state(45012)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); r, ms = timed_close(c)
    note("5g LAST_ACK (FIN behind %d unsent B)" % n, 45012, f"before: {before}; close() -> {r}; after: {ss_state(45012)}")
    keep.append(s)
    l = tcp_listener(45013, 8)
    cs = [socket.create_connection(("127.0.0.1", 45013)) for i in range(2)]
    time.sleep(0.05)
    before = ss_state(45013)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); r, ms = timed_close(l)
    time.sleep(0.01)
    note("5g LISTEN with 2 queued children", 45013, f"before: {before}; close() -> {r}; after: {ss_state(45013)}; "
         f"clients recv -> {[call(x.recv, 10) for x in cs]}")
    l = tcp_listener(45014, 8)
    cs2 = [socket.create_connection(("127.0.0.1", 45014)) for i in range(2)]
    time.sleep(0.05)
    r, ms = timed_close(l); time.sleep(0.01)
    note("5g' LISTEN with 2 queued children, no SO_LINGER", 45014, f"close() -> {r}; clients recv -> {[call(x.recv, 10) for x in cs2]}")
    time.sleep(0.3)
    print("tcpdump stats:", cap.stop().replace("\n", "; "))
    capd.send_signal(signal.SIGINT); capd.communicate(timeout=5)
    for case, port, txt in results:
        if case in ("5a", "5b", "5c") and "rep 0" not in txt: continue
        print(f"\n=== {case} (port {port}) ===")
        print("\n".join(l[:240] for l in tcpdump_read(pcap, "-ttttt", "port", str(port)).splitlines()))
    print("\n=== 5g SYN_SENT: packets on d0 ===")
    print(tcpdump_read("/tmp/exp5d.pcap", "-ttttt"))

main()
