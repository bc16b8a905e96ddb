#!/bin/bash
# bench/hosting.sh: samples/hosting measured on real hosts: how long the
# web service is unreachable when the master's lighttpd dies (failsh with
# the sample's settings, and keepalived with an HTTP vrrp_script at the
# same check interval and fall count), how long a restart in place takes,
# what a drain (failc hold) costs and whether both hosts ever answer at
# once, and how often a master whose check fails 5% of the time loses the
# service.
#
# The network (as in tests/netns/test_hosting.tcl): a switch namespace
# with a bridge, web hosts a (198.18.0.1, host1, the master) and b
# (198.18.0.2, host2), a client c (198.18.0.100); the service address is
# 198.18.0.50/24. Each web host runs an rsync daemon with the sample's
# rsyncd.conf and lighttpd with its lighttpd.conf (own document root, pid
# file, X-Served-By header). The client holds an HTTP/1.1 keep-alive
# conversation with the service address (tests/netns/hosting_http_probe.tcl:
# a GET every 10 ms once the last was answered, a new connection after
# 200 ms without an answer) and logs "ms host status" per answer.
#
# Configurations:
#   failover: faild + failsh with samples/hosting/web.tcl, its settings
#     (interval 0.2 s, fall 4, rise 2, restarts 0, check_timeout 0.15 s,
#     failback_delay 60 s, sync_interval 10 s); only addresses and paths
#     substituted.
#   equal: the same with keepalived's settings (interval 1 s, fall 3,
#     check_timeout 0.8 s), for the comparison at equal settings.
#     lighttpd runs where the service is (the policy starts
#     it: pull from the peer, lighttpd, then the address).
#   keepalived: keepalived (VRRPv3, advert_int 1, priority 150 / 100) on a
#     and b, lighttpd started on both hosts beforehand (keepalived moves
#     the address only), a vrrp_script "curl -sf --max-time 0.8
#     http://127.0.0.1/index.html" every 1 s, fall 3, rise 2, timeout 1,
#     in the instance's track_script.
#
# 1. Failover. Per trial: start the configuration fresh, wait until only
#    host1 answers (the last 500 ms), a random 0-1 s more, kill -9 a's
#    lighttpd (a, its daemons and its address stay) and time the first
#    answer from host2 (DEADLINE s at most); failover, equal, keepalived.
# 2. Restart in place: failover with restarts 1: kill -9 a's lighttpd,
#    time the first answer from host1 again (its restarted lighttpd).
# 3. Drain: failover; per trial, with host1 serving alone, run
#    "failc -h 127.0.0.1 web hold" in a (a's faild), time the first answer
#    from host2 on the service address; two more clients probe a's and b's
#    own addresses, and the overlap is the last answer of a's lighttpd
#    minus the first of b's (> 0: both answered HTTP for that long). Then
#    "failc web release" and wait until host1 serves alone again.
# 4. Long (LONG_SECONDS, 0 skips): failover; in a, "iptables -A INPUT -i
#    lo -p tcp --dport 80 --syn -m statistic --mode random --probability
#    0.05 -j DROP": 5% of the check's connections lose their SYN, which is
#    sent again after 1 s, past the check's timeout, so 5% of a's checks
#    fail at random (the drop counter says how many). Count b's takeovers
#    ("service web: RECOVER -> UP" in b's log) and a's health changes.
#
# Usage, as root from the top of a built tree (make), with lighttpd, rsync,
# curl and keepalived installed (scripts/deps; apt-get install keepalived):
#     bash bench/hosting.sh
# Environment: TRIALS (20), PARTS ("failover restart drain long"),
# LONG_SECONDS (600; 0 skips part 4), DEADLINE (20), FAILD, FAILSH, FAILC,
# KEEP=1 keeps the temp dir and logs.
# Progress on stderr, the markdown report on stdout. Removes its
# namespaces and processes at exit, also on failure or Ctrl-C.

set -u

