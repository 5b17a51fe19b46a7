package io.tcpsim.cli;

import io.tcpsim.kernel.KernelUnavailableException;
import io.tcpsim.model.Model;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Byte-flip mutants of the captures in traces/captures, replayed through the cli in-process, one JVM for all
 * (issue 19; tools/hostile/mutants runs it). Mutant {@code i} is capture {@code i % captures} with 1 to 8 bytes
 * past the file header set to random values, from a generator seeded with {@code i}: the same index is the same
 * file on every machine. Prints one line per mutant that exits 3, prints a stack trace or takes longer than the
 * limit, and the exit-code counts at the end.
 *
 * <p>A mutant still running at the limit cannot be stopped inside the JVM: it is reported ({@code SLOW}) and the
 * JVM exits with status 4, and the script starts the next JVM after it ({@code --from}).
 *
 * <p>Arguments: {@code ROOT COUNT [--from I] [--limit SECONDS] [--keep DIR]}; {@code --keep} writes every mutant
 * reported into DIR, to become part of the regression corpus.
 */
public final class Mutants {
    private Mutants() {}

    static List<Path> captures(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root.resolve("traces/captures"))) {
            return s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        }
    }

    static byte[] mutant(List<byte[]> originals, int i) {
        byte[] b = originals.get(i % originals.size()).clone();
        Random r = new Random(i);
        int flips = 1 + r.nextInt(8);
        for (int k = 0; k < flips; k++) {
            int at = 24 + r.nextInt(Math.max(1, b.length - 24)); // past the pcap header: the records are the target
            if (at < b.length) b[at] = (byte) r.nextInt(256);
        }
        return b;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int from = 0;
        long limitMs = 10_000;
        Path keep = null;
        for (int a = 2; a < args.length; a += 2) {
            switch (args[a]) {
                case "--from" -> from = Integer.parseInt(args[a + 1]);
                case "--limit" -> limitMs = Long.parseLong(args[a + 1]) * 1000;
                case "--keep" -> keep = Path.of(args[a + 1]);
                default -> throw new IllegalArgumentException(args[a]);
            }
        }
        List<Path> files = captures(root);
        List<byte[]> originals = new java.util.ArrayList<>();
        for (Path p : files) originals.add(Files.readAllBytes(p));
        Path dir = Files.createTempDirectory("tcpsim-mutants");
        Path file = dir.resolve("mutant.pcap");
        TreeMap<Integer, Integer> codes = new TreeMap<>();
        long slowest = 0;
        int slowestAt = -1;
        final int[] current = {-1};
        final long[] started = {0};
        long limit = limitMs;
        Path keepDir = keep;
        Thread watchdog = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (current) {
                    if (current[0] >= 0 && System.nanoTime() - started[0] > limit * 1_000_000L) {
                        System.out.println("SLOW " + current[0] + " (" + files.get(current[0] % files.size()).getFileName()
                                + "): still running after " + limit / 1000 + " s");
                        save(keepDir, file, current[0]);
                        synchronized (codes) {
                            System.out.println("CODES " + codes);
                        }
                        System.out.flush();
                        Runtime.getRuntime().halt(4);
                    }
                }
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        for (int i = from; i < count; i++) {
            Files.write(file, mutant(originals, i));
            StringWriter out = new StringWriter(), err = new StringWriter();
            synchronized (current) {
                current[0] = i;
                started[0] = System.nanoTime();
            }
            int code = Main.run(new String[] {"replay", file.toString(), "--json"}, new Main.Env(new PrintWriter(out),
                    new PrintWriter(err), new BufferedReader(new StringReader("")), false, Model::new, () -> {
                        throw new KernelUnavailableException(KernelUnavailableException.NEEDS_PRIVILEGE);
                    }));
            long ms;
            synchronized (current) {
                ms = (System.nanoTime() - started[0]) / 1_000_000;
                current[0] = -1;
            }
            synchronized (codes) {
                codes.merge(code, 1, Integer::sum);
            }
            if (ms > slowest) {
                slowest = ms;
                slowestAt = i;
            }
            String e = err.toString();
            boolean trace = e.contains("\tat ") || e.contains("Exception");
            if (code == 3 || trace || code == 2 && e.lines().count() != 1) {
                System.out.println("BAD " + i + " (" + files.get(i % files.size()).getFileName() + "): exit " + code
                        + ": " + e.strip().lines().findFirst().orElse(""));
                save(keep, file, i);
            }
            if ((i + 1) % 1000 == 0) System.out.println("at " + (i + 1) + ": exit codes " + codes);
        }
        System.out.println("CODES " + codes);
        System.out.println("DONE " + from + ".." + count + ": exit codes " + codes + "; slowest " + slowest + " ms (mutant "
                + slowestAt + ")");
    }

    private static void save(Path keep, Path file, int i) {
        if (keep == null) return;
        try {
            Files.createDirectories(keep);
            Files.copy(file, keep.resolve("mutant-" + i + ".pcap"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.out.println("cannot keep mutant " + i + ": " + e.getMessage());
        }
    }
}
