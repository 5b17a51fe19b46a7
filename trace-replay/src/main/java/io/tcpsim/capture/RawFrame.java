package io.tcpsim.capture;

/**
 * One frame as libpcap delivered it: the capture timestamp in nanoseconds since the epoch, the bytes captured
 * (an Ethernet frame with zero MACs on lo) and the frame's length on the wire. These are exactly the fields of a
 * pcap record, so a writer can reproduce the capture byte for byte.
 */
public record RawFrame(long timeNanos, byte[] data, int originalLength) {}
