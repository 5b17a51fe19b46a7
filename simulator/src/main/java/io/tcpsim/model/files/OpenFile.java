package io.tcpsim.model.files;

import io.tcpsim.model.WaitQueue;
import java.util.ArrayList;
import java.util.List;

/** An open file description: a TCP socket, a pipe end, an AF_UNIX stream socket, or an epoll instance. */
public abstract sealed class OpenFile permits TcpFile, PipeEnd, UnixEnd, EpollFile {
    /** O_NONBLOCK in the file status flags. */
    public boolean nonblock;
    /** The epoll items that watch this file; eventpoll_release removes them when it closes. */
    final List<EpollFile.Item> watchers = new ArrayList<>(1);

    /** The file's poll mask now (f_op->poll). */
    public abstract int poll();

    public abstract WaitQueue waitQueue();

    /** The access mode bits fcntl(F_GETFL) reports besides O_NONBLOCK: O_RDONLY 0, O_WRONLY 1, O_RDWR 2. */
    public abstract int accessMode();

    /** Called once when the last descriptor closes, after the epoll items are gone. */
    void released() {}

    /** The last descriptor closed: leave every epoll set (eventpoll_release), then the file's own release. */
    public final void release() {
        releaseWatchers();
        released();
    }

    /** Removes this file from every epoll set that watches it. */
    public void releaseWatchers() {
        for (EpollFile.Item item : new ArrayList<>(watchers)) item.epoll().remove(item);
        watchers.clear();
    }
}
