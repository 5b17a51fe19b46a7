#!/usr/bin/env bash
# Builds packetdrill from ../shared/packetdrill and runs every .pkt script under its gtests/net on the real kernel,
# one network namespace per script, writing one TSV row per script. Needs root, gcc, make, flex and bison.
#
# Usage: tools/packetdrill/build-and-run.sh [OUT_DIR] [--runs N] [--timeout SECONDS] [--only SUBSTRING] [--list FILE]
#   OUT_DIR    where the binary, the staged script tree, the logs and verdicts.tsv go (default target/packetdrill)
#   --runs     how many times to run the whole set, one run after the other (default 1)
#   --timeout  seconds one script may take before it is killed (default 120; run_all.py allows 180)
#   --only     run only the scripts whose path (relative to gtests/net) contains SUBSTRING
#   --list     run only the scripts whose paths (relative to gtests/net) FILE lists, one a line ('#' starts a comment)
#
# ../shared is found as TCPSIM_SHARED, else <repository root>/../shared, else /work/shared.
#
# How a script is run follows packetdrill's own runner (gtests/net/packetdrill/run_all.py and in_netns.sh), read,
# not copied: the working directory is the script's folder (so `../common/defaults.sh` resolves), the arguments are
# run_all.py's: --send_omit_free and its IPv4 variant (--ip_version=ipv4 --local_ip=192.168.0.1 ... and its -D
# symbols), or its IPv6 variant for the scripts named *v6.pkt, which run_all.py never runs over IPv4; and the
# namespace has lo up, as in_netns.sh brings it up.
#
# Each run writes OUT_DIR/run-K.tsv: path (relative to gtests/net), verdict, line, error, seconds; OUT_DIR/verdicts.tsv
# holds per script the verdict most runs gave, its line and error, the median seconds, and "runs": every run's
# verdict[:line], comma-separated. packetdrill's output for each script and run is under OUT_DIR/logs/run-K/.
#   pass     packetdrill exited 0.
#   fail     the kernel did something other than the script says, at a line: a packet that differs, comes at
#            another time or does not come ("error handling packet"), a call whose result differs ("runtime error
#            in X call"), or a %{ }% assert that does not hold ("error in Python code: AssertionError: ...").
#            This is a verdict about the kernel.
#   error    the script could not be run here as written: rejected by packetdrill's parser, a mode this build
#            cannot run (PSP needs --wire_client/--wire_server), a failing shell command, a %{ }% block that does not
#            run, a crash. Not a verdict about TCP.
#   timeout  killed after --timeout seconds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out=""
timeout_s=120
runs=1
only=""
list=""
while (( $# > 0 )); do
  case "$1" in
    --timeout) timeout_s="${2:?--timeout needs a number of seconds}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --only) only="${2:?--only needs a substring}"; shift 2 ;;
    --list) list="${2:?--list needs a file}"; [[ -f "$list" ]] || { echo "build-and-run.sh: --list: no file $list" >&2; exit 2; }
            list="$(cd "$(dirname "$list")" && pwd)/$(basename "$list")"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-and-run.sh: unknown option $1 (expected --runs N, --timeout N, --only SUBSTRING or --list FILE)" >&2; exit 2 ;;
    *) [[ -z "$out" ]] || { echo "build-and-run.sh: one OUT_DIR only, got '$out' and '$1'" >&2; exit 2; }
       out="$1"; shift ;;
  esac
done
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || { echo "build-and-run.sh: --timeout expects whole seconds, got '$timeout_s'" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "build-and-run.sh: --runs expects a positive number, got '$runs'" >&2; exit 2; }
out="${out:-$repo/target/packetdrill}"

shared=""
for c in "${TCPSIM_SHARED:-}" "$repo/../shared" /work/shared; do
  if [[ -n "$c" && -d "$c/packetdrill/gtests/net" ]]; then shared="$(cd "$c" && pwd)"; break; fi
done
if [[ -z "$shared" ]]; then
  echo "build-and-run.sh: no packetdrill tree: set TCPSIM_SHARED, or put it at $repo/../shared or /work/shared" >&2
  exit 2
