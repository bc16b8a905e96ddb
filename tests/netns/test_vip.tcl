# test_vip.tcl: a service address that moves between real hosts. The test
# builds its own network: a switch namespace with a bridge, host
# namespaces a and b (each running faild and failsh with the
# samples/ipfailover-linux policy), and a client namespace that asks the
# address every 10 ms which host answers. Addresses in 198.18.0.0/24
# only, and for IPv6 in 2001:2::/64 (the IPv6 benchmarking prefix). Everything is removed at the end, also when a test fails. Needs
# root (ip netns); skipped with a message otherwise.

set ::here [file normalize [file dirname [info script]]]
source [file join $::here .. integration harness.tcl]

set ::netns_ok [expr {[exec id -u] == 0 && [auto_execok ip] ne ""}]
set ::vip 198.18.0.50
set ::vip6 2001:2::50
set ::netns_tag fo
source [file join $::here netns.tcl]

# The network: switch, hosts a (198.18.0.1) and b (.2), client c (.100),
# and with -quorum a witness q (.3).
proc net_up {args} {
	net_down
	# every test starts from fresh hosts: no state from the one before
	foreach h {a b} {
		file delete $::tmpdir/$h/state $::tmpdir/$h/state.journal
	}
	set hosts {a 198.18.0.1 b 198.18.0.2 c 198.18.0.100}
	if {"-quorum" in $args} {
		lappend hosts q 198.18.0.3
	}
	netns_switch $hosts -v6
}

proc net_down {} {
	foreach h {sw a b c q} {
		catch {exec ip netns del [ns $h]}
	}
}

# Cut or restore a host's link, at the switch.
proc link {h updown} {
	nsexec sw ip link set fo$::pfx$h $updown
}

# faild and failsh on host h, with the sample policy (and EXTRA); with
# ECHO6, an IPv6 responder too.
proc start_host {h {extra ""} {echo6 0}} {
	set dir $::tmpdir/$h
	file mkdir $dir
	set policy [read_file [file join $harness::srcdir \
	    samples/ipfailover-linux/vip.tcl]]
	regsub -line {^set interval .*$} $policy "set interval 0.1" policy
	regsub -line {^set interface .*$} $policy "set interface eth0" policy
	regsub -line {^set address .*$} $policy "set address $::vip/24" policy
	regsub -line {^set host1 .*$} $policy "set host1 198.18.0.1" policy
	regsub -line {^set host2 .*$} $policy "set host2 198.18.0.2" policy
	write_file $dir/vip.tcl "$policy\n$extra" 0644
	set cmd [list ip netns exec [ns $h] $::faild -F -s $dir/state -r ""]
	set f [dict create name faild-$h log $dir/faild.log cmd $cmd]
	set f [harness::spawn_daemon $f $cmd 1]
	set cmd [list ip netns exec [ns $h] $::failsh -F \
	    -N [expr {$h eq "a" ? "host1" : "host2"}] -f $dir/vip.tcl \
	    -m none -D 127.0.0.1:1849 -i "" -l $dir/dump]
	set s [harness::spawn_daemon [dict create name failsh-$h \
	    log $dir/failsh.log cmd $cmd] $cmd 1]
	# a UDP responder saying who it is, on every address of the host
	set r [harness::spawn_daemon [dict create name echo-$h \
	    log $dir/echo.log] [list ip netns exec [ns $h] tclsh8.6 \
	    [file join $::here vip_echo.tcl] $h] 1]
	if {$echo6} {
		harness::spawn_daemon [dict create name echo6-$h \
		    log $dir/echo6.log] [list ip netns exec [ns $h] tclsh8.6 \
		    [file join $::here vip_echo.tcl] $h ipv6] 1
	}
	return [list $f $s $r]
}

