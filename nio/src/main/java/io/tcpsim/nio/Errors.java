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
 * in jdk17.txt and jdk25.txt; the two agree on every line used here), and, for the errnos that need the network
 * itself to fail, with nio/measure/JdkNioNetErrors.java (netjdk17.txt, netjdk25.txt: ETIMEDOUT from a connect whose
 * SYNs go unanswered and from an established connection whose retransmissions time out, ENETUNREACH, EHOSTUNREACH
 * from an unreachable route, EADDRNOTAVAIL from a bind to an address that is not local, ENOTCONN from shutdown after
 * a reset; MeasuredNetErrorsTest runs the cases the model can bring about). The rule behind them is the JDK's own:
 * <ul>
 *   <li>connect, finishConnect and bind go through sun.nio.ch.Net's handleSocketError: ECONNREFUSED and ETIMEDOUT
 *       are a ConnectException (measured), EHOSTUNREACH a NoRouteToHostException (measured), EADDRINUSE and
 *       EADDRNOTAVAIL a BindException (measured), ENETUNREACH a SocketException (measured); ENOTCONN, EACCES and
 *       EPROTO follow the same function (ConnectException, BindException, ProtocolException) but no NIO operation
 *       on the model can meet them (a failed connect closes the channel; shutdown ignores ENOTCONN, measured), so
 *       they are not measured; the message is strerror;</li>
 *   <li>read: ECONNRESET is {@code SocketException: Connection reset} (the channel remembers it and throws it again
 *       on every later read without a system call); any other errno an IOException with strerror (ETIMEDOUT:
 *       {@code IOException: Connection timed out}, measured, and the next read returns -1);</li>
 *   <li>write: an IOException with strerror ({@code Broken pipe}, {@code Connection reset by peer},
 *       {@code Connection timed out}, all measured).</li>
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
