# test_etcd_netns.tcl: the groundwork of issue 14's fault tests, checked
# with real etcd: a 3-member cluster in network namespaces with client
# hosts beside it (etcd_netns.tcl), and its faults seen from the hosts
# through tests/helpers/etcdtool: kill -9 and SIGSTOP of the leader, a
# host and a member cut off from the majority by iptables (leader
# required, a lease kept alive from the cut-off side expiring), 5 %
# packet loss; then the overlap checker (tests/helpers/overlap) end to
# end, over owner loops that take an etcd key on their lease: one that
# fences itself before its lease can expire shows no overlap across a
# partition, a naive one is caught. Needs root; skipped otherwise.

set ::here [file normalize [file dirname [info script]]]
source [file join $::here .. integration harness.tcl]

set ::netns_ok [expr {[exec id -u] == 0 && [auto_execok ip] ne "" &&
    [auto_execok etcd] ne "" && [auto_execok etcdctl] ne "" &&
    [auto_execok iptables] ne ""}]
set ::netns_tag en
source [file join $::here netns.tcl]

if {!$::netns_ok} {
	puts "etcd netns tests need root, iproute2, iptables and etcd: skipped"
	harness_done
}
source [file join $::here etcd_netns.tcl]

set ::overlap [file normalize [file join $harness::builddir \
    tests/helpers/overlap]]
foreach prog [list $etcdns::etcdtool $::overlap] {
	if {![file executable $prog]} {
		puts "no $prog: build it first (make [file tail $prog])"
		puts "0 passed, 1 failed"
		exit 1
	}
}

# etcdtool ARGS in namespace NS that must succeed: its output, trimmed.
proc tool_ok {ns args} {
	set r [etcdtool_in $ns {*}$args]
	if {[dict get $r code] ne "0"} {
		fail "etcdtool $args in $ns: exit [dict get $r code]:\
		    [string trim [dict get $r stderr]]"
	}
	return [string trim [dict get $r stdout]]
}

# The members other than M.
proc others {m} {
	return [lsearch -all -inline -not -exact [etcdns_members] $m]
}

# A member that is not the leader now.
proc follower {} {
	return [lindex [others [lindex [etcdns_wait_leader] 0]] 0]
}

test "the cluster elects one leader, and every host reaches it" {
	etcdns_run 2 {
		set l [etcdns_leader]
		assert_true {$l in [etcdns_members]} "leader \"$l\""
		# each member names the same leader in the same term
		set views {}
		foreach m [etcdns_members] {
			set st [etcdns_status $m]
			lappend views [list [dict get $st leader] \
			    [dict get $st term]]
		}
		assert_equal 1 [llength [lsort -unique $views]] "views: $views"
		set rev [tool_ok h1 -e [etcdns_urls] put smoke/k v1]
		assert_match "smoke/k v1 $rev $rev 0*" \
		    [tool_ok h2 -e [etcdns_urls [others $l]] get smoke/k]
	}
}

test "kill -9 of the leader: a new one within 3 s, puts through the rest" {
	etcdns_run 1 {
		set old [lindex [etcdns_wait_leader] 0]
		etcdns_kill $old
		lassign [etcdns_wait_leader $old 10000] new ms
		puts "  new leader $new $ms ms after kill -9 of $old"
		assert_true {$ms < 3000} "new leader after $ms ms"
		# the dead member listed first: the client rotates past it
		set urls [etcdns_urls [concat $old [others $old]]]
		set r [etcdtool_in h1 -e $urls -t 300 -T 5000 put kill/k v]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
		assert_match "kill/k v *" \
		    [tool_ok h1 -e [etcdns_urls [others $old]] get kill/k]
		puts "  put through the remaining members: [dict get $r ms] ms"
		# restarted on its data, it follows and serves the new key
		etcdns_start_member $old
		etcdns_wait_healthy $old
		assert_match "kill/k v *" \
		    [tool_ok h1 -L -e [etcdns_url $old] get kill/k]
		wait_for {[etcdns_agreed] ne ""} 10000 \
		    "the members to agree on a leader"
	}
}

