"""Experiment 12: how long a TIME_WAIT socket really lasts (TCP_TIMEWAIT_LEN is 60 s; the timer wheel rounds it).

The client closes, the server closes 50 ms later: the client enters TIME_WAIT. /proc/net/tcp is polled every 10 ms
from 59 s on until the row is gone. Run three at once (each in its own namespace) to see the spread.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: F401,F403  (enter_netns, ...)

enter_netns()
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(("127.0.0.1", 4321)); l.listen(1)
c = socket.create_connection(("127.0.0.1", 4321)); c.settimeout(None); s, _ = l.accept()
c.close(); time.sleep(0.05); s.close()
t0 = time.monotonic()

def tw():
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        if f[3] == "06": return f[5]
    return None

print("start", tw(), subprocess.run(["netstat", "-tno"], capture_output=True, text=True).stdout.splitlines()[-1])
time.sleep(59.0)
while tw() is not None:
    time.sleep(0.01)
print("gone after %.3f s" % (time.monotonic() - t0))
