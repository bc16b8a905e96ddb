# test_clients.tcl: failc, failstat and faildebug against a real faild and
# against fake peers: what they set and print, and their exit codes (0 ok,
# 1 refused, 2 usage, 3 unreachable; failstat 0/1/2 for UP/RECOVER/FAIL);
# failstat of a failsh under the etcd backend (a real etcd).

source [file join [file dirname [info script]] harness.tcl]
source [file join [file dirname [info script]] etcd.tcl]

foreach prog [list $::failc $::failstat $::faildebug] {
	if {![file executable $prog]} {
		puts "no $prog: build it first (make failc/failc failc/failstat\
		    failc/faildebug)"
		puts "0 passed, 1 failed"
		exit 1
	}
}

set me 127.0.0.1

proc hp {h} {
	return [dict get $h addr]:[dict get $h port]
}

# The ISO form failstat prints for changed_ms (UTC, milliseconds).
proc iso {ms} {
	return [clock format [expr {$ms / 1000}] -gmt 1 \
	    -format %Y-%m-%dT%H:%M:%S].[format %03d [expr {$ms % 1000}]]Z
}

proc record {answer} {
	if {![regexp {^\S+ OK (\S+) (\S+) (\d+) (\S+)} $answer -> n s ms by]} {
		fail "not a service record: \"$answer\""
	}
	return [list $n $s $ms $by]
}

set d [start_faild]

# ----------------------------------------------------------------------
# failc

test "failc sets and deletes over TCP and UDP" {
	set r [expect_exit 0 $::failc -h [hp $d] web UP]
	assert_equal "" [dict get $r stdout] "failc output"
	assert_match "* OK web UP * $me" [faild_tcp $d "1 get web"]
	expect_exit 0 $::failc -P udp -h [hp $d] web fail
	assert_match "* OK web FAIL * $me" [faild_tcp $d "1 get web"]
	# -p gives the port, -b the setter.
	expect_exit 0 $::failc -h [dict get $d addr] -p [dict get $d port] \
	    -P udp -b init.d web RECOVER
	assert_match "* OK web RECOVER * init.d@$me" [faild_tcp $d "1 get web"]
	expect_exit 0 $::failc -h [hp $d] -P tcp -b ops web UP
	lassign [record [faild_tcp $d "1 get web"]] - st ms by
	assert_equal {UP ops@127.0.0.1} [list $st $by]
	# Same state again: accepted, nothing changes.
	expect_exit 0 $::failc -h [hp $d] -b other web UP
	assert_equal [list web UP $ms ops@$me] [record [faild_tcp $d "1 get web"]]
	expect_exit 0 $::failc -h [hp $d] web delete
	assert_match "* ERR 404 *" [faild_tcp $d "1 get web"]
	expect_exit 0 $::failc -h [hp $d] -P udp web UP
	expect_exit 0 $::failc -h [hp $d] -P udp web delete
	assert_match "* ERR 404 *" [faild_udp $d "1 get web"]
}

test "failc exit 1: refused by the server, with the ERR on stderr" {
	# Deleting what does not exist.
	set r [expect_exit 1 $::failc -h [hp $d] nosuch delete]
	assert_match "*404*" [dict get $r stderr]
	# A community that may only read.
	set comm [write_file $::tmpdir/comm "* ro RO\n* rw RW\n"]
	set h [start_faild -c $comm]
	foreach proto {tcp udp} {
		set r [expect_exit 1 $::failc -P $proto -h [hp $h] -c ro x UP]
		assert_match "*ERR 403*" [dict get $r stderr]
		expect_exit 1 $::failc -P $proto -h [hp $h] x UP
		expect_exit 0 $::failc -P $proto -h [hp $h] -c rw x UP
	}
	# A key is configured: unsigned writes need one.
	set kf [write_file $::tmpdir/keys "k1 [random_hex 64]\n" 0600]
	set h [start_faild -k $kf]
	foreach proto {tcp udp} {
		set r [expect_exit 1 $::failc -P $proto -h [hp $h] x UP]
		assert_match "*ERR 401*" [dict get $r stderr]
		expect_exit 0 $::failc -P $proto -h [hp $h] -k $kf x UP
	}
	# A key the server does not know.
	set other [write_file $::tmpdir/otherkeys "k1 [random_hex 64]\n" 0600]
	set r [expect_exit 1 $::failc -h [hp $h] -k $other x FAIL]
	assert_match "*401*" [dict get $r stderr]
	assert_match "* OK x UP *" [faild_tcp $h "1 get x"]
}

