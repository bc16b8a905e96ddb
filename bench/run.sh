#!/bin/bash
# bench/run.sh: measures faild (UDP and TCP get) beside two references, a
# bare UDP echo (bench/udpecho) and redis GET (redis-benchmark), at 1, 16
# and 256 concurrent clients, plus faild's idle resident memory. Servers run
# on core 0, load generators on core 1, all on 127.0.0.1. Prints markdown.
#
# Usage: bash bench/run.sh          (from the top of a built tree)
# Environment: DURATION seconds per cell (5), RUNS of the whole matrix (3,
# the table shows the better of them), WARMUP seconds (1), CONCS ("1 16
# 256"), FAILD (faild/faild), FAILD_ARGS ("-C 512"; empty for a faild
# without -C), SERVER_CPU (0), CLIENT_CPU (1).

set -u

DURATION=${DURATION:-5}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
CONCS=${CONCS:-"1 16 256"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

top=$(cd "$(dirname "$0")/.." && pwd)
FAILD=${FAILD:-$top/faild/faild}
# Every load generator connects from 127.0.0.1: -C lifts faild's limit of
# 64 connections per address for the 256 clients.
FAILD_ARGS=${FAILD_ARGS--C 512}
bench=$top/bench
tck=$(getconf CLK_TCK)

die() { echo "run.sh: $*" >&2; exit 1; }
note() { echo "$*" >&2; }

case "$DURATION$WARMUP$RUNS" in
*[!0-9]*) die "DURATION, WARMUP and RUNS are whole numbers" ;;
esac
if [ "$DURATION" -lt 1 ] || [ "$RUNS" -lt 1 ]; then
	die "DURATION and RUNS must be at least 1"
fi

[ -x "$FAILD" ] || die "no $FAILD: build it first (make faild/faild)"
have_redis=1
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null &&
    command -v redis-cli >/dev/null || have_redis=0
[ $have_redis = 1 ] || note "run.sh: redis-server/redis-benchmark missing," \
    "no redis column"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/faildbench.XXXXXX") || die "mktemp"
pids=""
cleanup() {
	local p
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Build the two small programs (their names are in .gitignore).
cc -O2 -Wall -Wextra -o "$bench/udpecho" "$bench/udpecho.c" ||
    die "cannot build udpecho"
cc -O2 -Wall -Wextra -o "$bench/faildbench" "$bench/faildbench.c" ||
    die "cannot build faildbench"

# Three free ports in a random-ish high range (UDP and TCP both free).
port_busy() {
	ss -Htuln 2>/dev/null | awk '{print $5}' | grep -q ":$1\$"
}
for _ in 1 2 3 4 5 6 7 8 9 10; do
	base=$((20000 + RANDOM % 30000))
	port_busy $base || port_busy $((base + 1)) ||
	    port_busy $((base + 2)) || break
done
p_faild=$base
p_echo=$((base + 1))
p_redis=$((base + 2))

# wait_for SECONDS PID COMMAND...: until COMMAND succeeds or PID dies.
wait_for() {
	local i n=$(($1 * 10)) pid=$2
	shift 2
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ask PORT LINE: one request over TCP, prints the answer line.
ask() {
	timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1 || exit 1
	    printf "%s\n" "$2" >&3; read -r l <&3; echo "$l"' _ "$1" "$2"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# "anon A kB, file F kB, pss P kB": what the resident set is made of (file:
# mostly libc text shared with every process; pss shares it out).
rss_parts() {
	awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
	    END { printf "anon %s kB, file %s kB", a, f }' "/proc/$1/status"
	awk '/^Pss:/ { printf ", pss %s kB", $2 }' "/proc/$1/smaps_rollup" \
	    2>/dev/null
}
now_ms() { date +%s%3N; }

start_faild() {
	local dir=$tmp/faild.$1
	mkdir -p "$dir"
	# shellcheck disable=SC2086
	taskset -c "$SERVER_CPU" "$FAILD" -F -l 127.0.0.1 -p "$p_faild" \
	    $FAILD_ARGS -s "$dir/faild.state" -r '' 2>"$dir/log" &
	faild_pid=$!
	pids="$pids $faild_pid"
	wait_for 5 $faild_pid grep -q 'ready:' "$dir/log" ||
	    { cat "$dir/log" >&2; die "faild did not start"; }
	case $(ask "$p_faild" "1 set www UP") in
	"1 OK www UP "*) ;;
	*) die "faild: set www UP failed" ;;
	esac
}

start_echo() {
	taskset -c "$SERVER_CPU" "$bench/udpecho" 127.0.0.1 "$p_echo" \
	    2>"$tmp/echo.log" &
	echo_pid=$!
	pids="$pids $echo_pid"
	wait_for 5 $echo_pid grep -q 'ready:' "$tmp/echo.log" ||
	    die "udpecho did not start"
}

start_redis() {
	taskset -c "$SERVER_CPU" redis-server --port "$p_redis" \
	    --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
	    --dir "$tmp" --logfile "$tmp/redis.log" --maxclients 1024 &
	redis_pid=$!
	pids="$pids $redis_pid"
	wait_for 5 $redis_pid sh -c "redis-cli -p $p_redis ping 2>/dev/null |
	    grep -q PONG" || die "redis-server did not start"
	# redis-benchmark -t get asks for this very key.
	redis-cli -p "$p_redis" set key:__rand_int__ xxx >/dev/null
}

forget() { pids=$(echo " $pids " | sed "s/ $1 / /"); }
stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	forget "$1"
}

