package io.tcpsim.wire;

/**
 * A segment on the wire at a point in time. {@code timeNanos} counts from the Unix epoch, so a simulated run,
 * which starts at 0, prints as 00:00:00.000000 under tcpdump in UTC. {@code ipId} is the IPv4 identification field,
 * or an IPv6 packet's 20-bit flow label.
 */
public record Packet(long timeNanos, int ipId, Segment segment) {}