test "links cut: the leader's (a new one), a host's (its requests time out); restored" {
	etcdns_run 2 {
		set old [lindex [etcdns_wait_leader] 0]
		netns_link $old down
		lassign [etcdns_wait_leader $old 10000] new ms
		puts "  new leader $new $ms ms after the link cut of $old"
		assert_true {$ms < 3000} "new leader after $ms ms"
		set r [etcdtool_in h1 -e [etcdns_urls] -t 300 -T 5000 put link/k 1]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
		netns_link h1 down
		set r [etcdtool_in h1 -e [etcdns_urls] -t 300 -T 1500 get link/k]
		assert_equal 3 [dict get $r code] "h1 cut off: [dict get $r stderr]"
		assert_true {[dict get $r ms] < 3000} "took [dict get $r ms] ms"
		netns_link h1 up
		netns_link $old up
		set t0 [clock milliseconds]
		wait_for {[set l [etcdns_agreed]] ne ""} 20000 \
		    "the members to agree on a leader"
		puts "  all following $l [expr {[clock milliseconds] -
		    $t0}] ms after $old's link was restored"
		# read through the old leader, with a deadline: back in, it
		# may call one more election (its term moved on while it was
		# cut off) and answer "no leader" meanwhile
		wait_for {[dict get [set r [etcdtool_in h1 -L -e \
		    [etcdns_url $old] get link/k]] code] == 0} 10000 \
		    "a read through $old"
		assert_match "link/k 1 *" [string trim [dict get $r stdout]]
	}
}

test "a host cut off with one member: no leader there, the majority goes on, its lease expires" {
	etcdns_run 2 {
		set x [follower]
		set ux [etcdns_url $x]
		set majority [etcdns_urls [others $x]]
		set ttl 2
		set lease [lindex [tool_ok h1 -e $ux grant $ttl] 0]
		tool_ok h1 -e $ux put lease/h1 held $lease
		set w [spawn_prog ip netns exec [ns h2] $etcdns::etcdtool \
		    -e $majority watch lease/]
		assert_equal watching [read_line $w 5000]
		# h1 keeps its lease alive through x, every 300 ms
		set ka $::tmpdir/keepalive.log
		set stop $::tmpdir/keepalive.stop
		spawn_prog ip netns exec [ns h1] sh -c {
			while [ -d "$1" ] && [ ! -e "$2" ]; do
				"$3" -e "$4" -t 300 -T 1000 -n 20 -i 300 \
				    keepalive "$5" >>"$6" 2>&1
				sleep 0.3
			done
		} keepalive $::tmpdir $stop $etcdns::etcdtool $ux $lease $ka
		# renewed past its first TTL: the keep-alives work
		wait_for {[regexp -all -line {^[1-9]} [read_file $ka]] >= 9} \
		    10000 "9 keep-alives"
		assert_match "lease/h1 held *" [tool_ok h2 -e $majority \
		    get lease/h1]
		# h1 and x on one side, the rest on the other
		set rest [concat [others $x] h2]
		set t_cut [clock milliseconds]
		netns_partition h1 $rest
		netns_partition $x $rest
		wait_for {[string match "*no leader*" [dict get \
		    [etcdtool_in h1 -L -e $ux -T 2000 get lease/h1] stderr]]} \
		    5000 "x to say no leader"
		set r [etcdtool_in h1 -L -e $ux -T 3000 put cut/k 1]
		assert_equal 1 [dict get $r code] "put from the cut-off side"
		assert_match "*no leader*" [dict get $r stderr]
		set r [etcdtool_in h2 -L -e $majority -T 3000 put cut/k 2]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
		# the majority lets the lease expire: its key goes
		set line [read_line $w [expr {$ttl * 1000 + 5000}]]
		set ms [expr {[clock milliseconds] - $t_cut}]
		assert_match "DELETE lease/h1 *" $line
		puts "  lease (TTL $ttl s) deleted $ms ms after the cut"
		# the last renewal may precede the cut by up to 300 ms between
		# keep-alives, plus 300 ms and a start of etcdtool between
		# batches of them
		assert_true {$ms >= $ttl * 1000 - 1000} \
		    "deleted after $ms ms, before its TTL"
		assert_true {$ms <= $ttl * 1000 + 3000} "deleted after $ms ms"
		assert_match "rev *" [tool_ok h2 -e $majority get lease/h1]
		# healed: x follows the leader again, h1's requests pass
		netns_heal h1
		netns_heal $x
		wait_for {[dict get [etcdtool_in h1 -L -e $ux -T 2000 \
		    get cut/k] code] == 0} 10000 "x to serve again"
		assert_match "cut/k 2 *" [tool_ok h1 -L -e $ux get cut/k]
	}
}

