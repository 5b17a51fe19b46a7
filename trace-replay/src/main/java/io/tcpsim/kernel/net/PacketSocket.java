package io.tcpsim.kernel.net;

import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import io.tcpsim.kernel.LibC;

/**
 * An AF_PACKET socket bound to one interface of the namespace it was opened in (open it on that namespace's
 * thread; afterwards any thread may use it). Frames are whole Ethernet frames, read with the kernel's receive
 * timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME: the clock of pcap timestamps).
 *
 * <p>Opened with protocol 0 it receives nothing (packet_do_bind registers no hook for protocol 0): a socket that
 * only sends. Bound with ETH_P_ALL it receives every frame the interface receives; PACKET_IGNORE_OUTGOING keeps it
 * from also seeing what the interface transmits (its own sends and anyone else's).
 */
final class PacketSocket implements AutoCloseable {
    static final int FRAME_BUFFER = 65536 + 64;
    private static final int CONTROL = 64;

    final int fd;
    final int ifindex;
    final String device;
    private final Memory buffer = new Memory(FRAME_BUFFER);
    private final Memory iov = new Memory(NetLibC.SIZEOF_IOVEC);
    private final Memory msg = new Memory(NetLibC.SIZEOF_MSGHDR);
    private final Memory name = new Memory(NetLibC.SIZEOF_SOCKADDR_LL);
    private final Memory control = new Memory(CONTROL);
    private boolean closed;

    /** What {@link #receive} read: the frame, its kernel timestamp, and whether the interface sent it. */
    record Received(byte[] frame, long timeNanos, boolean outgoing) {}

    private PacketSocket(int fd, int ifindex, String device) {
        this.fd = fd;
        this.ifindex = ifindex;
        this.device = device;
        iov.setPointer(0, buffer);
        iov.setLong(8, FRAME_BUFFER);
    }

    /** A socket that receives every frame arriving on {@code device} (non-blocking, 4 MB receive buffer). */
    static PacketSocket receiving(String device) {
        return open(device, true);
    }

    /** A socket that only sends on {@code device}. */
    static PacketSocket sending(String device) {
        return open(device, false);
    }

    private static PacketSocket open(String device, boolean receive) {
        NetLibC n = NetLibC.C;
        int ifindex = n.if_nametoindex(device);
        if (ifindex == 0) throw new IllegalStateException("no interface " + device + ": errno " + LibC.errno());
        int fd = LibC.C.socket(NetLibC.AF_PACKET, NetLibC.SOCK_RAW | NetLibC.SOCK_NONBLOCK | NetLibC.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new IllegalStateException("socket(AF_PACKET): errno " + LibC.errno());
        try {
            if (receive) {
                option(fd, NetLibC.SOL_SOCKET, NetLibC.SO_RCVBUFFORCE, 4 << 20, "SO_RCVBUFFORCE");
                option(fd, NetLibC.SOL_SOCKET, NetLibC.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
                option(fd, NetLibC.SOL_PACKET, NetLibC.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            }
            option(fd, NetLibC.SOL_SOCKET, NetLibC.SO_SNDBUFFORCE, 4 << 20, "SO_SNDBUFFORCE");
            byte[] ll = new byte[NetLibC.SIZEOF_SOCKADDR_LL];
            ll[0] = (byte) NetLibC.AF_PACKET; // sll_family, native-order u16
            if (receive) { // sll_protocol, big-endian
                ll[2] = (byte) (NetLibC.ETH_P_ALL >>> 8);
                ll[3] = (byte) NetLibC.ETH_P_ALL;
            }
            ll[4] = (byte) ifindex;
            ll[5] = (byte) (ifindex >>> 8);
            ll[6] = (byte) (ifindex >>> 16);
            ll[7] = (byte) (ifindex >>> 24);
            if (LibC.C.bind(fd, ll, ll.length) != 0) {
                throw new IllegalStateException("bind(AF_PACKET, " + device + "): errno " + LibC.errno());
            }
        } catch (RuntimeException e) {
            LibC.C.close(fd);
            throw e;
        }
        return new PacketSocket(fd, ifindex, device);
    }

    private static void option(int fd, int level, int name, int value, String what) {
        if (LibC.C.setsockopt(fd, level, name, new int[] {value}, 4) != 0) {
            throw new IllegalStateException("setsockopt(" + what + "): errno " + LibC.errno());
        }
    }

    /** The next frame, or null when none is waiting (the socket is non-blocking). */
    Received receive() {
        msg.clear();
        msg.setPointer(0, name);
        msg.setInt(8, NetLibC.SIZEOF_SOCKADDR_LL);
        msg.setPointer(16, iov);
        msg.setLong(24, 1);
        msg.setPointer(32, control);
        msg.setLong(40, CONTROL);
        long n = NetLibC.C.recvmsg(fd, msg, NetLibC.MSG_DONTWAIT);
        if (n < 0) {
            int errno = LibC.errno();
            if (errno == LibC.EAGAIN || errno == LibC.EINTR) return null;
            throw new IllegalStateException("recvmsg(AF_PACKET, " + device + "): errno " + errno);
        }
        if ((msg.getInt(48) & NetLibC.MSG_TRUNC) != 0) {
            throw new IllegalStateException("a frame on " + device + " is larger than " + FRAME_BUFFER + " bytes");
        }
        boolean outgoing = (name.getByte(10) & 0xff) == NetLibC.PACKET_OUTGOING;
        return new Received(buffer.getByteArray(0, (int) n), timestamp(), outgoing);
    }

    /** SCM_TIMESTAMPNS from the control messages, or the current time when the kernel gave none. */
    private long timestamp() {
        long len = msg.getLong(40);
        long at = 0;
        while (at + 16 <= len) {
            long cmsgLen = control.getLong(at);
            if (cmsgLen < 16) break;
            if (control.getInt(at + 8) == NetLibC.SOL_SOCKET && control.getInt(at + 12) == NetLibC.SCM_TIMESTAMPNS) {
                return control.getLong(at + 16) * 1_000_000_000L + control.getLong(at + 24);
            }
            at += (cmsgLen + 7) & ~7L;
        }
        return RealClock.nanos();
    }

    /** Sends one frame; returns 0 or the errno. */
    int send(byte[] frame) {
        long n = LibC.C.send(fd, frame, frame.length, 0);
        return n == frame.length ? 0 : n < 0 ? LibC.errno() : -1;
    }

    /**
     * PACKET_STATISTICS: frames received and frames the socket dropped (its buffer full) since the last read; the
     * kernel resets both on every read.
     */
    long[] statistics() {
        int[] v = new int[2];
        IntByReference len = new IntByReference(8);
        if (LibC.C.getsockopt(fd, NetLibC.SOL_PACKET, NetLibC.PACKET_STATISTICS, v, len) != 0) {
            throw new IllegalStateException("getsockopt(PACKET_STATISTICS): errno " + LibC.errno());
        }
        return new long[] {v[0] & 0xffffffffL, v[1] & 0xffffffffL};
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        LibC.C.close(fd);
    }
}
