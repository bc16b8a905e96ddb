# test_etcd.tcl: lib/etcd.c (through tests/helpers/etcdtool) against real
# etcd 3.4: keys, the owner-key transactions, leases, watches with
# progress notifications, endpoint rotation, the leader-required header on
# a member cut off from its quorum, user/password authentication, TLS,
# deadlines against a stopped etcd, and the Pth scheduler kept running.

source [file join [file dirname [info script]] harness.tcl]
source [file join [file dirname [info script]] etcd.tcl]

set etcdtool [file normalize [file join $harness::builddir \
    tests/helpers/etcdtool]]

if {[etcd_missing] ne ""} {
	test "etcd client" {skip "missing: [etcd_missing]"}
	harness_done
}

# etcdtool ARGS: its result dict (code stdout stderr).
proc tool {args} {
	return [run_prog -timeout 30000 $::etcdtool {*}$args]
}

# etcdtool ARGS that must succeed: its output, trimmed.
proc tool_ok {args} {
	set r [tool {*}$args]
	if {[dict get $r code] ne "0"} {
		fail "etcdtool $args: exit [dict get $r code]:\
		    [string trim [dict get $r stderr]]"
	}
	return [string trim [dict get $r stdout]]
}

# etcdtool ARGS, timed: {code stdout stderr ms}.
proc tool_timed {args} {
	set t0 [clock milliseconds]
	set r [tool {*}$args]
	dict set r ms [expr {[clock milliseconds] - $t0}]
	return $r
}

# The keys (with value) etcdtool get/range printed, one "key value" each.
proc kv_pairs {out} {
	set pairs {}
	foreach line [split $out \n] {
		if {![string match "rev *" $line]} {
			lappend pairs [lrange $line 0 1]
		}
	}
	return $pairs
}

proc get_value {url key} {
	return [kv_pairs [tool_ok -e $url get $key]]
}

# One member for most tests, with progress notifications every 300 ms.
set e1 [start_etcd -name single \
    -args {--experimental-watch-progress-notify-interval 300ms}]
set u1 [etcd_url $e1]

test "put, get, and a range by prefix" {
	assert_match {[0-9]*} [tool_ok -e $u1 put t1/a 1]
	tool_ok -e $u1 put t1/b 2
	tool_ok -e $u1 put t1/c/d 3
	tool_ok -e $u1 put t10 other
	tool_ok -e $u1 put t1 self
	assert_equal {{t1/a 1}} [get_value $u1 t1/a]
	assert_equal {} [get_value $u1 t1/none]
	assert_equal {{t1/a 1} {t1/b 2} {t1/c/d 3}} \
	    [kv_pairs [tool_ok -e $u1 range t1/]]
	set out [tool_ok -e $u1 range t1/]
	regexp {rev (\d+)} $out -> rev
	set last [tool_ok -e $u1 put t1/e 5]
	assert_equal [expr {$rev + 1}] $last "revision of the next put"
	assert_equal 4 [tool_ok -e $u1 delprefix t1/]
	assert_equal {} [kv_pairs [tool_ok -e $u1 range t1/]]
	assert_equal {{t1 self}} [get_value $u1 t1]
	# the empty prefix: every key
	set all [kv_pairs [tool_ok -e $u1 range ""]]
	assert_true {{t1 self} in $all && {t10 other} in $all} "all keys: $all"
}

test "create makes the key once, then reports it with its create revision" {
	lassign [tool_ok -e $u1 grant 30] lease
	set a [tool_ok -e $u1 create t2/owner host1 $lease]
	assert_regexp "^created \\d+ $lease\$" $a
	set rev [lindex $a 1]
	set b [tool_ok -e $u1 create t2/owner host2 0]
	assert_equal "exists $rev $lease" $b
	assert_equal {{t2/owner host1}} [get_value $u1 t2/owner]
	set line [lindex [split [tool_ok -e $u1 get t2/owner] \n] 0]
	assert_equal [list t2/owner host1 $rev $rev $lease] $line
}

