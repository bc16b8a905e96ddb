#!/bin/bash
# bench/vip.sh: how long a service address (VIP) is unreachable for a client
# after the master host's link is cut, with failsh and with its peers
# (keepalived VRRPv3, ucarp), all in one run on the same network; and how
# often the backup takes the address while the master is alive, under 5%
# packet loss both ways.
#
# The network (as in tests/netns/test_vip.tcl): a switch namespace with a
# bridge, hosts a (198.18.0.1, the master) and b (198.18.0.2, the backup),
# a client c (198.18.0.100); the VIP is 198.18.0.50/24. Each host runs a
# UDP responder on port 9999 that answers with its name; the client asks
# the VIP every 10 ms and logs "ms host" per answer (CLOCK_REALTIME).
#
# 1. Outage. Per trial: start the daemons of the configuration on a and b
#    (fresh processes), wait until only a answers (the last 500 ms), a
#    random 0-1 s more, then cut a's link at the switch (ip link set down)
#    and wait for the first answer from b (DEADLINE s). Outage = time of
#    that answer - time just before the cut command. Then every process in
#    a and b is killed, the VIP removed from both, the link restored and
#    the client's neighbour cache flushed. Resolution: the prober's 10 ms.
#    Configurations: failover-default (failsh interval 1 s, deadcount 3),
#    failover-fast (0.02 s), failover-N (interval N s, e.g. 0.2, the
#    sample's), keepalived-N (VRRPv3, advert_int N: 1 and 0.05 by
#    default), ucarp-1 (advbase 1, advskew 0 on a, 1 on b).
# 2. Failback. Per trial of each FAILBACK_CONFIGS: start, wait until only
#    a answers a client that holds a TCP conversation with the VIP
#    (tests/netns/vip_tcp_probe.tcl: a line every 10 ms, port 9998; its
#    answers keep the client's neighbour entry confirmed, as a real
#    client's do), cut a's link, wait until b alone answers for 1.2 s (its
#    announcements over), restore the link. Failback = first answer from a
#    - the restore; gap = the longest time without any answer from the
#    restore until a has answered alone for 1 s (DEADLINE s at most).
# 3. Service death. Per trial of each SERVICE_CONFIGS, with a health check
#    of the host's TCP responder (fall CHECK_FALL): start, wait until only a
#    answers the TCP client, a random 0-1 s more, kill -9 a's responder
#    (a, its daemons and its address stay), and time the first answer from
#    b. failsh: failsvc vip check, restarts 0; keepalived: vrrp_script (every
#    1 s, its smallest) in track_script.
# 4. False takeovers. Per configuration (LOSS_CONFIGS): start, wait until a
#    answers alone, add "iptables -A INPUT -m statistic --mode random
#    --probability 0.05 -j DROP" in a and b, wait LOSS_SECONDS, count the
#    backup's takeovers: failsh "service vip: RECOVER -> UP" lines,
#    keepalived "Entering MASTER STATE" lines, in b's log since the loss
#    began; also whether b holds the VIP at the end.
#
# Usage, as root from the top of a built tree (make), with keepalived and
# ucarp installed (apt-get install keepalived ucarp):
#     bash bench/vip.sh
# Environment: TRIALS (20), CONFIGS ("failover-default failover-fast
# keepalived-1 keepalived-0.05 ucarp-1"; keepalived-N for any advert_int
# N), FAILBACK_CONFIGS ("failover-0.2 keepalived-0.2 failover-default
# keepalived-1"; "" skips part 2), SERVICE_CONFIGS ("failover-1 keepalived-1
# failover-0.2"; "" skips part 3), CHECK_FALL (2), LOSS_SECONDS (600; 0
# skips part 4), LOSS_CONFIGS ("failover-fast
# failover-default keepalived-0.05 keepalived-1"), DEADLINE (15),
# FAILD, FAILSH, KEEP=1 keeps the temp dir and logs.
# Progress on stderr, the markdown report on stdout. Removes its
# namespaces and processes at exit, also on failure or Ctrl-C.

set -u

