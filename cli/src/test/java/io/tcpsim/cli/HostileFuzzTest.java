package io.tcpsim.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer's fuzz targets (issue 19; how to run them: docs/fuzzing.md). In a normal build they run in regression mode:
 * each input of traces/hostile/fuzz/TARGET/ (copied to HostileFuzzTestInputs/TARGET by the build) once. With
 * {@code JAZZER_FUZZ=1} Jazzer mutates them, coverage-guided, until {@code jazzer.max_duration} or a finding.
 * The invariant is {@link FuzzTargets}': exit 0, 1 or 2 with one line, no exception, bounded time.
 */
class HostileFuzzTest {
    @FuzzTest
    void replay(byte[] capture) {
        FuzzTargets.replay(capture);
    }

    @FuzzTest
    void script(byte[] script) {
        FuzzTargets.script(script);
    }

    @FuzzTest
    void pkt(byte[] text) {
        FuzzTargets.pkt(text);
    }
}