test "failc exit 2: usage errors, before any request" {
	set before [dict get [stats $d] requests]
	set kf [write_file $::tmpdir/keys2 "k1 [random_hex 64]\n" 0600]
	set loose [write_file $::tmpdir/loosekeys "k1 [random_hex 64]\n" 0644]
	foreach args [list \
		{} \
		{web} \
		{web UP extra} \
		{web BROKEN} \
		{bad/name UP} \
		[list [string repeat a 65] UP] \
		{-b bad/by web UP} \
		{-P sctp web UP} \
		{-t abc web UP} \
		{-p 0 web UP} \
		{-p 70000 web UP} \
		{-x web UP} \
		[list -c ro -k $kf web UP] \
		[list -k $::tmpdir/nosuchkeys web UP] \
		[list -k $loose web UP] \
		[list -k $kf -K nosuch web UP] \
	] {
		set r [expect_exit 2 $::failc -h [hp $d] {*}$args]
		assert_true {[dict get $r stderr] ne ""} "no message for $args"
	}
	assert_equal $before [expr {[dict get [stats $d] requests] - 1}] \
	    "requests sent by failc runs that should have stopped at usage"
}

test "failc exit 3: nothing listens, a peer that never answers, paused" {
	set port [free_port]
	set t0 [clock milliseconds]
	set r [expect_exit 3 $::failc -h 127.0.0.1:$port -t 300 web UP]
	assert_true {[dict get $r stderr] ne ""}
	set r [expect_exit 3 $::failc -P udp -h 127.0.0.1:$port -t 300 web UP]
	# A TCP peer that accepts and never answers: the timeout, then 3.
	lassign [fake_server hang] s port
	set t0 [clock milliseconds]
	set r [expect_exit 3 $::failc -h 127.0.0.1:$port -t 300 web UP]
	set ms [expr {[clock milliseconds] - $t0}]
	assert_true {$ms >= 290 && $ms < 3000} "failc -t 300 took $ms ms"
	# A peer that closes at once, and one that answers nonsense.
	lassign [fake_server close] s port
	expect_exit 3 $::failc -h 127.0.0.1:$port -t 300 web UP
	lassign [fake_server reply "hello, I am not faild"] s port
	expect_exit 3 $::failc -h 127.0.0.1:$port -t 300 web UP
	# A stopped faild, over both transports.
	set h [start_faild]
	pause_daemon $h
	try {
		foreach proto {tcp udp} {
			set t0 [clock milliseconds]
			expect_exit 3 $::failc -P $proto -h [hp $h] -t 300 web UP
			set ms [expr {[clock milliseconds] - $t0}]
			assert_true {$ms < 3000} "$proto: failc -t 300 took $ms ms"
		}
	} finally {
		resume_daemon $h
	}
}

# A fake faild for signed requests: answers each request with BODY after
# the request's id, signed as MODE says: good (the key, the request's
# nonce), nonce (another nonce), key (another key), none (unsigned).
proc fake_signed {mode hexkey body line} {
	set id [lindex [split $line] 0]
	if {![regexp { n=([0-9a-fA-F]+) } $line -> nonce]} {
		return "$id ERR 400 unsigned"
	}
	set ans "$id $body"
	switch -- $mode {
	none {return $ans}
	nonce {set nonce [random_hex 32]}
	key {set hexkey [random_hex 64]}
	}
	set ans "$ans k=k1 n=$nonce"
	return "$ans mac=[hmac_sha256 $hexkey $ans]"
}

proc fake_peer {proto cmd} {
	if {$proto eq "tcp"} {
		return [fake_server script $cmd]
	}
	return [fake_udp_server $cmd]
}