test "SIGSTOP of the leader past the election timeout, then SIGCONT: the cluster recovers" {
	etcdns_run 1 {
		set old [lindex [etcdns_wait_leader] 0]
		etcdns_pause $old
		try {
			lassign [etcdns_wait_leader $old 10000] new ms
			puts "  new leader $new $ms ms after SIGSTOP of $old"
			assert_true {$ms < 3000} "new leader after $ms ms"
			tool_ok h1 -e [etcdns_urls [others $old]] -t 300 \
			    put stop/k during
		} finally {
			etcdns_resume $old
		}
		set t0 [clock milliseconds]
		# the old leader learns the new term and follows
		wait_for {[set l [etcdns_agreed]] ne ""} 10000 \
		    "the members to agree on a leader"
		puts "  all following $l [expr {[clock milliseconds] -
		    $t0}] ms after SIGCONT of $old"
		etcdns_wait_healthy [etcdns_members]
		assert_match "stop/k during *" \
		    [tool_ok h1 -L -e [etcdns_url $old] get stop/k]
		tool_ok h1 -L -e [etcdns_url $old] put stop/k after
	}
}

test "5 % packet loss both ways on a host: its puts still succeed" {
	etcdns_run 2 {
		netns_loss h1 5
		set max 0
		set total 0
		for {set i 0} {$i < 20} {incr i} {
			set r [etcdtool_in h1 -e [etcdns_urls] -t 1000 \
			    -T 8000 put loss/k $i]
			assert_equal 0 [dict get $r code] \
			    "put $i: [dict get $r stderr]"
			set ms [dict get $r ms]
			incr total $ms
			if {$ms > $max} {
				set max $ms
			}
		}
		# the loss was there: packets dropped, both ways
		set drops 0
		regexp -line {^\s*(\d+)\s+\d+\s+DROP} \
		    [nsexec h1 iptables -L LOSS -v -n -x] -> drops
		puts "  20 puts, slowest $max ms, $total ms in all;\
		    $drops packets dropped"
		assert_true {$drops > 0} "no packet dropped"
		assert_true {$max < 8000} "a put took $max ms"
		assert_match "loss/k 19 *" [tool_ok h2 -e [etcdns_urls] \
		    get loss/k]
	}
}

# ----------------------------------------------------------------------
# The overlap checker end to end: owner loops in two hosts.

