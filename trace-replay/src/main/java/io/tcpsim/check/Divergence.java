package io.tcpsim.check;

import io.tcpsim.run.LogLine;

/**
 * One way the kernel's run differs from the model's, named as packetdrill names it: {@code packet 5 field ack:
 * model 2 vs kernel 1}. {@code model} and {@code kernel} are the lines concerned (one may be null when the other side
 * has nothing there), so the report can mark the row.
 */
public record Divergence(String text, LogLine model, LogLine kernel) {

    static Divergence field(String what, String field, String model, String kernel, LogLine m, LogLine k) {
        return new Divergence(what + " field " + field + ": model " + model + " vs kernel " + kernel, m, k);
    }

    @Override
    public String toString() {
        return text;
    }
}
