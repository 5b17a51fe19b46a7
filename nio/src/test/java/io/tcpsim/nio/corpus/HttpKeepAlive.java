package io.tcpsim.nio.corpus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * The JDK's HttpClient against com.sun.net.httpserver, both unmodified: they open their channels through
 * SelectorProvider.provider(), so the model run is a JVM of its own started with the system property
 * ({@link ChildModelRun}), the kernel run the test JVM's own provider in a network namespace (KernelRun).
 *
 * <p>The server is HttpServer with its default executor: each handler runs on the dispatcher thread
 * ("HTTP-Dispatcher"), which then reads no other connection. A handler answers with its path's last part as the
 * body. The client is HTTP/1.1 with a direct executor ({@code Runnable::run}: its work runs on the thread that asks
 * and on its selector thread; a pool's idle workers wait with a timeout, which would hold the model's clock, see
 * docs/java-nio.md, "Time"). The operations are what the program sees: each request's outcome (status and body, or
 * the exception with its causes), and each request the handler is given, with the connection it came on (numbered
 * in order of appearance: the ports themselves differ between the runs).
 *
 * <p>The server "closes a keep-alive connection while a request is on its way" deterministically: the handler of
 * {@code /one} writes its whole answer, so the client has it and puts the connection back in its pool, and then
 * waits, holding the dispatcher, until the program has sent the next request and waited 100 ms (it is in the
 * server's receive buffer, unread); then the handler throws, and the server closes the connection.
 */
final class HttpKeepAlive {
    private HttpKeepAlive() {}

    static final int PORT = 8080;
    static final String BASE = "http://127.0.0.1:" + PORT;

    /** What a program holds while it runs: the server, the client, the handler's gate, the connections seen. */
    private static final class Run {
        final Ops ops;
        final HttpServer server;
        final HttpClient client;
        final CountDownLatch gate = new CountDownLatch(1);
        final Map<Integer, Integer> connections = new HashMap<>();
        volatile boolean holdFirst;

        Run(Env env) throws IOException {
            this.ops = env.ops();
            // The program must be on the provider of its run: tcpsim's in the model's JVM, the JDK's in the kernel's.
            boolean model = SelectorProvider.provider().getClass().getName().startsWith("io.tcpsim");
            if (model != env.provider().getClass().getName().startsWith("io.tcpsim"))
                throw new IllegalStateException("SelectorProvider.provider() is " + SelectorProvider.provider());
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", PORT), 0);
            server.createContext("/", this::handle);
            ops.op("server.start()", () -> { server.start(); return "ok"; });
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Runnable::run).build();
        }

        private void handle(HttpExchange ex) throws IOException {
            String path = ex.getRequestURI().getPath();
            int conn;
            synchronized (connections) {
                conn = connections.computeIfAbsent(ex.getRemoteAddress().getPort(), port -> connections.size() + 1);
            }
            ops.op("handle " + ex.getRequestMethod() + " " + path + " on connection " + conn, () -> "ok");
            ex.getRequestBody().readAllBytes();
            byte[] body = path.substring(path.lastIndexOf('/') + 1).getBytes(StandardCharsets.US_ASCII);
            ops.op("sendResponseHeaders(200, " + body.length + ") and the body", () -> {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.getResponseBody().flush();
                return "ok";
            });
            if (holdFirst && path.equals("/one")) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // An exception from a handler whose answer is not finished makes ServerImpl.Exchange close the
                // connection (closeConnection): the next request, unread in its receive buffer, is discarded.
                ops.op("handler of /one throws", () -> "ok");
                throw new IOException("the server closes connection " + conn);
            }
            ex.close();
        }

        HttpRequest get(String path) {
            return HttpRequest.newBuilder(URI.create(BASE + path)).build();
        }

        HttpRequest post(String path) {
            return HttpRequest.newBuilder(URI.create(BASE + path)).POST(HttpRequest.BodyPublishers.noBody()).build();
        }

        String send(HttpRequest r) {
            return ops.op("send(" + r.method() + " " + r.uri().getPath() + ")",
                    () -> describe(() -> client.send(r, HttpResponse.BodyHandlers.ofString())));
        }

        void stop() {
            ops.op("server.stop(0)", () -> { server.stop(0); return "ok"; });
        }
    }

    private interface Exchange {
        HttpResponse<String> run() throws Exception;
    }

    /** A response as status and body; an exception as its class and message, then each cause's. */
    static String describe(Exchange e) {
        try {
            HttpResponse<String> r = e.run();
            return r.statusCode() + " \"" + r.body() + "\"";
        } catch (Exception ex) {
            Throwable t = ex instanceof ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
            StringBuilder sb = new StringBuilder();
            for (; t != null; t = t.getCause()) {
                if (sb.length() > 0) sb.append(" <- ");
                sb.append(t.getClass().getName()).append(": ").append(t.getMessage());
            }
            return sb.toString();
        }
    }

    /** Plain keep-alive: two requests, one connection (the handler sees connection 1 twice). */
    static final Program REUSE = Seeds.of("httpclient-keepalive-reuse", (env, ops, p) -> {
        Run run = new Run(env);
        run.send(run.get("/one"));
        run.send(run.get("/two"));
        run.stop();
    });

    /**
     * The server closes the connection with the next request unread; the request is a {@code method} request for
     * {@code /two}: the client reads the reset before any byte of an answer, on a connection it took from its pool.
     */
    static Program closeWhileOnItsWay(String name, String method) {
        return Seeds.of(name, (env, ops, p) -> {
            Run run = new Run(env);
            run.holdFirst = true;
            run.send(run.get("/one"));
            HttpRequest second = method.equals("GET") ? run.get("/two") : run.post("/two");
            List<CompletableFuture<HttpResponse<String>>> answer = new java.util.ArrayList<>();
            ops.op("sendAsync(" + method + " /two)", () -> {
                answer.add(run.client.sendAsync(second, HttpResponse.BodyHandlers.ofString()));
                return "ok";
            });
            env.sleep(Duration.ofMillis(100));
            // One operation, so that it starts before the reset on both runs (two would race with the server).
            ops.op("let the handler of /one go on; the answer to " + method + " /two", () -> {
                run.gate.countDown();
                return describe(answer.get(0)::get);
            });
            run.stop();
        });
    }

    /** A GET is idempotent: HttpClient retries it once, on a new connection (MultiExchange, ConnectionExpiredException). */
    static final Program CLOSE_GET = closeWhileOnItsWay("httpclient-close-while-get-on-its-way", "GET");

    /** A POST is not: the request fails with the reset as its cause. */
    static final Program CLOSE_POST = closeWhileOnItsWay("httpclient-close-while-post-on-its-way", "POST");

    static final List<Program> ALL = List.of(REUSE, CLOSE_GET, CLOSE_POST);

    static Program named(String name) {
        for (Program p : ALL) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("no such program: " + name);
    }
}
