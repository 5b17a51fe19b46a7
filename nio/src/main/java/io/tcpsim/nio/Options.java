package io.tcpsim.nio;

import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.calls.SockOpt;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Objects;
import java.util.Set;

/**
 * Socket options as the JDK checks them (SocketChannelImpl.setOption/getOption: the name against the supported set,
 * then the value's type, then whether the channel is open), on the options the model has: SO_LINGER and
 * SO_REUSEADDR. An option the JDK supports and the model does not is refused with "'NAME' not modelled yet"; one the
 * JDK does not support either gets the JDK's own "'NAME' not supported" (option-unsupported in the measurements).
 */
final class Options {
    private Options() {}

    /** The options a channel of this provider takes. */
    static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.TCP_NODELAY);
    static final Set<SocketOption<?>> SERVER_SUPPORTED = Set.of(StandardSocketOptions.SO_REUSEADDR);

    /** What JDK 17's SocketChannelImpl and ServerSocketChannelImpl support on Linux (option-supported). */
    private static final Set<String> JDK = Set.of("IP_TOS", "SO_INCOMING_NAPI_ID", "SO_KEEPALIVE", "SO_LINGER",
            "SO_OOBINLINE", "SO_RCVBUF", "SO_REUSEADDR", "SO_REUSEPORT", "SO_SNDBUF", "TCP_KEEPCOUNT", "TCP_KEEPIDLE",
            "TCP_KEEPINTERVAL", "TCP_NODELAY", "TCP_QUICKACK");

    interface OpenCheck {
        void ensureOpen() throws IOException;
    }

    private static void supported(SocketOption<?> name, Set<SocketOption<?>> set) {
        Objects.requireNonNull(name);
        if (set.contains(name)) return;
        if (JDK.contains(name.name())) throw new UnsupportedOperationException("'" + name + "' not modelled yet");
        throw new UnsupportedOperationException("'" + name + "' not supported");
    }

    /** A boolean option's value, checked as setOption checks it (the value's type, then the channel open). */
    static <T> boolean checkedBoolean(SocketOption<T> name, T value, OpenCheck open) throws IOException {
        if (!name.type().isInstance(value)) throw new IllegalArgumentException("Invalid value '" + value + "'");
        open.ensureOpen();
        return (Boolean) value;
    }

    static <T> void set(Kernel k, int fd, SocketOption<T> name, T value, OpenCheck open) throws IOException {
        set(k, fd, name, value, open, SUPPORTED);
    }

    static <T> void set(Kernel k, int fd, SocketOption<T> name, T value, OpenCheck open, Set<SocketOption<?>> set)
            throws IOException {
        supported(name, set);
        if (!name.type().isInstance(value)) throw new IllegalArgumentException("Invalid value '" + value + "'");
        open.ensureOpen();
        Call c;
        if (name == StandardSocketOptions.SO_LINGER) {
            int s = (Integer) value;
            // Net.setSocketOption: negative is off, more than 65535 seconds is 65535.
            c = s < 0 ? new Call.SetSockOpt(fd, SockOpt.SO_LINGER, new int[] {0, 0})
                    : new Call.SetSockOpt(fd, SockOpt.SO_LINGER, new int[] {1, Math.min(s, 65535)});
        } else {
            c = new Call.SetSockOpt(fd, SockOpt.SO_REUSEADDR, new int[] {((Boolean) value) ? 1 : 0});
        }
        Result r = k.call(c);
        if (r.failed()) throw Errors.socket(r.errno());
    }

    static <T> T get(Kernel k, int fd, SocketOption<T> name, OpenCheck open) throws IOException {
        return get(k, fd, name, open, SUPPORTED);
    }

    /**
     * SO_SNDBUF and SO_RCVBUF read (not set) as the JDK reads them on this kernel (nio/measure/JdkNioBufferSizes.java,
     * bufjdk17.txt, bufjdk25.txt, in a fresh network namespace): 8192 and 65536 before a connection, then a send
     * buffer of 1969920 once connected or accepted (tcp_sndbuf_expand), the same after an exchange; the model does
     * not report a receive buffer the autotuning (tcp_rcv_space_adjust) has grown. Netty reads the send buffer when
     * it makes a channel. Setting either is "not modelled yet"; the read is not a model call, so it is not traced.
     */
    static final int SNDBUF_UNCONNECTED = 8192, SNDBUF_CONNECTED = 1969920, RCVBUF = 65536;

    static int bufferSize(SocketOption<?> name, boolean connected, OpenCheck open) throws IOException {
        open.ensureOpen();
        if (name == StandardSocketOptions.SO_RCVBUF) return RCVBUF;
        return connected ? SNDBUF_CONNECTED : SNDBUF_UNCONNECTED;
    }

    @SuppressWarnings("unchecked")
    static <T> T get(Kernel k, int fd, SocketOption<T> name, OpenCheck open, Set<SocketOption<?>> set)
            throws IOException {
        supported(name, set);
        open.ensureOpen();
        SockOpt o = name == StandardSocketOptions.SO_LINGER ? SockOpt.SO_LINGER : SockOpt.SO_REUSEADDR;
        Result r = k.call(new Call.GetSockOpt(fd, o));
        if (r.failed()) throw Errors.socket(r.errno());
        int[] v = r.optval();
        if (o == SockOpt.SO_LINGER) return (T) Integer.valueOf(v[0] == 0 ? -1 : v[1]);
        return (T) Boolean.valueOf(v[0] != 0);
    }
}
