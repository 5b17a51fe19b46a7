package io.tcpsim.backend;

/**
 * Why the stack sent an RST: the values of Linux's {@code enum sk_rst_reason} (include/net/rstreason.h), named as
 * the {@code tcp:tcp_send_reset} tracepoint prints them, with their numbers on this project's kernel (read from
 * /sys/kernel/tracing/events/tcp/tcp_send_reset/format on Linux 6.18.44). The names are the kernel's, so that a user
 * can search them; which of them TCP over IPv4 can send, and where the model sends each, is in docs/model.md.
 */
public enum RstReason {
    NOT_SPECIFIED(0),
    NO_SOCKET(1),
    TCP_INVALID_ACK_SEQUENCE(2),
    TCP_RFC7323_PAWS(3),
    TCP_TOO_OLD_ACK(4),
    TCP_ACK_UNSENT_DATA(5),
    TCP_FLAGS(6),
    TCP_OLD_ACK(7),
    TCP_ABORT_ON_DATA(8),
    TCP_TIMEWAIT_SOCKET(9),
    INVALID_SYN(10),
    TCP_ABORT_ON_CLOSE(11),
    TCP_ABORT_ON_LINGER(12),
    TCP_ABORT_ON_MEMORY(13),
    TCP_STATE(14),
    TCP_KEEPALIVE_TIMEOUT(15),
    TCP_DISCONNECT_WITH_DATA(16),
    MPTCP_RST_EUNSPEC(17),
    MPTCP_RST_EMPTCP(18),
    MPTCP_RST_ERESOURCE(19),
    MPTCP_RST_EPROHIBIT(20),
    MPTCP_RST_EWQ2BIG(21),
    MPTCP_RST_EBADPERF(22),
    MPTCP_RST_EMIDDLEBOX(23),
    ERROR(24);

    /** The enum's value on Linux 6.18.44 (it changes between kernel versions; the name does not). */
    public final int kernelValue;

    RstReason(int kernelValue) {
        this.kernelValue = kernelValue;
    }

    /** The reason with this value on Linux 6.18.44, or null. */
    public static RstReason ofKernelValue(int value) {
        for (RstReason r : values()) if (r.kernelValue == value) return r;
        return null;
    }
}