TRIALS=${TRIALS:-20}
PARTS=${PARTS-"failover restart drain long"}
LONG_SECONDS=${LONG_SECONDS:-600}
DEADLINE=${DEADLINE:-20}
VIP=198.18.0.50
A=198.18.0.1
B=198.18.0.2
C=198.18.0.100

top=$(cd "$(dirname "$0")/.." && pwd)
FAILD=${FAILD:-$top/faild/faild}
FAILSH=${FAILSH:-$top/failsh/failsh}
FAILC=${FAILC:-$top/failc/failc}
PFX=hb$(printf %04x $(($$ & 0xffff)))	# namespaces: hbXXXX-sw, -a, -b, -c

. "$top/bench/netns.sh"

case "$TRIALS$LONG_SECONDS$DEADLINE" in
*[!0-9]*) die "TRIALS, LONG_SECONDS and DEADLINE are whole numbers" ;;
esac
[ "$(id -u)" = 0 ] || die "needs root (ip netns)"
for p in ip tclsh8.6 iptables lighttpd rsync curl keepalived; do
	command -v $p >/dev/null ||
	    die "no $p (scripts/deps; keepalived: apt-get install keepalived)"
done
for p in "$FAILD" "$FAILSH" "$FAILC"; do
	[ -x "$p" ] || die "no $p: build it first (make)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hostingbench.XXXXXX") || die "mktemp"
chmod 755 "$tmp"

trap cleanup EXIT
trap 'exit 130' INT TERM HUP

bg() {	# LOG HOST CMD...: run CMD in HOST's namespace, in the background
	local log=$1 h=$2
	shift 2
	nsx "$h" "$@" >>"$log" 2>&1 </dev/null &
	disown $!
}

probe_tcl=$top/tests/netns/hosting_http_probe.tcl
printf '#!/bin/sh\n{ cat; echo --; } >>"%s/mailbox"\n' "$tmp" >"$tmp/sendmail"
chmod 755 "$tmp/sendmail"

# The files of web host H (a or b) under $tmp/H: document root, lighttpd
# and rsyncd configurations from the sample, the policy with SETTINGS
# ("name value" lines) over the sample's.
host_files() {
	local h=$1 d=$tmp/$1 name addr
	case $h in a) name=host1 addr=$A ;; b) name=host2 addr=$B ;; esac
	mkdir -p "$d/www" "$d/run" "$d/log" "$d/state"
	chown www-data "$d/log"
	[ -f "$d/www/index.html" ] ||
	    echo "<p>samples/hosting</p>" >"$d/www/index.html"
	sed -e "s|^var.host_name .*|var.host_name = \"$name\"|" \
	    -e "s|^var.docroot .*|var.docroot = \"$d/www\"|" \
	    -e "s|^var.rundir .*|var.rundir = \"$d/run\"|" \
	    -e "s|^var.logdir .*|var.logdir = \"$d/log\"|" \
	    "$top/samples/hosting/lighttpd.conf" >"$d/lighttpd.conf"
	sed -e "s|^address = .*|address = $addr|" \
	    -e "s|^pid file = .*|pid file = $d/rsyncd.pid|" \
	    -e "s|^\(\s*\)path = .*|\1path = $d/www|" \
	    -e "s|^\(\s*\)hosts allow = .*|\1hosts allow = $A $B|" \
	    "$top/samples/hosting/rsyncd.conf" >"$d/rsyncd.conf"
}

