package io.tcpsim.pktrun;

import java.util.List;

/**
 * How a script ended on the model, as packetdrill would say it: it passed, or it failed at a line. {@code kind} is
 * packetdrill's heading ({@code error handling packet}, {@code runtime error in write call}); {@code message} what
 * follows it ({@code live packet field tcp_ack_seq: expected: 1001 (0x3e9) vs actual: 1 (0x1)}); {@code dumps} the
 * {@code script packet:} and {@code actual packet:} lines, when packets were compared.
 */
public record PktVerdict(boolean passed, int line, String kind, String message, List<String> dumps) {
    public PktVerdict {
        dumps = List.copyOf(dumps);
    }

    public static final PktVerdict PASS = new PktVerdict(true, 0, null, null, List.of());

    public static PktVerdict fail(int line, String kind, String message, List<String> dumps) {
        return new PktVerdict(false, line, kind, message, dumps);
    }

    /**
     * The field a packet failure names ({@code tcp_ack_seq}, {@code tcp_window}, {@code ipv4_total_length}), the
     * kind of any other failure ({@code payload}, {@code timing}, {@code options}, {@code call write}): what a
     * comparison with the kernel's verdict matches beside the line.
     */
    public String field() {
        if (passed) return null;
        return fieldOf(kind, message);
    }

    /** {@link #field()} of a failure packetdrill printed as {@code KIND: MESSAGE}. */
    public static String fieldOf(String kind, String message) {
        if (kind.startsWith("runtime error in ")) return "call " + kind.substring("runtime error in ".length()).replace(" call", "");
        if (!kind.equals("error handling packet")) return kind;
        if (message.startsWith("live packet field ")) {
            String rest = message.substring("live packet field ".length());
            return rest.substring(0, rest.indexOf(':'));
        }
        if (message.startsWith("live packet payload")) return "payload";
        if (message.startsWith("timing error")) return "timing";
        if (message.startsWith("bad outbound TCP options")) return "options";
        if (message.contains("in outbound TCP option (kind=")) {
            int k = message.indexOf("(kind=");
            return "option " + message.substring(k + 6, message.indexOf(')', k));
        }
        if (message.startsWith("Timed out waiting for packet")) return "timeout";
        return message;
    }

    /** packetdrill's first line: {@code FILE:LINE: KIND: MESSAGE}. */
    public String text(String file) {
        return passed ? null : file + ":" + line + ": " + kind + ": " + message;
    }
}
