package io.tcpsim.nio;

/** The running JDK: where JDK 17 and 25 were measured to differ, the provider follows the one it runs on. */
final class Jdk {
    private Jdk() {}

    /** 17, 21, 25, ...: versions below 25 behave as 17 was measured to. */
    static final int FEATURE = Runtime.version().feature();
}
