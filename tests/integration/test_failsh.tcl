# test_failsh.tcl: failsh against real faild and failsh peers on 127.0.0.x:
# failover when the master dies, reclaim when it returns, hung and stalled
# peers, script errors and timeouts, scripts that wait without stalling
# other services, failtrap order, the monitor and control ports, the dump.

source [file join [file dirname [info script]] harness.tcl]

if {![file executable $::failsh]} {
	puts "no $::failsh: build it first (make failsh/failsh)"
	puts "0 passed, 1 failed"
	exit 1
}

# A policy for one service: start and stop append a line to EVENTS (the
# node's own file) and return UP and RECOVER.
proc svc_tcl {svc events interval args} {
	return "
proc note {what} {
	set f \[open [list $events] a\]
	puts \$f \"\$what \[clock milliseconds\]\"
	close \$f
}
failsvc $svc interval $interval
failsvc $svc start {note start; return UP}
failsvc $svc stop {note stop; return RECOVER}
[join $args \n]
"
}

# Two nodes a (master) and b (slave) of service www, interval INTERVAL.
# Returns a dict: fa fb (faild), sa sb (failsh), ea eb (event files).
proc pair {interval {extra_a ""} {extra_b ""}} {
	set fa [start_faild -name fa[incr ::harness::seq]]
	set fb [start_faild -name fb[incr ::harness::seq]]
	set nodes [dict create a $fa b $fb]
	set ea $::tmpdir/events.a.[incr ::harness::seq]
	set eb $::tmpdir/events.b.$::harness::seq
	# INTERVAL: both hosts', or {a's b's}
	lassign [concat $interval $interval] ia ib
	set sa [start_failsh a $fa "[hosts_tcl $nodes][svc_tcl www $ea \
	    $ia {failsvc www slaves b}]$extra_a"]
	set sb [start_failsh b $fb "[hosts_tcl $nodes][svc_tcl www $eb \
	    $ib {failsvc www masters a}]$extra_b"]
	wait_for {[state_of $fa www] eq "UP"} 5000 "a never came UP"
	wait_for {[state_of $fb www] eq "RECOVER"} 5000 "b never RECOVER"
	wait_for_log $sb "*www: master a * -> UP*"
	return [dict create fa $fa fb $fb sa $sa sb $sb ea $ea eb $eb \
	    nodes $nodes]
}

# A failproto request to failsh's control port; the answer line.
proc control {s line} {
	return [faild_tcp [dict create addr [dict get $s addr] \
	    port [dict get $s control]] $line]
}

test "master up, slave waits; both publish to their faild" {
	set p [pair 0.1]
	wait_for_log [dict get $p sa] "*service www: RECOVER -> UP (no master up, start ok)*"
	assert_equal 0 [lines_matching [dict get $p sb] "*www: RECOVER -> UP*"]
	# failsh logs a transition before it publishes it
	wait_for {[string match "*UP *failsh@*" [faild_tcp [dict get $p fa] \
	    "1 get www"]]} 5000 "www UP by failsh in faild"
}

test "master killed: the slave takes over within deadcount x interval + interval" {
	set p [pair 0.2]
	set t0 [clock milliseconds]
	kill_daemon [dict get $p sa]
	kill_daemon [dict get $p fa]
	wait_for {[state_of [dict get $p fb] www] eq "UP"} 5000 "b never UP"
	set took [expr {[clock milliseconds] - $t0}]
	wait_for_log [dict get $p sb] "*master a UP -> FAIL (3 polls failed:*"
	wait_for_log [dict get $p sb] "*www: RECOVER -> UP (no master up, start ok)*"
	# 3 x 0.2 s + 0.2 s, and slack for a loaded machine
	assert_true {$took <= 800 + 700} "took $took ms"
}

# Sample both nodes' faild every 10 ms until cond holds; returns the
# longest time both said UP at once, in ms.
proc max_overlap {fa fb cond timeout_ms} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	set both_since 0
	set worst 0
	while {![uplevel 1 [list expr $cond]]} {
		set now [clock milliseconds]
		if {$now > $deadline} {
			fail "not done after $timeout_ms ms (worst overlap $worst)"
		}
		if {[state_of $fa www] eq "UP" && [state_of $fb www] eq "UP"} {
			if {$both_since == 0} {
				set both_since $now
			}
			set d [expr {[clock milliseconds] - $both_since}]
			if {$d > $worst} {
				set worst $d
			}
		} else {
			set both_since 0
		}
		harness::nap 10
	}
	return $worst
}

test "master back with an empty faild: reclaim, the slave stops, never two UP" {
	set p [pair 0.2 {failsvc www reclaim {note reclaim; return RECOVER}}]
	set fa [dict get $p fa]
	set fb [dict get $p fb]
	kill_daemon [dict get $p sa]
	kill_daemon [dict get $p fa]
	wait_for {[state_of $fb www] eq "UP"} 5000 "b never UP"
	file delete [dict get $fa state] [dict get $fa state].journal
	set fa [restart $fa]
	set sa [restart [dict get $p sa]]
	set worst [max_overlap $fa $fb {[state_of $fa www] eq "UP" &&
	    [state_of $fb www] eq "RECOVER"} 8000]
	assert_true {$worst <= 200 + 300} "both UP for $worst ms"
	wait_for_log $sa "*www: RECOVER -> UP (no master up, start ok)*"
	wait_for_log [dict get $p sb] "*www: UP -> RECOVER (master a RECOVER, stop ok)*"
	assert_match "*reclaim*" [read_file [dict get $p ea]]
}

# The intervals in which a node ran the service, from its event file:
# {from to} from each start to the next stop (to: now if none), counted
# from SINCE; RUNNING says it ran at SINCE already.
proc ran {events since running} {
	set out {}
	set from [expr {$running ? $since : ""}]
	foreach line [split [read_file $events] \n] {
		if {[scan $line "%s %d" what t] != 2 || $t < $since} {
			continue
		}
		if {$what eq "start" && $from eq ""} {
			set from $t
		} elseif {$what eq "stop" && $from ne ""} {
			lappend out [list $from $t]
			set from ""
		}
	}
	if {$from ne ""} {
		lappend out [list $from [clock milliseconds]]
	}
	return $out
}

# The longest time both lists of intervals overlap, in ms.
proc overlap {a b} {
	set worst 0
	foreach x $a {
		foreach y $b {
			set d [expr {min([lindex $x 1], [lindex $y 1]) -
			    max([lindex $x 0], [lindex $y 0])}]
			set worst [expr {max($worst, $d)}]
		}
	}
	return $worst
}

