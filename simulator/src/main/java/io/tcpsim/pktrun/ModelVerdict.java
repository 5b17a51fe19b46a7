package io.tcpsim.pktrun;

import io.tcpsim.packetdrill.PktException;
import io.tcpsim.packetdrill.PktParser;
import io.tcpsim.packetdrill.PktScript;
import java.util.List;

/**
 * What the model says about one script, in the terms the kernel's verdicts are recorded in
 * (traces/packetdrill/kernel-verdicts.tsv): pass, fail at a line on a field, or no verdict about TCP: refused (what
 * it needs that the model does not model) or unreadable (the reader refuses it).
 *
 * @param verdict {@code pass}, {@code fail}, {@code refused} or {@code unreadable}
 * @param line    the failing or refusing line, 0 when none
 * @param field   what a failure is about ({@link PktVerdict#field()}), null otherwise
 * @param text    packetdrill's message for a failure, the feature for a refusal, the reader's message
 */
public record ModelVerdict(String verdict, int line, String field, String text) {

    public static ModelVerdict of(String file, String script, List<String> commandLine) {
        PktScript s;
        try {
            s = PktParser.parse(file, script, commandLine);
        } catch (PktException e) {
            return new ModelVerdict("unreadable", e.line(), null, e.getMessage());
        }
        try {
            PktVerdict v = PktRun.run(s).verdict();
            if (v.passed()) return new ModelVerdict("pass", 0, null, "");
            return new ModelVerdict("fail", v.line(), v.field(), v.kind() + ": " + v.message());
        } catch (NotModelled e) {
            return new ModelVerdict("refused", e.line(), null, e.feature());
        }
    }

    /**
     * Whether this verdict and the kernel's tell the same story: both pass, or both fail at the same line on the same
     * field. {@code kernelError} is the kernel's first line without its {@code FILE:LINE: } prefix.
     */
    public boolean agrees(String kernelVerdict, int kernelLine, String kernelError) {
        if (verdict.equals("pass")) return kernelVerdict.equals("pass");
        if (!verdict.equals("fail") || !kernelVerdict.equals("fail") || kernelLine != line) return false;
        return field.equals(kernelField(kernelError));
    }

    /** The field of a failure packetdrill printed as {@code KIND: MESSAGE}. */
    public static String kernelField(String error) {
        int colon = error.indexOf(": ");
        if (colon < 0) return error;
        return PktVerdict.fieldOf(error.substring(0, colon), error.substring(colon + 2));
    }
}
