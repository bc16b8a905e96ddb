# harness.tcl: the integration test harness, in the manner of redis's Tcl
# suite. A test file sources it, starts real daemons on 127.0.0.x addresses
# with start_faild, talks to them over UDP and TCP, and closes with
# harness_done, which prints "N passed, N failed" and exits 1 on failure.
#
# Environment: FAIL_BUILDDIR, FAIL_SRCDIR (default .), FAIL_SEED (replay a
# run's random choices), FAIL_TESTS (run only tests whose name contains it),
# FAIL_KEEP=1 (keep the temp dir).
#
# Tests: test NAME BODY, skip WHY, fail MSG, assert_equal, assert_match,
#   assert_regexp, assert_true, wait_for COND ?MS? ?MSG?, harness_done.
# Daemons (handles are dicts: name pid addr port dir state log args):
#   start_faild ?-name N? ?-statefile F? ?--? ?faild options?,
#   start_failsh NODE FAILD POLICY ?options?, start_hc HCFILE ?options?,
#   start_faildns CONF ?options? (then dig_short H NAME ?TYPE?), stop_daemon,
#   kill_daemon H ?SIGNAL?, restart H ?options?, pause_daemon,
#   resume_daemon, daemon_alive, daemon_log, lines_matching H GLOB,
#   wait_for_log H GLOB, adopt, state_of FAILD SERVICE; of a failsh:
#   runs_of, wait_runs S N.
# Requests: faild_tcp H LINE, faild_tcp_lines H TEXT N, faild_udp H DATA,
#   udp_ask H DATA (any datagram, "" on timeout),
#   faild_connect H (then conn_send, conn_read, conn_close), read_line,
#   stats H, field, read_statefile, sign LINE KEYID HEXKEY, verify_answer,
#   hmac_sha256, random_hex.
# Programs and peers: run_prog, spawn_prog (then read_line, wait_prog,
#   stop_prog), fake_server hang|close|reply|script, fake_udp_server,
#   free_port, json_parse, write_file, read_file, cgi_server PROG NAME
#   VAR VALUE (behind lighttpd), browse URL (headless Chromium).

package require Tcl 8.6
package require udp

namespace eval harness {
	variable builddir [expr {[info exists ::env(FAIL_BUILDDIR)] ?
	    $::env(FAIL_BUILDDIR) : "."}]
	variable srcdir [expr {[info exists ::env(FAIL_SRCDIR)] ?
	    $::env(FAIL_SRCDIR) : "."}]
	variable passed 0
	variable failed 0
	variable failures {}
	variable slot 0			;# daemons started, for addresses
	variable daemons		;# name -> handle of every running daemon
	array set daemons {}
	variable progs			;# channel -> pids of background programs
	array set progs {}
	variable conns			;# channels opened by faild_connect & co
	array set conns {}
	variable servers		;# fake server sockets -> their clients
	array set servers {}
	variable in_test ""		;# the running test, "" outside
	variable test_daemons {}	;# names started by the running test
	variable cleaned 0
	variable seq 0
	variable t_start [clock milliseconds]
}

set harness::seed [expr {[info exists ::env(FAIL_SEED)] ? $::env(FAIL_SEED) :
    ([clock microseconds] ^ ([pid] << 16)) & 0x7fffffff}]
expr {srand($harness::seed)}
# Each run takes 1000 ports from a random base, so parallel runs and the
# leftovers of an interrupted one do not collide.
set harness::port_base [expr {20000 + int(rand() * 19) * 1000 +
    int(rand() * 10) * 10}]
set harness::tmpdir [file join /tmp [format "failtest.%s.%d.%d" \
    [file rootname [file tail $::argv0]] [pid] \
    [expr {int(rand() * 1000000)}]]]
file mkdir $harness::tmpdir

set ::faild [file normalize [file join $harness::builddir faild/faild]]
set ::failc [file normalize [file join $harness::builddir failc/failc]]
set ::failstat [file normalize [file join $harness::builddir failc/failstat]]
set ::faildebug [file normalize [file join $harness::builddir failc/faildebug]]
set ::failsh [file normalize [file join $harness::builddir failsh/failsh]]
set ::hc [file normalize [file join $harness::builddir hc/hc]]
set ::faildns [file normalize [file join $harness::builddir faildns/faildns]]
set ::getnode [file normalize [file join $harness::builddir hc/getnode]]
set ::tmpdir $harness::tmpdir

# ----------------------------------------------------------------------
# Clean-up: every process we started and the temp dir go away at exit,
# whether the file ends, a test errors out or the script dies. A watchdog
# shell does the same if tclsh itself is killed.

rename exit harness::real_exit
proc exit {{code 0}} {
	harness::cleanup
	harness::real_exit $code
}

proc harness::pidfile_update {} {
	variable daemons
	variable progs
	variable tmpdir
	set pids {}
	foreach name [array names daemons] {
		lappend pids [dict get $daemons($name) pid]
	}
	foreach ch [array names progs] {
		lappend pids {*}$progs($ch)
	}
	if {![file isdirectory $tmpdir]} return
	set f [open $tmpdir/pids.new w]
	puts $f [join $pids " "]
	close $f
	file rename -force $tmpdir/pids.new $tmpdir/pids
}

proc harness::start_watchdog {} {
	variable tmpdir
	variable watchdog
	set script {
		trap '' INT HUP
		while kill -0 "$1" 2>/dev/null; do sleep 1; done
		[ -f "$2/pids" ] && kill -9 $(cat "$2/pids") 2>/dev/null
		rm -rf "$2"
	}
	set watchdog [exec sh -c $script watchdog [pid] $tmpdir \
	    </dev/null >/dev/null 2>/dev/null &]
}

