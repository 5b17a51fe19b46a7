"""Experiment 15: the answer to a segment that no socket wants (tcp_v4_send_reset), for every kind of segment.

Hand-made segments (a raw socket, IP_HDRINCL) go from 127.0.0.1:4898x to 127.0.0.1:47501, where nothing listens.
The capture is printed with -v (IP id, checksum) and -S (absolute sequence numbers).
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403

CASES = [
    # (name, source port, seq, ack, flags, payload)
    ("bare ACK (ack 5000)", 48981, 1000, 5000, "A", b""),
    ("ACK + 10 bytes", 48982, 1000, 5000, "PA", b"0123456789"),
    ("10 bytes, no ACK (seq 1000)", 48983, 1000, 0, "P", b"0123456789"),
    ("FIN (seq 2000)", 48984, 2000, 0, "F", b""),
    ("FIN + 3 bytes (seq 3000)", 48985, 3000, 0, "F", b"abc"),
    ("SYN + 2 bytes (seq 4000)", 48986, 4000, 0, "S", b"xy"),
    ("SYN (seq 6000)", 48987, 6000, 0, "S", b""),
    ("no flags (seq 8000)", 48988, 8000, 0, "", b""),
    ("FIN + ACK (seq 9000, ack 7000)", 48989, 9000, 7000, "FA", b""),
    ("RST (seq 1)", 48990, 1, 0, "R", b""),
    ("RST + ACK", 48991, 1, 1, "RA", b""),
]

def main():
    enter_netns()
    pcap = "/tmp/exp15.pcap"
    cap = Capture(pcap, "tcp")
    for name, sport, seq, ack, flags, payload in CASES:
        raw_tcp(sport, 47501, seq, ack, flags, payload)
        time.sleep(0.05)
    time.sleep(0.2)
    print("tcpdump stats:", cap.stop().replace("\n", "; "))
    for name, sport, *_ in CASES:
        print(f"\n=== {name} ===")
        print(tcpdump_read(pcap, "-ttttt", "-v", "-S", "port", str(sport)))

main()
