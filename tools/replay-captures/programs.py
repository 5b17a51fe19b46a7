#!/usr/bin/env python3
"""Small loopback programs whose captures tcpsim replay must explain (docs/replay.md).
Run one by name: python3 programs.py close-then-send. Each uses port 4321 on 127.0.0.1, one process,
blocking sockets, and sleeps between steps so that every kernel timer has fired before the next call."""
import socket, struct, sys, time

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

PROGRAMS = {f.__name__.replace("_", "-"): f for f in [close_then_send, shutdown_then_send, request_response,
            refused, linger_zero, unread_close, server_closes_first, two_connections]}

if __name__ == "__main__":
    PROGRAMS[sys.argv[1]]()