proc harness::cleanup {} {
	variable cleaned
	variable daemons
	variable progs
	variable conns
	variable servers
	variable tmpdir
	variable watchdog
	if {$cleaned} return
	set cleaned 1
	foreach ch [array names conns] {
		catch {close $ch}
	}
	foreach ch [array names progs] {
		foreach p $progs($ch) {
			catch {exec kill -KILL $p 2>/dev/null}
		}
		catch {close $ch}
	}
	foreach name [array names daemons] {
		set pid [dict get $daemons($name) pid]
		catch {exec kill -KILL $pid 2>/dev/null}
	}
	foreach s [array names servers] {
		catch {close $s}
	}
	if {![info exists ::env(FAIL_KEEP)]} {
		catch {file delete -force $tmpdir}
	} else {
		puts "kept $tmpdir"
	}
	catch {exec kill -KILL $watchdog 2>/dev/null}
}

harness::start_watchdog

# ----------------------------------------------------------------------
# Tests and assertions.

# test NAME BODY: run BODY, count it, print [ok] or [FAIL] with the tail of
# every running daemon's log. Daemons, connections, fake servers and
# programs that BODY started are stopped when it ends.
proc test {name body} {
	if {[info exists ::env(FAIL_TESTS)] &&
	    [string first $::env(FAIL_TESTS) $name] < 0} {
		return
	}
	set harness::in_test $name
	set harness::test_daemons {}
	set harness::test_conns [array names harness::conns]
	set harness::test_progs [array names harness::progs]
	set harness::test_servers [array names harness::servers]
	set t0 [clock milliseconds]
	set code [catch {uplevel 1 $body} msg opts]
	set ms [expr {[clock milliseconds] - $t0}]
	set ok [expr {$code == 0 || $code == 2}]
	# A daemon that died without the harness stopping it is a failure
	# (a crash), whatever the body said.
	if {$ok} {
		foreach dn [lsort [array names harness::daemons]] {
			set dh $harness::daemons($dn)
			if {![daemon_alive $dh]} {
				set ok 0
				set code 1
				set msg "assertion: $dn (pid [dict get $dh pid]) died\
				    during the test"
				set opts {-errorcode NONE}
			}
		}
	}
	if {$code == 1 &&
	    [lrange [dict get $opts -errorcode] 0 1] eq {HARNESS SKIP}} {
		puts "\[skip\] $name: $msg"
		set ok -1
	} elseif {!$ok} {
		if {$code == 1 && ![string match "assertion:*" $msg]} {
			set msg "error: $msg\n[dict get $opts -errorinfo]"
		}
		puts "\[FAIL\] $name: $msg"
		harness::show_logs
	}
	# Stop what the test started; a daemon that will not stop fails it.
	if {[catch {harness::end_test} cmsg] && $ok != 0} {
		set ok 0
		puts "\[FAIL\] $name: clean-up: $cmsg"
		harness::show_logs
	}
	if {$ok == 1} {
		incr harness::passed
		puts "\[ok\] $name ($ms ms)"
	} elseif {$ok == 0} {
		incr harness::failed
		lappend harness::failures $name
	}
	flush stdout
	set harness::in_test ""
}

# skip WHY: end the running test without counting it.
proc skip {why} {
	throw {HARNESS SKIP} $why
}

proc harness::end_test {} {
	variable conns
	variable progs
	variable servers
	variable test_conns
	variable test_progs
	variable test_servers
	variable test_daemons
	variable daemons
	foreach ch [array names conns] {
		if {$ch ni $test_conns} {
			conn_close $ch
		}
	}
	foreach ch [array names progs] {
		if {$ch ni $test_progs} {
			stop_prog $ch
		}
	}
	foreach s [array names servers] {
		if {$s ni $test_servers} {
			fake_server_close $s
		}
	}
	set err {}
	foreach name $test_daemons {
		if {[info exists daemons($name)] &&
		    [catch {stop_daemon $daemons($name)} e]} {
			lappend err $e
		}
	}
	if {$err ne ""} {
		error [join $err "; "]
	}
}

proc harness::show_logs {} {
	variable daemons
	foreach name [lsort [array names daemons]] {
		set h $daemons($name)
		puts "  --- tail of [dict get $h log] ($name,\
		    pid [dict get $h pid][expr {[daemon_alive $h] ? "" :
		    ", NOT RUNNING"}]) ---"
		foreach line [lrange [split [string trimright [harness::read_file \
		    [dict get $h log]] \n] \n] end-29 end] {
			puts "  | $line"
		}
		# A dead daemon is shown once, then forgotten.
		if {![daemon_alive $h]} {
			forget $h
		}
	}
}

proc harness::read_file {path} {
	if {[catch {open $path r} f]} {
		return ""
	}
	fconfigure $f -translation binary
	set data [read $f]
	close $f
	return $data
}

proc write_file {path data {perm ""}} {
	set f [open $path w]
	fconfigure $f -translation binary
	puts -nonewline $f $data
	close $f
	if {$perm ne ""} {
		file attributes $path -permissions $perm
	}
	return $path
}

proc read_file {path} {
	return [harness::read_file $path]
}

proc fail {msg} {
	error "assertion: $msg"
}

proc assert_equal {expected actual {what ""}} {
	if {$expected ne $actual} {
		fail "[expr {$what ne "" ? "$what: " : ""}]expected\
		    \"$expected\", got \"$actual\""
	}
}