TRIALS=${TRIALS:-20}
CONFIGS=${CONFIGS-"failover-default failover-fast keepalived-1 keepalived-0.05 ucarp-1"}
FAILBACK_CONFIGS=${FAILBACK_CONFIGS-"failover-0.2 keepalived-0.2 failover-default keepalived-1"}
SERVICE_CONFIGS=${SERVICE_CONFIGS-"failover-1 keepalived-1 failover-0.2"}
CHECK_FALL=${CHECK_FALL:-2}
LOSS_SECONDS=${LOSS_SECONDS:-600}
LOSS_CONFIGS=${LOSS_CONFIGS-"failover-fast failover-default keepalived-0.05 keepalived-1"}
DEADLINE=${DEADLINE:-15}
VIP=198.18.0.50
A=198.18.0.1
B=198.18.0.2
C=198.18.0.100

top=$(cd "$(dirname "$0")/.." && pwd)
FAILD=${FAILD:-$top/faild/faild}
FAILSH=${FAILSH:-$top/failsh/failsh}
PFX=fv$(printf %04x $(($$ & 0xffff)))	# namespaces: fvXXXX-sw, -a, -b, -c

. "$top/bench/netns.sh"

case "$TRIALS$LOSS_SECONDS$DEADLINE" in
*[!0-9]*) die "TRIALS, LOSS_SECONDS and DEADLINE are whole numbers" ;;
esac
[ "$(id -u)" = 0 ] || die "needs root (ip netns)"
for p in ip tclsh8.6 iptables; do
	command -v $p >/dev/null || die "no $p"
done
echo 'package require udp' | tclsh8.6 || die "no Tcl udp package (tcl-udp)"
[ -x "$FAILD" ] || die "no $FAILD: build it first (make)"
[ -x "$FAILSH" ] || die "no $FAILSH: build it first (make)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vipbench.XXXXXX") || die "mktemp"

trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The UDP responder (on every address of the host) and the prober, the
# same as tests/netns/test_vip.tcl uses.
echo_tcl=$top/tests/netns/vip_echo.tcl
probe_tcl=$top/tests/netns/vip_probe.tcl
tcp_probe_tcl=$top/tests/netns/vip_tcp_probe.tcl
# ucarp's scripts: $1 interface, $2 address.
printf '#!/bin/sh\nip addr add "$2"/24 dev "$1"\n' >"$tmp/ucarp-up.sh"
printf '#!/bin/sh\nip addr del "$2"/24 dev "$1" 2>/dev/null\nexit 0\n' \
    >"$tmp/ucarp-down.sh"
chmod 755 "$tmp/ucarp-up.sh" "$tmp/ucarp-down.sh"

bg() {	# LOG HOST CMD...: run CMD in HOST's namespace, in the background
	local log=$1 h=$2
	shift 2
	nsx "$h" "$@" >"$log" 2>&1 </dev/null &
	disown $!
}

# start_config CONFIG DIR: the daemons of CONFIG and the responders, on a, b.
start_config() {
	local cf=$1 dir=$2 h iv pol
	mkdir -p "$dir"
	for h in a b; do
		bg "$dir/echo-$h.log" $h tclsh8.6 "$echo_tcl" $h
	done
	case $cf in
	failover-*)
		case $cf in
		failover-default) iv=1 ;;
		failover-fast) iv=0.02 ;;
		failover-[0-9]*) iv=${cf#failover-} ;;
		*) die "unknown configuration $cf" ;;
		esac
		pol=$(sed -e "s|^set interval .*|set interval $iv|" \
		    -e "s|^set interface .*|set interface eth0|" \
		    -e "s|^set address .*|set address $VIP/24|" \
		    -e "s|^set host1 .*|set host1 $A|" \
		    -e "s|^set host2 .*|set host2 $B|" \
		    "$top/samples/ipfailover-linux/vip.tcl")
		for h in a b; do
			mkdir -p "$dir/$h"
			echo "$pol$check_tcl" >"$dir/$h/vip.tcl"
			chmod 644 "$dir/$h/vip.tcl"
			bg "$dir/faild-$h.log" $h "$FAILD" -F \
			    -s "$dir/$h/state" -r ''
			bg "$dir/log-$h" $h "$FAILSH" -F \
			    -N "$([ $h = a ] && echo host1 || echo host2)" \
			    -f "$dir/$h/vip.tcl" -m none -D 127.0.0.1:1849 \
			    -i '' -l "$dir/$h/dump"
		done
		;;
	keepalived-*)
		iv=${cf#keepalived-}
		for h in a b; do
			cat >"$dir/ka-$h.conf" <<EOF
global_defs {
	router_id $PFX-$h
	vrrp_version 3
	script_user root
}
$check_ka
vrrp_instance VI_1 {
	state $([ $h = a ] && echo MASTER || echo BACKUP)
	interface eth0
	virtual_router_id 51
	priority $([ $h = a ] && echo 150 || echo 100)
	advert_int $iv
	virtual_ipaddress {
		$VIP/24 dev eth0
	}
	$([ -n "$check_ka" ] && echo "track_script { chk_echo }")
}
EOF
			bg "$dir/log-$h" $h keepalived -n -l -D -G -P \
			    -f "$dir/ka-$h.conf" -p "$dir/ka-$h.pid" \
			    -r "$dir/ka-$h.vrrp.pid" -c "$dir/ka-$h.chk.pid" \
			    -b "$dir/ka-$h.bfd.pid"
		done
		;;
	ucarp-*)
		iv=${cf#ucarp-}
		bg "$dir/log-a" a ucarp -i eth0 -s $A -v 51 -p benchpass \
		    -a $VIP -b "$iv" -k 0 -P -u "$tmp/ucarp-up.sh" \
		    -d "$tmp/ucarp-down.sh"
		bg "$dir/log-b" b ucarp -i eth0 -s $B -v 51 -p benchpass \
		    -a $VIP -b "$iv" -k 1 -u "$tmp/ucarp-up.sh" \
		    -d "$tmp/ucarp-down.sh"
		;;
	*) die "unknown configuration $cf" ;;
	esac
}

