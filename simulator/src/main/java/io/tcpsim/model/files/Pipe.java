package io.tcpsim.model.files;

import io.tcpsim.model.ByteQueue;
import io.tcpsim.model.WaitQueue;

/**
 * A pipe's buffer (fs/pipe.c): a ring of 16 page-sized slots, readers and writers counted. pipe_write puts the
 * first (length mod 4096) bytes of a write into the last page if all of them fit there, and the rest into new pages;
 * a page frees its slot when read to its end. Measured: after a 5-byte write, 15 writes of 4096 fit and the 16th
 * gets EAGAIN (61445 bytes, kernel-measurements.md section 9).
 */
public final class Pipe {
    public static final int PAGE = 4096;
    public static final int SLOTS = 16;
    final ByteQueue data = new ByteQueue();
    /** Bytes left in each occupied page, oldest first. */
    final java.util.ArrayDeque<int[]> pages = new java.util.ArrayDeque<>();
    /** Where the newest page's data ends within the page (buf->offset + buf->len). */
    int lastPageEnd;
    boolean readerOpen = true;
    boolean writerOpen = true;
    final WaitQueue readWait = new WaitQueue();
    final WaitQueue writeWait = new WaitQueue();

    public PipeEnd readEnd() {
        return new PipeEnd(this, false);
    }

    public PipeEnd writeEnd() {
        return new PipeEnd(this, true);
    }
}