# measure SERVERPID COMMAND...: runs COMMAND; sets m_out (its output),
# m_scpu and m_ccpu (server's and client's CPU use, % of one core). The
# client runs in the background so that a signal stops the script at once.
measure() {
	local spid=$1 c0 c1 t0 t1 cpid
	shift
	c0=$(cpu_ticks "$spid")
	t0=$(now_ms)
	times >"$tmp/times.0"	# line 2: the reaped children's user, sys
	"$@" >"$tmp/out" &
	cpid=$!
	pids="$pids $cpid"
	wait $cpid
	forget $cpid
	times >"$tmp/times.1"
	t1=$(now_ms)
	c1=$(cpu_ticks "$spid")
	m_out=$(cat "$tmp/out")
	m_scpu=$(awk -v t=$((c1 - c0)) -v ms=$((t1 - t0)) -v hz="$tck" \
	    'BEGIN { printf "%.0f", 100 * t / hz / (ms / 1000) }')
	m_ccpu=$(awk -v ms=$((t1 - t0)) '
	    function s(x, a) { split(x, a, "m"); return a[1] * 60 + a[2] }
	    FNR == 2 { c[++n] = s($1) + s($2) }
	    END { printf "%.0f", 100 * (c[2] - c[1]) / (ms / 1000) }' \
	    "$tmp/times.0" "$tmp/times.1")
}

# Results: R[kind.conc.run]="qps p50_us p99_us errors timeouts scpu ccpu".
declare -A R

# fb KIND RUN CONC SERVERPID PORT FLAGS...: one faildbench cell.
fb() {
	local kind=$1 run=$2 c=$3 spid=$4 port=$5
	shift 5
	measure "$spid" timeout $((DURATION + WARMUP + 30)) \
	    taskset -c "$CLIENT_CPU" "$bench/faildbench" "$@" -c "$c" \
	    -d "$DURATION" -w "$WARMUP" 127.0.0.1 "$port"
	note "run $run $kind c=$c: ${m_out:-faildbench failed}" \
	    "server_cpu=$m_scpu% client_cpu=$m_ccpu%"
	R[$kind.$c.$run]=$(echo "$m_out" | awk -v s="$m_scpu" -v c="$m_ccpu" '{
	    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	    printf "%s %s %s %s %s %s %s", v["qps"], v["p50_us"], v["p99_us"],
	        v["errors"], v["timeouts"], s, c }')
}

# rb RUN CONC: one redis-benchmark cell; a short first pass sizes -n.
rb() {
	local run=$1 c=$2 csv rps n
	measure "$redis_pid" timeout 60 taskset -c "$CLIENT_CPU" \
	    redis-benchmark -p "$p_redis" -t get -c "$c" -n 20000 --csv
	csv=$(echo "$m_out" | tail -1)
	rps=$(echo "$csv" | awk -F'"' '{ printf "%.0f", $4 }')
	n=$(awk -v r="${rps:-0}" -v d="$DURATION" \
	    'BEGIN { n = int(r * d); print (n < 20000 ? 20000 : n) }')
	measure "$redis_pid" timeout $((DURATION * 4 + 60)) \
	    taskset -c "$CLIENT_CPU" redis-benchmark -p "$p_redis" -t get \
	    -c "$c" -n "$n" --csv
	csv=$(echo "$m_out" | tail -1)
	note "run $run redis c=$c: n=$n $csv server_cpu=$m_scpu%" \
	    "client_cpu=$m_ccpu%"
	# "GET","rps","avg","min","p50","p95","p99","max" (ms)
	R[redis.$c.$run]=$(echo "$csv" | awk -F'"' -v s="$m_scpu" \
	    -v c="$m_ccpu" '/^"GET"/ {
	    printf "%.0f %.1f %.1f - - %s %s", $4, $10 * 1000, $14 * 1000, s, c }')
}

note "run.sh: DURATION=$DURATION RUNS=$RUNS WARMUP=$WARMUP CONCS=\"$CONCS\"" \
    "ports $p_faild $p_echo $p_redis, servers on cpu $SERVER_CPU, clients" \
    "on cpu $CLIENT_CPU"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
rss_all=
rss_after=
for ((run = 1; run <= RUNS; run++)); do
	note "run $run: load average $(cut -d' ' -f1-3 /proc/loadavg)"
	start_faild $run
	sleep 1
	rss=$(rss_kb $faild_pid)
	parts=$(rss_parts $faild_pid)
	note "run $run faild idle VmRSS: $rss kB ($parts)"
	rss_all="$rss_all$rss $parts
"
	start_echo
	[ $have_redis = 1 ] && start_redis
	for c in $CONCS; do
		fb faild-udp $run "$c" $faild_pid "$p_faild" -u
		fb echo-udp $run "$c" $echo_pid $p_echo -u -e
		fb faild-tcp $run "$c" $faild_pid "$p_faild" -t
		[ $have_redis = 1 ] && rb $run "$c"
	done
	note "run $run faild stats: $(ask "$p_faild" "s stats")"
	rss_after=$(rss_kb $faild_pid)
	note "run $run faild VmRSS after the load: $rss_after kB"
	stop $faild_pid
	stop $echo_pid
	[ $have_redis = 1 ] && stop "$redis_pid"
done

# best KIND CONC: the run with the most queries per second, as its fields.
best() {
	local run v bq=-1 b="- - - - - - -"
	for ((run = 1; run <= RUNS; run++)); do
		v=${R[$1.$2.$run]:-}
		[ -n "$v" ] || continue
		# shellcheck disable=SC2086
		set -- "$1" "$2" $v
		if awk -v a="${3:-0}" -v b="$bq" 'BEGIN { exit !(a > b) }'; then
			bq=${3:-0}
			b=$v
		fi
		set -- "$1" "$2"
	done
	echo "$b"
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
	    if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'
}

echo "## faild benchmark, $started"
echo
echo "\`bash bench/run.sh\`: DURATION=$DURATION s per cell after a" \
    "${WARMUP} s warm-up, better of RUNS=$RUNS runs (per cell, the run" \
    "with the higher qps). Servers on cpu $SERVER_CPU, load generators on" \
    "cpu $CLIENT_CPU, 127.0.0.1."
echo "Machine: $(nproc) cpus, $(awk -F': ' '/^model name/ { print $2;
    exit }' /proc/cpuinfo), $(uname -sr)."
