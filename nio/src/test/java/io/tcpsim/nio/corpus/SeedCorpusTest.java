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
    static final int KERNEL_ATTEMPTS = 3;

    @TestFactory
    Stream<DynamicTest> seedsAgreeWithTheKernel() {
        return java.util.stream.Stream.of(Seeds.ALL, More.ALL, NettyEcho.ALL).flatMap(List::stream)
                .filter(p -> p.name().startsWith(System.getProperty("nio.corpus", ""))).map(p -> DynamicTest.dynamicTest(p.name(), () -> {
            ModelRun.Outcome m = ModelRun.run(p, 1);
            // A kernel run whose only differences are late packets (the host kept the JVM off its CPU: 5-15 ms at a
            // load of 15) is run again, up to KERNEL_ATTEMPTS; any other difference fails at once.
            KernelRun.Outcome k;
            CrossCheck.Result r;
            for (int attempt = 1; ; attempt++) {
                k = KernelRun.runOrSkip(p);
                r = CrossCheck.compare(p.name(), m.ops(), m.packets(), k.ops(), k.packets());
                if (r.agrees() || attempt == KERNEL_ATTEMPTS || !HttpCorpusTest.onlyLate(r)) break;
                System.out.println(p.name() + ": kernel run " + attempt + " late (host load), again: "
                        + r.packets().divergences().get(0).text());
            }
            KernelRun.Outcome kernel = k;
            CrossCheck.Result result = r;
            if (!result.agrees() || Boolean.getBoolean("nio.print")) {
                System.out.println("== " + p.name() + " (model)");
                m.ops().forEach(o -> System.out.println("  " + o.text()));
                m.network().trace().forEach(l -> System.out.println("  " + l));
                System.out.println("== " + p.name() + " (kernel)");
                kernel.ops().forEach(o -> System.out.println("  " + o.text()));
            }
            assertTrue(result.agrees(), () -> p.name() + ":\n" + result.report());
            System.out.println(p.name() + ": " + m.ops().size() + " operations agree; " + result.packets().counts()
                    + " (kernel " + kernel.packets().size() + "); rules used: " + result.packets().rulesText());
        }));
    }
}
