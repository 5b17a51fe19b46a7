import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * What SO_SNDBUF and SO_RCVBUF read as through the JDK (getOption and the socket adaptor) on this kernel, for a
 * channel before it connects, right after connect and accept, and after a small exchange (what Netty reads when it
 * makes a channel: NioSocketChannelConfig sizes its gathering writes from getSendBufferSize). Run in a fresh network
 * namespace: unshare -n sh -c 'ip link set lo up && java JdkNioBufferSizes.java'
 */
public class JdkNioBufferSizes {
    static String sizes(SocketChannel c) throws Exception {
        return "sndbuf=" + c.getOption(StandardSocketOptions.SO_SNDBUF) + " rcvbuf=" + c.getOption(StandardSocketOptions.SO_RCVBUF)
                + " adaptor=" + c.socket().getSendBufferSize() + "," + c.socket().getReceiveBufferSize();
    }

    public static void main(String[] args) throws Exception {
        System.out.println("java.version " + System.getProperty("java.version"));
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 4500);
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(addr)) {
            System.out.println("server rcvbuf=" + l.getOption(StandardSocketOptions.SO_RCVBUF));
            SocketChannel c = SocketChannel.open();
            System.out.println("unconnected " + sizes(c));
            c.connect(addr);
            System.out.println("connected " + sizes(c));
            SocketChannel s = l.accept();
            System.out.println("accepted " + sizes(s));
            for (int i = 0; i < 3; i++) {
                c.write(ByteBuffer.wrap("hello".getBytes()));
                s.read(ByteBuffer.allocate(100));
                s.write(ByteBuffer.wrap("hello".getBytes()));
                c.read(ByteBuffer.allocate(100));
            }
            Thread.sleep(100);
            System.out.println("client after 3 echoes " + sizes(c));
            System.out.println("server after 3 echoes " + sizes(s));
            c.close();
            s.close();
        }
    }
}
