#!/bin/sh
# Makes the replay test captures: each program runs in a fresh network namespace with tcpdump on lo.
# Usage (root): tools/replay-captures/make-captures.sh [OUTDIR]   (default traces/captures/replay)
# Files are named PROGRAM-$(uname -r).pcap (tcpdump -i lo), plus an SLL2 capture (-i any) and a pcapng one.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../traces/captures/replay}
mkdir -p "$out"
k=$(uname -r)
capture() { # NAME PROGRAM IFACE EXTRA-FLAGS EXT
  f="$out/$1-$k.$5"
  unshare -n sh -c "ip link set lo up
    tcpdump -i $3 $4 -B 16384 --immediate-mode -U -s 262144 -w '$f' 'tcp port 4321' 2>'$f.err' & t=\$!
    sleep 0.5
    python3 '$here/programs.py' $2 >/dev/null
    sleep 1; kill -INT \$t; wait \$t" || true
  # With the default 2 MB buffer, tcpdump dropped 30 of 62 packets of slow-reader's burst; a capture that lost
  # packets is not a test of the model.
  dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$f.err"); rm -f "$f.err"
  if [ "${dropped:-0}" != 0 ]; then echo "$f: tcpdump dropped $dropped packets" >&2; exit 1; fi
  echo "$f: $(tcpdump -r "$f" 2>/dev/null | wc -l) packets"
}
for p in close-then-send shutdown-then-send request-response refused linger-zero unread-close server-closes-first two-connections \
         echo-threads slow-reader backlog-full bulk-upload; do
  capture "$p" "$p" lo "" pcap
done
capture request-response-any request-response any "" pcap
# tcpdump 4.99.3 writes no pcapng (no --pcapng) and tshark is not installed: convert one capture the way
# Wireshark would write it (SHB, IDB with if_tsresol 9, EPBs), and one big-endian with microseconds.
python3 "$here/to-pcapng.py" "$out/close-then-send-$k.pcap" "$out/close-then-send-$k.pcapng"
python3 "$here/to-pcapng.py" "$out/request-response-$k.pcap" "$out/request-response-be-$k.pcapng" --big-endian --tsresol 6
python3 "$here/to-pcapng.py" "$out/linger-zero-$k.pcap" "$out/linger-zero-spb-$k.pcapng" --spb
