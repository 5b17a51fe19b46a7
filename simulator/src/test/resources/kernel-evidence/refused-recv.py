import socket, select, errno, ctypes
libc = ctypes.CDLL(None, use_errno=True)
def rawrecv(fd, n=100):
    buf = ctypes.create_string_buffer(n)
    r = libc.recv(fd, buf, n, 0x40)
    return r if r >= 0 else errno.errorcode[ctypes.get_errno()]
def rawconnect(fd, port):
    import struct
    sa = struct.pack("HH4s8x", socket.AF_INET, socket.htons(port), socket.inet_aton("127.0.0.1"))
    r = libc.connect(fd, sa, len(sa))
    return r if r >= 0 else errno.errorcode[ctypes.get_errno()]
s = socket.socket(); s.setblocking(False)
print("connect", rawconnect(s.fileno(), 47999))
p = select.poll(); p.register(s, select.POLLOUT); print("poll", hex(p.poll(1000)[0][1]))
print("recv1", rawrecv(s.fileno())); print("recv2", rawrecv(s.fileno())); print("recv3", rawrecv(s.fileno()))
s2 = socket.socket(); s2.setblocking(False)
print("B connect", rawconnect(s2.fileno(), 47999)); p = select.poll(); p.register(s2, select.POLLOUT); p.poll(1000)
print("B connect again", rawconnect(s2.fileno(), 47999)); print("B recv", rawrecv(s2.fileno())); print("B recv", rawrecv(s2.fileno()))
