#!/usr/bin/env python3
"""Remakes the loopback captures of traces/captures/foreign (and docs/raw/foreign): a sysctl or a route attribute
set in a fresh network namespace, tcpdump on lo, a small echo program. Run as root from the repository root:

    tools/experiments/foreign/make-captures.py OUTDIR [NAME...]

Each capture is written as OUTDIR/NAME-$(uname -r).pcap. What each shows: traces/captures/foreign/README.md.
"""
import os
import socket
import subprocess
import sys
import threading
import time

PORT = 7000


def sh(*cmd):
    subprocess.run(cmd, check=True)


def echo_server(listener, stop):
    c, _ = listener.accept()
    while True:
        b = c.recv(4096)
        if not b:
            break
        c.sendall(b)
    time.sleep(0.01)
    c.close()
    stop.set()


def echo(requests, gap):
    """requests one-byte requests, gap seconds apart, each answered by its echo; then the client closes."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", PORT))
    listener.listen(1)
    done = threading.Event()
    threading.Thread(target=echo_server, args=(listener, done), daemon=True).start()
    c = socket.create_connection(("127.0.0.1", PORT))
    for _ in range(requests):
        time.sleep(gap)
        c.sendall(b"x")
        c.recv(1)
    time.sleep(gap)
    c.close()
    done.wait(2)
    listener.close()


def unanswered_syn():
    """A SYN to a port whose SYNs nftables drops: the client retransmits it until connect() times out (8 s here)."""
    sh("nft", "add table inet t")
    sh("nft", "add chain inet t in { type filter hook input priority 0 ; }")
    sh("nft", "add rule inet t in tcp dport 7001 tcp flags syn drop")
    c = socket.socket()
    c.settimeout(8)
    try:
        c.connect(("127.0.0.1", 7001))
    except OSError:
        pass
    c.close()


def lighttpd(size):
    """curl fetches a file of SIZE bytes from lighttpd (Debian's), twice in one connection (HTTP/1.1 keep-alive)."""
    root = "/tmp/foreign-www"
    os.makedirs(root, exist_ok=True)
    with open(root + "/a.txt", "w") as f:
        f.write("a" * size)
    conf = root + "/lighttpd.conf"
    with open(conf, "w") as f:
        f.write('server.document-root = "%s"\nserver.port = %d\nserver.bind = "127.0.0.1"\n' % (root, PORT))
    server = subprocess.Popen(["lighttpd", "-D", "-f", conf])
    time.sleep(0.5)
    sh("curl", "-s", "-o", "/dev/null", "-o", "/dev/null", "http://127.0.0.1:%d/a.txt" % PORT,
       "http://127.0.0.1:%d/a.txt" % PORT)
    time.sleep(0.3)
    server.terminate()
    server.wait()


def redis():
    """redis-benchmark: 20 PINGs on one connection against redis-server (Debian's), one at a time."""
    server = subprocess.Popen(["redis-server", "--port", str(PORT), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    sh("redis-benchmark", "-p", str(PORT), "-c", "1", "-n", "20", "-t", "ping_inline", "-q")
    time.sleep(0.3)
    server.terminate()
    server.wait()


def http_server():
    """Python's http.server with HTTP/1.1 (keep-alive): curl fetches two pages on one connection."""
    code = ("import http.server as h\n"
            "class H(h.SimpleHTTPRequestHandler):\n"
            "    protocol_version = 'HTTP/1.1'\n"
            "    def log_message(self, *a): pass\n"
            "h.ThreadingHTTPServer(('127.0.0.1', %d), H).serve_forever()\n" % PORT)
    os.makedirs("/tmp/foreign-www", exist_ok=True)
    with open("/tmp/foreign-www/b.txt", "w") as f:
        f.write("b" * 300)
    server = subprocess.Popen([sys.executable, "-c", code], cwd="/tmp/foreign-www")
    time.sleep(0.8)
    sh("curl", "-s", "-o", "/dev/null", "-o", "/dev/null", "http://127.0.0.1:%d/b.txt" % PORT,
       "http://127.0.0.1:%d/b.txt" % PORT)
    time.sleep(0.3)
    server.terminate()
    server.wait()


CAPTURES = {
    # name: (setup commands, program)
    "sysctl-tcp-rmem-6291456": ([["sysctl", "-qw", "net.ipv4.tcp_rmem=4096 131072 6291456"]], lambda: echo(1, 0.05)),
    "sysctl-pingpong-thresh-3": ([["sysctl", "-qw", "net.ipv4.tcp_pingpong_thresh=3"]], lambda: echo(8, 0.03)),
    "sysctl-syn-linear-timeouts-0": ([["sysctl", "-qw", "net.ipv4.tcp_syn_linear_timeouts=0"]], unanswered_syn),
    "route-initrwnd-20-advmss-1460": ([["ip", "route", "change", "local", "127.0.0.1", "dev", "lo", "table", "local",
                                        "proto", "kernel", "scope", "host", "src", "127.0.0.1", "initrwnd", "20",
                                        "advmss", "1460"]], lambda: echo(1, 0.05)),
    "curl-lighttpd-keepalive": ([], lambda: lighttpd(2000)),
    "curl-lighttpd-100k": ([], lambda: lighttpd(100000)),
    "redis-benchmark-ping": ([], redis),
    "curl-python-http-server-keepalive": ([], http_server),
}


def child(name, out):
    setup, program = CAPTURES[name]
    sh("ip", "link", "set", "lo", "up")
    for cmd in setup:
        sh(*cmd)
    dump = subprocess.Popen(["tcpdump", "-i", "lo", "-B", "16384", "-s", "256", "-U", "-w", out, "tcp"],
                            stderr=subprocess.PIPE, text=True)
    dump.stderr.readline()  # "listening on lo ...": the capture has started
    time.sleep(1)
    program()
    time.sleep(1)
    dump.terminate()
    dump.wait()


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) < 2:
        sys.exit("usage: make-captures.py OUTDIR [NAME...]")
    kernel = os.uname().release
    only = sys.argv[2:] if len(sys.argv) > 2 else list(CAPTURES)
    for name in only:
        out = os.path.join(sys.argv[1], name + "-" + kernel + ".pcap")
        sh("unshare", "-n", sys.executable, os.path.abspath(__file__), "--child", name, out)
        print(out)


if __name__ == "__main__":
    main()
