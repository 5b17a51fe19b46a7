package io.tcpsim.script;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a script may name, being part of the Linux socket API, that tcpsim does not model yet. Each is refused with
 * one line in {@link #WORDS}: never accepted and then ignored, so that a script that runs means what it says.
 * docs/model.md, "What is not modelled yet", lists the same gaps.
 */
final class NotModelled {
    private NotModelled() {}

    static final String WORDS = "is not modelled yet " + io.tcpsim.backend.NotModelled.DOCS;

    /** "MSG_OOB is not modelled yet (docs/model.md ...)". */
    static String message(String what) {
        return what + " " + WORDS;
    }

    /** The message for IPv6, whether named by its family or written as an address. */
    static String ipv6(String what) {
        return what + ": IPv6 " + WORDS;
    }

    /** Linux's send and recv flags (linux/socket.h) that the model does not follow yet. */
    static final Map<String, Integer> MSG_FLAGS = table(
            "MSG_OOB", 0x1, "MSG_DONTROUTE", 0x4, "MSG_CTRUNC", 0x8, "MSG_PROBE", 0x10, "MSG_TRUNC", 0x20,
            "MSG_EOR", 0x80, "MSG_WAITALL", 0x100, "MSG_FIN", 0x200, "MSG_SYN", 0x400, "MSG_CONFIRM", 0x800,
            "MSG_RST", 0x1000, "MSG_ERRQUEUE", 0x2000, "MSG_MORE", 0x8000, "MSG_WAITFORONE", 0x10000,
            "MSG_SENDPAGE_NOPOLICY", 0x10000, "MSG_BATCH", 0x40000, "MSG_SOCK_DEVMEM", 0x2000000,
            "MSG_ZEROCOPY", 0x4000000, "MSG_SPLICE_PAGES", 0x8000000, "MSG_FASTOPEN", 0x20000000,
            "MSG_CMSG_CLOEXEC", 0x40000000);

    /** Socket options of SOL_SOCKET, IPPROTO_TCP and IPPROTO_IP that a TCP program may set or read. */
    static final Set<String> SOCKET_OPTIONS = Set.of(
            "SO_DEBUG", "SO_DONTROUTE", "SO_BROADCAST", "SO_SNDBUF", "SO_RCVBUF", "SO_SNDBUFFORCE",
            "SO_RCVBUFFORCE", "SO_KEEPALIVE", "SO_OOBINLINE", "SO_NO_CHECK", "SO_PRIORITY", "SO_BSDCOMPAT",
            "SO_REUSEPORT", "SO_PASSCRED", "SO_PEERCRED", "SO_RCVLOWAT", "SO_SNDLOWAT", "SO_RCVTIMEO", "SO_SNDTIMEO",
            "SO_BINDTODEVICE", "SO_ATTACH_FILTER", "SO_DETACH_FILTER", "SO_PEERNAME", "SO_TIMESTAMP",
            "SO_PEERSEC", "SO_PASSSEC", "SO_TIMESTAMPNS", "SO_MARK", "SO_TIMESTAMPING", "SO_RXQ_OVFL", "SO_WIFI_STATUS", "SO_PEEK_OFF", "SO_NOFCS", "SO_LOCK_FILTER",
            "SO_SELECT_ERR_QUEUE", "SO_BUSY_POLL", "SO_MAX_PACING_RATE", "SO_BPF_EXTENSIONS", "SO_INCOMING_CPU",
            "SO_ATTACH_BPF", "SO_COOKIE", "SO_INCOMING_NAPI_ID", "SO_ZEROCOPY", "SO_TXTIME", "SO_BINDTOIFINDEX",
            "SO_MEMINFO", "SO_NETNS_COOKIE", "SO_BUF_LOCK", "SO_RESERVE_MEM", "SO_TXREHASH", "SO_RCVMARK",
            "TCP_NODELAY", "TCP_MAXSEG", "TCP_CORK", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_SYNCNT",
            "TCP_LINGER2", "TCP_DEFER_ACCEPT", "TCP_WINDOW_CLAMP", "TCP_INFO", "TCP_QUICKACK", "TCP_CONGESTION",
            "TCP_MD5SIG", "TCP_THIN_LINEAR_TIMEOUTS", "TCP_THIN_DUPACK", "TCP_USER_TIMEOUT", "TCP_REPAIR",
            "TCP_REPAIR_QUEUE", "TCP_QUEUE_SEQ", "TCP_REPAIR_OPTIONS", "TCP_FASTOPEN", "TCP_TIMESTAMP",
            "TCP_NOTSENT_LOWAT", "TCP_CC_INFO", "TCP_SAVE_SYN", "TCP_SAVED_SYN", "TCP_REPAIR_WINDOW",
            "TCP_FASTOPEN_CONNECT", "TCP_ULP", "TCP_MD5SIG_EXT", "TCP_FASTOPEN_KEY", "TCP_FASTOPEN_NO_COOKIE",
            "TCP_ZEROCOPY_RECEIVE", "TCP_INQ", "TCP_TX_DELAY", "IP_TOS", "IP_TTL", "IP_MTU_DISCOVER", "IP_MTU",
            "IP_RECVERR", "IP_FREEBIND", "IP_TRANSPARENT", "IP_BIND_ADDRESS_NO_PORT", "IP_LOCAL_PORT_RANGE",
            "IPV6_V6ONLY");

    /** System calls a socket program makes that the script language has no step for yet. */
    static final Set<String> CALLS = Set.of(
            "sendmmsg", "recvmmsg", "preadv", "pwritev", "dup3", "vfork", "clone",
            "pselect", "pselect6", "ppoll", "epoll_pwait", "epoll_pwait2", "sendfile", "splice", "tee",
            "vmsplice", "sigaction", "kill", "raise", "alarm", "connectx", "open", "openat", "pipe2", "eventfd",
            "timerfd_create", "signalfd", "io_uring_setup", "usleep", "nanosleep");

    /** fcntl commands other than F_GETFL and F_SETFL. */
    static final Set<String> FCNTL_CMDS = Set.of("F_DUPFD", "F_GETFD", "F_SETFD", "F_GETLK", "F_SETLK", "F_SETLKW",
            "F_SETOWN", "F_GETOWN", "F_SETSIG", "F_GETSIG", "F_DUPFD_CLOEXEC", "F_SETPIPE_SZ", "F_GETPIPE_SZ");

    /** Address families other than AF_INET (and AF_UNIX through socketpair). */
    static final Set<String> FAMILIES = Set.of("AF_INET6", "PF_INET6", "AF_UNIX", "PF_UNIX", "AF_LOCAL",
            "AF_PACKET", "AF_NETLINK", "AF_UNSPEC");

    /** Socket types other than SOCK_STREAM. */
    static final Set<String> TYPES = Set.of("SOCK_DGRAM", "SOCK_RAW", "SOCK_SEQPACKET", "SOCK_RDM", "SOCK_PACKET");

    private static Map<String, Integer> table(Object... pairs) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put((String) pairs[i], (Integer) pairs[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }
}