echo
echo "| server | clients | qps | p50 µs | p99 µs | errors | timeouts |" \
    "server cpu | client cpu |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for kind in faild-udp faild-tcp echo-udp redis; do
	[ $kind = redis ] && [ $have_redis = 0 ] && continue
	case $kind in
	faild-udp) label="faild UDP get" ;;
	faild-tcp) label="faild TCP get" ;;
	echo-udp) label="udpecho (bare UDP echo)" ;;
	redis) label="redis-server GET (TCP)" ;;
	esac
	for c in $CONCS; do
		# shellcheck disable=SC2046
		set -- $(best $kind "$c")
		echo "| $label | $c | $1 | $2 | $3 | $4 | $5 | $6% | $7% |"
	done
done
echo
echo "| clients | faild UDP / echo UDP | faild UDP / redis |" \
    "faild TCP / redis |"
echo "|---:|---:|---:|---:|"
for c in $CONCS; do
	fu=$(best faild-udp "$c" | cut -d' ' -f1)
	ft=$(best faild-tcp "$c" | cut -d' ' -f1)
	eu=$(best echo-udp "$c" | cut -d' ' -f1)
	rd=$(best redis "$c" | cut -d' ' -f1)
	echo "| $c | $(ratio "$fu" "$eu") | $(ratio "$fu" "$rd") |" \
	    "$(ratio "$ft" "$rd") |"
