#!/bin/bash
# bench/hc.sh: how many checks per second hc makes on one core, and what
# CPU a fixed rate of checks costs it, beside keepalived's health checkers
# (TCP_CHECK, HTTP_GET) doing the same checks in the same run.
#
# Everything runs in a private network namespace (lo only), against
# lighttpd serving a 3-byte /index.html on port 8080 of every 127.0.X.Y;
# target i is 127.0.X.Y:8080 with X.Y = i / 250 . i % 250 + 1, so that
# keepalived's real servers are all distinct. The checker under test is
# pinned to cpu CHECK_CPU (1), lighttpd to SERVER_CPU (0).
#
# 1. Maximum: MAX_TARGETS (200) targets at MAX_INTERVAL_MS (1 ms), so each
#    runs back to back; checks/s over DURATION (10 s) after WARMUP (3 s).
# 2. Fixed load: per LOADS entry "targets:interval_ms" (default 100:100,
#    500:500 and 1000:1000, all 1000 checks/s), the checker's CPU.
#
# hc: checks from its monitor port's "stats" (before and after, over its
# uptime_ms); CPU from /proc/PID/stat (utime + stime). keepalived: the
# checker child (-C, its pid file), delay_loop = the interval, one
# real_server per target; it counts no checks, so its checks are the TCP
# connections opened in the namespace (Tcp ActiveOpens of /proc/net/snmp:
# one per check), which is also shown for hc as a cross-check.
# keepalived refuses to run checkers without the ip_vs kernel module;
# where it is missing (no modprobe, no /proc/net/ip_vs) it runs with
# bench/hc_ipvs_stub.c preloaded, which answers its IPVS [gs]etsockopt
# calls with success and does nothing else: the checks are keepalived's
# own, only the LVS table is not kept.
# Failures: hc's log lines "-> FAIL" and keepalived's failure lines (each
# checker has log_all_failures) during the window; rise 1, fall 1.
#
# Usage: bash bench/hc.sh    (root, from the top of a built tree: make)
# Environment: DURATION (10), WARMUP (3), RUNS (1; rows per run), KINDS
# ("tcp http"), MAX_TARGETS (200), MAX_INTERVAL_MS (1), LOADS ("100:100
# 500:500 1000:1000"; "" for none), PEER (1; 0: hc only), SERVERS
# (lighttpd instances, 1; ports 8080...), CHECK_CPU (1), SERVER_CPU (0),
# HC (hc/hc), KEEPALIVED (/usr/sbin/keepalived), LIGHTTPD
# (/usr/sbin/lighttpd), KEEP=1 keeps the temp dir. Progress on stderr,
# the markdown report on stdout. About 4 minutes with the defaults.

set -u

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
RUNS=${RUNS:-1}
KINDS=${KINDS:-"tcp http"}
MAX_TARGETS=${MAX_TARGETS:-200}
MAX_INTERVAL_MS=${MAX_INTERVAL_MS:-1}
LOADS=${LOADS-"100:100 500:500 1000:1000"}
PEER=${PEER:-1}
SERVERS=${SERVERS:-1}
CHECK_CPU=${CHECK_CPU:-1}
SERVER_CPU=${SERVER_CPU:-0}
PORT=8080		# lighttpd; instance k listens on PORT + k
MONITOR=1850		# hc's monitor port

top=$(cd "$(dirname "$0")/.." && pwd)
HC=${HC:-$top/hc/hc}
KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
LIGHTTPD=${LIGHTTPD:-/usr/sbin/lighttpd}
tck=$(getconf CLK_TCK)

die() { echo "hc.sh: $*" >&2; exit 1; }
note() { echo "$*" >&2; }

case "$DURATION$WARMUP$RUNS$MAX_TARGETS$MAX_INTERVAL_MS$SERVERS" in
*[!0-9]*) die "DURATION, WARMUP, RUNS, MAX_TARGETS, MAX_INTERVAL_MS and" \
    "SERVERS are whole numbers" ;;
esac
[ "$(id -u)" = 0 ] || die "needs root (a network namespace; keepalived)"
[ -x "$HC" ] || die "no $HC: build it first (make)"
[ -x "$LIGHTTPD" ] || die "no $LIGHTTPD (apt-get install lighttpd)"
if [ "$PEER" = 1 ] && [ ! -x "$KEEPALIVED" ]; then
	die "no $KEEPALIVED (apt-get install keepalived, or PEER=0)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hcbench.XXXXXX") || die "mktemp"