# The prober: asks the address every 10 ms, prints "ms host" per answer;
# over UDP (vip_probe.tcl), or with "tcp" as a client holding a TCP
# conversation (vip_tcp_probe.tcl).
proc start_prober {{address ""} {proto udp}} {
	if {$address eq ""} {
		set address $::vip
	}
	set dir $::tmpdir/c
	file mkdir $dir
	set p [dict create name probe log $dir/probe.[incr harness::seq].log]
	set prog [expr {$proto eq "tcp" ? "vip_tcp_probe.tcl" : "vip_probe.tcl"}]
	return [harness::spawn_daemon $p [list ip netns exec [ns c] tclsh8.6 \
	    [file join $::here $prog] $address] 1]
}

# Who answered in the last MS milliseconds: each change, as {ms host}.
proc changes {p ms} {
	set since [expr {[clock milliseconds] - $ms}]
	set out {}
	foreach line [split [daemon_log $p] \n] {
		if {[scan $line "%d %s" t h] == 2 && $t >= $since &&
		    [lindex $out end 1] ne $h} {
			lappend out [list $t $h]
		}
	}
	return $out
}

# The hosts that answered in the last MS milliseconds, in order.
proc answered {p ms} {
	set who {}
	foreach c [changes $p $ms] {
		lappend who [lindex $c 1]
	}
	return $who
}

proc has_vip {h} {
	return [string match "*$::vip/*" [nsexec $h ip -br addr show eth0]]
}

if {!$::netns_ok} {
	puts "netns tests need root and iproute2: skipped"
	harness_done
}

test "master's link cut: the slave answers; restored: the master takes the address back" {
	net_up
	try {
		start_host a
		start_host b
		set p [start_prober]
		wait_for {[answered $p 300] eq "a"} 10000 "a never answered alone"
		assert_true {![has_vip b]} "b holds the address too"
		link a down
		# b alone, its announcements over (each repeats for 1 s)
		wait_for {[answered $p 1200] eq "b"} 5000 "b never answered"
		link a up
		wait_for {[answered $p 300] eq "a" && ![has_vip b]} 10000 \
		    "a never took the address back"
		# a, then b while a was cut off, then a. Both hold the address
		# while the link is cut (a cannot know); when it heals, until
		# the next polls get through (ARP of the peer first), the
		# client may reach either, so a and b may alternate briefly
		# before a re-announces and b lets go.
		set seq [answered $p 60000]
		assert_match {a b*a} $seq "who answered: [changes $p 60000]"
		assert_true {[llength $seq] <= 7} "flapping: [changes $p 60000]"
	} finally {
		net_down
	}
}

# The failback a client sees. The master's link is cut, the slave takes
# the address; the link comes back. The master never lost the address
# (it could not know), so only its announcement moves the client back:
# a client in a TCP conversation keeps its neighbour entry confirmed and
# would go on sending to the slave, which lets the address go, until the
# entry expires (10 to 46 s). When the slave's poll reaches the master
# first, the slave stops before the master ever sees it UP; the trials
# make that order certain (b drops a's polls while the link comes back),
# and the master must announce when it sees its slave again, whatever the
# slave's state by then.
proc drop_polls_from_a {on} {
	foreach proto {udp tcp} {
		nsexec b iptables [expr {$on ? "-I" : "-D"}] INPUT \
		    -s 198.18.0.1 -p $proto --dport 1847 -j DROP
	}
}

test "failback with a TCP client: answered again within a second of every restore, 3 times" {
	if {[auto_execok iptables] eq ""} { skip "no iptables" }
	net_up
	try {
		start_host a
		start_host b
		set p [start_prober $::vip tcp]
		# each announcement repeats for a second: let them end
		wait_for {[answered $p 1200] eq "a"} 10000 "a never answered alone"
		for {set i 1} {$i <= 3} {incr i} {
			link a down
			wait_for {[answered $p 1200] eq "b"} 5000 \
			    "trial $i: b never answered alone"
			drop_polls_from_a 1
			link a up
			# b sees a UP and lets the address go; a hears nothing
			wait_for {![has_vip b]} 5000 "trial $i: b kept the address"
			set t0 [clock milliseconds]
			drop_polls_from_a 0
			wait_for {[answered $p 300] eq "a"} 5000 \
			    "trial $i: a never took the client back:\
			    [changes $p [expr {[clock milliseconds] - $t0 + 3000}]]"
			set since [expr {[clock milliseconds] - $t0}]
			assert_true {"b" ni [answered $p $since]} \
			    "trial $i: b answered after it let go: [changes $p $since]"
			set gap [expr {[lindex [changes $p $since] 0 0] - $t0}]
			puts "  trial $i: answered by a $gap ms after a could hear b"
			assert_true {$gap < 1500} "trial $i: $gap ms"
		}
	} finally {
		net_down
	}
}