stop_config() {
	local h
	for h in a b; do
		kill_ns $h
		nsx $h ip addr del $VIP/24 dev eth0 2>/dev/null
		nsx $h iptables -F INPUT 2>/dev/null
		nsx $h ip neigh flush all 2>/dev/null
	done
	nsx sw ip link set "${PFX}a" up
	nsx c ip neigh flush all
}

has_vip() { nsx "$1" ip -br addr show eth0 | grep -q " $VIP/"; }

# Only a answered in the last 500 ms (the last 40 answers, the newest
# less than 100 ms old), and b does not hold the VIP.
a_alone() {
	local t
	t=$(now_ms)
	tail -n 40 "$plog" | awk -v now="$t" '
	    { n++; if ($2 != "a") bad = 1; last = $1 }
	    END { exit !(n == 40 && !bad && now - last < 100) }' &&
	    ! has_vip b
}

# first_b OFFSET CUT_MS: time of the first answer from b after the cut.
first_b() {
	tail -c +$(($1 + 1)) "$plog" | awk -v c="$2" '
	    $2 == "b" && $1 >= c { print $1; found = 1; exit }
	    END { exit !found }'
}

# trial CONFIG N: appends the outage in ms (or "timeout") to CONFIG.res.
trial() {
	local cf=$1 n=$2 dir=$tmp/$1.$2 off t0 t1 tb try
	for try in 1 2 3; do
		start_config "$cf" "$dir"
		wait_for 20 a_alone && break
		note "$cf trial $n: a never answered alone (try $try):"
		tail -n 5 "$dir"/log-* >&2
		stop_config
		[ "$try" = 3 ] && die "$cf: cannot get a stable master"
		rm -rf "$dir"
	done
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", r / 32768 }')"
	off=$(stat -c %s "$plog")
	t0=$(now_ms)
	ip -n "$(ns sw)" link set "${PFX}a" down
	t1=$(now_ms)
	if wait_for "$DEADLINE" first_b "$off" "$t0" >/dev/null; then
		tb=$(first_b "$off" "$t0")
		echo $((tb - t0)) >>"$tmp/$cf.res"
		note "$cf trial $n: outage $((tb - t0)) ms (cut took $((t1 - t0)) ms)"
	else
		echo timeout >>"$tmp/$cf.res"
		note "$cf trial $n: b never answered within $DEADLINE s"
		tail -n 5 "$dir"/log-b >&2
	fi
	stop_config
	[ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
}

# alone H MS: only H answered the TCP prober for the last MS ms: all
# answers since then are H's, the first within 100 ms of the start, the
# last less than 100 ms ago.
alone() {
	local t
	t=$(now_ms)
	awk -v h="$1" -v since=$((t - $2)) -v now="$t" '
	    $1 ~ /^[0-9]+$/ && $1 >= since { if (!n++) first = $1;
	        if ($2 != h) bad = 1; last = $1 }
	    END { exit !(n > 0 && !bad && first - since < 100 &&
	        now - last < 100) }' "$tlog"
}

# a_owns CONFIG DIR WHAT RESULTS: start CONFIG until only a answers the
# TCP client; else note it, append "timeout" to RESULTS, stop, fail.
a_owns() {
	start_config "$1" "$2"
	wait_for 20 alone a 1200 && return 0
	note "$3: a never answered alone"
	echo timeout >>"$4"
	stop_config
	return 1
}

# failback CONFIG N: appends "failback_ms gap_ms" (or "timeout") to
# CONFIG.fb.
failback() {
	local cf=$1 n=$2 dir=$tmp/$1.fb.$2 t0 res
	a_owns "$cf" "$dir" "$cf failback $n" "$tmp/$cf.fb" || return
	ip -n "$(ns sw)" link set "${PFX}a" down
	if ! wait_for "$DEADLINE" alone b 1200; then
		note "$cf failback $n: b never answered alone"
		echo timeout >>"$tmp/$cf.fb"
		stop_config
		return
	fi
	t0=$(now_ms)
	ip -n "$(ns sw)" link set "${PFX}a" up
	wait_for "$DEADLINE" alone a 1000
	res=$(awk -v t0="$t0" '$1 ~ /^[0-9]+$/ && $1 >= t0 {
	    if ($2 == "a" && !fa) fa = $1 - t0
	    if ($1 - prev > gap) gap = $1 - prev; prev = $1 }
	    BEGIN { prev = t0 }
	    END { if (fa) print fa, gap; else print "timeout" }' "$tlog")
	echo "$res" >>"$tmp/$cf.fb"
	note "$cf failback $n: first answer from a, longest gap (ms): $res"
	stop_config
	[ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
}

# The service's health check for part 3: the host's own TCP responder
# (vip_echo.tcl, port 9998) accepts a connection; checked every interval
# (failsh: every run; keepalived: every second, its smallest), failing
# CHECK_FALL times in a row. failsh gives the service up at once
# (restarts 0), as keepalived's tracked script puts its instance in FAULT.
check_tcl=""
check_ka=""
checks_on() {
	check_tcl="
proc vip_check {} {
	if {[catch {socket 127.0.0.1 9998} ch]} { return FAIL }
	close \$ch
	return UP
}
failsvc vip check vip_check
failsvc vip fall $CHECK_FALL
failsvc vip restarts 0"
	check_ka="vrrp_script chk_echo {
	script \"/bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/9998'\"
	interval 1
	fall $CHECK_FALL
	rise 1
}"
}

# death CONFIG N: the service (a's responder) dies, a stays up: appends the
# time from the kill -9 to b's first answer (or "timeout") to CONFIG.svc.
death() {
	local cf=$1 n=$2 dir=$tmp/$1.svc.$2 t0 tb pid p
	a_owns "$cf" "$dir" "$cf death $n" "$tmp/$cf.svc" || return
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", r / 32768 }')"
	pid=""
	for p in $(ip netns pids "$(ns a)"); do
		grep -q vip_echo "/proc/$p/cmdline" 2>/dev/null && pid=$p
	done
	t0=$(now_ms)
	kill -KILL "$pid"
	if wait_for "$DEADLINE" first_tb "$t0" >/dev/null; then
		tb=$(first_tb "$t0")
		echo $((tb - t0)) >>"$tmp/$cf.svc"
		note "$cf death $n: b answered $((tb - t0)) ms after the kill"
	else
		echo timeout >>"$tmp/$cf.svc"
		note "$cf death $n: b never answered within $DEADLINE s"
	fi
	stop_config
	[ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
}

# first_tb T0: the time of the TCP prober's first answer from b after T0.
first_tb() {
	awk -v t0="$1" '$1 ~ /^[0-9]+$/ && $1 >= t0 && $2 == "b" {
	    print $1; found = 1; exit } END { exit !found }' "$tlog"
}

# loss CONFIG: false takeovers by b under 5% loss, into loss.res.
loss() {
	local cf=$1 dir=$tmp/$1.loss h l0 n pat held
	start_config "$cf" "$dir"
	wait_for 20 a_alone || die "$cf: a never answered alone"
	sleep 2
	case $cf in
	failover-*) pat='service vip: RECOVER -> UP' ;;
	keepalived-*) pat='Entering MASTER STATE' ;;
	*) pat='Switching to state: MASTER' ;;
	esac
	l0=$(wc -l <"$dir/log-b")
	for h in a b; do
		nsx $h iptables -A INPUT -m statistic --mode random \
		    --probability 0.05 -j DROP
	done
	note "$cf: ${LOSS_SECONDS}s under 5% loss; load $(cut -d' ' -f1-3 /proc/loadavg)"
	sleep "$LOSS_SECONDS"
	n=$(tail -n +$((l0 + 1)) "$dir/log-b" | grep -c "$pat")
	held=no
	has_vip b && held=yes
	echo "$cf $n $held" >>"$tmp/loss.res"
	note "$cf: $n takeovers by b, b holds the VIP at the end: $held"
	stop_config
	[ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
}

