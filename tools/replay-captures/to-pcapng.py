#!/usr/bin/env python3
"""Converts a classic pcap to pcapng (tcpdump 4.99.3 cannot write pcapng and tshark is not installed here).
Writes what Wireshark writes: an SHB, one IDB with if_tsresol (default 9: nanoseconds), and one EPB per record.
Usage: to-pcapng.py IN.pcap OUT.pcapng [--big-endian] [--tsresol N] [--spb]  (--spb: Simple Packet Blocks)"""
import struct, sys

def main():
    src, dst = sys.argv[1], sys.argv[2]
    big = "--big-endian" in sys.argv
    spb = "--spb" in sys.argv
    res = int(sys.argv[sys.argv.index("--tsresol") + 1]) if "--tsresol" in sys.argv else 9
    data = open(src, "rb").read()
    magic = data[:4]
    le = magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    nanos = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    e = "<" if le else ">"
    snaplen, link = struct.unpack(e + "II", data[16:24])
    o = ">" if big else "<"
    def block(t, body):
        pad = (-len(body)) % 4
        n = 12 + len(body) + pad
        return struct.pack(o + "II", t, n) + body + b"\0" * pad + struct.pack(o + "I", n)
    def opt(code, value):
        return struct.pack(o + "HH", code, len(value)) + value + b"\0" * ((-len(value)) % 4)
    out = [block(0x0A0D0D0A, struct.pack(o + "IHHq", 0x1A2B3C4D, 1, 0, -1) + opt(4, b"tcpsim to-pcapng.py") + opt(0, b""))]
    out.append(block(1, struct.pack(o + "HHI", link, 0, snaplen) + opt(9, bytes([res])) + opt(0, b"")))
    i = 24
    while i + 16 <= len(data):
        sec, frac, cap, orig = struct.unpack(e + "IIII", data[i:i + 16])
        frame = data[i + 16:i + 16 + cap]
        i += 16 + cap
        ns = sec * 10**9 + (frac if nanos else frac * 1000)
        ts = ns * 10**res // 10**9
        if spb:
            out.append(block(3, struct.pack(o + "I", orig) + frame))
        else:
            out.append(block(6, struct.pack(o + "IIIII", 0, ts >> 32, ts & 0xffffffff, cap, orig) + frame))
    open(dst, "wb").write(b"".join(out))

main()
