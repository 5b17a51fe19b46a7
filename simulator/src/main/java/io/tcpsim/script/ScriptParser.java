package io.tcpsim.script;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tcpsim.model.Profile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a script (YAML, or JSON when the file name ends in .json) from its text. The whole script is parsed and
 * checked here, before anything runs: a script that parses can only fail by its expectations.
 */
public final class ScriptParser {
    private ScriptParser() {}

    /** The top-level keys, in the order the docs present them. */
    public static final List<String> KEYS = List.of("name", "description", "seed", "profile", "hosts", "link", "sysctl", "steps");

    /** The longest a script's sleeps may add up to: a quarter of the virtual clock's range, some 73 years. */
    public static final long MAX_SLEPT_NANOS = Long.MAX_VALUE / 4;

    /** A YAML node with the place it starts (1-based line and column). */
    private sealed interface Node permits Scalar, MapNode, ListNode {
        int line();
        int col();
    }

    /** {@code text} is null for a YAML null; {@code token} tells strings from numbers and booleans. */
    private record Scalar(String text, JsonToken token, int line, int col) implements Node {}

    private record Entry(String key, int line, int col, Node value) {}

    private record MapNode(List<Entry> entries, int line, int col) implements Node {}

    private record ListNode(List<Node> items, int line, int col) implements Node {}

    public static Script parse(String file, String text) throws ScriptException {
        SourceText.Lines lines = new SourceText.Lines(text);
        Node root = read(file, text, lines);
        if (root == null) throw new ScriptException(file, 1, 1, "empty script: expected a mapping with keys " + String.join(", ", KEYS));
        if (!(root instanceof MapNode top))
            throw new ScriptException(file, root.line(), root.col(), "expected a mapping with keys " + String.join(", ", KEYS));

        String name = null, description = null;
        Long seed = null;
        Profile profile = Profile.linux6();
        ListNode steps = null;
        Entry hosts = null, link = null, sysctl = null;
        for (Entry e : top.entries()) {
            switch (e.key()) {
                case "name" -> name = string(file, e, true);
                case "description" -> description = string(file, e, false);
                case "seed" -> {
                    if (!(e.value() instanceof Scalar s) || s.token() != JsonToken.VALUE_NUMBER_INT)
                        throw new ScriptException(file, e.value().line(), e.value().col(), "seed must be an integer, got " + describe(e.value()));
                    try {
                        seed = Long.parseLong(s.text());
                    } catch (NumberFormatException x) {
                        throw new ScriptException(file, s.line(), s.col(), (s.text().matches("[-+]?[0-9]+")
                                ? "seed must fit in 64 bits, got " : "seed must be a decimal integer, got ") + s.text());
                    }
                }
                case "profile" -> profile = profile(file, e);
                case "hosts" -> hosts = e;
                case "link" -> link = e;
                case "sysctl" -> sysctl = e;
                case "steps" -> {
                    if (!(e.value() instanceof ListNode l))
                        throw new ScriptException(file, e.value().line(), e.value().col(), "steps must be a list of steps, got " + describe(e.value()));
                    steps = l;
                }
                default -> throw new ScriptException(file, e.line(), e.col(), "unknown key '" + e.key() + "'; known keys: " + String.join(", ", KEYS));
            }
        }
        if (name == null) throw new ScriptException(file, top.line(), top.col(), "missing key 'name'");
        if (steps == null) throw new ScriptException(file, top.line(), top.col(), "missing key 'steps'");

        Topology topology = topology(file, lines, hosts, link, sysctl);
        Names names = new Names();
        List<Step> out = new ArrayList<>();
        long slept = 0;
        for (Node item : steps.items()) {
            String keyProcess = null;
            Node body = item;
            if (item instanceof MapNode m) {
                if (m.entries().size() != 1)
                    throw new ScriptException(file, m.line(), m.col(), "a step is a string or a one-entry mapping {process: step}, got "
                            + m.entries().size() + " entries");
                Entry e = m.entries().get(0);
                if (!StepParser.IDENT.matcher(e.key()).matches())
                    throw new ScriptException(file, e.line(), e.col(), "bad process name '" + e.key() + "': expected letters, digits and _");
                keyProcess = e.key();
                body = e.value();
            }
            if (!(body instanceof Scalar s) || s.text() == null || s.token() != JsonToken.VALUE_STRING)
                throw new ScriptException(file, body.line(), body.col(), "expected a step like close(c), got " + describe(body)
                        + hint(lines, body));
            Step step = StepParser.parse(file, locate(s, lines), names, keyProcess, topology);
            if (step instanceof Step.Sleep sleep) {
                // The virtual clock counts nanoseconds in a long: sleeps that add up past a quarter of its range
                // are refused, not wrapped (issue 19, item 16), leaving the rest for the calls' own timeouts.
                slept += sleep.nanos();
                if (slept > MAX_SLEPT_NANOS)
                    throw new ScriptException(file, s.line(), s.col(), "the sleeps add up to more than "
                            + MAX_SLEPT_NANOS / 1_000_000_000L + " s, the longest a script can run (docs/limits.md)");
            }
            out.add(step);
        }
        if (topology != null) checkHosts(file, topology, out);
        checkSsWithIpv6(file, out);
        return new Script(file, text, name, description, seed, profile, out, topology);
    }

