package io.tcpsim.kernel.trace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The running kernel's own description of its types (BTF, /sys/kernel/btf/vmlinux: include/uapi/linux/btf.h), read
 * only for the byte offsets of the few struct members the tracer follows (sk_buff.dev, net_device.nd_net, ...). The
 * offsets change with the kernel's build; asking the kernel itself means no offset is typed in.
 */
final class Btf {
    private static final int KIND_INT = 1, KIND_ARRAY = 3, KIND_STRUCT = 4, KIND_UNION = 5, KIND_ENUM = 6,
            KIND_TYPEDEF = 8, KIND_VOLATILE = 9, KIND_CONST = 10, KIND_RESTRICT = 11, KIND_FUNC_PROTO = 13,
            KIND_VAR = 14, KIND_DATASEC = 15, KIND_DECL_TAG = 17, KIND_TYPE_TAG = 18, KIND_ENUM64 = 19;

    private record Member(String name, int type, int bitOffset) {}

    private record Type(String name, int kind, int sizeOrType, List<Member> members) {}

    private final List<Type> types = new ArrayList<>();
    private final Map<String, Integer> structs = new HashMap<>();

    private Btf(ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        if ((b.getShort(0) & 0xffff) != 0xeb9f) throw new IllegalStateException("not BTF (magic " + b.getShort(0) + ")");
        int hdrLen = b.getInt(4), typeOff = b.getInt(8), typeLen = b.getInt(12), strOff = b.getInt(16);
        int strBase = hdrLen + strOff;
        types.add(null); // type id 0 is void
        int p = hdrLen + typeOff, end = p + typeLen;
        while (p < end) {
            int nameOff = b.getInt(p), info = b.getInt(p + 4), sizeOrType = b.getInt(p + 8);
            p += 12;
            int kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
            boolean kindFlag = info < 0;
            List<Member> members = List.of();
            switch (kind) {
                case KIND_INT, KIND_VAR, KIND_DECL_TAG -> p += 4;
                case KIND_ARRAY -> p += 12;
                case KIND_STRUCT, KIND_UNION -> {
                    members = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, p += 12) {
                        int off = b.getInt(p + 8);
                        members.add(new Member(string(b, strBase + b.getInt(p)), b.getInt(p + 4),
                                kindFlag ? off & 0xffffff : off));
                    }
                }
                case KIND_ENUM, KIND_FUNC_PROTO -> p += 8 * vlen;
                case KIND_DATASEC, KIND_ENUM64 -> p += 12 * vlen;
                default -> { }
            }
            String name = string(b, strBase + nameOff);
            if (kind == KIND_STRUCT && !name.isEmpty()) structs.putIfAbsent(name, types.size());
            types.add(new Type(name, kind, sizeOrType, members));
        }
    }

    private static String string(ByteBuffer b, int at) {
        int e = at;
        while (b.get(e) != 0) e++;
        byte[] s = new byte[e - at];
        b.get(at, s);
        return new String(s, StandardCharsets.US_ASCII);
    }

    static Btf vmlinux() {
        try {
            return new Btf(ByteBuffer.wrap(Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux"))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): " + e.getMessage(), e);
        }
    }

    /**
     * The byte offset of {@code path} ("nd_net.net", members of anonymous structs and unions found through them)
     * inside {@code struct name}.
     */
    int offset(String struct, String path) {
        Integer id = structs.get(struct);
        if (id == null) throw new IllegalStateException("the kernel's BTF has no struct " + struct);
        int bits = 0, type = id;
        for (String field : path.split("\\.")) {
            long found = find(type, field);
            if (found < 0) throw new IllegalStateException("the kernel's BTF has no " + struct + "." + path);
            bits += (int) (found >>> 32);
            type = (int) found;
        }
        if (bits % 8 != 0) throw new IllegalStateException(struct + "." + path + " is a bit field");
        return bits / 8;
    }

    /** (bit offset << 32 | member type) of {@code field} in the struct or union {@code type}, or -1. */
    private long find(int type, String field) {
        Type t = resolve(type);
        if (t.kind != KIND_STRUCT && t.kind != KIND_UNION) return -1;
        for (Member m : t.members) {
            if (m.name.equals(field)) return (long) m.bitOffset << 32 | m.type;
            if (m.name.isEmpty()) {
                long inner = find(m.type, field);
                if (inner >= 0) return inner + ((long) m.bitOffset << 32);
            }
        }
        return -1;
    }

    private Type resolve(int type) {
        Type t = types.get(type);
        while (t.kind == KIND_TYPEDEF || t.kind == KIND_VOLATILE || t.kind == KIND_CONST || t.kind == KIND_RESTRICT
                || t.kind == KIND_TYPE_TAG) {
            t = types.get(t.sizeOrType);
        }
        return t;
    }
}
