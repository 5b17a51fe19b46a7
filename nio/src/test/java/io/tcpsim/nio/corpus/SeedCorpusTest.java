package io.tcpsim.nio.corpus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The nine seed scenarios as NIO programs, each run on the JDK's provider in a network namespace of its own (with a
 * capture on lo) and on tcpsim's provider: every operation's outcome must be the same, and the packets must agree
 * under check's rules. Needs root: elsewhere it skips without, under CI=true a missing privilege
 * or libpcap is a failure.
 */
class SeedCorpusTest {
    @TestFactory
    Stream<DynamicTest> seedsAgreeWithTheKernel() {
        return java.util.stream.Stream.of(Seeds.ALL, More.ALL, NettyEcho.ALL).flatMap(List::stream)
                .filter(p -> p.name().startsWith(System.getProperty("nio.corpus", ""))).map(p -> DynamicTest.dynamicTest(p.name(), () -> {
            ModelRun.Outcome m = ModelRun.run(p, 1);
            KernelRun.Outcome k = KernelRun.runOrSkip(p);
            CrossCheck.Result r = CrossCheck.compare(p.name(), m.ops(), m.packets(), k.ops(), k.packets());
            if (!r.agrees() || Boolean.getBoolean("nio.print")) {
                System.out.println("== " + p.name() + " (model)");
                m.ops().forEach(o -> System.out.println("  " + o.text()));
                m.network().trace().forEach(l -> System.out.println("  " + l));
                System.out.println("== " + p.name() + " (kernel)");
                k.ops().forEach(o -> System.out.println("  " + o.text()));
            }
            assertTrue(r.agrees(), () -> p.name() + ":\n" + r.report());
            System.out.println(p.name() + ": " + m.ops().size() + " operations agree; " + r.packets().counts()
                    + " (kernel " + k.packets().size() + "); rules used: " + r.packets().rulesText());
        }));
    }
}
