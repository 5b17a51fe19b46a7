package io.tcpsim.backend;

/**
 * Why the stack threw a segment away: the values of Linux's {@code enum skb_drop_reason}
 * (include/net/dropreason-core.h) that TCP over IPv4 uses, named as the {@code skb:kfree_skb} tracepoint prints
 * them (without the {@code SKB_DROP_REASON_} prefix), with their numbers on this project's kernel (read from
 * /sys/kernel/tracing/events/skb/kfree_skb/format on Linux 6.18.44), so that a user can search the name and the
 * kernel check can compare them.
 */
public enum DropReason {
    NOT_SPECIFIED(2),
    NO_SOCKET(3),
    SOCKET_CLOSE(4),
    SOCKET_FILTER(5),
    SOCKET_RCVBUFF(6),
    PROTO_MEM(20),
    SOCKET_BACKLOG(29),
    TCP_FLAGS(30),
    TCP_ABORT_ON_DATA(31),
    TCP_ZEROWINDOW(32),
    TCP_OLD_DATA(33),
    TCP_OVERWINDOW(34),
    TCP_OFOMERGE(35),
    TCP_RFC7323_PAWS(36),
    TCP_RFC7323_PAWS_ACK(37),
    TCP_RFC7323_TW_PAWS(38),
    TCP_RFC7323_TSECR(39),
    TCP_LISTEN_OVERFLOW(40),
    TCP_OLD_SEQUENCE(41),
    TCP_INVALID_SEQUENCE(42),
    TCP_INVALID_END_SEQUENCE(43),
    TCP_INVALID_ACK_SEQUENCE(44),
    TCP_RESET(45),
    TCP_INVALID_SYN(46),
    TCP_CLOSE(47),
    TCP_FASTOPEN(48),
    TCP_OLD_ACK(49),
    TCP_TOO_OLD_ACK(50),
    TCP_ACK_UNSENT_DATA(51),
    TCP_OFO_QUEUE_PRUNE(52),
    TCP_OFO_DROP(53),
    QUEUE_PURGE(104);

    /** The enum's value on Linux 6.18.44 (it changes between kernel versions; the name does not). */
    public final int kernelValue;

    DropReason(int kernelValue) {
        this.kernelValue = kernelValue;
    }

    /** The reason with this value on Linux 6.18.44, or null (a reason TCP over IPv4 does not use). */
    public static DropReason ofKernelValue(int value) {
        for (DropReason r : values()) if (r.kernelValue == value) return r;
        return null;
    }
}
