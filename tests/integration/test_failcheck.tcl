# test_failcheck.tcl: failcheck, the cluster health check for Nagios and
# Icinga, against real failds: its verdict (exit 0 OK, 1 WARNING, 2
# CRITICAL, 3 UNKNOWN), its one line of text, its performance data and its
# long output, for pairs and clusters in every shape.

source [file join [file dirname [info script]] harness.tcl]

set ::failcheck [file normalize [file join $harness::builddir failc/failcheck]]
if {![file executable $::failcheck]} {
	puts "no $::failcheck: build it first (make failc/failcheck)"
	puts "0 passed, 1 failed"
	exit 1
}

set me 127.0.0.1

proc hp {h} {
	return [dict get $h addr]:[dict get $h port]
}

# Performance data as a dict label -> {value uom warn crit min max}; fails
# on anything that is not 'label'=value[uom][;warn[;crit[;min[;max]]]]
# items separated by spaces (the plugin guidelines' format).
proc perfdata {text} {
	set re {^ *'((?:[^']|'')+)'=(U|-?[0-9]+(?:\.[0-9]+)?)(us|ms|s|%|B|KB|MB|TB|c)?(?:;([^; ]*)(?:;([^; ]*)(?:;([^; ]*)(?:;([^; ]*))?)?)?)?(?: +|$)}
	set d {}
	while {[string trim $text] ne ""} {
		if {![regexp -- $re $text all label value uom warn crit min max]} {
			fail "malformed performance data at \"$text\""
		}
		set label [string map {'' '} $label]
		if {[dict exists $d $label]} {
			fail "performance label \"$label\" twice"
		}
		dict set d $label [list $value $uom $warn $crit $min $max]
		set text [string range $text [string length $all] end]
	}
	return $d
}

# failcheck CODE ARGS: run failcheck, check its exit code and the plugin
# form of its output; returns a dict text (the status line without its
# "FAILOVER STATUS - "), perf (parsed), long (the lines after the first).
proc failcheck {code args} {
	set r [expect_exit $code $::failcheck {*}$args]
	set out [dict get $r stdout]
	assert_match "*\n" $out "output ends with a line end"
	set lines [split [string range $out 0 end-1] \n]
	set first [lindex $lines 0]
	set status [lindex {OK WARNING CRITICAL UNKNOWN} $code]
	if {![regexp "^FAILOVER $status - (\[^|\]*\\S)(?: \\| (.*))?\$" $first \
	    -> text perf]} {
		fail "status line \"$first\" is not \"FAILOVER $status - text\
		    | perfdata\""
	}
	foreach line [lrange $lines 1 end] {
		assert_true {[string first | $line] < 0} "a \"|\" in \"$line\""
	}
	if {$code != 3} {
		assert_true {$perf ne ""} "no performance data in \"$first\""
	}
	return [dict create text $text perf [perfdata $perf] \
	    long [lrange $lines 1 end]]
}

proc put {h name state {by failsh}} {
	assert_match "1 OK $name $state *" [faild_tcp $h "1 set $name $state by=$by"]
}

# The value of a performance label.
proc perf {c label} {
	return [lindex [dict get [dict get $c perf] $label] 0]
}

# A pair where www runs on A with B its standby, and db the other way.
proc pair {} {
	set a [start_faild]
	set b [start_faild]
	put $a www UP
	put $b www RECOVER
	put $a db RECOVER
	put $b db UP
	return [list $a $b]
}

test "OK: each service UP on one host, RECOVER on another" {
	lassign [pair] a b
	set c [failcheck 0 [hp $a] [hp $b]]
	assert_equal "2 services placed, each with a standby" [dict get $c text]
	assert_true {"service www: OK - [hp $a] UP, [hp $b] RECOVER" in
	    [dict get $c long]} "www's line in [dict get $c long]"
	assert_true {"service db: OK - [hp $a] RECOVER, [hp $b] UP" in
	    [dict get $c long]} "db's line in [dict get $c long]"
	# The order of the hosts does not matter, nor UDP.
	failcheck 0 -P udp [hp $b] [hp $a]
	# A third host without the services changes nothing.
	set e [start_faild]
	failcheck 0 [hp $a] [hp $b] [hp $e]
}

test "WARNING: the standby's faild is killed" {
	lassign [pair] a b
	put $a db UP
	put $b db RECOVER
	failcheck 0 [hp $a] [hp $b]
	kill_daemon $b KILL
	set c [failcheck 1 -t 500 [hp $a] [hp $b]]
	assert_equal "db no standby ([hp $b] unreachable); www no standby\
	    ([hp $b] unreachable); [hp $b] unreachable" [dict get $c text]
	assert_match "host [hp $b]: unreachable: *" [lsearch -inline \
	    [dict get $c long] "host [hp $b]:*"]
	# A host unreachable is a WARNING even where a standby remains.
	set e [start_faild]
	put $e www RECOVER
	put $e db RECOVER
	set c [failcheck 1 -t 500 [hp $a] [hp $b] [hp $e]]
	assert_equal "[hp $b] unreachable; 2 services placed, each with a\
	    standby" [dict get $c text]
	# A standby FAIL, or without the service, is no standby either.
	failcheck 0 [hp $a] [hp $e]
	put $e db FAIL
	set c [failcheck 1 [hp $a] [hp $e]]
	assert_equal "db no standby ([hp $e] FAIL)" [dict get $c text]
	faild_tcp $e "1 delete db"
	set c [failcheck 1 [hp $a] [hp $e]]
	assert_equal "db no standby ([hp $e] no record)" [dict get $c text]
}

test "CRITICAL: split brain, UP on two hosts" {
	lassign [pair] a b
	put $b www UP
	set c [failcheck 2 [hp $a] [hp $b]]
	assert_equal "www UP on [hp $a] and [hp $b] (split brain)" \
	    [dict get $c text]
	assert_equal 1 [perf $c split]
	# With a warning beside it, the lesser one says its status.
	set e [start_faild]
	put $a db UP
	put $e db UP
	put $e www UP
	kill_daemon $b KILL
	set c [failcheck 2 -t 500 [hp $a] [hp $b] [hp $e]]
	assert_equal "db UP on [hp $a] and [hp $e] (split brain); www UP on\
	    [hp $a] and [hp $e] (split brain); WARNING [hp $b] unreachable" \
	    [dict get $c text]
	assert_equal 2 [perf $c split]
}

test "CRITICAL: no host has the service UP" {
	lassign [pair] a b
	put $a www RECOVER
	set c [failcheck 2 [hp $a] [hp $b]]
	assert_equal "www not running ([hp $a] RECOVER, [hp $b] RECOVER)" \
	    [dict get $c text]
	assert_equal {1 1 0} [list [perf $c not_running] [perf $c placed] \
	    [perf $c split]]
	# The owner's faild dies: its standby alone is no owner.
	put $a www UP
	failcheck 0 [hp $a] [hp $b]
	kill_daemon $a KILL
	set c [failcheck 2 -t 500 [hp $a] [hp $b]]
	assert_equal "www not running ([hp $a] unreachable, [hp $b] RECOVER);\
	    WARNING db no standby ([hp $a] unreachable); WARNING [hp $a]\
	    unreachable" [dict get $c text]
}

test "UNKNOWN: usage errors, before any request" {
	set h [start_faild]
	put $h www UP
	set before [dict get [stats $h] requests]
	set kf [write_file $::tmpdir/keys "k1 [random_hex 64]\n" 0600]
	foreach args [list \
		{} \
		[list -x [hp $h]] \
		[list -s] \
		[list -p 0 [hp $h]] \
		[list -p 70000 [hp $h]] \
		[list -t abc [hp $h]] \
		[list -t 5 [hp $h]] \
		[list -P sctp [hp $h]] \
		[list -N bad/node [hp $h]] \
		[list -s bad/name [hp $h]] \
		[list -s _hold.www [hp $h]] \
		[list -c ro -k $kf [hp $h]] \
		[list -k $::tmpdir/nosuchkeys [hp $h]] \
		[list -k $kf -K nosuch [hp $h]] \
	] {
		set c [failcheck 3 {*}$args]
		assert_true {[dict get $c text] ne ""} "no message for $args"
		assert_equal {} [dict get $c long] "long output for $args"
	}
	assert_equal $before [expr {[dict get [stats $h] requests] - 1}] \
	    "requests of failcheck runs that should have stopped at usage"
}

test "UNKNOWN: no host can be reached" {
	set p1 [free_port]
	set p2 [free_port]
	set c [failcheck 3 -t 300 127.0.0.1:$p1 127.0.0.1:$p2]
	assert_match "no host reachable (127.0.0.1:$p1: *; 127.0.0.1:$p2: *)" \
	    [dict get $c text]
	# A faild that does not answer, and a peer that is no faild.
	set h [start_faild]
	put $h www UP
	lassign [fake_server reply "hello, I am not faild"] s port
	pause_daemon $h
	try {
		set t0 [clock milliseconds]
		set c [failcheck 3 -t 300 [hp $h] 127.0.0.1:$port]
		set ms [expr {[clock milliseconds] - $t0}]
	} finally {
		resume_daemon $h
	}
	assert_match "no host reachable*" [dict get $c text]
	# The hosts are asked at once: one timeout, not one per host.
	assert_true {$ms < 2000} "failcheck -t 300 took $ms ms"
	failcheck 0 -t 300 [hp $h]
}

test "a held standby gives WARNING, and the long output names the hold" {
	lassign [pair] a b
	put $b _hold.www FAIL ops
	set c [failcheck 1 [hp $a] [hp $b]]
	assert_equal "www no standby ([hp $b] held)" [dict get $c text]
	assert_match "hold: www held off [hp $b] by ops@$me, since 20*Z" \
	    [lsearch -inline [dict get $c long] hold:*]
	assert_true {"service www: WARNING - [hp $a] UP, [hp $b] RECOVER\
	    (held)" in [dict get $c long]} "www's line in [dict get $c long]"
	# A hold no longer in force is no hold.
	put $b _hold.www UP ops
	failcheck 0 [hp $a] [hp $b]
	# Every service held off a host: db, UP there, keeps running, and
	# www has no standby.
	put $b _standby FAIL ops
	set c [failcheck 1 [hp $a] [hp $b]]
	assert_equal "www no standby ([hp $b] held)" [dict get $c text]
	assert_match "hold: every service held off [hp $b] (standby) by\
	    ops@$me, since *" [lsearch -inline [dict get $c long] hold:*]
	faild_tcp $b "1 delete _standby"
	# A standby whose health check fails will not take over either.
	put $b _health.www FAIL
	set c [failcheck 1 [hp $a] [hp $b]]
	assert_equal "www no standby ([hp $b] health FAIL)" [dict get $c text]
}

test "annotation records are not counted as services" {
	set a [start_faild]
	set b [start_faild]
	put $a www UP
	put $b www RECOVER
	put $a _health.www UP
	put $b _health.www UP
	put $a _hold.db RECOVER ops
	put $b _hold.db FAIL ops
	put $a _move.www.elsewhere FAIL ops
	put $b _standby UP ops
	put $a _whatever FAIL ops
	set c [failcheck 0 [hp $a] [hp $b]]
	assert_equal "1 service placed, with a standby" [dict get $c text]
	assert_equal {1 1 0 0 0} [list [perf $c services] [perf $c placed] \
	    [perf $c no_standby] [perf $c not_running] [perf $c split]]
	foreach line [dict get $c long] {
		assert_true {![string match "service _*" $line]} \
		    "a record shown as a service: $line"
	}
	# The move and the hold in force are mentioned, nothing else.
	set notes [lsearch -all -inline -regexp [dict get $c long] {^(hold|move):}]
	assert_equal 2 [llength $notes] "notes: $notes"
	assert_match "hold: db held off [hp $b] by ops@$me, since *" \
	    [lindex $notes 1]
	assert_match "move: www.elsewhere (in the faild of [hp $a]) by\
	    ops@$me, since *" [lindex $notes 0]
}

test "performance data is well formed and counts right" {
	set a [start_faild]
	set b [start_faild]
	set e [start_faild]
	# www split, db placed with b its standby, mail not running, ftp
	# placed without a standby, e dead.
	foreach {name sa sb} {www UP UP db UP RECOVER mail RECOVER FAIL
	    ftp UP FAIL} {
		put $a $name $sa
		put $b $name $sb
	}
	kill_daemon $e KILL
	set c [failcheck 2 -t 400 [hp $a] [hp $b] [hp $e]]
	set p [dict get $c perf]
	assert_equal [lsort [list services placed no_standby not_running split \
	    hosts_reachable "time [hp $a]" "time [hp $b]" "time [hp $e]"]] \
	    [lsort [dict keys $p]] "labels"
	foreach {label want} {services 4 placed 2 no_standby 1 not_running 1
	    split 1 hosts_reachable 2} {
		lassign [dict get $p $label] value uom warn crit min
		assert_equal $want $value $label
		assert_equal "" $uom "unit of $label"
		assert_equal 0 $min "min of $label"
	}
	assert_equal {2 {} 3: 1: 0 3} [dict get $p hosts_reachable]
	foreach h [list $a $b] {
		lassign [dict get $p "time [hp $h]"] value uom warn crit min max
		assert_regexp {^[0-9]+$} $value "time of [hp $h]"
		assert_equal {ms 0 400} [list $uom $min $max] "time of [hp $h]"
		assert_true {$value < 400}
	}
	assert_equal U [lindex [dict get $p "time [hp $e]"] 0] "a dead host's time"
	assert_equal "mail not running ([hp $a] RECOVER, [hp $b] FAIL, [hp $e]\
	    unreachable); www UP on [hp $a] and [hp $b] (split brain);\
	    WARNING ftp no standby ([hp $b] FAIL, [hp $e] unreachable); WARNING\
	    [hp $e] unreachable" [dict get $c text]
	# An empty cluster: nothing wrong, zeros.
	set x [start_faild]
	set c [failcheck 0 [hp $x]]
	assert_equal "no services" [dict get $c text]
	assert_equal 0 [perf $c services]
}

test "-s checks only the services named, read with get" {
	lassign [pair] a b
	put $a mail UP
	put $b mail UP
	# (faild logs each request's verb at proto level 1.)
	faild_tcp $a "1 debug proto 1"
	set c [failcheck 0 -s www [hp $a] [hp $b]]
	assert_equal "1 service placed, with a standby" [dict get $c text]
	assert_equal 1 [perf $c services]
	# www, its hold and health, the standby.
	wait_for {[lines_matching $a "*\] tcp * get"] == 4} 3000 \
	    "4 gets logged, [lines_matching $a "*\] tcp * get"] so far"
	assert_equal 0 [lines_matching $a "* list"] "lists sent with -s"
	set c [failcheck 2 -s www -s mail -s www [hp $a] [hp $b]]
	assert_equal "mail UP on [hp $a] and [hp $b] (split brain)" \
	    [dict get $c text]
	assert_equal 2 [perf $c services]
	# A service no faild knows is not running.
	set c [failcheck 2 -s nosuch [hp $a] [hp $b]]
	assert_equal "nosuch not running ([hp $a] no record, [hp $b] no\
	    record)" [dict get $c text]
	# Holds and the standby are read too.
	put $b _hold.www FAIL ops
	set c [failcheck 1 -s www [hp $a] [hp $b]]
	assert_equal "www no standby ([hp $b] held)" [dict get $c text]
	failcheck 0 -s db [hp $a] [hp $b]
	put $a _standby FAIL ops
	set c [failcheck 1 -s db [hp $a] [hp $b]]
	assert_equal "db no standby ([hp $a] held)" [dict get $c text]
}

test "a single host: OK when UP, no standby expected" {
	set h [start_faild]
	put $h www UP
	set c [failcheck 0 [hp $h]]
	assert_equal "1 service placed, single host (no standby expected)" \
	    [dict get $c text]
	put $h db RECOVER
	set c [failcheck 2 [hp $h]]
	assert_equal "db not running ([hp $h] RECOVER)" [dict get $c text]
	set c [failcheck 0 -s www -p [dict get $h port] [dict get $h addr]]
}

test "-V prints the version" {
	set r [expect_exit 0 $::failcheck -V]
	assert_regexp {^failcheck \(failover\) [0-9][^\n]*\n$} [dict get $r stdout]
}

harness_done