proc assert_match {pattern actual {what ""}} {
	if {![string match $pattern $actual]} {
		fail "[expr {$what ne "" ? "$what: " : ""}]expected\
		    \"$actual\" to match \"$pattern\""
	}
}

proc assert_regexp {re actual {what ""}} {
	if {![regexp -- $re $actual]} {
		fail "[expr {$what ne "" ? "$what: " : ""}]expected\
		    \"$actual\" to match /$re/"
	}
}

proc assert_true {cond {what ""}} {
	if {![uplevel 1 [list expr $cond]]} {
		fail "[expr {$what ne "" ? $what : "not true: $cond"}]"
	}
}

# wait_for COND ?TIMEOUT_MS? ?MESSAGE?: poll the expression COND in the
# caller every 10 ms until it is true; fail after the deadline. An error
# while evaluating COND counts as false (the daemon may not be up yet).
proc wait_for {cond {timeout_ms 5000} {message ""}} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	set last ""
	while 1 {
		if {[catch {uplevel 1 [list expr $cond]} r]} {
			set last " (last error: $r)"
			set r 0
		} else {
			set last ""
		}
		if {$r} {
			return
		}
		if {[clock milliseconds] > $deadline} {
			fail "timed out after $timeout_ms ms waiting for\
			    [expr {$message ne "" ? $message : "{$cond}"}]$last"
		}
		harness::nap 10
	}
}

# Sleep while serving events (fake servers, pipes). Only for polling.
proc harness::nap {ms} {
	set v ::harness::nap[incr harness::seq]
	after $ms [list set $v 1]
	vwait $v
	unset $v
}

# ----------------------------------------------------------------------
# Processes.

proc pid_alive {pid} {
	if {[catch {open /proc/$pid/stat r} f]} {
		return 0
	}
	set s [read $f]
	close $f
	if {![regexp {.*\) (\S)} $s -> st]} {
		return 0
	}
	return [expr {$st ne "Z" && $st ne "X"}]
}

proc harness::next_address {} {
	variable slot
	variable port_base
	incr slot
	return [list 127.0.0.[expr {2 + ($slot - 1) % 250}] \
	    [expr {$port_base + $slot}]]
}

# start_faild ?-name N? ?-statefile F? ?-noready? ?--? ?faild options?:
# start faild in the foreground on its own 127.0.0.x address and port with
# a state file in its own directory, and wait for its "ready:" log line.
# Returns the handle, a dict: name pid addr port dir state log args.
proc start_faild {args} {
	set name ""
	set state ""
	while {[llength $args] > 0} {
		switch -- [lindex $args 0] {
		-name {set name [lindex $args 1]; set args [lrange $args 2 end]}
		-statefile {
			set state [lindex $args 1]
			set args [lrange $args 2 end]
		}
		-- {set args [lrange $args 1 end]; break}
		default break
		}
	}
	for {set try 0} {$try < 5} {incr try} {
		lassign [harness::next_address] addr port
		if {$name eq "" || $try > 0} {
			set name faild$harness::slot
		}
		set dir $::tmpdir/$name
		file mkdir $dir
		set h [dict create name $name addr $addr port $port dir $dir \
		    state [expr {$state ne "" ? $state : "$dir/state"}] \
		    log $dir/log args $args]
		if {[catch {harness::spawn_faild $h 1} r]} {
			if {[string match "*Address already in use*" $r]} {
				continue
			}
			error $r
		}
		return $r
	}
	error "no free port after 5 tries"
}

proc harness::spawn_faild {h {owned 0}} {
	set cmd [list $::faild -F -l [dict get $h addr] -p [dict get $h port] \
	    -s [dict get $h state] -r "" {*}[dict get $h args]]
	return [spawn_daemon $h $cmd $owned]
}

# Start cmd with its output appended to the handle's log, track it, and
# wait for its "ready:" log line.
proc harness::spawn_daemon {h cmd owned} {
	variable daemons
	variable test_daemons
	variable in_test
	set log [dict get $h log]
	set offset [expr {[file exists $log] ? [file size $log] : 0}]
	set pid [exec {*}$cmd </dev/null >>& $log &]
	dict set h pid $pid
	dict set h offset $offset
	set name [dict get $h name]
	set daemons($name) $h
	if {$owned && $in_test ne "" && $name ni $test_daemons} {
		lappend test_daemons $name
	}
	pidfile_update
	set deadline [expr {[clock milliseconds] + 10000}]
	set prog [file tail [lindex $cmd 0]]
	while 1 {
		set text [string range [read_file $log] $offset end]
		if {[string match "*ready:*" $text]} {
			return $h
		}
		if {![pid_alive $pid]} {
			unset daemons($name)
			pidfile_update
			error "$prog $name exited before it was ready:\
			    [string trim $text]"
		}
		if {[clock milliseconds] > $deadline} {
			error "$prog $name not ready after 10 s: $text"
		}
		nap 10
	}
}

# start_failsh NODE FAILD POLICY ?failsh options?: start failsh in the
# foreground as node NODE whose local faild is FAILD (a handle), running
# the policy text POLICY (written to a file of its own, mode 644), with
# monitor and control ports of its own on FAILD's address; wait for its
# "ready:" line. The handle adds node, monitor, control, policy, faild.
proc start_failsh {node faild policy args} {
	lassign [harness::next_address] - mport
	lassign [harness::next_address] - cport
	set name failsh-$node
	set dir $::tmpdir/$name.[incr harness::seq]
	file mkdir $dir
	write_file $dir/policy.tcl $policy 0644
	set h [dict create name $name node $node addr [dict get $faild addr] \
	    monitor $mport control $cport dir $dir log $dir/log \
	    policy $dir/policy.tcl faild $faild args $args]
	return [harness::spawn_failsh $h 1]
}