test "clients with -k accept only answers signed for their request" {
	set key [random_hex 64]
	set kf [write_file $::tmpdir/fkeys "k1 $key\n" 0600]
	set now [clock milliseconds]
	foreach mode {good nonce key none} want {0 3 3 3} {
		foreach proto {tcp udp} {
			lassign [fake_peer $proto [list fake_signed $mode $key \
			    "OK www UP $now forged@10.0.0.1"]] s port
			set r [expect_exit $want $::failc -P $proto -t 500 \
			    -h 127.0.0.1:$port -k $kf www UP]
			lassign [fake_peer $proto [list fake_signed $mode $key \
			    "OK 1 www UP $now forged@10.0.0.1"]] s port
			set r [expect_exit $want $::failstat -P $proto -t 500 \
			    -k $kf 127.0.0.1:$port]
			if {$mode eq "good"} {
				assert_match "www*UP*forged@10.0.0.1*" [dict get $r stdout]
			} else {
				assert_true {![string match "*UP*" [dict get $r stdout]]} \
				    "failstat printed a forged UP ($mode, $proto)"
			}
		}
	}
}

# ----------------------------------------------------------------------
# failstat

test "failstat prints one line per service and exits by the worst state" {
	set h [start_faild]
	# An empty table: nothing to print, nothing wrong.
	set r [expect_exit 0 $::failstat [hp $h]]
	assert_equal "" [string trim [dict get $r stdout]]
	foreach {name st} {b.svc UP a.svc UP} {
		faild_tcp $h "1 set $name $st by=t"
	}
	set r [expect_exit 0 $::failstat [hp $h]]
	set lines [split [string trim [dict get $r stdout]] \n]
	assert_equal 2 [llength $lines] "lines: [dict get $r stdout]"
	foreach line $lines name {a.svc b.svc} {
		lassign [record [faild_tcp $h "1 get $name"]] - st ms by
		assert_equal [list $name $st [iso $ms] $by] \
		    [regexp -all -inline {\S+} $line] "failstat line for $name"
	}
	faild_tcp $h "1 set c.svc RECOVER"
	expect_exit 1 $::failstat [hp $h]
	expect_exit 1 $::failstat -P udp [hp $h]
	faild_tcp $h "1 set d.svc FAIL"
	expect_exit 2 $::failstat [hp $h]
	# Named services: only those, in that order, exit by their states.
	set r [expect_exit 0 $::failstat [hp $h] b.svc a.svc]
	assert_equal {b.svc a.svc} [lmap l [split [string trim \
	    [dict get $r stdout]] \n] {lindex $l 0}]
	expect_exit 1 $::failstat [hp $h] a.svc c.svc
	expect_exit 2 $::failstat [hp $h] d.svc a.svc
	set r [expect_exit 2 $::failstat [hp $h] a.svc no.such]
	assert_match "*no.such*" [dict get $r stdout]
	# -p with a bare address.
	expect_exit 0 $::failstat -p [dict get $h port] [dict get $h addr] a.svc
	# Unreachable or refused: 3.
	expect_exit 3 $::failstat -t 300 127.0.0.1:[free_port]
	lassign [fake_server hang] s port
	expect_exit 3 $::failstat -t 300 127.0.0.1:$port
	pause_daemon $h
	try {
		expect_exit 3 $::failstat -P udp -t 300 [hp $h] a.svc
	} finally {
		resume_daemon $h
	}
	set comm [write_file $::tmpdir/comm2 "a.svc only RO\na.svc admin RW\n"]
	set h2 [start_faild -c $comm]
	expect_exit 3 $::failstat [hp $h2] a.svc
	# A wrong community is refused for the whole list too: never an
	# empty, all-UP answer (UDP and TCP).
	assert_match "1 OK *" [faild_tcp $h2 "1 set a.svc FAIL c=admin"]
	foreach proto {udp tcp} {
		set r [expect_exit 3 $::failstat -P $proto -c wrong [hp $h2]]
		assert_match "*403*no such community*" [dict get $r stderr]
		assert_equal "" [dict get $r stdout]
		set r [expect_exit 2 $::failstat -P $proto -c only [hp $h2]]
		assert_match "a.svc *FAIL*" [dict get $r stdout]
	}
	# Usage errors have a code of their own (2 is FAIL): 64, EX_USAGE;
	# a host that does not resolve is unreachable.
	expect_exit 64 $::failstat -x [hp $h]
	expect_exit 64 $::failstat [hp $h] bad/name
	expect_exit 64 $::failstat -P sctp [hp $h]
	expect_exit 3 $::failstat nosuch.invalid
	# A service never set is shown as never changed, not as of 1970.
	set r [expect_exit 2 $::failstat [hp $h] never.set]
	assert_match "never.set *UNKNOWN *never -*" [dict get $r stdout]
}

