package io.tcpsim.traces;

import io.tcpsim.nio.SimNetwork;
import io.tcpsim.nio.TcpsimExtension;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;

/**
 * A quote's source that is a Java example rather than a command ({@code <!-- output: java CLASS -->}): the one test
 * method of CLASS that takes a {@link SimNetwork} is run on a network made as {@link TcpsimExtension} makes it (its
 * {@code @Seed}, else 1, and installed), and the output is the network's {@link SimNetwork#trace()}.
 */
final class JavaExample {
    private JavaExample() {}

    static List<String> trace(String className) throws MarkCommands.BadMark {
        Class<?> c;
        try {
            c = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new MarkCommands.BadMark("no class " + className + " on the test class path");
        }
        Method method = null;
        for (Method m : c.getDeclaredMethods()) {
            if (m.getParameterCount() == 1 && m.getParameterTypes()[0] == SimNetwork.class) {
                if (method != null) throw new MarkCommands.BadMark(className + " has more than one method that takes a SimNetwork");
                method = m;
            }
        }
        if (method == null) throw new MarkCommands.BadMark(className + " has no method that takes a SimNetwork");
        TcpsimExtension.Seed seed = method.getAnnotation(TcpsimExtension.Seed.class);
        if (seed == null) seed = c.getAnnotation(TcpsimExtension.Seed.class);
        SimNetwork net = SimNetwork.builder().seed(seed == null ? 1 : seed.value()).name(className).build();
        try (SimNetwork.Installation installed = net.install()) {
            Constructor<?> k = c.getDeclaredConstructor();
            k.setAccessible(true);
            method.setAccessible(true);
            method.invoke(k.newInstance(), net);
        } catch (InvocationTargetException e) {
            throw new AssertionError(className + " failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new MarkCommands.BadMark(className + " cannot be run: " + e);
        }
        return net.trace();
    }
}
