package io.tcpsim.kernel.trace;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bpf(2) system call, for the little the tracer needs (include/uapi/linux/bpf.h): create a map, load a program,
 * attach it to a raw tracepoint, pop a map's values; and {@link Asm}, which writes eBPF instructions
 * (Documentation/bpf/standardization/instruction-set.rst) with labels.
 */
final class Bpf {
    private Bpf() {}

    static final int SYS_BPF = 321; // x86_64
    static final int MAP_CREATE = 0, MAP_LOOKUP_ELEM = 1, PROG_LOAD = 5, RAW_TRACEPOINT_OPEN = 17,
            MAP_LOOKUP_AND_DELETE_ELEM = 21;
    static final int MAP_TYPE_ARRAY = 2, MAP_TYPE_QUEUE = 22;
    static final int PROG_TYPE_RAW_TRACEPOINT = 17;
    static final int ENOENT = 2;

    // helper function ids (enum bpf_func_id)
    static final int MAP_LOOKUP = 1, KTIME_GET_NS = 5, MAP_PUSH_ELEM = 87, PROBE_READ_KERNEL = 113;

    private static final Function SYSCALL = Function.getFunction("c", "syscall");
    private static final int ATTR_SIZE = 128;

    /** bpf(cmd, attr): the result, or -errno. */
    private static long call(int cmd, Memory attr) {
        long r = SYSCALL.invokeLong(new Object[] {(long) SYS_BPF, (long) cmd, attr, (long) ATTR_SIZE});
        return r < 0 ? -Native.getLastError() : r;
    }

    private static Memory attr() {
        Memory m = new Memory(ATTR_SIZE);
        m.clear();
        return m;
    }

    static int mapCreate(int type, int keySize, int valueSize, int maxEntries) {
        Memory a = attr();
        a.setInt(0, type);
        a.setInt(4, keySize);
        a.setInt(8, valueSize);
        a.setInt(12, maxEntries);
        return check(call(MAP_CREATE, a), "BPF_MAP_CREATE");
    }

    /** Loads a program; a verifier refusal throws with the verifier's log. */
    static int progLoad(int type, byte[] insns, String name) {
        Memory code = new Memory(insns.length);
        code.write(0, insns, 0, insns.length);
        Memory license = new Memory(16);
        license.setString(0, "Dual MIT/GPL"); // bpf_probe_read_kernel is for GPL-compatible programs
        Memory log = new Memory(1 << 16);
        log.clear();
        Memory a = attr();
        a.setInt(0, type);
        a.setInt(4, insns.length / 8);
        a.setPointer(8, code);
        a.setPointer(16, license);
        a.setInt(24, 1);
        a.setInt(28, (int) log.size());
        a.setPointer(32, log);
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        a.write(48, n, 0, Math.min(15, n.length));
        long r = call(PROG_LOAD, a);
        if (r < 0) throw new IllegalStateException("BPF_PROG_LOAD " + name + ": errno " + -r + ": " + log.getString(0));
        return (int) r;
    }

    static int rawTracepointOpen(String tracepoint, int progFd) {
        Memory name = new Memory(64);
        name.setString(0, tracepoint);
        Memory a = attr();
        a.setPointer(0, name);
        a.setInt(8, progFd);
        return check(call(RAW_TRACEPOINT_OPEN, a), "BPF_RAW_TRACEPOINT_OPEN " + tracepoint);
    }

    /** Pops the next value of a queue map into {@code value}; false when the queue is empty. */
    static boolean pop(int mapFd, Memory value) {
        Memory a = attr();
        a.setInt(0, mapFd);
        a.setPointer(16, value);
        long r = call(MAP_LOOKUP_AND_DELETE_ELEM, a);
        if (r == -ENOENT) return false;
        check(r, "BPF_MAP_LOOKUP_AND_DELETE_ELEM");
        return true;
    }