test "delete-if deletes only with the key's create revision" {
	set rev [lindex [tool_ok -e $u1 create t3/owner h1 0] 1]
	assert_equal kept [tool_ok -e $u1 delete-if t3/owner [expr {$rev - 1}]]
	assert_equal kept [tool_ok -e $u1 delete-if t3/owner 0]
	assert_equal {{t3/owner h1}} [get_value $u1 t3/owner]
	assert_equal deleted [tool_ok -e $u1 delete-if t3/owner $rev]
	assert_equal {} [get_value $u1 t3/owner]
	assert_equal kept [tool_ok -e $u1 delete-if t3/owner $rev]
	# A new owner key has a new epoch: the old one's release misses it.
	set rev2 [lindex [tool_ok -e $u1 create t3/owner h2 0] 1]
	assert_true {$rev2 > $rev}
	assert_equal kept [tool_ok -e $u1 delete-if t3/owner $rev]
	assert_equal {{t3/owner h2}} [get_value $u1 t3/owner]
}

test "a lease's key vanishes after its TTL without keep-alives" {
	lassign [tool_ok -e $u1 grant 2] lease ttl
	assert_equal 2 $ttl
	tool_ok -e $u1 put t4/k v $lease
	set t0 [clock milliseconds]
	assert_equal {{t4/k v}} [get_value $u1 t4/k]
	wait_for {[get_value $u1 t4/k] eq ""} 6000 "the key to expire"
	set ms [expr {[clock milliseconds] - $t0}]
	assert_true {$ms >= 1000} "expired after $ms ms, before its TTL"
	assert_equal 0 [tool_ok -e $u1 keepalive $lease] "keep-alive of a gone lease"
	assert_equal -1 [lindex [tool_ok -e $u1 ttl $lease] 0]
}

test "keep-alives keep a lease's key past its TTL" {
	lassign [tool_ok -e $u1 grant 2] lease
	tool_ok -e $u1 put t5/k v $lease
	set out [tool_ok -e $u1 -n 9 -i 500 keepalive $lease]
	assert_equal 9 [llength [split $out \n]]
	foreach left [split $out \n] {
		assert_true {$left >= 1 && $left <= 2} "ttl left $left"
	}
	assert_equal {{t5/k v}} [get_value $u1 t5/k] "after 4 s of keep-alives"
	lassign [tool_ok -e $u1 ttl $lease] left granted
	assert_equal 2 $granted
}

test "revoke removes a lease's keys; a second revoke: lease not found" {
	lassign [tool_ok -e $u1 grant 60] lease
	tool_ok -e $u1 put t6/a 1 $lease
	tool_ok -e $u1 put t6/b 2 $lease
	tool_ok -e $u1 put t6/c 3
	assert_equal revoked [tool_ok -e $u1 revoke $lease]
	assert_equal {{t6/c 3}} [kv_pairs [tool_ok -e $u1 range t6/]]
	set r [tool -e $u1 revoke $lease]
	assert_equal 1 [dict get $r code]
	assert_match "*$u1/v3/lease/revoke: *lease not found*" \
	    [dict get $r stderr]
	set r [tool -e $u1 put t6/d 4 $lease]
	assert_equal 1 [dict get $r code] "put on a revoked lease"
}

test "a watch from a start revision sees PUT and DELETE in order" {
	set r1 [tool_ok -e $u1 put t7/a 1]
	tool_ok -e $u1 put t7/b 2
	tool_ok -e $u1 put t8/x outside
	set r3 [tool_ok -e $u1 del t7/a]
	tool_ok -e $u1 put t7/a 3
	set out [tool_ok -e $u1 watch t7/ $r1 4]
	set lines [lrange [split $out \n] 1 end]
	assert_equal watching [lindex [split $out \n] 0]
	assert_equal 4 [llength $lines]
	assert_match "PUT t7/a 1 $r1 $r1" [lindex $lines 0]
	assert_match "PUT t7/b 2 * *" [lindex $lines 1]
	assert_match "DELETE t7/a *" [lindex $lines 2]
	assert_match "PUT t7/a 3 * *" [lindex $lines 3]
	# And live: events that happen after it opened.
	set ch [spawn_prog $::etcdtool -e $u1 watch t7/ 0 2]
	assert_equal watching [read_line $ch 5000]
	tool_ok -e $u1 put t7/live 1
	tool_ok -e $u1 del t7/live
	assert_match "PUT t7/live 1 *" [read_line $ch 5000]
	assert_match "DELETE t7/live *" [read_line $ch 5000]
	assert_equal 0 [wait_prog $ch]
}