# stats FILE: "n p50 p99 min max timeouts" (nearest rank).
stats() {
	local to
	to=$(grep -c timeout "$1")
	grep -v timeout "$1" | sort -n | awk -v to="$to" '{ v[++n] = $1 }
	    function rank(q,  r) { r = int(q * n); if (r < q * n) r++;
	        return v[r < 1 ? 1 : r] }
	    END { if (n == 0) { print "0 - - - - " to; exit }
	        printf "%d %d %d %d %d %d\n", n, rank(0.5), rank(0.99),
	        v[1], v[n], to }'
}

for cf in $CONFIGS $LOSS_CONFIGS; do
	case $cf in
	keepalived-*) command -v keepalived >/dev/null ||
	    die "no keepalived (apt-get install keepalived)" ;;
	ucarp-*) command -v ucarp >/dev/null ||
	    die "no ucarp (apt-get install ucarp)" ;;
	esac
done

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$(date +%s)
note "vip.sh: TRIALS=$TRIALS CONFIGS=\"$CONFIGS\" LOSS_SECONDS=$LOSS_SECONDS" \
    "LOSS_CONFIGS=\"$LOSS_CONFIGS\"; namespaces $PFX-*; load $load0"
net_up
plog=$tmp/probe.log
bg "$plog" c tclsh8.6 "$probe_tcl" $VIP