    // ---- hosts, link, sysctl -----------------------------------------------------------------------------------

    /** net.ipv4.NAME[.PART...], as the kernel backend's NetSpec takes them. */
    private static final java.util.regex.Pattern SYSCTL = java.util.regex.Pattern.compile("net\\.ipv4\\.[a-z0-9_]+(\\.[A-Za-z0-9_-]+)*");
    private static final java.util.regex.Pattern SYSCTL_VALUE = java.util.regex.Pattern.compile("[-0-9A-Za-z_ \\t]{1,200}");
    private static final List<String> LINK_KEYS = List.of("delay", "mtu", "loss");

    private static SourceText at(SourceText.Lines lines, String text, int line, int col) {
        return SourceText.locate(text, lines, lines.offset(line, col), ' ');
    }

    private static Topology topology(String file, SourceText.Lines lines, Entry hosts, Entry link, Entry sysctl)
            throws ScriptException {
        if (hosts == null) {
            Entry other = link != null ? link : sysctl;
            if (other != null)
                throw new ScriptException(file, other.line(), other.col(), "'" + other.key()
                        + "' needs hosts: (two hosts joined by the link); a script without hosts: runs on loopback");
            return null;
        }
        Map<String, SourceText> where = new LinkedHashMap<>();
        if (!(hosts.value() instanceof MapNode hm))
            throw new ScriptException(file, hosts.value().line(), hosts.value().col(),
                    "hosts must be a mapping of process names to IPv4 addresses (client: 10.0.1.1), got " + describe(hosts.value()));
        Map<String, Integer> addrs = new LinkedHashMap<>();
        Map<Integer, String> byIp = new HashMap<>();
        for (Entry h : hm.entries()) {
            if (!StepParser.IDENT.matcher(h.key()).matches())
                throw new ScriptException(file, h.line(), h.col(), "bad process name '" + h.key() + "' in hosts: expected letters, digits and _");
            if (!(h.value() instanceof Scalar v) || v.text() == null || v.token() != JsonToken.VALUE_STRING)
                throw new ScriptException(file, h.value().line(), h.value().col(), "host '" + h.key()
                        + "' needs an IPv4 address like 10.0.1.1, got " + describe(h.value()));
            Integer ip = io.tcpsim.wire.SockAddr.parseIp(v.text());
            if (ip == null)
                throw new ScriptException(file, v.line(), v.col(), "bad address '" + v.text() + "' for host '" + h.key()
                        + "'; expected A.B.C.D, e.g. 10.0.1.1");
            int first = ip >>> 24;
            if (first == 0 || first == 127 || first >= 224)
                throw new ScriptException(file, v.line(), v.col(), v.text() + " cannot be a host's address (0/8, 127/8 and 224/3 "
                        + "are not unicast host addresses); use one like 10.0.1.1");
            String twice = byIp.put(ip, h.key());
            if (twice != null)
                throw new ScriptException(file, v.line(), v.col(), "hosts '" + twice + "' and '" + h.key() + "' have the same address " + v.text());
            addrs.put(h.key(), ip);
            where.put(h.key(), at(lines, h.key(), h.line(), h.col()));
        }
        if (addrs.size() != 2)
            throw new ScriptException(file, hm.line(), hm.col(), "hosts must name exactly two processes (the link joins two hosts), got "
                    + addrs.size());
        List<String> names = List.copyOf(addrs.keySet());

        Topology.Link l = Topology.Link.DEFAULT;
        if (link != null) {
            if (!(link.value() instanceof MapNode lm))
                throw new ScriptException(file, link.value().line(), link.value().col(),
                        "link must be a mapping with keys " + String.join(", ", LINK_KEYS) + ", got " + describe(link.value()));
            long ab = 0, ba = 0;
            int mtu = Topology.DEFAULT_MTU, lossPpm = 0;
            for (Entry k : lm.entries()) {
                where.put("link." + k.key(), at(lines, k.key(), k.line(), k.col()));
                switch (k.key()) {
                    case "delay" -> {
                        if (k.value() instanceof MapNode dm) {
                            // Per direction: {client>server: 10ms, server>client: 30ms}, both given.
                            Long[] d = new Long[2];
                            for (Entry de : dm.entries()) {
                                int dir = de.key().equals(names.get(0) + ">" + names.get(1)) ? 0
                                        : de.key().equals(names.get(1) + ">" + names.get(0)) ? 1 : -1;
                                if (dir < 0)
                                    throw new ScriptException(file, de.line(), de.col(), "unknown direction '" + de.key() + "'; expected "
                                            + names.get(0) + ">" + names.get(1) + " or " + names.get(1) + ">" + names.get(0));
                                d[dir] = delay(file, de.value());
                            }
                            if (d[0] == null || d[1] == null)
                                throw new ScriptException(file, dm.line(), dm.col(), "a delay per direction needs both "
                                        + names.get(0) + ">" + names.get(1) + " and " + names.get(1) + ">" + names.get(0));
                            ab = d[0];
                            ba = d[1];
                        } else {
                            ab = ba = delay(file, k.value());
                        }
                    }
                    case "mtu" -> {
                        Node v = k.value();
                        Long m = v instanceof Scalar s && s.token() == JsonToken.VALUE_NUMBER_INT ? StepParser.number(s.text()) : null;
                        if (m == null || m < Topology.MIN_MTU || m > Topology.MAX_MTU)
                            throw new ScriptException(file, v.line(), v.col(), "mtu must be a number of bytes from " + Topology.MIN_MTU
                                    + " to " + Topology.MAX_MTU + ", got " + describe(v));
                        mtu = (int) (long) m;
                    }
                    case "loss" -> lossPpm = lossPpm(file, k.value());
                    default -> throw new ScriptException(file, k.line(), k.col(), "unknown link key '" + k.key() + "'; known keys: "
                            + String.join(", ", LINK_KEYS));
                }
            }
            l = new Topology.Link(ab, ba, mtu, lossPpm);
        }

        Map<String, String> sysctls = new LinkedHashMap<>();
        if (sysctl != null) {
            if (!(sysctl.value() instanceof MapNode sm))
                throw new ScriptException(file, sysctl.value().line(), sysctl.value().col(),
                        "sysctl must be a mapping of net.ipv4.* names to values, got " + describe(sysctl.value()));
            for (Entry k : sm.entries()) {
                if (!SYSCTL.matcher(k.key()).matches())
                    throw new ScriptException(file, k.line(), k.col(), "sysctl '" + k.key()
                            + "': only net.ipv4.* settings are set per host, e.g. net.ipv4.tcp_retries2");
                if (!(k.value() instanceof Scalar v) || v.text() == null || !SYSCTL_VALUE.matcher(v.text()).matches())
                    throw new ScriptException(file, k.value().line(), k.value().col(), "sysctl '" + k.key()
                            + "' needs a value of numbers or words, got " + describe(k.value()));
                sysctls.put(k.key(), v.text());
                where.put(k.key(), at(lines, k.key(), k.line(), k.col()));
            }
        }
        return new Topology(addrs, l, sysctls, at(lines, hosts.key(), hosts.line(), hosts.col()), where);
    }

