#!/usr/bin/env bash
# Runs one two-host experiment: a main class of trace-replay's test scope, package io.tcpsim.kernel.net.experiments,
# on the product's own topology (io.tcpsim.kernel.net.Network). Needs root. Usage:
#   tools/experiments/net/run.sh LinkDelay [args...]
# Compiles first (offline, the reactor only: nothing is installed), then runs with the compiled classes and the jars
# the root pom pins, taken from the local Maven repository.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd -P)"
[[ $# -ge 1 ]] || { echo "usage: $0 EXPERIMENT [args...]" >&2; exit 2; }
(cd "$root" && mvn -q -o -B -pl trace-replay -am test-compile) >&2
version() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$root/pom.xml" | head -n1; }
repo="${MAVEN_REPO:-$HOME/.m2/repository}"
jar() { echo "$repo/$1/$2/$3/$2-$3.jar"; }
cp="$root/simulator/target/classes:$root/simulator/target/test-classes"
cp+=":$root/trace-replay/target/classes:$root/trace-replay/target/test-classes"
cp+=":$(jar net/java/dev/jna jna "$(version jna.version)")"
cp+=":$(jar org/pcap4j pcap4j-core "$(version pcap4j.version)")"
cp+=":$(jar org/pcap4j pcap4j-packetfactory-static "$(version pcap4j.version)")"
cp+=":$(jar org/slf4j slf4j-api "$(version slf4j.version)")"
cp+=":$(jar org/slf4j slf4j-nop "$(version slf4j.version)")"
java_opts=()
major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
if [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 24 )); then java_opts+=(--enable-native-access=ALL-UNNAMED); fi
cd "$root"
exec java "${java_opts[@]}" -cp "$cp" "io.tcpsim.kernel.net.experiments.$1" "${@:2}"
