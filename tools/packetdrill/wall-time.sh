#!/usr/bin/env bash
# The wall time real packetdrill takes for the scripts on which the model and the kernel agree
# (traces/packetdrill/agreeing.txt), to set beside PacketdrillScriptsBenchmark's time for the same scripts on the
# model. Needs root and what build-and-run.sh needs (gcc, make, flex, bison).
#
# Usage: tools/packetdrill/wall-time.sh [OUT_DIR] [--runs N]
#   OUT_DIR    build-and-run.sh's output directory (default target/packetdrill-wall)
#   --runs     how many runs of the list (default 1)
# Prints, per run, the scripts' wall times summed (each script from its start to packetdrill's exit, namespace set-up
# included), and the median per script summed over the runs, from build-and-run.sh's verdicts.tsv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/target/packetdrill-wall"
runs=1
while (( $# > 0 )); do
  case "$1" in
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "wall-time.sh: unknown option $1 (expected --runs N)" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done
list="$repo/traces/packetdrill/agreeing.txt"
n=$(grep -cv '^\s*\(#\|$\)' "$list")
"$here/build-and-run.sh" "$out" --runs "$runs" --list "$list" >&2
for (( r = 1; r <= runs; r++ )); do
  awk -F'\t' -v r="$r" -v n="$n" 'NR > 1 { s += $5; k++ } END { printf "run %d: %d of %d scripts, %.3f s of packetdrill wall time\n", r, k, n, s }' "$out/run-$r.tsv"
done
awk -F'\t' 'NR > 1 { s += $5; k++ } END { printf "median per script, summed: %.3f s for %d scripts\n", s, k }' "$out/verdicts.tsv"
