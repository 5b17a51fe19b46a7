package io.tcpsim.packetdrill;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings a script runs with: packetdrill's defaults (config.c set_default_config), then the script's option
 * lines, then the command line, which wins (config.c parse_and_finalize_config). Only the options packetdrill knows
 * are accepted, each with or without a value as it requires; the ones a one-sided run needs are typed here, and every
 * option given stays in {@link #given()} so that a runner can refuse what it does not model instead of ignoring it.
 *
 * @param ipVersion         {@code --ip_version}, or null when not given (packetdrill then takes the host's primary
 *                          address family, else IPv4)
 * @param localIp           {@code --local_ip}, or null (packetdrill: 192.168.0.1 on IPv4, from run_all.py)
 * @param remoteIp          {@code --remote_ip}, or null
 * @param mss               {@code --mss}, or null
 * @param mtu               {@code --mtu} (1500, TUN_DRIVER_DEFAULT_MTU)
 * @param toleranceUsecs    {@code --tolerance_usecs} (4000)
 * @param tolerancePercent  {@code --tolerance_percent} (12.5)
 * @param tcpTsTickUsecs    {@code --tcp_ts_tick_usecs} (0: outbound TS val not checked)
 * @param pspUdpPort        {@code --psp_udp_port}, or null (then no packet may use {@code encap psp})
 * @param defines           {@code -D}/{@code --define} symbols, command line last
 * @param given             every option in the order applied (script first), with its value or null
 */
public record PktConfig(IpVersion ipVersion, String localIp, String remoteIp, String gatewayIp, String netmaskIp,
                        int bindPort, int connectPort, Integer mss, int mtu, long toleranceUsecs,
                        double tolerancePercent, int tcpTsTickUsecs, boolean tcpTsEcrScaled, boolean strictSegments,
                        boolean sendOmitFree, Integer pspUdpPort, Map<String, String> defines,
                        List<ScriptOption> given) {

    public enum IpVersion {
        IPV4("ipv4"), IPV4_MAPPED_IPV6("ipv4-mapped-ipv6"), IPV6("ipv6");

        final String text;

        IpVersion(String text) { this.text = text; }

        /** As written after {@code --ip_version=}. */
        public String text() { return text; }
    }

    public PktConfig {
        defines = Collections.unmodifiableMap(new LinkedHashMap<>(defines));
        given = List.copyOf(given);
    }

    /** packetdrill's long options (config.c): name and whether it takes a value. */
    static final Map<String, Boolean> KNOWN = known();

    private static Map<String, Boolean> known() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (String n : List.of("ip_version", "bind_port", "code_command", "code_format", "code_sockopt",
                "connect_port", "remote_ip", "local_ip", "gateway_ip", "netmask_ip", "speed", "mss", "mtu",
                "init_scripts", "tolerance_usecs", "tolerance_percent", "wire_server_ip", "wire_server_at",
                "wire_server_port", "wire_client_dev", "wire_server_dev", "so_filename", "so_flags",
                "tcp_ts_tick_usecs", "non_fatal", "psp_udp_port", "define")) {
            m.put(n, true);
        }
        for (String n : List.of("wire_client", "wire_server", "tcp_ts_ecr_scaled", "strict_segments", "dry_run",
                "is_anyip", "send_omit_free", "debug", "verbose")) {
            m.put(n, false);
        }
        return Collections.unmodifiableMap(m);
    }

    /** The defaults alone. */
    public static PktConfig defaults() {
        return new Builder().build();
    }

    /**
     * The options of a packetdrill command line before the script's name, as run_all.py passes them:
     * {@code --name=value}, {@code --name value}, {@code --flag}, {@code -D NAME=VALUE}, {@code -DNAME=VALUE},
     * {@code -v}. Each becomes an option with line 0 and, as its column, its argument's position (1-based).
     */
    public static List<ScriptOption> commandLine(List<String> args) throws PktException {
        List<ScriptOption> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-v")) {
                out.add(new ScriptOption("verbose", null, 0, i + 1));
            } else if (a.startsWith("-D")) {
                int at = i;
                String def = a.length() > 2 ? a.substring(2) : (i + 1 < args.size() ? args.get(++i) : null);
                if (def == null) throw PktException.commandLine(i, "-D needs NAME=VALUE");
                out.add(new ScriptOption("define", def, 0, at + 1));
            } else if (a.startsWith("--")) {
                int at = i, eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                Boolean hasArg = KNOWN.get(name);
                if (hasArg == null) throw PktException.commandLine(i, "unknown option --" + name);
                String value = eq < 0 ? null : a.substring(eq + 1);
                if (hasArg && value == null) {
                    if (i + 1 >= args.size()) throw PktException.commandLine(i, "--" + name + " needs a value");
                    value = args.get(++i);
                }
                if (!hasArg && value != null) throw PktException.commandLine(i, "--" + name + " takes no value");
                out.add(new ScriptOption(name, value, 0, at + 1));
            } else {
                throw PktException.commandLine(i, "expected an option (--name[=value], -D NAME=VALUE or -v), found '"
                        + a + "'");
            }
        }
        return out;
    }

    /** Collects options in the order packetdrill applies them. */
    static final class Builder {
        private IpVersion ipVersion;
        private String localIp, remoteIp, gatewayIp, netmaskIp;
        private int bindPort = 8080, connectPort = 8080;
        private Integer mss;
        private int mtu = 1500;
        private long toleranceUsecs = 4000;
        private double tolerancePercent = 12.5;
        private int tcpTsTickUsecs;
        private boolean tcpTsEcrScaled, strictSegments, sendOmitFree;
        private Integer pspUdpPort;
        private final Map<String, String> defines = new LinkedHashMap<>();
        private final List<ScriptOption> given = new ArrayList<>();

        /**
         * Applies one option; {@code file} names the script for errors (an option with line 0 came from the
         * command line).
         */
        void apply(ScriptOption o, String file) throws PktException {
            int index = o.column() - 1;
            Boolean hasArg = KNOWN.get(o.name());
            if (hasArg == null) throw problem(o, file, index, "unknown option --" + o.name());
            if (hasArg && o.value() == null) throw problem(o, file, index, "--" + o.name() + " needs a value");
            if (!hasArg && o.value() != null) throw problem(o, file, index, "--" + o.name() + " takes no value");
            String v = o.value();
            switch (o.name()) {
                case "ip_version" -> {
                    ipVersion = null;
                    for (IpVersion iv : IpVersion.values()) if (iv.text.equals(v)) ipVersion = iv;
                    if (ipVersion == null) {
                        throw problem(o, file, index, "expected ipv4, ipv4-mapped-ipv6 or ipv6 for --ip_version, found '" + v + "'");
                    }
                }
                case "local_ip" -> localIp = v;
                case "remote_ip" -> remoteIp = v;
                case "gateway_ip" -> gatewayIp = v;
                case "netmask_ip" -> netmaskIp = v;
                case "bind_port" -> bindPort = (int) number(o, file, index, 1, 0xffff, "a port (1-65535)");
                case "connect_port" -> connectPort = (int) number(o, file, index, 1, 0xffff, "a port (1-65535)");
                case "wire_server_port" -> number(o, file, index, 1, 0xffff, "a port (1-65535)");
                case "psp_udp_port" -> pspUdpPort = (int) number(o, file, index, 1, 0xffff, "a port (1-65535)");
                case "mss" -> mss = (int) number(o, file, index, 1, Integer.MAX_VALUE, "a positive number of bytes");
                case "mtu" -> mtu = (int) number(o, file, index, 0, Integer.MAX_VALUE, "a number of bytes");
                case "tolerance_usecs" ->
                        toleranceUsecs = number(o, file, index, 1, Long.MAX_VALUE, "a positive number of microseconds");
                case "tolerance_percent" -> tolerancePercent = percent(o, file, index);
                case "tcp_ts_tick_usecs" ->
                        tcpTsTickUsecs = (int) number(o, file, index, 0, 1_000_000, "microseconds from 0 to 1000000");
                case "speed" -> number(o, file, index, 0, 0xffffffffL, "a 32-bit number");
                case "tcp_ts_ecr_scaled" -> tcpTsEcrScaled = true;
                case "strict_segments" -> strictSegments = true;
                case "send_omit_free" -> sendOmitFree = true;
                case "define" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) throw problem(o, file, index, "expected NAME=VALUE for --define, found '" + v + "'");
                    defines.put(v.substring(0, eq), v.substring(eq + 1));
                }
                default -> { } // kept in given(): the runner decides about wire, shared-object and code options
            }
            given.add(o);
        }

        Map<String, String> defines() {
            return defines;
        }

        PktConfig build() {
            return new PktConfig(ipVersion, localIp, remoteIp, gatewayIp, netmaskIp, bindPort, connectPort, mss, mtu,
                    toleranceUsecs, tolerancePercent, tcpTsTickUsecs, tcpTsEcrScaled, strictSegments, sendOmitFree,
                    pspUdpPort, defines, given);
        }

        private static long number(ScriptOption o, String file, int index, long min, long max, String what)
                throws PktException {
            String v = o.value();
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw problem(o, file, index, "expected " + what + " for --" + o.name() + ", found '" + v + "'");
            }
            if (n < min || n > max) {
                throw problem(o, file, index, "expected " + what + " for --" + o.name() + ", found " + v);
            }
            return n;
        }

        private static double percent(ScriptOption o, String file, int index) throws PktException {
            double p;
            try {
                p = Double.parseDouble(o.value());
            } catch (NumberFormatException e) {
                p = Double.NaN;
            }
            if (!(p >= 0.0 && p <= 100.0)) {
                throw problem(o, file, index, "expected a percentage from 0 to 100 for --tolerance_percent, found '"
                        + o.value() + "'");
            }
            return p;
        }

        private static PktException problem(ScriptOption o, String file, int index, String problem) {
            return o.line() == 0 ? PktException.commandLine(index, problem)
                    : new PktException(file, o.line(), o.column(), problem);
        }
    }
}
