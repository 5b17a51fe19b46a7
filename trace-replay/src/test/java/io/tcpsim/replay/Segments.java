package io.tcpsim.replay;

import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpOption;
import java.util.List;

/**
 * Hand-made segments of one connection for the unit tests of replay's parts: client 127.0.0.1:48272, server
 * 127.0.0.1:4321; in the capture the client's ISN is 7 and the server's 90, in the model 1000 and 5000.
 */
final class Segments {
    static final SockAddr C = SockAddr.loopback(48272), S = SockAddr.loopback(4321);
    static final List<TcpOption> TS = List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(1, 2));

    final Sides sides = new Sides();
    final FlowSide client = sides.client(), server = sides.server();

    Segments() {
        client.addr = client.modelAddr = C;
        server.addr = server.modelAddr = S;
        client.captured.learn(7);
        server.captured.learn(90);
        client.model.learn(1000);
        server.model.learn(5000);
    }

    /** A segment from {@code from} with seq and ack relative to the capture's ISNs. */
    Segment captured(Role from, long seq, long ack, int flags, int length) {
        return segment(from, seq + (from == Role.CLIENT ? 7 : 90), ack + (from == Role.CLIENT ? 90 : 7), flags, length);
    }

    /** A segment from {@code from} with seq and ack relative to the model's ISNs. */
    Segment model(Role from, long seq, long ack, int flags, int length) {
        return segment(from, seq + (from == Role.CLIENT ? 1000 : 5000), ack + (from == Role.CLIENT ? 5000 : 1000), flags,
                length);
    }

    private static Segment segment(Role from, long seq, long ack, int flags, int length) {
        SockAddr src = from == Role.CLIENT ? C : S, dst = from == Role.CLIENT ? S : C;
        return new Segment(src, dst, seq, ack, flags, 64, 0, TS, new byte[length]);
    }
}
