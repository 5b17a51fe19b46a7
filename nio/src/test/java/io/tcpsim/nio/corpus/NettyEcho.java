package io.tcpsim.nio.corpus;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Netty echo client and server on Netty's own NIO transport, with the provider handed in (NioIoHandler,
 * NioSocketChannel and NioServerSocketChannel each take one): the JDK's in the kernel run, tcpsim's in the model run.
 * Each event loop has one thread of its own ("server-loop", "client-loop"); the operations logged are what the
 * handlers see (channelActive, channelRead with its bytes, the input shutdown event, exceptionCaught with the
 * exception's class and message, channelInactive) and what the program asks of Netty. The program's own thread
 * waits for each event it needs in a queue (an untimed wait, so the model's clock may move meanwhile).
 */
public final class NettyEcho {
    private NettyEcho() {}

    static final InetSocketAddress ADDR = new InetSocketAddress("127.0.0.1", 7007);

    /** The handlers' events: logged on the event loop's thread, and handed to the program. */
    static final class Events extends ChannelInboundHandlerAdapter {
        final String who;
        final Ops ops;
        final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        final boolean echo;
        Consumer<ChannelHandlerContext> onInputShutdown = ctx -> { };

        Events(String who, Ops ops, boolean echo) {
            this.who = who;
            this.ops = ops;
            this.echo = echo;
        }

        private void log(String event) {
            ops.op(who + " " + event, () -> "seen");
            seen.add(event);
        }

        @Override public boolean isSharable() { return true; }

        @Override public void channelActive(ChannelHandlerContext ctx) { log("channelActive"); }

        @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            log("channelRead \"" + b.toString(StandardCharsets.ISO_8859_1) + "\"");
            if (echo) ctx.writeAndFlush(b); else b.release();
        }

        @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                log("inputShutdown");
                onInputShutdown.accept(ctx);
            }
        }

        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log("exceptionCaught " + cause.getClass().getName() + ": " + cause.getMessage());
        }

        @Override public void channelInactive(ChannelHandlerContext ctx) { log("channelInactive"); }

        /** Waits until this event has been seen (the ones before it are in the log, which the comparison reads). */
        void expect(String event) throws InterruptedException {
            for (;;) {
                String e = seen.poll(30, TimeUnit.SECONDS);
                if (event.equals(e)) return;
                if (e == null) {
                    StringBuilder so = new StringBuilder();
                    for (Ops.Op op : ops.list()) so.append("\n  ").append(op.text());
                    throw new IllegalStateException(who + ": no " + event + " in 30 s; so far:" + so);
                }
            }
        }
    }

    interface Scenario {
        void run(Env env, Ops ops, Channel client, Events server, Events clientEvents, Channel[] child) throws Exception;
    }

    static Program of(String name, boolean serverAutoRead, List<Option> clientOptions, Consumer<Events> serverSetup,
                      Scenario scenario) {
        return Seeds.of(name, (env, ops, p) -> run(env, ops, p, serverAutoRead, clientOptions, serverSetup, scenario));
    }

    record Option(ChannelOption<Object> option, Object value) {
        @SuppressWarnings("unchecked")
        static Option of(ChannelOption<?> o, Object v) { return new Option((ChannelOption<Object>) o, v); }
    }

    static void run(Env env, Ops ops, SelectorProvider p, boolean serverAutoRead, List<Option> clientOptions,
                    Consumer<Events> serverSetup, Scenario scenario) throws Exception {
        EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, (java.util.concurrent.ThreadFactory) r -> new Thread(r, "server-loop"), NioIoHandler.newFactory(p));
        EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, (java.util.concurrent.ThreadFactory) r -> new Thread(r, "client-loop"), NioIoHandler.newFactory(p));
        try {
            Events server = new Events("server", ops, true);
            serverSetup.accept(server);
            Channel[] child = new Channel[1];
            ServerBootstrap sb = new ServerBootstrap().group(serverGroup)
                    .channelFactory(() -> new NioServerSocketChannel(p))
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.AUTO_READ, serverAutoRead)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override public void channelRegistered(ChannelHandlerContext ctx) {
                            child[0] = ctx.channel();
                            ctx.pipeline().replace(this, "events", server);
                            ctx.fireChannelRegistered();
                        }
                    });
            Channel listener = ops.op("server bind(7007)", () -> sb.bind(ADDR).sync().channel());
            Events clientEvents = new Events("client", ops, false);
            clientEvents.onInputShutdown = ctx -> { };
            Bootstrap b = new Bootstrap().group(clientGroup).channelFactory(() -> new NioSocketChannel(p))
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true).handler(clientEvents);
            for (Option o : clientOptions) b.option(o.option(), o.value());
            Channel client = ops.op("client connect(7007)", () -> b.connect(ADDR).sync().channel());
            clientEvents.expect("channelActive");
            server.expect("channelActive");
            scenario.run(env, ops, client, server, clientEvents, child);
            ops.op("server close listener", () -> { listener.close().sync(); return "ok"; });
        } finally {
            clientGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /**
     * Echo, then the client half-closes (shutdownOutput: its FIN); the server sees the input shutdown, writes
     * "bye" and closes; the client reads "bye", then its input shuts down and it closes.
     */
    static final Program HALF_CLOSE = of("netty-echo-half-close", true, List.of(),
            server -> server.onInputShutdown = ctx -> ctx.writeAndFlush(text("bye")).addListener(f -> ctx.close()),
            (env, ops, client, server, ce, child) -> {
                ops.op("client writeAndFlush(\"hello\")", () -> { client.writeAndFlush(text("hello")).sync(); return "ok"; });
                server.expect("channelRead \"hello\"");
                ce.expect("channelRead \"hello\"");
                ops.op("client shutdownOutput()", () -> { ((SocketChannel) client).shutdownOutput().sync(); return "ok"; });
                server.expect("inputShutdown");
                ce.expect("channelRead \"bye\"");
                ce.expect("inputShutdown");
                server.expect("channelInactive");
                ops.op("client close()", () -> { client.close().sync(); return "ok"; });
                ce.expect("channelInactive");
            });

    /**
     * The server does not read (AUTO_READ off) and closes with the client's request unread: its close is an RST
     * (tcp_close), which the client's read meets as "Connection reset".
     */
    static final Program CLOSE_UNREAD = of("netty-close-unread", false, List.of(), server -> { },
            (env, ops, client, server, ce, child) -> {
                ops.op("client writeAndFlush(\"GET / HTTP/1.1\")", () -> { client.writeAndFlush(text("GET / HTTP/1.1\r\n\r\n")).sync(); return "ok"; });
                env.sleep(java.time.Duration.ofMillis(50));
                ops.op("server child close()", () -> { child[0].close().sync(); return "ok"; });
                server.expect("channelInactive");
                ce.expect("inputShutdown"); // after the exception: Netty, half-closure allowed, shuts the input
                ops.op("client close()", () -> { client.close().sync(); return "ok"; });
            });

    /** SO_LINGER 0 on the client: after one echo its close is an RST; the server's read meets "Connection reset". */
    static final Program LINGER_0 = of("netty-linger-0", true, List.of(Option.of(ChannelOption.SO_LINGER, 0)), server -> { },
            (env, ops, client, server, ce, child) -> {
                ops.op("client writeAndFlush(\"ping\")", () -> { client.writeAndFlush(text("ping")).sync(); return "ok"; });
                server.expect("channelRead \"ping\"");
                ce.expect("channelRead \"ping\"");
                ops.op("client close()", () -> { client.close().sync(); return "ok"; });
                ce.expect("channelInactive");
                server.expect("exceptionCaught java.net.SocketException: Connection reset");
                server.expect("inputShutdown");
                ops.op("server child close()", () -> { child[0].close().sync(); return "ok"; });
            });

    public static final List<Program> ALL = List.of(HALF_CLOSE, CLOSE_UNREAD, LINGER_0);
}
