package io.tcpsim.picture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a {@link Ladder} as one self-contained SVG document: no fonts, scripts or images from anywhere else.
 *
 * <p>Layout: every mark gets a row of its own, top to bottom in time order, so no two labels share a line. A packet's
 * label sits in its own row, centered between the two lifelines, and its arrow slants down from the sender to the
 * receiver's row at the arrival time. Time is not to scale: where a millisecond or more passes between two rows, a
 * band of fixed height says how long ("… 5 s …"); the time axis on the left gives every row's clock.
 *
 * <p>Text widths are estimated from the fonts' advance (DejaVu Sans Mono is 0.602 em for every character), so the
 * layout needs no font metrics and stays a pure function of the ladder.
 */
public final class LadderSvg {
    private LadderSvg() {}

    static final String MONO = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace";
    static final String SANS = "'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif";
    static final double MONO_EM = 0.602, SANS_EM = 0.62;
    static final double NOTE_PX = 12, LABEL_PX = 11, PILL_PX = 10.5, SMALL_PX = 10.5, HEAD_PX = 13, TITLE_PX = 18;

    /** A gap of at least this much gets a labelled band. */
    static final long GAP_NANOS = 1_000_000L;
    static final double GAP_H = 30, MIN_SLANT = 26, MIN_GAP = 170, TIME_W = 84, MARGIN = 16;
    /** Longer notes are cut; the hover detail has them whole. */
    static final int NOTE_MAX = 90;