test "failstat -j prints valid JSON with every field" {
	set h [start_faild]
	faild_tcp $h "1 set j.up UP by=j"
	faild_tcp $h "1 set j.rec RECOVER"
	set r [expect_exit 1 $::failstat -j [hp $h]]
	set j [json_parse [dict get $r stdout]]
	assert_equal [hp $h] [dict get $j host]
	set svcs [dict get $j services]
	assert_equal 2 [llength $svcs]
	foreach s $svcs name {j.rec j.up} {
		lassign [record [faild_tcp $h "1 get $name"]] - st ms by
		assert_equal [dict create name $name state $st changed_ms $ms \
		    changed [iso $ms] setter $by] $s "JSON for $name"
	}
	# Empty, and named.
	set h2 [start_faild]
	set r [expect_exit 0 $::failstat -j [hp $h2]]
	assert_equal [dict create host [hp $h2] services {}] \
	    [json_parse [dict get $r stdout]]
	set r [expect_exit 0 $::failstat -j [hp $h] j.up]
	assert_equal {j.up} [lmap s [dict get [json_parse \
	    [dict get $r stdout]] services] {dict get $s name}]
	set r [expect_exit 2 $::failstat -j [hp $h] j.up nope]
	json_parse [dict get $r stdout]
}

test "failstat -w prints the table, then each change as it happens" {
	set h [start_faild]
	faild_tcp $h "1 set w.a UP by=t"
	faild_tcp $h "1 set w.b FAIL by=t"
	set ch [spawn_prog $::failstat -w [hp $h]]
	foreach name {w.a w.b} {
		lassign [record [faild_tcp $h "1 get $name"]] - st ms by
		assert_equal [list $name $st [iso $ms] $by] \
		    [regexp -all -inline {\S+} [read_line $ch 3000]] \
		    "table line for $name"
	}
	# Each change is printed before the next is made.
	foreach {name st old} {w.a RECOVER UP w.b UP FAIL w.c FAIL NONE
	    w.a UP RECOVER} {
		set a [faild_tcp $h "1 set $name $st by=ops"]
		lassign [record $a] - - ms by
		set line [read_line $ch 3000]
		assert_match "*$name*$old*$st*" $line "change of $name"
		assert_match "*[iso $ms]*" $line "time of the change of $name"
		assert_match "*ops@$me*" $line "setter of the change of $name"
	}
	faild_tcp $h "1 delete w.c"
	assert_match "*w.c*FAIL*NONE*" [read_line $ch 3000] "deletion"
	# When faild goes away, failstat -w ends with 3.
	kill_daemon $h KILL
	assert_equal 3 [wait_prog $ch 5000] "exit of failstat -w"
}

test "failstat -w with names and -j follows only those, as JSON lines" {
	set h [start_faild]
	faild_tcp $h "1 set f.a UP"
	faild_tcp $h "1 set f.b UP"
	set ch [spawn_prog $::failstat -w -j [hp $h] f.b]
	set first [json_parse [read_line $ch 3000]]
	assert_equal f.b [dict get $first name]
	assert_equal UP [dict get $first state]
	faild_tcp $h "1 set f.a FAIL"
	faild_tcp $h "1 set f.b RECOVER"
	set c [json_parse [read_line $ch 3000]]
	assert_equal {f.b UP RECOVER} [list [dict get $c name] [dict get $c old] \
	    [dict get $c new]] "the change printed after f.a's"
	lassign [record [faild_tcp $h "1 get f.b"]] - - ms by
	assert_equal $ms [dict get $c changed_ms]
	assert_equal $by [dict get $c setter]
}

# The control port of failsh s, host:port.
proc control_hp {s} {
	return [dict get $s addr]:[dict get $s control]
}

