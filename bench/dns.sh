#!/bin/bash
# bench/dns.sh: faildns, the authoritative DNS server of failover names,
# beside gdnsd (the failover plugins' reference) and nsd (plain zone data):
#
#   qps     Queries per second and latency on one core. The same zone for
#           every server (NAMES A names, SOA, NS, MX, TXT at the apex, and
#           FONAMES failover names of two addresses each: for faildns a
#           pool of two static members per name, for gdnsd DYNA multifo with
#           service_types "up", for nsd two A records), the same query file
#           (QUERIES lines: 66% existing A names, 20% failover names, 4% the
#           apex's SOA/NS/MX/TXT, 10% NXDOMAIN). The server on cpu
#           SERVER_CPU, dnsperf on cpu CLIENT_CPU (taskset). Per run:
#           dnsperf -l DURATION unpaced (qps, mean and max latency), then
#           dnsperf -v -Q LAT_QPS -l LAT_DURATION, paced (every answer's
#           latency: p50, p99; dnsperf 2.10 prints no percentiles), and
#           the server's cpu per answer (utime + stime over the unpaced
#           run's answers: what the machine's other load does not move).
#           The servers run at once, each started once, and each of the
#           RUNS rounds takes them in turn.
#   rss     Resident memory (VmRSS, VmHWM of /proc/PID/status) with
#           RSS_NAMES failover names (two static members each; gdnsd: as
#           many DYNA multifo), after start and after LAT_DURATION s of
#           queries over all the names.
#   change  From a state set in faild to the first DNS answer that shows
#           it: dns_change_probe flip (built from bench/dns_change_probe.c)
#           sets a service FAIL and UP in turn in a faild (UDP, unsigned,
#           on loopback) and asks faildns every 100 µs; CHANGES changes.
#           faildns only.
#   e2e     End to end: two lighttpd (primary P=.10, backup B=.11), a DNS
#           server answering www with P while P's HTTP check passes and B
#           otherwise (TTL $TTL), unbound in front (a stub-zone to it,
#           cache-min-ttl 0, no prefetch, no serve-expired), a client
#           asking unbound every 10 ms. Per trial, after a random 0 to
#           TTL + 1 s (unbound's cache counts whole seconds, and a trial
#           ends at the top of one), everything fresh: once
#           the client gets P, a random 0 to 1 check interval more, then
#           kill -9 of P's lighttpd; the time to the first answer with B.
#           Configurations (E2E_CONFIGS):
#             faildns-default  hc (http check, its defaults: interval 10 s,
#                              timeout 5 s, fall 3) into faild, faildns
#                              following faild
#             faildns-fast     the same, hc interval 0.1 s, timeout 0.1 s,
#                              fall 3
#             faildns-equal    the same at gdnsd-fast's settings: interval
#                              2 s, timeout 1 s, fall 1, rise 1
#             gdnsd-default    gdnsd, simplefo, http_status at its defaults
#                              (interval 10, timeout 5, down_thresh 10)
#             gdnsd-fast       the same at its fastest (interval 2,
#                              timeout 1, down_thresh 1, ok_thresh 1,
#                              up_thresh 1)
#
# Addresses: $NET.0/24 on loopback (127.53.0 by default: faild .1,
# faildns .2, gdnsd .3, nsd .4, unbound .5, lighttpd .10 and .11), one
# free port for all (DNS) and the next few (faild, faildns's monitor,
# lighttpd). Nothing leaves 127.0.0.0/8: unbound's root hints name a
# loopback address where nothing listens.
#
# Usage, as root or not, from the top of a built tree (make), with gdnsd,
# nsd, dnsperf, unbound and lighttpd installed (scripts/deps):
#     bash bench/dns.sh
# Without faildns/faildns (or FAILDNS), its columns say "pending" and the
# peers are measured alone.
# Environment: PARTS ("qps rss change e2e"), SERVERS ("faildns gdnsd nsd"),
# DURATION (20), RUNS (3), LAT_QPS (10000), LAT_DURATION (10), NAMES
# (10000), FONAMES (1000), QUERIES (100000), RSS_NAMES (10000), CHANGES
# (200), TRIALS (20), TRIALS_DEFAULT (TRIALS: the default-settings
# configurations, about 35 s (faildns) and 100 s (gdnsd) a trial),
# E2E_CONFIGS, TTL (1), DEADLINE (s per trial, 300), SERVER_CPU (1),
# CLIENT_CPU (0), NET (127.53.0), STATEDIR (where faild's state files
# go: the disk its fdatasync measures; default $TMPDIR or /tmp), FAILDNS,
# FAILD, FAILC, HC, KEEP=1.
# Progress on stderr, the markdown report on stdout. Stops and removes
# everything it started at exit, also on failure or Ctrl-C.

set -u

PARTS=${PARTS-"qps rss change e2e"}
SERVERS=${SERVERS-"faildns gdnsd nsd"}
DURATION=${DURATION:-20}
RUNS=${RUNS:-3}
LAT_QPS=${LAT_QPS:-10000}
LAT_DURATION=${LAT_DURATION:-10}
NAMES=${NAMES:-10000}
FONAMES=${FONAMES:-1000}
QUERIES=${QUERIES:-100000}
RSS_NAMES=${RSS_NAMES:-10000}
CHANGES=${CHANGES:-200}
TRIALS=${TRIALS:-20}
TRIALS_DEFAULT=${TRIALS_DEFAULT:-$TRIALS}
E2E_CONFIGS=${E2E_CONFIGS-"faildns-default faildns-fast faildns-equal gdnsd-default gdnsd-fast"}
TTL=${TTL:-1}
DEADLINE=${DEADLINE:-300}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
NET=${NET:-127.53.0}

top=$(cd "$(dirname "$0")/.." && pwd)
FAILDNS=${FAILDNS:-$top/faildns/faildns}
FAILD=${FAILD:-$top/faild/faild}
FAILC=${FAILC:-$top/failc/failc}
HC=${HC:-$top/hc/hc}

