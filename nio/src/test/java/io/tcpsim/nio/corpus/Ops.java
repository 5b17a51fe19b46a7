package io.tcpsim.nio.corpus;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The Java-level log of a corpus run: each operation the program makes, with what it returned or the exception it
 * threw (class and message), in program order. Both runs of a program must give the same list.
 */
public final class Ops {
    /** One operation: when it started, on which thread, what it was, what came of it. */
    public record Op(long start, long end, String thread, String what, String outcome) {
        public String text() {
            return "[" + thread + "] " + what + " => " + outcome;
        }
    }

    public interface Body<T> {
        T run() throws Exception;
    }

    private final LongSupplier clock;
    private final List<Op> ops = new ArrayList<>();

    Ops(LongSupplier clock) {
        this.clock = clock;
    }

    /** Runs one operation and records it; an exception is recorded and swallowed (the program goes on), null returned. */
    public <T> T op(String what, Body<T> body) {
        long start = clock.getAsLong();
        String outcome;
        T value = null;
        try {
            value = body.run();
            outcome = describe(value);
        } catch (Exception e) {
            outcome = e.getClass().getName() + ": " + e.getMessage();
        }
        long end = clock.getAsLong();
        synchronized (ops) {
            ops.add(new Op(start, end, Thread.currentThread().getName(), what, outcome));
        }
        return value;
    }

    /** A read of up to {@code n} bytes: the count and, when positive, the bytes as text. */
    public String read(String what, java.nio.channels.ReadableByteChannel ch, int n) {
        return op(what, () -> {
            ByteBuffer b = ByteBuffer.allocate(n);
            int got = ch.read(b);
            return got <= 0 ? Integer.toString(got) : got + " \"" + new String(b.array(), 0, got, StandardCharsets.ISO_8859_1) + "\"";
        });
    }

    public Integer write(String what, java.nio.channels.WritableByteChannel ch, String data) {
        return op(what, () -> ch.write(ByteBuffer.wrap(data.getBytes(StandardCharsets.ISO_8859_1))));
    }

    /** select(action): the ready keys in the order the selector reports them, with their ready sets. */
    public String select(String what, Selector sel, long timeoutMs, java.util.Map<SelectionKey, String> names) {
        return op(what, () -> {
            List<String> seen = new ArrayList<>();
            int n = sel.select(k -> seen.add(names.getOrDefault(k, "?") + ":" + ops(k.readyOps())), timeoutMs);
            return n + " " + seen;
        });
    }

    static String ops(int ready) {
        List<String> out = new ArrayList<>();
        if ((ready & SelectionKey.OP_READ) != 0) out.add("READ");
        if ((ready & SelectionKey.OP_WRITE) != 0) out.add("WRITE");
        if ((ready & SelectionKey.OP_CONNECT) != 0) out.add("CONNECT");
        if ((ready & SelectionKey.OP_ACCEPT) != 0) out.add("ACCEPT");
        return out.isEmpty() ? "0" : String.join("|", out);
    }

    private static String describe(Object v) {
        if (v == null) return "null";
        if (v instanceof java.nio.channels.Channel) return "channel";
        if (v.getClass().getName().startsWith("io.netty.channel.")) return "channel"; // a Netty channel: its id is random
        if (v instanceof Selector) return "selector";
        if (v instanceof SelectionKey) return "key";
        if (v instanceof java.nio.channels.Pipe) return "pipe";
        return v.toString();
    }

    public List<Op> list() {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }
}