    /** {@code loss: 1%}: a percentage from 0 to 100 with up to four decimals, as parts per million. */
    private static int lossPpm(String file, Node v) throws ScriptException {
        String t = v instanceof Scalar sc ? sc.text().trim() : null;
        if (t != null && t.matches("(100|[0-9]{1,2})(\\.[0-9]{1,4})?%")) {
            java.math.BigDecimal pct = new java.math.BigDecimal(t.substring(0, t.length() - 1));
            if (pct.compareTo(java.math.BigDecimal.valueOf(100)) <= 0)
                return pct.multiply(java.math.BigDecimal.valueOf(10_000)).intValueExact();
        }
        throw new ScriptException(file, v.line(), v.col(), "loss must be a percentage from 0% to 100% (like 1% or 0.5%), got "
                + describe(v));
    }

    private static long delay(String file, Node v) throws ScriptException {
        if (!(v instanceof Scalar s) || s.text() == null || s.token() == JsonToken.VALUE_NUMBER_FLOAT)
            throw new ScriptException(file, v.line(), v.col(), "bad delay " + describe(v) + "; expected a number and a unit s, ms or us, e.g. 25ms");
        try {
            return StepParser.duration(s.text(), "delay: 25ms");
        } catch (IllegalArgumentException x) {
            throw new ScriptException(file, s.line(), s.col(), x.getMessage());
        }
    }

