# etcd_netns.tcl: a 3-member etcd cluster (Debian's etcd-server 3.4) in
# network namespaces, client hosts beside it, and the faults of issue 14's
# tests: kill, stop/continue, link cut, iptables partitions and packet
# loss. Source it after harness.tcl and netns.tcl (with ::netns_tag set).
#
# The network (netns_switch): members e1 e2 e3 at 198.18.0.11-13, hosts
# h1 h2 ... at 198.18.0.21..., all on one bridge; etcd listens on
# ADDR:2379 (clients) and ADDR:2380 (peers) with heartbeat 50 ms and
# election timeout 500 ms, its data under the harness's temp dir. The test
# process itself cannot reach these addresses: every request runs inside
# a namespace (etcdctl_in, etcdtool_in, nsexec). Everything goes away in
# etcdns_down (call it in a test's finally), at exit, and, should tclsh
# be killed, from a watchdog that kills what still runs in our namespaces
# and deletes them.
#
#   etcdns_up NHOSTS
#	build the network (members and NHOSTS hosts), start the members,
#	wait (15 s at most) until each is healthy and a leader is agreed.
#   etcdns_run NHOSTS BODY
#	the body of a test: etcdns_up, BODY in the caller's scope, and
#	etcdns_down whatever happens; when BODY fails, the tail of each
#	member's log first (etcdns_down makes the harness forget them).
#   etcdns_down
#	kill every process left in our namespaces (etcd resumed first, so
#	a stopped one dies too) and delete the namespaces; no error when
#	there is nothing.
#   etcdns_members / etcdns_hosts
#	the names: {e1 e2 e3} / {h1 h2 ...}.
#   etcdns_addr NAME
#	the address of a member or host.
#   etcdns_url M / etcdns_urls ?MEMBERS?
#	a member's client URL / the comma-separated URLs of MEMBERS (all by
#	default), the -e of etcdtool.
#   etcdns_start_member M
#	start (or restart, on its data) member M's etcd; a harness daemon
#	named etcd-M whose log the harness shows when a test fails.
#   etcdns_healthy M
#	1 when M answers /health with "true" within 1 s (asked from M's own
#	namespace).
#   etcdns_wait_healthy MEMBERS ?MS?
#	wait until each of MEMBERS is healthy (10 s by default), else fail.
#   etcdns_status M
#	M's own view (etcdctl endpoint status, asked in M's namespace) as
#	a dict: id leader term; an error when it does not answer in 2 s.
#   etcdns_leader
#	the member that a majority of the members (running, not stopped)
#	name as leader, "" when no majority agrees.
#   etcdns_agreed
#	the leader when every member runs, answers and names the same
#	one, "" otherwise: the cluster whole again after a fault (a member
#	back from isolation may call an election with its higher term, so
#	the leader then need not be the one before).
#   etcdns_wait_leader ?NOT? ?MS?
#	wait for an agreed leader other than the member NOT (any with "")
#	for MS ms (10 s by default), else fail; returns {member ms_waited}.
#   etcdctl_in NS ARG ...
#	etcdctl (API 3) run in namespace NS (a member or host name) against
#	all members unless ARG has --endpoints; returns its output, an error
#	when it fails.
#   etcdtool_in NS ARG ...
#	tests/helpers/etcdtool run in namespace NS; returns its run_prog
#	dict (code stdout stderr) with ms, the time it took, added.
#   etcdns_kill M
#	kill -9 member M and wait until it is gone.
#   etcdns_pause M / etcdns_resume M
#	SIGSTOP / SIGCONT member M's etcd (etcdns_leader skips a paused
#	member).
#   netns_link NAME down|up
#	cut or restore the link of a member or host (its veth at the
#	switch: the namespace keeps its address and routes, packets vanish).
#   netns_partition NAME OTHERS / netns_heal NAME
#	drop, with iptables inside NAME's namespace, every packet between
#	NAME and each of OTHERS (names), both ways; heal removes them all.
#   netns_loss NAME PERCENT / netns_loss_clear NAME
#	drop PERCENT % of the packets leaving and of those entering NAME on
#	its link (iptables -m statistic --mode random), each way drawn on
#	its own; clear removes it.
#
# The iptables rules live in two chains of each namespace, PART and LOSS,
# jumped to from INPUT (-i eth0) and OUTPUT (-o eth0): loopback traffic
# inside a namespace is never touched, and healing one fault keeps the
# other.

namespace eval etcdns {
	variable members {e1 e2 e3}
	variable hosts {}
	variable daemons		;# member -> harness handle
	array set daemons {}
	variable paused			;# member -> 1 while SIGSTOPped
	array set paused {}
	variable etcdtool [file normalize [file join $harness::builddir \
	    tests/helpers/etcdtool]]
	variable watchdog ""
}

proc etcdns_members {} {
	return $etcdns::members
}

proc etcdns_hosts {} {
	return $etcdns::hosts
}

