package io.tcpsim.picture;

import java.util.List;

/**
 * A {@link Ladder} as one self-contained HTML page: the SVG inline, and a panel that shows, for the mark under the
 * pointer, its full text (the whole tcpdump line of a packet, the call as the text output prints it, the transition
 * and the kernel function behind a state) and every endpoint's state after that mark's step. No external file: the
 * style and the script are in the page.
 */
public final class LadderHtml {
    private LadderHtml() {}

    public static String render(Ladder ladder) {
        return page(ladder.title(), LadderSvg.element(ladder), ladder.steps());
    }

    /** Several ladders one under the other ({@link LadderSvg#render(String, List, List)}), with the same panel. */
    public static String render(String title, List<String> subtitle, List<Ladder> parts) {
        List<Ladder.StepDetail> steps = new java.util.ArrayList<>();
        for (Ladder l : parts) steps.addAll(l.steps());
        return page(title, LadderSvg.element(title, subtitle, parts), steps);
    }

    private static String page(String title, String svg, List<Ladder.StepDetail> steps) {
        StringBuilder b = new StringBuilder(128 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(LadderSvg.esc(title)).append(" \u2014 tcpsim</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        b.append("<main>\n<div id=\"picture\">\n").append(svg).append("</div>\n");
        b.append("<aside id=\"panel\">\n<h2>Details</h2>\n<p class=\"hint\">Point at a packet, a call, a state or a signal.</p>\n")
                .append("<pre id=\"detail\"></pre>\n<h2>Endpoints after the step</h2>\n<pre id=\"state\"></pre>\n</aside>\n</main>\n");
        b.append("<script>\nconst STEPS = [\n");
        for (Ladder.StepDetail s : steps) {
            b.append("  {heading: ").append(js(s.heading())).append(", lines: [");
            List<String> lines = s.lines();
            for (int i = 0; i < lines.size(); i++) b.append(i == 0 ? "" : ", ").append(js(lines.get(i)));
            b.append("]},\n");
        }
        b.append("];\n").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return b.toString();
    }

    /** A JavaScript string literal that cannot end the script element. */
    static String js(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '<' -> b.append("\\u003c");
                case '>' -> b.append("\\u003e");
                case '&' -> b.append("\\u0026");
                case '\u2028' -> b.append("\\u2028");
                case '\u2029' -> b.append("\\u2029");
                default -> {
                    if (c < 0x20) b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    private static final String STYLE = """
            body { margin: 0; font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; color: #263238; }
            main { display: flex; align-items: flex-start; }
            #picture { flex: 1 1 auto; overflow: auto; max-height: 100vh; }
            #panel { flex: 0 0 34em; position: sticky; top: 0; max-height: 100vh; overflow: auto; padding: 0 1em;
                     border-left: 1px solid #cfd8dc; background: #fafafa; box-sizing: border-box; }
            #panel h2 { font-size: 13px; margin: 1em 0 0.4em; color: #546e7a; }
            #panel pre { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 12px;
                         white-space: pre-wrap; word-break: break-all; margin: 0; }
            .hint { font-size: 12px; color: #78909c; }
            g.mark { cursor: pointer; }
            g.mark:hover text, g.mark.chosen text { text-decoration: underline; }
            g.mark.chosen rect, g.mark.chosen circle { stroke: #ffb300; stroke-width: 2; }
            """;

    private static final String SCRIPT = """
            const detail = document.getElementById('detail');
            const state = document.getElementById('state');
            let chosen = null;
            function show(g) {
              if (chosen) chosen.classList.remove('chosen');
              chosen = g;
              g.classList.add('chosen');
              const t = g.querySelector('title');
              detail.textContent = t ? t.textContent : '';
              const s = Number(g.dataset.step);
              state.textContent = s >= 0 && s < STEPS.length
                ? STEPS[s].heading + '\\n' + STEPS[s].lines.join('\\n')
                : '(no step: this happened at the end)';
            }
            document.querySelectorAll('g.mark').forEach(g => {
              g.addEventListener('mouseenter', () => show(g));
              g.addEventListener('click', () => show(g));
            });
            """;
}