# failip announces an address again when its link's carrier comes back:
# while a's link was down the client may have been told another MAC (here
# a wrong one, set by hand); without the announcement it would keep it
# for as long as the entry stays REACHABLE (15 to 45 s). The client has
# no conversation open meanwhile, so that nothing else a sends it (a
# retransmission from the address) corrects its entry by chance.
test "link back on the owner: failip announces the address again" {
	net_up
	try {
		lassign [start_host a] - sa
		start_host b
		set p [start_prober $::vip tcp]
		wait_for {[answered $p 1200] eq "a"} 10000 "a never answered alone"
		kill_daemon $p
		wait_for {[nsexec a ss -Htn state connected dst 198.18.0.100] eq ""} \
		    5000 "a still talks to the client"
		link a down
		nsexec c ip neigh replace $::vip lladdr 02:00:00:00:00:99 \
		    dev eth0 nud reachable
		set t0 [clock milliseconds]
		link a up
		set p [start_prober $::vip tcp]
		wait_for {[answered $p 200] eq "a"} 3000 \
		    "the client never came back to a: [nsexec c ip neigh]"
		puts "  a answered again [expr {[lindex [changes $p \
		    [expr {[clock milliseconds] - $t0}]] 0 0] - $t0}] ms after\
		    the link came back"
		wait_for_log $sa "*failip: eth0 is up again, announcing*"
		assert_true {![has_vip b]} "b took the address"
	} finally {
		net_down
	}
}

# The same policy for an IPv6 address, as a second service.
set ::policy6 {
proc vip6_start {} {
	failip add $::interface 2001:2::50/64
	return UP
}
proc vip6_stop {} {
	failip del $::interface 2001:2::50/64
	return RECOVER
}
failsvc vip6 masters host1
failsvc vip6 slaves host2
failsvc vip6 interval $interval
failsvc vip6 start vip6_start
failsvc vip6 stop vip6_stop
}

proc mac {h} {
	return [string trim [nsexec $h cat /sys/class/net/eth0/address]]
}

# The client's neighbour entry for the IPv6 address: its link address.
proc client_neigh6 {} {
	regexp {lladdr (\S+)} [nsexec c ip -6 neigh show $::vip6] -> l
	return [expr {[info exists l] ? $l : ""}]
}

test "IPv6: the new owner's neighbour advertisement moves the client at once" {
	net_up
	try {
		start_host a $::policy6 1
		start_host b $::policy6 1
		set p [start_prober $::vip6]
		wait_for {[answered $p 300] eq "a"} 10000 "a never answered alone"
		assert_equal [mac a] [client_neigh6]
		link a down
		# Without the advertisement the client would go on sending to
		# a's link address until its neighbour entry expires (5 s and
		# more: DELAY, then PROBE); b answers long before that.
		set t0 [clock milliseconds]
		wait_for {[lindex [answered $p 200] end] eq "b"} 3000 \
		    "b never answered: neighbour entry [client_neigh6]"
		assert_equal [mac b] [client_neigh6]
		puts "  b answered [expr {[clock milliseconds] - $t0}] ms after the cut"
	} finally {
		net_down
	}
}

# Hosts a and b stop hearing each other (both still reach the client).
proc partition {on} {
	set op [expr {$on ? "-A" : "-D"}]
	nsexec a iptables $op INPUT -s 198.18.0.2 -j DROP
	nsexec b iptables $op INPUT -s 198.18.0.1 -j DROP
}

