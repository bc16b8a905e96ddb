# test_systemd.tcl: the daemons under a service manager and the command
# line conventions every program shares (failover(7)): readiness, reload
# and stop through sd_notify (a stand-in socket, tests/helpers/
# notify_recv), log priorities when stderr is the journal, --help,
# --version, -t; and the unit files, verified by systemd-analyze when it
# is installed.

source [file join [file dirname [info script]] harness.tcl]

set ::notify_recv [file join $harness::builddir tests helpers notify_recv]
set ::units [file join $harness::srcdir systemd]

# A notification socket; returns {channel path}. Daemons started while
# ::env(NOTIFY_SOCKET) names it send their notifications there.
proc notify_socket {} {
	set path $::tmpdir/notify.[incr ::harness::seq]
	set ch [spawn_prog $::notify_recv $path]
	assert_equal listening [read_line $ch 3000]
	return [list $ch $path]
}

# Start a daemon with NOTIFY_SOCKET set (only for that start).
proc with_notify {path script} {
	set ::env(NOTIFY_SOCKET) $path
	try {
		return [uplevel 1 $script]
	} finally {
		unset ::env(NOTIFY_SOCKET)
	}
}

test "faild: READY once it serves, RELOADING then READY on HUP, STOPPING on TERM" {
	lassign [notify_socket] ch path
	set f [with_notify $path {start_faild}]
	assert_match "READY=1 STATUS=serving *tcp [dict get $f addr]:*" \
	    [read_line $ch 3000]
	exec kill -HUP [dict get $f pid]
	assert_match "RELOADING=1 *" [read_line $ch 3000]
	assert_match "READY=1 STATUS=serving, access files reloaded" \
	    [read_line $ch 3000]
	kill_daemon $f TERM
	assert_match "STOPPING=1 STATUS=exiting on signal 15" [read_line $ch 3000]
}

test "failsh and hc: READY once they run, RELOADING then READY on HUP" {
	lassign [notify_socket] ch path
	set f [start_faild]
	set s [with_notify $path {start_failsh n1 $f {failsvc www start {return UP}}}]
	assert_match "READY=1 STATUS=running the policy *" [read_line $ch 3000]
	exec kill -HUP [dict get $s pid]
	assert_match "RELOADING=1 *" [read_line $ch 3000]
	assert_match "READY=1 *" [read_line $ch 3000]
	kill_daemon $s INT
	assert_match "STOPPING=1 STATUS=exiting on signal 2" [read_line $ch 3000]
	set h [with_notify $path {start_hc "faild = [dict get $f addr]:[dict get\
	    $f port]\nt:\n\tcheck tcp 127.0.0.1:[free_port]\n"}]
	assert_match "READY=1 STATUS=checking 1 targets from *" [read_line $ch 3000]
}

test "stderr as the journal: each line starts with its priority, without a timestamp" {
	set dir $::tmpdir/journal
	file mkdir $dir
	set log [write_file $dir/log ""]
	file stat $log st
	set ::env(JOURNAL_STREAM) $st(dev):$st(ino)
	try {
		set f [start_faild -name journal]
		catch {exec $::faild -F -s $::tmpdir/no/such/dir/state 2>> $log}
	} finally {
		unset ::env(JOURNAL_STREAM)
	}
	set text [read_file $log]
	assert_match "<6>ready: node *" $text
	assert_match "*\n<2>fatal: state directory $::tmpdir/no/such/dir: No such\
	    file or directory*" $text
	assert_true {![regexp {\d{4}-\d\d-\d\dT} $text]} "a timestamp in $text"
	# elsewhere (a file, a terminal): timestamps, no priorities
	set f2 [start_faild]
	assert_match "20*Z faild\\\[*\\\]: ready: *" [read_file [dict get $f2 log]]
}

test "a repeated error is logged with backoff: the window doubles while it repeats" {
	set f [start_faild]
	# bad requests over TCP, one connection, for as long as it takes
	set ch [socket [dict get $f addr] [dict get $f port]]
	fconfigure $ch -buffering line -blocking 0
	set deadline [expr {[clock milliseconds] + 8000}]
	while {![string match "*similar messages suppressed in 2 s*" \
	    [read_file [dict get $f log]]]} {
		if {[clock milliseconds] > $deadline} {
			close $ch
			fail "no 2 s window: [read_file [dict get $f log]]"
		}
		puts $ch "1 nosuchverb"
		read $ch
		after 5
	}
	close $ch
	set text [read_file [dict get $f log]]
	assert_match "*similar messages suppressed in 1 s*suppressed in 2 s*" \
	    $text
	# one window of a second, one of two: a burst each, not one a second
	assert_true {[llength [regexp -all -inline {bad request from} $text]] <=
	    3 * 5} "too many lines: $text"
}

