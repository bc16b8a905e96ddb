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

# The failhost lines that tell a policy where each node's faild is.
proc hosts_tcl {nodes} {
	set out ""
	dict for {node f} $nodes {
		append out "failhost $node address [dict get $f addr]\n"
		append out "failhost $node port [dict get $f port]\n"
	}
	return $out
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

proc state_of {f svc} {
	set a [faild_tcp $f "1 get $svc"]
	if {[regexp {^1 OK \S+ (\S+)} $a -> st]} {
		return $st
	}
	return NONE
}

# Two nodes a (master) and b (slave) of service www, interval INTERVAL.
# Returns a dict: fa fb (faild), sa sb (failsh), ea eb (event files).
proc pair {interval {extra_a ""} {extra_b ""}} {
	set fa [start_faild -name fa[incr ::harness::seq]]
	set fb [start_faild -name fb[incr ::harness::seq]]
	set nodes [dict create a $fa b $fb]
	set ea $::tmpdir/events.a.[incr ::harness::seq]
	set eb $::tmpdir/events.b.$::harness::seq
	set sa [start_failsh a $fa "[hosts_tcl $nodes][svc_tcl www $ea \
	    $interval {failsvc www slaves b}]$extra_a"]
	set sb [start_failsh b $fb "[hosts_tcl $nodes][svc_tcl www $eb \
	    $interval {failsvc www masters a}]$extra_b"]
	wait_for {[state_of $fa www] eq "UP"} 5000 "a never came UP"
	wait_for {[state_of $fb www] eq "RECOVER"} 5000 "b never RECOVER"
	return [dict create fa $fa fb $fb sa $sa sb $sb ea $ea eb $eb \
	    nodes $nodes]
}

# A failproto request to failsh's control port; the answer line.
proc control {s line} {
	return [faild_tcp [dict create addr [dict get $s addr] \
	    port [dict get $s control]] $line]
}

# How many service runs failsh has made so far.
proc runs_of {s} {
	regexp { runs (\d+)} [control $s "1 stats"] -> n
	return $n
}

# Wait until failsh has made N more runs (time passes at its pace).
proc wait_runs {s n} {
	set until [expr {[runs_of $s] + $n}]
	wait_for {[runs_of $s] >= $until} 10000 "fewer than $n runs"
}

proc lines_matching {h pattern} {
	set n 0
	foreach line [split [daemon_log $h] \n] {
		if {[string match $pattern $line]} {
			incr n
		}
	}
	return $n
}

test "master up, slave waits; both publish to their faild" {
	set p [pair 0.1]
	wait_for_log [dict get $p sa] "*service www: RECOVER -> UP (no master up, start ok)*"
	assert_equal 0 [lines_matching [dict get $p sb] "*www: RECOVER -> UP*"]
	assert_match "*failsh@*" [faild_tcp [dict get $p fa] "1 get www"]
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
	file delete [dict get $fa state]
	set fa [restart $fa]
	set sa [restart [dict get $p sa]]
	set worst [max_overlap $fa $fb {[state_of $fa www] eq "UP" &&
	    [state_of $fb www] eq "RECOVER"} 8000]
	assert_true {$worst <= 200 + 300} "both UP for $worst ms"
	wait_for_log $sa "*www: RECOVER -> UP (no master up, start ok)*"
	wait_for_log [dict get $p sb] "*www: UP -> RECOVER (master a RECOVER, stop ok)*"
	assert_match "*reclaim*" [read_file [dict get $p ea]]
}

test "master back with its old faild (UP): it re-runs start, the slave stops" {
	set p [pair 0.2]
	set fa [dict get $p fa]
	set fb [dict get $p fb]
	kill_daemon [dict get $p sa]
	kill_daemon [dict get $p fa]
	wait_for {[state_of $fb www] eq "UP"} 5000 "b never UP"
	set fa [restart $fa]
	set sa [restart [dict get $p sa]]
	set worst [max_overlap $fa $fb {[state_of $fa www] eq "UP" &&
	    [state_of $fb www] eq "RECOVER"} 8000]
	assert_true {$worst <= 200 + 300} "both UP for $worst ms"
	wait_for_log $sa "*www: UP (as the local faild had it)*"
	wait_for_log $sa "*www: UP, re-announced*"
	wait_for_log [dict get $p sb] "*www: UP -> RECOVER (master a UP, stop ok)*"
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
		assert_equal RECOVER [state_of $fb $s] $s
	}
	# and the monitor and control ports answer meanwhile
	assert_match "1 OK pong" [control $sb "1 ping"]
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
