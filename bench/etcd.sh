#!/bin/bash
# bench/etcd.sh: failsh's etcd backend (failetcd) measured (issue 14), on
# real etcd 3.4, faild and failsh; the work is done by bench/etcd.tcl on
# the integration harness, this script runs its parts and tabulates them.
#
# 1. takeover: a 3-member etcd on loopback, hosts a (master) and b (slave),
#    each a faild and a failsh with failetcd; once b stands by and a random
#    0 to TTL s more, kill -9 of a's failsh and faild; the takeover is the
#    time from the overlap mark made just before the kill to b's start
#    script's mark (tests/helpers/overlap, CLOCK_MONOTONIC). TRIALS trials
#    per profile: ttl2 (heartbeat 100 ms, election 1000 ms: etcd's
#    defaults, whose shortest lease is 2 s) and ttl1 (50 / 500 ms, 1 s).
#    With PEERS, the same run also measures the peers: bench/failover.sh
#    (failsh's polling model, profiles default and fast, on loopback) and
#    bench/vip.sh (keepalived VRRPv3 at advert_int 1 and 0.05 s, a cut
#    link in namespaces; needs keepalived).
# 2. partition: tests/netns/etcd_netns.tcl's network (etcd members e1-e3
#    198.18.0.11-13, hosts h1-h3 .21-.23, one bridge), h1 master, h2 and
#    h3 slaves of service www; model poll: failsh without failetcd, quorum
#    {e1 e2 e3} (a faild on each), interval 0.5 s x deadcount 4; model
#    pollchain: the same, but each host's masters are the hosts ranked
#    before it (h3: masters h1 h2), since failsh's polling rules do not
#    rank slaves among themselves; model etcd: failetcd on e1-e3, TTL 2 s
#    (election 500 ms). Once h1 runs www
#    alone, a fault for HOLD s, healed, SETTLE s more; overlaps (intervals
#    with two hosts running www) from overlap check. Scenarios: crash
#    (kill -9 of h1's daemons, no partition), cut-all (h1's link down),
#    cut-peers (iptables: h1 from h2 and h3, not from e1-e3), slave-master
#    (h2 from h1 only), split3 ({h1 e1} {h2 e2} {h3 e3}), stall (SIGSTOP
#    of h1's failsh and faild; its service counted stopped while frozen
#    and running again at the thaw), flap (h1's link down and up for 0.5
#    to 3 s each). RUNS runs per cell, each on fresh daemons. Needs root.
# 3. cost: HOSTS x SERVICES per COST_SIZES on 127.0.1.10+ (a faild and a
#    failsh each), service i mastered by host i mod HOSTS, the next two
#    hosts its slaves; poll (interval 0.5 s x deadcount 4 = 2 s) against
#    etcd (TTL 2 s; 3 members on loopback, default election timeouts).
#    Once every service is up: COST_SECONDS of CPU (utime + stime from
#    /proc, summed per group: failsh, faild, etcd), faild's requests (its
#    stats), etcd's gRPC messages and RPCs (/metrics); then kill -9 of
#    host 0's daemons: the time until each of its services starts on
#    another host (detection).
#
# Usage: bash bench/etcd.sh (as root, from the top of a built tree: make;
# make tests/helpers/overlap tests/helpers/etcdtool). Environment: PARTS
# ("takeover partition cost"), TRIALS (20), PROFILES ("ttl2 ttl1"), PEERS
# ("failover vip"; "" for none), MODELS ("poll pollchain etcd", the
# partitions), COST_MODELS ("poll etcd"), SCENARIOS (all above), RUNS
# (3), HOLD (8), SETTLE (6), COST_SIZES ("10x100 50x100 50x500"),
# COST_SECONDS (30), KEEP=1 (keep the harness's temp dirs).
# Progress on stderr, the markdown report on stdout. About 50 minutes
# with the defaults (on 2 cores the 50x500 runs saturate the machine).

set -u
. "$(dirname "$0")/common.sh"

