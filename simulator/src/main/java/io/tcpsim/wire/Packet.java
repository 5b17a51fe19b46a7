package io.tcpsim.wire;

/**
 * A segment on the wire at a point in time. {@code timeNanos} counts from the Unix epoch, so a simulated run,
 * which starts at 0, prints as 00:00:00.000000 under tcpdump in UTC. {@code ipId} is the IPv4 identification field.
 */
public record Packet(long timeNanos, int ipId, Segment segment) {}
