# bench/etcd.tcl: the measurements of failsh's etcd backend (issue 14),
# run by bench/etcd.sh (read its head comment first): one part per run,
#
#   tclsh bench/etcd.tcl takeover LABEL TTL HEARTBEAT_MS ELECTION_MS TRIALS
#   tclsh bench/etcd.tcl partition MODELS SCENARIOS RUNS HOLD_S SETTLE_S
#   tclsh bench/etcd.tcl cost MODEL HOSTS SERVICES SECONDS
#
# on real faild, failsh and etcd started with the integration harness
# (tests/integration/harness.tcl, etcd.tcl; tests/netns/etcd_netns.tcl
# for the partitions), whose clean-up kills every process and removes
# every namespace at exit, also on an error or when tclsh is killed.
# Every start and stop of a service is marked with tests/helpers/overlap;
# the marks' CLOCK_MONOTONIC times are the times measured. Progress goes
# to stderr; the results are "result ..." lines on stdout, which etcd.sh
# tabulates. Exit 1 with a message when something does not work at all.

set ::here [file normalize [file dirname [info script]]]
source [file join $::here .. tests integration harness.tcl]
set ::overlap [file normalize [file join $harness::builddir \
    tests/helpers/overlap]]

proc note {msg} {
	puts stderr $msg
}

proc bail {msg} {
	puts stderr "etcd.tcl: $msg"
	exit 1
}

# The marks of an overlap log: a list of {t_ns host service what}.
proc marks_of {log} {
	if {![file exists $log]} {
		return {}
	}
	set out {}
	foreach line [split [string trim [read_file $log]] \n] {
		if {[llength $line] == 4} {
			lappend out $line
		}
	}
	return $out
}

proc mark {log host svc what} {
	exec $::overlap mark $log $host $svc $what
}

# The mark time (ns) of the first start of SVC on a host other than NOT
# after T_NS, "" when none yet.
proc start_after {log svc not t_ns} {
	foreach m [marks_of $log] {
		lassign $m t h s what
		if {$s eq $svc && $what eq "start" && $h ne $not &&
		    $t >= $t_ns} {
			return $t
		}
	}
	return ""
}

