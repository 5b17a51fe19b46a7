"""Experiment 1: delayed-ACK / FIN-ACK timer granularity (HZ=250 => 4 ms jiffies).

Scenarios (each N runs, interleaved, random phase before the trigger):
  A  data delayed ACK: C sends 5 B, S replies 5 B at once (S enters pingpong), C reads,
     sleep U(0,12) ms, C sends 5 B (trigger) that S never answers -> S's standalone ACK.
  B  FIN after data:   C sends 5 B, S reads (quick ACK), sleep U(0,12) ms, C close() (trigger FIN)
     -> S's ACK of the FIN (S never closes during the measurement window).
  C  FIN, no data:     connect/accept, sleep U(0,12) ms, C close() -> S's ACK of the FIN.
Delay = pcap timestamp(response ACK) - pcap timestamp(trigger).
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
PORTS = {"A": 41001, "B": 41002, "C": 41003}
LINE = re.compile(r"^(\d+\.\d+) IP 127\.0\.0\.1\.(\d+) > 127\.0\.0\.1\.(\d+): Flags \[([^\]]*)\](.*)$")

def run_A(l):
    c, s = pair(PORTS["A"], l)
    c.send(b"a" * 5); s.recv(100); s.send(b"b" * 5); c.recv(100)
    time.sleep(random.uniform(0, 0.012))
    c.send(b"c" * 5)                       # trigger
    time.sleep(0.08)
    return c, s

def run_B(l):
    c, s = pair(PORTS["B"], l)
    c.send(b"a" * 5); s.recv(100)
    time.sleep(random.uniform(0, 0.012))
    c.close()                              # trigger FIN
    time.sleep(0.08)
    return None, s

def run_C(l):
    c, s = pair(PORTS["C"], l)
    time.sleep(random.uniform(0.002, 0.014))
    c.close()                              # trigger FIN
    time.sleep(0.03)
    return None, s

def main():
    enter_netns()
    pcap = "/tmp/exp1.pcap"
    ls = {k: tcp_listener(p) for k, p in PORTS.items()}
    cap = Capture(pcap)
    keep = []
    for i in range(N):
        for k, fn in (("A", run_A), ("B", run_B), ("C", run_C)):
            keep.append(fn(ls[k]))
    for c, s in keep:
        for x in (c, s):
            if x: x.close()
    print("tcpdump stats:", cap.stop())
    out = tcpdump_read(pcap, "-tt")
    pk = []
    for ln in out.splitlines():
        m = LINE.match(ln)
        if m: pk.append((float(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5), ln))
    # group per connection (client port)
    conns = {}
    for t, sp, dp, fl, rest, ln in pk:
        if dp in PORTS.values(): key, d = (dp, sp), "c2s"
        elif sp in PORTS.values(): key, d = (sp, dp), "s2c"
        else: continue
        conns.setdefault(key, []).append((t, d, fl, rest, ln))
    res = {"A": [], "B": [], "C": []}
    samples = {}
    for (sport, cport), L in sorted(conns.items(), key=lambda kv: kv[1][0][0]):
        k = [x for x, p in PORTS.items() if p == sport][0]
        if k == "A":   # trigger = 2nd c2s data packet
            idx = [i for i, x in enumerate(L) if x[1] == "c2s" and "length 5" in x[3]][1]
        else:          # trigger = c2s FIN
            idx = [i for i, x in enumerate(L) if x[1] == "c2s" and "F" in x[2]][0]
        t0 = L[idx][0]
        resp = [x for x in L[idx + 1:] if x[1] == "s2c"][0]
        d = (resp[0] - t0) * 1000
        res[k].append((d, t0, resp[0]))
        samples.setdefault(k, (L[idx][4], resp[4]))
    print("\n== example trigger/response lines ==")
    for k in "ABC":
        print(k, "\n ", samples[k][0], "\n ", samples[k][1])
    # tick phase: the response times mod 4 ms should cluster if the timer fires on jiffy ticks
    fire = [r[2] for k in "ABC" for r in res[k]]
    ph = [(t * 1000) % 4.0 for t in fire]
    # circular mean
    import cmath, math
    z = sum(cmath.exp(2j * math.pi * p / 4.0) for p in ph) / len(ph)
    phase = (cmath.phase(z) / (2 * math.pi) * 4.0) % 4.0
    dev = [min(abs(p - phase), 4 - abs(p - phase)) for p in ph]
    print(f"\n== tick phase of all {len(ph)} timer-fired ACKs (realtime ms mod 4) ==")
    print(f"circular mean phase {phase:.3f} ms, |z|={abs(z):.3f}, max deviation {max(dev)*1000:.0f} us, "
          f"median deviation {statistics.median(dev)*1000:.0f} us")
    for k, ato_j in (("A", 10), ("B", 10), ("C", 0)):
        ds = sorted(r[0] for r in res[k])
        # prediction: fires on tick number floor((t0-phase)/4)+ato_j+1
        ok = 0
        for d, t0, t1 in res[k]:
            tick0 = math.floor((t0 * 1000 - phase) / 4.0)
            pred = (tick0 + ato_j + 1) * 4.0 + phase
            if abs(pred - t1 * 1000) < 0.5: ok += 1
            else: print(f"   mismatch: delay {d:.3f} ms, trigger at {((t0*1000-phase)%4.0):.3f} ms after a tick, "
                        f"fired {t1*1000-pred:+.3f} ms from predicted tick")
        print(f"{k}: n={len(ds)} min={ds[0]:.3f} median={statistics.median(ds):.3f} max={ds[-1]:.3f} ms; "
              f"fire time == tick(floor((t0-phase)/4ms)+{ato_j}+1) within 0.5 ms: {ok}/{len(ds)}")
        print("   all:", " ".join(f"{x:.2f}" for x in ds))

main()