ZONE=dnsbench.test
A_FAILD=$NET.1
A_FAILDNS=$NET.2
A_GDNSD=$NET.3
A_NSD=$NET.4
A_UNBOUND=$NET.5
A_NOROOT=$NET.9		# unbound's root hints: nothing listens here
A_PRIMARY=$NET.10
A_BACKUP=$NET.11

. "$top/bench/common.sh"

case "$DURATION$RUNS$LAT_QPS$LAT_DURATION$NAMES$FONAMES$QUERIES$RSS_NAMES$CHANGES$TRIALS$TRIALS_DEFAULT$TTL$DEADLINE" in
*[!0-9]*) die "DURATION, RUNS, LAT_QPS, LAT_DURATION, NAMES, FONAMES," \
    "QUERIES, RSS_NAMES, CHANGES, TRIALS, TRIALS_DEFAULT, TTL and" \
    "DEADLINE are whole numbers" ;;
esac
[ "$FONAMES" -le 30000 ] && [ "$RSS_NAMES" -le 30000 ] ||
    die "FONAMES and RSS_NAMES: at most 30000 (the addresses of 198.19/16)"
[ "$NAMES" -ge 1 ] && [ "$NAMES" -le 60000 ] ||
    die "NAMES: 1 to 60000 (the addresses of 198.18/16; h0 tells a server ready)"
for p in cc taskset ss gdnsd nsd dnsperf unbound lighttpd; do
	command -v $p >/dev/null || die "no $p (scripts/deps)"
done
have_faildns=1
[ -x "$FAILDNS" ] || {
	have_faildns=0
	note "$BENCH: no $FAILDNS: faildns's figures are pending"
}
for p in "$FAILD" "$FAILC" "$HC"; do
	[ -x "$p" ] || die "no $p: build it first (make)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dnsbench.XXXXXX") || die "mktemp"
chmod 755 "$tmp"
# faild's state files (the disk its fdatasync measures): STATEDIR or tmp.
statedir=$tmp
if [ -n "${STATEDIR:-}" ]; then
	statedir=$(mktemp -d "$STATEDIR/dnsbench.XXXXXX") ||
	    die "mktemp in $STATEDIR"
fi
pids=""
cleanup() {
	local p i
	# Each daemon leads a process group of its own (setsid): nsd's and
	# unbound's children go with it. KILL: nothing must linger.
	for p in $pids; do
		kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null
	done
	for p in $pids; do
		for ((i = 0; i < 300; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.01
		done
	done
	pids=""
	if [ "${KEEP:-0}" = 1 ]; then
		note "$BENCH: kept $tmp"
	else
		rm -rf "$tmp"
	fi
	[ "$statedir" = "$tmp" ] || rm -rf "$statedir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

probe=$tmp/dns_change_probe
cc -O2 -Wall -Wextra -o "$probe" "$top/bench/dns_change_probe.c" ||
    die "cannot build dns_change_probe"

# spawn LOG CPU CMD...: CMD in the background, in a session of its own,
# pinned to CPU ("-": not pinned); sets last_pid.
spawn() {
	local log=$1 cpu=$2
	shift 2
	if [ "$cpu" = - ]; then
		setsid "$@" >>"$log" 2>&1 </dev/null &
	else
		setsid taskset -c "$cpu" "$@" >>"$log" 2>&1 </dev/null &
	fi
	last_pid=$!
	disown "$last_pid"
	pids="$pids $last_pid"
}
# stop PID: kills its process group and waits for it (5 s at most).
stop() {
	local i
	[ -n "${1:-}" ] || return 0
	kill -KILL -- "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null
	for ((i = 0; i < 500; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.01
	done
	pids=$(echo " $pids " | sed "s/ $1 / /g")
}


# A free port P such that P .. P+4 are free for TCP and UDP.
port_busy() {
	ss -Htuan 2>/dev/null | awk '{print $5}' | grep -q ":$1\$"
}
free_port() {
	local base i busy
	for _ in $(seq 50); do
		base=$((20000 + RANDOM % 40000))
		busy=0
		for i in 0 1 2 3 4; do
			port_busy $((base + i)) && busy=1
		done
		[ $busy = 0 ] && { echo $base; return 0; }
	done
	die "no free ports"
}
PORT=$(free_port)
P_DNS=$PORT P_FAILD=$((PORT + 1)) P_MON=$((PORT + 2)) P_HTTP=$((PORT + 3))

# answer ADDR QNAME: "RCODE addr..." from the server at ADDR:P_DNS.
answer() { "$probe" ask "$1" "$P_DNS" "$2" 2>/dev/null; }
answers() {	# ADDR QNAME EXPECTED
	[ "$(answer "$1" "$2")" = "$3" ]
}
# answer_set ADDR QNAME: the same with the addresses sorted (gdnsd rotates).
answer_set() {
	answer "$1" "$2" | tr ' ' '\n' | { read -r rc; echo "$rc"; sort; } |
	    tr '\n' ' ' | sed 's/ $//'
}

# ----------------------------------------------------------------------
# Zone data: the same for every server.

# fo_addr I K: the K-th (1 or 2) address of failover name I.
# zone_base: the apex, NAMES A names hN; failover names not included.
zone_base() {
	awk -v n="$NAMES" -v z=$ZONE 'BEGIN {
		print "$ORIGIN " z "."
		print "$TTL 300"
		print "@\tSOA\tns1 hostmaster 1 3600 600 86400 300"
		print "@\tNS\tns1"
		print "@\tNS\tns2"
		print "@\tMX\t10 mail"
		print "@\tTXT\t\"v=spf1 -all\""
		print "ns1\tA\t198.18.255.1"
		print "ns2\tA\t198.18.255.2"
		print "mail\tA\t198.18.255.3"
		for (i = 0; i < n; i++)
			printf "h%d\tA\t198.18.%d.%d\n", i, int(i / 250),
			    i % 250 + 1
	}'
}
# fo_list N: "I address1 address2" for the N failover names fI, their
# addresses 198.19.X.Y and 198.19.128+X.Y.
fo_list() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			x = int(i / 250); y = i % 250 + 1
			print i, "198.19." x "." y, "198.19." (128 + x) "." y
		}
	}'
}

# data_nsd DIR N / data_gdnsd DIR N / data_faildns DIR N: the zone with N
# failover names for each server, in DIR.
data_nsd() {
	mkdir -p "$1"
	{ zone_base; fo_list "$2" | awk '{
	    printf "f%d\t30\tA\t%s\nf%d\t30\tA\t%s\n", $1, $2, $1, $3 }'
	} >"$1/zone"
}
data_gdnsd() {
	mkdir -p "$1/zones"
	{ zone_base; fo_list "$2" | awk '{
	    printf "f%d\t30\tDYNA\tmultifo!f%d\n", $1, $1 }'; } \
	    >"$1/zones/$ZONE"
	{ echo 'plugins => { multifo => {'
	  echo '	service_types => up'
	  fo_list "$2" | awk '{ printf "\tf%d => [ %s, %s ]\n", $1, $2, $3 }'
	  echo '} }'; } >"$1/plugins.cfg"
}
data_faildns() {
	mkdir -p "$1"
	zone_base >"$1/zone"
	{ echo "zone $ZONE:"
	  printf '\tfile %s\n' "$1/zone"
	  fo_list "$2" | awk -v z=$ZONE '{
	      printf "pool p%d:\n\tmember %s\n\tmember %s\n", $1, $2, $3
	      printf "name f%d.%s:\n\tpool p%d\n\tttl 30\n", $1, z, $1 }'
	} >"$1/body.conf"
}

