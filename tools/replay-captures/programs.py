#!/usr/bin/env python3
"""Small loopback programs whose captures tcpsim replay must explain (docs/replay.md).
Run one by name: python3 programs.py close-then-send. Each uses port 4321 on 127.0.0.1, one process,
blocking sockets, and sleeps between steps so that every kernel timer has fired before the next call."""
import socket, struct, sys, threading, time

ADDR = ("127.0.0.1", 4321)

def pair():
    a = socket.socket(); a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    a.bind(ADDR); a.listen(1)
    c = socket.socket(); c.connect(ADDR)
    s, _ = a.accept()
    return a, c, s

def close_then_send():
    a, c, s = pair(); time.sleep(0.01)
    c.close(); time.sleep(0.01)
    s.send(b"a"); time.sleep(0.01)
    try: s.send(b"a")
    except OSError as e: print("second send:", e)
    time.sleep(0.05); s.close(); a.close()

def shutdown_then_send():
    a, c, s = pair(); time.sleep(0.01)
    c.shutdown(socket.SHUT_WR); time.sleep(0.01)
    s.send(b"a"); time.sleep(0.01)
    s.send(b"a"); time.sleep(0.2)
    c.close(); time.sleep(0.05)   # two unread bytes: [R.]
    s.close(); a.close()

def request_response():
    a, c, s = pair(); time.sleep(0.01)
    c.send(b"hello"); time.sleep(0.01)
    s.recv(100); s.send(b"world"); time.sleep(0.01)
    c.recv(100); time.sleep(0.1)
    c.close(); time.sleep(0.01)
    s.recv(100); s.close(); time.sleep(0.05); a.close()

def refused():
    c = socket.socket()
    try: c.connect(ADDR)
    except OSError as e: print("connect:", e)
    c.close()

def linger_zero():
    a, c, s = pair(); time.sleep(0.01)
    c.send(b"ping"); time.sleep(0.01); s.recv(100)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close(); time.sleep(0.01)
    try: s.recv(100)
    except OSError as e: print("recv:", e)
    s.close(); a.close()

def unread_close():
    a, c, s = pair(); time.sleep(0.01)
    s.send(b"unread data"); time.sleep(0.05)
    c.close(); time.sleep(0.01)    # unread data: [R.] instead of a FIN
    try: s.send(b"x")
    except OSError as e: print("send:", e)
    s.close(); a.close()

def server_closes_first():
    a, c, s = pair(); time.sleep(0.01)
    c.send(b"GET"); time.sleep(0.01); s.recv(100)
    s.send(b"response"); s.close(); time.sleep(0.01)
    c.recv(100); c.recv(100); time.sleep(0.1); c.close(); time.sleep(0.01); a.close()

def two_connections():
    for _ in range(2):
        request_response(); time.sleep(0.02)

# The programs below run their two sides in two threads and do not sleep between calls: the timing is whatever the
# kernel and the scheduler make of it, as in real programs.

def listener(backlog=1):
    a = socket.socket(); a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    a.bind(ADDR); a.listen(backlog)
    return a

def serve_in_thread(a, on_data=None, delay=0.0, size=4096):
    """Accepts one connection in a thread; after delay, reads size bytes at a time until EOF (on_data(s, d) for each
    read), then closes. Returns the started thread."""
    def serve():
        s, _ = a.accept(); time.sleep(delay)
        while True:
            d = s.recv(size)
            if not d: break
            if on_data: on_data(s, d)
        s.close()
    t = threading.Thread(target=serve); t.start()
    return t

def echo_threads():
    """An echo server thread; the client makes five round trips back to back, then half-closes and waits for EOF."""
    a = listener()
    t = serve_in_thread(a, lambda s, d: s.sendall(d))
    c = socket.create_connection(ADDR)
    for i in range(5):
        c.sendall(b"x" * (100 + i)); c.recv(4096)
    c.shutdown(socket.SHUT_WR); c.recv(100); c.close()
    t.join(); a.close()

def slow_reader():
    """Thirty 5-byte sends back to back to a server that reads only 300 ms later, then both close."""
    a = listener()
    t = serve_in_thread(a, delay=0.3)
    c = socket.create_connection(ADDR)
    for i in range(30): c.send(b"abcde")
    time.sleep(0.5); c.close(); t.join(); a.close()

def backlog_full():
    """listen(0) holds one connection; the second client's SYN is dropped until the server accepts the first."""
    a = listener(0)
    c1 = socket.create_connection(ADDR)
    c2 = socket.socket(); c2.setblocking(False)
    try: c2.connect(ADDR)
    except BlockingIOError: pass
    time.sleep(1.5)
    s1, _ = a.accept()
    c2.setblocking(True)
    time.sleep(1.5)                      # the next retransmission of c2's SYN gets the SYN-ACK
    s2, _ = a.accept()
    for c, s in ((c1, s1), (c2, s2)):
        c.send(b"hi"); s.recv(10); s.send(b"ok"); c.recv(10)
    for x in (c1, c2, s1, s2, a): x.close()

def bulk_upload():
    """The client sends 20,000 bytes with one sendall; a server thread reads to EOF and closes."""
    a = listener()
    t = serve_in_thread(a, size=65536)
    c = socket.create_connection(ADDR)
    c.sendall(b"y" * 20000); c.shutdown(socket.SHUT_WR); c.recv(10); c.close()
    t.join(); a.close()

PROGRAMS = {f.__name__.replace("_", "-"): f for f in [close_then_send, shutdown_then_send, request_response,
            refused, linger_zero, unread_close, server_closes_first, two_connections, echo_threads, slow_reader,
            backlog_full, bulk_upload]}

if __name__ == "__main__":
    PROGRAMS[sys.argv[1]]()
