package io.tcpsim.model.files;

import io.tcpsim.calls.Errno;
import io.tcpsim.model.Outcome;
import io.tcpsim.model.WaitQueue;
import java.util.ArrayList;
import java.util.List;

/**
 * An open file description (struct file): a socket ({@link SocketFile}), a pipe end, or an epoll instance. Each kind
 * answers the calls its file_operations have; a call it has no operation for gets the kernel's answer here.
 */
public abstract sealed class OpenFile permits SocketFile, PipeEnd, EpollFile {
    /** O_NONBLOCK in the file status flags: one per open file description, so dup'ed descriptors share it. */
    public boolean nonblock;
    /** How many descriptors refer to this file (f_count): dup adds one, close takes one; the last close releases. */
    public int refs;
    /** The epoll items that watch this file; eventpoll_release removes them when it closes. */
    final List<EpollFile.Item> watchers = new ArrayList<>(1);

    /** The file's poll mask now (f_op->poll). */
    public abstract int poll();

    public abstract WaitQueue waitQueue();

    /** The access mode bits fcntl(F_GETFL) reports besides O_NONBLOCK: O_RDONLY 0, O_WRONLY 1, O_RDWR 2. */
    public abstract int accessMode();

    /** read(2) of up to {@code len} bytes (f_op->read_iter). Without one (epoll), vfs_read says EINVAL. */
    public Outcome read(int len) {
        return Outcome.fail(Errno.EINVAL);
    }

    /**
     * write(2) (f_op->write_iter); {@code copied} is what an earlier attempt wrote before it waited. Without one
     * (epoll), vfs_write says EINVAL.
     */
    public Outcome write(byte[] data, int copied) {
        return Outcome.fail(Errno.EINVAL);
    }

    /**
     * ioctl(2) of a request that reads a count ({@code FIONREAD}, {@code SIOCOUTQ}, {@code SIOCOUTQNSD}): the count in
     * the result's option value. A file without an unlocked_ioctl gets ENOTTY from vfs_ioctl.
     */
    public Outcome ioctl(int request) {
        return Outcome.fail(Errno.ENOTTY);
    }

    /** Called once when the last descriptor closes, after the epoll items are gone. */
    void released() {}

    /** The last descriptor closed: leave every epoll set (eventpoll_release), then the file's own release. */
    public final void release() {
        for (EpollFile.Item item : new ArrayList<>(watchers)) item.epoll().remove(item);
        watchers.clear();
        released();
    }
}
