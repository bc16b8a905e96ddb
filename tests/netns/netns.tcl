# netns.tcl: what the network-namespace tests share, sourced after the
# harness. A test sets ::netns_tag (two letters naming its namespaces and
# veths) first. The network: a switch namespace with a bridge and a host
# namespace per host on it, addresses in 198.18.0.0/24 (and with -v6 in
# 2001:2::/64) only.

set ::pfx [format %04x [expr {[pid] & 0xffff}]]	;# names of this run

proc ns {name} {
	return $::netns_tag$::pfx-$name
}

proc nsexec {name args} {
	return [exec ip netns exec [ns $name] {*}$args]
}

# netns_switch HOSTS ?-v6?: the switch and, for each {name address} of
# HOSTS, a host namespace with eth0 on the bridge; with -v6 also the
# address 2001:2::LAST (LAST: the IPv4 address's last byte).
proc netns_switch {hosts args} {
	exec ip netns add [ns sw]
	nsexec sw ip link add br0 type bridge
	nsexec sw ip link set br0 up
	foreach {h addr} $hosts {
		set veth $::netns_tag$::pfx$h
		exec ip netns add [ns $h]
		exec ip link add $veth type veth peer name eth0 netns [ns $h]
		exec ip link set $veth netns [ns sw]
		nsexec sw ip link set $veth master br0
		nsexec sw ip link set $veth up
		nsexec $h ip link set lo up
		nsexec $h ip addr add $addr/24 dev eth0
		if {"-v6" in $args} {
			nsexec $h ip addr add \
			    2001:2::[lindex [split $addr .] end]/64 dev eth0 nodad
		}
		nsexec $h ip link set eth0 up
	}
}

# The runs failsh on host h has made (its control port, in h's namespace).
proc runs_in {h} {
	set a [nsexec $h tclsh8.6 << {
		set s [socket 127.0.0.1 1849]
		puts $s "1 stats"; flush $s
		puts [gets $s]
	}]
	regexp { runs (\d+)} $a -> n
	return $n
}

# Let failsh on h make N more runs: time passes at its pace.
proc wait_runs_in {h n} {
	set until [expr {[runs_in $h] + $n}]
	wait_for {[runs_in $h] >= $until} [expr {$n * 200 + 5000}] \
	    "fewer than $n runs on $h"
}
