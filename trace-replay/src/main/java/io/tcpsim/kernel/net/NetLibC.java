package io.tcpsim.kernel.net;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The glibc calls the two-host topology needs beyond {@link io.tcpsim.kernel.LibC} (x86_64 Linux only): packet
 * sockets with receive timestamps, ppoll with a nanosecond timeout, an eventfd to wake the forwarder, the thread's
 * timer slack and scheduling class, and setns for tests that look into a namespace.
 *
 * <p>Struct layouts (x86_64): sockaddr_ll 20 bytes (family u16 native, protocol be16 at 2, ifindex i32 at 4, hatype
 * u16 at 8, pkttype u8 at 10, halen u8 at 11, addr[8] at 12); msghdr 56 bytes (name 0, namelen 8, iov 16, iovlen
 * 24, control 32, controllen 40, flags 48); iovec 16 bytes; cmsghdr 16 bytes then data (len 0, level 8, type 12).
 */
interface NetLibC extends Library {

    NetLibC C = Native.load("c", NetLibC.class);

    int AF_PACKET = 17;
    int SOCK_RAW = 3, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    /** ETH_P_ALL (0x0003), which sockaddr_ll.sll_protocol holds in network byte order. */
    int ETH_P_ALL = 0x0003;
    int SOL_SOCKET = 1, SOL_PACKET = 263;
    int SO_RCVBUFFORCE = 33, SO_SNDBUFFORCE = 32, SO_TIMESTAMPNS = 35, SCM_TIMESTAMPNS = 35;
    int PACKET_STATISTICS = 6, PACKET_IGNORE_OUTGOING = 23;
    int PACKET_OUTGOING = 4;
    int MSG_DONTWAIT = 0x40, MSG_TRUNC = 0x20;
    int POLLIN = 1;
    int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    int PR_SET_TIMERSLACK = 29;
    int SCHED_FIFO = 1;
    int O_RDONLY = 0, O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;
    int SIZEOF_SOCKADDR_LL = 20, SIZEOF_MSGHDR = 56, SIZEOF_IOVEC = 16;

    int if_nametoindex(String name);
    long recvmsg(int fd, Pointer msghdr, int flags);
    int ppoll(Pointer fds, long nfds, Pointer timeout, Pointer sigmask);
    int eventfd(int initval, int flags);
    int gettid();
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    int sched_setscheduler(int pid, int policy, int[] param);
    int setns(int fd, int nstype);
    int open(String path, int flags);
}
