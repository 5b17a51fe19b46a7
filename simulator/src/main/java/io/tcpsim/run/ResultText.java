package io.tcpsim.run;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.script.CText;
import io.tcpsim.script.CallTemplate;
import io.tcpsim.script.ResultShape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A call's result as text: as the output prints it ({@link #print}) and as an expectation --record writes
 * ({@link #record}). {@code nameOf} turns a descriptor number back into the script's name for it.
 */
public final class ResultText {
    private ResultText() {}

    /** Linux's default ip_local_port_range: an address with a port in it is recorded with any port. */
    static final int EPHEMERAL_LOW = 32768, EPHEMERAL_HIGH = 60999;

    public static final String BLOCKED_FOREVER = "blocks forever: nothing left in the simulation can wake it";

    public static String print(CallTemplate call, Result r, IntFunction<String> nameOf) {
        if (r.blockedForever()) return BLOCKED_FOREVER;
        if (r.failed()) return "-1 " + r.errno().name() + " (" + r.errno().text + ")";
        return success(call, r, nameOf);
    }

    /** The expectation texts that state this result, the most precise first (a long recv's data is left out). */
    public static List<String> record(CallTemplate call, Result r, IntFunction<String> nameOf) {
        if (r.blockedForever()) return List.of("blocks forever");
        if (r.failed()) return List.of("-1 " + r.errno().name());
        if (call.shape() == ResultShape.RECEIVED && r.value() > 0) {
            byte[] d = data(r);
            List<String> out = new ArrayList<>();
            if (d.length <= CText.SHOWN) out.add(r.value() + " " + CText.quote(d, d.length));
            out.add(String.valueOf(r.value()));
            return out;
        }
        if (call.shape() == ResultShape.DESCRIPTOR_PAIR) return List.of(String.valueOf(r.value()));
        if (call.shape() == ResultShape.ADDRESS && r.addr() != null && r.addr().port() >= EPHEMERAL_LOW
                && r.addr().port() <= EPHEMERAL_HIGH) {
            // A port from ip_local_port_range is the backend's choice, another on the next run or the kernel: any.
            return List.of(r.addr().ipString() + ":*", String.valueOf(r.addr()));
        }
        return List.of(success(call, r, nameOf));
    }

    private static byte[] data(Result r) {
        return r.data() == null ? new byte[0] : r.data();
    }

    private static int opt(Result r, int i) {
        return r.optval() != null && r.optval().length > i ? r.optval()[i] : 0;
    }

    private static String success(CallTemplate call, Result r, IntFunction<String> nameOf) {
        return switch (call.shape()) {
            case VALUE, DESCRIPTOR -> String.valueOf(r.value());
            case DESCRIPTOR_PAIR -> r.fds() == null || r.fds().length < 2 ? String.valueOf(r.value())
                    : r.value() + " [" + r.fds()[0] + ", " + r.fds()[1] + "]";
            case RECEIVED -> (r.value() <= 0 ? String.valueOf(r.value()) : r.value() + " " + CText.quoteShort(data(r)))
                    + (call instanceof CallTemplate.RecvMsg && r.optval() != null && r.optval().length > 0
                            ? " {TCP_INQ=" + r.optval()[0] + "}" : "");
            case REVENTS -> r.value() == 0 || r.revents() == null || r.revents().length == 0 ? "0"
                    : Bits.format(r.revents()[0], Bits.POLL_NAMES);
            case POLL_LIST -> {
                List<String> parts = new ArrayList<>();
                if (call instanceof CallTemplate.Poll p && r.revents() != null)
                    for (int i = 0; i < r.revents().length && i < p.entries().size(); i++)
                        if (r.revents()[i] != 0) parts.add(p.entries().get(i).fd() + ":" + Bits.format(r.revents()[i], Bits.POLL_NAMES));
                yield parts.isEmpty() ? String.valueOf(r.value()) : String.join(", ", parts);
            }
            case EPOLL_LIST -> {
                List<String> parts = new ArrayList<>();
                if (r.events() != null)
                    for (Result.EpollEvent e : r.events()) parts.add(nameOf.apply(e.fd()) + ":" + Bits.format(e.events(), Bits.EPOLL_NAMES));
                yield parts.isEmpty() ? String.valueOf(r.value()) : String.join(", ", parts);
            }
            case SO_ERROR -> {
                int e = opt(r, 0);
                Errno errno = Errno.ofNumber(e);
                yield e == 0 ? "0" : errno != null ? errno.name() : String.valueOf(e);
            }
            case LINGER -> "{" + opt(r, 0) + ", " + opt(r, 1) + "}";
            case TCP_INFO -> io.tcpsim.calls.TcpInfo.format(r.optval());
            case NAME -> "\"" + io.tcpsim.calls.SockOpt.name(r.optval()) + "\"";
            case OPTION_VALUE -> String.valueOf(opt(r, 0));
            case ADDRESS -> String.valueOf(r.addr());
            case SELECT -> {
                String ready = call instanceof CallTemplate.Select s ? s.readyText(r.revents()) : "";
                yield ready.isEmpty() ? String.valueOf(r.value()) : r.value() + " (" + ready + ")";
            }
            case FILE_FLAGS -> Bits.format((int) r.value(), CallTemplate.FILE_FLAGS);
        };
    }
}
