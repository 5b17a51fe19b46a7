package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.packetdrill.PktParser;
import io.tcpsim.packetdrill.PktScript;
import io.tcpsim.pktrun.ModelVerdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real packetdrill on this kernel against the model, measured now rather than read from the recorded table:
 * every script on which the model and the recorded kernel verdicts agree, and tcpsim's own scripts
 * (traces/packetdrill/own), run in a namespace of their own (as root: nothing skips under CI=true), must give the
 * model's verdict again; and for every one that passes, a copy with one ACK number, flag, window or call result
 * changed ({@link Mutation}, written under target/pktrun-mutants) fails on both at the changed line on the same
 * field. A verdict that differs is run once more before it counts (the kernel's timing flakes under load). The whole
 * test is bounded: it fails when it takes more than three minutes.
 */
class PacketdrillOnTheKernelTest {
    static KernelPacketdrill kernel;
    static final Path DIR = Path.of("target/pktrun-kernel").toAbsolutePath();

    @BeforeAll
    static void stage() throws Exception {
        kernel = KernelPacketdrill.staged(DIR);
    }

    /** The scripts the test runs: gtests/net paths of the agreeing ones, then tcp/tcpsim-own/NAME. */
    static List<String> selected() throws Exception {
        List<String> out = new ArrayList<>();
        for (var r : PacketdrillVerdicts.all().values()) if (r.agrees()) out.add(r.kernel().path());
        try (Stream<Path> s = Files.list(KernelPacketdrill.ownScripts())) {
            for (Path p : s.filter(f -> f.toString().endsWith(".pkt")).sorted().toList())
                out.add("tcp/tcpsim-own/" + p.getFileName());
        }
        return out;
    }

    static ModelVerdict model(Path file, String text) {
        return ModelVerdict.of(file.getFileName().toString(), text, KernelPacketdrill.args(file));
    }

    /** The kernel's verdict, run a second time when it differs from the model's. */
    static KernelPacketdrill.Verdict kernel(Path file, ModelVerdict model) throws Exception {
        KernelPacketdrill.Verdict k = kernel.run(file, KernelPacketdrill.args(file));
        if (model.agrees(k.verdict(), k.line(), k.error())) return k;
        return kernel.run(file, KernelPacketdrill.args(file));
    }

    @Test
    void theModelAndTheKernelAgreeScriptByScriptAndOnEveryMutant() throws Exception {
        long start = System.nanoTime();
        List<String> scripts = selected();
        assertTrue(scripts.size() >= 22, "only " + scripts.size() + " scripts: " + scripts);
        Map<String, String> wrong = new LinkedHashMap<>();
        int passing = 0, mutants = 0;
        Path mutantDir = Path.of("target/pktrun-mutants").toAbsolutePath();
        for (int i = 0; i < scripts.size(); i++) {
            Path file = kernel.script(scripts.get(i));
            String text = Files.readString(file);
            ModelVerdict m = model(file, text);
            KernelPacketdrill.Verdict k = kernel(file, m);
            if (!m.agrees(k.verdict(), k.line(), k.error())) {
                wrong.put(scripts.get(i), "model " + m + " vs kernel " + k.verdict() + ":" + k.line() + " " + k.error());
                continue;
            }
            if (!m.verdict().equals("pass")) continue;
            passing++;
            PktScript parsed = PktParser.parse(file.getFileName().toString(), text, KernelPacketdrill.args(file));
            Mutation mu = Mutation.of(parsed, text, i);
            // The mutant sits beside its original, so that ../common/defaults.sh resolves; a copy stays under target/.
            Path copy = file.resolveSibling("mutant-" + file.getFileName());
            Files.writeString(copy, mu.text());
            Files.createDirectories(mutantDir);
            Files.writeString(mutantDir.resolve(scripts.get(i).replace('/', '_')), mu.text());
            ModelVerdict mm = model(copy, mu.text());
            KernelPacketdrill.Verdict mk = kernel(copy, mm);
            mutants++;
            String where = scripts.get(i) + " (" + mu.what() + " at line " + mu.line() + ")";
            if (!mm.verdict().equals("fail") || mm.line() != mu.line() || !mm.field().equals(mu.field()))
                wrong.put(where, "model " + mm + ", expected a failure at line " + mu.line() + " on " + mu.field());
            else if (!mm.agrees(mk.verdict(), mk.line(), mk.error()))
                wrong.put(where, "model " + mm + " vs kernel " + mk.verdict() + ":" + mk.line() + " " + mk.error());
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertEquals(Map.of(), wrong);
        assertEquals(passing, mutants);
        assertTrue(seconds < 180, "the kernel runs took " + seconds + " s (bound: 180 s)");
    }
}
