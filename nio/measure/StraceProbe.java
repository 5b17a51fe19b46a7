import java.net.*; import java.nio.*; import java.nio.channels.*;
public class StraceProbe { 
 static void mark(String s) { System.out.println("MARK " + s); System.out.flush(); }
 public static void main(String[] a) throws Exception {
 InetSocketAddress ADDR = new InetSocketAddress("127.0.0.1", 4321);
 mark("open-listener"); ServerSocketChannel l = ServerSocketChannel.open(); l.setOption(StandardSocketOptions.SO_REUSEADDR, true); l.bind(ADDR, 16);
 mark("blocking-connect"); SocketChannel c = SocketChannel.open(ADDR);
 mark("accept"); SocketChannel s = l.accept();
 mark("local-address"); System.out.println(c.getLocalAddress()); System.out.println(s.getRemoteAddress());
 mark("gather-write"); c.write(new ByteBuffer[]{ByteBuffer.wrap("ab".getBytes()), ByteBuffer.wrap("cd".getBytes())});
 mark("scatter-read"); s.read(new ByteBuffer[]{ByteBuffer.allocate(2), ByteBuffer.allocate(10)});
 mark("direct-write"); ByteBuffer d = ByteBuffer.allocateDirect(10); d.put("xy".getBytes()).flip(); c.write(d);
 mark("read-blocking"); s.read(ByteBuffer.allocate(100));
 mark("nonblocking-connect"); SocketChannel n = SocketChannel.open(); n.configureBlocking(false); n.connect(ADDR);
 mark("finishConnect"); n.finishConnect();
 mark("selector-open"); Selector sel = Selector.open();
 mark("register"); SelectionKey k = n.register(sel, SelectionKey.OP_READ);
 mark("selectNow"); sel.selectNow();
 mark("interest-write"); k.interestOps(SelectionKey.OP_WRITE);
 mark("select-timeout"); sel.select(100);
 mark("wakeup"); sel.wakeup();
 mark("select-after-wakeup"); sel.select();
 mark("accept-nonblocking"); l.configureBlocking(false); SocketChannel s2 = l.accept(); l.configureBlocking(true);
 mark("s2-configure-nonblocking"); s2.configureBlocking(false);
 mark("shutdownOutput"); c.shutdownOutput();
 mark("shutdownInput"); c.shutdownInput();
 mark("read-after-shutdownInput"); c.read(ByteBuffer.allocate(10));
 mark("linger-set"); c.setOption(StandardSocketOptions.SO_LINGER, 0);
 mark("nodelay"); c.setOption(StandardSocketOptions.TCP_NODELAY, true);
 mark("close-blocking"); c.close();
 mark("close-registered"); n.close();
 mark("selectNow-after-close"); sel.selectNow();
 mark("adaptor-read"); s.socket().setSoTimeout(50); try { s.socket().getInputStream().read(); } catch (Exception e) { System.out.println(e); }
 mark("adaptor-write"); try { s.socket().getOutputStream().write(1); } catch (Exception e) { System.out.println(e); }
 mark("close-s"); s.close();
 mark("pipe"); Pipe p = Pipe.open();
 mark("pipe-write"); p.sink().write(ByteBuffer.wrap("x".getBytes()));
 mark("pipe-read"); p.source().read(ByteBuffer.allocate(10));
 mark("close-selector"); sel.close();
 mark("connect-refused"); try { SocketChannel.open(new InetSocketAddress("127.0.0.1", 9999)); } catch (Exception e) { System.out.println(e); }
 mark("nb-connect-refused"); SocketChannel r = SocketChannel.open(); r.configureBlocking(false); r.connect(new InetSocketAddress("127.0.0.1", 9999)); Thread.sleep(20);
 mark("nb-finish-refused"); try { r.finishConnect(); } catch (Exception e) { System.out.println(e); }
 mark("end");
}}