PARTS=${PARTS-"takeover partition cost"}
TRIALS=${TRIALS:-20}
PROFILES=${PROFILES-"ttl2 ttl1"}
PEERS=${PEERS-"failover vip"}
MODELS=${MODELS-"poll pollchain etcd"}
COST_MODELS=${COST_MODELS-"poll etcd"}
SCENARIOS=${SCENARIOS-"crash cut-all cut-peers slave-master split3 stall flap"}
RUNS=${RUNS:-3}
HOLD=${HOLD:-8}
SETTLE=${SETTLE:-6}
COST_SIZES=${COST_SIZES-"10x100 50x100 50x500"}
COST_SECONDS=${COST_SECONDS:-30}

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || die "cd $top"
for f in faild/faild failsh/failsh tests/helpers/overlap \
    tests/helpers/etcdtool; do
	[ -x "$f" ] || die "no $f: build it first (make; make $f)"
done
for p in etcd etcdctl curl tclsh8.6; do
	command -v $p >/dev/null || die "missing $p"
done
case "$TRIALS$RUNS$HOLD$SETTLE$COST_SECONDS" in
*[!0-9]*) die "TRIALS, RUNS, HOLD, SETTLE and COST_SECONDS are whole numbers" ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/etcdbench.XXXXXX") || die "mktemp"
child=""
cleanup() {
	local n
	if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
		# the harness's exit kills its daemons and namespaces
		kill -TERM "$child" 2>/dev/null
		wait_for 10 eval '! kill -0 "$child" 2>/dev/null'
		kill -KILL "$child" 2>/dev/null
	fi
	# and its watchdogs whatever they missed: namespaces eb<pid in hex>-
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $n in "eb$(printf %04x $((${child:-0} & 0xffff)))"-*)
			ip netns pids "$n" | xargs -r kill -KILL
			ip netns del "$n" ;;
		esac
	done
	if [ "${KEEP:-0}" = 1 ]; then
		note "$BENCH: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# tcl OUT ARGS...: one part of etcd.tcl, its result lines appended to OUT;
# dies when it fails.
tcl() {
	local out=$1 rc
	shift
	# shellcheck disable=SC2046
	env FAIL_BUILDDIR=. $([ "${KEEP:-0}" = 1 ] && echo FAIL_KEEP=1) \
	    tclsh8.6 bench/etcd.tcl "$@" >"$tmp/tcl.out" &
	child=$!
	wait "$child"
	rc=$?
	child=""
	grep '^result ' "$tmp/tcl.out" >>"$out"
	if [ $rc != 0 ]; then
		cat "$tmp/tcl.out" >&2
		die "etcd.tcl $*: exit $rc"
	fi
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

# stats: "n p50 p99 min max mean" of the numbers on stdin (nearest rank).
stats() {
	sort -g | awk '{ v[++n] = $1; s += $1 }
	    function at(q,  r) { r = q * n; r = (r == int(r)) ? r : int(r) + 1
	        return v[r < 1 ? 1 : r] }
	    END { if (n == 0) { print "0 - - - - -"; exit }
	        printf "%d %.0f %.0f %.0f %.0f %.0f\n", n, at(0.5), at(0.99),
	        v[1], v[n], s / n }'
}

profile_args() {	# NAME: "ttl heartbeat_ms election_ms"
	case $1 in
	ttl2) echo "2 100 1000" ;;
	ttl1) echo "1 50 500" ;;
	*) die "unknown profile $1 (ttl2 ttl1)" ;;
	esac
}

started=$(date -u '+%Y-%m-%d %H:%M UTC')
t_start=$(date +%s)
note "$BENCH: PARTS=\"$PARTS\" TRIALS=$TRIALS RUNS=$RUNS" \
    "COST_SIZES=\"$COST_SIZES\"; load $(load)"

echo "## etcd backend benchmark, $started"
echo
echo "Machine: $(nproc) cpus, $(awk -F': ' '/^model name/ { print $2;
    exit }' /proc/cpuinfo), $(uname -sr), $(etcd --version | head -1)."
echo

