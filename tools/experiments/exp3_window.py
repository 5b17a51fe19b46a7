"""Experiment 3: the advertised window (raw tcpdump `win`) of a receiver that never reads.

For X in 1,10,100,1000,10000,60000,200000: fresh connection (own server port), the client
sends X bytes (non-blocking, retried with poll until all sent or 3 s pass), the server never
reads. After 0.5 s: ss -tmi of the server socket, then the server close()s with the data
unread (-> [R.]), then the client closes. All server->client lines are printed raw; the
client->server lines are summarised (count and lengths).
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

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
