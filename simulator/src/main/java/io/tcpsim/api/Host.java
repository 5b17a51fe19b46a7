package io.tcpsim.api;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Event;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Calls;
import io.tcpsim.calls.Result;
import io.tcpsim.model.Model;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.model.Profile;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.SockAddr;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The model (or any {@link Backend}) with typed calls: {@code int fd = server.socket()}, {@code byte[] got =
 * client.recv(fd, 100)}, and a failed call a {@link SyscallException} with its {@link io.tcpsim.calls.Errno}, so a
 * test reads {@code assertEquals(ECONNRESET, assertThrows(SyscallException.class, () -> c.recv(fd, 100)).errno())}.
 * {@link Process#call} still gives the raw {@link Result} of any {@link Call}. The events are kept as they come, so
 * that {@link #packets()} and {@link #events()} give everything since the host was made.
 */
public final class Host {
    private final Backend backend;
    private final List<Event> events = new ArrayList<>();

    private Host(Backend backend) {
        this.backend = backend;
    }

    /** One simulated Linux host with loopback ({@link Model}); the seed fixes ISNs, ports, timestamp offsets. */
    public static Host model(Profile profile, long seed) {
        return new Host(new Model(profile, seed));
    }

    /** The reference machine ({@link Profile#linux6()}). */
    public static Host model(long seed) {
        return model(Profile.linux6(), seed);
    }

    /** Typed calls on another backend (the real kernel's, in trace-replay). */
    public static Host on(Backend backend) {
        return new Host(backend);
    }

    public Backend backend() { return backend; }

    /** A process by name, made on its first call. */
    public Process process(String name) {
        return new Process(name);
    }

    /** Lets time pass: timers fire and packets are delivered on the way. */
    public void sleep(Duration d) {
        backend.sleep(d.toNanos());
    }

    /** Now, in nanoseconds (virtual on the model). */
    public long now() { return backend.now(); }

    public List<NetstatRow> netstat() { return backend.netstat(); }

    /** Every event since the host was made, in time order. */
    public List<Event> events() {
        events.addAll(backend.drainEvents());
        return List.copyOf(events);
    }

    /** Every packet sent since the host was made. */
    public List<Packet> packets() {
        List<Packet> out = new ArrayList<>();
        for (Event e : events()) if (e instanceof Event.PacketSent p) out.add(p.packet());
        return out;
    }

    /** A process's calls, typed: each returns what the call gives and throws {@link SyscallException} if it fails. */
    public final class Process {
        private final String name;

        private Process(String name) {
            this.name = name;
        }

        public String name() { return name; }

        /** Any call, its raw result (nothing thrown). */
        public Result call(Call call) {
            return backend.call(name, call);
        }

        private Result ok(Call call) {
            Result r = call(call);
            if (r.blockedForever()) throw new SyscallException(name, call, null);
            if (r.failed()) throw new SyscallException(name, call, r.errno());
            return r;
        }

        private int intOf(Call call) { return (int) ok(call).value(); }

        public int socket() { return intOf(Calls.socket()); }

        public int socket(int flags) { return intOf(Calls.socket(flags)); }

        public void bind(int fd, SockAddr addr) { ok(Calls.bind(fd, addr)); }

        public void listen(int fd, int backlog) { ok(Calls.listen(fd, backlog)); }

        /** A listening socket on 127.0.0.1:port: socket, bind and listen. */
        public int listenOn(int port, int backlog) {
            int fd = socket();
            bind(fd, SockAddr.loopback(port));
            listen(fd, backlog);
            return fd;
        }

        /** Blocks (in virtual time) until a connection is there; the new descriptor. */
        public int accept(int fd) { return intOf(Calls.accept(fd)); }

        /** Blocks (in virtual time) until established, on a blocking socket. */
        public void connect(int fd, SockAddr addr) { ok(Calls.connect(fd, addr)); }

        /** A new socket connected to 127.0.0.1:port. */
        public int connectTo(int port) {
            int fd = socket();
            connect(fd, SockAddr.loopback(port));
            return fd;
        }

        /** The bytes sent. */
        public int send(int fd, byte[] data, int flags) { return intOf(Calls.send(fd, data, flags)); }

        public int send(int fd, String data, int flags) { return intOf(Calls.send(fd, data, flags)); }

        public int write(int fd, byte[] data) { return intOf(Calls.write(fd, data)); }

        public int write(int fd, String data) { return intOf(Calls.write(fd, data)); }

        /** The bytes read: empty at end of stream. */
        public byte[] recv(int fd, int length) { return bytesOf(Calls.recv(fd, length)); }

        public byte[] recv(int fd, int length, int flags) { return bytesOf(Calls.recv(fd, length, flags)); }

        public byte[] read(int fd, int length) { return bytesOf(Calls.read(fd, length)); }

        /** What recv read, as ISO-8859-1 text: "" at end of stream. */
        public String recvText(int fd, int length) {
            return new String(recv(fd, length), StandardCharsets.ISO_8859_1);
        }

        private byte[] bytesOf(Call call) {
            Result r = ok(call);
            return r.data() == null ? new byte[0] : r.data().clone();
        }

        public void shutdown(int fd, int how) { ok(Calls.shutdown(fd, how)); }

        public void close(int fd) { ok(Calls.close(fd)); }

        /** SO_LINGER on, for this many seconds: 0 makes close send an RST. */
        public void linger(int fd, int seconds) { ok(Calls.linger(fd, seconds)); }

        /** The two descriptors pipe(2) made: read end, write end. */
        public int[] pipe() { return ok(Calls.pipe()).fds().clone(); }

        /** The process exits: its descriptors close in ascending order. */
        public void exit() { backend.exit(name); }
    }
}