    /** The whole document, with the XML declaration. */
    public static String render(Ladder ladder) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + element(ladder);
    }

    /** The {@code <svg>} element alone, for embedding in HTML. */
    public static String element(Ladder ladder) {
        return new Drawing(ladder, 0, new StringBuilder(64 * 1024)).draw();
    }

    /**
     * Several ladders one under the other, as one document under one {@code title}: each part under its own title
     * (its heading), on its own clock, with its own columns; one key at the bottom. {@code tcpsim replay} draws one
     * part per flow. The parts' steps are numbered one after the other, as {@link LadderHtml} lists them.
     */
    public static String render(String title, List<String> subtitle, List<Ladder> parts) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + element(title, subtitle, parts);
    }

    /** The stacked picture's {@code <svg>} element alone, for embedding in HTML. */
    public static String element(String title, List<String> subtitle, List<Ladder> parts) {
        StringBuilder out = new StringBuilder(64 * 1024 * Math.max(1, parts.size()));
        List<Drawing> drawings = new ArrayList<>();
        int steps = 0;
        double width = Math.max(640, sansWidth(title, TITLE_PX) + 2 * MARGIN);
        for (Ladder l : parts) {
            Drawing d = new Drawing(l, steps, out);
            d.layout();
            steps += l.steps().size();
            width = Math.max(width, d.width);
            drawings.add(d);
        }
        List<String> lines = wrap(subtitle, Math.min(140, (int) ((width - 2 * MARGIN) / (12 * SANS_EM))));
        double y = MARGIN + TITLE_PX + 8 + lines.size() * 16 + 8;
        double[] at = new double[drawings.size()];
        java.util.Set<String> used = new java.util.HashSet<>();
        for (int i = 0; i < drawings.size(); i++) {
            Drawing d = drawings.get(i);
            d.width = width;
            at[i] = y;
            y += d.bottom + 24 + 20;
            used.addAll(d.features());
        }
        double legendTop = y + 24;
        Drawing key = new Drawing(new Ladder(title, List.of(), List.of(), List.of(), 0, List.of()), 0, out);
        key.width = width;
        double height = legendTop + key.legend(legendTop, false, used) + MARGIN;
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(num(width)).append("\" height=\"")
                .append(num(height)).append("\" viewBox=\"0 0 ").append(num(width)).append(' ').append(num(height))
                .append("\" font-family=\"").append(MONO).append("\">\n");
        out.append("<title>").append(esc(title)).append("</title>\n");
        out.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        key.text(MARGIN, MARGIN + TITLE_PX, title, "font-family=\"" + SANS + "\" font-size=\"" + TITLE_PX
                + "\" font-weight=\"bold\" fill=\"#212121\"");
        double ly = MARGIN + TITLE_PX + 8;
        for (String line : lines) {
            ly += 16;
            key.text(MARGIN, ly - 4, line, "font-family=\"" + SANS + "\" font-size=\"12\" fill=\"#546e7a\"");
        }
        for (int i = 0; i < drawings.size(); i++) {
            key.line(MARGIN, at[i] + 2, width - MARGIN, at[i] + 2, "stroke=\"#90a4ae\" stroke-width=\"1.5\"");
            out.append("<g transform=\"translate(0,").append(num(at[i])).append(")\">\n");
            drawings.get(i).body();
            out.append("</g>\n");
        }
        if (drawings.isEmpty()) key.text(MARGIN, y + 4, "(nothing to draw)", "font-family=\"" + SANS + "\" font-size=\"12\" fill=\"#546e7a\"");
        key.legend(legendTop, true, used);
        out.append("</svg>\n");
        return out.toString();
    }

    // ---------------------------------------------------------------- colours: one meaning each

    static String colour(Ladder.Tone tone) {
        return switch (tone) {
            case SYN -> "#1565c0";
            case DATA -> "#2e7d32";
            case FIN -> "#6a1b9a";
            case RST -> "#d32f2f";
            case ACK -> "#757575";
            case OK -> "#263238";
            case ERROR -> "#d32f2f";
            case FAILED -> "#b71c1c";
            case WARN -> "#e65100";
            case INFERRED -> "#78909c";
            case MUTED -> "#78909c";
        };
    }

    /** Opening states blue, ESTABLISHED green, closing states orange, CLOSE grey. */
    static String stateColour(String state) {
        switch (state) {
            case "ESTABLISHED": return "#2e7d32";
            case "LISTEN": case "SYN_SENT": case "SYN_RECV": return "#1565c0";
            case "CLOSE": case "CLOSED": return "#607d8b";
            default: return "#ef6c00";
        }
    }

    static double monoWidth(String s, double px) {
        return s.codePointCount(0, s.length()) * px * MONO_EM;
    }

    static double sansWidth(String s, double px) {
        return s.codePointCount(0, s.length()) * px * SANS_EM;
    }

    /** When a packet arrives: drawn as the end of its arrow, in the row order of its time. */
    private record Arrival(Ladder.Arrow arrow) {}

    private record Gap(double top, String text) {}

    private static final class Drawing {
        final Ladder ladder;
        final int stepOffset;
        final int n;
        final List<Object> items = new ArrayList<>();
        final Map<Object, Double> rowY = new IdentityHashMap<>();
        final Map<Ladder.Arrow, Double> arriveY = new IdentityHashMap<>();
        final List<Gap> gaps = new ArrayList<>();
        final double[] x;
        double width, top, bottom, headerTop;
        boolean groups;
        List<String> subtitle;
        final StringBuilder out;

        Drawing(Ladder ladder, int stepOffset, StringBuilder out) {
            this.ladder = ladder;
            this.stepOffset = stepOffset;
            this.n = ladder.columns().size();
            this.x = new double[n];
            this.out = out;
        }

        /** Where everything goes: columns across, rows down; {@link #bottom} is the last row's. */
        void layout() {
            order();
            columnsAcross();
            subtitle = wrap(ladder.subtitle(), Math.min(120, (int) ((width - 2 * MARGIN) / (12 * SANS_EM))));
            headerTop = MARGIN + TITLE_PX + 8 + subtitle.size() * 16 + 10;
            groups = ladder.columns().stream().anyMatch(c -> c.group() != null);
            top = headerTop + (groups ? 22 : 0) + 48;
            rowsDown();
        }

        /** The heading, the axis, the lifelines and the marks: everything but the key. */
        void body() {
            heading(headerTop, groups);
            timeAxis();
            gapBands(false);
            lifelines();
            gapBands(true);
            for (Object item : items) item(item);
            end();
        }

        /** What the key has to explain: the kinds of marks this ladder uses. */
        java.util.Set<String> features() {
            java.util.Set<String> f = new java.util.HashSet<>();
            if (!gaps.isEmpty()) f.add("gap");
            for (Ladder.Mark m : ladder.marks()) {
                switch (m.kind()) {
                    case ARROW -> f.add("arrow");
                    case NOTE -> f.add("note " + ((Ladder.Note) m).tone());
                    case STATE -> f.add("state");
                    case SIGNAL -> f.add("signal " + ((Ladder.Signal) m).tone());
                    case BAND -> f.add("band");
                    case LIFELINE -> f.add("line " + ((Ladder.Lifeline) m).line());
                    case SPAN -> f.add("span");
                }
            }
            return f;
        }

        String draw() {
            layout();
            double legendTop = bottom + 44;
            java.util.Set<String> used = features();
            double height = legendTop + legend(legendTop, false, used) + MARGIN;

            out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(num(width)).append("\" height=\"")
                    .append(num(height)).append("\" viewBox=\"0 0 ").append(num(width)).append(' ').append(num(height))
                    .append("\" font-family=\"").append(MONO).append("\">\n");
            out.append("<title>").append(esc(ladder.title())).append("</title>\n");
            out.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
            body();
            legend(legendTop, true, used);
            out.append("</svg>\n");
            return out.toString();
        }

        // ------------------------------------------------------------ order and rows

        /** Marks in time order (stable); each packet's arrival goes before the first mark at or after its time. */
        void order() {
            List<Ladder.Mark> sorted = new ArrayList<>(ladder.marks());
            sorted.sort(Comparator.comparingLong(Ladder.Mark::time));
            List<List<Ladder.Arrow>> before = new ArrayList<>();
            for (int i = 0; i <= sorted.size(); i++) before.add(new ArrayList<>());
            for (int i = 0; i < sorted.size(); i++) {
                if (!(sorted.get(i) instanceof Ladder.Arrow a)) continue;
                int j = i + 1;
                while (j < sorted.size() && sorted.get(j).time() < a.arrives()) j++;
                before.get(j).add(a);
            }
            for (int j = 0; j <= sorted.size(); j++) {
                for (Ladder.Arrow a : before.get(j)) items.add(new Arrival(a));
                if (j < sorted.size()) items.add(sorted.get(j));
            }
        }

        static long time(Object item) {
            return item instanceof Arrival a ? a.arrow().arrives() : ((Ladder.Mark) item).time();
        }

        void rowsDown() {
            double y = top;
            long last = Long.MIN_VALUE;
            for (Object item : items) {
                long t = time(item);
                if (last != Long.MIN_VALUE && t - last >= GAP_NANOS) {
                    gaps.add(new Gap(y, "\u2026 " + Durations.text(t - last) + " \u2026"));
                    y += GAP_H;
                }
                if (last == Long.MIN_VALUE || t > last) last = t;
                if (item instanceof Arrival a) {
                    double end = Math.max(y + 2, rowY.get(a.arrow()) + 17 + MIN_SLANT);
                    arriveY.put(a.arrow(), end);
                    rowY.put(item, end);
                    y = end + 6;
                    continue;
                }
                rowY.put(item, y);
                y += height((Ladder.Mark) item);
            }
            if (last != Long.MIN_VALUE && ladder.end() - last >= GAP_NANOS) {
                gaps.add(new Gap(y, "\u2026 " + Durations.text(ladder.end() - last) + " \u2026"));
                y += GAP_H;
            }
            bottom = y + 8;
        }

        double height(Ladder.Mark m) {
            return switch (m.kind()) {
                case ARROW -> 20;
                case NOTE -> 20;
                case STATE -> 22;
                case SIGNAL -> 24;
                case SPAN -> ((Ladder.Span) m).lines().isEmpty() ? 24 : 30 + 15 * ((Ladder.Span) m).lines().size();
                case BAND -> 28;
                case LIFELINE -> ((Ladder.Lifeline) m).text() == null ? 0 : 18;
            };
        }

        // ------------------------------------------------------------ columns

        boolean left(int column) {
            return column == 0 && n > 1;
        }

        void columnsAcross() {
            double[] note = new double[n], pillL = new double[n], pillR = new double[n], head = new double[n];
            double[] adjacent = new double[Math.max(n, 1)];
            for (int c = 0; c < n; c++) {
                Ladder.Column col = ladder.columns().get(c);
                head[c] = Math.max(sansWidth(col.title(), HEAD_PX) * 1.05, sansWidth(col.subtitle(), SMALL_PX)) / 2 + 10;
            }
            List<Ladder.Arrow> wide = new ArrayList<>();
            double spanW = 0;
            for (Ladder.Mark m : ladder.marks()) {
                switch (m.kind()) {
                    case NOTE -> {
                        Ladder.Note t = (Ladder.Note) m;
                        note[t.column()] = Math.max(note[t.column()], monoWidth(cut(t.text()), NOTE_PX) + 14);
                    }
                    case SIGNAL -> {
                        Ladder.Signal s = (Ladder.Signal) m;
                        note[s.column()] = Math.max(note[s.column()], monoWidth(s.text(), NOTE_PX) + 20);
                    }
                    case LIFELINE -> {
                        Ladder.Lifeline l = (Ladder.Lifeline) m;
                        if (l.text() != null) note[l.column()] = Math.max(note[l.column()], monoWidth(l.text(), SMALL_PX) + 12);
                    }
                    case STATE -> {
                        Ladder.State s = (Ladder.State) m;
                        double half = pill(s.state()) / 2;
                        pillL[s.column()] = Math.max(pillL[s.column()], half);
                        double right = half + (s.qualifier() == null ? 0 : monoWidth(s.qualifier(), SMALL_PX) + 6);
                        pillR[s.column()] = Math.max(pillR[s.column()], right);
                    }
                    case ARROW -> {
                        Ladder.Arrow a = (Ladder.Arrow) m;
                        double w = monoWidth(a.label(), LABEL_PX) + 44;
                        int lo = Math.min(a.from(), a.to()), hi = Math.max(a.from(), a.to());
                        if (hi - lo == 1) adjacent[lo] = Math.max(adjacent[lo], w);
                        else if (hi - lo > 1) wide.add(a);
                    }
                    case SPAN -> {
                        Ladder.Span s = (Ladder.Span) m;
                        spanW = Math.max(spanW, monoWidth(s.text(), NOTE_PX) + 40);
                        for (String l : s.lines()) spanW = Math.max(spanW, monoWidth(l, SMALL_PX) + 28);
                    }
                    case BAND -> spanW = Math.max(spanW, monoWidth(((Ladder.Band) m).text(), NOTE_PX) + 40);
                }
            }
            double first = n == 0 ? 0 : Math.max(Math.max(left(0) ? note[0] + 4 : 0, pillL[0]), head[0]);
            x[0] = TIME_W + first + 8;
            for (int c = 1; c < n; c++) {
                double gap = MIN_GAP;
                gap = Math.max(gap, head[c - 1] + head[c] + 16);
                gap = Math.max(gap, (left(c - 1) ? pillR[c - 1] : Math.max(note[c - 1] + 4, pillR[c - 1])) + pillL[c] + 16);
                gap = Math.max(gap, adjacent[c - 1]);
                x[c] = x[c - 1] + gap;
            }
            for (Ladder.Arrow a : wide) {
                int lo = Math.min(a.from(), a.to()), hi = Math.max(a.from(), a.to());
                double need = monoWidth(a.label(), LABEL_PX) + 44 - (x[hi] - x[lo]);
                if (need > 0) for (int c = hi; c < n; c++) x[c] += need;
            }
            int last = n - 1;
            width = x[last] + Math.max(Math.max(left(last) ? 0 : note[last] + 4, pillR[last]), head[last]) + MARGIN;
            double centre = (x[0] + x[last]) / 2;
            double spill = TIME_W - (centre - spanW / 2);
            if (spill > 0) {
                for (int c = 0; c < n; c++) x[c] += spill;
                width += spill;
                centre += spill;
            }
            width = Math.max(width, centre + spanW / 2 + MARGIN);
            width = Math.max(width, sansWidth(ladder.title(), TITLE_PX) + 2 * MARGIN);
            width = Math.max(width, 640);
        }

        static double pill(String state) {
            return monoWidth(state, PILL_PX) + 16;
        }

        // ------------------------------------------------------------ drawing

        void heading(double headerTop, boolean groups) {
            text(MARGIN, MARGIN + TITLE_PX, ladder.title(), "font-family=\"" + SANS + "\" font-size=\"" + TITLE_PX
                    + "\" font-weight=\"bold\" fill=\"#212121\"");
            double y = MARGIN + TITLE_PX + 8;
            for (String line : subtitle) {
                y += 16;
                text(MARGIN, y - 4, line, "font-family=\"" + SANS + "\" font-size=\"12\" fill=\"#546e7a\"");
            }
            double y0 = headerTop;
            if (groups) {
                int c = 0;
                while (c < n) {
                    String g = ladder.columns().get(c).group();
                    int d = c;
                    while (d + 1 < n && java.util.Objects.equals(ladder.columns().get(d + 1).group(), g)) d++;
                    if (g != null) {
                        double l = x[c] - 60, r = x[d] + 60;
                        out.append("<line x1=\"").append(num(l)).append("\" y1=\"").append(num(y0 + 16)).append("\" x2=\"")
                                .append(num(r)).append("\" y2=\"").append(num(y0 + 16)).append("\" stroke=\"#90a4ae\"/>\n");
                        text((l + r) / 2, y0 + 12, g, "text-anchor=\"middle\" font-family=\"" + SANS
                                + "\" font-size=\"12\" font-weight=\"bold\" fill=\"#455a64\"");
                    }
                    c = d + 1;
                }
                y0 += 22;
            }
            for (int c = 0; c < n; c++) {
                Ladder.Column col = ladder.columns().get(c);
                double w = Math.max(sansWidth(col.title(), HEAD_PX) * 1.05, sansWidth(col.subtitle(), SMALL_PX)) + 16;
                out.append("<rect x=\"").append(num(x[c] - w / 2)).append("\" y=\"").append(num(y0)).append("\" width=\"")
                        .append(num(w)).append("\" height=\"38\" rx=\"5\" fill=\"#eceff1\" stroke=\"#b0bec5\"/>\n");
                text(x[c], y0 + 16, col.title(), "text-anchor=\"middle\" font-family=\"" + SANS + "\" font-size=\""
                        + HEAD_PX + "\" font-weight=\"bold\" fill=\"#263238\"");
                text(x[c], y0 + 31, col.subtitle(), "text-anchor=\"middle\" font-family=\"" + SANS + "\" font-size=\""
                        + SMALL_PX + "\" fill=\"#546e7a\"");
            }
        }

        void timeAxis() {
            text(TIME_W - 12, top - 12, "time (s)", "text-anchor=\"end\" font-family=\"" + SANS
                    + "\" font-size=\"10\" fill=\"#90a4ae\"");
            long printed = Long.MIN_VALUE;
            for (Object item : items) {
                if (item instanceof Arrival || item instanceof Ladder.Lifeline) continue;
                long t = time(item);
                if (t == printed) continue;
                printed = t;
                text(TIME_W - 12, rowY.get(item) + 13, seconds(t), "text-anchor=\"end\" font-size=\"10\" fill=\"#90a4ae\"");
            }
        }

        /** The bands first, under the lifelines; their labels after, over them. */
        void gapBands(boolean labels) {
            for (Gap g : gaps) {
                if (labels) {
                    gapLabel(g);
                    continue;
                }
                out.append("<rect x=\"").append(num(MARGIN)).append("\" y=\"").append(num(g.top() + 3)).append("\" width=\"")
                        .append(num(width - 2 * MARGIN)).append("\" height=\"").append(num(GAP_H - 6))
                        .append("\" fill=\"#f5f7f8\"/>\n");
                text(TIME_W - 12, g.top() + GAP_H / 2 + 4, "\u2248", "text-anchor=\"end\" font-size=\"14\" fill=\"#90a4ae\"");
            }
        }

        void gapLabel(Gap g) {
            double centre = n == 0 ? width / 2 : (x[0] + x[n - 1]) / 2;
            double w = monoWidth(g.text(), NOTE_PX) + 14;
            out.append("<rect x=\"").append(num(centre - w / 2)).append("\" y=\"").append(num(g.top() + 6))
                    .append("\" width=\"").append(num(w)).append("\" height=\"18\" rx=\"9\" fill=\"#ffffff\" stroke=\"#cfd8dc\"/>\n");
            text(centre, g.top() + GAP_H / 2 + 4, g.text(), "text-anchor=\"middle\" font-size=\"" + NOTE_PX
                    + "\" font-style=\"italic\" fill=\"#546e7a\"");
        }

        /** Each lifeline: faint until its first mark, then held (solid), orphan (dashed) or ended, dotted in gaps. */
        void lifelines() {
            for (int c = 0; c < n; c++) {
                double first = Double.MAX_VALUE;
                List<double[]> changes = new ArrayList<>(); // y, line ordinal
                for (Object item : items) {
                    double y = rowY.get(item);
                    if (item instanceof Arrival a) {
                        if (a.arrow().to() == c) first = Math.min(first, y);
                        continue;
                    }
                    Ladder.Mark m = (Ladder.Mark) item;
                    if (touches(m, c)) first = Math.min(first, y + (m instanceof Ladder.Arrow ? 17 : 0));
                    if (m instanceof Ladder.Lifeline l && l.column() == c) changes.add(new double[] {y, l.line().ordinal()});
                }
                double headBottom = top - 10;
                if (first == Double.MAX_VALUE) first = bottom;
                segment(c, headBottom, first, "stroke=\"#cfd8dc\" stroke-width=\"1.5\" stroke-dasharray=\"1,4\"", false);
                Ladder.Line line = Ladder.Line.HELD;
                double from = first;
                for (double[] ch : changes) {
                    double y = Math.max(ch[0], first);
                    Ladder.Line next = Ladder.Line.values()[(int) ch[1]];
                    if (line != Ladder.Line.ENDED) styled(c, from, y, line);
                    if (next == Ladder.Line.ENDED && line != Ladder.Line.ENDED) {
                        out.append("<line x1=\"").append(num(x[c] - 9)).append("\" y1=\"").append(num(y)).append("\" x2=\"")
                                .append(num(x[c] + 9)).append("\" y2=\"").append(num(y)).append("\" stroke=\"#37474f\" stroke-width=\"3\"/>\n");
                    }
                    line = next;
                    from = y;
                }
                if (line != Ladder.Line.ENDED) styled(c, from, bottom, line);
            }
        }

        static boolean touches(Ladder.Mark m, int c) {
            return switch (m.kind()) {
                case ARROW -> ((Ladder.Arrow) m).from() == c;
                case NOTE -> ((Ladder.Note) m).column() == c;
                case STATE -> ((Ladder.State) m).column() == c;
                case SIGNAL -> ((Ladder.Signal) m).column() == c;
                case LIFELINE -> ((Ladder.Lifeline) m).column() == c && ((Ladder.Lifeline) m).line() != Ladder.Line.ENDED;
                case SPAN, BAND -> false;
            };
        }

        void styled(int c, double from, double to, Ladder.Line line) {
            String style = line == Ladder.Line.HELD ? "stroke=\"#455a64\" stroke-width=\"2\""
                    : "stroke=\"#90a4ae\" stroke-width=\"2\" stroke-dasharray=\"7,5\"";
            segment(c, from, to, style, true);
        }

        /** A piece of lifeline; in the gap bands it is dotted, since time is not to scale there. */
        void segment(int c, double from, double to, String style, boolean gapsDotted) {
            double y = from;
            if (gapsDotted) {
                for (Gap g : gaps) {
                    double gt = g.top(), gb = g.top() + GAP_H;
                    if (gb <= y || gt >= to) continue;
                    line(x[c], y, x[c], Math.max(y, gt), style);
                    line(x[c], Math.max(y, gt), x[c], Math.min(gb, to), "stroke=\"#90a4ae\" stroke-width=\"2\" stroke-dasharray=\"2,3\"");
                    y = Math.min(gb, to);
                }
            }
            if (to > y) line(x[c], y, x[c], to, style);
        }

        void item(Object item) {
            if (item instanceof Arrival) return;
            Ladder.Mark m = (Ladder.Mark) item;
            double y = rowY.get(item);
            switch (m.kind()) {
                case ARROW -> arrow((Ladder.Arrow) m, y);
                case NOTE -> note((Ladder.Note) m, y);
                case STATE -> state((Ladder.State) m, y);
                case SIGNAL -> signal((Ladder.Signal) m, y);
                case SPAN -> span((Ladder.Span) m, y);
                case BAND -> band((Ladder.Band) m, y);
                case LIFELINE -> {
                    Ladder.Lifeline l = (Ladder.Lifeline) m;
                    if (l.text() == null) return;
                    double tx = left(l.column()) ? x[l.column()] - 10 : x[l.column()] + 10;
                    text(tx, y + 13, l.text(), (left(l.column()) ? "text-anchor=\"end\" " : "") + "font-size=\"" + SMALL_PX
                            + "\" font-style=\"italic\" fill=\"#78909c\"");
                }
            }
        }

        void open(Ladder.Mark m, String detail) {
            out.append("<g class=\"mark ").append(m.kind().name().toLowerCase(Locale.ROOT)).append("\" data-step=\"")
                    .append(m.step() < 0 ? m.step() : m.step() + stepOffset).append("\">");
            if (detail != null) out.append("<title>").append(esc(detail)).append("</title>");
            out.append('\n');
        }

        void arrow(Ladder.Arrow a, double y) {
            String colour = colour(a.tone());
            open(a, a.detail());
            double x1 = x[a.from()], x2 = x[a.to()], y1 = y + 17, y2 = arriveY.getOrDefault(a, y1 + MIN_SLANT);
            double labelW = monoWidth(a.label(), LABEL_PX);
            double mid = (x1 + x2) / 2;
            if (a.from() == a.to()) {
                // A segment a socket sends itself (a self-connect): a loop to the right.
                out.append("<path d=\"M").append(num(x1)).append(',').append(num(y1)).append(" C").append(num(x1 + 60))
                        .append(',').append(num(y1)).append(' ').append(num(x1 + 60)).append(',').append(num(y2)).append(' ')
                        .append(num(x1 + 4)).append(',').append(num(y2)).append("\" fill=\"none\" stroke=\"").append(colour)
                        .append("\" stroke-width=\"1.6\"/>\n");
                head(x1 + 60, y2, x1, y2, colour);
                mid = x1 + 70 + labelW / 2;
            } else {
                double dir = Math.signum(x2 - x1);
                line(x1 + dir * 2, y1, x2 - dir * 1, y2, "stroke=\"" + colour + "\" stroke-width=\"1.6\"");
                head(x1, y1, x2, y2, colour);
            }
            out.append("<rect x=\"").append(num(mid - labelW / 2 - 4)).append("\" y=\"").append(num(y + 2))
                    .append("\" width=\"").append(num(labelW + 8)).append("\" height=\"14\" fill=\"#ffffff\" fill-opacity=\"0.9\"/>\n");
            text(mid, y + 13, a.label(), "text-anchor=\"middle\" font-size=\"" + LABEL_PX + "\" fill=\"" + colour + "\"");
            out.append("</g>\n");
        }

        /** An arrowhead at (x2, y2), pointing along the line from (x1, y1). */
        void head(double x1, double y1, double x2, double y2, String colour) {
            double dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy);
            if (len == 0) return;
            double ux = dx / len, uy = dy / len, l = 11, w = 4.5;
            double bx = x2 - ux * l, by = y2 - uy * l;
            out.append("<polygon points=\"").append(num(x2)).append(',').append(num(y2)).append(' ')
                    .append(num(bx - uy * w)).append(',').append(num(by + ux * w)).append(' ')
                    .append(num(bx + uy * w)).append(',').append(num(by - ux * w)).append("\" fill=\"").append(colour).append("\"/>\n");
        }

        void note(Ladder.Note t, double y) {
            String colour = colour(t.tone());
            open(t, t.detail());
            int c = t.column();
            if (t.tone() == Ladder.Tone.INFERRED) {
                out.append("<circle cx=\"").append(num(x[c])).append("\" cy=\"").append(num(y + 9))
                        .append("\" r=\"3.5\" fill=\"#ffffff\" stroke=\"").append(colour).append("\" stroke-width=\"1.3\"/>\n");
            } else {
                circle(x[c], y + 9, 3.5, colour);
            }
            String text = cut(t.text());
            double w = monoWidth(text, NOTE_PX);
            boolean l = left(c);
            double tx = l ? x[c] - 12 : x[c] + 12;
            if (t.tone() == Ladder.Tone.FAILED || t.tone() == Ladder.Tone.ERROR) {
                String fill = t.tone() == Ladder.Tone.FAILED ? "#ffcdd2" : "#ffebee";
                out.append("<rect x=\"").append(num(l ? tx - w - 4 : tx - 4)).append("\" y=\"").append(num(y + 1))
                        .append("\" width=\"").append(num(w + 8)).append("\" height=\"17\" rx=\"3\" fill=\"").append(fill)
                        .append('"').append(t.tone() == Ladder.Tone.FAILED ? " stroke=\"#b71c1c\"" : "").append("/>\n");
            }
            String style = (l ? "text-anchor=\"end\" " : "") + "font-size=\"" + NOTE_PX + "\" fill=\"" + colour + "\"";
            if (t.tone() == Ladder.Tone.MUTED || t.tone() == Ladder.Tone.INFERRED) style += " font-style=\"italic\"";
            if (t.tone() == Ladder.Tone.FAILED || t.tone() == Ladder.Tone.WARN) style += " font-weight=\"bold\"";
            text(tx, y + 13, text, style);
            out.append("</g>\n");
        }

        void state(Ladder.State s, double y) {
            open(s, s.detail());
            double w = pill(s.state()), cx = x[s.column()];
            out.append("<rect x=\"").append(num(cx - w / 2)).append("\" y=\"").append(num(y + 3)).append("\" width=\"")
                    .append(num(w)).append("\" height=\"16\" rx=\"8\" fill=\"").append(stateColour(s.state())).append("\"/>\n");
            text(cx, y + 15, s.state(), "text-anchor=\"middle\" font-size=\"" + PILL_PX + "\" font-weight=\"bold\" fill=\"#ffffff\"");
            if (s.qualifier() != null)
                text(cx + w / 2 + 6, y + 15, s.qualifier(), "font-size=\"" + SMALL_PX + "\" fill=\"#607d8b\"");
            out.append("</g>\n");
        }

        void signal(Ladder.Signal s, double y) {
            String colour = colour(s.tone());
            open(s, s.detail());
            int c = s.column();
            double cx = x[c], cy = y + 11;
            if (s.tone() == Ladder.Tone.ERROR) {
                circle(cx, cy, 8.5, colour);
                line(cx - 4, cy - 4, cx + 4, cy + 4, "stroke=\"#ffffff\" stroke-width=\"2.2\"");
                line(cx - 4, cy + 4, cx + 4, cy - 4, "stroke=\"#ffffff\" stroke-width=\"2.2\"");
            } else {
                circle(cx, cy, 7, colour);
                line(cx, cy - 4, cx, cy + 1, "stroke=\"#ffffff\" stroke-width=\"2\"");
                circle(cx, cy + 3.6, 1.1, "#ffffff");
            }
            boolean l = left(c);
            String style = (l ? "text-anchor=\"end\" " : "") + "font-size=\"" + NOTE_PX + "\" fill=\"" + colour + "\""
                    + (s.tone() == Ladder.Tone.ERROR ? " font-weight=\"bold\"" : "");
            text(l ? cx - 14 : cx + 14, y + 15, s.text(), style);
            out.append("</g>\n");
        }

        void span(Ladder.Span s, double y) {
            open(s, s.detail());
            double centre = n == 0 ? width / 2 : (x[0] + x[n - 1]) / 2;
            if (s.lines().isEmpty()) {
                line(MARGIN + TIME_W - 8, y + 11, width - MARGIN, y + 11, "stroke=\"#b0bec5\" stroke-dasharray=\"4,4\"");
                double w = monoWidth(s.text(), NOTE_PX) + 16;
                out.append("<rect x=\"").append(num(centre - w / 2)).append("\" y=\"").append(num(y + 2))
                        .append("\" width=\"").append(num(w)).append("\" height=\"18\" fill=\"#ffffff\"/>\n");
                text(centre, y + 15, s.text(), "text-anchor=\"middle\" font-size=\"" + NOTE_PX + "\" font-style=\"italic\" fill=\"#546e7a\"");
            } else {
                double w = monoWidth(s.text(), NOTE_PX) + 20;
                for (String l : s.lines()) w = Math.max(w, monoWidth(l, SMALL_PX) + 20);
                double h = 24 + 15 * s.lines().size();
                out.append("<rect x=\"").append(num(centre - w / 2)).append("\" y=\"").append(num(y + 3)).append("\" width=\"")
                        .append(num(w)).append("\" height=\"").append(num(h)).append("\" rx=\"4\" fill=\"#fafafa\" stroke=\"#b0bec5\"/>\n");
                text(centre - w / 2 + 10, y + 18, s.text(), "font-size=\"" + NOTE_PX + "\" font-weight=\"bold\" fill=\"#546e7a\"");
                double ly = y + 18;
                for (String l : s.lines()) {
                    ly += 15;
                    text(centre - w / 2 + 10, ly, l, "font-size=\"" + SMALL_PX + "\" fill=\"#455a64\"");
                }
            }
            out.append("</g>\n");
        }

        void band(Ladder.Band b, double y) {
            open(b, b.detail());
            out.append("<rect x=\"").append(num(MARGIN)).append("\" y=\"").append(num(y + 2)).append("\" width=\"")
                    .append(num(width - 2 * MARGIN)).append("\" height=\"24\" fill=\"#ffebee\" stroke=\"#c62828\"/>\n");
            text(width / 2, y + 18, b.text(), "text-anchor=\"middle\" font-size=\"" + NOTE_PX + "\" font-weight=\"bold\" fill=\"#b71c1c\"");
            out.append("</g>\n");
        }

        void end() {
            line(MARGIN, bottom, width - MARGIN, bottom, "stroke=\"#cfd8dc\"");
            text(TIME_W - 12, bottom + 14, seconds(ladder.end()), "text-anchor=\"end\" font-size=\"10\" fill=\"#90a4ae\"");
            text(TIME_W, bottom + 14, ladder.endText(), "font-family=\"" + SANS + "\" font-size=\"10\" fill=\"#90a4ae\"");
        }

        /**
         * The key to the marks {@code used} (see {@link #features}); returns its height. Drawn only when {@code draw},
         * so its height can be known first.
         */
        double legend(double y0, boolean draw, java.util.Set<String> used) {
            record Entry(String kind, String text, String colour, boolean shown) {}
            boolean arrows = used.contains("arrow");
            List<Entry> all = List.of(
                    new Entry("arrow", "SYN", colour(Ladder.Tone.SYN), arrows), new Entry("arrow", "data", colour(Ladder.Tone.DATA), arrows),
                    new Entry("arrow", "FIN", colour(Ladder.Tone.FIN), arrows), new Entry("arrow", "RST", colour(Ladder.Tone.RST), arrows),
                    new Entry("arrow", "ACK", colour(Ladder.Tone.ACK), arrows),
                    new Entry("dot", "call = result", colour(Ladder.Tone.OK), used.contains("note OK")),
                    new Entry("dot", "call = -1 ERRNO", colour(Ladder.Tone.ERROR), used.contains("note ERROR")),
                    new Entry("dot", "blocks for ever", colour(Ladder.Tone.WARN), used.contains("note WARN")),
                    new Entry("hollow", "inferred, not on the wire", colour(Ladder.Tone.INFERRED), used.contains("note INFERRED")),
                    new Entry("band", "divergence", colour(Ladder.Tone.FAILED), used.contains("band")),
                    new Entry("pill", "TCP state", "#2e7d32", used.contains("state")),
                    new Entry("held", "descriptor open", "#455a64", true),
                    new Entry("orphan", "orphan socket", "#90a4ae", used.contains("line ORPHAN")),
                    new Entry("killed", "killed by a signal", colour(Ladder.Tone.ERROR), used.contains("signal ERROR")),
                    new Entry("gap", "time skipped", "#546e7a", used.contains("gap")));
            List<Entry> entries = all.stream().filter(Entry::shown).toList();
            double x0 = MARGIN, y = y0, lineH = 20;
            if (draw) text(MARGIN, y0 - 8, "key", "font-family=\"" + SANS + "\" font-size=\"10\" font-weight=\"bold\" fill=\"#90a4ae\"");
            double cx = x0;
            for (Entry e : entries) {
                double w = 34 + sansWidth(e.text(), 11) + 18;
                if (cx + w > width - MARGIN) {
                    cx = x0;
                    y += lineH;
                }
                if (draw) {
                    double my = y + 6;
                    switch (e.kind()) {
                        case "arrow" -> {
                            line(cx, my, cx + 24, my + 4, "stroke=\"" + e.colour() + "\" stroke-width=\"1.6\"");
                            head(cx, my, cx + 26, my + 4.3, e.colour());
                        }
                        case "dot" -> circle(cx + 13, my, 3.5, e.colour());
                        case "hollow" -> out.append("<circle cx=\"").append(num(cx + 13)).append("\" cy=\"").append(num(my))
                                .append("\" r=\"3.5\" fill=\"#ffffff\" stroke=\"").append(e.colour()).append("\" stroke-width=\"1.3\"/>\n");
                        case "band" -> out.append("<rect x=\"").append(num(cx)).append("\" y=\"").append(num(my - 6))
                                .append("\" width=\"26\" height=\"12\" fill=\"#ffebee\" stroke=\"#c62828\"/>\n");
                        case "pill" -> out.append("<rect x=\"").append(num(cx)).append("\" y=\"").append(num(my - 6))
                                .append("\" width=\"26\" height=\"12\" rx=\"6\" fill=\"").append(e.colour()).append("\"/>\n");
                        case "held" -> line(cx + 13, my - 7, cx + 13, my + 7, "stroke=\"#455a64\" stroke-width=\"2\"");
                        case "orphan" -> line(cx + 13, my - 7, cx + 13, my + 7, "stroke=\"#90a4ae\" stroke-width=\"2\" stroke-dasharray=\"4,3\"");
                        case "killed" -> {
                            circle(cx + 13, my, 6.5, e.colour());
                            line(cx + 10, my - 3, cx + 16, my + 3, "stroke=\"#ffffff\" stroke-width=\"1.8\"");
                            line(cx + 10, my + 3, cx + 16, my - 3, "stroke=\"#ffffff\" stroke-width=\"1.8\"");
                        }
                        default -> text(cx + 13, my + 4, "\u2248", "text-anchor=\"middle\" font-size=\"14\" fill=\"#90a4ae\"");
                    }
                    String style = "font-family=\"" + SANS + "\" font-size=\"11\" fill=\"" + e.colour() + "\"";
                    text(cx + 34, my + 4, e.text(), style);
                }
                cx += w;
            }
            return y - y0 + lineH;
        }

        // ------------------------------------------------------------ primitives

        void line(double x1, double y1, double x2, double y2, String style) {
            out.append("<line x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1)).append("\" x2=\"").append(num(x2))
                    .append("\" y2=\"").append(num(y2)).append("\" ").append(style).append("/>\n");
        }

        void circle(double cx, double cy, double r, String fill) {
            out.append("<circle cx=\"").append(num(cx)).append("\" cy=\"").append(num(cy)).append("\" r=\"").append(num(r))
                    .append("\" fill=\"").append(fill).append("\"/>\n");
        }

        void text(double tx, double ty, String s, String style) {
            out.append("<text x=\"").append(num(tx)).append("\" y=\"").append(num(ty)).append("\" ").append(style)
                    .append(" xml:space=\"preserve\">").append(esc(s)).append("</text>\n");
        }
    }

    static String cut(String s) {
        return s.length() <= NOTE_MAX ? s : s.substring(0, NOTE_MAX - 1) + "\u2026";
    }

    /** Seconds with microseconds, as the time axis prints them. */
    static String seconds(long nanos) {
        long us = nanos / 1000;
        return us / 1_000_000 + "." + String.format(Locale.ROOT, "%06d", us % 1_000_000);
    }

    static List<String> wrap(List<String> paragraphs, int columns) {
        List<String> out = new ArrayList<>();
        for (String p : paragraphs) {
            StringBuilder line = new StringBuilder();
            for (String word : p.split(" ")) {
                if (line.length() > 0 && line.length() + 1 + word.length() > columns) {
                    out.add(line.toString());
                    line.setLength(0);
                }
                if (line.length() > 0) line.append(' ');
                line.append(word);
            }
            if (line.length() > 0) out.add(line.toString());
        }
        return out;
    }

    static String num(double v) {
        if (v == Math.rint(v)) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** XML text and attribute escaping; control characters other than newline and tab are dropped. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') continue;
                    b.append(c);
                }
            }
        }
        return b.toString();
    }
}
