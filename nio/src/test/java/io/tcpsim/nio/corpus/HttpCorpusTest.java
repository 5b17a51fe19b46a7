package io.tcpsim.nio.corpus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The JDK's HttpClient against com.sun.net.httpserver ({@link HttpKeepAlive}): on the JDK's provider in a network
 * namespace with a capture on lo, and on tcpsim's provider in a JVM of its own started with the system property
 * ({@link ChildModelRun}); compared as the rest of the corpus is (CrossCheck: every operation exactly, the packets
 * under check's rules). The kernel run comes after a first run of the same program whose outcome is not kept: the
 * model takes no time to compute, the kernel's JVM does, and a cold HttpClient (class loading, the time zone data
 * for the Date header) spends tens of milliseconds where a warm one spends well under the 4 ms check allows.
 * Needs root, as SeedCorpusTest does.
 */
class HttpCorpusTest {
    @TestFactory
    Stream<DynamicTest> httpClientAgainstHttpServerAgreesWithTheKernel() {
        return HttpKeepAlive.ALL.stream().filter(p -> p.name().startsWith(System.getProperty("nio.corpus", "")))
                .map(p -> DynamicTest.dynamicTest(p.name(), () -> {
                    ChildModelRun.Outcome m = ChildModelRun.run(p);
                    KernelRun.runOrSkip(p); // warming up: see above
                    KernelRun.Outcome k = KernelRun.runOrSkip(p);
                    CrossCheck.Result r = CrossCheck.compare(p.name(), m.ops(), m.packets(), k.ops(), k.packets());
                    if (!r.agrees() || Boolean.getBoolean("nio.print")) {
                        System.out.println("== " + p.name() + " (model)");
                        m.ops().forEach(o -> System.out.println("  " + o.text()));
                        m.trace().forEach(l -> System.out.println("  " + l));
                        System.out.println("== " + p.name() + " (kernel)");
                        k.ops().forEach(o -> System.out.println("  " + o.text()));
                        io.tcpsim.wire.TcpdumpPrinter tp = new io.tcpsim.wire.TcpdumpPrinter();
                        k.packets().forEach(x -> System.out.println("  " + tp.print(x)));
                    }
                    assertTrue(r.agrees(), () -> p.name() + ":\n" + r.report());
                    System.out.println(p.name() + ": " + m.ops().size() + " operations agree; " + r.packets().counts()
                            + " (kernel " + k.packets().size() + "); rules used: " + r.packets().rulesText());
                }));
    }
}
