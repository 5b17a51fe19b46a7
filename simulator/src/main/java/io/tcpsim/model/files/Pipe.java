package io.tcpsim.model.files;

import io.tcpsim.model.ByteQueue;
import io.tcpsim.model.WaitQueue;

/** A pipe's buffer (fs/pipe.c): 16 pages, readers and writers counted. */
public final class Pipe {
    public static final int CAPACITY = 65536;
    final ByteQueue data = new ByteQueue();
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