proc harness::spawn_failsh {h {owned 0}} {
	set f [dict get $h faild]
	set a [dict get $h addr]
	set cmd [list $::failsh -F -N [dict get $h node] \
	    -f [dict get $h policy] \
	    -L [dict get $f addr]:[dict get $f port] \
	    -m $a:[dict get $h monitor] -D $a:[dict get $h control] \
	    -l [dict get $h dir]/dump -i "" {*}[dict get $h args]]
	return [spawn_daemon $h $cmd $owned]
}

# start_hc HCFILE-TEXT ?hc options?: start hc in the foreground with the
# Hcfile text (written to a file of its own, mode 600) and a monitor port
# of its own; wait for its "ready:" line. The handle adds hcfile, monitor.
proc start_hc {text args} {
	lassign [harness::next_address] addr mport
	set name hc[incr harness::seq]
	set dir $::tmpdir/$name
	file mkdir $dir
	write_file $dir/Hcfile $text 0600
	set h [dict create name $name addr $addr monitor $mport dir $dir \
	    log $dir/log hcfile $dir/Hcfile args $args]
	return [harness::spawn_hc $h 1]
}

proc harness::spawn_hc {h {owned 0}} {
	set cmd [list $::hc -F -f [dict get $h hcfile] \
	    -M [dict get $h addr]:[dict get $h monitor] {*}[dict get $h args]]
	return [spawn_daemon $h $cmd $owned]
}

# start_faildns CONF ?faildns options?: start faildns in the foreground
# with the configuration file CONF, answering DNS on its own 127.0.0.x
# address and port, with a monitor port beside it and a state file of its
# own (unless the options give -s); wait for its "ready:" line. The handle
# adds conf and monitor (port).
proc start_faildns {conf args} {
	lassign [harness::next_address] addr port
	lassign [harness::next_address] - mport
	set name faildns[incr harness::seq]
	set dir $::tmpdir/$name
	file mkdir $dir
	set h [dict create name $name addr $addr port $port monitor $mport \
	    dir $dir log $dir/log conf $conf args $args]
	return [harness::spawn_faildns $h 1]
}

proc harness::spawn_faildns {h {owned 0}} {
	set a [dict get $h addr]
	set cmd [list $::faildns -F -f [dict get $h conf] -l $a \
	    -p [dict get $h port] -M $a:[dict get $h monitor] \
	    -s [dict get $h dir]/state {*}[dict get $h args]]
	return [spawn_daemon $h $cmd $owned]
}

# dig_short H NAME ?TYPE? ?dig options?: what faildns H answers, as dig
# +short prints it, one record a line, sorted ("" on no answer).
proc dig_short {h name {type A} args} {
	set r [run_prog dig +short +tries=1 +time=2 {*}$args \
	    -p [dict get $h port] @[dict get $h addr] $name $type]
	return [join [lsort [split [string trim [dict get $r stdout]] \n]] \n]
}

# How many service runs failsh has made so far.
proc runs_of {s} {
	regexp { runs (\d+)} [faild_tcp [dict create addr [dict get $s addr] \
	    port [dict get $s control]] "1 stats"] -> n
	return $n
}

# Wait until failsh has made N more runs (time passes at its pace).
proc wait_runs {s n} {
	set until [expr {[runs_of $s] + $n}]
	wait_for {[runs_of $s] >= $until} 10000 "fewer than $n runs"
}

# The state faild F holds of service SVC, or NONE.
proc state_of {f svc} {
	set a [faild_tcp $f "1 get $svc"]
	if {[regexp {^1 OK \S+ (\S+)} $a -> st]} {
		return $st
	}
	return NONE
}

# How many of daemon H's log lines (since its last start) match PATTERN.
proc lines_matching {h pattern} {
	set n 0
	foreach line [split [daemon_log $h] \n] {
		if {[string match $pattern $line]} {
			incr n
		}
	}
	return $n
}

# The log lines written by the daemon since its last start.
proc daemon_log {h} {
	set text [read_file [dict get $h log]]
	return [string range $text [dict get $h offset] end]
}

# wait_for_log H PATTERN ?TIMEOUT_MS?: wait for a log line (since the last
# start) matching the glob PATTERN; returns it.
proc wait_for_log {h pattern {timeout_ms 5000}} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	while 1 {
		foreach line [split [daemon_log $h] \n] {
			if {[string match $pattern $line]} {
				return $line
			}
		}
		if {[clock milliseconds] > $deadline} {
			fail "no log line matching \"$pattern\" after\
			    $timeout_ms ms in [dict get $h log]"
		}
		harness::nap 10
	}
}

# adopt H: let the harness track (log tails, clean-up) a daemon started
# by other means; H needs name, pid and log.
proc adopt {h} {
	if {![dict exists $h offset]} {
		dict set h offset 0
	}
	set harness::daemons([dict get $h name]) $h
	if {$harness::in_test ne ""} {
		lappend harness::test_daemons [dict get $h name]
	}
	harness::pidfile_update
	return $h
}

proc daemon_alive {h} {
	return [pid_alive [dict get $h pid]]
}

proc harness::forget {h} {
	variable daemons
	set name [dict get $h name]
	if {[info exists daemons($name)] &&
	    [dict get $daemons($name) pid] == [dict get $h pid]} {
		unset daemons($name)
		pidfile_update
	}
}