proc etcdns_addr {name} {
	if {[regexp {^e([1-9])$} $name -> i]} {
		return 198.18.0.[expr {10 + $i}]
	}
	if {[regexp {^h([1-9][0-9]?)$} $name -> i]} {
		return 198.18.0.[expr {20 + $i}]
	}
	error "etcdns: no such member or host \"$name\""
}

proc etcdns_url {m} {
	return http://[etcdns_addr $m]:2379
}

proc etcdns_urls {{ms ""}} {
	if {$ms eq ""} {
		set ms $etcdns::members
	}
	set urls {}
	foreach m $ms {
		lappend urls [etcdns_url $m]
	}
	return [join $urls ,]
}

# Our namespaces as they exist now (the switch, members, hosts of any
# earlier etcdns_up of this run too).
proc etcdns::namespaces {} {
	set out {}
	foreach line [split [exec ip netns list] \n] {
		set n [lindex $line 0]
		if {[string match $::netns_tag$::pfx-* $n]} {
			lappend out $n
		}
	}
	return $out
}

# The watchdog: when tclsh is gone (killed, so no exit ran), kill what
# runs in our namespaces and delete them.
proc etcdns::start_watchdog {} {
	variable watchdog
	set script {
		trap '' INT HUP
		while kill -0 "$1" 2>/dev/null; do sleep 1; done
		for n in $(ip netns list | awk '{print $1}'); do
			case $n in
			"$2"*)	ip netns pids "$n" | xargs -r kill -9
				ip netns del "$n" ;;
			esac
		done
	}
	set watchdog [exec sh -c $script etcdns-watchdog [pid] \
	    $::netns_tag$::pfx- </dev/null >/dev/null 2>/dev/null &]
}

proc etcdns_up {nhosts} {
	etcdns_down
	set etcdns::hosts {}
	set net {}
	foreach m $etcdns::members {
		lappend net $m [etcdns_addr $m]
	}
	for {set i 1} {$i <= $nhosts} {incr i} {
		lappend etcdns::hosts h$i
		lappend net h$i [etcdns_addr h$i]
	}
	netns_switch $net
	foreach n [concat $etcdns::members $etcdns::hosts] {
		foreach chain {PART LOSS} {
			nsexec $n iptables -N $chain
			nsexec $n iptables -A INPUT -i eth0 -j $chain
			nsexec $n iptables -A OUTPUT -o eth0 -j $chain
		}
	}
	file mkdir $::tmpdir/etcdns
	foreach m $etcdns::members {
		file delete -force $::tmpdir/etcdns/$m
		etcdns_start_member $m
	}
	etcdns_wait_healthy $etcdns::members 15000
	etcdns_wait_leader "" 5000
}

proc etcdns_run {nhosts body} {
	set code [catch {
		etcdns_up $nhosts
		uplevel 1 $body
	} msg opts]
	if {$code == 1} {
		foreach m $etcdns::members {
			set log $::tmpdir/etcdns/$m/log
			puts "  --- tail of $log (etcd $m) ---"
			foreach line [lrange [split [string trimright \
			    [read_file $log] \n] \n] end-14 end] {
				puts "  | $line"
			}
		}
	}
	etcdns_down
	return -options $opts $msg
}

proc etcdns_down {} {
	foreach m [array names etcdns::daemons] {
		catch {exec kill -CONT [dict get $etcdns::daemons($m) pid]}
		catch {exec kill -KILL [dict get $etcdns::daemons($m) pid]}
		catch {harness::wait_dead $etcdns::daemons($m) 5000}
		harness::forget $etcdns::daemons($m)
		unset etcdns::daemons($m)
	}
	array unset etcdns::paused
	foreach n [etcdns::namespaces] {
		catch {exec ip netns pids $n} pids
		foreach p $pids {
			if {[string is integer -strict $p]} {
				catch {exec kill -KILL $p}
			}
		}
		catch {exec ip netns del $n}
	}
}

proc etcdns_start_member {m} {
	set dir $::tmpdir/etcdns/$m
	file mkdir $dir
	set a [etcdns_addr $m]
	set cluster {}
	foreach o $etcdns::members {
		lappend cluster $o=http://[etcdns_addr $o]:2380
	}
	set cmd [list ip netns exec [ns $m] etcd --name $m \
	    --data-dir $dir/data \
	    --listen-client-urls http://$a:2379 \
	    --advertise-client-urls http://$a:2379 \
	    --listen-peer-urls http://$a:2380 \
	    --initial-advertise-peer-urls http://$a:2380 \
	    --initial-cluster [join $cluster ,] --initial-cluster-state new \
	    --initial-cluster-token [ns etcd] \
	    --heartbeat-interval 50 --election-timeout 500]
	# ip netns exec execs etcd: the pid is etcd's
	set pid [exec {*}$cmd </dev/null >>& $dir/log &]
	set h [adopt [dict create name etcd-$m pid $pid log $dir/log \
	    offset [file size $dir/log]]]
	set etcdns::daemons($m) $h
	unset -nocomplain etcdns::paused($m)
	return $h
}