test "failstat of a failsh under the etcd backend: backend, lease, owner, epoch" {
	if {[etcd_missing] ne ""} { skip "missing: [etcd_missing]" }
	set e [start_etcd -name ec[incr ::harness::seq]]
	set url [etcd_url $e]
	lassign [etcd_failsh_pair $e stat "failetcd unreachable keep"] \
	    prefix fa fb sa sb
	set out [etcdctl $e get $prefix/owner/www -w json]
	regexp {"create_revision":(\d+)} $out -> epoch
	regexp {"lease":(\d+)} $out -> lease
	set lease [format %llx $lease]
	# b's watch sees a's key: its owner is a
	wait_for {[string match "*owner a, epoch $epoch\n*" \
	    [dict get [run_prog $::failstat [control_hp $sb]] stdout]]}
	# text: the backend first, the owner under each service; exit codes
	# as ever (UP 0, RECOVER 1)
	set r [expect_exit 0 $::failstat [control_hp $sa]]
	set l [split [dict get $r stdout] \n]
	assert_regexp "^backend etcd [string map {. \.} $url], lease $lease \\(\[0-9.\]+ s left, fence 0\\.50 s\\), coord OK, unreachable keep, watch synced, watchdog none$" [lindex $l 0]
	assert_regexp {^www +UP +\S+ failsh$} [lindex $l 1]
	assert_equal "owner a (here), epoch $epoch" [string trim [lindex $l 2]]
	set r [expect_exit 1 $::failstat [control_hp $sb]]
	assert_match "backend etcd $url, lease *\nwww *RECOVER *failsh\n *owner a, epoch $epoch\n" [dict get $r stdout]
	# named: the owner of each one the policy has
	set r [expect_exit 2 $::failstat [control_hp $sb] www nope]
	assert_match "backend etcd *\nwww *RECOVER *\n *owner a, epoch $epoch\nnope *UNKNOWN *never -\n" [dict get $r stdout]
	# JSON: a backend object, owner, epoch and owner_here per service
	set j [json_parse [dict get [expect_exit 0 $::failstat -j \
	    [control_hp $sa]] stdout]]
	set b [dict get $j backend]
	assert_backend $b [list etcd $url $lease OK keep synced none 500 {}]
	set v [lindex [dict get $j services] 0]
	assert_equal [list www UP a $epoch true] [list [dict get $v name] \
	    [dict get $v state] [dict get $v owner] [dict get $v epoch] \
	    [dict get $v owner_here]]
	set j [json_parse [dict get [expect_exit 1 $::failstat -j \
	    [control_hp $sb]] stdout]]
	set v [lindex [dict get $j services] 0]
	assert_equal [list a $epoch false] [list [dict get $v owner] \
	    [dict get $v epoch] [dict get $v owner_here]]
	# a failsh that polls its peers: no backend, no owner, as before
	set fc [start_faild -name fc[incr ::harness::seq]]
	set sc [start_failsh c $fc {failsvc www start {return UP}}]
	wait_for {[state_of $fc www] eq "UP"}
	set r [expect_exit 0 $::failstat [control_hp $sc]]
	assert_regexp {^www +UP +\S+ failsh\n$} [dict get $r stdout]
	set j [json_parse [dict get [expect_exit 0 $::failstat -j \
	    [control_hp $sc]] stdout]]
	assert_equal {host services} [dict keys $j]
	assert_equal {name state changed_ms changed setter} \
	    [dict keys [lindex [dict get $j services] 0]]
}

# A fake failsh control port: list one service, stats as given, show as
# given; everything else 405.
proc fake_control {stats show line} {
	set id [lindex $line 0]
	switch -- [lindex $line 1] {
	list	{return "$id OK 1 www FAIL 1700000000000 failsh"}
	stats	{return "$id OK services 1 runs 9 monitors 0 uptime_ms 5 $stats"}
	show	{return "$id $show"}
	}
	return "$id ERR 405 no"
}

test "failstat: a backend's error decoded; a malformed backend or owner is exit 3" {
	set good "backend etcd endpoint http://e:2379 lease 3f2a\
	    lease_left_ms 0 fence_ms 500 coord LOST unreachable stop\
	    watch reading watchdog armed error lease%20keep-alive:%20refused"
	lassign [fake_server script [list fake_control $good \
	    "OK www - 0 elsewhere"]] srv port
	set r [expect_exit 2 $::failstat 127.0.0.1:$port]
	assert_equal "backend etcd http://e:2379, lease 3f2a (0.00 s left,\
	    fence 0.50 s), coord LOST, unreachable stop, watch reading,\
	    watchdog armed, error: lease keep-alive: refused" \
	    [lindex [split [dict get $r stdout] \n] 0]
	assert_match "*\n *owner none\n" [dict get $r stdout]
	set j [json_parse [dict get [expect_exit 2 $::failstat -j \
	    127.0.0.1:$port] stdout]]
	assert_equal "lease keep-alive: refused" [dict get $j backend error]
	assert_equal {null 0 false} [lmap k {owner epoch owner_here} \
	    {dict get [lindex [dict get $j services] 0] $k}]
	foreach {stats show want} [list \
	    "backend etcd endpoint http://e:2379" "OK www - 0 elsewhere" \
	        "*malformed answer: backend etcd without lease*" \
	    [string map {"lease_left_ms 0" "lease_left_ms soon"} $good] \
	        "OK www - 0 elsewhere" "*malformed answer: lease_left_ms soon*" \
	    $good "OK www a" "*malformed answer to show www*" \
	    $good "OK www a 3 mine" "*malformed answer to show www*" \
	    $good "ERR 500 broken" "*ERR 500 broken*"] {
		lassign [fake_server script [list fake_control $stats $show]] \
		    srv port
		set r [expect_exit 3 $::failstat 127.0.0.1:$port]
		assert_match $want [dict get $r stderr] "$stats / $show"
	}
}