proc harness::wait_dead {h timeout_ms} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	while {[daemon_alive $h]} {
		if {[clock milliseconds] > $deadline} {
			return 0
		}
		nap 5
	}
	return 1
}

# stop_daemon H: SIGTERM, wait for the exit (SIGKILL after 5 s).
proc stop_daemon {h} {
	set pid [dict get $h pid]
	if {[daemon_alive $h]} {
		catch {exec kill -TERM $pid}
		if {![harness::wait_dead $h 5000]} {
			catch {exec kill -KILL $pid}
			harness::wait_dead $h 5000
			harness::forget $h
			fail "[dict get $h name] ignored SIGTERM for 5 s"
		}
	}
	harness::forget $h
}

# kill_daemon H ?SIGNAL?: send SIGNAL (default KILL); for KILL, TERM and
# INT, wait until the process is gone.
proc kill_daemon {h {sig KILL}} {
	exec kill -$sig [dict get $h pid]
	if {$sig in {KILL 9 TERM 15 INT 2}} {
		if {![harness::wait_dead $h 5000]} {
			fail "[dict get $h name] still running 5 s after SIG$sig"
		}
		harness::forget $h
	}
}

proc pause_daemon {h} {
	exec kill -STOP [dict get $h pid]
}

proc resume_daemon {h} {
	exec kill -CONT [dict get $h pid]
}

# restart H ?faild options?: stop H if it runs, start it again with the same
# address, port, state file and log (and the same options unless given).
proc restart {h args} {
	if {[daemon_alive $h]} {
		stop_daemon $h
	} else {
		harness::forget $h
	}
	if {[llength $args] > 0} {
		dict set h args $args
	}
	# A port still held by the dead process's last connections is fine
	# (SO_REUSEADDR); retry a few times anyway if bind races.
	set spawn [expr {[dict exists $h policy] ? "spawn_failsh" :
	    [dict exists $h hcfile] ? "spawn_hc" :
	    [dict exists $h conf] ? "spawn_faildns" : "spawn_faild"}]
	for {set try 0} {1} {incr try} {
		if {![catch {harness::$spawn $h 1} r]} {
			return $r
		}
		if {$try >= 20 || ![string match "*in use*" $r]} {
			error $r
		}
		harness::nap 50
	}
}

# ----------------------------------------------------------------------
# Talking to faild.

proc harness::wait_readable {ch timeout_ms} {
	set v ::harness::rd[incr harness::seq]
	fileevent $ch readable [list set $v r]
	set id [after $timeout_ms [list set $v t]]
	vwait $v
	after cancel $id
	catch {fileevent $ch readable {}}
	set r [set $v]
	unset $v
	return $r
}

# read_line CHAN ?TIMEOUT_MS?: one line from a non-blocking channel, or an
# error on timeout or end of file.
proc read_line {ch {timeout_ms 3000}} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	while 1 {
		if {[gets $ch line] >= 0} {
			return $line
		}
		if {[eof $ch]} {
			error "connection closed (eof) while reading a line"
		}
		set left [expr {$deadline - [clock milliseconds]}]
		if {$left <= 0} {
			error "no line within $timeout_ms ms"
		}
		harness::wait_readable $ch $left
	}
}

# Like read_line, but returns "EOF" at end of file.
proc read_line_or_eof {ch {timeout_ms 3000}} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	while 1 {
		if {[gets $ch line] >= 0} {
			return $line
		}
		if {[eof $ch]} {
			return EOF
		}
		set left [expr {$deadline - [clock milliseconds]}]
		if {$left <= 0} {
			error "no line within $timeout_ms ms"
		}
		harness::wait_readable $ch $left
	}
}

# faild_connect H ?-myaddr A?: a persistent TCP connection (binary, non-
# blocking), closed at the end of the test that opened it.
proc faild_connect {h args} {
	set ch [socket {*}$args [dict get $h addr] [dict get $h port]]
	fconfigure $ch -translation binary -blocking 0 -buffering none
	set harness::conns($ch) 1
	return $ch
}

proc conn_send {ch line} {
	puts -nonewline $ch "$line\n"
	flush $ch
}

proc conn_read {ch {timeout_ms 3000}} {
	return [read_line $ch $timeout_ms]
}

proc conn_close {ch} {
	catch {close $ch}
	catch {unset harness::conns($ch)}
}

# faild_tcp H LINE ?TIMEOUT_MS?: connect, send one line, read one answer.
proc faild_tcp {h line {timeout_ms 3000}} {
	set ch [faild_connect $h]
	try {
		conn_send $ch $line
		return [read_line $ch $timeout_ms]
	} finally {
		conn_close $ch
	}
}

# faild_tcp_lines H TEXT N: send TEXT as is, read N answer lines.
proc faild_tcp_lines {h text n {timeout_ms 3000}} {
	set ch [faild_connect $h]
	try {
		puts -nonewline $ch $text
		flush $ch
		set out {}
		for {set i 0} {$i < $n} {incr i} {
			lappend out [read_line $ch $timeout_ms]
		}
		return $out
	} finally {
		conn_close $ch
	}
}

# udp_ask H PAYLOAD ?TIMEOUT_MS?: send PAYLOAD as one datagram to H's
# address and port; the answer datagram, or "" after TIMEOUT_MS.
proc udp_ask {h payload {timeout_ms 2000}} {
	set s [udp_open]
	try {
		fconfigure $s -translation binary -buffering none -blocking 0 \
		    -remote [list [dict get $h addr] [dict get $h port]]
		puts -nonewline $s $payload
		flush $s
		set deadline [expr {[clock milliseconds] + $timeout_ms}]
		while 1 {
			set data [read $s]
			if {$data ne ""} {
				return $data
			}
			set left [expr {$deadline - [clock milliseconds]}]
			if {$left <= 0} {
				return ""
			}
			harness::wait_readable $s $left
		}
	} finally {
		close $s
	}
}