# policy H SETTING VALUE ...: web.tcl for H with the paths and addresses
# of this network, and the settings given.
policy() {
	local h=$1 d=$tmp/$1 expr="" k v
	shift
	set -- host1_addr $A host2_addr $B interface eth0 address $VIP/24 \
	    lighttpd_conf "$d/lighttpd.conf" pidfile "$d/run/lighttpd.pid" \
	    docroot "$d/www" statedir "$d/state" sendmail "$tmp/sendmail" \
	    mail_to bench@example.org "$@"
	while [ $# -ge 2 ]; do
		expr="$expr -e s|^set\\s$1\\s.*|set\\t$1\\t$2|"
		shift 2
	done
	sed $expr "$top/samples/hosting/web.tcl" >"$d/web.tcl"
	chmod 644 "$d/web.tcl"
}

# start_config CONFIG [SETTING VALUE ...]: rsync daemons and CONFIG's
# daemons on a and b.
start_config() {
	local cf=$1 h d
	shift
	for h in a b; do
		d=$tmp/$h
		host_files $h
		rm -f "$d/state/faild" "$d/state/faild.journal" \
		    "$d/run/lighttpd.pid" "$d"/ka*.pid
		bg "$d/rsyncd.log" $h rsync --daemon --no-detach \
		    --config="$d/rsyncd.conf"
		case $cf in
		failover)
			policy $h "$@"
			bg "$d/faild.log" $h "$FAILD" -F -s "$d/state/faild" -r ''
			bg "$d/failsh.log" $h "$FAILSH" -F \
			    -N "$([ $h = a ] && echo host1 || echo host2)" \
			    -f "$d/web.tcl" -m none -D 127.0.0.1:1849 -i '' \
			    -l "$d/dump"
			;;
		keepalived)
			nsx $h lighttpd -f "$d/lighttpd.conf" ||
			    die "lighttpd on $h does not start"
			cat >"$d/ka.conf" <<EOF
global_defs {
	router_id $PFX-$h
	vrrp_version 3
	script_user root
	enable_script_security
}
vrrp_script chk_http {
	script "/usr/bin/curl -sf -o /dev/null --max-time 0.8 http://127.0.0.1/index.html"
	interval 1
	timeout 1
	fall 3
	rise 2
}
vrrp_instance VI_1 {
	state $([ $h = a ] && echo MASTER || echo BACKUP)
	interface eth0
	virtual_router_id 51
	priority $([ $h = a ] && echo 150 || echo 100)
	advert_int 1
	virtual_ipaddress {
		$VIP/24 dev eth0
	}
	track_script {
		chk_http
	}
}
EOF
			bg "$d/ka.log" $h keepalived -n -l -D -G -P \
			    -f "$d/ka.conf" -p "$d/ka.pid" -r "$d/ka.vrrp.pid" \
			    -c "$d/ka.chk.pid" -b "$d/ka.bfd.pid"
			;;
		*) die "unknown configuration $cf" ;;
		esac
	done
}

stop_config() {
	local h
	for h in a b; do
		kill_ns $h
		nsx $h ip addr del $VIP/24 dev eth0 2>/dev/null
		nsx $h iptables -F INPUT 2>/dev/null
		nsx $h ip neigh flush all 2>/dev/null
	done
	nsx c ip neigh flush all
}

has_vip() { nsx "$1" ip -br addr show eth0 | grep -q " $VIP/"; }

# alone LOG HOST MS: only HOST answered in LOG for the last MS ms: all
# answers since then are HOST's with status 200, the first within 100 ms
# of the start, the last less than 100 ms ago.
alone() {
	local t
	t=$(now_ms)
	awk -v h="$2" -v since=$((t - $3)) -v now="$t" '
	    $1 ~ /^[0-9]+$/ && $1 >= since { if (!n++) first = $1;
	        if ($2 != h || $3 != 200) bad = 1; last = $1 }
	    END { exit !(n > 0 && !bad && first - since < 100 &&
	        now - last < 100) }' "$1"
}
a_serves() { alone "$plog" host1 500 && ! has_vip b; }

# first LOG HOST T: the time of the first 200 answer from HOST at or
# after T.
first() {
	awk -v h="$2" -v t="$3" '$1 ~ /^[0-9]+$/ && $1 >= t && $2 == h &&
	    $3 == 200 { print $1; found = 1; exit } END { exit !found }' "$1"
}
# last LOG HOST T U: the time of the last 200 answer from HOST in [T, U].
last() {
	awk -v h="$2" -v t="$3" -v u="$4" '$1 ~ /^[0-9]+$/ && $1 >= t &&
	    $1 <= u && $2 == h && $3 == 200 { l = $1 }
	    END { printf "%.0f\n", l }' "$1"
}