ns=hcb$$
pids=""
cleanup() {
	local p
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		gone "$p" || kill -KILL "$p" 2>/dev/null
	done
	pids=""
	ip netns del "$ns" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		note "hc.sh: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# gone PID: waits up to 5 s for PID to end (0), else 1.
gone() {
	local i
	for ((i = 0; i < 500; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.01
	done
	return 1
}
forget() { pids=$(echo " $pids " | sed "s/ $1 / /g"); }
stop() {
	kill "$1" 2>/dev/null
	gone "$1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	forget "$1"
}

# nsx COMMAND...: COMMAND in the namespace. What runs in the background
# is started with "ip netns exec" itself, which execs the command (as do
# env and taskset), so that $! is the measured process's own pid.
nsx() { ip netns exec "$ns" "$@"; }

# wait_until SECONDS PID COMMAND...: COMMAND every 0.1 s until it succeeds
# (0), PID dies or the time is up (1).
wait_until() {
	local i pid=$2 n=$(($1 * 10))
	shift 2
	for ((i = 0; i < n; i++)); do
		"$@" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ask LINE: one request to hc's monitor port, prints the answer line.
ask() {
	# shellcheck disable=SC2016
	nsx timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1 || exit 1
	    printf "%s\n" "$2" >&3; read -r l <&3; echo "$l"' _ $MONITOR "$1"
}
port_open() { nsx bash -c "exec 3<>/dev/tcp/$1/$2"; }
# is PID NAME: PID runs the program NAME (so what is measured is it).
is() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
now_ms() { date +%s%3N; }
# snmp PID GROUP FIELD: a counter of the namespace PID lives in.
snmp() {
	awk -v g="$2:" -v f="$3" '$1 == g && !h { for (i = 2; i <= NF; i++)
	    if ($i == f) c = i; h = 1; next }
	    $1 == g && h { print $c; exit }' "/proc/$1/net/snmp" \
	    "/proc/$1/net/netstat" 2>/dev/null
}
# addr I: the address of target I (0-based).
addr() { echo "127.0.$(($1 / 250)).$(($1 % 250 + 1))"; }
port_of() { echo $((PORT + $1 % SERVERS)); }
# log_lines FILE: how many lines FILE has.
log_lines() { wc -l <"$1" 2>/dev/null || echo 0; }

# ----------------------------------------------------------------------
# Set-up: the namespace, lighttpd, the IPVS stub if needed.

ip netns add "$ns" || die "cannot create network namespace $ns"
nsx ip link set lo up || die "cannot bring lo up in $ns"

mkdir -p "$tmp/www"
echo ok >"$tmp/www/index.html"
srv_pids=""
for ((k = 0; k < SERVERS; k++)); do
	cat >"$tmp/lighttpd.$k.conf" <<EOF
server.document-root = "$tmp/www"
server.bind = "0.0.0.0"
server.port = $((PORT + k))
server.errorlog = "$tmp/lighttpd.$k.err"
server.max-connections = 8192
server.max-fds = 16384
server.listen-backlog = 4096
index-file.names = ( "index.html" )
EOF
	ip netns exec "$ns" taskset -c "$SERVER_CPU" "$LIGHTTPD" -D \
	    -f "$tmp/lighttpd.$k.conf" 2>"$tmp/lighttpd.$k.log" &
	p=$!
	pids="$pids $p"
	srv_pids="$srv_pids $p"
	if ! wait_until 5 "$p" port_open 127.0.0.1 $((PORT + k)) ||
	    ! is "$p" lighttpd; then
		cat "$tmp/lighttpd.$k.log" "$tmp/lighttpd.$k.err" >&2
		die "lighttpd $k did not start"
	fi
done
srv0=${srv_pids# }
srv0=${srv0%% *}		# any process of the namespace, for snmp
server_ticks() {
	local p t=0
	for p in $srv_pids; do
		t=$((t + $(cpu_ticks "$p")))
	done
	echo $t
}

preload=""
ka_note="keepalived $($KEEPALIVED --version 2>&1 | head -1 |
    sed 's/^Keepalived //; s/ (.*//')"
if [ "$PEER" = 1 ] && [ ! -e /proc/net/ip_vs ]; then
	modprobe ip_vs 2>/dev/null
	if [ ! -e /proc/net/ip_vs ]; then
		cc -O2 -Wall -Wextra -shared -fPIC -o "$tmp/hc_ipvs_stub.so" \
		    "$top/bench/hc_ipvs_stub.c" -ldl ||
		    die "cannot build hc_ipvs_stub.so"
		preload=$tmp/hc_ipvs_stub.so
		ka_note="$ka_note, no ip_vs module: with bench/hc_ipvs_stub.c"
		note "hc.sh: no ip_vs in this kernel; keepalived runs with" \
		    "$preload preloaded"
	fi
fi

# ----------------------------------------------------------------------
# The checkers.

# hcfile KIND N INTERVAL_MS
hcfile() {
	local i
	echo "faild = none"
	echo "interval = $3ms"
	echo "timeout = 1s"
	echo "rise = 1"
	echo "fall = 1"
	for ((i = 0; i < $2; i++)); do
		echo "t$i:"
		case $1 in
		tcp) printf '\tcheck tcp %s:%s\n' "$(addr $i)" "$(port_of $i)" ;;
		http) printf '\tcheck http %s:%s path /index.html status 200\n' \
		    "$(addr $i)" "$(port_of $i)" ;;
		esac
	done
}

# kaconf KIND N INTERVAL_MS
kaconf() {
	local i
	printf 'global_defs {\n\trouter_id hcbench\n}\n'
	printf 'virtual_server 10.255.255.1 80 {\n'
	printf '\tdelay_loop %s\n' "$(awk -v m="$3" 'BEGIN { printf "%g", m / 1000 }')"
	printf '\tlvs_sched rr\n\tlvs_method NAT\n\tprotocol TCP\n'
	for ((i = 0; i < $2; i++)); do
		printf '\treal_server %s %s {\n' "$(addr $i)" "$(port_of $i)"
		case $1 in
		tcp) printf '\t\tTCP_CHECK {\n' ;;
		http) printf '\t\tHTTP_GET {\n\t\t\turl {\n\t\t\t\tpath /index.html\n'
		      printf '\t\t\t\tstatus_code 200\n\t\t\t}\n' ;;
		esac
		printf '\t\t\tconnect_timeout 1\n\t\t\tlog_all_failures on\n'
		printf '\t\t}\n\t}\n'
	done
	printf '}\n'
}

