package io.tcpsim.kernel;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.TcpInfo;
import io.tcpsim.wire.SockAddr;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ss -tin} asks the kernel: a sock_diag dump (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY with an
 * inet_diag_req_v2 for AF_INET/IPPROTO_TCP and INET_DIAG_INFO), answered by inet_diag_dump_icsk with one
 * inet_diag_msg per socket and, for a full socket, its struct tcp_info (tcp_diag_get_info). Kept are the states of
 * ss's default filter (SS_CONN: not LISTEN, CLOSE, TIME-WAIT or SYN-RECV). Must run on the namespace's thread: the
 * netlink socket belongs to the network namespace of the thread that opens it.
 *
 * <p>Layouts (include/uapi/linux/netlink.h, sock_diag.h, inet_diag.h): nlmsghdr 16 bytes (len, type u16, flags u16,
 * seq, pid); inet_diag_req_v2 56 bytes (family, protocol, ext, pad, states u32, inet_diag_sockid 48); inet_diag_msg
 * 72 bytes (family, state, timer, retrans, sockid: sport and dport big-endian u16, src[4] and dst[4] big-endian u32,
 * if, cookie[2]; then expires, rqueue, wqueue, uid, inode); then rtattrs (len u16, type u16, 4-byte aligned).
 */
final class InetDiag {
    private InetDiag() {}

    static final int AF_NETLINK = 16, NETLINK_SOCK_DIAG = 4, SOCK_DIAG_BY_FAMILY = 20;
    static final int NLM_F_REQUEST = 1, NLM_F_DUMP = 0x300, NLMSG_ERROR = 2, NLMSG_DONE = 3;
    static final int INET_DIAG_INFO = 2;

    /** ss's default states: every state but LISTEN, CLOSE, TIME-WAIT and SYN-RECV (and NEW_SYN_RECV, 12). */
    static boolean listedBySs(int state) {
        return state != 10 && state != 7 && state != 6 && state != 3 && state != 12;
    }

    static List<NetstatRow> dump() {
        int fd = LibC.C.socket(AF_NETLINK, LibC.SOCK_DGRAM, NETLINK_SOCK_DIAG);
        if (fd < 0) throw new IllegalStateException("socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: errno " + LibC.errno());
        try {
            ByteBuffer req = ByteBuffer.allocate(72).order(ByteOrder.LITTLE_ENDIAN);
            req.putInt(72).putShort((short) SOCK_DIAG_BY_FAMILY).putShort((short) (NLM_F_REQUEST | NLM_F_DUMP)).putInt(1).putInt(0);
            req.put((byte) LibC.AF_INET).put((byte) LibC.IPPROTO_TCP).put((byte) (1 << (INET_DIAG_INFO - 1))).put((byte) 0);
            req.putInt(-1); // every state; filtered below as ss filters
            byte[] kernel = new byte[12];
            kernel[0] = (byte) AF_NETLINK; // sockaddr_nl: the kernel is pid 0
            long sent = LibC.C.sendto(fd, req.array(), 72, 0, kernel, 12);
            if (sent != 72) throw new IllegalStateException("sock_diag request failed: errno " + LibC.errno());
            List<NetstatRow> rows = new ArrayList<>();
            byte[] buf = new byte[65536];
            while (true) {
                long n = LibC.C.recv(fd, buf, buf.length, 0);
                if (n <= 0) throw new IllegalStateException("sock_diag answer failed: errno " + LibC.errno());
                ByteBuffer b = ByteBuffer.wrap(buf, 0, (int) n).order(ByteOrder.LITTLE_ENDIAN);
                int at = 0;
                while (at + 16 <= n) {
                    int len = b.getInt(at), type = b.getShort(at + 4) & 0xffff;
                    if (type == NLMSG_DONE) return rows;
                    if (type == NLMSG_ERROR) throw new IllegalStateException("sock_diag: error " + -b.getInt(at + 16));
                    if (len < 16 + 72) throw new IllegalStateException("sock_diag: a message of " + len + " bytes");
                    NetstatRow r = row(b, at + 16, at + len);
                    if (r != null) rows.add(r);
                    at += (len + 3) & ~3;
                }
            }
        } finally {
            LibC.C.close(fd);
        }
    }

    /** One inet_diag_msg at {@code at} and its attributes up to {@code end}; null for a state ss leaves out. */
    private static NetstatRow row(ByteBuffer b, int at, int end) {
        int state = b.get(at + 1) & 0xff;
        if (!listedBySs(state)) return null;
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        int sport = be.getShort(at + 4) & 0xffff, dport = be.getShort(at + 6) & 0xffff;
        int src = be.getInt(at + 8), dst = be.getInt(at + 24);
        long rqueue = b.getInt(at + 56) & 0xffffffffL, wqueue = b.getInt(at + 60) & 0xffffffffL;
        long inode = b.getInt(at + 68) & 0xffffffffL;
        int[] info = null;
        int a = at + 72;
        while (a + 4 <= end) {
            int rlen = b.getShort(a) & 0xffff, rtype = b.getShort(a + 2) & 0xffff;
            if (rlen < 4) break;
            if (rtype == INET_DIAG_INFO) {
                info = new int[TcpInfo.WORDS];
                int words = Math.min(TcpInfo.WORDS, (rlen - 4) / 4);
                for (int i = 0; i < words; i++) info[i] = b.getInt(a + 4 + 4 * i);
            }
            a += (rlen + 3) & ~3;
        }
        return new NetstatRow(rqueue, wqueue, new SockAddr(src, sport), new SockAddr(dst, dport), TcpState.ofCode(state),
                "", inode == 0, info);
    }
}