test "a watch with progress notifications gets them while nothing changes" {
	set rev [tool_ok -e $u1 put t9/a 1]
	set ch [spawn_prog $::etcdtool -e $u1 watch t9/ 0 0 progress]
	assert_equal watching [read_line $ch 5000]
	# 300 ms apart on this etcd: two within 3 s, at the current revision
	lassign [read_line $ch 3000] type r
	assert_equal PROGRESS $type
	assert_true {$r >= $rev}
	assert_match "PROGRESS *" [read_line $ch 3000]
	tool_ok -e $u1 put t9/b 2
	set line [read_line $ch 3000]
	while {[string match "PROGRESS *" $line]} {
		set line [read_line $ch 3000]
	}
	assert_match "PUT t9/b 2 *" $line
	# Without asking: no progress lines.
	set ch2 [spawn_prog $::etcdtool -e $u1 watch t9/ 0 1]
	assert_equal watching [read_line $ch2 5000]
	harness::nap 1000
	tool_ok -e $u1 put t9/c 3
	assert_match "PUT t9/c 3 *" [read_line $ch2 3000]
}

test "40 values of 100 kB come back whole (an answer in many reads)" {
	set v [string repeat 0123456789 10000]
	for {set i 10} {$i < 50} {incr i} {
		tool_ok -e $u1 put t16/big$i $v$i
	}
	set lines [lrange [split [tool_ok -e $u1 range t16/] \n] 0 end-1]
	assert_equal 40 [llength $lines]
	set i 10
	foreach line $lines {
		assert_equal [list t16/big$i $v$i] [lrange $line 0 1]
		incr i
	}
	tool_ok -e $u1 delprefix t16/
}

test "two Pth threads share a client: calls while a watch waits" {
	set r [tool_timed -e $u1 -w 3:t17/ -n 3 -i 100 put t17/k v]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	set out [dict get $r stdout]
	assert_equal 3 [llength [regexp -all -inline -line {^\d+$} $out]] \
	    "revisions of the puts in: $out"
	assert_equal 3 [llength [regexp -all -inline {event PUT t17/k} $out]] \
	    "events in: $out"
	assert_true {[dict get $r ms] < 3000} "took [dict get $r ms] ms"
}

test "a timeout on a stopped etcd comes in time, and other Pth threads run" {
	pause_daemon $e1
	try {
		set r [tool_timed -e $u1 -t 0 -T 1500 -r 100 get t10/k]
		assert_equal 3 [dict get $r code]
		assert_regexp "$u1/v3/kv/range: timeout after 1\\d\\d\\d ms" \
		    [dict get $r stderr]
		set ms [dict get $r ms]
		assert_true {$ms >= 1400 && $ms < 3500} "took $ms ms"
		# ticks printed by a second Pth thread while the call waited
		set ticks [llength [regexp -all -inline tick [dict get $r stdout]]]
		assert_true {$ticks >= 8} "only $ticks ticks of 100 ms in 1.5 s"
		# the same for a watch waiting to be created
		set r [tool_timed -e $u1 -T 1000 -r 100 watch t10/]
		assert_equal 3 [dict get $r code]
		assert_match "*timeout*" [dict get $r stderr]
		assert_true {[llength [regexp -all -inline tick \
		    [dict get $r stdout]]] >= 5}
	} finally {
		resume_daemon $e1
	}
	assert_equal {} [get_value $u1 t10/k] "etcd answers again"
}