# The query file: QUERIES lines, the same for every server.
queries() {
	awk -v n="$NAMES" -v f="$1" -v q="$QUERIES" -v z=$ZONE 'BEGIN {
		srand(1)
		split("SOA NS MX TXT", t, " ")
		for (i = 0; i < q; i++) {
			r = rand()
			if (r < 0.10)
				printf "nx%d.%s A\n", int(rand() * 1000000), z
			else if (r < 0.30)
				printf "f%d.%s A\n", int(rand() * f), z
			else if (r < 0.34)
				printf "%s %s\n", z, t[int(rand() * 4) + 1]
			else
				printf "h%d.%s A\n", int(rand() * n), z
		}
	}'
}

# ----------------------------------------------------------------------
# Servers. start_S DIR [CONFTEXT]: start S on its address, port P_DNS,
# pinned to SERVER_CPU (or CPU), with the data of DIR; sets srv_pid and
# srv_addr; 1 if it does not answer within 20 s.

start_nsd() {
	local d=$1 cpu=${2:-$SERVER_CPU}
	cat >"$d/nsd.conf" <<EOF
server:
	ip-address: $A_NSD@$P_DNS
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$d"
	database: ""
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	verbosity: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: $ZONE
	zonefile: "$d/zone"
EOF
	spawn "$d/nsd.out" "$cpu" nsd -d -c "$d/nsd.conf"
	srv_pid=$last_pid srv_addr=$A_NSD
	wait_for 20 answers $A_NSD h0.$ZONE "NOERROR 198.18.0.1"
}

# gdnsd's options and the service types; OPTS: more options.
start_gdnsd() {
	local d=$1 cpu=${2:-$SERVER_CPU}
	mkdir -p "$d/run" "$d/state"
	cat >"$d/config" <<EOF
options => {
	listen => [ $A_GDNSD:$P_DNS ]
	run_dir => $d/run
	state_dir => $d/state
	udp_threads => 1
	tcp_threads => 1
	min_ttl => 0
}
${GDNSD_SERVICES:-}
\$include{plugins.cfg}
EOF
	spawn "$d/gdnsd.log" "$cpu" gdnsd -c "$d" start
	srv_pid=$last_pid srv_addr=$A_GDNSD
	wait_for 20 answers $A_GDNSD h0.$ZONE "NOERROR 198.18.0.1"
}

# faildns with DIR/body.conf (and FAILDNS_HEAD before it).
start_faildns() {
	local d=$1 cpu=${2:-$SERVER_CPU}
	{ echo "statefile = $d/faildns.state"
	  echo "${FAILDNS_HEAD:-}"
	  cat "$d/body.conf"; } >"$d/faildns.conf"
	"$FAILDNS" -t -f "$d/faildns.conf" >>"$d/faildns.log" 2>&1 || {
		note "faildns -t refuses $d/faildns.conf:"
		tail -n 5 "$d/faildns.log" >&2
		return 1
	}
	spawn "$d/faildns.log" "$cpu" "$FAILDNS" -F -f "$d/faildns.conf" \
	    -l "$A_FAILDNS" -p "$P_DNS" -M "$A_FAILDNS:$P_MON" \
	    -s "$d/faildns.state" -i "$d/faildns.pid"
	srv_pid=$last_pid srv_addr=$A_FAILDNS
	wait_for 20 answers $A_FAILDNS h0.$ZONE "NOERROR 198.18.0.1"
}

