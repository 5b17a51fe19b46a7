"""Experiment 14: handshake values and loopback delays, the socket table, FIN_WAIT2 and TIME_WAIT, simultaneous close,
and SO_LINGER in a process that exits.

 14a 30 handshakes: the three packets, their spacing, the windows and options
 14b the same with tcp_rmem[2] = 6291456 in the namespace: the window scale and the raw window that follow
 14c the socket table: Recv-Q/Send-Q in CLOSE_WAIT and FIN_WAIT1, accept-queue children, sockets in CLOSE, what
     netstat -tn hides, the -o timer column
 14d an orphan's FIN_WAIT2 (timewait minisock) and a FIN_WAIT2 whose fd is open: /proc rows, netstat -o; the peer's
     FIN then: the ACK, TIME_WAIT, the timer re-armed
 14e TIME_WAIT: its answer to a retransmitted FIN (the final ACK dropped with nftables); an in-window RST (raw);
     a new SYN on the same 4-tuple
 14f a FIN in FIN_WAIT1 (the first FIN dropped with nftables): CLOSING
 14g SO_LINGER {1, 2} with the FIN never ACKed (the peer's packets dropped): close() in a live process, exit()
 14h the peer's FIN after data, and the application closes before its delayed ACK: a three-packet close
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403

def lines_for(pcap, port, *extra):
    return tcpdump_read(pcap, *extra, "port", str(port)).splitlines()

def stamp(line):
    return float(line.split()[0])

def main():
    enter_netns()
    block_sigpipe()
    pcap = "/tmp/exp14.pcap"
    cap = Capture(pcap, "tcp")
    nft("add table inet t", "add chain inet t out { type filter hook output priority 0 ; }")

    # 14a
    l = tcp_listener(47401, 64)
    for i in range(30):
        c = socket.create_connection(("127.0.0.1", 47401)); c.settimeout(None)
        a, _ = l.accept(); c.close(); a.close(); time.sleep(0.01)
    l.close()
    # 14b
    subprocess.run(["sysctl", "-qw", "net.ipv4.tcp_rmem=4096 131072 6291456"], check=True)
    p("14b", "tcp_rmem " + open("/proc/sys/net/ipv4/tcp_rmem").read().strip() + ", rmem_max "
             + open("/proc/sys/net/core/rmem_max").read().strip())
    c, s = pair(47402); c.send(b"x"); time.sleep(0.02); c.close(); s.close()
    subprocess.run(["sysctl", "-qw", "net.ipv4.tcp_rmem=4096 131072 33554432"], check=True)
    time.sleep(0.1)

    # 14c
    p("14c", "netstat -tn header: " + repr(subprocess.run(["netstat", "-tn"], capture_output=True, text=True).stdout.splitlines()[1]))
    l = tcp_listener(47403, 8)
    c1 = socket.create_connection(("127.0.0.1", 47403)); c2 = socket.create_connection(("127.0.0.1", 47403))
    time.sleep(0.02)
    p("14c", f"listener with 2 children not accepted: {proc_rows(47403)}")
    p("14c", "netstat -tan: " + " | ".join(" ".join(r.split()) for r in netstat_rows(47403, "-tan")))
    p("14c", "netstat -tn:  " + " | ".join(" ".join(r.split()) for r in netstat_rows(47403, "-tn")))
    a1, _ = l.accept(); a2, _ = l.accept()
    p("14c", f"after both accepts: {proc_rows(47403)}")
    c1.shutdown(socket.SHUT_WR); time.sleep(0.02)
    p("14c", f"CLOSE_WAIT, nothing unread: {proc_rows(47403)}")
    c2.send(b"abc"); c2.shutdown(socket.SHUT_WR); time.sleep(0.02)
    p("14c", f"CLOSE_WAIT, 3 B unread: {proc_rows(47403)}")
    a2.recv(10); p("14c", f"after recv -> 3 B: {proc_rows(47403)}")
    a2.recv(10); p("14c", f"after recv -> 0: {proc_rows(47403)}")
    for x in (c1, c2, a1, a2): x.close()
    time.sleep(0.1)
    c, s = pair(47404)
    c.send(b"x"); time.sleep(0.02); s.recv(10)       # S's ACK of a FIN now waits 40 ms
    c.shutdown(socket.SHUT_WR)
    r = proc_rows(47404); n = " | ".join(" ".join(x.split()) for x in netstat_rows(47404))
    p("14c", f"FIN_WAIT1, FIN not yet ACKed: {r}; netstat -tano: {n}")
    time.sleep(0.06)
    p("14c", f"after the delayed ACK: {proc_rows(47404)}")
    c.close(); s.close()
    c, s = pair(47405)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 0)); c.close(); time.sleep(0.02)
    p("14c", f"a socket in CLOSE after an RST (fd open): {proc_rows(47405)}; ss {ss_state(47405)}")
    s.close()
    x = socket.socket(); x.setblocking(False); x.connect_ex(("127.0.0.1", 47406)); time.sleep(0.02)
    p("14c", f"a refused socket (fd open): {proc_rows(47406)}")
    x.close()

    # 14d
    c, s = pair(47411)
    c.close(); time.sleep(0.05)
    p("14d", f"orphan after its FIN was ACKed: {proc_rows(47411)}")
    p("14d", "netstat -tno: " + " | ".join(" ".join(x.split()) for x in netstat_rows(47411, "-tno")))
    p("14d", "ss: " + " ".join(subprocess.run(["ss", "-tnoH", "state", "fin-wait-2"], capture_output=True, text=True).stdout.split()))
    time.sleep(1.0)
    s.close(); time.sleep(0.02)
    p("14d", f"1 s later the peer closes: {proc_rows(47411)}")
    p("14d", "netstat -tno: " + " | ".join(" ".join(x.split()) for x in netstat_rows(47411, "-tno")))
    c, s = pair(47412)
    c.shutdown(socket.SHUT_WR); time.sleep(0.05)
    p("14d", f"FIN_WAIT2 with the fd open: {proc_rows(47412)}")
    p("14d", "netstat -tno: " + " | ".join(" ".join(x.split()) for x in netstat_rows(47412, "-tno")))
    s.close(); time.sleep(0.02)
    p("14d", f"the peer closes: {proc_rows(47412)}")
    c.close()

    # 14e: the final ACK from C (in TIME_WAIT) is dropped once, so S retransmits its FIN
    c, s = pair(47421)
    cport = c.getsockname()[1]
    c.close(); time.sleep(0.05)
    nft(f"add rule inet t out tcp sport {cport} tcp dport 47421 tcp flags & (fin|syn|rst|ack) == ack drop")
    s.close(); time.sleep(0.01)
    nft("flush chain inet t out")
    p("14e", f"TIME_WAIT, its first ACK dropped: {proc_rows(47421)}")
    time.sleep(0.6)
    p("14e", f"after S's retransmitted FIN: {proc_rows(47421)}; S side gone: {ss_state(47421)}")
    # in-window RST into a TIME_WAIT: seq = what C expects next (the peer's FIN + 1), from the dump
    c, s = pair(47422)
    cport = c.getsockname()[1]
    c.close(); time.sleep(0.05); s.close(); time.sleep(0.02)
    fin = [ln for ln in tcpdump_read(pcap, "-S", "port", "47422").splitlines() if "47422 >" in ln and "[F." in ln]
    fseq = int(fin[-1].split("seq ")[1].split(",")[0])
    p("14e", f"TIME_WAIT before the RST: {proc_rows(47422)}; the peer's FIN had seq {fseq}")
    raw_tcp(47422, cport, fseq + 1, 0, "R"); time.sleep(0.02)
    p("14e", f"after an RST at seq {fseq + 1}: {proc_rows(47422)}")
    # a SYN on the 4-tuple of a TIME_WAIT: the server closes first, so the TIME_WAIT is on the listener's port
    l = tcp_listener(47423)
    c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); c.bind(("127.0.0.1", 47499))
    c.connect(("127.0.0.1", 47423)); s, _ = l.accept()
    s.close(); time.sleep(0.05); c.close(); time.sleep(0.05)
    p("14e", f"server-side TIME_WAIT: {proc_rows(47423)}")
    c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); c.bind(("127.0.0.1", 47499))
    t0 = time.monotonic(); r = call(c.connect, ("127.0.0.1", 47423)); dt = (time.monotonic() - t0) * 1000
    s, _ = l.accept()
    p("14e", f"a new connect from the same port -> {r} in {dt:.2f} ms; {proc_rows(47423)}")
    c.close(); s.close(); l.close()

    # 14f: C's FIN is dropped, so C is in FIN_WAIT1 when S's FIN arrives
    c, s = pair(47431)
    cport = c.getsockname()[1]
    nft(f"add rule inet t out tcp sport {cport} tcp dport 47431 tcp flags & fin == fin drop")
    c.shutdown(socket.SHUT_WR); time.sleep(0.01)
    p("14f", f"C's FIN dropped: {ss_state(47431)}")
    s.shutdown(socket.SHUT_WR); time.sleep(0.01)
    p("14f", f"S's FIN reached C in FIN_WAIT1: {ss_state(47431)}")
    nft("flush chain inet t out")
    time.sleep(1.0)
    p("14f", f"after C's FIN is retransmitted: {ss_state(47431)}")
    c.close(); s.close()

    # 14g
    for mode, port in (("close", 47441), ("exit", 47442)):
        l = tcp_listener(port)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            k = socket.create_connection(("127.0.0.1", port)); k.settimeout(None)
            k.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER(1, 2))
            os.write(w, b"x")
            time.sleep(0.2)
            t0 = time.monotonic()
            if mode == "close":
                k.close()
                os.write(1, f"[14g] close() with SO_LINGER {{1, 2}}, FIN not ACKed: returned after {(time.monotonic() - t0) * 1000:.1f} ms\n".encode())
            os._exit(0)
        os.read(r, 1)
        nft(f"add rule inet t out tcp sport {port} drop")   # nothing from the server side leaves: no ACK of the FIN
        time.sleep(0.2)
        t0 = time.monotonic(); os.waitpid(pid, 0); dt = (time.monotonic() - t0) * 1000
        p("14g", f"{mode}: the child ended {dt:.1f} ms after its last call began; ss {ss_state(port)}")
        nft("flush chain inet t out")
        l.close()

    # 14h
    for i, port in enumerate((47451, 47452, 47453)):
        c, s = pair(port)
        c.send(b"hello"); time.sleep(0.02); s.recv(10)
        c.close(); time.sleep(0.001 * (1 + 10 * i)); s.close(); time.sleep(0.05)
    time.sleep(0.3)
    print("tcpdump stats:", cap.stop().replace("\n", "; "))
    hs = [ln for ln in tcpdump_read(pcap, "-tt", "port", "47401").splitlines()]
    syn = synack = ack3 = None; d1 = []; d2 = []
    for ln in hs:
        if "Flags [S]," in ln: syn = stamp(ln)
        elif "Flags [S.]," in ln: synack = stamp(ln); d1.append((synack - syn) * 1e6)
        elif "Flags [.], ack 1," in ln and synack is not None:
            d2.append((stamp(ln) - synack) * 1e6); synack = None
    print(f"\n[14a] {len(d1)} handshakes: SYN -> SYN-ACK min {min(d1):.0f} median {statistics.median(d1):.0f} max {max(d1):.0f} us; "
          f"SYN-ACK -> ACK min {min(d2):.0f} median {statistics.median(d2):.0f} max {max(d2):.0f} us")
    print("\n".join(hs[:3]))
    for port in (47402, 47404, 47411, 47412, 47421, 47422, 47423, 47431, 47441, 47442, 47451, 47452, 47453):
        print(f"\n=== port {port} (-ttttt -v) ===" if port in (47411, 47412, 47421) else f"\n=== port {port} (-ttttt) ===")
        extra = ("-ttttt", "-v") if port in (47411, 47412, 47421) else ("-ttttt",)
        print("\n".join(x[:230] for x in lines_for(pcap, port, *extra)))

main()
