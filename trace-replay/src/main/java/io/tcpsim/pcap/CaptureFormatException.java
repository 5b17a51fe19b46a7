package io.tcpsim.pcap;

import java.io.IOException;

/**
 * A capture file (pcap or pcapng) that cannot be read, with the byte offset from the start of the file where
 * reading failed. The message is one line: {@code pcapng byte 1040: block 7: truncated block: 20 of 96 bytes}.
 */
public final class CaptureFormatException extends IOException {
    private final long offset;
    private final String reason;

    public CaptureFormatException(String format, long offset, String reason) {
        super(format + " byte " + offset + ": " + reason);
        this.offset = offset;
        this.reason = reason;
    }

    public long offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }
}
