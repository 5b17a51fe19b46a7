package io.tcpsim.kernel;

/**
 * The real kernel cannot be used from this process. The message is one line that says what to install or which
 * privilege to grant, written to follow the name of what needs it: {@code tcpsim: check } + message.
 */
public final class KernelUnavailableException extends RuntimeException {

    public static final String NEEDS_PRIVILEGE =
            "needs root or CAP_SYS_ADMIN+CAP_NET_ADMIN+CAP_NET_RAW "
                    + "(to unshare a network namespace, bring lo up and capture on it)";
    public static final String NEEDS_BPF =
            "needs bpf(2) (root or CAP_BPF+CAP_PERFMON, a kernel with BPF and BTF) to record the kernel's reasons";
    public static final String NEEDS_LIBPCAP =
            "needs libpcap: install libpcap0.8 (apt-get install -y libpcap0.8)";

    public KernelUnavailableException(String message) {
        super(message);
    }

    public KernelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
