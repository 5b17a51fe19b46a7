package io.tcpsim.pktrun;

/**
 * A script needs something the model does not model: a call, an option, a shell line, a packet kind. The message
 * names the first such feature and where the script needs it: {@code FILE:LINE: not modelled yet: TCP Fast Open
 * (setsockopt TCP_FASTOPEN); see docs/model.md}.
 */
public final class NotModelled extends Exception {
    private final int line;
    private final String feature;

    public NotModelled(String file, int line, String feature) {
        super(file + ":" + line + ": not modelled yet: " + feature + "; see docs/model.md and docs/packetdrill.md");
        this.line = line;
        this.feature = feature;
    }

    /** The script line that needs the feature (0 for the command line or the whole script). */
    public int line() {
        return line;
    }

    /** What is not modelled, in a few words: {@code TCP Fast Open (sysctl net.ipv4.tcp_fastopen)}. */
    public String feature() {
        return feature;
    }
}