# faild_udp H PAYLOAD ?TIMEOUT_MS?: send PAYLOAD as one datagram, return
# the answer datagram without its line end. Errors on timeout.
proc faild_udp {h payload {timeout_ms 2000}} {
	set data [udp_ask $h $payload $timeout_ms]
	if {$data eq ""} {
		error "no UDP answer within $timeout_ms ms"
	}
	return [string trimright $data \n]
}

# A field of an answer line "id OK ..." by index (0 = id).
proc field {line i} {
	return [lindex [regexp -all -inline {\S+} $line] $i]
}

# stats H: the stats answer as a dict (over UDP).
proc stats {h} {
	set a [faild_udp $h "s stats"]
	if {![string match "s OK *" $a]} {
		error "stats: $a"
	}
	return [lrange [regexp -all -inline {\S+} $a] 2 end]
}

# The services on disk, as a dict name -> {state ms setter}: the state file
# (snapshot) with its journal (set and delete records) replayed over it. A
# last journal line without its line end (a torn append) is left out.
proc read_statefile {path} {
	set out {}
	foreach line [split [read_file $path] \n] {
		if {$line eq "" || [string index $line 0] eq "#"} continue
		lassign $line name st ms setter
		dict set out $name [list $st $ms $setter]
	}
	if {![file exists $path.journal]} {
		return $out
	}
	set lines [split [read_file $path.journal] \n]
	foreach line [lrange $lines 0 end-1] {
		switch -- [lindex $line 0] {
		set {
			lassign $line - name st ms setter
			dict set out $name [list $st $ms $setter]
		}
		delete {dict unset out [lindex $line 1]}
		}
	}
	return $out
}

# ----------------------------------------------------------------------
# HMAC-SHA256 signing (failproto(5), AUTHENTICATION) with openssl(1).

proc hmac_sha256 {hexkey data} {
	set out [exec openssl dgst -sha256 -mac HMAC -macopt hexkey:$hexkey \
	    << $data]
	return [lindex $out end]
}

proc random_hex {n} {
	set s ""
	for {set i 0} {$i < $n} {incr i} {
		append s [string index 0123456789abcdef [expr {int(rand() * 16)}]]
	}
	return $s
}

# sign LINE KEYID HEXKEY ?-to NODE? ?-t MS? ?-n NONCE? ?-macwith HEXKEY?:
# LINE with to= k= t= n= mac= appended. NODE is the faild the request is
# for, by default this host's name (a faild's default node name); an empty
# NODE leaves to= out.
proc sign {line keyid hexkey args} {
	set to [info hostname]
	set t [clock milliseconds]
	set n [random_hex 32]
	set mackey $hexkey
	foreach {o v} $args {
		switch -- $o {
		-to {set to $v}
		-t {set t $v}
		-n {set n $v}
		-macwith {set mackey $v}
		default {error "sign: unknown option $o"}
		}
	}
	if {$to ne ""} {
		append line " to=$to"
	}
	set body "$line k=$keyid t=$t n=$n"
	return "$body mac=[hmac_sha256 $mackey $body]"
}

# Check the mac of a signed answer; returns its nonce.
proc verify_answer {line keyid hexkey} {
	if {![regexp {^(.*) mac=([0-9a-f]{64})$} $line -> body mac]} {
		fail "answer not signed: $line"
	}
	if {![regexp { k=(\S+) n=(\S+)$} $body -> k n]} {
		fail "answer without k= n=: $line"
	}
	assert_equal $keyid $k "key id of the answer"
	assert_equal [hmac_sha256 $hexkey $body] $mac "mac of the answer"
	return $n
}

# ----------------------------------------------------------------------
# Other programs and fake peers.

proc harness::childstatus {opts} {
	set ec [dict get $opts -errorcode]
	switch -- [lindex $ec 0] {
	CHILDSTATUS {return [lindex $ec 2]}
	CHILDKILLED {return "signal [lindex $ec 2]"}
	default {return "error $ec"}
	}
}

# run_prog ?-timeout MS? ?-stdin DATA? CMD ?ARG ...?: run a program to its
# end while serving events; returns a dict code stdout stderr. A program
# still running at the deadline is killed (code "timeout").
proc run_prog {args} {
	set timeout 15000
	set stdin ""
	while {[string match -* [lindex $args 0]]} {
		switch -- [lindex $args 0] {
		-timeout {set timeout [lindex $args 1]}
		-stdin {set stdin [lindex $args 1]}
		default break
		}
		set args [lrange $args 2 end]
	}
	set errf $::tmpdir/stderr.[incr harness::seq]
	set ch [open |[list {*}$args << $stdin 2> $errf] r]
	fconfigure $ch -blocking 0 -translation binary
	set pids [pid $ch]
	set harness::progs($ch) $pids
	harness::pidfile_update
	set out ""
	set deadline [expr {[clock milliseconds] + $timeout}]
	set timedout 0
	while 1 {
		append out [read $ch]
		if {[eof $ch]} break
		set left [expr {$deadline - [clock milliseconds]}]
		if {$left <= 0} {
			set timedout 1
			foreach p $pids {
				catch {exec kill -KILL $p}
			}
			break
		}
		harness::wait_readable $ch $left
	}
	fconfigure $ch -blocking 1
	set code 0
	if {[catch {close $ch} msg opts]} {
		set code [harness::childstatus $opts]
	}
	unset harness::progs($ch)
	harness::pidfile_update
	if {$timedout} {
		set code timeout
	}
	set err [read_file $errf]
	file delete $errf
	return [dict create code $code stdout $out stderr $err]
}

