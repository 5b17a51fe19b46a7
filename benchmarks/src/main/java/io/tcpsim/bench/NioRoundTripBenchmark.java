package io.tcpsim.bench;

import io.tcpsim.nio.SimNetwork;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Round trips per second through the tcpsim provider on one core: a client writes a 100-byte request, the server
 * reads it and writes a 100-byte response, the client reads it; blocking channels, one thread, the network's call
 * log off (the packets and timers are all simulated as usual). Goal (issue 16): at least 50,000 per second.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar NioRoundTrip}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class NioRoundTripBenchmark {
    private SocketChannel client, server;
    private final ByteBuffer request = ByteBuffer.allocate(100), response = ByteBuffer.allocate(100);
    private final ByteBuffer in = ByteBuffer.allocate(100);

    @Setup(Level.Iteration)
    public void connect() throws IOException {
        SimNetwork net = SimNetwork.create();
        net.recording(false);
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 8080);
        ServerSocketChannel listener = net.provider().openServerSocketChannel().bind(addr);
        client = net.provider().openSocketChannel();
        client.connect(addr);
        server = listener.accept();
    }

    @Benchmark
    public int roundTrip() throws IOException {
        request.clear();
        client.write(request);
        in.clear();
        while (in.hasRemaining()) server.read(in);
        response.clear();
        server.write(response);
        in.clear();
        while (in.hasRemaining()) client.read(in);
        return in.get(0);
    }
}