    /** {@code ss} lists AF_INET sockets only on the kernel (its sock_diag dump asks for AF_INET): not with IPv6. */
    private static void checkSsWithIpv6(String file, List<Step> steps) throws ScriptException {
        boolean v6 = steps.stream().anyMatch(st -> st instanceof Step.CallStep c
                && c.call() instanceof CallTemplate.Socket k && k.family() == io.tcpsim.calls.Bits.AF_INET6);
        if (!v6) return;
        for (Step st : steps) {
            if (st instanceof Step.Netstat n && n.ss())
                throw new ScriptException(file, st.line(), st.column(), NotModelled.message("ss with AF_INET6 sockets"));
        }
    }

    /** With hosts:, every process is one of them and each host's process runs a step. */
    private static void checkHosts(String file, Topology t, List<Step> steps) throws ScriptException {
        Set<String> used = new HashSet<>();
        for (Step st : steps) {
            if (!(st instanceof Step.CallStep) && !(st instanceof Step.Exit)) continue;
            if (!t.hosts().containsKey(st.process()))
                throw new ScriptException(file, st.line(), st.column(), "process '" + st.process()
                        + "' has no host: with hosts:, every process is one of " + String.join(", ", t.names())
                        + (st.process().equals(Script.MAIN) ? " (name it: 'client: ...')" : ""));
            used.add(st.process());
            if (st instanceof Step.CallStep c && (c.call() instanceof CallTemplate.Socket k && k.family() == io.tcpsim.calls.Bits.AF_INET6
                    || c.call() instanceof CallTemplate.Bind b && b.addr() != null && b.addr().isV6()
                    || c.call() instanceof CallTemplate.Connect k2 && k2.addr() != null && k2.addr().isV6()))
                throw new ScriptException(file, st.line(), st.column(), NotModelled.message(
                        "IPv6 with hosts: (the link between two hosts is IPv4)"));
        }
        for (String h : t.names()) {
            if (!used.contains(h)) {
                SourceText w = t.at(h);
                throw new ScriptException(file, w.line(0), w.column(0), "unknown process '" + h
                        + "' in hosts: no step runs in it");
            }
        }
    }

    private static String hint(SourceText.Lines lines, Node n) {
        if (n instanceof ListNode) return " (a step that starts with '[' must be quoted: - '[r, w] = pipe()')";
        if (n instanceof MapNode) return " (a step that holds ': ' must be quoted)";
        return "";
    }

    private static String describe(Node n) {
        if (n instanceof MapNode) return "a mapping";
        if (n instanceof ListNode) return "a list";
        Scalar s = (Scalar) n;
        return s.text() == null ? "nothing" : "'" + s.text() + "'";
    }

    private static String string(String file, Entry e, boolean required) throws ScriptException {
        if (e.value() instanceof Scalar s && s.text() != null && (s.token() == JsonToken.VALUE_STRING || !required)) {
            if (required && s.text().isBlank()) throw new ScriptException(file, s.line(), s.col(), "'" + e.key() + "' must not be empty");
            return s.text();
        }
        throw new ScriptException(file, e.value().line(), e.value().col(), "'" + e.key() + "' must be a string, got " + describe(e.value()));
    }

