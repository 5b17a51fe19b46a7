"""Experiment 8: TS option offsets and clock; ephemeral port parity.

 8a 6 connections to one listener: TS val of the SYN (client clock) and of the SYN-ACK (server
    clock) vs the capture time; then on one connection two data packets 1.000 s apart in each
    direction -> TS ticks per second.
 8b 20 x connect() without bind, 20 x bind(("127.0.0.1",0)), 20 x bind then connect: port parity.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

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
