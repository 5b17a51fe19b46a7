"""Experiment 4: send buffer, partial sends, EAGAIN, blocking send into a peer that never reads.

  4a default SO_SNDBUF/SO_RCVBUF of a fresh socket, a connected client, an accepted socket
     (and after the transfers below: autotuning).
  4b non-blocking send of one 1 MB buffer, then again and again, until EAGAIN; likewise 10 MB.
     The peer never reads. Each send() return value is printed. 3 repetitions each.
  4c blocking send of 1 MB with a 3 s SO_SNDTIMEO to a peer that never reads: does it block?
  Segment sizes on the wire are listed (GSO super-segments) for the first 1 MB case.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

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
