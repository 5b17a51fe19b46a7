package io.tcpsim.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code tcpsim 0.1.0}: the pom's version, from a resource Maven filters; a -SNAPSHOT suffix is not shown. */
final class Version implements CommandLine.IVersionProvider {
    static String version() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/tcpsim-version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown").replaceFirst("-SNAPSHOT$", "");
    }

    public String[] getVersion() {
        return new String[] {"tcpsim " + version()};
    }
}
