package io.tcpsim.nio;

import io.tcpsim.calls.Errno;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;

/**
 * The exception the JDK throws on Linux for an errno, by the operation that met it. Each mapping was measured on
 * JDK 17.0.15 and 25.0.3 with nio/measure/JdkNioErrors.java in a fresh network namespace (its output is beside it,
 * in jdk17.txt and jdk25.txt; the two agree on every line used here). The rule behind them is the JDK's own:
 * <ul>
 *   <li>connect, finishConnect and bind go through sun.nio.ch.Net's handleSocketError: ECONNREFUSED, ETIMEDOUT and
 *       ENOTCONN are a ConnectException, EHOSTUNREACH a NoRouteToHostException, EADDRINUSE, EADDRNOTAVAIL and
 *       EACCES a BindException, EPROTO a ProtocolException, the rest a SocketException; the message is strerror;</li>
 *   <li>read: ECONNRESET is {@code SocketException: Connection reset} (the channel remembers it and throws it again
 *       on every later read without a system call); any other errno an IOException with strerror;</li>
 *   <li>write: an IOException with strerror ({@code Broken pipe}, {@code Connection reset by peer}).</li>
 * </ul>
 */
final class Errors {
    private Errors() {}

    static final String CONNECTION_RESET = "Connection reset";

    /** connect, finishConnect, bind, listen, accept (handleSocketError). */
    static IOException socket(Errno e) {
        String m = e.text;
        return switch (e) {
            case ECONNREFUSED, ETIMEDOUT, ENOTCONN -> new ConnectException(m);
            case EHOSTUNREACH -> new NoRouteToHostException(m);
            case EADDRINUSE, EADDRNOTAVAIL -> new BindException(m);
            default -> e.name().equals("EPROTO") ? new ProtocolException(m) : new SocketException(m);
        };
    }

    /** read and readv. */
    static IOException read(Errno e) {
        if (e == Errno.ECONNRESET) return new SocketException(CONNECTION_RESET);
        return new IOException(e.text);
    }

    /** write and writev. */
    static IOException write(Errno e) {
        return new IOException(e.text);
    }
}
