# test_failsh_etcd_netns.tcl: issue 14's fault runs of failsh's etcd
# backend. A 3-member etcd in network namespaces (etcd_netns.tcl) and
# three hosts h1 (master) h2 h3 (slaves), each in its own namespace with
# its own faild and a real failsh with failetcd against all three
# members, running service www whose start and stop scripts mark one
# overlap log (tests/helpers/overlap). Faults in a random order drawn
# from the harness's seed (FAIL_SEED replays the order), each kind
# repeated: kill -9 of the owner's failsh, the owner's link cut, SIGSTOP
# of the owner's failsh past the TTL, the owner partitioned from the
# etcd majority, SIGSTOP or kill -9 of the etcd leader, 5 % packet loss.
# After each: www back UP on exactly one host within a bound, then on h1
# alone again (the log and the three faild agree); at the end the
# checker finds no overlap and no gap over the bound in the whole log.
#
# FAIL_ETCD_RUNS sets the number of fault runs (24 by default, 80 to
# 105 s; bench/etcd_faults.sh runs 200), FAIL_ETCD_TTL the lease's TTL
# (2 s by default, see below). FAIL_ETCD_BREAK=1 runs the same faults
# against a deliberately unsafe configuration (see etcd_policy) to show
# that the checker catches what it is there for: the test then fails.
# Needs root; skipped otherwise.

set ::here [file normalize [file dirname [info script]]]
source [file join $::here .. integration harness.tcl]

set ::netns_ok [expr {[exec id -u] == 0 && [auto_execok ip] ne "" &&
    [auto_execok etcd] ne "" && [auto_execok etcdctl] ne "" &&
    [auto_execok iptables] ne ""}]
set ::netns_tag fe
source [file join $::here netns.tcl]

if {!$::netns_ok} {
	puts "failsh etcd netns tests need root, iproute2, iptables and etcd:\
	    skipped"
	harness_done
}
source [file join $::here etcd_netns.tcl]

set ::overlap [file normalize [file join $harness::builddir \
    tests/helpers/overlap]]
foreach prog [list $etcdns::etcdtool $::overlap $::failsh $::failstat] {
	if {![file executable $prog]} {
		puts "no $prog: build it first (make [file tail $prog])"
		puts "0 passed, 1 failed"
		exit 1
	}
}

set ::runs [expr {[info exists ::env(FAIL_ETCD_RUNS)] ?
    $::env(FAIL_ETCD_RUNS) : 24}]
set ::broken [expr {[info exists ::env(FAIL_ETCD_BREAK)] &&
    $::env(FAIL_ETCD_BREAK) ne "" && $::env(FAIL_ETCD_BREAK) ne "0"}]

# TTL 2 s (failsh's default), not 1: under the default "unreachable
# stop" an owner stops once its renewals have failed for half the TTL.
# With TTL 1 that is 500 ms, less than an election here (0.6 to 1.1 s): a
# trial (FAIL_ETCD_TTL=1, 24 runs) passed with no overlap, but every
# leader fault and 2 of 4 losses moved the service. With TTL 2 they are
# undisturbed, and the bound below still checks a quick takeover.
set ::ttl [expr {[info exists ::env(FAIL_ETCD_TTL)] ? $::env(FAIL_ETCD_TTL) :
    2}]

# The bound on "back on exactly one host", from the fault: the lease's
# TTL (a dead or cut-off owner's lease must expire first), plus up to
# 1 s for etcd to revoke it (it looks for expired leases every 500 ms,
# and a new leader extends every lease by its election timeout), plus
# up to 1 s for an election when the fault moved the leader, plus 2 s
# for a loaded machine (watch delivery, failsh's 0.2 s interval, the
# start script). The same bound, checked on the whole log, caps every
# gap without an owner.
set ::bound_ms [expr {$::ttl * 1000 + 4000}]
# After a fault is over, h1 (the master) gets www back: a release
# request, the slave's stop, h1's start; more when h1's failsh must
# first get a new lease and read the keys again after a restart.
set ::settle_ms 15000
# A thawed owner stops at once: its fence is long past.
set ::thaw_ms 500

set ::hosts {h1 h2 h3}
set ::kinds {kill link stop partition leader loss}

# ----------------------------------------------------------------------
# The hosts.