test "endpoints: a dead first one, then the one that works, remembered" {
	# nothing listens on the first
	set dead http://127.0.0.1:[free_port]
	tool_ok -e $u1 put t11/k v
	assert_equal {{t11/k v}} [kv_pairs [tool_ok -e $dead,$u1 get t11/k]]
	# the first accepts and never answers: 300 ms on it, then the next;
	# the next calls go straight to the one that answered
	lassign [fake_server hang] - hport
	set r [tool_timed -e http://127.0.0.1:$hport,$u1 -t 300 -n 4 get t11/k]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	assert_equal 4 [llength [regexp -all -inline {t11/k v} \
	    [dict get $r stdout]]]
	assert_true {[dict get $r ms] < 1200} "took [dict get $r ms] ms"
	# every endpoint dead: round after round until the deadline, then
	# unreachable, naming the last tried. A round is 300 ms on the hung
	# one and a 100 ms pause; the call ends at the first round's end
	# within two pauses of the deadline: 5 rounds and 4 pauses, 1900 ms
	# (1917 measured with etcdtool's start-up), a round fewer 1500 ms
	set r [tool_timed -e $dead,http://127.0.0.1:$hport -t 300 -T 2000 \
	    get k]
	assert_equal 3 [dict get $r code]
	assert_regexp "127.0.0.1:($hport/v3/kv/range: timeout after \\d+ ms|[\
	    lindex [split $dead :] end]/v3/kv/range: .*onnect)" \
	    [dict get $r stderr]
	assert_true {[dict get $r ms] >= 1700 && [dict get $r ms] < 3500} \
	    "took [dict get $r ms] ms"
	# not an etcd URL
	set r [tool -e ftp://x get k]
	assert_equal 2 [dict get $r code]
}

test "a 3-member cluster with a member stopped, then one killed" {
	set hs [start_etcd_cluster 3 -name c]
	lassign $hs h1 h2 h3
	set urls [etcd_urls $hs]
	tool_ok -e $urls put t12/k 1
	# a stopped member first in the list: its call times out after 500
	# ms, the next one answers. A follower: were it the leader, the next
	# could answer only once the others have elected a new one (0.5 to
	# 1 s or more here), the time asserted would be the election's
	set leader [etcd_leader $hs]
	assert_true {$leader ne ""} "no leader"
	set f [lindex [lsearch -all -inline -exact -not $hs $leader] 0]
	pause_daemon $f
	try {
		set r [tool_timed -e [etcd_urls [concat [list $f] \
		    [lsearch -all -inline -exact -not $hs $f]]] -t 500 -n 3 \
		    put t12/k 2]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
		assert_true {[dict get $r ms] < 2000} "took [dict get $r ms] ms"
	} finally {
		resume_daemon $f
	}
	# if h2 was the leader, calls ride through the election ("leader
	# changed", timeouts) round after round until their deadline
	kill_daemon $h2
	assert_equal {{t12/k 2}} [kv_pairs [tool_ok -e $urls -t 500 get t12/k]]
	set rev [tool_ok -e [etcd_urls [list $h2 $h3 $h1]] -t 500 put t12/k 3]
	assert_match "watching\nPUT t12/k 3 *" \
	    [tool_ok -e [etcd_urls [list $h2 $h1]] -t 500 watch t12/ $rev 1]
}

test "leader required: a member cut off from its quorum says no leader at once" {
	set hs [start_etcd_cluster 3 -name q]
	lassign $hs a b c
	set ua [etcd_url $a]
	tool_ok -e $ua put t13/k 1
	set w [spawn_prog $::etcdtool -L -e $ua watch t13/]
	assert_equal watching [read_line $w 5000]
	set wplain [spawn_prog $::etcdtool -e $ua watch t13/]
	assert_equal watching [read_line $wplain 5000]
	pause_daemon $b
	pause_daemon $c
	try {
		# a loses its leader within an election timeout or two
		wait_for {[string match "*no leader*" [dict get [tool -L -e $ua \
		    -T 3000 get t13/k] stderr]]} 10000 "a to say no leader"
		set r [tool_timed -L -e $ua -T 5000 get t13/k]
		assert_equal 1 [dict get $r code]
		assert_match "*$ua/v3/kv/range: etcdserver: no leader*" \
		    [dict get $r stderr]
		assert_true {[dict get $r ms] < 1000} "took [dict get $r ms] ms"
		set r [tool_timed -L -e $ua -T 5000 put t13/k 2]
		assert_match "*no leader*" [dict get $r stderr]
		assert_true {[dict get $r ms] < 1000} "took [dict get $r ms] ms"
		# without the header: a read hangs to its deadline
		set r [tool_timed -e $ua -T 1500 get t13/k]
		assert_equal 3 [dict get $r code]
		assert_match "*timeout*" [dict get $r stderr]
		# the watch that required a leader ends; the other stays
		assert_equal 3 [wait_prog $w 5000]
		assert_match "*no leader*" [prog_stderr $w]
		harness::nap 500
		assert_true {![eof $wplain]} "the plain watch ended"
	} finally {
		resume_daemon $b
		resume_daemon $c
	}
	wait_for {[dict get [tool -L -e $ua -T 1000 get t13/k] code] eq "0"} \
	    10000 "a leader again"
}