# The master's faild and failsh died (a reboot) while it ran www; b took
# over. They come back with the state file kept, in ORDER, with runs of
# b between them: a must find b running it, stop first, and take it back
# only once b has stopped.
proc master_back {order} {
	set p [pair 0.1]
	set fa [dict get $p fa]
	set fb [dict get $p fb]
	set sb [dict get $p sb]
	kill_daemon [dict get $p sa]
	kill_daemon $fa
	wait_for {[state_of $fb www] eq "UP"} 5000 "b never UP"
	set t0 [clock milliseconds]
	if {$order eq "faild first"} {
		set fa [restart $fa]
		# the persisted UP is nobody's yet: b's polls count it as none
		assert_match "1 OK www UP * failsh@* unconfirmed" \
		    [faild_tcp $fa "1 get www"]
		wait_runs $sb 10
		set sa [restart [dict get $p sa]]
	} else {
		set sa [restart [dict get $p sa]]
		wait_for_log $sa "*www: the local faild does not answer*"
		wait_runs $sa 10
		set fa [restart $fa]
	}
	wait_for {[state_of $fb www] eq "RECOVER" &&
	    [faild_tcp $fa "1 get www"] ne "" &&
	    [string match "1 OK www UP * failsh@*" [faild_tcp $fa "1 get www"]] &&
	    ![string match "*unconfirmed" [faild_tcp $fa "1 get www"]]} 10000 \
	    "www never back on a alone"
	wait_for_log $sa "*www: UP (as the local faild had it, unconfirmed)*"
	wait_for_log $sa "*www: UP -> RECOVER (slave b UP, took over meanwhile:\
	    stopping here first, stop ok)*"
	wait_for_log $sb "*www: UP -> RECOVER (master a RECOVER, stop ok)*"
	wait_for_log $sa "*www: RECOVER -> UP (no master up, start ok)*"
	assert_equal 0 [overlap [ran [dict get $p ea] $t0 0] \
	    [ran [dict get $p eb] $t0 1]] "both ran www (ms)"
	assert_equal 0 [lines_matching $sa "*re-announced*"]
}

test "master back after a reboot, faild first: stops, then takes over; never two owners" {
	master_back "faild first"
}

test "master back after a reboot, failsh first: nothing until its faild answers; never two owners" {
	master_back "failsh first"
}

test "failsh without its faild never takes a service over; it does once faild answers" {
	set fb [start_faild -name fb[incr ::harness::seq]]
	set eb $::tmpdir/events.nofaild.[incr ::harness::seq]
	stop_daemon $fb
	set sb [start_failsh b $fb [svc_tcl www $eb 0.05]]
	wait_for_log $sb "*www: the local faild does not answer*"
	wait_runs $sb 20
	assert_true {![file exists $eb]} "www started without faild"
	assert_equal 0 [lines_matching $sb "*www: * -> UP*"]
	set fb [restart $fb]
	wait_for_log $sb "*www: the local faild answers again*"
	wait_for {[state_of $fb www] eq "UP"} 5000 "www never UP"
}

test "an owner whose faild stops answering stops when its peers take over, an interval at most apart" {
	# deadcount 3: a stops after 2 silent runs, b starts after 3 failed
	# polls, the first maybe under way when faild stopped
	set p [pair 0.2]
	set fa [dict get $p fa]
	set sa [dict get $p sa]
	set t0 [clock milliseconds]
	pause_daemon $fa
	wait_for_log [dict get $p sb] "*www: RECOVER -> UP (no master up,\
	    start ok)*"
	wait_for_log $sa "*www: UP -> RECOVER (the local faild does not answer\
	    (2 calls failed): peers will count this host FAIL, stop ok)*"
	set both [overlap [ran [dict get $p ea] $t0 1] [ran [dict get $p eb] $t0 0]]
	assert_true {$both <= 200 + 100} "both ran www for $both ms"
	# back: a is b's master and takes it back, one owner at a time
	resume_daemon $fa
	wait_for {[state_of $fa www] eq "UP" &&
	    [state_of [dict get $p fb] www] eq "RECOVER"} 5000 "www not back on a"
}

test "faild restarted under a running failsh: the states are confirmed again, no failover" {
	set p [pair 0.1]
	set fa [restart [dict get $p fa]]
	wait_for {![string match "*unconfirmed" [faild_tcp $fa "1 get www"]]} \
	    5000 "www never confirmed"
	assert_equal UP [state_of $fa www]
	wait_runs [dict get $p sb] 5
	assert_equal 0 [lines_matching [dict get $p sb] "*www: RECOVER -> UP*"]
	assert_equal 0 [lines_matching [dict get $p sa] "*www: UP -> *"] \
	    "a stopped www"
}