# h's policy: www with h1 master, h2 h3 slaves, under failetcd with every
# member as endpoint. Its marks go to the overlap log, or, for the first
# mark after a thaw (the test made DIR/thawed.HOST, gone once that mark
# is written), to the thaw log; its
# start leaves DIR/run.HOST, its stop removes it. The check fails while
# failsh holds www UP without DIR/run.HOST: the test removes it when it
# kills failsh, whose service dies with it, so that the restarted failsh,
# which takes UP over from its faild, finds its service dead.
#
# Broken (FAIL_ETCD_BREAK): "unreachable keep", a 50 ms margin and a stop
# that takes 1.5 s before the service is down: an owner cut off keeps
# running to its fence and is still stopping when its lease expires and
# another host starts. The checker must report the overlaps.
proc etcd_policy {h} {
	set d $::tmpdir/fe
	set p "
failetcd endpoints [etcdns_urls]
failetcd prefix /fe
failetcd ttl $::ttl
proc mark {what} {
	set log [list $d/overlap.log]
	set thawed \[file exists [list $d/thawed.$h]\]
	if {\$thawed} {
		set log [list $d/thaw.log]
	}
	exec [list $::overlap] mark \$log $h www \$what
	if {\$thawed} {
		file delete [list $d/thawed.$h]
	}
	if {\$what eq \"start\"} {
		close \[open [list $d/run.$h] w\]
	} else {
		file delete [list $d/run.$h]
	}
}
failsvc www masters h1
failsvc www slaves {h2 h3}
failsvc www interval 0.2
failsvc www start {mark start; return UP}
failsvc www stop {mark stop; return RECOVER}
failsvc www check {expr {\[failsvc www state\] eq \"UP\" &&
    !\[file exists [list $d/run.$h]\] ? \"FAIL\" : \"UP\"}}
failsvc www fall 1
"
	if {$::broken} {
		append p "
failetcd unreachable keep
failetcd margin 0.05
failsvc www timeout 5
failsvc www stop {after 1500; mark stop; return RECOVER}
"
	}
	return $p
}

# Start host h's faild and failsh in its namespace (faild local to it,
# on 127.0.0.1 there); the failsh handle is ::fs(h).
proc start_host {h} {
	set dir $::tmpdir/fe/$h
	file mkdir $dir
	write_file $dir/policy.tcl [etcd_policy $h] 0644
	set cmd [list ip netns exec [ns $h] $::faild -F -s $dir/state -r ""]
	harness::spawn_daemon [dict create name faild-$h log $dir/faild.log \
	    cmd $cmd] $cmd 1
	set cmd [list ip netns exec [ns $h] $::failsh -F -N $h \
	    -f $dir/policy.tcl -m none -D 127.0.0.1:1849 -i "" -l $dir/dump]
	set ::fs($h) [harness::spawn_daemon [dict create name failsh-$h \
	    log $dir/failsh.log cmd $cmd] $cmd 1]
}

# Stop every host's failsh and faild: etcdns_down would kill them with
# everything in the namespaces, and the harness fails a test whose
# daemons died (after a failure they are left to it: their logs show).
proc stop_hosts {} {
	foreach h $::hosts {
		foreach name [list failsh-$h faild-$h] {
			if {[info exists harness::daemons($name)]} {
				set d $harness::daemons($name)
				catch {resume_daemon $d}
				stop_daemon $d
			}
		}
	}
}

proc restart_failsh {h} {
	set ::fs($h) [harness::spawn_daemon $::fs($h) [dict get $::fs($h) cmd] 1]
}

# The state h's faild holds of www ("" when it does not answer).
proc faild_state {h} {
	if {[catch {nsexec $h $::failstat -j -t 1000 127.0.0.1 www} out] ||
	    ![regexp {"state": *"([A-Z]+)"} $out -> st]} {
		return ""
	}
	return $st
}

# ----------------------------------------------------------------------
# The overlap log, read as it grows: ::last(h) is h's last mark.

proc log_reset {} {
	set ::logpos 0
	set ::marks {}
	array unset ::last
}

# Read the whole lines added since the last call into ::marks ({ns host
# what}) and ::last.
proc log_update {} {
	set log $::tmpdir/fe/overlap.log
	if {![file exists $log]} {
		return
	}
	set f [open $log r]
	seek $f $::logpos
	set data [read $f]
	close $f
	set end [string last \n $data]
	if {$end < 0} {
		return
	}
	set chunk [string range $data 0 $end]
	incr ::logpos [string length $chunk]
	foreach line [split [string trimright $chunk \n] \n] {
		lassign $line t h - what
		lappend ::marks [list $t $h $what]
		set ::last($h) $what
	}
}

# The hosts running www by the log, as their scripts and the test marked.
proc runners {} {
	log_update
	set r {}
	foreach h $::hosts {
		if {[info exists ::last($h)] && $::last($h) eq "start"} {
			lappend r $h
		}
	}
	return $r
}

# This machine's CLOCK_MONOTONIC in ns, the log's clock: Tcl has no
# monotonic clock of its own, so overlap mark writes it to a scratch file.
proc mono_ns {} {
	set f $::tmpdir/fe/clock
	file delete $f
	exec $::overlap mark $f test clock start
	return [lindex [read_file $f] 0]
}

# Mark h's www as the test sees it: stopped when its failsh is killed or
# frozen (its service dies or freezes with it).
proc mark {h what {log overlap.log}} {
	exec $::overlap mark $::tmpdir/fe/$log $h www $what
}

# Wait (MS at most) until www runs on exactly one host by the log; that
# host.
proc wait_one {ms what} {
	wait_for {[llength [runners]] == 1} $ms \
	    "$what: www not on exactly one host within $ms ms (on {[runners]})"
	return [runners]
}

# Settled: the log says h1 alone, the three faild agree (h1 UP, the
# others not), and so does the owner key. Returns the ms it took.
proc settle {{ms ""}} {
	if {$ms eq ""} {
		set ms $::settle_ms
	}
	set t0 [clock milliseconds]
	wait_for {[runners] eq "h1"} $ms "www not back on h1 alone\
	    (on {[runners]})"
	set left [expr {max(2000, $ms - ([clock milliseconds] - $t0))}]
	wait_for {[faild_state h1] eq "UP" && [faild_state h2] ne "UP" &&
	    [faild_state h3] ne "UP" && [runners] eq "h1"} $left \
	    "the faild do not agree with the log: h1 [faild_state h1],\
	    h2 [faild_state h2], h3 [faild_state h3], log {[runners]}"
	wait_for {[string match "/fe/owner/www\nh1*" [etcdctl_in h2 \
	    get /fe/owner/www]]} 5000 "h1 not the owner in etcd"
	return [expr {[clock milliseconds] - $t0}]
}

# From the marks made since index I (the run's start, the service then on
# its one owner), the ms from T0_NS until www ran on exactly one host
# again after it first did not: 0 when it never stopped running on one.
# With T0_NS "", from when it first did not: packet loss may make the
# owner let go at any time while it lasts, and the bound is on the
# outage, not on how long the loss went on before it.
proc back_ms {i t0_ns before} {
	set run [dict create]
	foreach h $before {
		dict set run $h 1
	}
	set down 0
	foreach m [lsort -integer -index 0 [lrange $::marks $i end]] {
		lassign $m t h what
		if {$what eq "start"} {
			dict set run $h 1
		} else {
			dict unset run $h
		}
		if {!$down && [dict size $run] != 1} {
			set down 1
			if {$t0_ns eq ""} {
				set t0_ns $t
			}
		} elseif {$down && [dict size $run] == 1} {
			return [expr {($t - $t0_ns) / 1000000}]
		}
	}
	return 0
}

# Another host than o has marked a start since mark index I.
proc taken_over {o i} {
	log_update
	foreach m [lrange $::marks $i end] {
		if {[lindex $m 2] eq "start" && [lindex $m 1] ne $o} {
			return 1
		}
	}
	return 0
}

proc wait_takeover {o i what} {
	wait_for {[taken_over $o $i]} $::bound_ms \
	    "$what: no other host took www over within $::bound_ms ms"
}

# The packets dropped so far by h's LOSS chain.
proc loss_drops {h} {
	set n 0
	foreach line [split [nsexec $h iptables -L LOSS -v -n -x] \n] {
		if {[regexp {^\s*(\d+)\s+\d+\s+DROP} $line -> p]} {
			incr n $p
		}
	}
	return $n
}

# An assertion of one run; with FAIL_ETCD_BREAK only reported, so that
# the runs go on to the overlap check, which is what that mode is for.
proc run_assert {cond msg} {
	if {[uplevel 1 [list expr $cond]]} {
		return
	}
	if {!$::broken} {
		fail $msg
	}
	puts "  (broken, going on) $msg"
}

proc pick {list} {
	return [lindex $list [expr {int(rand() * [llength $list])}]]
}

# ----------------------------------------------------------------------
# The faults. Each takes the owner o and the mark index i of the run's
# start, applies the fault, holds it until what it is for has happened
# (another host took over, a new leader, packets lost) and undoes it.
# Returns a word on the variant.

proc fault_kill {o i} {
	set variant [pick {at-once after-takeover}]
	kill_daemon $::fs($o)
	mark $o stop
	file delete $::tmpdir/fe/run.$o
	if {$variant eq "after-takeover"} {
		wait_takeover $o $i "kill -9 of failsh on $o"
	}
	# within the TTL the new failsh adopts its old owner key and finds
	# its service dead by the check; later, another host owns www
	restart_failsh $o
	return $variant
}

proc fault_link {o i} {
	netns_link $o down
	try {
		wait_takeover $o $i "link of $o cut"
	} finally {
		netns_link $o up
	}
	return ""
}

proc fault_stop {o i} {
	pause_daemon $::fs($o)
	# frozen, the host serves nothing: its service stops with it
	mark $o stop
	try {
		wait_takeover $o $i "failsh on $o stopped"
	} finally {
		# thawed, it runs again until failsh stops it: a start (in
		# the thaw log, checked apart), and its first mark goes there
		mark $o start thaw.log
		write_file $::tmpdir/fe/thawed.$o ""
		resume_daemon $::fs($o)
	}
	wait_for {![file exists $::tmpdir/fe/thawed.$o]} 5000 \
	    "$o made no mark within 5 s of its thaw"
	set lines [split [string trim [read_file $::tmpdir/fe/thaw.log]] \n]
	lassign [lindex $lines end-1] t_thaw thaw_h - thaw_w
	lassign [lindex $lines end] t_first first_h - first_w
	run_assert {[list $thaw_h $thaw_w $first_h $first_w] eq
	    [list $o start $o stop]} \
	    "$o's first mark after its thaw: $first_h $first_w, not $o stop"
	set ms [expr {($t_first - $t_thaw) / 1000000.0}]
	lappend ::thaw_ms_all $ms
	run_assert {$ms < $::thaw_ms} "$o stopped $ms ms after its thaw"
	return [format "thaw->stop %.1f ms" $ms]
}

proc fault_partition {o i} {
	set others [lsearch -all -inline -not -exact $::hosts $o]
	set variant [pick {alone with-member}]
	if {$variant eq "alone"} {
		set cut [list $o]
		netns_partition $o [concat [etcdns_members] $others]
	} else {
		# o with one member, which has no leader on its side: o's
		# requests there fail, those to the others are dropped
		set x [pick [etcdns_members]]
		set variant "with $x"
		set cut [list $o $x]
		set rest [concat [lsearch -all -inline -not -exact \
		    [etcdns_members] $x] $others]
		netns_partition $o $rest
		netns_partition $x $rest
	}
	try {
		wait_takeover $o $i "$o partitioned ($variant)"
	} finally {
		foreach n $cut {
			netns_heal $n
		}
	}
	if {[llength $cut] > 1} {
		# back with a higher term, the member calls an election: the
		# fault is over once that is done
		wait_for {[etcdns_agreed] ne ""} 15000 \
		    "the members to agree on a leader"
	}
	return $variant
}

proc fault_leader {o i} {
	set l [lindex [etcdns_wait_leader] 0]
	set variant [pick {stop kill}]
	if {$variant eq "stop"} {
		etcdns_pause $l
		try {
			lassign [etcdns_wait_leader $l 10000] new ms
		} finally {
			etcdns_resume $l
		}
	} else {
		etcdns_kill $l
		lassign [etcdns_wait_leader $l 10000] new ms
		etcdns_start_member $l
		etcdns_wait_healthy $l
	}
	wait_for {[etcdns_agreed] ne ""} 15000 \
	    "the members to agree on a leader"
	return "$variant $l, $new leader in $ms ms"
}

proc fault_loss {o i} {
	set on [pick [list all $o]]
	set where [expr {$on eq "all" ? $::hosts : [list $on]}]
	foreach h $where {
		netns_loss $h 5
	}
	set t0 [clock milliseconds]
	try {
		# "a while": until 10 packets were lost. An idle failsh sends
		# little (a renewal every TTL/4, a read of one key after TTL/2
		# of a silent watch): 10 take about 10 s on one host, fewer on
		# all three.
		wait_for {[set drops [ladd [lmap h $where {loss_drops $h}]]]
		    >= 10} 60000 "fewer than 10 packets lost in 60 s"
	} finally {
		foreach h $where {
			netns_loss_clear $h
		}
	}
	return "on $on, $drops lost in [expr {[clock milliseconds] - $t0}] ms"
}

# The variant of a run as the summary groups it: kill at-once or
# after-takeover, partition alone or with a member, leader stop or kill,
# loss on all or on the owner.
proc variant_class {kind variant} {
	switch -- $kind {
	kill {return $variant}
	partition {return [expr {$variant eq "alone" ? "alone" : "with a member"}]}
	leader {return "[lindex $variant 0] of the leader"}
	loss {return [expr {[string match "on all*" $variant] ? "on all" :
	    "on the owner"}]}
	}
	return ""
}

proc ladd {list} {
	return [tcl::mathop::+ {*}$list]
}

# ----------------------------------------------------------------------
# The summary.

proc pct {sorted p} {
	set n [llength $sorted]
	if {$n == 0} {
		return -
	}
	return [lindex $sorted [expr {min($n - 1, int(ceil($p * $n)) - 1)}]]
}

proc stats {list} {
	set s [lsort -real $list]
	if {[llength $s] == 0} {
		return "n 0"
	}
	set f [expr {[string is integer -strict [lindex $s end]] ? "%d" : "%.1f"}]
	return [format "n %d max $f p50 $f p99 $f" [llength $s] [lindex $s end] \
	    [pct $s 0.5] [pct $s 0.99]]
}

# ----------------------------------------------------------------------

test "$::runs randomized faults: www back on exactly one host each time, never on two" {
	etcdns_run 3 {
		file mkdir $::tmpdir/fe
		log_reset
		set ::thaw_ms_all {}
		foreach h $::hosts {
			start_host $h
		}
		settle 20000
		# each kind as often as the runs allow, the rest drawn; then
		# the order shuffled
		set order {}
		for {set i 0} {$i < $::runs} {incr i} {
			lappend order [expr {$i < $::runs / 6 * 6 ?
			    [lindex $::kinds [expr {$i % 6}]] : [pick $::kinds]}]
		}
		set order [lmap k $order {list [expr {rand()}] $k}]
		set order [lmap p [lsort -index 0 $order] {lindex $p 1}]
		set back [dict create]
		set byvariant [dict create]
		set calm [dict create]		;# kind -> runs undisturbed
		set settled {}
		set undisturbed 0
		set n 0
		foreach kind $order {
			incr n
			# an election after the last fault may have moved www
			# once more (policy stop): h1 owns it before the next
			settle
			set o [runners]
			log_update
			set i [llength $::marks]
			set t0 [mono_ns]
			set variant [fault_$kind $o $i]
			wait_one $::bound_ms "$kind on $o"
			set ms [settle]
			set b [back_ms $i [expr {$kind eq "loss" ? "" : $t0}] $o]
			puts [format "  %3d %-9s %-3s %-40s back %5d ms, on h1 %5d\
			    ms after" $n $kind $o $variant $b $ms]
			flush stdout
			if {$b == 0} {
				incr undisturbed
				dict incr calm $kind
			} else {
				dict lappend back $kind $b
				dict lappend byvariant $kind \
				    [variant_class $kind $variant] $b
			}
			lappend settled $ms
			run_assert {$b <= $::bound_ms} \
			    "$kind: back on one host after $b ms"
		}
		set r [run_prog $::overlap check $::tmpdir/fe/overlap.log \
		    -b $::bound_ms]
		set report [dict get $r stdout]
		# the summary bench/etcd_faults.sh prints
		set counts {}
		foreach k $::kinds {
			lappend counts $k [llength [lsearch -all $order $k]]
		}
		set all {}
		dict for {k l} $back {
			lappend all {*}$l
		}
		puts "summary: $::runs runs, seed $harness::seed, TTL $::ttl s,\
		    bound $::bound_ms ms[expr {$::broken ? ", BROKEN" : ""}]"
		puts "summary: runs per kind: $counts"
		puts "summary: back on one host (ms, from the fault; for loss\
		    from the owner's stop): [stats $all], undisturbed $undisturbed"
		foreach k $::kinds {
			set c [expr {[dict exists $calm $k] ? [dict get $calm $k] : 0}]
			if {![dict exists $back $k]} {
				puts "summary:   $k: n 0, undisturbed $c"
				continue
			}
			puts "summary:   $k: [stats [dict get $back $k]],\
			    undisturbed $c"
			set vs [dict get $byvariant $k]
			if {[llength [lsort -unique [lmap {v -} $vs {set v}]]] < 2} {
				continue
			}
			set by [dict create]
			foreach {v ms} $vs {
				dict lappend by $v $ms
			}
			foreach v [lsort [dict keys $by]] {
				puts "summary:     $v: [stats [dict get $by $v]]"
			}
		}
		puts "summary: on h1 again after the fault was over (ms):\
		    [stats $settled]"
		puts "summary: thaw->stop (ms): [stats $::thaw_ms_all]"
		foreach line [split [string trim $report] \n] {
			if {[regexp {^(overlap|gap|service|services) } $line]} {
				puts "summary: $line"
			}
		}
		assert_equal 0 [dict get $r code] $report
		assert_match "*overlaps 0 gaps_over_bound 0*" $report
		stop_hosts
	}
}

harness_done
