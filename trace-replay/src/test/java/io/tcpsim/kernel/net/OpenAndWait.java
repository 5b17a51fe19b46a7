package io.tcpsim.kernel.net;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For {@link NetworkTest}: opens the standard network, prints {@code ready} and the three namespaces' identities
 * ({@code net:[inode]}), then waits to be killed.
 */
public final class OpenAndWait {
    public static void main(String[] args) throws Exception {
        Network n = Network.open(NetSpec.of(HostSpec.parse("client", "10.0.1.1/24"), HostSpec.parse("server", "10.0.1.2/24")));
        String ids = Files.readSymbolicLink(Path.of(n.a().netnsPath())) + " " + Files.readSymbolicLink(Path.of(n.b().netnsPath()))
                + " " + Files.readSymbolicLink(Path.of(n.wireNetnsPath()));
        System.out.println("ready " + ids);
        System.out.flush();
        Thread.sleep(60_000);
    }
}