test "a peer that accepts and never answers counts as dead after deadcount" {
	lassign [fake_server hang] srv port
	set fb [start_faild -name fb[incr ::harness::seq]]
	set eb $::tmpdir/events.hang
	set sb [start_failsh b $fb "failhost m address 127.0.0.1
failhost m port $port
failhost m timeout 0.1
[svc_tcl www $eb 0.1 {failsvc www masters m}]"]
	wait_for_log $sb "*master m UNKNOWN -> FAIL (3 polls failed: no answer*"
	wait_for_log $sb "*www: RECOVER -> UP (no master up, start ok)*"
	fake_server_close $srv
}

test "slave stopped shorter than the dead time: no takeover" {
	set p [pair 0.2]
	set sb [dict get $p sb]
	pause_daemon $sb
	harness::nap 300
	resume_daemon $sb
	# A full dead time later b has polled a again and stayed RECOVER.
	wait_runs $sb 5
	assert_equal 0 [lines_matching $sb "*www: RECOVER -> UP*"]
	assert_equal RECOVER [state_of [dict get $p fb] www]
	assert_equal UP [state_of [dict get $p fa] www]
}

test "slave stopped longer than the dead time: it re-polls, no takeover" {
	set p [pair 0.1]
	set sb [dict get $p sb]
	pause_daemon $sb
	harness::nap 1000
	resume_daemon $sb
	wait_for_log $sb "*www: stalled * ms, re-polling*"
	wait_runs $sb 5
	assert_equal 0 [lines_matching $sb "*www: RECOVER -> UP*"]
	assert_equal 0 [lines_matching $sb "*master a UP -> FAIL*"]
	assert_equal RECOVER [state_of [dict get $p fb] www]
}

# One failsh (node b) with no live peers, running POLICY.
proc alone {policy args} {
	set fb [start_faild -name fb[incr ::harness::seq]]
	return [list $fb [start_failsh b $fb $policy {*}$args]]
}

test "a start script with a Tcl error: FAIL, logged, retried" {
	lassign [alone {
		failsvc www interval 0.05
		failsvc www start {error "disk on fire"}
	}] fb sb
	wait_for_log $sb "*service www: RECOVER -> FAIL (no master up, start failed: disk on fire)*"
	wait_for {[state_of $fb www] eq "FAIL"}
	wait_runs $sb 3
	assert_equal 1 [lines_matching $sb "*-> FAIL*"] "one transition line"
}

test "a start script that returns no state: FAIL, named" {
	lassign [alone {failsvc www start {return MAYBE}}] fb sb
	wait_for_log $sb "*www: RECOVER -> FAIL (no master up, start returned \"MAYBE\", not UP, RECOVER or FAIL)*"
}

test "a hung start script is ended at its timeout, its children killed" {
	set pidf $::tmpdir/hung.pid
	lassign [alone "
		failsvc www interval 0.1
		failsvc www timeout 0.3
		failsvc www start {exec sh -c {echo \$\$ > $pidf; exec sleep 30}}
	"] fb sb
	wait_for_log $sb "*www: RECOVER -> FAIL (no master up, start timed out after 300 ms)*"
	set pid [string trim [read_file $pidf]]
	wait_for {![pid_alive $pid]} 2000 "the script's child $pid still runs"
}

test "a start script that computes for ever is ended at its timeout" {
	lassign [alone {
		failsvc www timeout 0.2
		failsvc www start {while 1 {}}
	}] fb sb
	wait_for_log $sb "*www: RECOVER -> FAIL (no master up, start timed out after 200 ms)*"
	# The interpreter still works: another service starts.
	control $sb "1 ping"
}

test "scripts that wait (after, exec, vwait) stall no other service" {
	lassign [alone {
		failsvc sleeper start {after 30000; return UP}
		failsvc execer start {exec sleep 30; return UP}
		failsvc waiter start {vwait ::never; return UP}
		failsvc www interval 0.05
		failsvc www start {return UP}
	}] fb sb
	wait_for {[state_of $fb www] eq "UP"} 3000 "www did not start"
	foreach s {sleeper execer waiter} {
		wait_for {[state_of $fb $s] eq "RECOVER"} 3000 $s
	}
	# and the monitor and control ports answer meanwhile
	assert_match "1 OK pong *" [control $sb "1 ping"]
}

test "a daemon a script starts obeys SIGTERM (failsh's signal mask is not inherited)" {
	set pidf $::tmpdir/daemon.[incr ::harness::seq]
	lassign [alone "failsvc www start {
		exec sh -c {echo \$\$ > $pidf; exec sleep 60} &
		return UP
	}"] fb sb
	wait_for {[file exists $pidf] && [string trim [read_file $pidf]] ne ""}
	set pid [string trim [read_file $pidf]]
	exec kill -TERM $pid
	wait_for {![pid_alive $pid]} 3000 "the daemon ignored SIGTERM"
}

test "exec in a script: output, errors and exit codes as Tcl's exec" {
	set out $::tmpdir/exec.out
	lassign [alone "
		proc try {script} {
			catch \$script r o
			set ec NONE
			if {\[dict exists \$o -errorcode\]} {
				set ec \[dict get \$o -errorcode\]
			}
			lappend ::results \[list \$r \$ec\]
		}
		failsvc www start {
			set ::results {}
			try {exec echo hello}
			try {exec -keepnewline echo hello}
			try {exec sh -c {exit 3}}
			try {exec sh -c {echo out; echo err >&2}}
			try {exec -ignorestderr sh -c {echo out; echo err >&2}}
			try {exec sh -c {echo both 2>&1}}
			try {exec no-such-program-here}
			set f \[open $out w\]
			puts -nonewline \$f \$::results
			close \$f
			return UP
		}
	"] fb sb
	wait_for {[state_of $fb www] eq "UP"}
	set lines [read_file $out]
	assert_equal {hello NONE} [lindex $lines 0]
	assert_equal [list "hello\n" NONE] [lindex $lines 1]
	assert_match {{child process exited abnormally} {CHILDSTATUS * 3}} [lindex $lines 2]
	assert_match {{out*err} NONE} [lindex $lines 3]
	assert_equal {out NONE} [lindex $lines 4]
	assert_equal {both NONE} [lindex $lines 5]
	assert_match {*no such file or directory* {POSIX ENOENT *}} [lindex $lines 6]
}

# The first line of failsh's current monitor snapshot starting with PREFIX.
proc snapshot_line {s prefix} {
	foreach line [snapshot $s] {
		if {[string match "$prefix *" $line]} {
			return $line
		}
	}
	return ""
}

# One whole snapshot from the monitor port, as a list of lines.
proc snapshot {s} {
	set ch [faild_connect [dict create addr [dict get $s addr] \
	    port [dict get $s monitor]]]
	try {
		return [read_snapshot $ch]
	} finally {
		conn_close $ch
	}
}

proc read_snapshot {ch} {
	set lines {}
	while {[set line [read_line $ch]] ne "END"} {
		lappend lines $line
	}
	return $lines
}

test "another service fails over on time while a script sleeps" {
	set fa [start_faild -name fa[incr ::harness::seq]]
	set fb [start_faild -name fb[incr ::harness::seq]]
	set nodes [dict create a $fa b $fb]
	set pol_a "[hosts_tcl $nodes]
		failsvc www interval 0.1
		failsvc www slaves b
		failsvc www start {return UP}"
	set pol_b "[hosts_tcl $nodes]
		failsvc slow start {after 60000; return UP}
		failsvc www interval 0.1
		failsvc www masters a
		failsvc www start {return UP}
		failsvc www stop {return RECOVER}"
	set sa [start_failsh a $fa $pol_a]
	set sb [start_failsh b $fb $pol_b]
	wait_for {[state_of $fa www] eq "UP" && [state_of $fb www] eq "RECOVER"}
	wait_for {[string match "* busy *" [snapshot_line $sb "SERVICE slow"]]} \
	    3000 "slow's start is not running"
	set t0 [clock milliseconds]
	kill_daemon $sa
	kill_daemon $fa
	wait_for {[state_of $fb www] eq "UP"} 3000 "www did not fail over"
	set took [expr {[clock milliseconds] - $t0}]
	assert_true {$took <= 400 + 700} "took $took ms"
	assert_equal RECOVER [state_of $fb slow]
}

test "monitor port: a snapshot at once, a new one on each change" {
	set p [pair 0.1]
	set sb [dict get $p sb]
	set ch [faild_connect [dict create addr [dict get $sb addr] \
	    port [dict get $sb monitor]]]
	set snap [read_snapshot $ch]
	assert_match "SNAPSHOT * b *" [lindex $snap 0]
	assert_match "*SERVICE www RECOVER * 100 3 * *" $snap
	# b sees a UP one poll after a went UP: a snapshot follows
	while {![string match "*PEER www master a UP 0 *" $snap]} {
		set snap [read_snapshot $ch]
	}
	assert_match "*HOST a [dict get $p fa addr] [dict get $p fa port] tcp reachable *" $snap
	kill_daemon [dict get $p sa]
	kill_daemon [dict get $p fa]
	# snapshots follow until one shows www UP with its master FAIL
	wait_for {[string match "*SERVICE www UP *PEER www master a FAIL 3 *" \
	    [read_snapshot $ch]]} 5000 "no snapshot with www UP"
	conn_close $ch
}

test "monitor port: without changes a fresh snapshot every second" {
	lassign [alone {
		failsvc www interval 0.05
		failsvc www start {return UP}
	}] fb sb
	wait_for {[state_of $fb www] eq "UP"}
	set ch [faild_connect [dict create addr [dict get $sb addr] \
	    port [dict get $sb monitor]]]
	set runs {}
	foreach i {1 2} {
		foreach line [read_snapshot $ch] {
			if {[string match "SERVICE www *" $line]} {
				lappend runs [lindex $line 7]
			}
		}
	}
	conn_close $ch
	assert_true {[lindex $runs 1] > [lindex $runs 0]} "runs $runs"
}

test "control port: faildebug sets levels, failstat reads local states" {
	lassign [alone {failsvc www start {return UP}} -c secret] fb sb
	wait_for {[state_of $fb www] eq "UP"}
	set hp [dict get $sb addr]:[dict get $sb control]
	set r [run_prog $::faildebug -c secret -h $hp sched=2 tcl+]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	assert_match "*tcl 1*sched 2*" [dict get $r stdout]
	wait_for_log $sb "*debug level of sched set to 2*"
	set r [run_prog $::faildebug -h $hp sched=0]
	assert_equal 1 [dict get $r code] "wrong community refused"
	set r [run_prog $::failstat $hp www]
	assert_equal 0 [dict get $r code]
	assert_match "www *UP*" [dict get $r stdout]
	assert_match "*ERR 405*" [control $sb "1 set www FAIL"]
}

test "failhost key: polls are signed, answers checked; a wrong key is no answer" {
	set kf [write_file $::tmpdir/keys.[incr ::harness::seq] "k1 [random_hex 64]\n" 0600]
	# Node a's faild: signed requests must be for "a".
	set fa [start_faild -name fa[incr ::harness::seq] -k $kf -N a]
	set fb [start_faild -name fb[incr ::harness::seq]]
	faild_tcp $fa "1 set www UP"	;# unsigned: refused, a has a key
	assert_equal NONE [state_of $fa www]
	exec $::failc -k $kf -N a -h [dict get $fa addr]:[dict get $fa port] \
	    www UP
	set pol "failhost a address [dict get $fa addr]
		failhost a port [dict get $fa port]
		failhost a key k1
		failsvc www interval 0.05
		failsvc www masters a
		failsvc www start {return UP}"
	set sb [start_failsh b $fb $pol -k $kf]
	wait_for_log $sb "*www: master a UNKNOWN -> UP*"
	wait_runs $sb 5
	assert_equal RECOVER [state_of $fb www]
	stop_daemon $sb
	set other [write_file $::tmpdir/okeys.$::harness::seq "k1 [random_hex 64]\n" 0600]
	set sb [start_failsh b $fb $pol -k $other]
	wait_for_log $sb "*www: master a * -> FAIL (3 polls failed: *401*"
}

test "control port with keys (-k): signed debug requests, signed answers" {
	set kf [write_file $::tmpdir/keys.[incr ::harness::seq] "k1 [random_hex 64]\n" 0600]
	lassign [alone {failsvc www start {return UP}} -k $kf] fb sb
	set hp [dict get $sb addr]:[dict get $sb control]
	set r [run_prog $::faildebug -k $kf -h $hp sched=1]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	assert_match "*sched 1*" [dict get $r stdout]
	set r [run_prog $::faildebug -h $hp sched=2]
	assert_equal 1 [dict get $r code] "unsigned set refused"
	assert_match "*401*signed request*" [dict get $r stderr]
	set r [run_prog $::faildebug -h $hp]
	assert_equal 0 [dict get $r code] "unsigned read allowed"
	set other [write_file $::tmpdir/okeys.$::harness::seq "k1 [random_hex 64]\n" 0600]
	set r [run_prog $::faildebug -k $other -h $hp sched=2]
	assert_true {[dict get $r code] != 0} "wrong key refused"
}

test "SIGUSR1 dumps the state to the dump file; SIGINT stops failsh, leaving the service" {
	lassign [alone {failsvc www start {return UP}}] fb sb
	wait_for {[state_of $fb www] eq "UP"}
	exec kill -USR1 [dict get $sb pid]
	wait_for {[file exists [dict get $sb dir]/dump]}
	wait_for {[string match "*SERVICE www UP*END*" \
	    [read_file [dict get $sb dir]/dump]]}
	assert_true {[daemon_alive $sb]} "failsh survives SIGUSR1"
	kill_daemon $sb INT
	wait_for_log $sb "*exiting on signal 2, services left as they are*"
	assert_equal UP [state_of $fb www]
}

test "restarting failsh on the master causes no failover" {
	set p [pair 0.1]
	set sa [restart [dict get $p sa]]
	wait_for_log $sa "*www: UP, re-announced*"
	wait_runs [dict get $p sb] 5
	assert_equal 0 [lines_matching [dict get $p sb] "*www: RECOVER -> UP*"]
	assert_equal UP [state_of [dict get $p fa] www]
}

test "quorum: no takeover without a majority of the quorum hosts" {
	set fq [start_faild -name fq[incr ::harness::seq]]
	set fb [start_faild -name fb[incr ::harness::seq]]
	set dead [free_port]
	set pol "failhost a address 127.0.0.1
		failhost a port $dead
		failhost q address [dict get $fq addr]
		failhost q port [dict get $fq port]
		failhost gone address 127.0.0.1
		failhost gone port $dead
		failsvc www interval 0.05
		failsvc www masters a
		failsvc www start {return UP}"
	set sb [start_failsh b $fb "$pol
		failsvc www quorum {q gone}"]
	wait_runs $sb 10
	assert_equal RECOVER [state_of $fb www] "1 of 2 quorum hosts: no"
	stop_daemon $sb
	set sb [start_failsh b $fb "$pol
		failsvc www quorum {q}"]
	wait_for {[state_of $fb www] eq "UP"} 3000 "1 of 1: takeover"
}

test "failtrap: every change, in order, one at a time per service" {
	set fa [start_faild -name fa[incr ::harness::seq]]
	set fb [start_faild -name fb[incr ::harness::seq]]
	set out $::tmpdir/traps.[incr ::harness::seq]
	set sb [start_failsh b $fb "
		failhost a address [dict get $fa addr]
		failhost a port [dict get $fa port]
		failsvc www interval 0.02
		failsvc www masters a
		set ::running 0
		proc trap {svc host old new} {
			if {\[incr ::running\] != 1} { set ::overlap 1 }
			after 30
			set f \[open $out a\]
			puts \$f \[list \$svc \$host \$old \$new \[info exists ::overlap\]\]
			close \$f
			incr ::running -1
		}
		failtrap * trap
	"]
	# a has no www: FAIL; then UP, RECOVER, FAIL, UP, ... each seen
	wait_for_log $sb "*www: master a UNKNOWN -> FAIL*"
	set states {UP RECOVER FAIL}
	for {set i 0} {$i < 12} {incr i} {
		faild_tcp $fa "1 set www [lindex $states [expr {$i % 3}]]"
		wait_for {[lines_matching $sb "*www: master a *"] >= $i + 2} 3000
	}
	set n [lines_matching $sb "*www: master a *"]
	wait_for {[llength [split [string trim [read_file $out]] \n]] >= $n} 5000
	set prev ""
	foreach line [split [string trim [read_file $out]] \n] {
		lassign $line svc host old new overlap
		assert_equal 0 $overlap "two traps of www at once"
		if {$host eq "a"} {
			if {$prev ne ""} {
				assert_equal $prev $old "changes out of order"
			}
			set prev $new
		}
	}
	assert_equal 13 $n "changes seen"
}
test "restarting faild on the master causes no failover" {
	set p [pair 0.2]
	restart [dict get $p fa]
	wait_runs [dict get $p sb] 5
	assert_equal 0 [lines_matching [dict get $p sb] "*www: RECOVER -> UP*"]
	assert_equal UP [state_of [dict get $p fa] www]
}

# Cut node FROM off from node TO (in pair P): FROM's policy names a port
# where nothing listens for TO; the other way round still works. UNCUT
# restores it.
proc cut {p from to} {
	policy_port $p $from $to [free_port]
}
proc uncut {p from to} {
	policy_port $p $from $to [dict get $p f$to port]
}
proc policy_port {p from to port} {
	set s [dict get $p s$from]
	set pol [read_file [dict get $s policy]]
	regsub -line "^failhost $to port .*\$" $pol "failhost $to port $port" pol
	write_file [dict get $s policy] $pol 0644
	set n [lines_matching $s "*reloaded policy*"]
	exec kill -HUP [dict get $s pid]
	wait_for {[lines_matching $s "*reloaded policy*"] > $n} 5000 \
	    "$from never reloaded"
}

test "split brain healed: the master re-announces once, the slave stops, the master announces again" {
	# b's stop is slow, so a sees b UP for several runs
	set p [pair 0.05 {} {failsvc www stop {after 400; note stop; return RECOVER}}]
	set fa [dict get $p fa]
	set fb [dict get $p fb]
	# b cannot reach a: it takes over while a keeps running www
	cut $p b a
	wait_for {[state_of $fb www] eq "UP"} 3000 "b never took over"
	wait_for_log [dict get $p sa] "*www: UP, re-announced (slave b UP, re-announcing, start ok)*"
	uncut $p b a
	wait_for {[state_of $fb www] eq "RECOVER"} 3000 "b never stopped"
	wait_for_log [dict get $p sb] "*www: UP -> RECOVER (master a UP, stop ok)*"
	# clients that followed b's announcement must come back to a
	wait_for_log [dict get $p sa] "*www: UP, re-announced (slave b let it\
	    go (RECOVER), re-announcing, start ok)*"
	assert_equal 2 [lines_matching [dict get $p sa] "*re-announced*"]
	assert_equal UP [state_of $fa www]
}

test "failback: the master re-announces when its slave is back, though no longer UP" {
	set p [pair 0.05]
	set sa [dict get $p sa]
	# a partition: each counts the other FAIL; b takes over
	cut $p a b
	cut $p b a
	wait_for_log $sa "*www: slave b * -> FAIL*"
	wait_for {[state_of [dict get $p fb] www] eq "UP"} 3000 "b never took over"
	# healed on b's side first: b stops before a hears from it
	uncut $p b a
	wait_for {[state_of [dict get $p fb] www] eq "RECOVER"} 3000 \
	    "b never stopped"
	assert_equal 0 [lines_matching $sa "*re-announced*"]
	uncut $p a b
	wait_for_log $sa "*www: UP, re-announced (slave b back (RECOVER),\
	    re-announcing, start ok)*"
}

# What failsh S says of the health of www in its monitor snapshot:
# {health restarts max_restarts check_result}.
proc health_of {s} {
	return [lrange [snapshot_line $s "HEALTH www"] 2 end]
}

# A health check that answers what FILE says (UP or FAIL).
proc check_tcl {file} {
	return "failsvc www check {string trim \[read_state [list $file]\]}
proc read_state {f} {
	set ch \[open \$f\]
	set s \[read \$ch\]
	close \$ch
	return \$s
}
failsvc www fall 2
failsvc www rise 2"
}

test "health: a failing check restarts the service in place, then gives it up; the slave takes over; healthy again, the master takes it back" {
	set ha $::tmpdir/health.a.[incr ::harness::seq]
	write_file $ha UP
	set p [pair 0.1 "[check_tcl $ha]
failsvc www restarts 2
failsvc www restartwindow 60"]
	set sa [dict get $p sa]
	set fb [dict get $p fb]
	wait_for {[lindex [health_of $sa] 0] eq "OK"} 5000 \
	    "a's check never passed"
	set t0 [clock milliseconds]
	write_file $ha FAIL
	wait_for_log $sa "*www: health OK -> FAIL (check returned FAIL, 2/2)*"
	wait_for_log $sa "*www: UP, restarted (health check failing,\
	    restarting here (1 left), stop ok, start ok)*"
	wait_for_log $sa "*www: UP, restarted (health check failing,\
	    restarting here (0 left), stop ok, start ok)*"
	wait_for_log $sa "*www: UP -> FAIL (health check failing, no restart\
	    left: giving up here, stop ok)*"
	wait_for {[state_of $fb www] eq "UP"} 5000 "b never took over"
	assert_equal 0 [overlap [ran [dict get $p ea] $t0 1] \
	    [ran [dict get $p eb] $t0 0]] "both ran www (ms)"
	# the health is in a's faild, for failstat (and any tool)
	set fa [dict get $p fa]
	wait_for {[state_of $fa _health.www] eq "FAIL"} 5000 "no _health.www"
	assert_match "www *FAIL *\n* health FAIL\n*" [dict get [run_prog \
	    $::failstat [dict get $fa addr]:[dict get $fa port]] stdout]
	write_file $ha UP
	wait_for_log $sa "*www: health FAIL -> OK (*2/2)*"
	wait_for_log $sa "*www: FAIL -> RECOVER (health check passes again)*"
	wait_for {[state_of [dict get $p fa] www] eq "UP" &&
	    [state_of $fb www] eq "RECOVER"} 5000 "www never back on a"
	assert_equal 0 [overlap [ran [dict get $p ea] $t0 1] \
	    [ran [dict get $p eb] $t0 0]] "both ran www (ms)"
	assert_equal {2 2} [lrange [health_of $sa] 1 2] "restarts used, allowed"
}

test "health: after a give-up the host stays sick for the hold-down, though its check passes at once" {
	set ha $::tmpdir/health.a.[incr ::harness::seq]
	write_file $ha UP
	set p [pair 0.1 "[check_tcl $ha]
failsvc www restarts 0
failsvc www holddown 1.5"]
	set sa [dict get $p sa]
	wait_for {[lindex [health_of $sa] 0] eq "OK"} 5000 "a's check never passed"
	write_file $ha FAIL
	wait_for_log $sa "*www: UP -> FAIL (health check failing, no restart left*"
	set t0 [clock milliseconds]
	write_file $ha UP
	wait_for {[state_of [dict get $p fb] www] eq "UP"} 5000 "b never took over"
	wait_for_log $sa "*www: FAIL -> RECOVER (health check passes again)*" 6000
	# without the hold-down: rise (2) checks, 0.2 s
	assert_true {[clock milliseconds] - $t0 >= 1300} "back after\
	    [expr {[clock milliseconds] - $t0}] ms, within the hold-down"
	wait_for {[state_of [dict get $p fa] www] eq "UP"} 5000 "www never back on a"
}

test "health: a slave whose check fails never takes over; once it passes, it does" {
	set hb $::tmpdir/health.b.[incr ::harness::seq]
	write_file $hb FAIL
	set p [pair 0.1 {} [check_tcl $hb]]
	set sb [dict get $p sb]
	wait_for {[lindex [health_of $sb] 0] eq "FAIL"} 5000 \
	    "b's check never failed"
	kill_daemon [dict get $p sa]
	kill_daemon [dict get $p fa]
	wait_for_log $sb "*www: master a * -> FAIL*"
	wait_runs $sb 10
	assert_equal RECOVER [state_of [dict get $p fb] www]
	assert_equal 0 [lines_matching $sb "*www: RECOVER -> UP*"]
	write_file $hb UP
	wait_for_log $sb "*www: health FAIL -> OK*"
	wait_for {[state_of [dict get $p fb] www] eq "UP"} 5000 "b never took over"
}

test "health: a check that hangs fails at its timeout; the runs go on; a sick host never starts" {
	lassign [alone {
		failsvc www interval 0.05
		failsvc www start {return UP}
		failsvc www check {after 5000; return UP}
		failsvc www checktimeout 0.2
		failsvc www fall 1
		failsvc www restarts 0
	}] fb sb
	wait_for_log $sb "*www: health NONE -> FAIL (check timed out after 200 ms, 1/1)*"
	wait_runs $sb 5
	# sick from its first check: it never started www
	assert_equal RECOVER [state_of $fb www]
	assert_equal 0 [lines_matching $sb "*www: RECOVER -> UP*"]
	assert_match "FAIL 0 0 check timed out after 200 ms" [health_of $sb]
}

test "health: an hc target in the local faild drives the service, at once through watch" {
	set fa [start_faild -name fa[incr ::harness::seq]]
	set fb [start_faild -name fb[incr ::harness::seq]]
	faild_tcp $fa "1 set web1 UP by=hc"
	set nodes [dict create a $fa b $fb]
	set ea $::tmpdir/events.a.[incr ::harness::seq]
	set eb $::tmpdir/events.b.$::harness::seq
	# a runs every 5 s: only the watch can make it act sooner
	set sa [start_failsh a $fa "[hosts_tcl $nodes][svc_tcl www $ea 5 \
	    {failsvc www slaves b} {failsvc www hc web1} \
	    {failsvc www restarts 0}]"]
	set sb [start_failsh b $fb "[hosts_tcl $nodes][svc_tcl www $eb 0.1 \
	    {failsvc www masters a}]"]
	wait_for {[state_of $fa www] eq "UP" && [state_of $fb www] eq "RECOVER"} \
	    5000 "a UP, b RECOVER"
	# just after one of a's runs: the next is 5 s away
	set r [runs_of $sa]
	wait_for {[runs_of $sa] > $r} 6000 "a never ran"
	set t0 [clock milliseconds]
	faild_tcp $fa "1 set web1 FAIL by=hc"
	wait_for {[state_of $fa www] eq "FAIL"} 2500 "a never gave www up"
	wait_for_log $sa "*www: hc target web1 UP -> FAIL*"
	wait_for_log $sa "*www: UP -> FAIL (health check failing, no restart\
	    left: giving up here, stop ok)*"
	wait_for {[state_of $fb www] eq "UP"} 5000 "b never took over"
	assert_equal 0 [overlap [ran $ea $t0 1] [ran $eb $t0 0]] "both ran www"
	assert_equal "FAIL 0 0 -" [lrange [snapshot_line $sa "HEALTH www"] 2 end]
	# hc says UP again: a stands by at once, b stops for its master (its
	# stream of a's faild brings its run forward), a takes www back
	set t1 [clock milliseconds]
	faild_tcp $fa "1 set web1 UP by=hc"
	wait_for_log $sa "*www: FAIL -> RECOVER (health check passes again)*"
	wait_for {[state_of $fb www] eq "RECOVER" && [state_of $fa www] eq "UP"} \
	    10000 "www never back on a"
	assert_equal 0 [overlap [ran $ea $t1 0] [ran $eb $t1 1]] "both ran www"
}

# failc ARGS against faild F (loopback: allowed to write).
proc failc_on {f args} {
	exec $::failc -h [dict get $f addr]:[dict get $f port] {*}$args
}

test "hold: the owner stops first and publishes after, the slave takes over; released, the master takes it back" {
	# a's stop is slow: were FAIL published before it ended, b would start
	set p [pair 0.1 {failsvc www stop {after 300; note stop; return RECOVER}}]
	set fa [dict get $p fa]
	set fb [dict get $p fb]
	set t0 [clock milliseconds]
	failc_on $fa -b alice www hold
	wait_for_log [dict get $p sa] "*www: UP -> FAIL (held here: stopping, hold\
	    by alice@127.0.0.1, stop ok)*"
	wait_for {[state_of $fb www] eq "UP"} 5000 "b never took over"
	assert_equal 0 [overlap [ran [dict get $p ea] $t0 1] \
	    [ran [dict get $p eb] $t0 0]] "both ran www (ms)"
	# the hold is a record in a's faild, with who set it and when
	assert_match "_hold.www *FAIL * alice@127.0.0.1*" [dict get [run_prog \
	    $::failstat [dict get $fa addr]:[dict get $fa port] _hold.www] stdout]
	# failstat shows it with www, in text and JSON, not as a line of its own
	set r [run_prog $::failstat [dict get $fa addr]:[dict get $fa port]]
	assert_match "www *FAIL *\n* held: hold by alice@127.0.0.1, since *" \
	    [dict get $r stdout]
	assert_true {![string match "*\n_hold.www*" [dict get $r stdout]]} \
	    "the hold has a line of its own"
	set r [run_prog $::failstat -j [dict get $fa addr]:[dict get $fa port] www]
	set hold [lindex [dict get [lindex [dict get [json_parse \
	    [dict get $r stdout]] services] 0] holds] 0]
	assert_equal hold [dict get $hold kind]
	assert_match "alice@127.0.0.1*" [dict get $hold by]
	wait_runs [dict get $p sa] 5
	assert_equal FAIL [state_of $fa www]
	failc_on $fa www release
	wait_for_log [dict get $p sa] "*www: FAIL -> RECOVER (hold released)*"
	wait_for {[state_of $fa www] eq "UP" && [state_of $fb www] eq "RECOVER"} \
	    5000 "www never back on a"
	assert_equal 0 [overlap [ran [dict get $p ea] $t0 1] \
	    [ran [dict get $p eb] $t0 0]] "both ran www (ms)"
	# nothing to release: fine
	failc_on $fa www release
}

test "standby: failc '*' hold moves every service off the host; a held slave never takes over" {
	set p [pair 0.1]
	set fa [dict get $p fa]
	set fb [dict get $p fb]
	failc_on $fb * hold
	wait_for {[state_of $fb www] eq "FAIL"} 5000 "b never held"
	kill_daemon [dict get $p sa]
	kill_daemon $fa
	wait_for_log [dict get $p sb] "*www: master a * -> FAIL*"
	wait_runs [dict get $p sb] 10
	assert_equal FAIL [state_of $fb www]
	failc_on $fb * release
	wait_for {[state_of $fb www] eq "UP"} 5000 "b never took over"
	# standby of the owner now
	failc_on $fb -b bob * hold
	wait_for_log [dict get $p sb] "*www: UP -> FAIL (held here: stopping,\
	    standby by bob@127.0.0.1, stop ok)*"
}

# Three nodes of www: a its master, b the first slave, c the second; each
# lists the others by preference. Returns the dict of pair, with c's too.
# What failmon -1 shows of failsh S (empty if it fails).
proc failmon_text {s} {
	set failmon [file join $::harness::builddir failmon failmon]
	catch {exec $failmon -1 [dict get $s addr]:[dict get $s monitor]} out
	return $out
}

proc trio {interval} {
	foreach n {a b c} {
		dict set nodes $n [start_faild -name f$n[incr ::harness::seq]]
		dict set p e$n $::tmpdir/events.$n.$::harness::seq
	}
	foreach n {a b c} lists {{{slaves {b c}}} {{masters a} {slaves c}}
	    {{masters {a b}}}} {
		set extra {}
		foreach l $lists {
			lappend extra "failsvc www $l"
		}
		dict set p s$n [start_failsh $n [dict get $nodes $n] \
		    "[hosts_tcl $nodes][svc_tcl www [dict get $p e$n] $interval \
		    {*}$extra]"]
		dict set p f$n [dict get $nodes $n]
	}
	wait_for {[state_of [dict get $p fa] www] eq "UP" &&
	    [state_of [dict get $p fb] www] eq "RECOVER" &&
	    [state_of [dict get $p fc] www] eq "RECOVER"} 5000 "a, b, c never\
	    settled"
	return $p
}

test "move to a named host: the owner stops first, a host ranked before the target never starts, the target takes over" {
	set p [trio 0.1]
	set t0 [clock milliseconds]
	failc_on [dict get $p fa] -b alice www move c
	wait_for {[state_of [dict get $p fc] www] eq "UP"} 5000 "c never took over"
	wait_for_log [dict get $p sa] "*www: UP -> FAIL (held here: stopping, move to\
	    c by alice@127.0.0.1, stop ok)*"
	wait_for {[state_of [dict get $p fb] www] eq "FAIL"} 5000 "b not held"
	wait_runs [dict get $p sb] 5
	assert_equal {} [ran [dict get $p eb] $t0 0] "b ran www"
	assert_equal 0 [overlap [ran [dict get $p ea] $t0 1] \
	    [ran [dict get $p ec] $t0 0]] "a and c both ran www (ms)"
	# failmon shows the move with who made it, on a (and b)
	wait_for {[string match "*held: move to c by alice@127.0.0.1*" \
	    [failmon_text [dict get $p sb]]]} 5000 "failmon shows no move"
	# released: a takes it back, b is free again
	failc_on [dict get $p fa] www release
	wait_for {[state_of [dict get $p fa] www] eq "UP" &&
	    [state_of [dict get $p fb] www] eq "RECOVER" &&
	    [state_of [dict get $p fc] www] eq "RECOVER"} 5000 "never back on a"
	assert_equal {} [ran [dict get $p eb] $t0 0] "b ran www"
	# a move to a host the service does not have holds nothing
	failc_on [dict get $p fa] www move nosuch
	wait_for_log [dict get $p sa] "*www: move to nosuch (by\
	    operator@127.0.0.1*) ignored: no such host for this service*"
	wait_runs [dict get $p sa] 3
	assert_equal UP [state_of [dict get $p fa] www]
}

test "failc may not write a state failsh runs: ERR 423 names the hold; faild takes it once failsh is gone" {
	set p [pair 0.1]
	set fa [dict get $p fa]
	set r [run_prog $::failc -h [dict get $fa addr]:[dict get $fa port] \
	    www FAIL]
	assert_equal 1 [dict get $r code]
	assert_match "*ERR 423 www is failsh's here (set by failsh@*): \"failc www\
	    hold\" takes it off this host*" [dict get $r stderr]
	assert_equal UP [state_of $fa www]
	kill_daemon [dict get $p sa]
	wait_for {[catch {failc_on $fa www FAIL}] == 0} 5000 "faild still\
	    refuses with failsh gone"
	assert_equal FAIL [state_of $fa www]
}

test "a master's change reaches its slave at once through the master's watch stream" {
	# b polls every 5 s: only the stream can make it act sooner
	set p [pair {0.1 5}]
	set fa [dict get $p fa]
	set fb [dict get $p fb]
	set sb [dict get $p sb]
	set r [runs_of $sb]
	wait_for {[runs_of $sb] > $r} 6000 "b never ran"
	failc_on $fa www hold
	wait_for {[state_of $fb www] eq "UP"} 2500 "b did not take over at once"
}

test "SIGUSR1 with a FIFO as the dump file: it stays open for more dumps" {
	lassign [alone {failsvc www start {return UP}}] fb sb
	set fifo [dict get $sb dir]/dump
	exec mkfifo $fifo
	set rd [open $fifo {RDONLY NONBLOCK}]
	fconfigure $rd -blocking 0
	wait_for {[state_of $fb www] eq "UP"}
	exec kill -USR1 [dict get $sb pid]
	# until failsh has the FIFO open, reading it gives end of file
	wait_for_log $sb "*state dumped to $fifo*"
	assert_match "SNAPSHOT * b *" [read_line $rd]
	while {[read_line $rd] ne "END"} {}
	exec kill -USR1 [dict get $sb pid]
	wait_for {[lines_matching $sb "*state dumped to $fifo*"] == 2}
	assert_match "SNAPSHOT * b *" [read_line $rd]
	close $rd
}

test "HUP: a broken policy is rejected, the old one kept; a good one applied" {
	lassign [alone {
		failsvc www interval 0.1
		failsvc www start {return UP}
		failsvc old start {return UP}
	}] fb sb
	wait_for {[state_of $fb www] eq "UP" && [state_of $fb old] eq "UP"}
	set pol [dict get $sb policy]
	write_file $pol "failsvc www interval 0.1\nfailsvc www start \{return UP\n" 0644
	exec kill -HUP [dict get $sb pid]
	wait_for_log $sb "*reload rejected, keeping the running policy: $pol: *missing close-brace*"
	wait_runs $sb 3
	assert_match "*SERVICE www UP * 100 *" [snapshot $sb]
	write_file $pol {
		failsvc www interval 0.2
		failsvc www start {return UP}
		failsvc new start [list return UP]
		if {$::failsh::node ne "b"} { error "node $::failsh::node" }
	} 0666
	exec kill -HUP [dict get $sb pid]
	wait_for_log $sb "*reload rejected, keeping the running policy: policy script $pol: writable by group or others (mode 666), refused*"
	file attributes $pol -permissions 0644
	exec kill -HUP [dict get $sb pid]
	wait_for_log $sb "*reloaded policy $pol: 2 services*"
	wait_for_log $sb "*service old: no longer in the policy, left UP*"
	wait_for {[state_of $fb new] eq "UP"}
	set snap [snapshot $sb]
	assert_match "*SERVICE www UP * 200 *" $snap
	assert_true {![string match "*SERVICE old *" $snap]} "old still scheduled"
	assert_equal 0 [lines_matching $sb "*www: UP -> *"] "www kept its state"
}

test "policy checks: others may not write it; errors name the file and line; -n" {
	set fb [start_faild -name fb[incr ::harness::seq]]
	set pol $::tmpdir/pol.[incr ::harness::seq].tcl
	write_file $pol "failsvc www start {return UP}\n" 0666
	set r [run_prog $::failsh -F -N b -f $pol -m none -D none]
	assert_equal 1 [dict get $r code]
	assert_match "*policy script $pol: writable by group or others (mode 666), refused*" [dict get $r stderr]
	write_file $pol "failsvc www interval 0.1\nfailsvc www interval soon\n" 0644
	set r [run_prog $::failsh -F -N b -f $pol -m none -D none]
	assert_equal 1 [dict get $r code]
	assert_match "*policy script $pol: *expected floating-point number but got \"soon\"*line 2*" [dict get $r stderr]
	write_file $pol "failsvc www interval 0.001\n" 0644
	set r [run_prog $::failsh -n -N b -f $pol]
	assert_match "*0.001 seconds out of range (0.01 to 86400)*" [dict get $r stderr]
	write_file $pol "failsvc www masters {a b}\nfailhost a protocol sctp\n" 0644
	set r [run_prog $::failsh -n -N b -f $pol]
	assert_match "*protocol must be tcp or udp, not \"sctp\"*line 2*" [dict get $r stderr]
	write_file $pol "failsvc www masters {a b}\n" 0644
	set r [run_prog $::failsh -n -N b -f $pol]
	assert_equal 0 [dict get $r code]
	assert_match "*failsh: configuration OK: 1 services, 2 hosts in $pol*" [dict get $r stdout]
}

# Many services polling one master at once queue behind the connections
# to it and the one to the local faild: a call that waited there past its
# timeout says nothing of either faild, and must not make the slave count
# its master dead and start what the master runs.
test "100 services at 0.1 s on a slave: no takeover while the master runs them all" {
	set fa [start_faild -name fa[incr ::harness::seq]]
	set fb [start_faild -name fb[incr ::harness::seq]]
	set sets ""
	set policy [hosts_tcl [dict create a $fa b $fb]]
	for {set i 0} {$i < 100} {incr i} {
		append sets "1 set s$i UP\n"
		append policy "failsvc s$i interval 0.1
failsvc s$i masters a
failsvc s$i start {return UP}
failsvc s$i stop {return RECOVER}
"
	}
	faild_tcp_lines $fa $sets 100
	set sb [start_failsh b $fb $policy]
	wait_for {[lines_matching $sb "*master a UNKNOWN -> UP*"] == 100} 10000 \
	    "every service saw its master"
	# five seconds of runs: every service at least 30 times
	wait_for {[runs_of $sb] >= 3000} 15000 "3000 runs"
	assert_equal 0 [lines_matching $sb "*-> UP (no master up*"] \
	    "services started beside their master"
	assert_equal 0 [lines_matching $sb "*master a UP -> FAIL*"] \
	    "master counted dead"
}

harness_done