test "user and password: a token, refused without, renewed when expired" {
	set h [start_etcd -name auth -args {--auth-token-ttl 1}]
	set u [etcd_url $h]
	etcdctl $h user add root:rootpw
	etcdctl $h user add app:apppw
	etcdctl $h role add rw
	etcdctl $h role grant-permission rw --prefix=true readwrite t14/
	etcdctl $h user grant-role app rw
	etcdctl $h auth enable
	set r [tool -e $u get t14/k]
	assert_equal 1 [dict get $r code]
	assert_match "*user name is empty*" [dict get $r stderr]
	set r [tool -e $u -u app:wrong get t14/k]
	assert_equal 1 [dict get $r code]
	assert_match "*$u/v3/auth/authenticate: *authentication failed*" \
	    [dict get $r stderr]
	tool_ok -e $u -u app:apppw put t14/k v
	assert_equal {{t14/k v}} [kv_pairs [tool_ok -e $u -u app:apppw get t14/k]]
	set r [tool -e $u -u app:apppw put other v]
	assert_equal 1 [dict get $r code]
	assert_match "*permission denied*" [dict get $r stderr]
	# the token lives 1 s: the second call, 2.5 s later, needs a new one
	set out [tool_ok -e $u -u app:apppw -n 2 -i 2500 get t14/k]
	assert_equal {{t14/k v} {t14/k v}} [kv_pairs $out]
	assert_true {[lines_matching $h "*invalid auth token*"] > 0} \
	    "etcd never refused the expired token"
	# a watch takes a token too
	set ch [spawn_prog $::etcdtool -e $u -u app:apppw watch t14/]
	assert_equal watching [read_line $ch 5000]
	tool_ok -e $u -u root:rootpw put t14/k w
	assert_match "PUT t14/k w *" [read_line $ch 5000]
}

test "TLS with client certificates" {
	set certs [etcd_make_certs $::tmpdir/certs]
	set h [start_etcd -name tls -tls $certs]
	set u [etcd_url $h]
	assert_match https://* $u
	set tls [list -C [dict get $certs ca] -c [dict get $certs client] \
	    -k [dict get $certs client_key]]
	tool_ok -e $u {*}$tls put t15/k v
	assert_equal {{t15/k v}} [kv_pairs [tool_ok -e $u {*}$tls get t15/k]]
	set ch [spawn_prog $::etcdtool -e $u {*}$tls watch t15/ 0 1]
	assert_equal watching [read_line $ch 5000]
	tool_ok -e $u {*}$tls put t15/k w
	assert_match "PUT t15/k w *" [read_line $ch 5000]
	# without a client certificate, or without the CA: refused in TLS
	set r [tool -e $u -C [dict get $certs ca] -T 1500 get t15/k]
	assert_equal 3 [dict get $r code]
	assert_match "*$u/v3/kv/range: *" [dict get $r stderr]
	set r [tool -e $u -c [dict get $certs client] \
	    -k [dict get $certs client_key] -T 1500 get t15/k]
	assert_equal 3 [dict get $r code]
	assert_match "*certificate*" [dict get $r stderr]
}

harness_done