# run_prog, and check the exit code; returns the result dict.
proc expect_exit {code args} {
	set r [run_prog {*}$args]
	if {[dict get $r code] ne $code} {
		fail "[file tail [lindex $args 0]] [lrange $args 1 end]: exit\
		    [dict get $r code], expected $code (stdout\
		    \"[string trim [dict get $r stdout]]\", stderr\
		    \"[string trim [dict get $r stderr]]\")"
	}
	return $r
}

# The failhost lines that tell a policy where each node's faild is (NODES:
# a dict node -> faild handle).
proc hosts_tcl {nodes} {
	set out ""
	dict for {node f} $nodes {
		append out "failhost $node address [dict get $f addr]\n"
		append out "failhost $node port [dict get $f port]\n"
	}
	return $out
}

# spawn_prog CMD ?ARG ...?: start a program in the background, its stdout
# readable line by line with read_line; stderr goes to a file whose name
# prog_stderr gives. stop_prog kills it (done at the end of the test).
proc spawn_prog {args} {
	set errf $::tmpdir/stderr.[incr harness::seq]
	set ch [open |[list {*}$args </dev/null 2> $errf] r]
	fconfigure $ch -blocking 0 -translation binary
	set harness::progs($ch) [pid $ch]
	set harness::progerr($ch) $errf
	harness::pidfile_update
	return $ch
}

proc prog_stderr {ch} {
	return [read_file $harness::progerr($ch)]
}

# wait_prog CH ?TIMEOUT_MS?: wait for a spawned program to end (reading
# and dropping what it still prints); returns its exit code, or "timeout"
# after killing it.
proc wait_prog {ch {timeout_ms 5000}} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	set timedout 0
	while 1 {
		read $ch
		if {[eof $ch]} break
		set left [expr {$deadline - [clock milliseconds]}]
		if {$left <= 0} {
			set timedout 1
			foreach p $harness::progs($ch) {
				catch {exec kill -KILL $p}
			}
			break
		}
		harness::wait_readable $ch $left
	}
	fconfigure $ch -blocking 1
	set code 0
	if {[catch {close $ch} msg opts]} {
		set code [harness::childstatus $opts]
	}
	unset harness::progs($ch)
	harness::pidfile_update
	return [expr {$timedout ? "timeout" : $code}]
}

proc stop_prog {ch} {
	if {![info exists harness::progs($ch)]} return
	foreach p $harness::progs($ch) {
		catch {exec kill -KILL $p}
	}
	fconfigure $ch -blocking 1
	catch {close $ch}
	unset harness::progs($ch)
	harness::pidfile_update
}

# fake_server MODE ?ARG?: a TCP server on 127.0.0.1 for client tests.
# Modes: hang (accept, read, never answer), close (accept and close at
# once), reply TEXT (answer every line with TEXT), script CMD (answer every
# line with the result of CMD LINE, nothing if it is ""), greet TEXT (send
# TEXT on accept, then read and never answer). Returns {socket port}; the
# server goes away at the end of the test.
proc fake_server {mode {arg ""}} {
	set id [incr harness::seq]
	set s [socket -server [list harness::fake_accept $id $mode $arg] \
	    -myaddr 127.0.0.1 0]
	set harness::servers($s) $id
	set harness::fake_clients($id) {}
	return [list $s [lindex [fconfigure $s -sockname] 2]]
}

proc harness::fake_accept {id mode arg ch addr port} {
	variable fake_clients
	lappend fake_clients($id) $ch
	fconfigure $ch -blocking 0 -translation binary -buffering none
	switch -- $mode {
	close {close $ch}
	hang {fileevent $ch readable [list harness::fake_drain $ch ""]}
	reply {
		fileevent $ch readable [list harness::fake_drain $ch \
		    [list apply {{text line} {return $text}} $arg]]
	}
	script {fileevent $ch readable [list harness::fake_drain $ch $arg]}
	greet {
		catch {puts -nonewline $ch $arg}
		fileevent $ch readable [list harness::fake_drain $ch ""]
	}
	}
}