start_server() {	# NAME DIR [CPU]
	local rc
	"start_$1" "$2" "${3:-}"
	rc=$?
	if [ $rc != 0 ]; then
		note "$1 does not answer h0.$ZONE; its log:"
		tail -n 20 "$2"/*.log "$2"/*.out 2>/dev/null >&2
		stop "$srv_pid"
	fi
	return $rc
}

version_of() {
	case $1 in
	faildns) "$FAILDNS" -V 2>&1 | head -1 ;;
	gdnsd) dpkg-query -W -f '${Version}' gdnsd 2>/dev/null ;;
	nsd) nsd -v 2>&1 | head -1 | sed 's/.*version //' ;;
	unbound) dpkg-query -W -f '${Version}' unbound 2>/dev/null ;;
	lighttpd) dpkg-query -W -f '${Version}' lighttpd 2>/dev/null ;;
	dnsperf) dpkg-query -W -f '${Version}' dnsperf 2>/dev/null ;;
	esac
}

# cpu_of PID: clock ticks (utime + stime) of PID's process group (nsd
# answers from a child).
cpu_of() {
	local p t=0 v
	for p in $(pgrep -g "$1"); do
		# after the ")" of the name ("nsd: server 1" has blanks)
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null |
		    awk '{ print $12 + $13 }')
		t=$((t + ${v:-0}))
	done
	echo $t
}
tck=$(getconf CLK_TCK)

mem_of() {	# PID: "VmRSS VmHWM" in kB
	awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 }
	    END { print r, h }' "/proc/$1/status" 2>/dev/null
}

# ----------------------------------------------------------------------
# Part qps.

# dnsperf_run ADDR FILE OUT [ARGS...]: dnsperf on CLIENT_CPU.
dnsperf_run() {
	local addr=$1 file=$2 out=$3
	shift 3
	taskset -c "$CLIENT_CPU" dnsperf -s "$addr" -p "$P_DNS" -d "$file" \
	    "$@" >"$out" 2>&1
}
# dnsperf_stats OUT: "qps mean_us max_us lost nxdomain_pct resp_bytes".
dnsperf_stats() {
	awk '/Queries per second:/ { q = $4 }
	    /Average packet size:/ { b = $NF }
	    /Average Latency/ { m = $4 * 1e6; x = $8 + 0; x = x * 1e6 }
	    /Queries lost:/ { l = $3 }
	    /Response codes:/ { for (i = 3; i <= NF; i++)
	        if ($i == "NXDOMAIN") { nx = $(i + 2); gsub(/[(),%]/, "", nx) } }
	    END { printf "%.0f %.0f %.0f %s %s %s\n", q, m, x, l,
	        nx == "" ? 0 : nx, b }' "$1"
}
# latency_stats OUT: "p50_us p99_us max_us answers" from dnsperf -v.
latency_stats() {
	awk '$1 == ">" && $2 != "T" { print $NF * 1e6 }' "$1" | sort -g |
	    awk '{ v[++n] = $1 }
	    function rank(q,  r) { r = int(q * n); if (r < q * n) r++;
	        return v[r < 1 ? 1 : r] }
	    END { if (n == 0) { print "- - - 0"; exit }
	        printf "%.0f %.0f %.0f %d\n", rank(0.5), rank(0.99), v[n], n }'
}

declare -A QPS MEM SPID SADDR
# All the servers run at once (each on its address, all on SERVER_CPU; an
# idle one costs nothing) and the runs take them in turn, so that the
# machine's other load weighs on each alike.
part_qps() {
	local s d r out st lt fn f1 f2 want c0 c1
	queries "$FONAMES" >"$tmp/queries"
	fn=f$((FONAMES - 1)).$ZONE
	read -r _ f1 f2 < <(fo_list "$FONAMES" | tail -1)
	want=$(printf 'NOERROR\n%s\n%s\n' $f1 $f2 | { read -r rc
	    echo "$rc"; sort; } | tr '\n' ' ' | sed 's/ $//')
	for s in $SERVERS; do
		if [ $s = faildns ] && [ $have_faildns = 0 ]; then
			QPS[$s]=pending
			continue
		fi
		d=$tmp/qps.$s
		"data_$s" "$d" "$FONAMES"
		start_server $s "$d" || { QPS[$s]=failed; continue; }
		SPID[$s]=$srv_pid SADDR[$s]=$srv_addr
		# every server must give the same answers; the order of a
		# failover name's two addresses may rotate
		if [ "$(answer_set "$srv_addr" "$fn")" != "$want" ]; then
			note "$s: $fn answers '$(answer "$srv_addr" "$fn")'," \
			    "not '$want'"
			QPS[$s]=wrong
			stop "$srv_pid"
			continue
		fi
		answers "$srv_addr" nx.$ZONE NXDOMAIN ||
		    note "$s: nx.$ZONE answers '$(answer "$srv_addr" nx.$ZONE)'"
		dnsperf_run "$srv_addr" "$tmp/queries" "$d/warmup" -l 2
		QPS[$s]=ok
	done
	for ((r = 1; r <= RUNS; r++)); do
		for s in $SERVERS; do
			[ "${QPS[$s]}" = ok ] || continue
			d=$tmp/qps.$s
			out=$d/run$r
			c0=$(cpu_of "${SPID[$s]}")
			dnsperf_run "${SADDR[$s]}" "$tmp/queries" "$out" \
			    -l "$DURATION"
			c1=$(cpu_of "${SPID[$s]}")
			st=$(dnsperf_stats "$out")
			# the server's cpu per answer, µs: less sensitive than
			# qps to what else the machine runs
			st="$st $(awk -v c=$((c1 - c0)) -v t="$tck" \
			    -v q="${st%% *}" -v d="$DURATION" 'BEGIN {
			    printf "%.2f", (q > 0 ? c / t * 1e6 / (q * d) : 0) }')"
			dnsperf_run "${SADDR[$s]}" "$tmp/queries" "$out.v" -v \
			    -Q "$LAT_QPS" -l "$LAT_DURATION"
			lt=$(latency_stats "$out.v")
			echo "$st $lt $(mem_of "${SPID[$s]}")" >>"$d/res"
			note "qps $s run $r: qps mean_us max_us lost nx% bytes" \
			    "cpu_us_per_answer = $st; at $LAT_QPS qps: p50_us p99_us max_us" \
			    "answers = $lt; load $(cut -d' ' -f1-3 /proc/loadavg)"
			rm -f "$out.v"
		done
	done
	for s in $SERVERS; do
		[ "${QPS[$s]}" = ok ] && stop "${SPID[$s]}"
	done
}

report_qps() {
	local s
	echo "### Queries per second, one core"
	echo
	echo "\`PARTS=qps bash bench/dns.sh\`: $NAMES A names + SOA/NS/MX/TXT," \
	    "$FONAMES failover names (2 addresses each), $QUERIES queries" \
	    "(66% A of existing names, 20% failover names, 4% apex" \
	    "SOA/NS/MX/TXT, 10% NXDOMAIN). Server on cpu $SERVER_CPU," \
	    "dnsperf on cpu $CLIENT_CPU; per run dnsperf -l $DURATION" \
	    "(unpaced, 100 outstanding) then -Q $LAT_QPS -l $LAT_DURATION -v" \
	    "(p50/p99 of every answer's latency). $RUNS runs, the servers in" \
	    "turn in each. cpu µs: the server's utime + stime during the" \
	    "unpaced run over its answers."
	echo
	echo "| server | run | qps | mean µs | max µs | lost | NXDOMAIN % | answer bytes | cpu µs / answer | p50 µs at $LAT_QPS qps | p99 µs | max µs | VmRSS kB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for s in $SERVERS; do
		if [ "${QPS[$s]}" != ok ]; then
			echo "| $s | - | ${QPS[$s]} | | | | | | | | | | |"
			continue
		fi
		awk -v s=$s '{ printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		    s, NR, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12 }' \
		    "$tmp/qps.$s/res"
	done
	echo
	# medians over the runs
	for s in $SERVERS; do
		[ "${QPS[$s]}" = ok ] || continue
		QPS_MED[$s]=$(awk '{ print $1 }' "$tmp/qps.$s/res" | median)
		CPU_MED[$s]=$(awk '{ print $7 }' "$tmp/qps.$s/res" | median)
		P99_MED[$s]=$(awk '{ print $9 }' "$tmp/qps.$s/res" | median)
	done
	echo "| server | median qps | median cpu µs / answer | median p99 µs | faildns / server: qps | cpu per answer | p99 |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for s in $SERVERS; do
		if [ "${QPS[$s]}" != ok ]; then
			echo "| $s | ${QPS[$s]} | | | | | |"
		elif [ $s = faildns ]; then
			echo "| $s | ${QPS_MED[$s]} | ${CPU_MED[$s]} | ${P99_MED[$s]} | | | |"
		elif [ "${QPS[faildns]:-}" = ok ]; then
			echo "| $s | ${QPS_MED[$s]} | ${CPU_MED[$s]} | ${P99_MED[$s]} |" \
			    "$(ratio "${QPS_MED[faildns]}" "${QPS_MED[$s]}") |" \
			    "$(ratio "${CPU_MED[faildns]}" "${CPU_MED[$s]}") |" \
			    "$(ratio "${P99_MED[faildns]}" "${P99_MED[$s]}") |"
		else
			echo "| $s | ${QPS_MED[$s]} | ${CPU_MED[$s]} | ${P99_MED[$s]} | pending | pending | pending |"
		fi
	done
	echo
	for s in $SERVERS; do
		[ $s != faildns ] && [ "${QPS[$s]}" = ok ] &&
		    [ "${QPS[faildns]:-}" = ok ] || continue
		echo "faildns / $s run by run (both measured in the same round):" \
		    "qps $(paste -d' ' "$tmp/qps.faildns/res" "$tmp/qps.$s/res" |
		    awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $1 / $14 }');" \
		    "cpu per answer $(paste -d' ' "$tmp/qps.faildns/res" \
		    "$tmp/qps.$s/res" | awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""),
		    ($20 > 0 ? $7 / $20 : 0) }')."
	done
	echo
	[ "${QPS[gdnsd]:-}" = ok ] && [ "${QPS[faildns]:-}" = ok ] &&
	    echo "Target faildns >= 1.0 x gdnsd (qps): $(ratio \
	    "${QPS_MED[faildns]}" "${QPS_MED[gdnsd]}") x:" \
	    "$(awk -v a="${QPS_MED[faildns]}" -v b="${QPS_MED[gdnsd]}" \
	    'BEGIN { print (a >= b ? "met" : "NOT met") }')." && echo
}
declare -A QPS_MED P99_MED CPU_MED
median() { sort -g | awk '{ v[++n] = $1 } END { if (n == 0) print "-";
    else if (n % 2) print v[(n + 1) / 2];
    else print (v[n / 2] + v[n / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "" || b == "" || a == "-" || b == "-" || b == 0) print "-";
    else printf "%.2f", a / b }'; }

# ----------------------------------------------------------------------
# Part rss.

part_rss() {
	local s d m0 m1
	fo_list "$RSS_NAMES" | awk -v z=$ZONE '{ print "f" $1 "." z " A" }' \
	    >"$tmp/rss.queries"
	for s in faildns gdnsd; do
		if [ $s = faildns ] && [ $have_faildns = 0 ]; then
			MEM[$s]=pending
			continue
		fi
		d=$tmp/rss.$s
		"data_$s" "$d" "$RSS_NAMES"
		start_server $s "$d" || { MEM[$s]=failed; continue; }
		sleep 1
		m0=$(mem_of "$srv_pid")
		dnsperf_run "$srv_addr" "$tmp/rss.queries" "$d/dnsperf" \
		    -l "$LAT_DURATION"
		m1=$(mem_of "$srv_pid")
		MEM[$s]="$m0 $m1 $(dnsperf_stats "$d/dnsperf" | cut -d' ' -f1)"
		note "rss $s: VmRSS VmHWM at start, after queries, qps: ${MEM[$s]}"
		stop "$srv_pid"
	done
}

report_rss() {
	local s
	echo "### Resident memory, $RSS_NAMES failover names"
	echo
	echo "\`PARTS=rss bash bench/dns.sh\`: the zone of the qps part with" \
	    "$RSS_NAMES failover names of two static addresses each; /proc/PID/status" \
	    "1 s after the first answer, then after dnsperf -l $LAT_DURATION over" \
	    "every failover name."
	echo
	echo "| server | VmRSS kB at start | VmHWM kB | VmRSS kB after queries | VmHWM kB | qps meanwhile |"
	echo "|---|---:|---:|---:|---:|---:|"
	for s in faildns gdnsd; do
		set -- ${MEM[$s]}
		if [ $# -lt 5 ]; then
			echo "| $s | ${MEM[$s]} | | | | |"
		else
			echo "| $s | $1 | $2 | $3 | $4 | $5 |"
		fi
	done
	echo
	if [ "$(echo ${MEM[faildns]} | wc -w)" = 5 ] &&
	    [ "$(echo ${MEM[gdnsd]} | wc -w)" = 5 ]; then
		set -- ${MEM[faildns]}
		local fr=$3 fh=$4
		set -- ${MEM[gdnsd]}
		echo "faildns / gdnsd: VmRSS $(ratio $fr $3), VmHWM $(ratio $fh $4)" \
		    "(after queries)."
		echo
	fi
}

# ----------------------------------------------------------------------
# Faild, hc, lighttpd, unbound.

# start_faild DIR: faild on A_FAILD:P_FAILD, a fresh state file in
# STATEDIR (or DIR), its log in DIR; sets faild_pid.
start_faild() {
	spawn "$1/faild.log" - "$FAILD" -F -l "$A_FAILD" -p "$P_FAILD" \
	    -s "$statedir/$(basename "$1").faild.state" -r ''
	faild_pid=$last_pid
	wait_for 5 grep -q 'ready:' "$1/faild.log"
}
failc() { "$FAILC" -h "$A_FAILD:$P_FAILD" "$@" >/dev/null 2>&1; }

# The failover name www: pool web, primary P with service web1, backup B
# with service web2.
FAILDNS_WWW="source a:
	faild $A_FAILD:$P_FAILD
pool web:
	member $A_PRIMARY primary service web1
	member $A_BACKUP backup service web2
name www.$ZONE:
	pool web
	ttl $TTL"

# lighttpd ADDR DIR: one lighttpd serving a 3-byte page on ADDR:P_HTTP;
# sets web_pid.
start_lighttpd() {
	local a=$1 d=$2
	mkdir -p "$d/www"
	echo ok >"$d/www/index.html"
	cat >"$d/lighttpd.conf" <<EOF
server.bind = "$a"
server.port = $P_HTTP
server.document-root = "$d/www"
server.errorlog = "$d/error.log"
server.max-keep-alive-requests = 0
index-file.names = ( "index.html" )
EOF
	spawn "$d/lighttpd.out" - lighttpd -D -f "$d/lighttpd.conf"
	web_pid=$last_pid
	wait_for 5 bash -c "exec 3<>/dev/tcp/$a/$P_HTTP" 2>/dev/null
}

# unbound DIR TARGET: unbound on A_UNBOUND:P_DNS with a stub zone to
# TARGET:P_DNS; sets ub_pid.
start_unbound() {
	local d=$1
	printf '.\t3600000\tNS\tnoroot.\nnoroot.\t3600000\tA\t%s\n' \
	    "$A_NOROOT" >"$d/root.hints"
	cat >"$d/unbound.conf" <<EOF
server:
	interface: $A_UNBOUND@$P_DNS
	port: $P_DNS
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$d"
	pidfile: "$d/unbound.pid"
	use-syslog: no
	logfile: ""
	verbosity: 1
	num-threads: 1
	do-ip6: no
	do-tcp: yes
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	root-hints: "$d/root.hints"
	module-config: "iterator"
	cache-min-ttl: 0
	serve-expired: no
	prefetch: no
	qname-minimisation: no
	# test. is one of unbound's default local zones (RFC 6761)
	local-zone: "test." nodefault
stub-zone:
	name: "$ZONE"
	stub-addr: $2@$P_DNS
remote-control:
	control-enable: no
EOF
	spawn "$d/unbound.log" - unbound -d -c "$d/unbound.conf"
	ub_pid=$last_pid
}

# ----------------------------------------------------------------------
# Part change.

part_change() {
	local d=$tmp/change out
	CHANGE=pending
	[ $have_faildns = 1 ] || return 0
	mkdir -p "$d"
	data_faildns "$d" "$FONAMES"
	start_faild "$d" || { note "faild does not start"; CHANGE=failed; return; }
	failc web1 UP && failc web2 UP || {
		note "failc cannot set web1/web2"; CHANGE=failed; return; }
	cat "$d/body.conf" >"$d/fo.conf"
	{ echo "$FAILDNS_WWW"; cat "$d/fo.conf"; } >"$d/body.conf"
	start_server faildns "$d" || { CHANGE=failed; return; }
	wait_for 10 answers $A_FAILDNS www.$ZONE "NOERROR $A_PRIMARY" || {
		note "faildns: www answers '$(answer $A_FAILDNS www.$ZONE)'," \
		    "not $A_PRIMARY with web1 and web2 UP"
		CHANGE=failed
		return
	}
	out=$(taskset -c "$CLIENT_CPU" "$probe" flip -v -n "$CHANGES" \
	    -i 100 $A_FAILD "$P_FAILD" web1 $A_FAILDNS "$P_DNS" \
	    www.$ZONE 2>"$d/flip.log")
	note "change: $out"
	grep -c timeout "$d/flip.log" | grep -qx 0 ||
	    note "change: timeouts: $(grep -m3 timeout "$d/flip.log")"
	grep -v timeout "$d/flip.log" | awk '{ print $NF }' | sort | uniq -c |
	    sed 's/^/change: answers /' >&2
	CHANGE=$out
	stop "$srv_pid"
	stop "$faild_pid"
}

report_change() {
	echo "### From a state change in faild to the DNS answer"
	echo
	echo "\`PARTS=change bash bench/dns.sh\`: dns_change_probe flip -n" \
	    "$CHANGES -i 100: web1 set FAIL / UP in turn in faild (UDP); faildns" \
	    "(www: $A_PRIMARY primary with service web1, $A_BACKUP backup)" \
	    "asked every 100 µs; the time from the set's send to the first" \
	    "answer with the other address. ack: faild's answer to the set" \
	    "(journalled, fdatasync'd; state file on" \
	    "$(df -T "$statedir" | awk 'NR == 2 { print $2 }'));" \
	    "after ack: from that answer to the DNS" \
	    "answer (faildns's part: the watch line, the vote, the new packets)."
	echo
	case $CHANGE in
	pending|failed) echo "faildns: $CHANGE." ;;
	*)
		echo "| changes | timeouts | p50 ms | p99 ms | max ms | ack p50 ms | ack p99 ms | after ack p50 ms | after ack p99 ms | queries |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		echo "$CHANGE" | tr ' ' '\n' | sed 's/.*=//' | tr '\n' ' ' |
		    awk '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
		echo
		echo "Target p99 <= 5 ms: $(echo "$CHANGE" | tr ' ' '\n' |
		    sed -n 's/^p99_ms=//p' |
		    awk '{ print ($1 <= 5 ? "met" : "NOT met") }')."
		;;
	esac
	echo
}

# ----------------------------------------------------------------------
# Part e2e.

# config_args CONFIG: "server check_interval_s"
config_args() {
	case $1 in
	faildns-default) echo "faildns 10" ;;
	faildns-fast) echo "faildns 0.1" ;;
	faildns-equal) echo "faildns 2" ;;
	gdnsd-default) echo "gdnsd 10" ;;
	gdnsd-fast) echo "gdnsd 2" ;;
	*) die "unknown configuration $1 (faildns-default faildns-fast" \
	    "faildns-equal gdnsd-default gdnsd-fast)" ;;
	esac
}

# e2e_start CONFIG DIR: the web servers, the checker and DNS server,
# unbound; 0 once the client gets P through unbound.
e2e_start() {
	local cf=$1 d=$2 srv
	mkdir -p "$d/p" "$d/b"
	start_lighttpd $A_PRIMARY "$d/p" || return 1
	primary_pid=$web_pid
	start_lighttpd $A_BACKUP "$d/b" || return 1
	case $cf in
	faildns-*)
		srv=$A_FAILDNS
		start_faild "$d" || return 1
		# hc starts from faild's states: UP, no rise to wait for
		failc web1 UP && failc web2 UP || return 1
		{ case $cf in
		  faildns-fast) printf '%s\n' 'interval = 100ms' \
		      'timeout = 100ms' ;;
		  faildns-equal) printf '%s\n' 'interval = 2' 'timeout = 1' \
		      'fall = 1' 'rise = 1' ;;
		  esac
		  echo "faild = $A_FAILD:$P_FAILD"
		  printf 'web1:\n\tcheck http %s:%s path /index.html\n' \
		      $A_PRIMARY "$P_HTTP"
		  printf 'web2:\n\tcheck http %s:%s path /index.html\n' \
		      $A_BACKUP "$P_HTTP"; } >"$d/Hcfile"
		chmod 600 "$d/Hcfile"
		spawn "$d/hc.log" - "$HC" -F -f "$d/Hcfile"
		mkdir -p "$d/dns"
		zone_base >"$d/dns/zone"
		{ echo "$FAILDNS_WWW"; echo "zone $ZONE:"
		  printf '\tfile %s\n' "$d/dns/zone"; } >"$d/dns/body.conf"
		start_server faildns "$d/dns" - || return 1
		;;
	gdnsd-*)
		srv=$A_GDNSD
		mkdir -p "$d/dns/zones"
		{ zone_base; echo "www $TTL DYNA simplefo!www"; } \
		    >"$d/dns/zones/$ZONE"
		if [ $cf = gdnsd-fast ]; then
			GDNSD_SERVICES="service_types => { web => {
	plugin => http_status, port => $P_HTTP, url_path => /index.html,
	interval => 2, timeout => 1, down_thresh => 1, ok_thresh => 1,
	up_thresh => 1 } }"
		else
			GDNSD_SERVICES="service_types => { web => {
	plugin => http_status, port => $P_HTTP, url_path => /index.html } }"
		fi
		printf 'plugins => { simplefo => { www => {\n\tservice_types => web\n\tprimary => %s\n\tsecondary => %s\n} } }\n' \
		    $A_PRIMARY $A_BACKUP >"$d/dns/plugins.cfg"
		start_server gdnsd "$d/dns" - || return 1
		;;
	esac
	e2e_srv_pid=$srv_pid
	start_unbound "$d" "$srv"
	wait_for 20 answer_rd_is "$A_PRIMARY" || {
		note "$cf: unbound answers '$("$probe" ask -r $A_UNBOUND \
		    "$P_DNS" www.$ZONE 2>&1)', not $A_PRIMARY"
		return 1
	}
}
answer_rd_is() {
	[ "$("$probe" ask -r $A_UNBOUND "$P_DNS" www.$ZONE 2>/dev/null)" = \
	    "NOERROR $1" ]
}

e2e_trial() {	# CONFIG INTERVAL N
	local cf=$1 iv=$2 n=$3 d=$tmp/e2e.$1.$3 try delay out p auth
	# unbound's cache counts whole seconds and the trials end when it
	# refreshes, at the top of a second: without a random start every
	# trial would have the checks in the same phase to its refreshes
	sleep "$(awk -v t="$TTL" -v r=$RANDOM 'BEGIN {
	    printf "%.3f", (t + 1) * r / 32768 }')"
	for try in 1 2 3; do
		pids_before=$pids
		e2e_start "$cf" "$d" && break
		note "$cf trial $n: not ready (try $try); logs:"
		tail -n 5 "$d"/*.log "$d"/dns/*.log >&2 2>/dev/null
		for p in $pids; do
			case " $pids_before " in *" $p "*) ;; *) stop "$p" ;; esac
		done
		[ "${KEEP:-0}" = 1 ] && mv "$d" "$d.try$try" || rm -rf "$d"
		[ $try = 3 ] && { echo failed >>"$tmp/e2e.$cf.res"; return 1; }
	done
	delay=$(awk -v i="$iv" -v r=$RANDOM 'BEGIN { printf "%.3f", i * r / 32768 }')
	sleep "$delay"
	# The DNS server itself, asked every 1 ms beside the client: when
	# its answer changed.
	"$probe" watch -i 1000 -T $((DEADLINE * 1000)) "$srv_addr" "$P_DNS" \
	    www.$ZONE $A_BACKUP >"$d/auth.out" 2>&1 &
	auth=$!
	sleep 0.05
	out=$("$probe" watch -r -i 10000 -T $((DEADLINE * 1000)) \
	    -k "$primary_pid" $A_UNBOUND "$P_DNS" www.$ZONE $A_BACKUP)
	wait "$auth"
	if [[ $out == *seen_us=* ]]; then
		echo "$out $(cat "$d/auth.out")" | tr ' ' '\n' | awk -F= '
		    $1 == "kill_us" && !k { k = $2 }
		    $1 == "seen_us" { s[++n] = $2 }
		    END { a = n > 1 ? sprintf("%.1f", (s[2] - k) / 1000) : "-"
		        printf "%.1f %s\n", (s[1] - k) / 1000, a }' \
		    >>"$tmp/e2e.$cf.res"
	else
		echo timeout >>"$tmp/e2e.$cf.res"
	fi
	note "$cf trial $n: kill +${delay}s: $out;" \
	    "client, server ms: $(tail -n 1 "$tmp/e2e.$cf.res")"
	for p in $pids; do
		case " $pids_before " in *" $p "*) ;; *) stop "$p" ;; esac
	done
	[ "${KEEP:-0}" = 1 ] || rm -rf "$d"
}

# stats FILE COLUMN: "n p50 p99 min max timeouts" (nearest rank).
stats() {
	local to
	to=$(grep -c -v '^[0-9.]' "$1")
	awk -v c="$2" '/^[0-9.]/ && $c != "-" { print $c }' "$1" | sort -g |
	    awk -v to="$to" '{ v[++n] = $1 }
	    function rank(q,  r) { r = int(q * n); if (r < q * n) r++;
	        return v[r < 1 ? 1 : r] }
	    END { if (n == 0) { print "0 - - - - " to; exit }
	        printf "%d %.0f %.0f %.0f %.0f %d\n", n, rank(0.5),
	        rank(0.99), v[1], v[n], to }'
}

part_e2e() {
	local cf nt i
	for cf in $E2E_CONFIGS; do
		set -- $(config_args "$cf")
		: >"$tmp/e2e.$cf.res"
		if [ "$1" = faildns ] && [ $have_faildns = 0 ]; then
			echo pending >"$tmp/e2e.$cf.res"
			continue
		fi
		nt=$TRIALS
		case $cf in *-default) nt=$TRIALS_DEFAULT ;; esac
		note "e2e $cf: $nt trials; load $(cut -d' ' -f1-3 /proc/loadavg)"
		for ((i = 1; i <= nt; i++)); do
			e2e_trial "$cf" "$2" "$i"
		done
	done
}

report_e2e() {
	local cf
	echo "### End to end: web server killed, client on the backup"
	echo
	echo "\`PARTS=e2e bash bench/dns.sh\`: lighttpd on $A_PRIMARY (primary)" \
	    "and $A_BACKUP (backup); www TTL $TTL; unbound (stub-zone, cache-min-ttl 0," \
	    "no prefetch, no serve-expired) asked every 10 ms; kill -9 of the primary's" \
	    "lighttpd at a random 0 to 1 check interval after the client first got" \
	    "the primary; the time to the first answer with the backup's address."
	echo
	echo "| configuration | trials | client p50 ms | p99 ms | min ms | max ms | timeouts | server's answer p50 ms | p99 ms | min ms | max ms |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for cf in $E2E_CONFIGS; do
		if grep -qx pending "$tmp/e2e.$cf.res"; then
			echo "| $cf | pending | | | | | | | | | |"
			continue
		fi
		echo "$(stats "$tmp/e2e.$cf.res" 1) $(stats "$tmp/e2e.$cf.res" 2)" |
		    awk -v c="$cf" '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c, $1, $2, $3, $4, $5, $6, $8, $9, $10, $11 }'
	done
	echo
	echo "client: the first answer with the backup through unbound; server's" \
	    "answer: the first from the DNS server itself (asked every 1 ms)."
	echo
}

# ----------------------------------------------------------------------

# main: bash reads a script as it runs it; with the whole run in one
# function, called on the last line with exit, an edit of this file cannot
# change a run under way.
main() {
	started=$(date -u '+%Y-%m-%d %H:%M UTC')
	t0=$(date +%s)
	note "$BENCH: PARTS=\"$PARTS\" SERVERS=\"$SERVERS\" port $PORT;" \
	    "load $(cut -d' ' -f1-3 /proc/loadavg)"
	for part in $PARTS; do
		case $part in
		qps|rss|change|e2e) "part_$part" ;;
		*) die "unknown part $part (qps rss change e2e)" ;;
		esac
	done

	echo "Run $started, $(($(date +%s) - t0)) s; machine: $(nproc) cpus," \
	    "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), Linux" \
	    "$(uname -r); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "Versions: faildns $( [ $have_faildns = 1 ] && version_of faildns ||
	    echo pending), gdnsd $(version_of gdnsd), nsd $(version_of nsd)," \
	    "dnsperf $(version_of dnsperf), unbound $(version_of unbound)," \
	    "lighttpd $(version_of lighttpd)."
	echo
	for part in $PARTS; do
		"report_$part"
	done
}

main "$@"; exit