done
echo
# The median run's resident set, and the range.
rss_med=$(echo "$rss_all" | grep . | sort -n | sed -n "$(((RUNS + 1) / 2))p")
rss_best=${rss_med%% *}
rss_range=$(echo "$rss_all" | grep . | sort -n | awk 'NR == 1 { lo = $1 }
    { hi = $1 } END { printf "%s-%s", lo, hi }')
echo "faild idle VmRSS (one service, 1 s after start, median of $RUNS" \
    "runs): $rss_best kB (${rss_med#* }; range $rss_range kB);" \
    "after the last run's load: $rss_after kB."
echo

# The targets of DESIGN.md section 9.
fu_max=0
eu_max=0
for c in $CONCS; do
	q=$(best faild-udp "$c" | cut -d' ' -f1)
	[ "$q" != - ] && [ "$q" -gt "$fu_max" ] && fu_max=$q
	q=$(best echo-udp "$c" | cut -d' ' -f1)
	[ "$q" != - ] && [ "$q" -gt "$eu_max" ] && eu_max=$q
done
verdict() { if [ "$1" = 1 ]; then echo "met"; else echo "NOT met"; fi; }
ok=$(awk -v q="$fu_max" 'BEGIN { print (q >= 150000) }')
echo "- faild UDP >= 150000 qps on one core: best $fu_max qps:" \
    "$(verdict "$ok")."
ok=$(awk -v q="$fu_max" -v e="$eu_max" 'BEGIN { print (e > 0 && q >= e / 2) }')
echo "- faild UDP >= half the bare echo: $fu_max vs $eu_max" \
    "($(ratio "$fu_max" "$eu_max")): $(verdict "$ok")."
case " $CONCS " in
*" 256 "*)
	p99=$(best faild-udp 256 | cut -d' ' -f3)
	ok=$(awk -v p="$p99" 'BEGIN { print (p != "-" && p <= 1000) }')
	echo "- faild UDP p99 <= 1 ms with 256 pollers: $p99 µs:" \
	    "$(verdict "$ok")."
	;;
esac
ok=$(awk -v r="$rss_best" 'BEGIN { print (r != "" && r <= 2048) }')
echo "- faild idle resident memory <= 2 MiB (2048 kB): $rss_best kB:" \
    "$(verdict "$ok")."
