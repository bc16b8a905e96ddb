#!/bin/bash
# bench/attack.sh: the legitimate client's p99 round trip (connect, ping,
# answer, from 127.0.0.9) idle and during each attack of
# tests/integration/test_attack.tcl: a pipelining flood on one connection
# and a slowloris of 2000 connections against faild, 70 idle clients on
# failsh's monitor port (the client then uses failsh's control port).
# Runs the test file RUNS times and prints markdown.
#
# Usage: bash bench/attack.sh          (from the top of a built tree)
# Environment: RUNS (3), BUILDDIR (the tree: another build to compare).

set -u
RUNS=${RUNS:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=${BUILDDIR:-$top}
log=$(mktemp "${TMPDIR:-/tmp}/attackbench.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT

echo "## Legitimate client under attack, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "\`bash bench/attack.sh\`: RUNS=$RUNS runs of" \
    "tests/integration/test_attack.tcl, 100 round trips idle and 100 under" \
    "each attack (50 idle for the control port). Machine: $(nproc) cpus," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
echo
echo "| attack | run | p99 idle ms | p99 under attack ms | ratio | test |"
echo "|---|---:|---:|---:|---:|---|"
for ((run = 1; run <= RUNS; run++)); do
	FAIL_BUILDDIR=$BUILDDIR FAIL_SRCDIR=$top tclsh8.6 \
	    "$top/tests/integration/test_attack.tcl" >"$log" 2>&1
	# "  flood: legitimate p99 idle 0.4 ms, under attack 2.2 ms" lines,
	# each followed by its test's "[ok] ..." or "[FAIL] ..." line.
	awk -v run="$run" '
	    /: legitimate p99 idle / {
		name = $0; sub(/: legitimate.*/, "", name); sub(/^ +/, "", name)
		for (i = 1; i <= NF; i++) {
			if ($i == "idle") idle = $(i + 1)
			if ($i == "attack") busy = $(i + 1)
		}
		getline verdict
		printf "| %s | %d | %s | %s | %.1f | %s |\n", name, run, idle,
		    busy, busy / idle, verdict ~ /^\[ok\]/ ? "ok" : "FAIL"
	    }' "$log"
done
echo
grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 |
    sed 's/^/Last run of the test file: /'