test "every program: --help on stdout (exit 0), --version as -V" {
	foreach prog [list $::faild $::failsh $::hc $::failc $::failstat \
	    $::faildebug [file join $harness::builddir failc/failcheck] \
	    [file join $harness::builddir failmon/failmon] \
	    [file join $harness::builddir hc/getnode] $::faildns] {
		set r [run_prog $prog --help]
		assert_equal 0 [dict get $r code] "$prog --help"
		assert_match "usage: [file tail $prog] *" [dict get $r stdout]
		assert_equal "" [dict get $r stderr] "$prog --help"
		set v [run_prog $prog --version]
		assert_equal 0 [dict get $v code]
		assert_equal [dict get [run_prog $prog -V] stdout] \
		    [dict get $v stdout] "$prog --version"
	}
}

test "-t checks the configuration in every daemon (-n, the old spelling, too)" {
	# faild: the state directory must exist and be writable
	set r [run_prog $::faild -t -s $::tmpdir/none/state]
	assert_equal 1 [dict get $r code]
	assert_match "*state directory $::tmpdir/none: No such file*" \
	    [dict get $r stderr]
	file mkdir $::tmpdir/sd
	set r [run_prog $::faild -t -s $::tmpdir/sd/state]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	assert_match "faild: configuration OK: *" [dict get $r stdout]
	# failsh: a service without a start script is a warning
	set p [write_file $::tmpdir/p.tcl "failsvc www interval 1\n" 0600]
	foreach opt {-t -n} {
		set r [run_prog $::failsh $opt -f $p]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
		assert_match "failsh: warning: service www has no start script:*\n*failsh:\
		    configuration OK: 1 services*" [dict get $r stdout]
	}
	set bad [write_file $::tmpdir/bad.tcl "failsvc www nosuch 1\n" 0600]
	assert_equal 1 [dict get [run_prog $::failsh -t -f $bad] code]
	# hc: -t checks, and after -x, -t is still the check's timeout
	set hf [write_file $::tmpdir/Hcfile "faild = 127.0.0.1\nt:\n\tcheck\
	    tcp 127.0.0.1:1\n" 0600]
	foreach opt {-t -n} {
		set r [run_prog $::hc $opt -f $hf]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
	}
	assert_equal 1 [dict get [run_prog $::hc -t -f $::tmpdir/nohc] code]
	foreach opt {-T -t} {
		set r [run_prog $::hc -x $opt 1s tcp 127.0.0.1:[free_port]]
		assert_equal 1 [dict get $r code] [dict get $r stderr]
		assert_match "fail: *" [dict get $r stdout]
	}
}

test "the unit files: systemd-analyze verify passes; each is hardened to an exposure of 3.0 at most" {
	if {[auto_execok systemd-analyze] eq ""} {
		puts "  (no systemd-analyze: skipped)"
		return
	}
	set dir $::tmpdir/units
	file mkdir $dir
	foreach u {faild failsh hc faildns} {
		set text [string map [list @sbindir@ [file dirname $::faild]] \
		    [read_file $::units/$u.service]]
		# the programs' real paths (the build tree's)
		set text [string map [list [file dirname $::faild]/failsh \
		    $::failsh [file dirname $::faild]/hc $::hc \
		    [file dirname $::faild]/faildns $::faildns] $text]
		write_file $dir/$u.service $text
	}
	set r [run_prog systemd-analyze verify --man=no \
	    $dir/faild.service $dir/failsh.service $dir/hc.service \
	    $dir/faildns.service]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	foreach u {faild failsh hc faildns} {
		set r [run_prog systemd-analyze security --offline=true \
		    --no-pager $dir/$u.service]
		assert_true {[regexp {exposure level for \S+: (\d+\.\d+)} \
		    [dict get $r stdout] -> score]} "no score for $u"
		assert_true {$score <= 3.0} "$u.service exposure $score"
	}
}

harness_done