fi
[[ "$(id -u)" == 0 ]] || { echo "build-and-run.sh: must run as root (each script gets its own network namespace)" >&2; exit 2; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"
bin="$("$shared/packetdrill/build.sh" "$out/bin")"

# A copy of the scripts to run in: packetdrill executes `../common/defaults.sh` from the script's folder, and the
# copy in ../shared stores the symlink tcp/common/defaults.sh -> ../../common/defaults.sh as a 24-byte text file
# holding that path (not executable: every script would stop at "error executing init command: non-zero status
# 126"). Any such file (one line that is a relative path to a file of the tree) becomes the symlink again.
tree="$out/tree"
rm -rf "$tree"
cp -r "$shared/packetdrill/gtests/net" "$tree"
chmod -R u+w "$tree"
while IFS= read -r -d '' f; do
  target="$(cat "$f")"
  if [[ "$target" =~ ^[A-Za-z0-9_./-]+$ && "$target" != /* && -f "$(dirname "$f")/$target" ]]; then
    rm "$f"; ln -s "$target" "$f"
    echo "build-and-run.sh: restored symlink ${f#"$tree"/} -> $target" >&2
  fi
done < <(find "$tree" -type f -size -256c ! -name '*.pkt' -print0)

v4_args=(--ip_version=ipv4 --local_ip=192.168.0.1 --gateway_ip=192.168.0.1 --netmask_ip=255.255.0.0
         --remote_ip=192.0.2.1 -D TFO_COOKIE=3021b9d889017eeb -D CODE=host_unreachable
         -D CMSG_LEVEL_IP=SOL_IP -D CMSG_TYPE_RECVERR=IP_RECVERR)
v6_args=(--ip_version=ipv6 --mtu=1520 --local_ip=fd3d:0a0b:17d6::1 --gateway_ip=fd3d:0a0b:17d6:8888::1
         --remote_ip=fd3d:fa7b:d17d::1 -D TFO_COOKIE=c1d1e9742a47a9bc
         -D CMSG_LEVEL_IP=SOL_IPV6 -D CMSG_TYPE_RECVERR=IPV6_RECVERR)

# fail: packetdrill compared the kernel with the script at a line and they differ (a packet, a call's result, or an
# assert in a %{ }% block). Everything else that exits non-zero is an error: the script did not get to ask the kernel.
fail_re='^(error handling packet|runtime error in [A-Za-z0-9_]+ call|timing error)'

# One run of one script: sets verdict, line, text and secs, and keeps packetdrill's output in LOG.
run_one() { # REL LOG
  local rel="$1" log="$2" dir base rc start end first rest exc
  line=""; text=""
  dir="$tree/$(dirname "$rel")"; base="$(basename "$rel")"
  local -a args
  if [[ "$base" == *v6.pkt ]]; then args=("${v6_args[@]}"); else args=("${v4_args[@]}"); fi
  mkdir -p "$(dirname "$log")"
  start=$(date +%s.%N)
  set +e
  (cd "$dir" && timeout --kill-after=5 "$timeout_s" unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
      "$bin" --send_omit_free "${args[@]}" "$base") >"$log" 2>&1 </dev/null
  rc=$?
  set -e
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  # packetdrill's own message: the first line that starts with the script's name.
  first="$(grep -m1 "^$base:" "$log" || true)"
  if [[ -n "$first" ]]; then
    rest="${first#"$base":}"
    if [[ "$rest" =~ ^([0-9]+):\ ?(.*)$ ]]; then line="${BASH_REMATCH[1]}"; text="${BASH_REMATCH[2]}";
    else text="${rest# }"; fi
  fi
  if (( rc == 0 )); then
    verdict=pass; line=""; text=""
  elif (( rc == 124 || rc == 137 )); then
    verdict=timeout; text="killed after ${timeout_s} s"
  else
    if [[ -z "$text" ]]; then text="$(grep -v '^\s*$' "$log" | tail -n1 || true)"; [[ -n "$text" ]] || text="exit status $rc"; fi
    verdict=error
    if [[ -n "$line" ]] && grep -Eq "$fail_re" <<<"$text"; then verdict=fail; fi
    if [[ -n "$line" && "$text" == "error in Python code" ]]; then
      # The exception the %{ }% block raised: the first unindented line after Python's traceback. An assert
      # that does not hold is about the kernel; any other exception means the block did not run.
      exc="$(awk '/^Traceback \(most recent call last\):/ { t = 1; next } t && /^[^ \t]/ { print; exit }' "$log")"
      [[ -z "$exc" ]] || text="$text: $exc"
      [[ "$exc" != AssertionError* ]] || verdict=fail
    fi
  fi
  text="${text//$'\t'/ }"; text="${text//$'\r'/}"
}

mapfile -t scripts < <(cd "$tree" && find . -name '*.pkt' -printf '%P\n' | LC_ALL=C sort)
rm -rf "$out/logs"
for (( pass = 1; pass <= runs; pass++ )); do
  tsv="$out/run-$pass.tsv"
  printf 'path\tverdict\tline\terror\tseconds\n' >"$tsv.partial"
  n=0; declare -A count=([pass]=0 [fail]=0 [error]=0 [timeout]=0)
  for rel in "${scripts[@]}"; do
    [[ -z "$only" || "$rel" == *"$only"* ]] || continue
    [[ -z "$list" ]] || grep -qxF "$rel" <(sed 's/#.*//; s/[[:space:]]*$//' "$list") || continue
    run_one "$rel" "$out/logs/run-$pass/${rel%.pkt}.log"
    printf '%s\t%s\t%s\t%s\t%s\n' "$rel" "$verdict" "$line" "$text" "$secs" >>"$tsv.partial"
    count[$verdict]=$(( ${count[$verdict]} + 1 )); n=$(( n + 1 ))
    printf '%-70s %-7s %6s s  %s%s\n' "$rel" "$verdict" "$secs" "${line:+line $line: }" "$text" >&2
  done
  mv "$tsv.partial" "$tsv"
  echo "build-and-run.sh: run $pass: $n scripts: ${count[pass]} pass, ${count[fail]} fail, ${count[error]} error, ${count[timeout]} timeout on $(uname -r) -> $tsv" >&2
done

# verdicts.tsv: per script, the verdict and line most runs gave (the first run's on a tie), that run's error text,
# the median of the runs' seconds, and every run's verdict[:line] so that an unstable script shows as one.
awk -F'\t' -v OFS='\t' -v runs="$runs" '
  FNR == 1 { next }
  { k = $2 ":" $3; n[$1, k]++; v[$1, FNR] = k; e[$1, k] = e[$1, k] == "" ? $4 : e[$1, k]; s[$1, ++ns[$1]] = $5
    r[$1] = r[$1] == "" ? (($3 == "") ? $2 : k) : r[$1] "," (($3 == "") ? $2 : k)
    if (!($1 in first)) { first[$1] = k; order[++no] = $1 } else if (n[$1, k] > n[$1, best[$1]]) best[$1] = k
    if (!($1 in best)) best[$1] = k }
  END {
    print "path", "verdict", "line", "error", "seconds", "runs"
    for (i = 1; i <= no; i++) {
      p = order[i]; k = best[p]; split(k, kv, ":")
      m = ns[p]; for (a = 1; a <= m; a++) t[a] = s[p, a] + 0
      for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (t[b] < t[a]) { x = t[a]; t[a] = t[b]; t[b] = x }
      printf "%s\t%s\t%s\t%s\t%.3f\t%s\n", p, kv[1], kv[2], e[p, k], t[int((m + 1) / 2)], r[p]
    }
  }' $(for (( pass = 1; pass <= runs; pass++ )); do echo "$out/run-$pass.tsv"; done) >"$out/verdicts.tsv"
unstable=$(awk -F'\t' 'NR > 1 { n = split($6, a, ","); for (i = 2; i <= n; i++) if (a[i] != a[1]) { c++; break } } END { print c + 0 }' "$out/verdicts.tsv")
echo "build-and-run.sh: $runs run(s) -> $out/verdicts.tsv ($unstable script(s) whose verdict differs between runs)" >&2
