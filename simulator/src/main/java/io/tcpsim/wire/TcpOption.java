package io.tcpsim.wire;

import java.util.Arrays;
import java.util.List;

/** One TCP option, in the order it appears in the header. Unknown kinds are kept byte for byte. */
public sealed interface TcpOption {
    int kind();

    record EndOfList() implements TcpOption {
        public int kind() { return 0; }
    }

    record Nop() implements TcpOption {
        public int kind() { return 1; }
    }

    record Mss(int mss) implements TcpOption {
        public int kind() { return 2; }
    }

    record WindowScale(int shift) implements TcpOption {
        public int kind() { return 3; }
    }

    record SackPermitted() implements TcpOption {
        public int kind() { return 4; }
    }

    /** SACK blocks as (left, right) pairs of absolute sequence numbers. */
    record Sack(List<long[]> blocks) implements TcpOption {
        public int kind() { return 5; }

        // Blocks are arrays: compare their contents, not their identities.
        @Override public boolean equals(Object o) {
            if (!(o instanceof Sack s) || s.blocks.size() != blocks.size()) return false;
            for (int i = 0; i < blocks.size(); i++) if (!Arrays.equals(s.blocks.get(i), blocks.get(i))) return false;
            return true;
        }
        @Override public int hashCode() {
            int h = 5;
            for (long[] b : blocks) h = h * 31 + Arrays.hashCode(b);
            return h;
        }
    }

    /** Both values are unsigned 32-bit. */
    record Timestamps(long val, long ecr) implements TcpOption {
        public int kind() { return 8; }
    }

    record Unknown(int kind, byte[] data) implements TcpOption {
        @Override public boolean equals(Object o) {
            return o instanceof Unknown u && u.kind == kind && Arrays.equals(u.data, data);
        }
        @Override public int hashCode() { return kind * 31 + Arrays.hashCode(data); }
        @Override public String toString() { return "Unknown[kind=" + kind + ", len=" + data.length + "]"; }
    }

    TcpOption NOP = new Nop();
    TcpOption SACK_PERMITTED = new SackPermitted();
    TcpOption EOL = new EndOfList();

    /**
     * The option's name as tcpdump prints it (mss, sackOK, TS, nop, wscale, sack, eol, ..., unknown-K): the one
     * table the printer, check and replay all use.
     */
    static String name(int kind) {
        return TcpdumpOptions.name(kind);
    }

    /** Encoded length in bytes (before padding). */
    static int encodedLength(TcpOption o) {
        if (o instanceof Sack s) return 2 + 8 * s.blocks().size();
        if (o instanceof Unknown u) return 2 + u.data().length;
        return switch (o.kind()) {
            case 0, 1 -> 1;
            case 2 -> 4;
            case 3 -> 3;
            case 4 -> 2;
            default -> 10; // timestamps
        };
    }
}
