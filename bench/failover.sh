#!/bin/bash
# bench/failover.sh: how long failsh takes to fail a service over, and what
# its polling costs. Two parts, all on loopback:
#
# 1. Takeover time. Each trial starts two fresh nodes, master "a" (faild on
#    127.0.0.2 + failsh) and slave "b" (faild on 127.0.0.3 + failsh), one
#    service www (masters a / slaves b, start {return UP}, deadcount 3),
#    waits until a's faild says UP, b's faild RECOVER and b's failsh has
#    seen a UP, waits a random 1 to 2 intervals more (so that the kill
#    falls at a random point of b's poll cycle), then SIGKILLs a's faild
#    and failsh back to back and polls b's faild every 1 ms over UDP until
#    it answers UP. The takeover time is faild's own changed_ms of that UP
#    minus the kill time: both CLOCK_REALTIME, milliseconds. Also kept:
#    when the poller saw UP, and the timestamps of b's failsh log lines
#    "master a UP -> FAIL" (detection) and "www: RECOVER -> UP".
#    Profiles: default (interval 1 s), fast (0.02 s); with the "silent"
#    ones the master's daemons get SIGSTOP instead: they keep their
#    sockets but never answer, like a host that hangs or whose link is
#    cut, so b's polls end by timeout instead of at once (connection
#    refused or reset).
# 2. Cost. One failsh with CPU_SERVICES services (interval CPU_INTERVAL),
#    each with one master: a faild on which every one is UP, so failsh only
#    polls. Its CPU (utime + stime from /proc/PID/stat) over CPU_SECONDS,
#    in % of one core, and the polls per second it made (runs from its
#    control port's "stats"), over TCP and over UDP to the master.
#
# Usage: bash bench/failover.sh      (from the top of a built tree: make)
# Environment: TRIALS per profile (20), TRIALS_FAST (TRIALS), PROFILES
# ("default fast default-silent fast-silent"; "" for none), CPU_SECONDS (30),
# CPU_SERVICES (100), CPU_INTERVAL (0.1), CPU_PROTOS ("tcp udp"),
# FAILD (faild/faild), FAILSH (failsh/failsh), KEEP=1 keeps the temp dir.
# Progress on stderr, the markdown report on stdout; about 6 minutes.

set -u

TRIALS=${TRIALS:-20}
TRIALS_FAST=${TRIALS_FAST:-$TRIALS}
PROFILES=${PROFILES-"default fast default-silent fast-silent"}
CPU_SECONDS=${CPU_SECONDS:-30}
CPU_SERVICES=${CPU_SERVICES:-100}
CPU_INTERVAL=${CPU_INTERVAL:-0.1}
CPU_PROTOS=${CPU_PROTOS:-"tcp udp"}
DEADCOUNT=3
A=127.0.0.2
B=127.0.0.3

top=$(cd "$(dirname "$0")/.." && pwd)
FAILD=${FAILD:-$top/faild/faild}
FAILSH=${FAILSH:-$top/failsh/failsh}
tck=$(getconf CLK_TCK)

die() { echo "failover.sh: $*" >&2; exit 1; }
note() { echo "$*" >&2; }

case "$TRIALS$TRIALS_FAST$CPU_SECONDS$CPU_SERVICES" in
*[!0-9]*) die "TRIALS, TRIALS_FAST, CPU_SECONDS and CPU_SERVICES are" \
    "whole numbers" ;;