for cf in $CONFIGS; do
	: >"$tmp/$cf.res"
	note "$cf: $TRIALS trials; load $(cut -d' ' -f1-3 /proc/loadavg)"
	for ((i = 1; i <= TRIALS; i++)); do
		trial "$cf" "$i"
	done
done
tlog=$tmp/tcpprobe.log
bg "$tlog" c tclsh8.6 "$tcp_probe_tcl" $VIP
for cf in $FAILBACK_CONFIGS; do
	: >"$tmp/$cf.fb"
	note "$cf: $TRIALS failback trials; load $(cut -d' ' -f1-3 /proc/loadavg)"
	for ((i = 1; i <= TRIALS; i++)); do
		failback "$cf" "$i"
	done
done
if [ -n "$SERVICE_CONFIGS" ]; then
	checks_on
	for cf in $SERVICE_CONFIGS; do
		: >"$tmp/$cf.svc"
		note "$cf: $TRIALS service deaths; load $(cut -d' ' -f1-3 /proc/loadavg)"
		for ((i = 1; i <= TRIALS; i++)); do
			death "$cf" "$i"
		done
	done
	check_tcl=""
	check_ka=""
fi
load1=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$tmp/loss.res"
if [ "$LOSS_SECONDS" -gt 0 ]; then
	for cf in $LOSS_CONFIGS; do
		loss "$cf"
	done
fi
load2=$(cut -d' ' -f1-3 /proc/loadavg)
t_end=$(date +%s)

# ----------------------------------------------------------------------
# The report.

desc() {
	case $1 in
	failover-default) echo "failsh, interval 1 s, deadcount 3" ;;
	failover-fast) echo "failsh, interval 0.02 s, deadcount 3" ;;
	failover-*) echo "failsh, interval ${1#failover-} s, deadcount 3" ;;
	keepalived-*) echo "keepalived $(keepalived -v 2>&1 | head -1 |
	    awk '{ print $2 }') VRRPv3, advert_int ${1#keepalived-} s" ;;
	ucarp-*) echo "ucarp $(ucarp --help 2>&1 | awk '/^ucarp/ { print $2; exit }')," \
	    "advbase ${1#ucarp-} s, advskew 0 / 1" ;;
	esac
}

# times_table EXT CONFIG...: the table of each CONFIG.EXT's times.
times_table() {
	local ext=$1 cf n p50 p99 mn mx to
	shift
	echo "| config | what | trials | p50 | p99 | min | max | no takeover |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	for cf in "$@"; do
		read -r n p50 p99 mn mx to <<<"$(stats "$tmp/$cf.$ext")"
		echo "| $cf | $(desc "$cf") | $n | $p50 | $p99 | $mn | $mx | $to |"
	done
	echo
}

