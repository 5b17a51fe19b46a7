package io.tcpsim.model.tcp;

/**
 * A host's TCP Fast Open settings (RFC 7413): {@code net.ipv4.tcp_fastopen}'s flags and the server's cookie key
 * ({@code net.ipv4.tcp_fastopen_key}). The server side is modelled (tcp_try_fastopen); the client side is not yet.
 * Linux's default is {@link #LINUX_DEFAULT}: TFO_CLIENT_ENABLE only, so no listener ever takes data from a SYN, and
 * a key drawn at random (tcp_fastopen_init_key_once) when a listener first needs one.
 *
 * @param sysctl the flags of net.ipv4.tcp_fastopen (include/net/tcp.h: TFO_*); upstream Linux reads only the bits
 *               below, the others (0x70000 in packetdrill's defaults.sh) do nothing
 * @param key    the primary key as the sysctl writes it (four 32-bit words), or null: a random one
 */
public record FastOpen(int sysctl, int[] key) {
    public static final int TFO_CLIENT_ENABLE = 1, TFO_SERVER_ENABLE = 2, TFO_CLIENT_NO_COOKIE = 4,
            TFO_SERVER_COOKIE_NOT_REQD = 0x200, TFO_SERVER_WO_SOCKOPT1 = 0x400;
    /** include/net/tcp.h: TCP_FASTOPEN_COOKIE_MIN, _MAX, _SIZE (what the server's SipHash gives). */
    static final int COOKIE_MIN = 4, COOKIE_MAX = 16, COOKIE_SIZE = 8;
    /** The experimental option (kind 254) carries this magic before the cookie (TCPOPT_FASTOPEN_MAGIC). */
    static final int MAGIC = 0xF989;

    public static final FastOpen LINUX_DEFAULT = new FastOpen(TFO_CLIENT_ENABLE, null);

    public FastOpen {
        if (key != null) {
            if (key.length != 4) throw new IllegalArgumentException("a Fast Open key is four 32-bit words");
            key = key.clone();
        }
    }

    /**
     * The key as proc_tcp_fastopen_key reads it: {@code a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4}, four hex words. A
     * second (backup) key after a comma is not modelled: IllegalArgumentException, as for any other form.
     */
    public static int[] parseKey(String text) {
        String[] w = text.trim().split("-");
        if (w.length != 4) throw new IllegalArgumentException("expected a Fast Open key of four hex words like "
                + "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4, got '" + text + "'");
        int[] k = new int[4];
        for (int i = 0; i < 4; i++) {
            if (!w[i].matches("[0-9a-fA-F]{1,8}")) throw new IllegalArgumentException("expected a Fast Open key of four "
                    + "hex words like a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4, got '" + text + "'");
            k[i] = (int) Long.parseLong(w[i], 16);
        }
        return k;
    }

    @Override
    public int[] key() {
        return key == null ? null : key.clone();
    }

    public boolean has(int flag) {
        return (sysctl & flag) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastOpen f && f.sysctl == sysctl && java.util.Arrays.equals(f.key, key);
    }

    @Override
    public int hashCode() {
        return sysctl * 31 + java.util.Arrays.hashCode(key);
    }

    /**
     * __tcp_fastopen_cookie_gen_cipher for IPv4: SipHash-2-4 of the SYN's source and destination addresses (8 bytes,
     * network order) under the key, stored little-endian (cpu_to_le64). The key's words are little-endian 32-bit
     * values (proc_tcp_fastopen_key), read as two little-endian 64-bit halves (tcp_fastopen_reset_cipher). Checked:
     * defaults.sh's key gives 3021b9d889017eeb for 192.0.2.1 to 192.168.0.1, run_all.py's TFO_COOKIE.
     */
    static byte[] cookie(int[] key, int saddr, int daddr) {
        long k0 = (key[0] & 0xffffffffL) | (long) key[1] << 32;
        long k1 = (key[2] & 0xffffffffL) | (long) key[3] << 32;
        long m = Long.reverseBytes((long) saddr << 32 | (daddr & 0xffffffffL));
        long h = siphash24(k0, k1, m);
        byte[] out = new byte[COOKIE_SIZE];
        for (int i = 0; i < COOKIE_SIZE; i++) out[i] = (byte) (h >>> (8 * i));
        return out;
    }

    /** SipHash-2-4 (Aumasson and Bernstein) of one 8-byte block {@code m} (read little-endian) under (k0, k1). */
    private static long siphash24(long k0, long k1, long m) {
        long[] v = {k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L, k1 ^ 0x7465646279746573L};
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
        long b = 8L << 56; // the length in the last block, no tail bytes
        v[3] ^= b;
        round(v);
        round(v);
        v[0] ^= b;
        v[2] ^= 0xff;
        for (int i = 0; i < 4; i++) round(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void round(long[] v) {
        v[0] += v[1]; v[1] = Long.rotateLeft(v[1], 13); v[1] ^= v[0]; v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3]; v[3] = Long.rotateLeft(v[3], 16); v[3] ^= v[2];
        v[0] += v[3]; v[3] = Long.rotateLeft(v[3], 21); v[3] ^= v[0];
        v[2] += v[1]; v[1] = Long.rotateLeft(v[1], 17); v[1] ^= v[2]; v[2] = Long.rotateLeft(v[2], 32);
    }
}