rand_sleep() {
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", r / 32768 }')"
}

# a_owns WHAT RESULTS CONFIG [SETTINGS]: start until host1 alone answers;
# else note it, append "timeout" to RESULTS, stop and fail.
a_owns() {
	local what=$1 res=$2
	shift 2
	start_config "$@"
	wait_for 30 a_serves && return 0
	note "$what: host1 never answered alone"
	tail -n 5 "$tmp"/a/*.log "$tmp"/b/*.log >&2
	echo timeout >>"$res"
	stop_config
	return 1
}

# kill_to CONFIG N HOST RESULTS [SETTINGS]: kill -9 a's lighttpd, append
# the time until HOST answers (at least 100 ms after the kill: the answers
# a's lighttpd sent before it died are older) to RESULTS.
kill_to() {
	local cf=$1 n=$2 want=$3 res=$4 t0 t
	shift 4
	a_owns "$cf $want $n" "$res" "$cf" "$@" || return
	rand_sleep
	t0=$(now_ms)
	kill -KILL "$(cat "$tmp/a/run/lighttpd.pid")"
	if wait_for "$DEADLINE" first "$plog" "$want" $((t0 + 100)) >/dev/null; then
		t=$(first "$plog" "$want" $((t0 + 100)))
		echo $((t - t0)) >>"$res"
		note "$cf trial $n: $want answered $((t - t0)) ms after the kill"
	else
		echo timeout >>"$res"
		note "$cf trial $n: $want never answered within $DEADLINE s"
		tail -n 5 "$tmp"/a/failsh.log "$tmp"/b/failsh.log "$tmp"/*/ka.log >&2
	fi
	stop_config
}

# drain N: one hold and release of host1 (failover running, host1
# serving alone); appends "takeover_ms overlap_ms" to drain.res.
drain() {
	local n=$1 t0 tb la fb
	t0=$(now_ms)
	nsx a "$FAILC" -h 127.0.0.1 -b bench web hold >/dev/null ||
	    die "failc hold failed"
	if ! wait_for "$DEADLINE" first "$plog" host2 "$t0" >/dev/null; then
		note "drain $n: host2 never answered within $DEADLINE s"
		echo timeout >>"$tmp/drain.res"
	else
		tb=$(first "$plog" host2 "$t0")
		wait_for "$DEADLINE" first "$blog" host2 "$t0" >/dev/null
		fb=$(first "$blog" host2 "$t0")
		la=$(last "$alog" host1 "$t0" "$(now_ms)")
		echo "$((tb - t0)) $((la - fb))" >>"$tmp/drain.res"
		note "drain $n: host2 answered $((tb - t0)) ms after the hold;" \
		    "a's last answer - b's first: $((la - fb)) ms"
	fi
	nsx a "$FAILC" -h 127.0.0.1 web release >/dev/null ||
	    die "failc release failed"
	wait_for 30 alone "$plog" host1 1000 ||
	    die "drain $n: host1 never served alone again"
}

# long: failover, 5% of a's checks fail, LONG_SECONDS.
long() {
	local l0 n sick drops
	a_owns long "$tmp/long.res" failover || die "long: no master"
	nsx a iptables -A INPUT -i lo -p tcp --dport 80 --syn -m statistic \
	    --mode random --probability 0.05 -j DROP
	l0=$(wc -l <"$tmp/b/failsh.log")
	la0=$(wc -l <"$tmp/a/failsh.log")
	note "long: ${LONG_SECONDS}s with 5% of a's checks failing;" \
	    "load $(cut -d' ' -f1-3 /proc/loadavg)"
	sleep "$LONG_SECONDS"
	n=$(tail -n +$((l0 + 1)) "$tmp/b/failsh.log" |
	    grep -c 'service web: RECOVER -> UP')
	sick=$(tail -n +$((la0 + 1)) "$tmp/a/failsh.log" | grep -c 'health OK -> FAIL')
	drops=$(nsx a iptables -nvx -L INPUT | awk '/statistic/ { print $1 }')
	echo "$n $sick $drops" >"$tmp/long.res"
	note "long: $n takeovers by host2, $sick health failures on host1," \
	    "$drops check connections dropped"
	stop_config
}