echo "## VIP outage benchmark, $started"
echo
echo "\`bash bench/vip.sh\`: TRIALS=$TRIALS, DEADLINE=$DEADLINE s," \
    "LOSS_SECONDS=$LOSS_SECONDS; took $((t_end - t_start)) s."
echo "Machine: $(nproc) cpus, $(awk -F': ' '/^model name/ { print $2;
    exit }' /proc/cpuinfo), $(uname -sr). Load average at the start" \
    "$load0, after the outage trials $load1, at the end $load2."
echo
if [ -n "$CONFIGS" ]; then
	echo "Outage: from just before the master's link is cut to the first" \
	    "answer from the backup seen by the client's 10 ms prober, in ms;" \
	    "percentiles by nearest rank (with 20 trials p99 is the maximum)."
	echo
	times_table res $CONFIGS
	pairs=""
	for p in "failover-default keepalived-1" \
	    "failover-fast keepalived-0.05" "failover-default ucarp-1" \
	    "failover-0.2 keepalived-0.1"; do
		set -- $p
		[ -s "$tmp/$1.res" ] && [ -s "$tmp/$2.res" ] &&
		    pairs="$pairs $1:$2"
	done
	if [ -n "$pairs" ]; then
		echo "| failover / peer | p50 ratio | p99 ratio |"
		echo "|---|---:|---:|"
		for p in $pairs; do
			read -r _ f50 f99 _ <<<"$(stats "$tmp/${p%%:*}.res")"
			read -r _ k50 k99 _ <<<"$(stats "$tmp/${p#*:}.res")"
			awk -v a="${p%%:*}" -v b="${p#*:}" -v f50="$f50" \
			    -v f99="$f99" -v k50="$k50" -v k99="$k99" 'BEGIN {
			    printf "| %s / %s | %s | %s |\n", a, b,
			    (k50 > 0 && f50 != "-") ? sprintf("%.2f", f50 / k50) : "-",
			    (k99 > 0 && f99 != "-") ? sprintf("%.2f", f99 / k99) : "-" }'
		done
		echo
	fi
fi
if [ -n "$FAILBACK_CONFIGS" ]; then
	echo "Failback, with a client holding a TCP conversation with the VIP:" \
	    "from the restore of the master's link to the first answer from" \
	    "the master, and the longest time without any answer from the" \
	    "restore until the master answered alone for 1 s, in ms."
	echo
	echo "| config | what | trials | failback p50 | failback p99 | gap p50 | gap p99 | gap max | no failback |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	for cf in $FAILBACK_CONFIGS; do
		awk '{ print $1 }' "$tmp/$cf.fb" >"$tmp/$cf.fb1"
		awk '$1 != "timeout" { print $2 }' "$tmp/$cf.fb" >"$tmp/$cf.fb2"
		read -r n p50 p99 _ _ to <<<"$(stats "$tmp/$cf.fb1")"
		read -r _ g50 g99 _ gmx _ <<<"$(stats "$tmp/$cf.fb2")"
		echo "| $cf | $(desc "$cf") | $n | $p50 | $p99 | $g50 | $g99 | $gmx | $to |"
	done
	echo
fi
if [ -n "$SERVICE_CONFIGS" ]; then
	echo "The service dies on a live master (kill -9 of its responder; the" \
	    "host, faild and failsh or keepalived stay up): from the kill to the" \
	    "first answer from the backup seen by the TCP client, in ms; health" \
	    "check: a TCP connect to the responder, fall $CHECK_FALL (failsh:" \
	    "failsvc check, every run, restarts 0; keepalived: vrrp_script every" \
	    "1 s, tracked by the instance)."
	echo
	times_table svc $SERVICE_CONFIGS
fi
if [ -s "$tmp/loss.res" ]; then
	echo "False takeovers: all hosts alive, 5% of incoming packets dropped" \
	    "on a and b (iptables statistic), ${LOSS_SECONDS} s per config."
	echo
	echo "| config | what | seconds | takeovers by the backup | backup holds the VIP at the end |"
	echo "|---|---|---:|---:|---|"
	while read -r cf n held; do
		echo "| $cf | $(desc "$cf") | $LOSS_SECONDS | $n | $held |"
	done <"$tmp/loss.res"
	echo
fi
