# bench/netns.sh: what the namespace benchmarks (vip.sh, hosting.sh) share,
# sourced by them: bench/common.sh, and the network of a switch
# namespace with a bridge and hosts a, b and c on it. The script sets
# PFX (the namespaces' prefix), A, B and C (the hosts' addresses) and tmp
# (its temporary directory) before it calls net_up or cleanup.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ns() { echo "$PFX-$1"; }
nsx() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

# Kill every process in namespace H (all started by the benchmark).
kill_ns() {
	local p i
	for i in $(seq 100); do
		p=$(ip netns pids "$(ns "$1")" 2>/dev/null)
		[ -n "$p" ] || return 0
		kill -KILL $p 2>/dev/null
		sleep 0.02
	done
}
net_down() {
	local h
	for h in a b c sw; do
		ip netns list | grep -q "^$(ns $h)\b" || continue
		kill_ns $h
		ip netns del "$(ns $h)" 2>/dev/null
	done
}
# At exit: the namespaces go, and tmp unless KEEP=1.
cleanup() {
	net_down
	if [ "${KEEP:-0}" = 1 ]; then
		note "$BENCH: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}

net_up() {
	local h addr
	ip netns add "$(ns sw)" || die "ip netns add"
	nsx sw ip link add br0 type bridge
	nsx sw ip link set br0 up
	for h in a b c; do
		case $h in a) addr=$A ;; b) addr=$B ;; c) addr=$C ;; esac
		ip netns add "$(ns $h)"
		ip link add "$PFX$h" type veth peer name eth0 netns "$(ns $h)"
		ip link set "$PFX$h" netns "$(ns sw)"
		nsx sw ip link set "$PFX$h" master br0
		nsx sw ip link set "$PFX$h" up
		nsx $h ip link set lo up
		nsx $h ip addr add $addr/24 dev eth0
		nsx $h ip link set eth0 up
	done
}