# stats FILE: "n p50 p90 p99 min max timeouts" (nearest rank).
stats() {
	local to
	to=$(grep -c timeout "$1")
	grep -v timeout "$1" | sort -n | awk -v to="$to" '{ v[++n] = $1 }
	    function rank(q,  r) { r = int(q * n); if (r < q * n) r++;
	        return v[r < 1 ? 1 : r] }
	    END { if (n == 0) { print "0 - - - - - " to; exit }
	        printf "%d %d %d %d %d %d %d\n", n, rank(0.5), rank(0.9),
	        rank(0.99), v[1], v[n], to }'
}

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$(date +%s)
note "hosting.sh: TRIALS=$TRIALS PARTS=\"$PARTS\" LONG_SECONDS=$LONG_SECONDS;" \
    "namespaces $PFX-*; load $load0"
net_up
plog=$tmp/probe.log
alog=$tmp/probe-a.log
blog=$tmp/probe-b.log
bg "$plog" c tclsh8.6 "$probe_tcl" $VIP

for part in $PARTS; do
	case $part in
	failover)
		for cf in failover equal keepalived; do
			: >"$tmp/$cf.res"
			note "$cf: $TRIALS trials; load $(cut -d' ' -f1-3 /proc/loadavg)"
			for ((i = 1; i <= TRIALS; i++)); do
				if [ $cf = equal ]; then
					kill_to failover $i host2 "$tmp/$cf.res" \
					    interval 1 fall 3 check_timeout 0.8
				else
					kill_to $cf $i host2 "$tmp/$cf.res"
				fi
			done
		done
		;;
	restart)
		: >"$tmp/restart.res"
		note "restart: $TRIALS trials; load $(cut -d' ' -f1-3 /proc/loadavg)"
		for ((i = 1; i <= TRIALS; i++)); do
			kill_to failover $i host1 "$tmp/restart.res" restarts 1
		done
		;;
	drain)
		: >"$tmp/drain.res"
		note "drain: $TRIALS trials; load $(cut -d' ' -f1-3 /proc/loadavg)"
		bg "$alog" c tclsh8.6 "$probe_tcl" $A
		bg "$blog" c tclsh8.6 "$probe_tcl" $B
		a_owns drain "$tmp/drain.res" failover || die "drain: no master"
		for ((i = 1; i <= TRIALS; i++)); do
			rand_sleep
			drain $i
		done
		stop_config
		;;
	long)
		[ "$LONG_SECONDS" -gt 0 ] && long
		;;
	*) die "unknown part $part" ;;
	esac
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
t_end=$(date +%s)

# ----------------------------------------------------------------------
# The report.

kav=$(keepalived -v 2>&1 | head -1 | awk '{ print $2 }')
row() {	# row NAME WHAT FILE
	local n p50 p90 p99 mn mx to
	read -r n p50 p90 p99 mn mx to <<<"$(stats "$3")"
	echo "| $1 | $2 | $n | $p50 | $p90 | $p99 | $mn | $mx | $to |"
}
echo "## Hosting sample benchmark, $started"
echo
echo "\`bash bench/hosting.sh\`: TRIALS=$TRIALS, PARTS=\"$PARTS\"," \
    "LONG_SECONDS=$LONG_SECONDS, DEADLINE=$DEADLINE s; took" \
    "$((t_end - t_start)) s."