test "partition with both hosts alive, then heal: one owner, which re-announces" {
	net_up
	try {
		lassign [start_host a] - sa
		lassign [start_host b] - sb
		set p [start_prober]
		wait_for {[answered $p 300] eq "a"} 10000 "a never answered alone"
		partition 1
		# b cannot see a: it takes the address and announces it; a
		# cannot see b and keeps it: both hold it while cut apart
		wait_for {[has_vip b] && [lindex [answered $p 200] end] eq "b"} \
		    5000 "b never took the address"
		assert_true {[has_vip a]}
		partition 0
		wait_for {![has_vip b] && [answered $p 300] eq "a"} 10000 \
		    "a never became the one owner again"
		assert_true {[has_vip a]}
		wait_for_log $sa "*service vip: UP, re-announced*"
		wait_for_log $sb "*service vip: UP -> RECOVER*"
	} finally {
		net_down
	}
}

test "master's failsh killed or stopped: no takeover, the address stays" {
	net_up
	try {
		lassign [start_host a] fa sa
		start_host b
		set p [start_prober]
		wait_for {[answered $p 300] eq "a"} 10000 "a never answered alone"
		kill_daemon $sa
		# b keeps polling a's faild, which still says UP
		wait_runs_in b 20
		assert_equal a [answered $p 2000]
		assert_true {![has_vip b]} "b took the address"
		set sa [harness::spawn_daemon $sa [dict get $sa cmd] 1]
		# stopped for less than the dead time (3 x 0.1 s)
		pause_daemon $sa
		wait_runs_in b 1
		resume_daemon $sa
		wait_runs_in b 20
		assert_equal a [answered $p 4000]
		assert_true {![has_vip b]} "b took the address"
	} finally {
		net_down
	}
}

# What host h's faild holds of the service vip: its get answer.
proc vip_state {h} {
	return [nsexec $h $::failstat -j 127.0.0.1 vip]
}

# a holds the address and has published it (not only answered).
proc a_owner {p} {
	return [expr {[answered $p 300] eq "a" &&
	    [string match {*"state": "UP"*} [catch {vip_state a} r; set r]]}]
}

# Hosts a and b with the sample, a TCP client, and a the owner: returns
# {fa sa fb sb p} (faild and failsh of a and b, the prober).
proc a_owns_with_client {} {
	lassign [start_host a] fa sa
	lassign [start_host b] fb sb
	set p [start_prober $::vip tcp]
	wait_for {[a_owner $p]} 10000 "a never answered alone"
	return [list $fa $sa $fb $sb $p]
}

proc respawn {h} {
	return [harness::spawn_daemon $h [dict get $h cmd] 1]
}

# Wait for COND, and meanwhile check every few ms that the two hosts
# never hold the address at once; returns the number of checks made.
proc never_both {cond timeout_ms what} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	set n 0
	while {![uplevel 1 [list expr $cond]]} {
		if {[has_vip a] && [has_vip b]} {
			fail "both hosts hold the address ($what)"
		}
		incr n
		if {[clock milliseconds] > $deadline} {
			fail "$what: not done after $timeout_ms ms"
		}
	}
	return $n
}

# The master reboots while it holds the address: its failsh and faild
# die, the address goes with the kernel's state; b takes over. They come
# back in ORDER with the state file kept, b runs meanwhile.
proc reboot_master {order} {
	net_up
	try {
		lassign [a_owns_with_client] fa sa fb sb p
		kill_daemon $sa
		kill_daemon $fa
		nsexec a ip addr del $::vip/24 dev eth0
		wait_for {[answered $p 300] eq "b"} 5000 "b never took over"
		if {$order eq "faild first"} {
			set fa [respawn $fa]
			wait_runs_in b 10
			assert_true {[has_vip b] && ![has_vip a]}
			set sa [respawn $sa]
		} else {
			set sa [respawn $sa]
			wait_runs_in a 10
			assert_true {[has_vip b] && ![has_vip a]}
			set fa [respawn $fa]
		}
		never_both {[has_vip a] && ![has_vip b] &&
		    [answered $p 300] eq "a"} 10000 "a back, $order"
		wait_for_log $sa "*vip: UP -> RECOVER (slave host2 UP, took over\
		    meanwhile: stopping here first, stop ok)*"
	} finally {
		net_down
	}
}

