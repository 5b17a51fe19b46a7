package io.tcpsim.model;

import java.util.Arrays;

/** A FIFO of bytes: the actual data in a send or receive queue. */
public final class ByteQueue {
    private static final byte[] NONE = new byte[0];

    // Allocated on first use: replay makes a model (three sockets, two queues each) per flow, and a listener's
    // queues stay empty.
    private byte[] buf = NONE;
    private int head;
    private int tail;

    public int size() {
        return tail - head;
    }

    public boolean isEmpty() {
        return tail == head;
    }

    public void add(byte[] data, int off, int len) {
        if (tail + len > buf.length) {
            int size = size();
            if (size + len <= buf.length / 2) {
                System.arraycopy(buf, head, buf, 0, size);
            } else {
                buf = Arrays.copyOfRange(buf, head, head + Math.max(Math.max(buf.length * 2, 64), size + len));
            }
            head = 0;
            tail = size;
        }
        System.arraycopy(data, off, buf, tail, len);
        tail += len;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes from the head, without removing them. */
    public byte[] peek(int offset, int len) {
        return Arrays.copyOfRange(buf, head + offset, head + offset + len);
    }

    public void drop(int len) {
        head += len;
        if (head == tail) head = tail = 0;
    }

    public byte[] take(int len) {
        byte[] out = peek(0, len);
        drop(len);
        return out;
    }

    public void clear() {
        head = tail = 0;
    }
}