esac
[ -x "$FAILD" ] || die "no $FAILD: build it first (make)"
[ -x "$FAILSH" ] || die "no $FAILSH: build it first (make)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/failoverbench.XXXXXX") || die "mktemp"
pids=""
cleanup() {
	local p
	# KILL: a stopped process ignores TERM until continued.
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	for p in $pids; do
		gone "$p"
	done
	pids=""
	if [ "${KEEP:-0}" = 1 ]; then
		note "failover.sh: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

probe=$tmp/failover_probe
cc -O2 -Wall -Wextra -o "$probe" "$top/bench/failover_probe.c" ||
    die "cannot build failover_probe"

# The daemons are disowned (so that bash reports no "Killed" lines) but
# still reaped by bash; gone PID waits up to 5 s for that.
gone() {
	local i
	for ((i = 0; i < 500; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.01
	done
}
forget() { pids=$(echo " $pids " | sed "s/ $1 / /g"); }
reap() {
	[ -n "$1" ] || return 0
	kill -KILL "$1" 2>/dev/null
	gone "$1"
	forget "$1"
}

# Three consecutive port numbers free for TCP and UDP on every address
# (faild, failsh monitor, failsh control; the same numbers on a and b).
port_busy() {
	ss -Htuan 2>/dev/null | awk '{print $5}' | grep -q ":$1\$"
}
free_ports() {
	local base
	for _ in $(seq 50); do
		base=$((20000 + RANDOM % 40000))
		port_busy $base || port_busy $((base + 1)) ||
		    port_busy $((base + 2)) || { echo $base; return 0; }
	done
	die "no free ports"
}

# field NAME TEXT: the value of NAME=value in TEXT.
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# ms since the epoch of a log line's ISO 8601 timestamp (first field).
log_ms() {
	[ -n "$1" ] || { echo -; return; }
	date -u -d "${1%% *}" +%s%3N 2>/dev/null || echo -
}

# wait_until SECONDS PIDS COMMAND...: poll COMMAND every 10 ms until it
# succeeds (0), one of the space-separated PIDS dies or the time is up (1).
wait_until() {
	local end=$(($(date +%s%3N) + $1 * 1000)) ps=$2 p
	shift 2
	while :; do
		"$@" && return 0
		for p in $ps; do
			kill -0 "$p" 2>/dev/null || return 1
		done
		[ "$(date +%s%3N)" -lt $end ] || return 1
		sleep 0.01
	done
}

state_is() {	# ADDR PORT SERVICE STATE
	"$probe" ask "$1" "$2" "get $3" 2>/dev/null | grep -q "^[^ ]* OK $3 $4 "
}

# start_faild DIR NAME ADDR PORT: sets f_pid; 1 if it does not get ready.
start_faild() {
	"$FAILD" -F -l "$3" -p "$4" -s "$1/$2.state" -r '' \
	    2>"$1/$2.faild.log" &
	f_pid=$!
	disown "$f_pid"
	pids="$pids $f_pid"
	wait_until 5 "$f_pid" grep -q 'ready:' "$1/$2.faild.log"
}

# start_failsh DIR NODE ADDR PORT: sets s_pid; policy in DIR/NODE.tcl.
start_failsh() {
	chmod 644 "$1/$2.tcl"
	"$FAILSH" -F -N "$2" -f "$1/$2.tcl" -L "$3:$4" -m "$3:$(($4 + 1))" \
	    -D "$3:$(($4 + 2))" -l "$1/$2.dump" -i '' 2>"$1/$2.failsh.log" \
	    </dev/null &
	s_pid=$!
	disown "$s_pid"
	pids="$pids $s_pid"
	wait_until 5 "$s_pid" grep -q 'ready:' "$1/$2.failsh.log"
}

hosts_tcl() {	# PORT [PROTOCOL]
	echo "failhost a address $A"
	echo "failhost a port $1"
	echo "failhost b address $B"
	echo "failhost b port $1"
	if [ -n "${2:-}" ]; then
		echo "failhost a protocol $2"
		echo "failhost b protocol $2"
	fi
}

# ----------------------------------------------------------------------
# Part 1: takeover time.

# Results: one line per trial in $tmp/PROFILE.res:
# "total_ms seen_ms detect_ms logup_ms" (all from the kill), or "timeout".

# trial PROFILE INTERVAL SIGNAL N: one trial, appends to PROFILE.res.
trial() {
	local prof=$1 iv=$2 sig=$3 n=$4 dir port try fa sa fb sb out p
	local kill_ms total seen det up delay bound_ms
	dir=$tmp/$prof.$n
	bound_ms=$(awk -v i="$iv" -v d=$DEADCOUNT 'BEGIN {
	    printf "%d", (d * i + i) * 1000 }')
	for try in 1 2 3; do
		rm -rf "$dir"
		mkdir -p "$dir"
		port=$(free_ports)
		{ hosts_tcl "$port"; cat <<EOF
failsvc www interval $iv
failsvc www deadcount $DEADCOUNT
failsvc www start {return UP}
failsvc www stop {return RECOVER}
EOF
		} >"$dir/a.tcl"
		cp "$dir/a.tcl" "$dir/b.tcl"
		echo "failsvc www slaves b" >>"$dir/a.tcl"
		echo "failsvc www masters a" >>"$dir/b.tcl"
		fa='' sa='' fb='' sb=''
		start_faild "$dir" a $A "$port" && fa=$f_pid &&
		    start_faild "$dir" b $B "$port" && fb=$f_pid &&
		    start_failsh "$dir" a $A "$port" && sa=$s_pid &&
		    start_failsh "$dir" b $B "$port" && sb=$s_pid &&
		    wait_until 10 "$fa $fb $sa $sb" state_is $A "$port" www UP &&
		    wait_until 10 "$fa $fb $sa $sb" state_is $B "$port" www \
		        RECOVER &&
		    wait_until 10 "$fa $fb $sa $sb" grep -q \
		        'service www: master a [A-Z]* -> UP' "$dir/b.failsh.log" &&
		    break
		note "$prof trial $n: nodes not ready (try $try), logs:"
		tail -n 5 "$dir"/*.log >&2
		for p in $f_pid $s_pid $fa $sa $fb $sb; do
			reap "$p"
		done
		[ "$try" = 3 ] && die "$prof: cannot start the nodes"
	done
	# A random phase: 1 to 2 intervals after b first saw a UP.
	delay=$(awk -v i="$iv" -v r=$RANDOM 'BEGIN {
	    printf "%.3f", i * (1 + r / 32768) }')
	sleep "$delay"
	out=$("$probe" watch -s "$sig" -i 1000 -T $((bound_ms * 5 + 5000)) \
	    $B "$port" www "$sa" "$fa")
	if [[ $out != *seen_us=* ]]; then
		note "$prof trial $n: b never UP: $out"
		tail -n 10 "$dir/b.failsh.log" >&2
		echo timeout >>"$tmp/$prof.res"
	else
		kill_ms=$(field kill_us "$out")
		kill_ms=$(awk -v k="$kill_ms" 'BEGIN { printf "%.3f", k / 1000 }')
		total=$(field changed_ms "$out")
		seen=$(field seen_us "$out")
		det=$(log_ms "$(grep -m1 'service www: master a UP -> FAIL' \
		    "$dir/b.failsh.log")")
		up=$(log_ms "$(grep -m1 'service www: RECOVER -> UP' \
		    "$dir/b.failsh.log")")
		awk -v k="$kill_ms" -v t="$total" -v s="$seen" -v d="$det" \
		    -v u="$up" 'function rel(x) {
		        return x == "-" ? "-" : sprintf("%.1f", x - k) }
		    BEGIN { printf "%s %.3f %s %s\n", rel(t), s / 1000 - k,
		        rel(d), rel(u) }' >>"$tmp/$prof.res"
		note "$prof trial $n: kill +${delay}s, $out;" \
		    "takeover $(tail -1 "$tmp/$prof.res") ms" \
		    "(faild, poller, detect, log)"
	fi
	for p in $sa $fa $sb $fb; do
		reap "$p"
	done
	[ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
}

# stats FILE COLUMN: "n p50 p99 min max mean" (nearest rank) of a column.
stats() {
	awk -v c="$2" '$1 != "timeout" && $c != "-" { print $c }' "$1" |
	    sort -g | awk '{ v[++n] = $1; s += $1 }
	    function rank(q,  r) { r = int(q * n); if (r < q * n) r++;
	        return v[r < 1 ? 1 : r] }
	    END { if (n == 0) { print "0 - - - - -"; exit }
	        printf "%d %.1f %.1f %.1f %.1f %.1f\n", n, rank(0.5),
	        rank(0.99), v[1], v[n], s / n }'
}

profile_args() {	# NAME: "interval signal"
	case $1 in
	default) echo "1 KILL" ;;
	fast) echo "0.02 KILL" ;;
	default-silent) echo "1 STOP" ;;
	fast-silent) echo "0.02 STOP" ;;
	*) die "unknown profile $1 (default fast default-silent fast-silent)" ;;
	esac
}

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
note "failover.sh: TRIALS=$TRIALS TRIALS_FAST=$TRIALS_FAST" \
    "PROFILES=\"$PROFILES\" CPU_SECONDS=$CPU_SECONDS" \
    "CPU_SERVICES=$CPU_SERVICES CPU_INTERVAL=$CPU_INTERVAL; load $load0"
t_start=$(date +%s)
for prof in $PROFILES; do
	# shellcheck disable=SC2046
	set -- $(profile_args "$prof")
	nt=$TRIALS
	case $prof in fast*) nt=$TRIALS_FAST ;; esac
	: >"$tmp/$prof.res"
	note "profile $prof: interval $1 s, deadcount $DEADCOUNT, SIG$2," \
	    "$nt trials; load $(cut -d' ' -f1-3 /proc/loadavg)"
	for ((i = 1; i <= nt; i++)); do
		trial "$prof" "$1" "$2" "$i"
	done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# ----------------------------------------------------------------------
# Part 2: failsh's CPU use with many services.

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
runs_of() {	# ADDR CONTROLPORT
	"$probe" ask -t "$1" "$2" stats | sed -n 's/.* runs \([0-9]*\).*/\1/p'
}
faild_requests() {
	"$probe" ask "$1" "$2" stats | sed -n 's/.* requests \([0-9]*\).*/\1/p'
}

declare -A C
cpu_test() {	# PROTOCOL
	local proto=$1 dir=$tmp/cpu.$1 port fa fb sb i names sets
	local c0 c1 a0 a1 b0 b1 r0 r1 q0 q1 t0 t1
	mkdir -p "$dir"
	port=$(free_ports)
	start_faild "$dir" a $A "$port" || die "cpu: master faild did not start"
	fa=$f_pid
	start_faild "$dir" b $B "$port" || die "cpu: local faild did not start"
	fb=$f_pid
	names=$(seq -f 'svc%03g' 0 $((CPU_SERVICES - 1)))
	sets=()
	for i in $names; do
		sets+=("set $i UP")
	done
	"$probe" ask -t $A "$port" "${sets[@]}" | grep -vc ' OK ' |
	    grep -qx 0 || die "cpu: cannot set the services UP on the master"
	{ hosts_tcl "$port" "$proto"
	  for i in $names; do
		echo "failsvc $i interval $CPU_INTERVAL"
		echo "failsvc $i masters a"
		echo "failsvc $i start {return UP}"
		echo "failsvc $i stop {return RECOVER}"
	  done; } >"$dir/b.tcl"
	start_failsh "$dir" b $B "$port" || die "cpu: failsh did not start"
	sb=$s_pid
	sleep 3			# every service adopted and polling
	c0=$(cpu_ticks "$sb"); a0=$(cpu_ticks "$fa"); b0=$(cpu_ticks "$fb")
	r0=$(runs_of $B $((port + 2))); q0=$(faild_requests $A "$port")
	t0=$(date +%s%3N)
	sleep "$CPU_SECONDS"
	c1=$(cpu_ticks "$sb"); a1=$(cpu_ticks "$fa"); b1=$(cpu_ticks "$fb")
	r1=$(runs_of $B $((port + 2))); q1=$(faild_requests $A "$port")
	t1=$(date +%s%3N)
	kill -0 "$sb" 2>/dev/null || die "cpu: failsh died"
	i=$(grep -c 'service [^ ]*: [A-Z]* -> ' "$dir/b.failsh.log")
	C[$proto]=$(awk -v c=$((c1 - c0)) -v a=$((a1 - a0)) -v b=$((b1 - b0)) \
	    -v r=$((r1 - r0)) -v q=$((q1 - q0)) -v ms=$((t1 - t0)) \
	    -v hz="$tck" -v rss="$(rss_kb "$sb")" -v ch="$i" 'BEGIN {
	    s = ms / 1000
	    printf "%.1f %.0f %.0f %.1f %.1f %.1f %s %s %.1f\n",
	        100 * c / hz / s, r / s, q / s,
	        (r > 0 ? 1e6 * c / hz / r : 0), 100 * a / hz / s,
	        100 * b / hz / s, rss, ch, s }')
	note "cpu $proto: $CPU_SERVICES services at ${CPU_INTERVAL}s:" \
	    "failsh ${C[$proto]%% *}% (fields: failsh% runs/s master-req/s" \
	    "cpu-us/poll master% local% rssKB changes secs: ${C[$proto]})"
	for i in $sb $fa $fb; do
		reap "$i"
	done
	[ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
}
for proto in $CPU_PROTOS; do
	note "cpu $proto: load $(cut -d' ' -f1-3 /proc/loadavg)"
	cpu_test "$proto"
done
load2=$(cut -d' ' -f1-3 /proc/loadavg)
t_end=$(date +%s)

# ----------------------------------------------------------------------
# The report.

echo "## failsh benchmark, $started"
echo
echo "\`bash bench/failover.sh\`: TRIALS=$TRIALS, TRIALS_FAST=$TRIALS_FAST," \
    "deadcount $DEADCOUNT, master $A, slave $B; took $((t_end - t_start)) s."
echo "Machine: $(nproc) cpus, $(awk -F': ' '/^model name/ { print $2;
    exit }' /proc/cpuinfo), $(uname -sr). Load average at the start" \
    "$load0, after the trials $load1, at the end $load2."
echo
echo "Takeover: from SIGKILL (SIGSTOP for silent) of the master's faild and" \
    "failsh to the slave's faild taking UP (its changed_ms), in ms;" \
    "percentiles by nearest rank."
echo
echo "| profile | interval | kill | trials | p50 | p99 | min | max |" \
    "mean | bound | detect p50 | poller p50 | missed |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for prof in $PROFILES; do
	# shellcheck disable=SC2046
	set -- $(profile_args "$prof")
	bound=$(awk -v i="$1" -v d=$DEADCOUNT 'BEGIN { printf "%g", (d * i + i) * 1000 }')
	# shellcheck disable=SC2046
	set -- "$1" "$2" $(stats "$tmp/$prof.res" 1)
	det=$(stats "$tmp/$prof.res" 3 | cut -d' ' -f2)
	seen=$(stats "$tmp/$prof.res" 2 | cut -d' ' -f2)
	missed=$(grep -c timeout "$tmp/$prof.res")
	echo "| $prof | $1 s | SIG$2 | $3 | $4 | $5 | $6 | $7 | $8 | $bound |" \
	    "$det | $seen | $missed |"
done
echo
echo "bound = deadcount x interval + interval. detect: b's log line" \
    "\"master a UP -> FAIL\"; poller: when the 1 ms UDP poller saw UP;" \
    "missed: trials where b never came UP."
echo
echo "Cost: one failsh, $CPU_SERVICES services at interval $CPU_INTERVAL s," \
    "one master each (a faild with all of them UP), over $CPU_SECONDS s."
echo
echo "| protocol | failsh cpu (% of one core) | polls/s | master faild" \
    "requests/s | failsh µs per poll | master faild cpu | local faild cpu |" \
    "failsh VmRSS kB | state changes |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for proto in $CPU_PROTOS; do
	# shellcheck disable=SC2086
	set -- ${C[$proto]}
	echo "| $proto | $1% | $2 | $3 | $4 | $5% | $6% | $7 | $8 |"
done