test "master reboots, faild first: never two owners, the client ends on a" {
	reboot_master "faild first"
}

test "master reboots, failsh first: never two owners, the client ends on a" {
	reboot_master "failsh first"
}

test "failsh without its faild never takes the address" {
	net_up
	try {
		lassign [start_host b] fb sb
		stop_daemon $fb
		stop_daemon $sb
		set sb [respawn $sb]
		wait_runs_in b 20
		assert_true {![has_vip b]} "b took the address without its faild"
		wait_for_log $sb "*vip: the local faild does not answer*"
		set fb [respawn $fb]
		wait_for {[has_vip b]} 5000 "b never took it with its faild"
	} finally {
		net_down
	}
}

# A stall of the whole master (faild and failsh stopped) for twice the
# dead time: b takes over; when a resumes it re-polls, finds b, and
# takes its address off at once. Documented bound (failsh(8)): two poll
# timeouts and the stop script after the process runs again.
test "master stalled for twice the dead time: the overlap after it resumes stays within the bound" {
	net_up
	try {
		lassign [a_owns_with_client] fa sa fb sb p
		pause_daemon $fa
		pause_daemon $sa
		wait_for {[has_vip b]} 5000 "b never took over"
		# 2 x the dead time (3 x 0.1 s) since the stall began
		wait_runs_in b 6
		set t0 [clock milliseconds]
		resume_daemon $fa
		resume_daemon $sa
		wait_for {![has_vip a] || ![has_vip b]} 5000 "both kept it"
		set both [expr {[clock milliseconds] - $t0}]
		puts "  both held the address for $both ms after the resume"
		assert_true {$both <= 2 * 100 + 500} "overlap $both ms"
		wait_for_log $sa "*vip: stalled * ms, re-polling*"
		# then one owner, a (the master), and the client with it
		wait_for {[has_vip a] && ![has_vip b] && [answered $p 300] eq "a"} \
		    10000 "a never the one owner again"
	} finally {
		net_down
	}
}

test "5% packet loss both ways, all hosts alive: no takeover" {
	if {[auto_execok iptables] eq ""} { skip "no iptables" }
	net_up
	try {
		start_host a
		lassign [start_host b] fb sb
		set p [start_prober]
		wait_for {[answered $p 300] eq "a"} 10000 "a never answered alone"
		foreach h {a b} {
			nsexec $h iptables -A INPUT -m statistic --mode random \
			    --probability 0.05 -j DROP
		}
		# 150 runs of b at 0.1 s: 15 s of polls through the loss
		wait_runs_in b 150
		assert_equal 0 [regexp -all {vip: RECOVER -> UP} \
		    [daemon_log $sb]] "takeovers by b"
		assert_true {![has_vip b]} "b holds the address"
		assert_equal a [answered $p 3000]
	} finally {
		net_down
	}
}

test "quorum: a host cut off from the quorum host does not take the address" {
	net_up -quorum
	try {
		set q "failhost q address 198.18.0.3
			failsvc vip quorum q"
		start_host a $q
		start_host b $q
		set f [dict create name faild-q log $::tmpdir/q.log]
		harness::spawn_daemon $f [list ip netns exec [ns q] $::faild \
		    -F -s $::tmpdir/q.state -r ""] 1
		set p [start_prober]
		wait_for {[answered $p 300] eq "a"} 10000 "a never answered alone"
		# b alone on its side: a and q unreachable
		link b down
		wait_runs_in b 20
		assert_true {![has_vip b]} "b took the address without quorum"
		assert_equal a [answered $p 2000]
		# with the quorum host reachable, b would have: cut a instead
		link b up
		link a down
		wait_for {[lindex [answered $p 300] end] eq "b"} 5000 \
		    "b did not take over with quorum"
	} finally {
		net_down
	}
}

harness_done
