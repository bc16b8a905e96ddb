#!/bin/bash
# bench/state.sh: what a write costs faild as its table grows, and how long
# it takes to start with a large table. For each size in SIZES, a state file
# of that many services is made, faild starts on it (the time to its
# "ready:" line is the restart time), then faildbench -t -s sets services to
# UP and FAIL in turn (every request a change, persisted before its answer)
# from 1 and from 16 clients. Then faild is killed (-9) and started again
# on what the writes left behind (snapshot plus journal). Prints markdown.
#
# Usage: bash bench/state.sh          (from the top of a built tree)
# Environment: SIZES ("100 10000 100000"), DURATION seconds per cell (5),
# CONCS ("1 16"), FAILD (faild/faild), SERVER_CPU (0), CLIENT_CPU (1),
# STATEDIR (a temporary directory under $TMPDIR: the disk measured).

set -u

SIZES=${SIZES:-"100 10000 100000"}
DURATION=${DURATION:-5}
CONCS=${CONCS:-"1 16"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

top=$(cd "$(dirname "$0")/.." && pwd)
FAILD=${FAILD:-$top/faild/faild}
bench=$top/bench

die() { echo "state.sh: $*" >&2; exit 1; }
note() { echo "$*" >&2; }

[ -x "$FAILD" ] || die "no $FAILD: build it first (make faild/faild)"
tmp=$(mktemp -d "${STATEDIR:-${TMPDIR:-/tmp}}/statebench.XXXXXX") ||
    die "mktemp"
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

cc -O2 -Wall -Wextra -o "$bench/faildbench" "$bench/faildbench.c" ||
    die "cannot build faildbench"

port=$((20000 + RANDOM % 30000))

# make_state N FILE: N services s0 .. s(N-1), all UP.
make_state() {
	awk -v n="$1" 'BEGIN {
		print "# faild state v1"
		for (i = 0; i < n; i++)
			printf "s%d UP 1795417200123 bench@127.0.0.1\n", i
		printf "# end %d\n", n
	}' >"$2"
}

# start_faild FILE: start faild on FILE; start_ms: the ms to its ready line.
start_faild() {
	local t0 t1 log=$tmp/log
	: >"$log"
	t0=$(date +%s%N)
	taskset -c "$SERVER_CPU" "$FAILD" -F -l 127.0.0.1 -p "$port" -s "$1" \
	    -r "" >>"$log" 2>&1 &
	pid=$!
	while ! grep -q "ready:" "$log"; do
		kill -0 "$pid" 2>/dev/null || die "faild died: $(cat "$log")"
		sleep 0.005
	done
	t1=$(date +%s%N)
	start_ms=$(((t1 - t0) / 1000000))
}

stop_faild() {
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=""
}

echo "\`bash bench/state.sh\`: SIZES=\"$SIZES\", DURATION=$DURATION s per" \
    "cell, CONCS=\"$CONCS\"; faild on cpu $SERVER_CPU, faildbench on cpu" \
    "$CLIENT_CPU; state in $(df -P "$tmp" | awk 'NR == 2 {print $1}')" \
    "($(stat -f -c %T "$tmp"))."
echo
echo "| services | clients | writes/s | p50 µs | p99 µs | max µs | errors |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
restarts=""
for n in $SIZES; do
	state=$tmp/state.$n
	make_state "$n" "$state"
	start_faild "$state"
	fresh=$start_ms
	for c in $CONCS; do
		out=$(taskset -c "$CLIENT_CPU" "$bench/faildbench" -t -s -c "$c" \
		    -d "$DURATION" -w 1 -n s 127.0.0.1 "$port") ||
		    die "faildbench failed at $n services"
		note "$n services, $c clients: $out"
		val() { echo "$out" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
		echo "| $n | $c | $(val qps) | $(val p50_us) | $(val p99_us) |" \
		    "$(val max_us) | $(val errors) |"
	done
	stop_faild
	journal=$(stat -c %s "$state.journal" 2>/dev/null || echo 0)
	start_faild "$state"
	again=$start_ms
	stop_faild
	restarts="$restarts| $n | $(stat -c %s "$state") | $fresh | $journal | $again |
"
done
echo
echo "| services | state file bytes | start ms (snapshot only) |" \
    "journal bytes after the writes, kill -9 | start ms (snapshot + journal) |"
echo "|---:|---:|---:|---:|---:|"
printf "%s" "$restarts"
