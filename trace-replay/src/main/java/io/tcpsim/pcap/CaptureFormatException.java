package io.tcpsim.pcap;

import java.io.IOException;

/**
 * A capture file (pcap or pcapng) that cannot be read, with the byte offset from the start of the file where
 * reading failed. The message is one line that names the format and the byte:
 * {@code pcap byte 40: record 2: truncated record header: 6 of 16 bytes},
 * {@code pcapng byte 1040: block 7: truncated block: 20 of 96 bytes}, or {@code capture byte 0: ...} when the file
 * is neither.
 */
public final class CaptureFormatException extends IOException {
    private final long offset;

    public CaptureFormatException(String format, long offset, String reason) {
        super(format + " byte " + offset + ": " + reason);
        this.offset = offset;
    }

    /** Where in the file the problem is. */
    public long offset() {
        return offset;
    }
}
