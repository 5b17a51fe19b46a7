package io.tcpsim.nio.corpus;

/** A corpus program: Java NIO code written once, run on the kernel and on the model. */
public interface Program {
    String name();

    void run(Env env) throws Exception;

    /** A program's body with what it uses most at hand. */
    interface Body {
        void run(Env env, Ops ops, java.nio.channels.spi.SelectorProvider p) throws Exception;
    }
}