proc harness::fake_drain {ch cmd} {
	if {[catch {gets $ch line} n] || [eof $ch]} {
		catch {close $ch}
		return
	}
	if {$n >= 0 && $cmd ne ""} {
		set reply [uplevel #0 [list {*}$cmd [string trimright $line \r]]]
		if {$reply ne ""} {
			catch {puts -nonewline $ch "$reply\n"}
		}
	}
}

# fake_udp_server CMD: a UDP server on 127.0.0.1 answering each datagram
# with the result of CMD DATAGRAM (nothing if ""). Returns {socket port}.
proc fake_udp_server {cmd} {
	set s [udp_open 0]
	fconfigure $s -translation binary -buffering none -blocking 0
	fileevent $s readable [list harness::fake_udp_answer $s $cmd]
	set harness::servers($s) [incr harness::seq]
	set harness::fake_clients($harness::servers($s)) {}
	return [list $s [lindex [fconfigure $s -myport] 0]]
}

proc harness::fake_udp_answer {s cmd} {
	set data [read $s]
	set peer [fconfigure $s -peer]
	if {$data eq ""} return
	set reply [uplevel #0 [list {*}$cmd [string trimright $data \r\n]]]
	if {$reply ne ""} {
		fconfigure $s -remote $peer
		puts -nonewline $s "$reply\n"
		flush $s
	}
}

proc fake_server_close {s} {
	set id $harness::servers($s)
	foreach ch $harness::fake_clients($id) {
		catch {close $ch}
	}
	unset harness::fake_clients($id)
	catch {close $s}
	unset harness::servers($s)
}

# A TCP port on 127.0.0.1 where nothing listens (was free a moment ago).
# cgi_server PROG NAME VAR VALUE: PROG installed as the CGI NAME behind
# lighttpd (a port of its own on 127.0.0.1) with VAR=VALUE in its
# environment; returns its URL. lighttpd stops with the test.
proc cgi_server {prog name var value} {
	set dir $::tmpdir/www[incr ::harness::seq]
	file mkdir $dir
	file link -symbolic $dir/$name $prog
	set port [free_port]
	write_file $dir/lighttpd.conf "
server.document-root = \"$dir\"
server.port = $port
server.bind = \"127.0.0.1\"
server.modules = (\"mod_cgi\", \"mod_setenv\")
cgi.assign = (\".cgi\" => \"\")
setenv.add-environment = (\"$var\" => \"$value\")
server.errorlog = \"$dir/error.log\"
"
	set pid [exec lighttpd -D -f $dir/lighttpd.conf >>& $dir/log &]
	adopt [dict create name lighttpd$::harness::seq pid $pid log $dir/log]
	wait_for {![catch {close [socket 127.0.0.1 $port]}]}
	return http://127.0.0.1:$port/$name
}

# browse URL: the page as headless Chromium renders it (its DOM,
# serialised). Events are served meanwhile, so fake servers answer.
proc browse {url} {
	set r [run_prog -timeout 60000 chromium --headless --no-sandbox \
	    --disable-gpu --user-data-dir=$::tmpdir/chromium --dump-dom $url]
	return [dict get $r stdout]
}

proc free_port {} {
	set s [socket -server {apply {{c a p} {close $c}}} -myaddr 127.0.0.1 0]
	set port [lindex [fconfigure $s -sockname] 2]
	close $s
	return $port
}

# ----------------------------------------------------------------------
# A small strict JSON reader: objects become dicts, arrays lists, strings
# and numbers their text, true/false/null those words. Errors on anything
# that is not JSON, so a test can check that a program prints valid JSON.

proc json_parse {text} {
	set p 0
	set v [harness::json_value $text p]
	harness::json_ws $text p
	if {$p != [string length $text]} {
		error "json: trailing text at offset $p: [string range $text $p $p+20]"
	}
	return $v
}

proc harness::json_ws {t pv} {
	upvar $pv p
	while {[string first [string index $t $p] " \t\r\n"] >= 0 &&
	    $p < [string length $t]} {
		incr p
	}
}

proc harness::json_expect {t pv c} {
	upvar $pv p
	json_ws $t p
	if {[string index $t $p] ne $c} {
		error "json: expected '$c' at offset $p: [string range $t $p $p+20]"
	}
	incr p
}

proc harness::json_value {t pv} {
	upvar $pv p
	json_ws $t p
	set rest [string range $t $p end]
	switch -- [string index $t $p] {
	"\{" {
		incr p
		set d [dict create]
		json_ws $t p
		if {[string index $t $p] eq "\}"} {
			incr p
			return $d
		}
		while 1 {
			json_ws $t p
			if {[string index $t $p] ne "\""} {
				error "json: expected a key at offset $p"
			}
			set k [json_value $t p]
			if {[dict exists $d $k]} {
				error "json: key \"$k\" repeated"
			}
			json_expect $t p :
			dict set d $k [json_value $t p]
			json_ws $t p
			set c [string index $t $p]
			incr p
			if {$c eq "\}"} {
				return $d
			}
			if {$c ne ","} {
				error "json: expected , or \} at offset [expr {$p - 1}]"
			}
		}
	}
	"\[" {
		incr p
		set l {}
		json_ws $t p
		if {[string index $t $p] eq "\]"} {
			incr p
			return $l
		}
		while 1 {
			lappend l [json_value $t p]
			json_ws $t p
			set c [string index $t $p]
			incr p
			if {$c eq "\]"} {
				return $l
			}
			if {$c ne ","} {
				error "json: expected , or \] at offset [expr {$p - 1}]"
			}
		}
	}
	"\"" {
		if {![regexp {^"((?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*)"} \
		    $rest m s]} {
			error "json: bad string at offset $p"
		}
		incr p [string length $m]
		return [subst -nocommands -novariables $s]
	}
	default {
		if {[regexp {^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?} \
		    $rest m] || [regexp {^(true|false|null)} $rest m]} {
			incr p [string length $m]
			return $m
		}
		error "json: unexpected text at offset $p: [string range $rest 0 20]"
	}
	}
}

# ----------------------------------------------------------------------

proc harness_done {} {
	set ms [expr {[clock milliseconds] - $harness::t_start}]
	if {$harness::failed > 0} {
		puts "failed: [join $harness::failures {, }]"
		puts "(seed $harness::seed: FAIL_SEED=$harness::seed replays\
		    the random choices)"
	}
	puts "[file tail $::argv0]: [expr {$ms / 1000.0}] s"
	puts "$harness::passed passed, $harness::failed failed"
	exit [expr {$harness::failed > 0}]
}

if {![file executable $::faild]} {
	puts "no $::faild: build it first (make faild/faild)"
	puts "0 passed, 1 failed"
	exit 1
}
puts "harness: seed $harness::seed, ports from $harness::port_base,\
    temp dir $harness::tmpdir"
