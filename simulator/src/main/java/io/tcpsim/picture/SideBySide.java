package io.tcpsim.picture;

import java.util.ArrayList;
import java.util.List;

/**
 * Several ladders drawn as one, their columns side by side under a heading each: {@code tcpsim check} puts the
 * model's run and the kernel's next to each other. Each part's times are moved by its {@code shift} (the kernel's
 * clock is the real one, the model's starts at 0), so that both start together; marks at the same time interleave.
 */
public final class SideBySide {
    private SideBySide() {}

    /** One ladder of the picture, its columns headed {@code group}, its times moved back by {@code shift}. */
    public record Part(String group, Ladder ladder, long shift) {}

    /** {@code across} are marks for the whole picture (the first divergence as a {@link Ladder.Band}), on its clock. */
    public static Ladder of(String title, List<String> subtitle, List<Part> parts, List<Ladder.Mark> across) {
        List<Ladder.Column> columns = new ArrayList<>();
        List<Ladder.Mark> marks = new ArrayList<>(across);
        List<Ladder.StepDetail> steps = new ArrayList<>();
        long end = 0;
        for (Part p : parts) {
            int dc = columns.size(), ds = steps.size();
            for (Ladder.Column c : p.ladder().columns()) columns.add(new Ladder.Column(c.title(), c.subtitle(), p.group()));
            for (Ladder.StepDetail s : p.ladder().steps())
                steps.add(new Ladder.StepDetail(p.group() + ", " + s.heading(), s.lines()));
            for (Ladder.Mark m : p.ladder().marks()) marks.add(moved(m, dc, p.shift(), ds));
            end = Math.max(end, p.ladder().end() - p.shift());
        }
        for (Ladder.Mark m : across) end = Math.max(end, m.time());
        // The parts' marks interleave by time; the layout sorts stably, so each part keeps its own order.
        return new Ladder(title, subtitle, columns, marks, end, steps);
    }

    static Ladder.Mark moved(Ladder.Mark m, int dc, long dt, int ds) {
        int step = m.step() < 0 ? m.step() : m.step() + ds;
        return switch (m.kind()) {
            case ARROW -> {
                Ladder.Arrow a = (Ladder.Arrow) m;
                yield new Ladder.Arrow(a.time() - dt, a.arrives() - dt, a.from() + dc, a.to() + dc, a.label(), a.tone(), a.detail(), step);
            }
            case NOTE -> {
                Ladder.Note n = (Ladder.Note) m;
                yield new Ladder.Note(n.time() - dt, n.column() + dc, n.text(), n.tone(), n.detail(), step);
            }
            case STATE -> {
                Ladder.State s = (Ladder.State) m;
                yield new Ladder.State(s.time() - dt, s.column() + dc, s.state(), s.qualifier(), s.detail(), step);
            }
            case SIGNAL -> {
                Ladder.Signal s = (Ladder.Signal) m;
                yield new Ladder.Signal(s.time() - dt, s.column() + dc, s.text(), s.tone(), s.detail(), step);
            }
            case SPAN -> {
                Ladder.Span s = (Ladder.Span) m;
                yield new Ladder.Span(s.time() - dt, s.text(), s.lines(), s.detail(), step);
            }
            case BAND -> {
                Ladder.Band b = (Ladder.Band) m;
                yield new Ladder.Band(b.time() - dt, b.text(), b.detail(), step);
            }
            case LIFELINE -> {
                Ladder.Lifeline l = (Ladder.Lifeline) m;
                yield new Ladder.Lifeline(l.time() - dt, l.column() + dc, l.line(), l.text());
            }
        };
    }
}