    /** The u64 at index 0 of an array map. */
    static long arrayFirst(int mapFd) {
        Memory key = new Memory(4);
        key.setInt(0, 0);
        Memory value = new Memory(8);
        Memory a = attr();
        a.setInt(0, mapFd);
        a.setPointer(8, key);
        a.setPointer(16, value);
        check(call(MAP_LOOKUP_ELEM, a), "BPF_MAP_LOOKUP_ELEM");
        return value.getLong(0);
    }

    private static int check(long r, String what) {
        if (r < 0) throw new IllegalStateException(what + ": errno " + -r);
        return (int) r;
    }

    /** eBPF instructions, eight bytes each: opcode, dst and src registers, a 16-bit offset, a 32-bit immediate. */
    static final class Asm {
        static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R6 = 6, R7 = 7, R8 = 8, R9 = 9, FP = 10;
        static final int B = 0x10, H = 0x08, W = 0x00, DW = 0x18;

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Map<String, Integer> labels = new HashMap<>();
        private final List<int[]> fixups = new ArrayList<>(); // {instruction index, label id}
        private final List<String> fixupLabels = new ArrayList<>();
        private int count;

        private Asm insn(int code, int dst, int src, int off, int imm) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            b.put((byte) code).put((byte) (src << 4 | dst)).putShort((short) off).putInt(imm);
            out.writeBytes(b.array());
            count++;
            return this;
        }

        Asm movImm(int dst, int imm) { return insn(0xb7, dst, 0, 0, imm); }
        Asm mov(int dst, int src) { return insn(0xbf, dst, src, 0, 0); }
        Asm addImm(int dst, int imm) { return insn(0x07, dst, 0, 0, imm); }
        Asm add(int dst, int src) { return insn(0x0f, dst, src, 0, 0); }
        /** dst = *(size *)(src + off) */
        Asm load(int size, int dst, int src, int off) { return insn(0x61 | size, dst, src, off, 0); }
        /** *(size *)(dst + off) = src */
        Asm store(int size, int dst, int off, int src) { return insn(0x63 | size, dst, src, off, 0); }
        /** *(size *)(dst + off) = imm */
        Asm storeImm(int size, int dst, int off, int imm) { return insn(0x62 | size, dst, 0, off, imm); }
        /** lock *(u64 *)(dst + off) += src */
        Asm atomicAdd(int dst, int off, int src) { return insn(0xdb, dst, src, off, 0); }
        Asm call(int helper) { return insn(0x85, 0, 0, 0, helper); }
        Asm exit() { return insn(0x95, 0, 0, 0, 0); }

        /** dst = imm64 (two instruction slots); {@code mapFd} true makes it a map reference (BPF_PSEUDO_MAP_FD). */
        Asm loadImm64(int dst, long imm, boolean mapFd) {
            insn(0x18, dst, mapFd ? 1 : 0, 0, (int) imm);
            return insn(0, 0, 0, 0, (int) (imm >>> 32));
        }

        Asm jeqImm(int dst, int imm, String label) { return jump(0x15, dst, 0, imm, label); }
        Asm jneImm(int dst, int imm, String label) { return jump(0x55, dst, 0, imm, label); }
        Asm jne(int dst, int src, String label) { return jump(0x5d, dst, src, 0, label); }
        Asm ja(String label) { return jump(0x05, 0, 0, 0, label); }

        private Asm jump(int code, int dst, int src, int imm, String label) {
            fixups.add(new int[] {count});
            fixupLabels.add(label);
            return insn(code, dst, src, 0, imm);
        }

        Asm label(String name) {
            if (labels.put(name, count) != null) throw new IllegalArgumentException("label " + name + " twice");
            return this;
        }

        byte[] bytes() {
            byte[] code = out.toByteArray();
            ByteBuffer b = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < fixups.size(); i++) {
                int at = fixups.get(i)[0];
                Integer target = labels.get(fixupLabels.get(i));
                if (target == null) throw new IllegalArgumentException("no label " + fixupLabels.get(i));
                b.putShort(at * 8 + 2, (short) (target - at - 1));
            }
            return code;
        }
    }
}
