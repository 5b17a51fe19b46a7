package io.tcpsim.pcap;

import java.io.IOException;

/**
 * A pcap file that cannot be read, with the byte offset (from the start of the file) where reading failed. The
 * message is one line: {@code pcap byte 40: truncated record header: 6 of 16 bytes}.
 */
public final class PcapFormatException extends IOException {
    private final long offset;
    private final String reason;

    public PcapFormatException(long offset, String reason) {
        super("pcap byte " + offset + ": " + reason);
        this.offset = offset;
        this.reason = reason;
    }

    /** Where in the file the problem is. */
    public long offset() {
        return offset;
    }

    /** The message without the offset. */
    public String reason() {
        return reason;
    }
}