    private static Profile profile(String file, Entry e) throws ScriptException {
        if (!(e.value() instanceof MapNode m))
            throw new ScriptException(file, e.value().line(), e.value().col(), "profile must be a mapping of profile keys to values, got " + describe(e.value()));
        Profile p = Profile.linux6();
        Set<String> known = p.keys().keySet();
        for (Entry k : m.entries()) {
            if (!(k.value() instanceof Scalar s) || s.text() == null)
                throw new ScriptException(file, k.value().line(), k.value().col(), "profile key '" + k.key() + "' needs a value, got " + describe(k.value()));
            try {
                p = p.with(k.key(), s.text());
            } catch (IllegalArgumentException x) {
                boolean keyKnown = known.contains(k.key());
                String msg = x.getMessage();
                if (keyKnown && !msg.startsWith("profile key")) msg = "profile key '" + k.key() + "': " + msg;
                throw new ScriptException(file, keyKnown ? s.line() : k.line(), keyKnown ? s.col() : k.col(), msg);
            }
        }
        return p;
    }

    /** Where the step's text sits in the file: after an opening quote, or on the line after a block indicator. */
    private static SourceText locate(Scalar s, SourceText.Lines lines) {
        String src = lines.source();
        int at = lines.offset(s.line(), s.col());
        char c = at < src.length() ? src.charAt(at) : ' ';
        char style = ' ';
        if (c == '"' || c == '\'') {
            style = c;
            at++;
        } else if (c == '|' || c == '>') {
            style = c;
            int next = lines.line(at) + 1;
            at = next > lines.count() ? src.length() : lines.offset(next, 1);
            while (at < src.length() && (src.charAt(at) == ' ' || src.charAt(at) == '\t')) at++;
        }
        return SourceText.locate(s.text(), lines, at, style);
    }

    // ---- YAML to nodes -----------------------------------------------------------------------------------------

    private static Node read(String file, String text, SourceText.Lines lines) throws ScriptException {
        JsonFactory factory = file.toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? new JsonFactory() : new YAMLFactory();
        JsonParser p = null;
        try {
            p = factory.createParser(text);
            JsonToken t = p.nextToken();
            if (t == null) return null;
            Node root = node(file, p, t);
            JsonToken extra = p.nextToken();
            if (extra != null) {
                JsonLocation l = p.currentTokenLocation();
                throw new ScriptException(file, l.getLineNr(), l.getColumnNr(), "unexpected content after the script");
            }
            return root;
        } catch (JsonProcessingException e) {
            // A limit (nesting depth, say) comes without a location: the parser's own position is where it was hit.
            throw syntax(file, e, lines, p == null ? null : p.currentLocation());
        } catch (IOException e) {
            throw new ScriptException(file, 1, 1, "cannot read: " + e.getMessage());
        } finally {
            if (p != null) {
                try {
                    p.close();
                } catch (IOException ignored) {
                    // Reading from a string: nothing to release.
                }
            }
        }
    }