# ----------------------------------------------------------------------
if [[ " $PARTS " == *" takeover "* ]]; then
	res=$tmp/takeover.res
	: >"$res"
	declare -A L
	for prof in $PROFILES; do
		L[$prof]="$(load)"
		# shellcheck disable=SC2046
		tcl "$res" takeover "$prof" $(profile_args "$prof") "$TRIALS"
		L[$prof]="${L[$prof]} -> $(load)"
	done
	echo "### Takeover after a crash (kill -9 of the owner's failsh)"
	echo
	echo "\`PARTS=takeover bash bench/etcd.sh\`: 3 etcd members and 2 hosts" \
	    "on loopback; from the kill to the start script's run on the" \
	    "other host, ms, nearest rank."
	echo
	echo "| profile | etcd heartbeat / election | TTL granted | fence |" \
	    "trials | p50 | p99 | min | max | mean | target TTL + 1 s |" \
	    "over target | lost | overlaps | load (1/5/15 min) |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	for prof in $PROFILES; do
		read -r ttl hb el <<<"$(profile_args "$prof")"
		read -r n p50 p99 min max mean <<<"$(awk -v p="$prof" \
		    '$2 == "takeover" && $3 == p && $4 != "lost" { print $4 }' \
		    "$res" | stats)"
		read -r gttl fence <<<"$(awk -v p="$prof" \
		    '$2 == "lease" && $3 == p { print $4, $5 }' "$res")"
		target=$(((gttl + 1) * 1000))
		over=$(awk -v p="$prof" -v t=$target '$2 == "takeover" &&
		    $3 == p && $4 != "lost" && $4 > t' "$res" | wc -l)
		lost=$(awk -v p="$prof" '$2 == "takeover" && $3 == p &&
		    $4 == "lost"' "$res" | wc -l)
		ov=$(awk -v p="$prof" '$2 == "takeover_overlaps" && $3 == p {
		    print $4 }' "$res")
		echo "| $prof | $hb / $el ms | $gttl s | $fence ms | $n | $p50 |" \
		    "$p99 | $min | $max | $mean | $target | $over | $lost |" \
		    "$ov | ${L[$prof]} |"
	done
	echo
	for peer in $PEERS; do
		note "peer $peer: load $(load)"
		case $peer in
		failover)
			echo "Peer in the same run, failsh's polling model" \
			    "(\`PROFILES=\"default fast\" CPU_PROTOS=\" \"" \
			    "TRIALS=$TRIALS bash bench/failover.sh\`, load $(load)" \
			    "before):"
			echo
			# its first table only; CPU_PROTOS=" ": no cost part
			PROFILES="default fast" CPU_PROTOS=" " TRIALS=$TRIALS \
			    bash bench/failover.sh 2>"$tmp/peer.err" |
			    awk '/^\|/ && !done { t = 1; print; next } t { done = 1 }' \
			    >"$tmp/peer.out" ||
			    { cat "$tmp/peer.err" >&2; die "bench/failover.sh failed"; }
			cat "$tmp/peer.out"
			;;
		vip)
			command -v keepalived >/dev/null ||
			    { note "no keepalived: peer vip skipped"; continue; }
			echo "Peer in the same run, keepalived (\`CONFIGS=\"keepalived-1" \
			    "keepalived-0.05\" LOSS_CONFIGS=\"\" FAILBACK_CONFIGS=\"\"" \
			    "SERVICE_CONFIGS=\"\" TRIALS=$TRIALS bash" \
			    "bench/vip.sh\`: link cut, time to the backup's first" \
			    "answer; load $(load) before):"
			echo
			CONFIGS="keepalived-1 keepalived-0.05" LOSS_CONFIGS="" \
			    FAILBACK_CONFIGS="" SERVICE_CONFIGS="" \
			    TRIALS=$TRIALS bash bench/vip.sh 2>"$tmp/peer.err" |
			    grep '^|' | grep -v ' / ' >"$tmp/peer.out" ||
			    { cat "$tmp/peer.err" >&2; die "bench/vip.sh failed"; }
			cat "$tmp/peer.out"
			;;
		*) die "unknown peer $peer (failover vip)" ;;
		esac
		echo
	done
fi