# overlap check: {overlaps total_ms report}.
proc overlap_check {log} {
	if {![file exists $log]} {
		return [list 0 0 ""]
	}
	set r [run_prog $::overlap check $log]
	set out [dict get $r stdout]
	set total 0.0
	foreach {- ms} [regexp -all -inline {\(([0-9.]+) ms} $out] {
		set total [expr {$total + $ms}]
	}
	if {![regexp {overlaps (\d+)} $out -> n]} {
		bail "overlap check $log: $out[dict get $r stderr]"
	}
	return [list $n [format %.0f $total] $out]
}

# Lines of a policy that mark start and stop of every service in LOG.
proc mark_procs {log node} {
	return "
proc mark {svc what} {
	exec [list $::overlap] mark [list $log] $node \$svc \$what
}
"
}

proc load {} {
	return [lrange [read_file /proc/loadavg] 0 2]
}

# ----------------------------------------------------------------------
# takeover: one 3-member etcd on loopback, two hosts a (master) and b
# (slave), each a faild and a failsh with the etcd backend; kill -9 of a's
# failsh (and faild) at a random point of its lease's renewal cycle, after
# b stands by; the takeover is b's start mark minus the mark made just
# before the kill.

proc takeover {label ttl hb el trials} {
	source [file join $::here .. tests integration etcd.tcl]
	if {[etcd_missing] ne ""} {
		bail "missing: [etcd_missing]"
	}
	set ms [start_etcd_cluster 3 -name $label -args \
	    [list --heartbeat-interval $hb --election-timeout $el]]
	set urls [etcd_urls $ms]
	note "takeover $label: etcd $urls, heartbeat $hb ms, election $el ms,\
	    TTL $ttl s, $trials trials; load [load]"
	set log $::tmpdir/$label.overlap
	set lost 0
	for {set i 1} {$i <= $trials} {incr i} {
		set pfx /$label$i
		set hs {}
		foreach n {a b} {
			set f($n) [start_faild -name $label$n$i]
			set s($n) [start_failsh $n $f($n) "
failetcd endpoints [list $urls]
failetcd prefix $pfx
failetcd ttl $ttl
[mark_procs $log $n]
failsvc www masters a
failsvc www slaves b
failsvc www interval 0.2
failsvc www start {mark www start; return UP}
failsvc www stop {mark www stop; return RECOVER}
"]
		}
		wait_for {[state_of $f(a) www] eq "UP" &&
		    [state_of $f(b) www] eq "RECOVER"} 15000 \
		    "trial $i: a not UP with b standing by"
		if {$i == 1} {
			set granted [wait_for_log $s(a) "*lease * granted*"]
			regexp {TTL (\d+) s, fence (\d+) ms} $granted -> gttl fence
			note "  lease: $granted"
			puts "result lease $label $gttl $fence"
		}
		# a random phase of the renewal cycle (every TTL/4)
		after [expr {int(rand() * $ttl * 1000)}]
		mark $log a www stop
		set t0 [lindex [marks_of $log] end 0]
		kill_daemon $s(a)
		kill_daemon $f(a)
		set limit [expr {$ttl * 1000 + 10000}]
		if {[catch {wait_for {[start_after $log www a $t0] ne ""} \
		    $limit} err]} {
			note "  trial $i: b not started $limit ms after the kill"
			puts "result takeover $label lost"
			incr lost
		} else {
			set ms_ [expr {([start_after $log www a $t0] - $t0) /
			    1e6}]
			note [format "  trial %d: takeover %.1f ms" $i $ms_]
			puts [format "result takeover %s %.1f" $label $ms_]
		}
		kill_daemon $s(b)
		kill_daemon $f(b)
		mark $log b www stop
	}
	lassign [overlap_check $log] n total
	puts "result takeover_overlaps $label $n $total"
	if {$lost == $trials} {
		bail "takeover $label: no takeover at all"
	}
}

# ----------------------------------------------------------------------
# partition: etcd_netns.tcl's network (members e1-e3 198.18.0.11-13, hosts
# h1-h3 198.18.0.21-23 on one bridge). Model "poll": failsh without
# failetcd, h1 master, h2 and h3 slaves, quorum {e1 e2 e3}, each a faild
# (etcd runs there too, unused); model "etcd": failetcd on the members.
# Equal dead times: interval 0.5 s x deadcount 4 = TTL 2 s.

set ::part_interval 0.5
set ::part_deadcount 4
set ::part_ttl 2

proc part_policy {model node log} {
	set p [mark_procs $log $node]
	# masters and slaves: the same lists on every host, but with
	# pollchain, where each host lists the hosts ranked before it as its
	# masters (h3: masters h1 h2), since failsh's polling rules do not
	# order slaves among themselves: every slave starts a service whose
	# masters are all gone
	set ms h1
	set ss {h2 h3}
	if {$model eq "pollchain"} {
		switch $node {
		h1 {set ms {}}
		h2 {set ss h3}
		h3 {set ms {h1 h2}; set ss {}}
		}
	}
	if {$model in {poll pollchain}} {
		foreach h {h1 h2 h3 e1 e2 e3} {
			append p "failhost $h address [etcdns_addr $h]\n"
		}
		append p "failsvc www quorum {e1 e2 e3}\n"
		append p "failsvc www deadcount $::part_deadcount\n"
	} else {
		append p "failetcd endpoints [list [etcdns_urls]]\n"
		append p "failetcd prefix /p$::run\n"
		append p "failetcd ttl $::part_ttl\n"
	}
	append p "
failsvc www masters [list $ms]
failsvc www slaves [list $ss]
failsvc www interval $::part_interval
failsvc www start {mark www start; return UP}
failsvc www stop {mark www stop; return RECOVER}
"
	return $p
}

# faild (and failsh with POLICY) in namespace N; handles in ::d(N,faild)
# and ::d(N,failsh). faild listens on every address, port 1847.
proc ns_daemons {n policy} {
	set dir $::tmpdir/run$::run/$n
	file mkdir $dir
	set cmd [list ip netns exec [ns $n] $::faild -F -s $dir/state -r ""]
	set ::d($n,faild) [harness::spawn_daemon [dict create \
	    name faild-$n-$::run log $dir/faild.log cmd $cmd] $cmd 0]
	if {$policy eq ""} {
		return
	}
	write_file $dir/policy.tcl $policy 0644
	set cmd [list ip netns exec [ns $n] $::failsh -F -N $n \
	    -f $dir/policy.tcl -m none -D 127.0.0.1:1849 -i "" -l $dir/dump]
	set ::d($n,failsh) [harness::spawn_daemon [dict create \
	    name failsh-$n-$::run log $dir/failsh.log cmd $cmd] $cmd 0]
}

proc ns_kill_daemons {} {
	foreach k [array names ::d] {
		catch {exec kill -CONT [dict get $::d($k) pid]}
		catch {exec kill -KILL [dict get $::d($k) pid]}
		harness::wait_dead $::d($k) 5000
		harness::forget $::d($k)
	}
	array unset ::d
}

# What faild in host N says of www (asked inside N's namespace).
proc ns_state {n} {
	set r [run_prog -timeout 3000 -stdin {
		set s [socket 127.0.0.1 1847]
		puts $s "1 get www"; flush $s
		puts [gets $s]
	} ip netns exec [ns $n] tclsh8.6]
	if {[regexp {^1 OK \S+ (\S+)} [dict get $r stdout] -> st]} {
		return $st
	}
	return NONE
}

# The hosts whose last mark in LOG is a start.
proc running {log} {
	array set last {}
	foreach m [marks_of $log] {
		set last([lindex $m 1]) [lindex $m 3]
	}
	set out {}
	foreach h [lsort [array names last]] {
		if {$last($h) eq "start"} {
			lappend out $h
		}
	}
	return $out
}

proc heal_all {} {
	foreach n [concat [etcdns_members] [etcdns_hosts]] {
		netns_heal $n
		netns_link $n up
	}
}

# The faults; each returns after HOLD seconds with the fault removed.
proc fault {scenario log hold} {
	set end [expr {[clock milliseconds] + $hold * 1000}]
	switch -- $scenario {
	crash {
		# no partition: kill -9 of the owner's failsh and faild, the
		# service gone with them
		mark $log h1 www stop
		kill_daemon $::d(h1,failsh)
		kill_daemon $::d(h1,faild)
		after [expr {$hold * 1000}]
	}
	cut-all {
		netns_link h1 down
		after [expr {$hold * 1000}]
		netns_link h1 up
	}
	cut-peers {
		netns_partition h1 {h2 h3}
		after [expr {$hold * 1000}]
		netns_heal h1
	}
	slave-master {
		netns_partition h2 {h1}
		after [expr {$hold * 1000}]
		netns_heal h2
	}
	split3 {
		# {h1 e1} {h2 e2} {h3 e3}: no majority anywhere
		netns_partition h1 {h2 h3 e2 e3}
		netns_partition h2 {h3 e1 e3}
		netns_partition h3 {e1 e2}
		netns_partition e1 {e2 e3}
		netns_partition e2 {e3}
		after [expr {$hold * 1000}]
		heal_all
	}
	stall {
		# the whole host freezes: failsh, faild and the service (marked
		# stopped while frozen, running again at the thaw)
		exec kill -STOP [dict get $::d(h1,failsh) pid] \
		    [dict get $::d(h1,faild) pid]
		mark $log h1 www stop
		after [expr {$hold * 1000}]
		mark $log h1 www start
		exec kill -CONT [dict get $::d(h1,faild) pid] \
		    [dict get $::d(h1,failsh) pid]
	}
	flap {
		# down and up for 0.5 to 3 s each, drawn at random
		while {[clock milliseconds] < $end} {
			netns_link h1 down
			after [expr {500 + int(rand() * 2500)}]
			netns_link h1 up
			after [expr {500 + int(rand() * 2500)}]
		}
	}
	default {
		bail "unknown scenario $scenario"
	}
	}
}

proc partition {models scenarios runs hold settle} {
	foreach m $models {
		if {$m ni {poll pollchain etcd}} {
			bail "partition: models poll, pollchain, etcd, not $m"
		}
	}
	set ::netns_tag eb
	source [file join $::here .. tests netns netns.tcl]
	if {[exec id -u] != 0} {
		bail "partition: needs root (network namespaces)"
	}
	source [file join $::here .. tests netns etcd_netns.tcl]
	if {![file executable $etcdns::etcdtool]} {
		bail "no $etcdns::etcdtool: make tests/helpers/etcdtool"
	}
	etcdns_up 3
	note "partition: network up, leader [etcdns_leader]; load [load]"
	set ::run 0
	foreach scenario $scenarios {
		foreach model $models {
			for {set r 1} {$r <= $runs} {incr r} {
				part_run $model $scenario $r $hold $settle
			}
		}
	}
	etcdns_down
}

proc part_run {model scenario r hold settle} {
	incr ::run
	set log $::tmpdir/run$::run.overlap
	file mkdir $::tmpdir/run$::run
	# the cluster whole, every fault gone
	heal_all
	etcdns_wait_leader "" 15000
	wait_for {[etcdns_agreed] ne ""} 15000 "etcd members agreeing"
	if {$model ne "etcd"} {
		foreach e [etcdns_members] {
			ns_daemons $e ""
		}
	}
	foreach h [etcdns_hosts] {
		ns_daemons $h [part_policy $model $h $log]
	}
	wait_for {[running $log] eq "h1" && [ns_state h2] eq "RECOVER" &&
	    [ns_state h3] eq "RECOVER"} 20000 \
	    "$model $scenario: h1 not alone UP with h2, h3 standing by\
	    (running: [running $log])"
	after 1000
	set t0 [clock milliseconds]
	fault $scenario $log $hold
	after [expr {$settle * 1000}]
	set end [running $log]
	# what still runs stops now: overlaps end here, not at the last mark
	foreach h $end {
		mark $log $h www stop
	}
	ns_kill_daemons
	lassign [overlap_check $log] n total report
	set starts 0
	foreach m [marks_of $log] {
		incr starts [expr {[lindex $m 3] eq "start"}]
	}
	# the stall's thaw mark is not a start failsh made
	if {$scenario eq "stall"} {
		incr starts -1
	}
	note "  $model $scenario run $r: overlaps $n ($total ms), starts\
	    $starts, running at the end: $end; load [load]"
	set sets {}
	foreach line [split [string trim $report] \n] {
		if {[regexp {^overlap service \S+ hosts (\S+)} $line -> hs]} {
			note "    $line"
			lappend sets [join [lsort [split $hs ,]] +]
		}
	}
	puts [list result partition $model $scenario $r $n $total $starts \
	    [join $end ,] [join [lsort -unique $sets] ,]]
	if {[llength $end] == 0} {
		note "    $model $scenario run $r: nobody runs www at the end"
	}
}

# ----------------------------------------------------------------------
# cost: HOSTS hosts on 127.0.1.10+, each a faild and a failsh; SERVICES
# services, service i with master host i mod HOSTS and slaves the next
# two hosts; model "poll" (interval 0.5 s, deadcount 4) or "etcd" (TTL 2
# s, 3 members on loopback, default election timeouts). After every
# service is UP somewhere: SECONDS of CPU (utime + stime of each group of
# processes from /proc) and requests (faild's stats, etcd's /metrics);
# then kill -9 of host 0's failsh and faild: the time until each of its
# services starts elsewhere.

set ::tck 100

proc ticks {pids} {
	set t 0
	foreach p $pids {
		if {[catch {read_file /proc/$p/stat} s]} {
			continue
		}
		regexp {\) (.*)} $s -> rest
		set f [split $rest " "]
		incr t [expr {[lindex $f 11] + [lindex $f 12]}]
	}
	return $t
}

proc pids_of {hs} {
	set out {}
	foreach h $hs {
		lappend out [dict get $h pid]
	}
	return $out
}

# The sum of NAME's samples in each member's /metrics.
proc metric {ms name} {
	set sum 0
	foreach m $ms {
		set r [run_prog -timeout 5000 curl -s --max-time 3 \
		    [etcd_url $m]/metrics]
		foreach line [split [dict get $r stdout] \n] {
			if {[string match "$name\[ \{\]*" $line]} {
				set sum [expr {$sum + [lindex $line end]}]
			}
		}
	}
	return $sum
}

proc faild_requests {fs} {
	set sum 0
	foreach f $fs {
		incr sum [dict get [stats $f] requests]
	}
	return $sum
}

proc cost {model nhosts nsvc seconds} {
	if {$model ni {poll etcd}} {
		bail "cost: model poll or etcd, not $model"
	}
	source [file join $::here .. tests integration etcd.tcl]
	set ::tck [exec getconf CLK_TCK]
	set log $::tmpdir/cost.overlap
	set ems {}
	if {$model eq "etcd"} {
		set ems [start_etcd_cluster 3 -name cost -args \
		    {--heartbeat-interval 100 --election-timeout 1000}]
	}
	# the hosts: faild on 127.0.1.(10 + j), failsh's ports next to it
	set port [free_port]
	set hosts {}
	for {set j 0} {$j < $nhosts} {incr j} {
		lappend hosts h$j
	}
	set fs {}
	foreach h $hosts {
		set j [string range $h 1 end]
		set addr 127.0.1.[expr {10 + $j}]
		set dir $::tmpdir/$h
		file mkdir $dir
		set fd($h) [harness::spawn_faild [dict create name faild-$h \
		    addr $addr port $port dir $dir state $dir/state \
		    log $dir/faild.log args {}] 0]
		lappend fs $fd($h)
	}
	set hosts_tcl ""
	foreach h $hosts {
		append hosts_tcl "failhost $h address [dict get $fd($h) addr]\n"
		append hosts_tcl "failhost $h port $port\n"
	}
	# each host's services
	array set mine {}
	for {set i 0} {$i < $nsvc} {incr i} {
		set m h[expr {$i % $nhosts}]
		set s1 h[expr {($i + 1) % $nhosts}]
		set s2 h[expr {($i + 2) % $nhosts}]
		foreach h [list $m $s1 $s2] {
			append mine($h) "failsvc s$i masters $m
failsvc s$i slaves {$s1 $s2}
failsvc s$i start {mark s$i start; return UP}
failsvc s$i stop {mark s$i stop; return RECOVER}
"
			if {$model eq "poll"} {
				append mine($h) "failsvc s$i interval 0.5
failsvc s$i deadcount 4
"
			} else {
				append mine($h) "failsvc s$i interval 0.5\n"
			}
		}
	}
	set ss {}
	set t_start [clock milliseconds]
	foreach h $hosts {
		set dir $::tmpdir/$h
		set p [mark_procs $log $h]
		if {$model eq "poll"} {
			append p $hosts_tcl
		} else {
			append p "failetcd endpoints [list [etcd_urls $ems]]
failetcd prefix /cost
failetcd ttl 2
"
		}
		append p $mine($h)
		write_file $dir/policy.tcl $p 0644
		set a [dict get $fd($h) addr]
		set sd($h) [harness::spawn_failsh [dict create name failsh-$h \
		    node $h addr $a monitor [expr {$port + 1}] \
		    control [expr {$port + 2}] \
		    dir $dir log $dir/failsh.log policy $dir/policy.tcl \
		    faild $fd($h) args {}] 0]
		lappend ss $sd($h)
	}
	# every service started once (on a machine too small for the load it
	# may never be: measured anyway, "up" -1)
	if {[catch {wait_for {[llength [running_services $log]] == $nsvc} \
	    120000}]} {
		note "cost $model $nhosts x $nsvc: only\
		    [llength [running_services $log]] of $nsvc services up\
		    after 120 s (overloaded?), measuring anyway"
		set up_ms -1000
	} else {
		set up_ms [expr {[clock milliseconds] - $t_start}]
	}
	set n0 [llength [marks_of $log]]
	after 3000
	note "cost $model $nhosts x $nsvc: all up in $up_ms ms; load [load]"
	set all_pids [concat [pids_of $ss] [pids_of $fs] [pids_of $ems]]
	set t0 [clock milliseconds]
	set c_s0 [ticks [pids_of $ss]]
	set c_f0 [ticks [pids_of $fs]]
	set c_e0 [ticks [pids_of $ems]]
	set q0 [faild_requests $fs]
	if {$ems ne ""} {
		set g0 [metric $ems grpc_server_msg_received_total]
		set h0 [metric $ems grpc_server_handled_total]
		set p0 [metric $ems process_cpu_seconds_total]
	}
	set l0 [load]
	after [expr {$seconds * 1000}]
	set t1 [clock milliseconds]
	set c_s1 [ticks [pids_of $ss]]
	set c_f1 [ticks [pids_of $fs]]
	set c_e1 [ticks [pids_of $ems]]
	set q1 [faild_requests $fs]
	set secs [expr {($t1 - $t0) / 1000.0}]
	set g 0; set hd 0; set pc 0
	if {$ems ne ""} {
		set g [expr {([metric $ems grpc_server_msg_received_total] -
		    $g0) / $secs}]
		set hd [expr {([metric $ems grpc_server_handled_total] -
		    $h0) / $secs}]
		set pc [expr {([metric $ems process_cpu_seconds_total] -
		    $p0) / $secs * 100}]
	}
	foreach x {s f e} {
		set cpu($x) [expr {100.0 * ([set c_${x}1] - [set c_${x}0]) /
		    $::tck / $secs}]
	}
	set moved [expr {[llength [marks_of $log]] - $n0}]
	foreach p $all_pids {
		if {![pid_alive $p]} {
			bail "cost $model: process $p died"
		}
	}
	note [format "  cpu %%: failsh %.1f faild %.1f etcd %.1f (etcd's own\
	    metric %.1f); faild req/s %.0f; etcd msgs/s %.0f, rpcs/s %.0f;\
	    marks during the window %d; load %s -> %s" $cpu(s) $cpu(f) \
	    $cpu(e) $pc [expr {($q1 - $q0) / $secs}] $g $hd $moved $l0 [load]]
	# detection: the services host h0 is master of (where they run, on
	# an overloaded machine, is not sure), kill -9 of its failsh and faild
	set victims {}
	for {set i 0} {$i < $nsvc} {incr i $nhosts} {
		lappend victims s$i
	}
	set where {}
	foreach s [running_services $log] {
		if {[lindex $s 0] in $victims} {
			lappend where [lindex $s 1]
		}
	}
	note "  h0's [llength $victims] services run on: [lsort $where]"
	mark $log h0 [lindex $victims 0] stop
	set tk [lindex [marks_of $log] end 0]
	kill_daemon $sd(h0)
	kill_daemon $fd(h0)
	foreach v [lrange $victims 1 end] {
		mark $log h0 $v stop
	}
	set det {}
	catch {wait_for {[llength [moved $log $victims $tk]] == \
	    [llength $victims]} 60000}
	foreach t [moved $log $victims $tk] {
		lappend det [expr {($t - $tk) / 1e6}]
	}
	set det [lsort -real $det]
	set missing [expr {[llength $victims] - [llength $det]}]
	note "  detection: [llength $victims] services mastered by h0, moved\
	    [llength $det], p50 [lindex $det [expr {[llength $det] / 2}]]\
	    ms, max [lindex $det end] ms"
	lassign [overlap_check $log] nov
	set d50 -
	set dmax -
	if {[llength $det] > 0} {
		set d50 [format %.0f [lindex $det [expr {[llength $det] / 2}]]]
		set dmax [format %.0f [lindex $det end]]
	}
	puts [format "result cost %s %d %d %.1f %.1f %.1f %.1f %.0f %.0f %.0f\
	    %s %s %d %d %d %s" $model $nhosts $nsvc $cpu(s) $cpu(f) $cpu(e) \
	    $pc [expr {($q1 - $q0) / $secs}] $g $hd $d50 $dmax $missing \
	    $moved $nov $up_ms]
}

# {service host} of each service whose last mark is a start.
proc running_services {log} {
	array set last {}
	foreach m [marks_of $log] {
		lassign $m t h s what
		if {$what eq "start"} {
			set last($s) $h
		} elseif {[info exists last($s)] && $last($s) eq $h} {
			unset last($s)
		}
	}
	set out {}
	foreach s [array names last] {
		lappend out [list $s $last($s)]
	}
	return $out
}

# The first start elsewhere after T_NS of each of SERVICES that has one.
proc moved {log services t_ns} {
	array set first {}
	foreach m [marks_of $log] {
		lassign $m t h s what
		if {$what eq "start" && $h ne "h0" && $t >= $t_ns &&
		    ![info exists first($s)] && $s in $services} {
			set first($s) $t
		}
	}
	set out {}
	foreach s [array names first] {
		lappend out $first($s)
	}
	return $out
}

# ----------------------------------------------------------------------

if {![file executable $::overlap]} {
	bail "no $::overlap: make tests/helpers/overlap"
}
foreach prog [list $::faild $::failsh] {
	if {![file executable $prog]} {
		bail "no $prog: build it first (make)"
	}
}
set part [lindex $argv 0]
if {[catch {
	switch -- $part {
	takeover {takeover {*}[lrange $argv 1 end]}
	partition {partition {*}[lrange $argv 1 end]}
	cost {cost {*}[lrange $argv 1 end]}
	default {bail "usage: etcd.tcl takeover|partition|cost ..."}
	}
} err]} {
	note "etcd.tcl $part: $err"
	harness::show_logs
	exit 1
}
exit 0