# ----------------------------------------------------------------------
# faildebug

test "faildebug lists and sets levels" {
	set h [start_faild]
	set r [expect_exit 0 $::faildebug -h [hp $h]]
	assert_equal "main 0\nnet 0\nproto 0\nstate 0\nauth 0" \
	    [string trim [dict get $r stdout]]
	set r [expect_exit 0 $::faildebug -h [hp $h] proto=3 net+]
	assert_match "*proto 3*" [dict get $r stdout]
	assert_match "*net 1*" [dict get $r stdout]
	assert_equal "1 OK main 0 net 1 proto 3 state 0 auth 0" \
	    [faild_tcp $h "1 debug"]
	expect_exit 0 $::faildebug -h [dict get $h addr] -p [dict get $h port] \
	    proto- net- auth=9
	assert_equal "1 OK main 0 net 0 proto 2 state 0 auth 9" \
	    [faild_tcp $h "1 debug"]
	# Levels stay within 0 to 9.
	expect_exit 0 $::faildebug -h [hp $h] net- auth+
	assert_equal "1 OK main 0 net 0 proto 2 state 0 auth 9" \
	    [faild_tcp $h "1 debug"]
	# The level shows in the log at once: proto 1 logs requests.
	expect_exit 0 $::faildebug -h [hp $h] proto=1
	faild_udp $h "probe.42 ping"
	wait_for_log $h "*probe.42 ping*"
	# Usage errors change nothing.
	foreach arg {nosuch=1 proto=10 proto=x proto =1 proto*} {
		expect_exit 2 $::faildebug -h [hp $h] $arg
	}
	assert_equal "1 OK main 0 net 0 proto 1 state 0 auth 9" \
	    [faild_tcp $h "1 debug"]
	expect_exit 3 $::faildebug -h 127.0.0.1:[free_port] -t 300
}

test "faildebug applies its arguments in order (proto+ proto+ is +2)" {
	set h [start_faild]
	set r [expect_exit 0 $::faildebug -h [hp $h] proto+ proto+]
	assert_match "*proto 2*" [dict get $r stdout] "faildebug proto+ proto+"
	set r [expect_exit 0 $::faildebug -h [hp $h] state=5 state-]
	assert_match "*state 4*" [dict get $r stdout] "faildebug state=5 state-"
}

test "faildebug with keys and communities" {
	set kf [write_file $::tmpdir/dkeys "k1 [random_hex 64]\n" 0600]
	set h [start_faild -k $kf]
	expect_exit 0 $::faildebug -h [hp $h]
	set r [expect_exit 1 $::faildebug -h [hp $h] main=2]
	assert_match "*401*" [dict get $r stderr]
	expect_exit 0 $::faildebug -h [hp $h] -k $kf main=2
	assert_match "* main 2 *" [faild_tcp $h "1 debug"]
	set comm [write_file $::tmpdir/dcomm "* ro RO\n* rw RW\n"]
	set h [start_faild -c $comm]
	expect_exit 1 $::faildebug -h [hp $h]
	expect_exit 0 $::faildebug -h [hp $h] -c ro
	expect_exit 1 $::faildebug -h [hp $h] -c ro main=1
	expect_exit 0 $::faildebug -h [hp $h] -c rw main=1
	assert_match "* main 1 *" [faild_tcp $h "1 debug c=ro"]
}

harness_done