# ----------------------------------------------------------------------
if [[ " $PARTS " == *" partition "* ]]; then
	[ "$(id -u)" = 0 ] || die "the partition part needs root"
	res=$tmp/partition.res
	: >"$res"
	l0=$(load)
	# shellcheck disable=SC2086
	tcl "$res" partition "$MODELS" "$SCENARIOS" "$RUNS" "$HOLD" "$SETTLE"
	echo "### Partitions: overlaps, polling with quorum against etcd"
	echo
	echo "\`PARTS=partition bash bench/etcd.sh\`: $RUNS runs per cell," \
	    "fault held $HOLD s, then $SETTLE s healed. Cell: runs with an" \
	    "overlap / runs, overlaps in all, their total ms, start script" \
	    "runs (re-announces included), and (the hosts that overlapped)." \
	    "Load $l0 -> $(load)."
	echo
	hdr="| scenario |"; sep="|---|"
	for m in $MODELS; do hdr="$hdr $m |"; sep="$sep---|"; done
	echo "$hdr"
	echo "$sep"
	for sc in $SCENARIOS; do
		row="| $sc |"
		for m in $MODELS; do
			row="$row $(awk -v m="$m" -v s="$sc" '$3 == m && $4 == s {
			    r++; bad += ($6 > 0); n += $6; ms += $7; st += $8
			    k = split($10, a, ","); for (i = 1; i <= k; i++)
			        if (a[i] != "{}") hs[a[i]] }
			    END { for (h in hs) w = w (w == "" ? "" : " ") h
			        printf "%d/%d, %d, %d ms, %d%s", bad, r, n, ms, st,
			        (w == "" ? "" : " (" w ")") }' "$res") |"
		done
		echo "$row"
	done
	echo
	echo "Who ran www at the end of each run (after the heal):"
	echo
	for m in $MODELS; do
		echo "- $m: $(awk -v m="$m" '$3 == m { printf "%s%s=%s",
		    (n++ ? ", " : ""), $4, ($9 == "{}" ? "nobody" : $9) }' "$res")"
	done
	echo
fi

# ----------------------------------------------------------------------
if [[ " $PARTS " == *" cost "* ]]; then
	res=$tmp/cost.res
	: >"$res"
	declare -A CL
	for size in $COST_SIZES; do
		[[ $size =~ ^([0-9]+)x([0-9]+)$ ]] ||
		    die "COST_SIZES: HOSTSxSERVICES expected, not $size"
		for m in $COST_MODELS; do
			CL[$size.$m]="$(load)"
			tcl "$res" cost "$m" "${BASH_REMATCH[1]}" \
			    "${BASH_REMATCH[2]}" "$COST_SECONDS"
			CL[$size.$m]="${CL[$size.$m]} -> $(load)"
		done
	done
	echo "### Cost: hosts x services, polling against etcd"
	echo
	echo "\`PARTS=cost bash bench/etcd.sh\`: every host a faild and a" \
	    "failsh on 127.0.1.x, each service on 3 hosts (1 master, 2" \
	    "slaves); poll: interval 0.5 s x deadcount 4, etcd: TTL 2 s, 3" \
	    "members on this machine. CPU in % of one core over" \
	    "$COST_SECONDS s, summed over the group; detection: kill -9 of" \
	    "host 0, to the start of each of its services elsewhere (ms)."
	echo
	echo "| hosts x services | model | failsh cpu | faild cpu | etcd cpu" \
	    "(/proc; its metric) | total cpu | faild requests/s | etcd msgs/s" \
	    "(RPCs/s) | detection p50 / max | not moved | marks in window |" \
	    "all up after | load |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	for size in $COST_SIZES; do
		for m in $COST_MODELS; do
			awk -v m="$m" -v h="${size%x*}" -v s="${size#*x}" \
			    -v l="${CL[$size.$m]}" '$3 == m && $4 == h && $5 == s {
			    printf "| %dx%d | %s | %.1f%% | %.1f%% | %s | %.1f%% |" \
			        " %d | %s | %s / %s | %d | %d | %s | %s |\n",
			        h, s, m, $6, $7, (m == "etcd" ? sprintf("%.1f%%;" \
			        " %.1f%%", $8, $9) : "-"), $6 + $7 + $8, $10,
			        (m == "etcd" ? $11 " (" $12 ")" : "-"), $13, $14,
			        $15, $16, ($18 < 0 ? "never" : sprintf("%.1f s", $18 / 1000)), l }' "$res"
		done
	done
	echo
fi

echo "Took $(($(date +%s) - t_start)) s; load at the end $(load)."
