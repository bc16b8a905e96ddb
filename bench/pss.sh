#!/bin/bash
# bench/pss.sh: faild's idle memory as PSS (proportional set size, what
# DESIGN.md's memory target counts: a shared library page costs each
# process that maps it its share). faild starts on 127.0.0.1 with an empty
# state, gets one "set", and 1 s later /proc/PID/smaps_rollup is read; the
# median of RUNS (3) starts is printed. With NEIGHBOURS=1, a failsh and an
# hc (both linked with libcrypto, as on a host that runs the toolkit) run
# beside it during the measure.
#
# Usage: bash bench/pss.sh          (from the top of a built tree)
# Environment: RUNS (3), NEIGHBOURS (0), FAILD, FAILSH, HC.

set -u
RUNS=${RUNS:-3}
NEIGHBOURS=${NEIGHBOURS:-0}
top=$(cd "$(dirname "$0")/.." && pwd)
FAILD=${FAILD:-$top/faild/faild}
FAILSH=${FAILSH:-$top/failsh/failsh}
HC=${HC:-$top/hc/hc}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pss.XXXXXX") || exit 1
pids=""
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# wait_ready LOG: until the daemon logging to LOG says "ready:".
wait_ready() {
	local i
	for i in $(seq 500); do
		grep -q "ready:" "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "pss.sh: not ready: $(cat "$1")" >&2
	exit 1
}

port=$((30000 + RANDOM % 20000))
if [ "$NEIGHBOURS" = 1 ]; then
	printf 'failsvc www start {return UP}\n' >"$tmp/policy"
	"$FAILSH" -F -N pss -f "$tmp/policy" -L 127.0.0.1:$((port + 1)) \
	    -m 127.0.0.1:$((port + 2)) -D 127.0.0.1:$((port + 3)) \
	    -l "$tmp/dump" -i "" >"$tmp/failsh.log" 2>&1 &
	pids="$pids $!"
	wait_ready "$tmp/failsh.log"
	printf 'faild = 127.0.0.1\nwww:\n\tcheck tcp 127.0.0.1:%d\n' $((port + 4)) \
	    >"$tmp/Hcfile"
	chmod 600 "$tmp/Hcfile"
	"$HC" -F -f "$tmp/Hcfile" -M 127.0.0.1:$((port + 5)) \
	    >"$tmp/hc.log" 2>&1 &
	pids="$pids $!"
	wait_ready "$tmp/hc.log"
fi

for run in $(seq "$RUNS"); do
	rm -f "$tmp/state" "$tmp/state.journal" "$tmp/faild.log"
	"$FAILD" -F -l 127.0.0.1 -p "$port" -s "$tmp/state" -r "" \
	    >"$tmp/faild.log" 2>&1 &
	pid=$!
	wait_ready "$tmp/faild.log"
	exec 3<>/dev/tcp/127.0.0.1/$port
	printf '1 set www UP\n' >&3
	read -r -t 2 _ <&3
	exec 3>&-
	sleep 1
	awk '/^(Rss|Pss|Pss_Anon|Pss_File):/ {printf "%s %s ", $1, $2}
	    END {print ""}' "/proc/$pid/smaps_rollup"
	kill "$pid"
	wait "$pid" 2>/dev/null
done | sort -t' ' -k4 -n | tee "$tmp/runs" >&2
echo "faild idle PSS, median of $RUNS (kB), neighbours $NEIGHBOURS:" \
    "$(sed -n "$(((RUNS + 1) / 2))p" "$tmp/runs")"