# Each start_* sets c_pid (the process measured), c_stop (what to kill),
# c_log; returns 1 if the checker did not come up.
start_hc() {	# KIND N INTERVAL_MS
	hcfile "$@" >"$tmp/Hcfile"
	c_log=$tmp/hc.$1.$2.$3.log
	ip netns exec "$ns" taskset -c "$CHECK_CPU" "$HC" -F -f "$tmp/Hcfile" \
	    -M 127.0.0.1:$MONITOR 2>"$c_log" &
	c_pid=$!
	c_stop=$c_pid
	pids="$pids $c_pid"
	wait_until 10 "$c_pid" grep -q 'ready:' "$c_log" && is "$c_pid" hc
}

start_ka() {	# KIND N INTERVAL_MS
	local d=$tmp/ka i
	rm -rf "$d"
	mkdir -p "$d"
	kaconf "$@" >"$d/keepalived.conf"
	c_log=$tmp/ka.$1.$2.$3.log
	ip netns exec "$ns" env ${preload:+LD_PRELOAD=$preload} \
	    taskset -c "$CHECK_CPU" "$KEEPALIVED" -n -l -D -G -C \
	    -f "$d/keepalived.conf" -p "$d/keepalived.pid" \
	    -c "$d/checkers.pid" -b "$d/bfd.pid" >"$c_log" 2>&1 &
	c_stop=$!
	pids="$pids $c_stop"
	c_pid=""
	for ((i = 0; i < 100; i++)); do
		c_pid=$(cat "$d/checkers.pid" 2>/dev/null)
		[ -n "$c_pid" ] && is "$c_pid" keepalived &&
		    is "$c_stop" keepalived &&
		    grep -q 'Activating healthchecker' "$c_log" && return 0
		kill -0 "$c_stop" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Results: R[checker.kind.test.run] = "targets interval_ms checks/s cpu%
# server_cpu% opens/s failures down_at_end".
declare -A R

# hc_checks: "checks uptime_ms" from hc's monitor port.
hc_checks() {
	ask "1 stats" |
	    sed -n 's/.* checks \([0-9]*\) .* uptime_ms \([0-9]*\).*/\1 \2/p'
}

# measure CHECKER KIND TEST N INTERVAL_MS RUN
measure() {
	local who=$1 kind=$2 test=$3 n=$4 iv=$5 run=$6 settle
	local c0 c1 s0 s1 o0 o1 t0 t1 k0 k1 l0 l1 rate fails down
	if ! "start_$who" "$kind" "$n" "$iv"; then
		note "$who $kind $test: did not start; its log:"
		tail -n 20 "$c_log" >&2
		stop "$c_stop"
		R[$who.$kind.$test.$run]="$n $iv - - - - start-failed -"
		return
	fi
	# keepalived spreads its first checks over one delay_loop (warmup)
	settle=$(awk -v w="$WARMUP" -v i="$iv" 'BEGIN { print w + i / 1000 }')
	sleep "$settle"
	l0=$(log_lines "$c_log")
	[ "$who" = hc ] && k0=$(hc_checks)
	c0=$(cpu_ticks "$c_pid"); s0=$(server_ticks)
	o0=$(snmp "$srv0" Tcp ActiveOpens); t0=$(now_ms)
	sleep "$DURATION"
	c1=$(cpu_ticks "$c_pid"); s1=$(server_ticks)
	o1=$(snmp "$srv0" Tcp ActiveOpens); t1=$(now_ms)
	[ "$who" = hc ] && k1=$(hc_checks)
	l1=$(log_lines "$c_log")
	kill -0 "$c_pid" 2>/dev/null || note "$who $kind $test: DIED"
	# checks/s; the window's log lines that report a failed check
	if [ "$who" = hc ]; then
		# its own count over its own clock (uptime_ms)
		rate=$(echo "$k0 $k1" | awk 'NF == 4 && $4 > $2 {
		    printf "%.0f", ($3 - $1) * 1000 / ($4 - $2) }')
		fails=$(sed -n "$((l0 + 1)),${l1}p" "$c_log" | grep -c -- '-> FAIL')
		down=$(ask "1 list" | tr ' ' '\n' | grep -cx 'FAIL\|RECOVER')
	else
		# keepalived counts nothing: one TCP connection per check
		rate=$(awk -v o=$((o1 - o0)) -v ms=$((t1 - t0)) 'BEGIN {
		    printf "%.0f", o * 1000 / ms }')
		fails=$(sed -n "$((l0 + 1)),${l1}p" "$c_log" |
		    grep -ci 'fail\|error\|timeout\|timed out\|remov')
		down=-
	fi
	R[$who.$kind.$test.$run]=$(awk -v n="$n" -v iv="$iv" -v r="${rate:-0}" \
	    -v c=$((c1 - c0)) -v s=$((s1 - s0)) -v o=$((o1 - o0)) \
	    -v ms=$((t1 - t0)) -v hz="$tck" -v f="$fails" -v d="$down" 'BEGIN {
	    sec = ms / 1000
	    printf "%d %s %s %.1f %.1f %.0f %d %s", n, iv, r,
	        100 * c / hz / sec, 100 * s / hz / sec, o / sec, f, d }')
	note "run $run $who $kind $test: ${R[$who.$kind.$test.$run]}" \
	    "(targets interval_ms checks/s cpu% server% opens/s fails down)"
	if [ "$fails" -gt 0 ]; then
		note "$who $kind $test: failure lines in the window (first 5):"
		sed -n "$((l0 + 1)),${l1}p" "$c_log" |
		    grep -i -- '-> FAIL\|fail\|error\|timeout\|remov' | head -5 >&2
	fi
	stop "$c_stop"
	[ "$who" = ka ] && [ -n "$c_pid" ] && { gone "$c_pid" ||
	    kill -KILL "$c_pid" 2>/dev/null; }
	sleep 1		# let TIME_WAIT and lighttpd settle
}

checkers="hc"
[ "$PEER" = 1 ] && checkers="hc ka"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$(date +%s)
note "hc.sh: DURATION=$DURATION WARMUP=$WARMUP RUNS=$RUNS KINDS=\"$KINDS\"" \
    "MAX=$MAX_TARGETS@${MAX_INTERVAL_MS}ms LOADS=\"$LOADS\" SERVERS=$SERVERS;" \
    "namespace $ns; load $load0"
for ((run = 1; run <= RUNS; run++)); do
	for kind in $KINDS; do
		for who in $checkers; do
			measure "$who" "$kind" max "$MAX_TARGETS" \
			    "$MAX_INTERVAL_MS" "$run"
		done
		for l in $LOADS; do
			for who in $checkers; do
				measure "$who" "$kind" "load$l" "${l%%:*}" \
				    "${l#*:}" "$run"
			done
		done
	done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
t_end=$(date +%s)

# ----------------------------------------------------------------------
# The report.

label() {
	case $1 in
	hc) echo "hc" ;;
	ka) echo "keepalived" ;;
	esac
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
	    if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'
}
tests="max"
for l in $LOADS; do
	tests="$tests load$l"