echo "Machine: $(nproc) cpus, $(awk -F': ' '/^model name/ { print $2;
    exit }' /proc/cpuinfo), $(uname -sr); lighttpd $(lighttpd -v |
    awk '{ print $1 }' | cut -d/ -f2), rsync $(rsync --version |
    awk 'NR == 1 { print $3 }'), keepalived $kav. Load average at the" \
    "start $load0, at the end $load1."
echo
if [ -s "$tmp/failover.res" ] || [ -s "$tmp/restart.res" ]; then
	echo "Times in ms from the kill -9 of the master's lighttpd to the" \
	    "first answer seen by the client's 10 ms HTTP prober; percentiles" \
	    "by nearest rank (with 20 trials p99 is the maximum)."
	echo
	echo "| config | what | trials | p50 | p90 | p99 | min | max | none |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	[ -s "$tmp/failover.res" ] && row failover "samples/hosting:\
 failsh, interval 0.2 s, fall 4, restarts 0; host2 answers" "$tmp/failover.res"
	[ -s "$tmp/equal.res" ] && row equal "samples/hosting with\
 keepalived's settings: interval 1 s, fall 3; host2 answers" "$tmp/equal.res"
	[ -s "$tmp/keepalived.res" ] && row keepalived "keepalived $kav,\
 vrrp_script curl every 1 s, fall 3, track_script; host2 answers" \
	    "$tmp/keepalived.res"
	[ -s "$tmp/restart.res" ] && row restart "samples/hosting with\
 restarts 1: host1 answers again" "$tmp/restart.res"
	echo
	if [ -s "$tmp/equal.res" ] && [ -s "$tmp/keepalived.res" ]; then
		read -r _ f50 f90 f99 _ fmx _ <<<"$(stats "$tmp/equal.res")"
		read -r _ k50 k90 k99 _ kmx _ <<<"$(stats "$tmp/keepalived.res")"
		awk -v f50="$f50" -v f90="$f90" -v f99="$f99" -v fmx="$fmx" \
		    -v k50="$k50" -v k90="$k90" -v k99="$k99" -v kmx="$kmx" '
		    function r(a, b) {
		        if (b > 0 && a != "-") return sprintf("%.2f", a / b)
		        return "-" }
		    BEGIN { print "| equal / keepalived | p50 | p90 | p99 | max |"
		        print "|---|---:|---:|---:|---:|"
		        printf "| ratio | %s | %s | %s | %s |\n", r(f50, k50),
		        r(f90, k90), r(f99, k99), r(fmx, kmx) }'
		echo
	fi
fi
if [ -s "$tmp/drain.res" ]; then
	awk '{ print $1 }' "$tmp/drain.res" >"$tmp/drain1"
	awk '$1 != "timeout" { print $2 }' "$tmp/drain.res" >"$tmp/drain2"
	read -r n p50 p90 p99 mn mx to <<<"$(stats "$tmp/drain1")"
	read -r _ o50 _ o99 omn omx _ <<<"$(stats "$tmp/drain2")"
	echo "Drain: \`failc -h 127.0.0.1 web hold\` on host1 (then release):" \
	    "ms to the first answer from host2 on the service address; and" \
	    "host1's last answer minus host2's first, probing each host's own" \
	    "address (positive: both answered HTTP for that long; negative:" \
	    "neither did)."
	echo
	echo "| trials | takeover p50 | p90 | p99 | max | no takeover |" \
	    "last(a) - first(b) min | p50 | p99 | max |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	echo "| $n | $p50 | $p90 | $p99 | $mx | $to | $omn | $o50 | $o99 | $omx |"
	echo
fi
if [ -s "$tmp/long.res" ]; then
	read -r n sick drops <"$tmp/long.res"
	echo "Long: ${LONG_SECONDS} s with 5% of host1's checks failing at" \
	    "random (SYN of the check's connection dropped: $drops dropped)," \
	    "fall $(sed -n 's/^set fall *\([0-9]*\).*/\1/p' \
	    "$top/samples/hosting/web.tcl"): host1's health turned FAIL $sick times, host2 took over" \
	    "$n times."
	echo
fi