proc etcdns_healthy {m} {
	set r [run_prog -timeout 3000 ip netns exec [ns $m] curl -s \
	    --max-time 1 [etcdns_url $m]/health]
	return [string match {*"health":"true"*} [dict get $r stdout]]
}

proc etcdns_wait_healthy {ms {timeout_ms 10000}} {
	foreach m $ms {
		wait_for {[etcdns_healthy $m]} $timeout_ms "etcd $m healthy"
	}
}

proc etcdctl_in {ns args} {
	set opts {--dial-timeout 1s --command-timeout 2s}
	if {[lsearch -glob $args --endpoints*] < 0} {
		lappend opts --endpoints [etcdns_urls]
	}
	set r [run_prog -timeout 5000 ip netns exec [ns $ns] env \
	    ETCDCTL_API=3 etcdctl {*}$opts {*}$args]
	if {[dict get $r code] ne "0"} {
		error "etcdctl $args in $ns: [string trim [dict get $r stderr]]"
	}
	return [string trim [dict get $r stdout]]
}

proc etcdtool_in {ns args} {
	set t0 [clock milliseconds]
	set r [run_prog -timeout 30000 ip netns exec [ns $ns] \
	    $etcdns::etcdtool {*}$args]
	dict set r ms [expr {[clock milliseconds] - $t0}]
	return $r
}

proc etcdns_status {m} {
	set out [etcdctl_in $m --endpoints [etcdns_url $m] endpoint status \
	    -w json]
	set s [dict get [lindex [json_parse $out] 0] Status]
	return [dict create id [dict get $s header member_id] \
	    leader [dict get $s leader] term [dict get $s raftTerm]]
}

proc etcdns_leader {} {
	set names [dict create]
	set votes [dict create]
	foreach m $etcdns::members {
		if {![info exists etcdns::daemons($m)] ||
		    [info exists etcdns::paused($m)] ||
		    ![daemon_alive $etcdns::daemons($m)] ||
		    [catch {etcdns_status $m} st]} {
			continue
		}
		dict set names [dict get $st id] $m
		dict incr votes [dict get $st leader]
	}
	set quorum [expr {[llength $etcdns::members] / 2 + 1}]
	dict for {id n} $votes {
		if {$n >= $quorum && [dict exists $names $id]} {
			return [dict get $names $id]
		}
	}
	return ""
}

proc etcdns_agreed {} {
	set names [dict create]
	set leaders {}
	foreach m $etcdns::members {
		if {![info exists etcdns::daemons($m)] ||
		    [info exists etcdns::paused($m)] ||
		    [catch {etcdns_status $m} st]} {
			return ""
		}
		dict set names [dict get $st id] $m
		lappend leaders [dict get $st leader]
	}
	set leaders [lsort -unique $leaders]
	if {[llength $leaders] != 1 || ![dict exists $names $leaders]} {
		return ""
	}
	return [dict get $names $leaders]
}

proc etcdns_wait_leader {{not ""} {timeout_ms 10000}} {
	set t0 [clock milliseconds]
	wait_for {[set l [etcdns_leader]] ne "" && $l ne $not} $timeout_ms \
	    "a leader[expr {$not ne "" ? " other than $not" : ""}]"
	return [list $l [expr {[clock milliseconds] - $t0}]]
}

proc etcdns_kill {m} {
	set h $etcdns::daemons($m)
	catch {exec kill -CONT [dict get $h pid]}
	kill_daemon $h KILL
	unset etcdns::daemons($m)
	unset -nocomplain etcdns::paused($m)
}

proc etcdns_pause {m} {
	pause_daemon $etcdns::daemons($m)
	set etcdns::paused($m) 1
}

proc etcdns_resume {m} {
	resume_daemon $etcdns::daemons($m)
	unset -nocomplain etcdns::paused($m)
}

proc netns_link {name updown} {
	nsexec sw ip link set $::netns_tag$::pfx$name $updown
}

proc netns_partition {name others} {
	foreach o $others {
		set a [etcdns_addr $o]
		nsexec $name iptables -A PART -s $a -j DROP
		nsexec $name iptables -A PART -d $a -j DROP
	}
}

proc netns_heal {name} {
	nsexec $name iptables -F PART
}

proc netns_loss {name percent} {
	nsexec $name iptables -A LOSS -m statistic --mode random \
	    --probability [expr {$percent / 100.0}] -j DROP
}

proc netns_loss_clear {name} {
	nsexec $name iptables -F LOSS
}

# At exit (harness_done, a harness error): our namespaces go before the
# harness's own clean-up, then the watchdog, no longer needed.
rename exit etcdns::exit
proc exit {{code 0}} {
	catch etcdns_down
	catch {exec kill -KILL $etcdns::watchdog}
	etcdns::exit $code
}

etcdns::start_watchdog
