package io.tcpsim.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Delta debugging (Zeller's ddmin, deletion only) over a program's actions: remove chunks of half, a quarter, ...
 * one action while the failure persists. {@link ScriptBuilder} makes every sub-list a valid script, so each
 * candidate runs. The result is 1-minimal: removing any single action makes the failure go away.
 */
public final class Shrinker {
    private Shrinker() {}

    public static <T> List<T> shrink(List<T> items, Predicate<List<T>> fails) {
        List<T> cur = new ArrayList<>(items);
        int chunk = Math.max(1, cur.size() / 2);
        while (true) {
            boolean progress = false;
            for (int start = 0; start < cur.size(); ) {
                List<T> cand = new ArrayList<>(cur.subList(0, start));
                cand.addAll(cur.subList(Math.min(cur.size(), start + chunk), cur.size()));
                if (cand.size() < cur.size() && fails.test(cand)) {
                    cur = cand;
                    progress = true;
                } else {
                    start += chunk;
                }
            }
            if (chunk == 1 && !progress) return cur;
            if (!progress) chunk = Math.max(1, chunk / 2);
        }
    }

    /** The program with as few actions as still fail the same way. */
    public static Program shrink(Program p, Predicate<Program> fails) {
        return p.withOps(shrink(p.ops(), ops -> fails.test(p.withOps(ops))));
    }
}
