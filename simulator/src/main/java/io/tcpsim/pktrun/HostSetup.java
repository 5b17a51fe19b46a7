package io.tcpsim.pktrun;

import io.tcpsim.model.Profile;
import io.tcpsim.packetdrill.Command;
import io.tcpsim.packetdrill.PktConfig;
import io.tcpsim.packetdrill.PktScript;
import io.tcpsim.packetdrill.ScriptOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The modelled host's profile, from what the script runs before its first event and from its option lines: the
 * local host of packetdrill's tun device (MTU 1500: MSS 1460) with the sysctls {@code defaults.sh} sets, those the
 * model has a profile key for taken from it (docs/packetdrill.md, "The scripts' shell settings and the profile").
 * A shell line the runner cannot map, a sysctl whose value changes what the model does not model, an option that
 * needs another mode: {@link NotModelled}, naming it.
 */
final class HostSetup {
    private HostSetup() {}

    /** defaults.sh's sysctls (gtests/net/common/defaults.sh), as the values a script starts from. */
    static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("tcp_rmem", "4096 540000 15728640");
        m.put("tcp_wmem", "4096 262144 4194304");
        m.put("tcp_timestamps", "1");
        m.put("tcp_syn_retries", "5");
        m.put("tcp_synack_retries", "5");
        m.put("tcp_frto", "2");
        m.put("tcp_sack", "1");
        m.put("tcp_dsack", "1");
        m.put("tcp_fack", "0");
        m.put("tcp_reordering", "3");
        m.put("tcp_congestion_control", "cubic");
        m.put("tcp_slow_start_after_idle", "0");
        m.put("tcp_early_retrans", "4");
        m.put("tcp_recovery", "1");
        m.put("tcp_tso_win_divisor", "3");
        m.put("tcp_ecn", "0");
        m.put("tcp_ecn_option", "2");
        m.put("tcp_pacing_ss_ratio", "200");
        m.put("tcp_pacing_ca_ratio", "120");
        m.put("tcp_notsent_lowat", "4294967295");
        m.put("tcp_fastopen", "0x70403");
        m.put("tcp_fastopen_key", "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4");
        m.put("tcp_syncookies", "1");
        return m;
    }

    /** The options a one-sided run reads (config.c); any other is a mode or a setting the model does not have. */
    private static final List<String> OPTIONS = List.of("ip_version", "local_ip", "remote_ip", "gateway_ip",
            "netmask_ip", "tolerance_usecs", "tolerance_percent", "send_omit_free", "define", "tcp_ts_tick_usecs",
            "strict_segments", "verbose", "debug", "non_fatal", "bind_port", "connect_port");

    private static final Pattern DEFAULTS_SH = Pattern.compile("(\\.\\./)+common/defaults\\.sh");
    private static final Pattern SET_SYSCTLS = Pattern.compile("(\\.\\./)+common/set_sysctls\\.py");
    private static final Pattern SYSCTL = Pattern.compile("sysctl -q\\s+((?:net\\.ipv4\\.[a-z_0-9]+=(?:\"[^\"]*\"|\\S+)\\s*)+)");

    /** The profile the script's host runs with. */
    static Profile profile(PktScript s) throws NotModelled {
        PktConfig c = s.config();
        for (ScriptOption o : c.given()) {
            if (!OPTIONS.contains(o.name())) throw new NotModelled(s.file(), o.line(), "the option --" + o.name());
        }
        if (c.ipVersion() != null && c.ipVersion() != PktConfig.IpVersion.IPV4)
            throw new NotModelled(s.file(), 0, "IPv6 (--ip_version=" + c.ipVersion().text() + ")");
        if (c.mtu() != 1500) throw new NotModelled(s.file(), 0, "an MTU other than 1500 (--mtu)");
        Map<String, String> sysctls = new LinkedHashMap<>();
        if (s.init() == null) throw new NotModelled(s.file(), 1, "a host without defaults.sh's settings (no init command)");
        apply(s.file(), s.init(), sysctls, true);
        return profile(s.file(), s.init().line(), sysctls);
    }

    /**
     * The host's TCP Fast Open sysctls (tcp_fastopen, tcp_fastopen_key), from defaults.sh and what the script sets
     * before its first event. Every bit of tcp_fastopen is taken: the server's (TFO_SERVER_ENABLE,
     * TFO_SERVER_COOKIE_NOT_REQD, TFO_SERVER_WO_SOCKOPT1) are modelled, the client's matter only to a socket that
     * asks for Fast Open (MSG_FASTOPEN, TCP_FASTOPEN_CONNECT: refused), and upstream Linux reads no others.
     */
    static io.tcpsim.model.tcp.FastOpen fastOpen(PktScript s) throws NotModelled {
        Map<String, String> sysctls = new LinkedHashMap<>();
        if (s.init() == null) return io.tcpsim.model.tcp.FastOpen.LINUX_DEFAULT;
        apply(s.file(), s.init(), sysctls, true);
        int flags = io.tcpsim.model.tcp.FastOpen.LINUX_DEFAULT.sysctl();
        int[] key = null;
        String f = sysctls.get("tcp_fastopen"), k = sysctls.get("tcp_fastopen_key");
        try {
            if (f != null) flags = (int) (long) Long.decode(f.trim());
            if (k != null) key = io.tcpsim.model.tcp.FastOpen.parseKey(k);
        } catch (IllegalArgumentException e) {
            throw new NotModelled(s.file(), s.init().line(), "the Fast Open sysctls tcp_fastopen=" + f + " tcp_fastopen_key=" + k);
        }
        return new io.tcpsim.model.tcp.FastOpen(flags, key);
    }

    /**
     * A command of the script's body: nothing to do (it restores what set_sysctls.py saved, a profile lasts one run),
     * or refused.
     */
    static void command(String file, Command c) throws NotModelled {
        for (String line : lines(c.text())) {
            if (line.matches("/tmp/sysctl_restore_\\$\\{PPID\\}\\.sh")) continue;
            throw new NotModelled(file, c.line(), "the shell command `" + line + "`");
        }
    }

    private static void apply(String file, Command c, Map<String, String> sysctls, boolean init) throws NotModelled {
        boolean defaults = false;
        for (String line : lines(c.text())) {
            if (DEFAULTS_SH.matcher(line).matches()) {
                sysctls.putAll(DEFAULTS);
                defaults = true;
                continue;
            }
            String[] words = line.split("\\s+");
            if (SET_SYSCTLS.matcher(words[0]).matches()) {
                for (int i = 1; i < words.length; i++) {
                    String w = words[i];
                    if (!w.startsWith("/proc/sys/net/ipv4/") || !w.contains("="))
                        throw new NotModelled(file, c.line(), "the setting " + w);
                    String kv = w.substring("/proc/sys/net/ipv4/".length());
                    int eq = kv.indexOf('=');
                    String v = kv.substring(eq + 1);
                    if (v.startsWith("\"")) {
                        StringBuilder b = new StringBuilder(v.substring(1));
                        while (!b.toString().endsWith("\"") && i + 1 < words.length) b.append(' ').append(words[++i]);
                        v = b.substring(0, b.length() - 1);
                    }
                    sysctls.put(kv.substring(0, eq), v);
                }
                continue;
            }
            Matcher m = SYSCTL.matcher(line);
            if (m.matches()) {
                Matcher kv = Pattern.compile("net\\.ipv4\\.([a-z_0-9]+)=(\"[^\"]*\"|\\S+)").matcher(m.group(1));
                while (kv.find()) sysctls.put(kv.group(1), kv.group(2).replace("\"", ""));
                continue;
            }
            throw new NotModelled(file, c.line(), "the shell command `" + line + "`");
        }
        if (init && !defaults) throw new NotModelled(file, c.line(), "a host without defaults.sh's settings");
    }

    /** A command's lines, with backslash-newline joined and blank lines dropped. */
    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String l : text.replace("\\\n", " ").split("\n")) {
            String t = l.trim().replaceAll("\\s*>\\s*/dev/null\\s*2>&1$", "");
            if (!t.isEmpty()) out.add(t);
        }
        return out;
    }

    /**
     * The sysctls as a profile: tcp_rmem gives rcvbuf and tcp_rmem_max, tcp_timestamps and tcp_sack their keys; every
     * other one must keep defaults.sh's value, whose behaviour (no Fast Open on a socket that does not ask for it, no
     * ECN, ...) is the model's. The MSS is the tun device's: 1500 - 40.
     */
    private static Profile profile(String file, int line, Map<String, String> sysctls) throws NotModelled {
        Profile p = Profile.linux6().with("mss", "1460");
        for (var e : sysctls.entrySet()) {
            String k = e.getKey(), v = e.getValue();
            switch (k) {
                case "tcp_rmem" -> {
                    String[] r = v.trim().split("\\s+");
                    if (r.length != 3) throw new NotModelled(file, line, "tcp_rmem=\"" + v + "\"");
                    p = p.with("rcvbuf", r[1]).with("tcp_rmem_max", r[2]);
                }
                case "tcp_timestamps" -> p = p.with("tcp_timestamps", v);
                case "tcp_sack" -> p = p.with("tcp_sack", v);
                case "tcp_fastopen", "tcp_fastopen_key" -> { } // fastOpen(): the host's Fast Open settings
                default -> {
                    String d = DEFAULTS.get(k);
                    if (!v.equals(d)) throw new NotModelled(file, line, "the sysctl net.ipv4." + k + "=" + v);
                }
            }
        }
        return p;
    }
}
