"""Experiment 9: AF_UNIX socketpair (SOCK_STREAM, also SOCK_DGRAM/SEQPACKET briefly) and pipes: errors and poll masks
when the other end is closed. poll = all bits requested, timeout 0, shown as hex and names.
SIGPIPE: SIG_DFL + blocked; "SIGPIPE=yes" = the call generated it (seen with sigpending, consumed with sigtimedwait).
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, Capture, tcpdump_read, ...)

import fcntl
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPIPE})
def sigpipe():
    pend = signal.SIGPIPE in signal.sigpending()
    if pend: signal.sigtimedwait([signal.SIGPIPE], 0)
    return "SIGPIPE=yes" if pend else "SIGPIPE=no"
def rawmask(fd):
    p = select.poll(); p.register(fd, 0xffff & ~select.POLLNVAL); r = p.poll(0)
    return f"{(r[0][1] if r else 0):#06x}"
def pm(s): return f"{rawmask(s)} {pollmask(s)}"
def soerr(s):
    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR); return ename(e) if e else 0
def snd(s, data, flags=0):
    r = call(s.send, data, flags); return f"{r} {sigpipe()}"
def wr(fd, data):
    r = call(os.write, fd, data); return f"{r} {sigpipe()}"
def p(case, txt): print(f"[{case}] {txt}", flush=True)

def main():
    enter_netns()
    ST = socket.SOCK_STREAM
    a, b = socket.socketpair(socket.AF_UNIX, ST)
    p("9.0", f"socketpair idle: {pm(a)}; after peer sent 5 B: ", )
    b.send(b"hello"); p("9.0", f"with 5 B unread: {pm(a)}; a.recv -> {a.recv(10)!r}")
    b.shutdown(socket.SHUT_WR)
    p("9.0", f"peer shutdown(SHUT_WR): {pm(a)}; recv -> {call(a.recv, 10)!r}; peer itself: {pm(b)}")
    a.shutdown(socket.SHUT_WR); p("9.0", f"both SHUT_WR: a {pm(a)}; b {pm(b)}")
    a.close(); b.close()
    # 9a peer closed, nothing pending
    a, b = socket.socketpair(socket.AF_UNIX, ST); b.close()
    p("9a", f"peer closed, nothing pending: poll {pm(a)}; SO_ERROR {soerr(a)}; recv -> {call(a.recv, 10)!r}, {call(a.recv, 10)!r}; "
            f"send -> {snd(a, b'x')}; send MSG_NOSIGNAL -> {snd(a, b'x', socket.MSG_NOSIGNAL)}; send again -> {snd(a, b'x')}; "
            f"SO_ERROR {soerr(a)}; poll {pm(a)}")
    a.setblocking(False); p("9a", f"non-blocking recv -> {call(a.recv, 10)!r}; send -> {snd(a, b'x')}")
    a.close()
    # 9b peer sent data then closed
    a, b = socket.socketpair(socket.AF_UNIX, ST); b.send(b"hello"); b.close()
    p("9b", f"peer sent 5 B then closed: poll {pm(a)}; recv(3) -> {call(a.recv, 3)!r}; poll {pm(a)}; recv -> {call(a.recv, 10)!r}; "
            f"recv -> {call(a.recv, 10)!r}; poll {pm(a)}; send -> {snd(a, b'x')}")
    a.close()
    # 9c closing end had unread data
    for variant in ("recv first", "send first", "SO_ERROR first", "both directions unread"):
        a, b = socket.socketpair(socket.AF_UNIX, ST); a.send(b"hello")
        if variant == "both directions unread": b.send(b"world")
        b.close()
        out = [f"poll {pm(a)}"]
        if variant == "send first": out.append(f"send -> {snd(a, b'x')}"); out.append(f"send -> {snd(a, b'x')}")
        if variant == "SO_ERROR first": out.append(f"SO_ERROR {soerr(a)}")
        out.append(f"recv -> {call(a.recv, 10)!r}"); out.append(f"poll {pm(a)}"); out.append(f"recv -> {call(a.recv, 10)!r}")
        out.append(f"recv -> {call(a.recv, 10)!r}")
        out.append(f"send -> {snd(a, b'x')}"); out.append(f"SO_ERROR {soerr(a)}"); out.append(f"poll {pm(a)}")
        p("9c " + variant, "; ".join(out))
        a.close()
    # SOCK_SEQPACKET and SOCK_DGRAM, briefly
    for name, ty in (("SEQPACKET", socket.SOCK_SEQPACKET), ("DGRAM", socket.SOCK_DGRAM)):
        a, b = socket.socketpair(socket.AF_UNIX, ty); p(f"9d {name}", f"idle poll {pm(a)}")
        b.close()
        p(f"9d {name}", f"peer closed: poll {pm(a)}; send -> {snd(a, b'x')}; send again -> {snd(a, b'x')}; "
                        f"send MSG_NOSIGNAL -> {snd(a, b'x', socket.MSG_NOSIGNAL)}; SO_ERROR {soerr(a)}; recv (non-blocking) -> {call(a.recv, 10, socket.MSG_DONTWAIT)!r}; poll {pm(a)}")
        a.close()
        a, b = socket.socketpair(socket.AF_UNIX, ty); a.send(b"hello"); b.close()
        p(f"9d {name}", f"closing end had unread data: poll {pm(a)}; recv (non-blocking) -> {call(a.recv, 10, socket.MSG_DONTWAIT)!r}, "
                        f"{call(a.recv, 10, socket.MSG_DONTWAIT)!r}; send -> {snd(a, b'x')}")
        a.close()
    # pipes
    r, w = os.pipe()
    p("9e", f"pipe idle: read end {rawmask(r)} {pollmask(r)}; write end {rawmask(w)} {pollmask(w)}")
    os.write(w, b"hello")
    p("9e", f"5 B in pipe: read end {rawmask(r)} {pollmask(r)}; write end {rawmask(w)} {pollmask(w)}")
    os.set_blocking(w, False); n = 5
    try:
        while True: n += os.write(w, b"p" * 4096)
    except BlockingIOError: pass
    p("9e", f"pipe full ({n} B, F_GETPIPE_SZ {fcntl.fcntl(w, 1032)}): read end {rawmask(r)} {pollmask(r)}; write end {rawmask(w)} {pollmask(w)}; write -> {wr(w, b'x')}")
    os.close(r); os.close(w)
    r, w = os.pipe(); os.close(r)
    p("9f", f"read end closed: write end poll {rawmask(w)} {pollmask(w)}; write -> {wr(w, b'x')}; again -> {wr(w, b'x')}")
    os.close(w)
    r, w = os.pipe(); os.write(w, b"hello"); os.close(r)
    p("9f", f"read end closed with 5 B unread: write end poll {rawmask(w)} {pollmask(w)}; write -> {wr(w, b'x')}")
    os.close(w)
    r, w = os.pipe(); os.close(w)
    p("9g", f"write end closed, empty: read end poll {rawmask(r)} {pollmask(r)}; read -> {call(os.read, r, 10)!r}, {call(os.read, r, 10)!r}")
    os.close(r)
    r, w = os.pipe(); os.write(w, b"hello"); os.close(w)
    p("9g", f"write end closed, 5 B unread: read end poll {rawmask(r)} {pollmask(r)}; read(3) -> {call(os.read, r, 3)!r}; "
            f"read -> {call(os.read, r, 10)!r}; poll {rawmask(r)} {pollmask(r)}; read -> {call(os.read, r, 10)!r}")
    os.close(r)
    r, w = os.pipe()
    p("9h", f"write() on read end -> {call(os.write, r, b'x')}; read() on write end -> {call(os.read, w, 1)}")

main()
