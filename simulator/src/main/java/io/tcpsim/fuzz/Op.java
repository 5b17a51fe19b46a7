package io.tcpsim.fuzz;

/**
 * One generated action, before it becomes a script step. Actions name a connection (0, 1, 2) and a side; the
 * {@link ScriptBuilder} turns a list of them into a well-formed script and drops those that do not apply where
 * they fall (a send on a descriptor already closed, a step of a process that exited). Any sub-list of a valid list is
 * therefore valid too, which is what makes shrinking by deletion work.
 */
public sealed interface Op {

    enum Side {
        CLIENT, SERVER;

        public String process() {
            return this == CLIENT ? "client" : "server";
        }
    }

    /** {@code cN = socket()} and {@code connect(cN, ...)}; {@code nonblock}: the socket is made with SOCK_NONBLOCK. */
    record Connect(int conn, boolean nonblock) implements Op {}

    /** {@code sN = accept(a)} for the oldest connection not yet accepted (the accept queue is FIFO). */
    record Accept() implements Op {}

    /** {@code send(fd, size, flags)}; a size above {@link ScriptBuilder#SMALL_SEND} is always MSG_DONTWAIT. */
    record Send(int conn, Side side, int size, int flags) implements Op {}

    /** {@code recv(fd, size, flags)}: always MSG_DONTWAIT (a recv with nothing queued would block for ever). */
    record Recv(int conn, Side side, int size, boolean peek) implements Op {}

    /** {@code shutdown(fd, how)}, how 0, 1 or 2. */
    record Shutdown(int conn, Side side, int how) implements Op {}

    record Close(int conn, Side side) implements Op {}

    /** {@code setsockopt(fd, SO_LINGER, 1, seconds)}. */
    record Linger(int conn, Side side, int seconds) implements Op {}

    /** {@code getsockopt(fd, SO_ERROR)}. */
    record SoError(int conn, Side side) implements Op {}

    /** {@code poll(fd, events, timeoutMs)} with a finite timeout. */
    record Poll(int conn, Side side, int events, int timeoutMs) implements Op {}

    /** {@code sleep N us}. */
    record Sleep(long micros) implements Op {}

    record Netstat() implements Op {}

    /** {@code exit client} or {@code exit server}: the process ends, its descriptors close in ascending order. */
    record Exit(Side side) implements Op {}

    /**
     * A link step, in a program with two hosts only: {@code link down}, {@code link up}, or {@code link drop COUNT
     * FROM>TO KIND} for the packets {@code from} sends ({@code kind}: syn, syn-ack, ack, data, fin, rst, any).
     */
    record Link(LinkKind what, Side from, String kind, int count) implements Op {}

    enum LinkKind { DOWN, UP, DROP }
}