done

echo "## hc benchmark, $started"
echo
echo "\`bash bench/hc.sh\`: DURATION=$DURATION s per cell after" \
    "WARMUP=$WARMUP s (plus one interval), RUNS=$RUNS; checkers on cpu" \
    "$CHECK_CPU, $SERVERS lighttpd on cpu $SERVER_CPU, private network" \
    "namespace; took $((t_end - t_start)) s. Peer: $ka_note."
echo "Machine: $(nproc) cpus, $(awk -F': ' '/^model name/ { print $2;
    exit }' /proc/cpuinfo), $(uname -sr). Load average at the start" \
    "$load0, at the end $load1."
echo
# row RESULT: the table's cells from targets on, cpu per 1000 checks/s
# (cpu% x 1000 / checks/s) and µs per check (cpu% x 10^4 / checks/s)
# derived.
row() {
	echo "$1" | awk '{ per = $3 > 0 ? $4 / $3 : -1
	    printf "%s | %s ms | %s | %s%% | %s | %s | %s%% | %s | %s | %s",
	        $1, $2, $3, $4,
	        per < 0 ? "-" : sprintf("%.1f%%", per * 1000),
	        per < 0 ? "-" : sprintf("%.0f", per * 1e4), $5, $6, $7, $8 }'
}
echo "| run | checker | check | targets | interval | checks/s | checker cpu |" \
    "cpu per 1000 checks/s | µs cpu per check | server cpu |" \
    "TCP opens/s | failures | not UP at end |"
echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for ((run = 1; run <= RUNS; run++)); do
	for kind in $KINDS; do
		for test in $tests; do
			for who in $checkers; do
				v=${R[$who.$kind.$test.$run]:-}
				[ -n "$v" ] || continue
				echo "| $run | $(label "$who") | $kind |" \
				    "$(row "$v") |"
			done
		done
	done
done
if [ "$PEER" = 1 ]; then
	echo
	echo "Ratios, hc / keepalived, per run: maximum checks/s (above 1: hc" \
	    "checks more), and checker cpu per check, at the maximum and at" \
	    "the fixed loads (below 1: hc costs less)."
	echo
	echo "| run | check | max checks/s | cpu per check at max |$(
	    for l in $LOADS; do printf ' cpu per check, %s targets / %s ms |' \
	    "${l%%:*}" "${l#*:}"; done)"
	echo "|---:|---|---:|---:|$(for l in $LOADS; do printf -- '---:|'; done)"
	# cpu per check: cpu% / checks/s
	per_check() { echo "$1" | awk '$3 > 0 { print $4 / $3 }'; }
	for ((run = 1; run <= RUNS; run++)); do
		for kind in $KINDS; do
			h=${R[hc.$kind.max.$run]:-}
			k=${R[ka.$kind.max.$run]:-}
			line="| $run | $kind | $(ratio "$(echo "$h" | cut -d' ' -f3)" \
			    "$(echo "$k" | cut -d' ' -f3)") |"
			line="$line $(ratio "$(per_check "$h")" \
			    "$(per_check "$k")") |"
			for l in $LOADS; do
				h=${R[hc.$kind.load$l.$run]:-}
				k=${R[ka.$kind.load$l.$run]:-}
				line="$line $(ratio "$(per_check "$h")" \
				    "$(per_check "$k")") |"
			done
			echo "$line"
		done
	done
fi
echo
echo "Target (issue): hc >= 5000 checks/s on one core, tcp and http:"
for ((run = 1; run <= RUNS; run++)); do
	for kind in $KINDS; do
		r=$(echo "${R[hc.$kind.max.$run]:-}" | cut -d' ' -f3)
		awk -v r="${r:-0}" -v k="$kind" -v n="$run" 'BEGIN {
		    printf "- run %d, %s: %s checks/s: %s\n", n, k, r,
		    (r + 0 >= 5000 ? "met" : "NOT met") }'
	done
done
