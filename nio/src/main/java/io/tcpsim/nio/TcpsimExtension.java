package io.tcpsim.nio;

import io.tcpsim.backend.Event;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import io.tcpsim.wire.TcpdumpPrinter;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5: every test gets a simulated network of its own. A parameter of type {@link SimNetwork} is a fresh network,
 * installed for the test (so that SocketChannel.open() and friends use it when the JVM runs with
 * {@link TcpsimSelectorProvider}); a parameter of type {@link Model} is a bare model, for tests of the Java API
 * underneath. {@link Seed} on the test or its class fixes the seed (1 otherwise).
 *
 * <p>When a test fails, its network's trace (calls and packets, as tcpsim run prints them) goes to standard error.
 * With {@code -Dtcpsim.output=DIR} every test also leaves DIR/CLASS.METHOD.txt, .pcap and .svg.
 */
public final class TcpsimExtension implements ParameterResolver, AfterEachCallback {

    /** The seed of the test's network (ISNs, ephemeral ports, timestamps). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    public @interface Seed {
        long value();
    }

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TcpsimExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> t = p.getParameter().getType();
        return t == SimNetwork.class || t == Model.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        long seed = seed(c);
        if (p.getParameter().getType() == Model.class) {
            Model m = new Model(Profile.linux6(), seed);
            c.getStore(NS).put("model", m);
            return m;
        }
        SimNetwork net = SimNetwork.builder().seed(seed).name(c.getDisplayName()).build();
        SimNetwork.Installation installed = net.install();
        c.getStore(NS).put("network", net);
        c.getStore(NS).put("installation", installed);
        return net;
    }

    private static long seed(ExtensionContext c) {
        Seed s = c.getTestMethod().map(m -> m.getAnnotation(Seed.class)).orElse(null);
        if (s == null) s = c.getTestClass().map(k -> k.getAnnotation(Seed.class)).orElse(null);
        return s == null ? 1 : s.value();
    }

    @Override
    public void afterEach(ExtensionContext c) throws IOException {
        SimNetwork net = c.getStore(NS).remove("network", SimNetwork.class);
        SimNetwork.Installation inst = c.getStore(NS).remove("installation", SimNetwork.Installation.class);
        Model model = c.getStore(NS).remove("model", Model.class);
        if (inst != null) inst.close();
        boolean failed = c.getExecutionException().isPresent();
        String dir = System.getProperty("tcpsim.output");
        String base = c.getRequiredTestClass().getSimpleName() + "." + c.getRequiredTestMethod().getName();
        if (net != null) {
            net.close();
            if (failed) {
                System.err.println("# tcpsim: " + base + ", seed " + net.seed());
                net.trace().forEach(System.err::println);
            }
            if (dir != null) {
                Path d = Files.createDirectories(Path.of(dir));
                Files.write(d.resolve(base + ".txt"), net.trace());
                Files.write(d.resolve(base + ".pcap"), net.pcap());
                Files.writeString(d.resolve(base + ".svg"), net.ladderSvg());
            }
        }
        if (model != null && failed) {
            TcpdumpPrinter p = new TcpdumpPrinter();
            System.err.println("# tcpsim: " + base + " (model), seed " + seed(c));
            List<Event> events = model.drainEvents();
            for (Event e : events) if (e instanceof Event.PacketSent ps) System.err.println(p.print(ps.packet()));
        }
    }
}