    private static Node node(String file, JsonParser p, JsonToken t) throws IOException, ScriptException {
        JsonLocation l = p.currentTokenLocation();
        int line = l.getLineNr(), col = l.getColumnNr();
        // Jackson reads an alias as the anchor's name (issue 19, item 11: '- *netstat' ran netstat): neither is read.
        if (p instanceof com.fasterxml.jackson.dataformat.yaml.YAMLParser y) {
            if (y.isCurrentAlias())
                throw new ScriptException(file, line, col, "YAML aliases (*" + CText.printable(p.getText())
                        + ") are not read: write the value out where it is used");
            if (y.getObjectId() != null)
                throw new ScriptException(file, line, col, "YAML anchors (&" + CText.printable(String.valueOf(y.getObjectId()))
                        + ") are not read: write the value out where it is used");
        }
        switch (t) {
            case START_OBJECT -> {
                List<Entry> entries = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
                    JsonLocation kl = p.currentTokenLocation();
                    String key = p.currentName();
                    if (!seen.add(key)) throw new ScriptException(file, kl.getLineNr(), kl.getColumnNr(), "duplicate key '" + key + "'");
                    Node value = node(file, p, p.nextToken());
                    entries.add(new Entry(key, kl.getLineNr(), kl.getColumnNr(), value));
                }
                return new MapNode(entries, line, col);
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) items.add(node(file, p, t));
                return new ListNode(items, line, col);
            }
            case VALUE_NULL -> {
                return new Scalar(null, t, line, col);
            }
            default -> {
                return new Scalar(p.getText(), t, line, col);
            }
        }
    }

    /** Jackson's YAML errors are several lines with a snippet: keep SnakeYAML's problem and its mark. */
    @SuppressWarnings("deprecation")
    private static ScriptException syntax(String file, JsonProcessingException e, SourceText.Lines lines, JsonLocation at) {
        if (e instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
            int line = m.getProblemMark().getLine() + 1, col = m.getProblemMark().getColumn() + 1;
            String problem = oneLine(m.getProblem());
            String context = m.getContext() == null ? "" : oneLine(m.getContext()) + ": ";
            String hint = "";
            String lineText = line <= lines.line(lines.source().length()) ? lines.text(line) : "";
            if (lineText.matches("\\s*-\\s*(\\w+\\s*:\\s*)?\\[.*")) hint = " (a step that starts with '[' must be quoted: - '[r, w] = pipe()')";
            else if (problem.contains("mapping values are not allowed")) hint = " (a step that holds ': ' must be quoted)";
            return new ScriptException(file, line, col, "YAML syntax: " + context + problem + hint);
        }
        if (e.getCause() instanceof org.yaml.snakeyaml.reader.ReaderException r) {
            // SnakeYAML's reader refuses non-printable characters before any token, with no mark: point at it.
            String src = lines.source();
            int i = r.getPosition() <= src.codePointCount(0, src.length()) ? src.offsetByCodePoints(0, r.getPosition()) : 0;
            return new ScriptException(file, lines.line(i), lines.column(i), "YAML syntax: the character "
                    + CText.printable(new String(Character.toChars(r.getCodePoint())))
                    + " is not allowed in YAML; in a double-quoted step write it as an escape (\\x01, \\t)");
        }
        JsonLocation l = e.getLocation() != null && e.getLocation().getLineNr() > 0 ? e.getLocation() : at;
        // The format follows the file name, as the factory in read() does: never "JSON" for a YAML file.
        String kind = file.toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? "JSON" : "YAML";
        return new ScriptException(file, l == null ? 1 : Math.max(1, l.getLineNr()), l == null ? 1 : Math.max(1, l.getColumnNr()),
                kind + " syntax: " + plain(e));
    }

    /**
     * Jackson's message in the user's words: its messages name Java classes (SnakeYAML's events, the
     * StreamReadConstraints getter that set a limit) and the source location in brackets, which the caller already
     * gives as FILE:LINE:COL.
     */
    private static String plain(JsonProcessingException e) {
        String m = oneLine(e.getOriginalMessage());
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            if (m.startsWith("Document nesting depth")) return "nested more than 1000 levels deep";
            if (m.startsWith("Number value length") || m.startsWith("Number length")) return "a number longer than 1000 digits";
            if (m.startsWith("String value length") || m.startsWith("String length")) return "a string longer than 20,000,000 characters";
            return "the script is too large";
        }
        if (m.startsWith("Expected a field name")) return "a mapping key must be a plain name, not a list or a mapping";
        if (m.toLowerCase(java.util.Locale.ROOT).contains("base64")) return "a !!binary value is not valid base64";
        m = m.replaceAll("\\s*\\(for (Array|Object) starting at \\[Source: [^]]*\\]\\)", "")
                .replaceAll("\\s*at \\[Source: [^]]*\\]", "")
                .replaceAll("\\s*\\[Source: [^]]*\\]", "")
                .replaceAll("\\s*\\(from `[^`]*`\\)", "")
                .replaceAll("<org\\.yaml\\.snakeyaml\\.events\\.(\\w+)Event\\([^>]*\\)>", "$1");
        // Anything still naming a Java type says nothing to the user.
        if (m.matches(".*\\b(com\\.fasterxml|org\\.yaml|java\\.)\\S*.*") || m.isBlank()) return "cannot be read here";
        return m;
    }

    private static String oneLine(String s) {
        if (s == null) return "";
        String first = s.strip().split("\\R", 2)[0];
        return first.strip();
    }

    /** The distinct processes a script uses, in order of first appearance. */
    public static Set<String> processes(Script script) {
        Set<String> out = new LinkedHashSet<>();
        for (Step s : script.steps()) out.add(s.process());
        return out;
    }
}
