package io.tcpsim.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptException;
import io.tcpsim.wire.TcpFlags;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonOutputTest {
    @Test
    void oneObjectPerLineWithATypeAndAFailureAfterAFailedCall() throws ScriptException {
        Script s = RunnerTest.script("c = socket()", "sleep 1ms", "close(c) = 0");
        FakeBackend b = new FakeBackend().reply(Result.ok(3)).reply((x, p, c) -> {
            x.packet(x.now + 1000, FakeBackend.CLIENT, FakeBackend.SERVER, TcpFlags.FIN | TcpFlags.ACK, "");
            return Result.error(Errno.EBADF);
        });
        RunLog log = Runner.run(s, b);
        List<String> lines = new JsonOutput(s).lines(log.lines());
        String tcpdump = new io.tcpsim.wire.TcpdumpPrinter().print(log.packets().get(0)).replace("\"", "\\\"");
        assertEquals(List.of(
                "{\"type\":\"call\",\"time\":\"00:00:00.000000\",\"time_ns\":0,\"line\":3,\"process\":\"main\",\"text\":\"c = socket()\","
                        + "\"call\":\"socket\",\"result\":\"3\",\"value\":3,\"errno\":null,\"sigpipe\":false,\"blocked_forever\":false,"
                        + "\"duration_ns\":5000,\"expected\":null,\"ok\":true}",
                "{\"type\":\"sleep\",\"time\":\"00:00:00.000005\",\"time_ns\":5000,\"line\":4,\"duration\":\"1ms\",\"duration_ns\":1000000}",
                "{\"type\":\"call\",\"time\":\"00:00:00.001005\",\"time_ns\":1005000,\"line\":5,\"process\":\"main\",\"text\":\"close(c)\","
                        + "\"call\":\"close\",\"result\":\"-1 EBADF (Bad file descriptor)\",\"value\":-1,\"errno\":\"EBADF\","
                        + "\"sigpipe\":false,\"blocked_forever\":false,\"duration_ns\":5000,\"expected\":\"0\",\"ok\":false}",
                "{\"type\":\"failure\",\"time\":\"00:00:00.001005\",\"time_ns\":1005000,\"file\":\"t.yaml\",\"line\":5,\"column\":5,"
                        + "\"process\":\"main\",\"text\":\"close(c)\",\"expected\":\"0\",\"actual\":\"-1 EBADF (Bad file descriptor)\"}",
                "{\"type\":\"packet\",\"time\":\"00:00:00.001006\",\"time_ns\":1006000,\"ip_id\":1,\"src\":\"127.0.0.1:40000\","
                        + "\"dst\":\"127.0.0.1:4321\",\"flags\":\"F.\",\"flag_bits\":17,\"seq\":1000,\"ack\":2000,\"window\":512,"
                        + "\"urgent\":0,\"options\":[],\"length\":0,\"payload\":\"\",\"tcpdump\":\"" + tcpdump + "\"}"), lines);
        assertEquals("{\"type\":\"end\",\"ok\":false,\"failures\":1}", JsonOutput.end(log));
        assertEquals("{\"type\":\"run\",\"file\":\"t.yaml\",\"seed\":9,\"backend\":\"fake\"}", JsonOutput.header("t.yaml", 9, "fake"));
    }
}