# owner.tcl ETCDTOOL OVERLAP ENDPOINTS LOG HOST SERVICE TTL_S MARGIN_MS
# MODE STOPFILE: take the key owner/SERVICE with a create on a fresh lease
# of TTL_S, mark "start" when it did, keep the lease alive every 200 ms
# and mark "stop" when it lets go; ends (marking "stop" if it owns) when
# STOPFILE exists. MODE safe: the loop fences itself, stopping once
# MARGIN_MS before its lease may expire (TTL counted on the monotonic
# clock from the send time of the last acknowledged grant or keep-alive),
# since it cannot know whether etcd saw a later one. MODE naive: it runs
# on until a keep-alive says the lease is gone.
set ::owner_script {
	lassign $argv tool overlap eps log host svc ttl margin mode stop
	set ttl_ms [expr {$ttl * 1000}]
	# CLOCK_BOOTTIME in ms: Tcl's clock is the wall clock
	proc mono {} {
		set f [open /proc/uptime]
		set t [lindex [gets $f] 0]
		close $f
		return [expr {round($t * 1000)}]
	}
	proc tool {args} {
		global tool eps
		if {[catch {exec $tool -e $eps -t 300 {*}$args 2>@1} out]} {
			return ""
		}
		return $out
	}
	proc mark {what} {
		global overlap log host svc
		exec $overlap mark $log $host $svc $what
	}
	set owner 0
	while {![file exists $stop]} {
		if {!$owner} {
			after 200
			set t [mono]
			set lease [lindex [tool -T 1000 grant $ttl] 0]
			if {$lease eq ""} continue
			set out [tool -T 1000 create owner/$svc $host $lease]
			if {[lindex $out 0] ne "created"} continue
			set last $t
			if {$mode eq "safe" &&
			    [mono] >= $last + $ttl_ms - $margin} continue
			mark start
			set owner 1
			continue
		}
		set left [expr {$last + $ttl_ms - $margin - [mono]}]
		if {$mode eq "safe" && $left < 50} {
			mark stop
			set owner 0
			continue
		}
		set t [mono]
		set out [tool -T [expr {$mode eq "safe" && $left < 1000 ?
		    $left : 1000}] keepalive $lease]
		if {$out ne "" && $out > 0} {
			set last $t
		} elseif {$out eq "0"} {
			mark stop
			set owner 0
			continue
		}
		after 200
	}
	if {$owner} {
		mark stop
	}
}

# Owner loops in hosts h1 and h2 (MODE safe or naive), one partition of
# the first owner from every member and the other host, healed once the
# other host has taken over; the loops stopped, returns the checker's
# run_prog dict.
proc owner_run {mode} {
	set ttl 2
	set script [write_file $::tmpdir/owner.tcl $::owner_script]
	set log $::tmpdir/owner-$mode.log
	set stop $::tmpdir/owner-$mode.stop
	file delete $log $stop
	set loops {}
	foreach h {h1 h2} {
		lappend loops [spawn_prog ip netns exec [ns $h] tclsh8.6 \
		    $script $etcdns::etcdtool $::overlap [etcdns_urls] $log \
		    $h www $ttl 700 $mode $stop]
	}
	wait_for {[regexp -line { www start$} [read_file $log]]} 10000 \
	    "a first owner"
	regexp -line {^\d+ (h\d) www start$} [read_file $log] -> first
	set second [expr {$first eq "h1" ? "h2" : "h1"}]
	set t0 [clock milliseconds]
	netns_partition $first [concat [etcdns_members] $second]
	wait_for {[regexp -line "^\\d+ $second www start\$" [read_file $log]]} \
	    [expr {$ttl * 1000 + 8000}] "$second to take over"
	puts "  $mode: $second took over [expr {[clock milliseconds] -
	    $t0}] ms after the cut of $first"
	netns_heal $first
	if {$mode eq "naive"} {
		# the naive owner lets go only when it learns its lease is gone
		wait_for {[regexp -line "^\\d+ $first www stop\$" \
		    [read_file $log]]} 10000 "$first to stop once healed"
	}
	write_file $stop ""
	foreach ch $loops {
		set code [wait_prog $ch 10000]
		assert_equal 0 $code "owner loop: [prog_stderr $ch]"
	}
	set r [run_prog $::overlap check $log -b [expr {$ttl * 1000 + 8000}]]
	foreach line [split [string trim [dict get $r stdout]] \n] {
		if {[regexp {^(overlap|gap|service|services) } $line]} {
			puts "  $line"
		}
	}
	return $r
}

test "overlap checker end to end: self-fencing owners, a partition, no overlap" {
	etcdns_run 2 {
		set r [owner_run safe]
		assert_equal 0 [dict get $r code] [dict get $r stdout]
		assert_regexp {service www starts ([2-9]|\d\d+) stops} \
		    [dict get $r stdout]
		assert_match "*overlaps 0 gaps_over_bound 0*" \
		    [dict get $r stdout]
	}
}

test "overlap checker end to end: naive owners across a partition are caught" {
	etcdns_run 2 {
		set r [owner_run naive]
		assert_equal 1 [dict get $r code] [dict get $r stdout]
		assert_regexp {(?n)^overlap service www hosts h[12],h[12] from} \
		    [dict get $r stdout]
	}
}

harness_done
