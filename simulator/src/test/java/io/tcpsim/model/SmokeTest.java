package io.tcpsim.model;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.SockOpt;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void closeThenSend() {
        Harness h = new Harness();
        int a = h.listener();
        int c = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Fcntl(c, Bits.F_SETFL, Bits.O_NONBLOCK));
        System.out.println("connect " + h.call(new Call.Connect(c, Harness.SERVER)));
        h.ok(new Call.Fcntl(c, Bits.F_SETFL, 0));
        int s = (int) h.ok(new Call.Accept(a, 0));
        System.out.println("poll " + Harness.bits(h.call(Harness.poll(c, Bits.POLLOUT, -1)).revents()[0]));
        System.out.println("soerr " + h.call(new Call.GetSockOpt(c, SockOpt.SO_ERROR)).optval()[0]);
        h.model.netstat().forEach(r -> System.out.println(r.format()));
        h.ok(new Call.Close(c));
        h.model.netstat().forEach(r -> System.out.println(r.format()));
        System.out.println("send1 " + h.call(Harness.send(s, "a", Bits.MSG_NOSIGNAL)));
        h.model.netstat().forEach(r -> System.out.println(r.format()));
        System.out.println("send2 " + h.call(Harness.send(s, "a", Bits.MSG_NOSIGNAL)).errno());
        h.sleepMs(5000);
        for (var p : h.packets()) System.out.println(p.timeNanos() / 1000 + "us " + p.segment());
        h.take().forEach(System.out::println);
        h.events().forEach(System.out::println);
    }
}
