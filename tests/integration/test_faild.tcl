# test_faild.tcl: faild against failproto(5), with real daemons on
# 127.0.0.x: the verbs over UDP and TCP, persistence across restarts and
# kill -9, communities, HMAC, watch, malformed input, limits, reload.

source [file join [file dirname [info script]] harness.tcl]

set me 127.0.0.1	;# the source address of our requests to 127.0.0.x

# A service record of an answer "id OK name state ms setter" as a list.
proc record {answer} {
	if {![regexp {^\S+ OK (\S+) (\S+) (\d+) (\S+)$} $answer -> n s ms by]} {
		fail "not a service record: \"$answer\""
	}
	return [list $n $s $ms $by]
}

# The services of a "list" answer as a dict name -> {state ms setter}.
proc list_services {answer} {
	set f [regexp -all -inline {\S+} $answer]
	if {[lindex $f 1] ne "OK"} {
		fail "list refused: $answer"
	}
	set n [lindex $f 2]
	set recs [lrange $f 3 end]
	if {[llength $recs] != 4 * $n} {
		fail "list says $n services but carries [llength $recs] fields"
	}
	set out {}
	foreach {name st ms by} $recs {
		dict set out $name [list $st $ms $by]
	}
	return $out
}

proc errcode {answer} {
	if {![regexp {^\S+ ERR (\d{3}) } $answer -> code]} {
		return "(not an ERR: $answer)"
	}
	return $code
}

proc stats_c {h community} {
	set a [faild_udp $h "s stats c=$community"]
	return [lrange [regexp -all -inline {\S+} $a] 2 end]
}

proc faild_rate_probe {ch} {
	conn_send $ch "p ping"
	return [conn_read $ch]
}

set d [start_faild]

# ----------------------------------------------------------------------
# Verbs

test "set and get over TCP" {
	set t0 [clock milliseconds]
	set a [faild_tcp $d "1 set tcp1 UP"]
	set t1 [clock milliseconds]
	assert_regexp "^1 OK tcp1 UP \\d+ $me\$" $a
	set ms [field $a 4]
	assert_true {$ms >= $t0 - 2 && $ms <= $t1 + 2} \
	    "changed_ms $ms outside the request's time \[$t0, $t1\]"
	assert_equal "2 OK tcp1 UP $ms $me" [faild_tcp $d "2 get tcp1"]
	# Setting the state it already has keeps changed_ms and the setter.
	wait_for {[clock milliseconds] > $ms + 2}
	assert_equal "3 OK tcp1 UP $ms $me" [faild_tcp $d "3 set tcp1 up by=x"]
	# A change records its time and who made it (by@address).
	set a [faild_tcp $d "4 SET tcp1 recover by=ops.1"]
	assert_regexp "^4 OK tcp1 RECOVER (\\d+) ops.1@$me\$" $a
	assert_true {[field $a 4] > $ms} "changed_ms did not move on a change"
	# Several requests in one write, CR LF line ends, tabs as separators:
	# answered in order.
	set r [faild_tcp_lines $d "a\tget tcp1\r\nb GET  tcp1\nc ping\n" 3]
	assert_match "a OK tcp1 RECOVER *" [lindex $r 0]
	assert_match "b OK tcp1 RECOVER *" [lindex $r 1]
	assert_match "c OK pong *" [lindex $r 2]
	assert_equal "5 ERR 404" [join [lrange [faild_tcp $d "5 get nosuch"] 0 2]]
	# Transitions are logged in the one grammar, with ISO timestamps.
	set l [wait_for_log $d "*service tcp1: NONE -> UP (set by $me)"]
	assert_regexp {^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z faild\[\d+\]: } $l
	wait_for_log $d "*service tcp1: UP -> RECOVER (set by ops.1@$me)"
}

test "set and get over UDP" {
	set a [faild_udp $d "u1 set udp1 FAIL by=init"]
	assert_regexp "^u1 OK udp1 FAIL (\\d+) init@$me\$" $a
	set ms [field $a 4]
	assert_equal "u2 OK udp1 FAIL $ms init@$me" [faild_udp $d "u2 get udp1\n"]
	assert_equal "u3 OK udp1 FAIL $ms init@$me" [faild_udp $d "u3 get udp1"]
	# What UDP set, TCP reads, and the reverse.
	assert_equal "t OK udp1 FAIL $ms init@$me" [faild_tcp $d "t get udp1"]
	faild_tcp $d "t set udp1 UP"
	assert_match "u4 OK udp1 UP *" [faild_udp $d "u4 get udp1"]
	assert_equal 404 [errcode [faild_udp $d "u5 get nosuch"]]
	# The state file holds the change once it is acknowledged.
	assert_equal UP [lindex [dict get [read_statefile [dict get $d state]] \
	    udp1] 0] "state of udp1 in the state file"
}

test "list is sorted by name, over TCP and UDP" {
	foreach {name st} {l.c UP l-a FAIL l_b RECOVER L0 UP} {
		assert_match "* OK *" [faild_tcp $d "x set $name $st"]
	}
	set tcp [faild_tcp $d "1 list"]
	set udp [faild_udp $d "1 list"]
	assert_equal $tcp $udp "list over UDP and TCP"
	set names [dict keys [list_services $tcp]]
	assert_equal [lsort $names] $names "order of list"
	foreach name {l.c l-a l_b L0 udp1} {
		assert_true {$name in $names} "$name missing from $tcp"
	}
	assert_equal RECOVER [lindex [dict get [list_services $tcp] l_b] 0]
	# list and get agree
	foreach name $names {
		set r [record [faild_tcp $d "g get $name"]]
		assert_equal [dict get [list_services $tcp] $name] \
		    [lrange $r 1 end] "get $name vs list"
	}
}

test "delete" {
	faild_tcp $d "1 set del1 UP"
	assert_equal "2 OK del1" [faild_tcp $d "2 delete del1"]
	assert_equal 404 [errcode [faild_tcp $d "3 get del1"]]
	assert_equal 404 [errcode [faild_udp $d "4 delete del1"]]
	assert_true {"del1" ni [dict keys [list_services [faild_tcp $d "5 list"]]]}
	assert_true {![dict exists [read_statefile [dict get $d state]] del1]} \
	    "del1 still in the state file"
	# Re-created, it starts afresh.
	assert_match "6 OK del1 RECOVER * $me" [faild_udp $d "6 set del1 RECOVER"]
}

test "version and ping" {
	assert_regexp {^v OK failover \S+ proto 2$} [faild_tcp $d "v version"]
	assert_regexp {^v OK failover \S+ proto 2$} [faild_udp $d "v VERSION"]
	set t0 [clock milliseconds]
	set a [faild_udp $d "p ping"]
	set t1 [clock milliseconds]
	assert_regexp {^p OK pong \d+$} $a
	assert_true {[field $a 3] >= $t0 - 2 && [field $a 3] <= $t1 + 2} \
	    "server clock [field $a 3] outside \[$t0, $t1\]"
	assert_match "p OK pong *" [faild_tcp $d "p ping"]
}

test "stats counters move" {
	wait_for {[dict get [stats $d] connections] == 0} 3000 \
	    "no open connections"
	set s1 [stats $d]
	set r [faild_tcp_lines $d "a get tcp1\nb ping\nc bogus\n" 3]
	assert_equal 405 [errcode [lindex $r 2]]
	assert_equal 404 [errcode [faild_udp $d "d get nosuch"]]
	assert_match "e OK *" [faild_udp $d "e set stats.[clock microseconds] UP"]
	set s2 [stats $d]
	set delta {}
	foreach k {requests requests_udp requests_tcp errors refused
	    connections_total changes services writes_failed} {
		dict set delta $k [expr {[dict get $s2 $k] - [dict get $s1 $k]}]
	}
	assert_equal {requests 6 requests_udp 3 requests_tcp 3 errors 2\
	    refused 0 connections_total 1 changes 1 services 1\
	    writes_failed 0} $delta "stats deltas"
	assert_true {[dict get $s2 uptime_ms] >= [dict get $s1 uptime_ms]}
	assert_equal [dict get $s2 services] \
	    [dict size [list_services [faild_tcp $d "l list"]]] "services"
	set ch [faild_connect $d]
	conn_send $ch "1 ping"
	conn_read $ch
	assert_equal 1 [dict get [stats $d] connections] "open connections"
	conn_close $ch
	wait_for {[dict get [stats $d] connections] == 0} 3000 \
	    "connections back to 0 after close"
}

test "debug levels, over the protocol and with -d" {
	assert_equal "1 OK main 0 net 0 proto 0 state 0 auth 0" \
	    [faild_tcp $d "1 debug"]
	assert_equal "2 OK main 0 net 0 proto 1 state 0 auth 0" \
	    [faild_tcp $d "2 debug proto 1"]
	faild_udp $d "dbg-probe ping"
	wait_for_log $d "*udp $me: dbg-probe ping*"
	assert_equal "3 OK main 0 net 0 proto 0 state 0 auth 2" \
	    [faild_udp $d "3 debug proto 0 auth 2"]
	assert_equal 400 [errcode [faild_tcp $d "4 debug nosuch 1"]]
	assert_equal 400 [errcode [faild_tcp $d "5 debug proto 10"]]
	assert_equal "6 OK main 0 net 0 proto 0 state 0 auth 0" \
	    [faild_tcp $d "6 debug auth 0"]
	set h [start_faild -d proto -d net]
	assert_match "1 OK main 0 net 1 proto 1 *" [faild_tcp $h "1 debug"]
}

test "paused daemon answers queued requests after SIGCONT" {
	set s [udp_open]
	fconfigure $s -translation binary -buffering none -blocking 0 \
	    -remote [list [dict get $d addr] [dict get $d port]]
	pause_daemon $d
	try {
		puts -nonewline $s "q get tcp1"
		flush $s
		# No answer while stopped (this wait checks an absence).
		assert_equal t [harness::wait_readable $s 200] \
		    "answer from a stopped daemon"
		assert_true {[daemon_alive $d]}
	} finally {
		resume_daemon $d
	}
	assert_equal r [harness::wait_readable $s 3000] "answer after SIGCONT"
	assert_match "q OK tcp1 *" [string trim [read $s]]
	close $s
}

# ----------------------------------------------------------------------
# Persistence

test "restart (TERM) keeps every state and its changed_ms" {
	set pidfile $::tmpdir/restart.pid
	set h [start_faild -r $pidfile]
	assert_equal [dict get $h pid] [string trim [read_file $pidfile]] \
	    "pid file"
	foreach {name st} {a UP b RECOVER c FAIL d UP} {
		faild_tcp $h "x set r.$name $st by=t"
	}
	faild_tcp $h "x set r.d FAIL"
	faild_tcp $h "x delete r.a"
	set before [faild_tcp $h "1 list"]
	assert_equal 3 [dict size [list_services $before]]
	kill_daemon $h TERM
	wait_for_log $h "*exiting on signal 15*"
	assert_true {![file exists $pidfile]} "pid file left after TERM"
	set h [restart $h]
	wait_for_log $h "*ready:*3 services from [dict get $h state]*"
	assert_equal $before [faild_tcp $h "1 list"] "list after restart"
	# A second restart with no change in between changes nothing.
	set h [restart $h]
	assert_equal $before [faild_tcp $h "1 list"] "list after 2nd restart"
	# The next change after a restart carries on from the saved record.
	assert_match "2 OK r.b UP * $me" [faild_tcp $h "2 set r.b UP"]
	assert_equal "UP" [lindex [dict get [read_statefile \
	    [dict get $h state]] r.b] 0]
}

# Event-driven writers for the kill -9 test: writer W sets service W to
# the state of write number i, with by=W-i, one request at a time, and
# records the last acknowledged and the last attempted write.
proc kl_state {i} {
	return [lindex {UP RECOVER FAIL} [expr {$i % 3}]]
}

proc kl_send {w} {
	global kl
	set i [incr kl(next,$w)]
	set kl(sent,$w) $i
	if {[catch {
		puts -nonewline $kl(ch,$w) "$i set $w [kl_state $i] by=$w-$i\n"
		flush $kl(ch,$w)
	}]} {
		kl_end $w
	}
}

proc kl_end {w} {
	global kl
	catch {close $kl(ch,$w)}
	set kl(done,$w) 1
}

proc kl_answer {w} {
	global kl me
	if {[catch {gets $kl(ch,$w) line} n]} {
		kl_end $w
		return
	}
	if {$n < 0} {
		if {[eof $kl(ch,$w)]} {
			kl_end $w
		}
		return
	}
	set i $kl(sent,$w)
	set want "$i OK $w [kl_state $i] * $w-$i@$me"
	if {![string match $want $line]} {
		lappend kl(errors) "write $i of $w: expected \"$want\",\
		    got \"$line\""
		kl_end $w
		return
	}
	set kl(ack,$w) $i
	incr kl(acks)
	kl_send $w
}

test "kill -9 during writes never loses an acknowledged write" {
	global kl
	array unset kl
	set h [start_faild]
	set writers {kw.a kw.b kw.c}
	set kl(errors) {}
	set kl(acks) 0
	foreach w $writers {
		# Write 0, so that every service is in the file from the start.
		assert_match "0 OK $w UP *" [faild_tcp $h "0 set $w UP by=$w-0"]
		set kl(next,$w) 0
		set kl(ack,$w) 0
		set kl(sent,$w) 0
	}
	for {set round 1} {$round <= 20} {incr round} {
		foreach w $writers {
			set kl(done,$w) 0
			set kl(ch,$w) [faild_connect $h]
			fileevent $kl(ch,$w) readable [list kl_answer $w]
			kl_send $w
		}
		set acks0 $kl(acks)
		# Let some writes through, then kill at a random moment.
		wait_for {$kl(acks) >= $acks0 + 3} 5000 "writes acknowledged"
		harness::nap [expr {int(rand() * 40)}]
		kill_daemon $h KILL
		set dones {}
		foreach w $writers {
			lappend dones "\$kl(done,$w)"
		}
		wait_for [join $dones " && "] 5000 "writers see the connection end"
		assert_equal {} $kl(errors) "answers"
		set file [read_statefile [dict get $h state]]
		assert_match "*\n# end *\n" [read_file [dict get $h state]] \
		    "state file complete"
		set h [restart $h]
		set listed [list_services [faild_tcp $h "l list"]]
		foreach w $writers {
			set ack $kl(ack,$w)
			set sent $kl(sent,$w)
			lassign [dict get $file $w] st ms setter
			if {![regexp "^$w-(\\d+)@" $setter -> n]} {
				fail "round $round: setter of $w is \"$setter\""
			}
			if {$n < $ack || $n > $sent} {
				fail "round $round: $w on disk is write $n, but\
				    write $ack was acknowledged (last sent $sent)"
			}
			assert_equal [kl_state $n] $st "round $round: state of\
			    $w (write $n)"
			assert_equal [list $st $ms $setter] [dict get $listed $w] \
			    "round $round: $w after restart vs state file"
			# Carry on from what survived.
			set kl(next,$w) $n
		}
	}
	assert_true {$kl(acks) >= 30} "only $kl(acks) writes acknowledged"
	puts "  ($kl(acks) acknowledged writes over 20 kills)"
}

test "a bad state file stops faild with file and line" {
	set dir $::tmpdir/badstate
	file mkdir $dir
	set port [free_port]
	foreach {content want} {
		"# faild state v1\nwww UP 1 -\nthis is not a record\n# end 2\n" :3:
		"# faild state v1\nwww SIDEWAYS 1 -\n# end 1\n" :2:
		"# faild state v1\nw/w UP 1 -\n# end 1\n" :2:
		"# faild state v1\nwww UP -5 -\n# end 1\n" :2:
		"# faild state v1\nwww UP 1 - extra\n# end 1\n" :2:
		"not a state file\n" ":1: not a faild state file"
		"# faild state v1\nwww UP 1 -\n" "*truncated*"
		"# faild state v1\nwww UP 1 -" ":2:"
		"# faild state v1\nwww UP 99999999999999999999 -\n# end 1\n"
		    ":2: changed_ms 99999999999999999999 out of range*"
		"# faild state v1\nwww UP 1 -\nftp UP 1 -\nwww FAIL 2 -\n# end 3\n"
		    ":4: service www listed twice"
	} {
		set path $dir/state.[incr n]
		write_file $path $content
		set r [run_prog -timeout 5000 $::faild -F -l 127.0.0.1 -p $port \
		    -s $path -r ""]
		assert_true {[dict get $r code] ni {0 timeout}} \
		    "faild started with [list $content]: exit\
		    [dict get $r code]"
		assert_match "*$path$want*" [dict get $r stderr] \
		    "message for [list $content]"
		assert_equal $content [read_file $path] "state file rewritten"
	}
	# A directory is named as such.
	file mkdir $dir/adir
	set r [run_prog -timeout 5000 $::faild -F -l 127.0.0.1 -p $port \
	    -s $dir/adir -r ""]
	assert_true {[dict get $r code] ni {0 timeout}} "exit [dict get $r code]"
	assert_match "*$dir/adir: is a directory*" [dict get $r stderr]
	# A state file that cannot be written is found at start, not later.
	set r [run_prog -timeout 5000 $::faild -F -l 127.0.0.1 -p $port \
	    -s $dir/no/such/dir/state -r ""]
	assert_true {[dict get $r code] ni {0 timeout}} "exit [dict get $r code]"
	assert_match "*state directory $dir/no/such/dir: No such file*" \
	    [dict get $r stderr]
}

test "links planted at the temporary file and the journal are not followed" {
	set dir $::tmpdir/planted
	file mkdir $dir
	write_file $dir/victim "precious\n"
	write_file $dir/state "# faild state v1\nwww UP 1 -\n# end 1\n"
	file link -symbolic $dir/state.tmp $dir/victim
	file link -symbolic $dir/state.journal $dir/victim
	set h [start_faild -statefile $dir/state]
	assert_match "1 OK www FAIL *" [faild_tcp $h "1 set www FAIL"]
	assert_equal "precious\n" [read_file $dir/victim]
	assert_equal file [file type $dir/state]
	assert_equal file [file type $dir/state.journal]
	assert_true {![file exists $dir/state.tmp]} "temporary file left"
	assert_equal FAIL [lindex [dict get [read_statefile $dir/state] www] 0]
}

# big_statefile PATH N: a state file of N services s0 .. s(N-1), all UP.
proc big_statefile {path n} {
	set f [open $path w]
	puts $f "# faild state v1"
	for {set i 0} {$i < $n} {incr i} {
		puts $f "s$i UP 1795417200123 big@127.0.0.1"
	}
	puts $f "# end $n"
	close $f
}

test "100 000 services: starts fast, writes stay cheap, the 100 001st is\
    refused with ERR 507" {
	set dir $::tmpdir/big
	file mkdir $dir
	big_statefile $dir/state 100000
	set t0 [clock milliseconds]
	set h [start_faild -statefile $dir/state]
	set start_ms [expr {[clock milliseconds] - $t0}]
	assert_equal 100000 [dict get [stats $h] services]
	# Writes one at a time, each persisted before its answer.
	set ch [faild_connect $h]
	set times {}
	set want {}
	for {set i 0} {$i < 100} {incr i} {
		set name s[expr {int(rand() * 100000)}]
		set st [lindex {FAIL RECOVER} [expr {$i % 2}]]
		set t [clock microseconds]
		conn_send $ch "$i set $name $st"
		assert_match "$i OK $name *" [conn_read $ch]
		lappend times [expr {[clock microseconds] - $t}]
		dict set want $name $st
	}
	set times [lsort -integer $times]
	set median [lindex $times 50]
	puts "  (start $start_ms ms; write median [expr {$median / 1000.0}]\
	    ms, max [expr {[lindex $times end] / 1000.0}] ms)"
	# The whole table rewritten on each write took 45 ms and more here.
	assert_true {$median < 15000} "median write $median µs"
	# Full: existing services change, new ones are refused.
	assert_match "a ERR 507 cannot create new1: faild holds 100000\
	    services, its limit (faild -S)" [faild_tcp $h "a set new1 UP"]
	assert_match "b OK s1 FAIL *" [faild_tcp $h "b set s1 FAIL"]
	dict set want s1 FAIL
	assert_match "c OK s2" [faild_tcp $h "c delete s2"]
	dict unset want s2
	assert_match "d OK new1 UP *" [faild_tcp $h "d set new1 UP"]
	dict set want new1 UP
	conn_close $ch
	# Every acknowledged write survives kill -9.
	kill_daemon $h KILL
	set h [restart $h]
	assert_equal 100000 [dict get [stats $h] services]
	assert_equal 404 [errcode [faild_tcp $h "e get s2"]]
	dict for {name st} $want {
		assert_match "f OK $name $st *" [faild_tcp $h "f get $name"]
	}
	# -S lower than the table: faild refuses to start, and says why.
	set r [run_prog -timeout 10000 $::faild -t -s $dir/state -S 1000]
	assert_true {[dict get $r code] ni {0 timeout}} "exit [dict get $r code]"
	assert_match "*$dir/state:1002: more than 1000 services, the limit\
	    (faild -S)*" [dict get $r stderr]
}

test "faild -t checks the configuration and exits" {
	set dir $::tmpdir/check
	file mkdir $dir
	write_file $dir/state \
	    "# faild state v1\na UP 1 -\nb FAIL 2 x@1.2.3.4\n# end 2\n"
	write_file $dir/comm "# communities\n* public RO\nwww ops RW\n"
	write_file $dir/keys "k1 [random_hex 64]\n" 0600
	# -t binds nothing: the port of a running daemon is fine.
	set r [run_prog $::faild -t -l [dict get $d addr] -p [dict get $d port] \
	    -s $dir/state -c $dir/comm -k $dir/keys]
	assert_equal 0 [dict get $r code] "exit of faild -t: [dict get $r stderr]"
	assert_match "*configuration OK*2 services*2 community*1 key*" \
	    [dict get $r stdout]
	# A missing state file is fine and is not created.
	set r [run_prog $::faild -t -s $dir/none]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	assert_true {![file exists $dir/none]} "-t created the state file"
	# Each broken file is named with its line.
	foreach {opt file content perm want} {
		-c comm2 "* public RO\nwww ops RX\n" "" "*comm2:2:*"
		-c comm3 "\n\nbad/name ops RO\n" "" "*comm3:3:*"
		-c comm4 "* public\n" "" "*comm4:1:*"
		-k keys2 "k1 abcd\n" 0600 "*keys2:1:*"
		-k keys3 "k1 [random_hex 64]\nk1 [random_hex 64]\n" 0600 "*keys3:2:*"
		-k keys4 "k1 [random_hex 63]x\n" 0600 "*keys4:1:*"
		-k keys5 "k1 [random_hex 64]\n" 0644 "*keys5*chmod 600*"
		-k keys6 "" 0600 "*keys6*no keys*"
		-s state2 "# faild state v1\nx UP 1\n# end 1\n" "" "*state2:2:*"
	} {
		set content [subst $content]
		write_file $dir/$file $content $perm
		set r [run_prog $::faild -t -s $dir/state $opt $dir/$file]
		assert_true {[dict get $r code] ni {0 timeout}} \
		    "faild -t $opt $file exited [dict get $r code]"
		assert_match $want [dict get $r stderr] "faild -t $opt $file"
	}
	set r [run_prog $::faild -t -k $dir/missing]
	assert_true {[dict get $r code] ni {0 timeout}}
	assert_match "*$dir/missing*" [dict get $r stderr]
}

test "bad options are usage errors (exit 2)" {
	set r [run_prog $::faild -V]
	assert_equal 0 [dict get $r code]
	assert_regexp {^faild \(failover\) \S+, protocol 2$} [string trim \
	    [dict get $r stdout]]
	foreach opts {{-x} {-M 0} {-M many} {-M 100000} {-p 70000} {-T -U}
	    {-d nosuch} {-w 0} {extra} {-R -1} {-S 0} {-S many} {-N a/b}} {
		set r [run_prog -timeout 3000 $::faild -F -l 127.0.0.1 \
		    -p [free_port] -s $::tmpdir/unused -r "" {*}$opts]
		assert_equal 2 [dict get $r code] "faild $opts"
		assert_true {[dict get $r stderr] ne ""} "no message for $opts"
	}
}

# set_fsize H BYTES: faild's file size limit (RLIMIT_FSIZE), so that its
# writes past BYTES fail with EFBIG as they would on a full disk.
proc set_fsize {h bytes} {
	exec prlimit --pid [dict get $h pid] --fsize=$bytes:
}

test "a state file that cannot be written: ERR 500, no change made" {
	if {[catch {exec prlimit --version}]} {
		skip "no prlimit(1)"
	}
	set h [start_faild]
	set state [dict get $h state]
	faild_tcp $h "1 set a UP"
	set ch [faild_connect $h]
	conn_send $ch "w watch"
	assert_equal "w OK 1 1" [conn_read $ch]
	conn_read $ch
	# The disk is full: not one more byte fits in the journal.
	set before [read_statefile $state]
	set_fsize $h [file size $state.journal]
	assert_match "2 ERR 500 cannot write state file*" \
	    [faild_tcp $h "2 set a FAIL"]
	assert_match "3 ERR 500 *" [faild_udp $h "3 set b FAIL"]
	assert_match "4 ERR 500 *" [faild_tcp $h "4 delete a"]
	assert_match "5 OK 1 a UP *" [faild_tcp $h "5 list"]
	assert_equal $before [read_statefile $state]
	assert_equal 3 [dict get [stats $h] writes_failed]
	# (The limit stops faild's log too, which is a file here.)
	# Room for half a record: the part written is taken back.
	set_fsize $h [expr {[file size $state.journal] + 10}]
	assert_match "6 ERR 500 *" [faild_tcp $h "6 set a FAIL"]
	assert_equal $before [read_statefile $state]
	set_fsize $h unlimited
	# Watchers saw none of the failed changes: the next is seq 2.
	assert_match "7 OK a RECOVER *" [faild_tcp $h "7 set a RECOVER"]
	assert_match "w CHANGE 2 a UP RECOVER *" [conn_read $ch]
	assert_equal RECOVER [lindex [dict get [read_statefile $state] a] 0]
	set listed [faild_tcp $h "8 list"]
	kill_daemon $h KILL
	set h [restart $h]
	assert_equal $listed [faild_tcp $h "8 list"] "list after kill -9"
}

test "without -F: detaches, writes its pid file, TERM removes it" {
	set dir $::tmpdir/bg
	file mkdir $dir
	lassign [harness::next_address] addr port
	set r [run_prog -timeout 5000 $::faild -l $addr -p $port -s $dir/state \
	    -r $dir/pid]
	assert_equal 0 [dict get $r code] "faild in the background: $r"
	wait_for {[file exists $dir/pid] &&
	    [string trim [read_file $dir/pid]] ne ""} 5000 "the pid file"
	set h [adopt [dict create name bg pid [string trim \
	    [read_file $dir/pid]] addr $addr port $port state $dir/state \
	    log $dir/nolog]]
	assert_true {[daemon_alive $h]} "no process [dict get $h pid]"
	wait_for {[string match "p OK pong *" [faild_udp $h "p ping"]]} 5000
	assert_match "1 OK bg UP *" [faild_tcp $h "1 set bg UP"]
	stop_daemon $h
	assert_true {![file exists $dir/pid]} "pid file left after TERM"
}

test "-u drops root after binding" {
	if {[exec id -u] != 0} {
		skip "not root"
	}
	set dir $::tmpdir/user
	file mkdir $dir
	file attributes $dir -permissions 0777
	set h [start_faild -statefile $dir/state -u nobody]
	assert_equal nobody [string trim [exec ps -o user= -p [dict get $h pid]]]
	assert_match "1 OK u UP *" [faild_tcp $h "1 set u UP"]
	assert_equal nobody [file attributes $dir/state -owner]
	# A user that cannot write the state file is refused at start.
	file attributes $dir -permissions 0755
	file delete $dir/state
	set r [run_prog -timeout 5000 $::faild -F -l 127.0.0.1 -p [free_port] \
	    -s $dir/state -r "" -u nobody]
	assert_true {[dict get $r code] ni {0 timeout}}
	assert_match "*state directory $dir: not writable by nobody*" \
	    [dict get $r stderr]
	set r [run_prog -timeout 5000 $::faild -F -l 127.0.0.1 -p [free_port] \
	    -s $dir/state -r "" -u no.such.user]
	assert_true {[dict get $r code] ni {0 timeout}}
	assert_match "*no.such.user*" [dict get $r stderr]
}

test "listens on IPv6 as well (-l ::1)" {
	if {[catch {close [socket -server {apply {{c a p} {}}} -myaddr ::1 0]}]} {
		skip "no IPv6 loopback"
	}
	set h [start_faild -l ::1]
	set h6 [dict replace $h addr ::1]
	assert_match "1 OK v6 UP * ::1" [faild_tcp $h6 "1 set v6 UP"]
	assert_match "2 OK v6 UP * ::1" [faild_tcp $h "2 get v6"]
	assert_match "3 OK v6 FAIL * me@::1" [faild_tcp $h6 "3 set v6 FAIL by=me"]
	# A restart reads the IPv6 setter back.
	set h [restart $h]
	assert_match "4 OK v6 FAIL * me@::1" [faild_tcp $h "4 get v6"]
}

# ----------------------------------------------------------------------
# Access control

test "communities: RO reads, RW writes, others get 403" {
	set comm [write_file $::tmpdir/communities [join {
		"# test communities"
		""
		"* ro RO"
		"* rw RW"
		"www ro RW	# a service line beats the * line"
		"db rw RO"
		"db dbadmin RW"
		"* first RO"
		"* first RW"
		"web1 webonly RO"
	} \n]\n]
	set h [start_faild -c $comm]
	assert_match "* OK x UP *" [faild_tcp $h "1 set x UP c=rw"]
	assert_match "* OK web1 UP *" [faild_tcp $h "1 set web1 UP c=rw"]
	assert_match "* OK db UP *" [faild_tcp $h "1 set db UP c=dbadmin"]
	foreach {req want} {
		"get x c=ro"		OK
		"set x FAIL c=ro"	403
		"delete x c=ro"		403
		"set x FAIL c=nope"	403
		"get x c=nope"		403
		"get x"			403
		"set x FAIL"		403
		"set x FAIL c=first"	403
		"get x c=first"		OK
		"set www UP c=ro"	OK
		"set db FAIL c=rw"	403
		"delete db c=rw"	403
		"get db c=rw"		OK
		"get web1 c=webonly"	OK
		"get x c=webonly"	403
		"stats c=ro"		OK
		"stats c=nope"		403
		"stats"			403
		"debug c=ro"		OK
		"debug main 1 c=ro"	403
		"debug main 0 c=rw"	OK
		"ping"			OK
		"version c=nope"	OK
	} {
		foreach proto {tcp udp} {
			set a [faild_$proto $h "q $req"]
			if {$want eq "OK"} {
				assert_match "q OK*" $a "$req over $proto"
			} else {
				assert_equal $want [errcode $a] "$req over $proto"
			}
		}
	}
	assert_equal UP [lindex [record [faild_tcp $h "1 get x c=rw"]] 1] \
	    "x was changed by a refused request"
	# list shows only what the community may read.
	assert_equal {web1} [dict keys [list_services \
	    [faild_tcp $h "l list c=webonly"]]]
	assert_equal {db web1 www x} [dict keys [list_services \
	    [faild_tcp $h "l list c=ro"]]]
	# Refusals are counted.
	assert_true {[dict get [stats_c $h ro] refused] >= 24}
	assert_match "q OK x" [faild_tcp $h "q delete x c=rw"]
}

set key1 [random_hex 64]
set key2 [random_hex 96]
set keyfile [write_file $::tmpdir/keys "# test keys\nk1 $key1\n\nk2 $key2\n" \
    0600]

test "HMAC: unsigned writes refused, signed ones work" {
	global key1 key2 keyfile
	set h [start_faild -k $keyfile]
	assert_equal 401 [errcode [faild_tcp $h "1 set s UP"]]
	assert_equal 401 [errcode [faild_udp $h "1 set s UP"]]
	assert_equal 401 [errcode [faild_tcp $h "1 debug main 1"]]
	assert_equal 404 [errcode [faild_tcp $h "1 get s"]] "unsigned read"
	# Signed over TCP, with either key; the answer is signed back with
	# the request's nonce.
	set req [sign "2 set s UP by=signer" k1 $key1 -n [set n [random_hex 32]]]
	set a [faild_tcp $h $req]
	assert_match "2 OK s UP * signer@127.0.0.1 k=k1 n=$n mac=*" $a
	assert_equal $n [verify_answer $a k1 $key1]
	set a [faild_udp $h [sign "3 set s FAIL" k2 $key2]]
	assert_match "3 OK s FAIL * k=k2 *" $a
	verify_answer $a k2 $key2
	set a [faild_tcp $h [sign "4 delete s" k2 $key2]]
	assert_match "4 OK s k=k2 *" $a
	verify_answer $a k2 $key2
	# Signed reads are signed too; unsigned reads are not.
	verify_answer [faild_udp $h [sign "5 list" k1 $key1]] k1 $key1
	assert_equal "6 ERR 404 no such service s" [faild_tcp $h "6 get s"]
	assert_true {[dict get [stats $h] refused] >= 3} "refusals counted"
}

test "HMAC: forged, unknown key, replayed, stale" {
	global key1 key2 keyfile
	set h [start_faild -k $keyfile -w 5]
	set good [sign "1 set f UP" k1 $key1]
	# One hex digit of the mac changed.
	set last [string index $good end]
	set forged [string range $good 0 end-1][expr {$last eq "0" ? 1 : 0}]
	assert_match "1 ERR 401 *" [faild_tcp $h $forged] "forged mac"
	# The line changed after it was signed.
	set tampered [string map {" UP " " FAIL "} $good]
	assert_match "1 ERR 401 *" [faild_udp $h $tampered] "tampered line"
	# Signed with the other key, or an unknown key id.
	assert_match "1 ERR 401 *" \
	    [faild_tcp $h [sign "1 set f UP" k1 $key1 -macwith $key2]] \
	    "mac with the wrong key"
	assert_match "1 ERR 401 *" [faild_tcp $h [sign "1 set f UP" zz $key1]] \
	    "unknown key id"
	# Errors from failed authentication are not signed.
	assert_true {![string match "*mac=*" [faild_tcp $h $forged]]}
	# None of these changed anything; the good line still works once.
	assert_equal 404 [errcode [faild_tcp $h "2 get f"]]
	assert_match "1 OK f UP *" [faild_tcp $h $good]
	# Replays: the exact line again (TCP, UDP), or its nonce with a new
	# time and a valid mac.
	set later [sign "3 set f FAIL" k1 $key1]
	assert_match "3 OK f FAIL *" [faild_udp $h $later]
	assert_match "1 ERR 409 *" [faild_tcp $h $good] "replay over TCP"
	assert_match "3 ERR 409 *" [faild_udp $h $later] "replay over UDP"
	regexp { n=(\S+) } $good -> nonce
	assert_match "4 ERR 409 *" [faild_tcp $h [sign "4 set f RECOVER" k1 \
	    $key1 -n $nonce]] "nonce reused"
	# The same nonce under the other key is another nonce.
	assert_match "4 OK f RECOVER *" [faild_tcp $h [sign "4 set f RECOVER" \
	    k2 $key2 -n $nonce]]
	assert_match "5 OK f RECOVER *" [faild_tcp $h "5 get f"] \
	    "a replay changed the state"
	# The window is 5 s (-w 5): 10 s off either way is refused, 2 s ahead
	# is not (2 s behind may predate faild's start, which is refused too).
	set now [clock milliseconds]
	assert_match "6 ERR 410 *" \
	    [faild_tcp $h [sign "6 set f UP" k1 $key1 -t [expr {$now - 10000}]]]
	assert_match "6 ERR 410 *" \
	    [faild_udp $h [sign "6 set f UP" k1 $key1 -t [expr {$now + 10000}]]]
	assert_match "7 OK f UP *" \
	    [faild_tcp $h [sign "7 set f UP" k1 $key1 -t [expr {$now + 2000}]]]
	# mac= must be last; partial authentication is malformed.
	assert_equal 400 [errcode [faild_tcp $h "[sign "8 get f" k1 $key1] by=x"]]
	assert_equal 400 [errcode [faild_tcp $h "8 get f k=k1 t=$now"]]
	set s [stats $h]
	assert_true {[dict get $s refused] >= 10} "refused [dict get $s refused]"
}

test "HMAC: a request signed for one faild is refused by another with the same key" {
	global key1 keyfile
	set a [start_faild -k $keyfile -N node-a]
	set b [start_faild -k $keyfile -N node-b]
	set req [sign "1 set rp UP" k1 $key1 -to node-a]
	assert_match "1 OK rp UP *" [faild_tcp $a $req]
	# The same line replayed to b, over TCP and UDP: 421, nothing set.
	foreach send {faild_tcp faild_udp} {
		assert_equal "1 ERR 421 signed for node-a, this is node-b" \
		    [$send $b $req] "replay to b ($send)"
	}
	assert_equal 404 [errcode [faild_tcp $b "2 get rp"]]
	# Unsigned by the destination, or signed as protocol 1 did: refused.
	assert_match "3 ERR 421 signed request without to=*node-b*" \
	    [faild_tcp $b [sign "3 set rp UP" k1 $key1 -to ""]]
	# Signed for b, b takes it; to= cannot be changed without the key.
	set req [sign "4 set rp FAIL" k1 $key1 -to node-b]
	assert_equal 401 [errcode [faild_tcp $b [string map {to=node-b\
	    to=node-a} $req]]] "to= rewritten"
	assert_match "4 OK rp FAIL *" [faild_tcp $b $req]
	assert_match "5 OK rp UP *" [faild_tcp $a "5 get rp"]
	wait_for_log $b "*refused request from 127.0.0.1: signed for node-a,\
	    this is node-b*"
}

test "HMAC: answers after authentication are signed, errors included" {
	global key1 keyfile
	set h [start_faild -k $keyfile]
	set n [random_hex 32]
	set a [faild_tcp $h [sign "1 get nosuch" k1 $key1 -n $n]]
	assert_match "1 ERR 404 * k=k1 n=$n mac=*" $a
	verify_answer $a k1 $key1
	set a [faild_udp $h [sign "2 set x BROKEN" k1 $key1]]
	assert_match "2 ERR 400 *" $a
	foreach verb {ping version stats debug} {
		verify_answer [faild_udp $h [sign "3 $verb" k1 $key1]] k1 $key1
	}
}

test "HMAC with communities: a valid mac may do anything, unsigned\
    writes need it even with RW" {
	global key1 keyfile
	set comm [write_file $::tmpdir/kc.comm "* ro RO\n* rw RW\n"]
	set h [start_faild -k $keyfile -c $comm]
	assert_match "1 OK kc UP *" [faild_tcp $h [sign "1 set kc UP" k1 $key1]]
	assert_match "2 OK kc UP *" [faild_tcp $h [sign "2 get kc c=none" k1 $key1]]
	assert_match "3 OK kc UP *" [faild_tcp $h "3 get kc c=ro"]
	assert_equal 403 [errcode [faild_tcp $h "4 get kc"]]
	assert_equal 401 [errcode [faild_tcp $h "5 set kc FAIL c=rw"]]
	assert_equal 401 [errcode [faild_tcp $h "6 set kc FAIL c=ro"]]
	assert_match "7 OK 1 kc *" [faild_tcp $h [sign "7 list" k1 $key1]]
	assert_equal 403 [errcode [faild_tcp $h "8 list c=none"]] \
	    "list with a community the file does not name"
}

test "HMAC: a request signed before a restart cannot be replayed after it" {
	global key1 keyfile
	set h [start_faild -k $keyfile]
	set old [sign "1 set rr UP" k1 $key1]
	assert_match "1 OK rr UP *" [faild_tcp $h $old]
	assert_match "2 OK rr FAIL *" [faild_tcp $h [sign "2 set rr FAIL" k1 $key1]]
	assert_equal 409 [errcode [faild_tcp $h $old]] "replay before restart"
	set h [restart $h]
	set a [faild_tcp $h $old]
	assert_match "rr FAIL" [lrange [record [faild_tcp $h "3 get rr"]] 0 1] \
	    "state after replaying a captured \"set rr UP\" (answer: $a)"
	assert_true {[errcode $a] in {409 410}} \
	    "captured request replayed after a restart: $a"
}

test "HMAC: failc -k signs its requests" {
	global keyfile
	if {![file executable $::failc]} {
		skip "no $::failc"
	}
	set h [start_faild -k $keyfile]
	set hp [dict get $h addr]:[dict get $h port]
	foreach proto {tcp udp} {
		set r [run_prog $::failc -h $hp -P $proto -k $keyfile -b ci \
		    fk.$proto RECOVER]
		assert_equal 0 [dict get $r code] "failc -k over $proto:\
		    [dict get $r stderr]"
		assert_match "* OK fk.$proto RECOVER * ci@127.0.0.1" \
		    [faild_tcp $h "1 get fk.$proto"]
		set r [run_prog $::failc -h $hp -P $proto -K k2 -k $keyfile \
		    fk.$proto delete]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
		set r [run_prog $::failc -h $hp -P $proto fk.$proto UP]
		assert_equal 1 [dict get $r code] "unsigned failc"
		assert_match "*401*" [dict get $r stderr]
	}
	# A line failc signed, captured by a listener that never answers, is
	# good once and a replay the second time.
	set ::captured {}
	lassign [fake_server script {apply {{line} {
		lappend ::captured $line
		return ""
	}}}] s port
	set r [run_prog $::failc -h 127.0.0.1:$port -t 300 -k $keyfile -b cap \
	    fk.cap FAIL]
	assert_equal 3 [dict get $r code] "failc against a silent listener"
	assert_equal 1 [llength $::captured] "lines captured"
	set line [lindex $::captured 0]
	assert_match "* set fk.cap FAIL *k=k1 t=* n=* mac=*" $line
	assert_match "* OK fk.cap FAIL * cap@127.0.0.1 k=k1 *" [faild_tcp $h $line]
	assert_equal 409 [errcode [faild_tcp $h $line]] "captured line replayed"
	assert_equal 409 [errcode [faild_udp $h $line]] "replayed over UDP"
}

test "HMAC: a signed watch signs every line" {
	global key1 keyfile
	set h [start_faild -k $keyfile]
	faild_tcp $h [sign "1 set sw1 UP" k1 $key1]
	set ch [faild_connect $h]
	set n [random_hex 40]
	conn_send $ch [sign "w watch" k1 $key1 -n $n]
	set first [conn_read $ch]
	assert_match "w OK 1 * k=k1 n=$n mac=*" $first
	verify_answer $first k1 $key1
	set st [conn_read $ch]
	assert_match "w STATE sw1 UP * k=k1 n=$n mac=*" $st
	verify_answer $st k1 $key1
	faild_tcp $h [sign "2 set sw1 FAIL" k1 $key1]
	set c [conn_read $ch]
	assert_match "w CHANGE * sw1 UP FAIL * k=k1 n=$n mac=*" $c
	verify_answer $c k1 $key1
}

test "HUP reloads keys; a broken key file keeps the old ones" {
	global key1
	set kf [write_file $::tmpdir/hupkeys "k1 $key1\n" 0600]
	set h [start_faild -k $kf]
	assert_match "1 OK h UP *" [faild_tcp $h [sign "1 set h UP" k1 $key1]]
	foreach {bad why} {
		"this is not a key file\n" garbage
		"k1 [random_hex 64]\n" "readable by others"
		"" empty
	} {
		write_file $kf [subst $bad] [expr {$why eq "readable by others" ?
		    "0644" : "0600"}]
		set before [regexp -all "reload failed" [daemon_log $h]]
		kill_daemon $h HUP
		wait_for {[regexp -all "reload failed" [daemon_log $h]] > $before} \
		    5000 "\"reload failed\" in the log ($why)"
		assert_match "2 OK h FAIL *" \
		    [faild_tcp $h [sign "2 set h FAIL" k1 $key1]] \
		    "old key after a $why key file"
		assert_match "3 OK h UP *" \
		    [faild_udp $h [sign "3 set h UP" k1 $key1]]
		assert_true {[daemon_alive $h]}
	}
	# A good new file replaces the keys, and states stay as they were.
	set key3 [random_hex 64]
	write_file $kf "k3 $key3\n" 0600
	kill_daemon $h HUP
	wait_for_log $h "*reloaded access files*1 keys*"
	assert_match "4 ERR 401 *" [faild_tcp $h [sign "4 set h FAIL" k1 $key1]] \
	    "the old key after a good reload"
	assert_match "5 OK h UP *" [faild_tcp $h "5 get h"]
	assert_match "6 OK h FAIL *" [faild_tcp $h [sign "6 set h FAIL" k3 $key3]]
}

test "HUP reloads communities; a broken file keeps the old one" {
	set cf [write_file $::tmpdir/hupcomm "* rw RW\n"]
	set h [start_faild -c $cf]
	assert_match "1 OK c UP *" [faild_tcp $h "1 set c UP c=rw"]
	write_file $cf "* rw RW\nthis line is broken\n"
	kill_daemon $h HUP
	wait_for_log $h "*reload failed*hupcomm:2*"
	assert_match "2 OK c FAIL *" [faild_tcp $h "2 set c FAIL c=rw"]
	write_file $cf "* other RW\n"
	kill_daemon $h HUP
	wait_for_log $h "*reloaded access files (1 community*"
	assert_equal 403 [errcode [faild_tcp $h "3 get c c=rw"]]
	assert_match "4 OK c FAIL *" [faild_tcp $h "4 get c c=other"]
}

# ----------------------------------------------------------------------
# Watch

test "watch delivers every change in order" {
	faild_tcp $d "1 set wa UP"
	faild_tcp $d "1 set wb UP"
	set ch1 [faild_connect $d]
	set ch2 [faild_connect $d]
	conn_send $ch1 "w1 watch"
	conn_send $ch2 "w2 watch"
	set snapshot [list_services [faild_tcp $d "l list"]]
	set seq0 ""
	foreach ch [list $ch1 $ch2] id {w1 w2} {
		set head [conn_read $ch]
		if {![regexp "^$id OK (\\d+) (\\d+)\$" $head -> count seq]} {
			fail "watch answer \"$head\""
		}
		assert_equal [dict size $snapshot] $count "services in the snapshot"
		if {$seq0 ne ""} {
			assert_equal $seq0 $seq "seq of both watchers"
		}
		set seq0 $seq
		set seen {}
		for {set i 0} {$i < $count} {incr i} {
			set line [conn_read $ch]
			if {![regexp "^$id STATE (\\S+) (.*)\$" $line -> n rest]} {
				fail "snapshot line \"$line\""
			}
			dict set seen $n $rest
		}
		foreach n [dict keys $snapshot] {
			assert_equal [join [dict get $snapshot $n]] \
			    [dict get $seen $n] "snapshot of $n"
		}
	}
	assert_equal 2 [dict get [stats $d] watchers] "watchers"
	# 200 changes pipelined over one connection, plus a creation and a
	# deletion; remember what each answer says.
	set cur [dict create wa UP wb UP]
	set text ""
	set expect {}
	for {set i 0} {$i < 200} {incr i} {
		set n [lindex {wa wb} [expr {$i % 2}]]
		set old [dict get $cur $n]
		set new [dict get {UP RECOVER RECOVER FAIL FAIL UP} $old]
		dict set cur $n $new
		append text "$i set $n $new by=w$i\n"
		lappend expect [list $n $old $new]
	}
	append text "200 set wc FAIL\n201 delete wc\n"
	lappend expect {wc NONE FAIL} {wc FAIL NONE}
	set answers [faild_tcp_lines $d $text 202 10000]
	foreach ch [list $ch1 $ch2] id {w1 w2} {
		set k 0
		foreach e $expect {
			lassign $e n old new
			set line [conn_read $ch 5000]
			set want "$id CHANGE [expr {$seq0 + $k + 1}] $n $old $new"
			assert_equal $want [join [lrange [split $line] 0 5]] \
			    "change $k (line \"$line\")"
			if {$k < 200} {
				# Time and setter as the set answered them.
				assert_equal [lrange [split [lindex $answers $k]] 4 5] \
				    [lrange [split $line] 6 7] "change $k time, setter"
			}
			incr k
		}
	}
	conn_close $ch1
	conn_close $ch2
	wait_for {[dict get [stats $d] watchers] == 0} 3000 "watchers back to 0"
	assert_equal [expr {$seq0 + 202}] [dict get [stats $d] changes]
}

test "watch over UDP is refused; a watch starting empty sees creations" {
	assert_equal 400 [errcode [faild_udp $d "1 watch"]]
	set h [start_faild]
	set ch [faild_connect $h]
	conn_send $ch "w watch"
	assert_equal "w OK 0 0" [conn_read $ch]
	faild_udp $h "1 set n1 UP by=me"
	assert_match "w CHANGE 1 n1 NONE UP * me@127.0.0.1" [conn_read $ch]
	# Setting the state a service has is no change: nothing streamed.
	faild_udp $h "2 set n1 UP by=again"
	faild_udp $h "3 set n1 FAIL"
	assert_match "w CHANGE 2 n1 UP FAIL * 127.0.0.1" [conn_read $ch]
	assert_equal 2 [dict get [stats $h] changes]
}

# ----------------------------------------------------------------------
# Malformed input

# Random bytes with at least one that is not printable ASCII, and no LF.
proc garbage {len} {
	set s ""
	for {set i 0} {$i < $len} {incr i} {
		set c [expr {int(rand() * 256)}]
		if {$c == 10} {
			set c 11
		}
		append s [format %c $c]
	}
	set bad [lindex {0 1 27 127 128 200 255} [expr {int(rand() * 7)}]]
	set at [expr {int(rand() * ($len + 1))}]
	return [string range $s 0 $at-1][format %c $bad][string range $s $at end]
}

set malformed [list \
	"" \
	"\r" \
	"   " \
	"\0\0\0\0" \
	"1 get \0www" \
	"just-an-id" \
	"12345678901234567 get x" \
	"b@d get x" \
	"1 get" \
	"1 set www" \
	"1 set www BROKEN" \
	"1 get [string repeat a 65]" \
	"1 get bad/name" \
	"1 get www extra" \
	"1 get www foo=bar" \
	"1 get www c=a c=b" \
	"1 get c=a www" \
	"1 get www by=bad/by" \
	"1 get www k=a" \
	"1 frobnicate" \
	"1 list extra" \
	"1 debug proto" \
	"[string repeat x 2000]" \
	"1 get www [string repeat y 600]" \
]

test "garbage datagrams each get an ERR and faild keeps serving" {
	foreach p [concat $malformed [list [string repeat z 5000] \
	    [string repeat \0 3000]]] {
		set a [faild_udp $d [string map {\r ""} $p]\n]
		assert_regexp {^\S+ ERR (400|404|405|413) } $a \
		    "answer to [list [string range $p 0 40]]"
	}
	for {set i 0} {$i < 200} {incr i} {
		set p [garbage [expr {int(rand() * 300)}]]
		set a [faild_udp $d $p]
		assert_regexp {^\S+ ERR (400|405|413) } $a \
		    "answer to [list [string range $p 0 40]]"
	}
	assert_match "g OK tcp1 *" [faild_udp $d "g get tcp1"]
	assert_true {[daemon_alive $d]}
}

test "garbage lines each get one ERR on the same connection" {
	set ch [faild_connect $d]
	set lines [concat $malformed [list [string repeat q 100000]]]
	for {set i 0} {$i < 100} {incr i} {
		lappend lines [string map {\r ""} [garbage [expr {int(rand() * 300)}]]]
	}
	foreach l $lines {
		puts -nonewline $ch "$l\n"
	}
	conn_send $ch "end get tcp1"
	foreach l $lines {
		set a [conn_read $ch]
		assert_regexp {^\S+ ERR (400|404|405|413) } $a \
		    "answer to [list [string range $l 0 40]]"
	}
	assert_match "end OK tcp1 *" [conn_read $ch] "answer after the garbage"
	conn_close $ch
	assert_match "g OK tcp1 *" [faild_tcp $d "g get tcp1"]
}

test "specific errors: 400 texts, 404, 405, 413" {
	foreach {req want} {
		"1 set www BROKEN"		{1 ERR 400 bad state "BROKEN" *}
		"1 frobnicate"			{1 ERR 405 *}
		"just-an-id"			{just-an-id ERR 400 *}
		"12345678901234567 get x"	{- ERR 400 *}
		""				{- ERR 400 *}
		"1 get nosuch"			{1 ERR 404 *}
	} {
		assert_match $want [faild_tcp $d $req] "TCP: $req"
		assert_match $want [faild_udp $d "$req\n"] "UDP: $req"
	}
	# Ids of 16 characters are fine, "-" included.
	assert_match "9999999999999999 OK pong *" \
	    [faild_udp $d "9999999999999999 ping"]
	assert_match "- OK pong *" [faild_tcp $d "- ping"]
	assert_match "- ERR 413 *" [faild_tcp $d [string repeat a 513]]
	assert_match "*ERR 413 *" [faild_udp $d [string repeat a 513]]
	# 512 bytes is still a request, 513 is not.
	set req "1 get [string repeat a 64][string repeat " " 442]"
	assert_equal 512 [string length $req]
	assert_equal 404 [errcode [faild_tcp $d $req]] "512 bytes over TCP"
	assert_equal 404 [errcode [faild_udp $d $req]] "512 bytes over UDP"
	assert_equal 413 [errcode [faild_tcp $d "$req "]] "513 bytes over TCP"
	assert_equal 413 [errcode [faild_udp $d "$req "]] "513 bytes over UDP"
	# Over TCP the error keeps the request's id, however long the line.
	assert_equal "big" [field [faild_tcp $d "big $req"] 0] "513+ bytes"
	assert_match "huge ERR 413 *" \
	    [faild_tcp $d "huge get [string repeat a 20000]"]
}

test "list too large for a datagram: 413 over UDP, complete over TCP" {
	set h [start_faild]
	set text ""
	for {set i 0} {$i < 700} {incr i} {
		append text "$i set [format %04d $i].[string repeat n 59] UP\n"
	}
	set r [faild_tcp_lines $h $text 700 20000]
	assert_match "699 OK *" [lindex $r end]
	assert_equal 413 [errcode [faild_udp $h "1 list"]]
	set l [faild_tcp $h "1 list"]
	assert_true {[string length $l] > 64000}
	set names [dict keys [list_services $l]]
	assert_equal 700 [llength $names]
	assert_equal [lsort $names] $names
}

# ----------------------------------------------------------------------
# Limits

# Open n connections from address a to h, each answering a ping.
proc open_pinged {h a n} {
	set conns {}
	for {set i 0} {$i < $n} {incr i} {
		set ch [faild_connect $h -myaddr $a]
		conn_send $ch "$i ping"
		assert_match "$i OK pong *" [conn_read $ch 5000]
		lappend conns $ch
	}
	return $conns
}

test "connection limit (-M): the oldest idle connection makes room; with none idle, ERR 503" {
	set h [start_faild -M 5]
	set conns [open_pinged $h 127.0.0.1 5]
	set ch [faild_connect $h -myaddr 127.0.0.2]
	conn_send $ch "n ping"
	assert_match "n OK pong *" [conn_read $ch] "6th connection"
	assert_equal EOF [read_line_or_eof [lindex $conns 0]] "oldest idle kept"
	set s [stats $h]
	assert_equal 5 [dict get $s connections]
	assert_equal 0 [dict get $s connections_refused]
	# The 4 others are still served.
	conn_send [lindex $conns 1] "again get nosuch"
	assert_equal 404 [errcode [conn_read [lindex $conns 1]]]
	# Watchers are never idle: 5 of them fill the limit.
	foreach c [concat $conns $ch] {
		conn_close $c
	}
	wait_for {[dict get [stats $h] connections] == 0} 3000
	for {set i 0} {$i < 5} {incr i} {
		set w [faild_connect $h]
		conn_send $w "w$i watch"
		assert_match "w$i OK 0 *" [conn_read $w]
	}
	set ch [faild_connect $h]
	assert_match "- ERR 503 too many connections*" [read_line_or_eof $ch]
	assert_equal EOF [read_line_or_eof $ch] "refused connection not closed"
	assert_equal 1 [dict get [stats $h] connections_refused]
}

test "connection limit per address: 64 by default, -C sets it; the oldest idle of that address makes room" {
	set h [start_faild]
	set mine [open_pinged $h 127.0.0.1 64]
	set other [open_pinged $h 127.0.0.3 3]
	set ch [faild_connect $h -myaddr 127.0.0.1]
	conn_send $ch "n ping"
	assert_match "n OK pong *" [conn_read $ch] "65th connection"
	assert_equal EOF [read_line_or_eof [lindex $mine 0]] "oldest idle kept"
	foreach c $other {
		conn_send $c "o ping"
		assert_match "o OK pong *" [conn_read $c] "another address"
	}
	assert_equal 67 [dict get [stats $h] connections]
	assert_equal 0 [dict get [stats $h] connections_refused]
	set h2 [start_faild -C 2]
	set two [open_pinged $h2 127.0.0.1 3]
	assert_equal EOF [read_line_or_eof [lindex $two 0]] "-C 2"
	assert_equal 2 [dict get [stats $h2] connections]
}

test "default connection limit: 512 served, then the oldest idle makes room" {
	set h [start_faild]
	set conns {}
	for {set k 1} {$k <= 8} {incr k} {
		lappend conns {*}[open_pinged $h 127.0.1.$k 64]
	}
	assert_equal 512 [dict get [stats $h] connections]
	set ch [faild_connect $h -myaddr 127.0.2.1]
	conn_send $ch "n ping"
	assert_match "n OK pong *" [conn_read $ch] "513th connection"
	assert_equal EOF [read_line_or_eof [lindex $conns 0]] "oldest idle kept"
	assert_equal 512 [dict get [stats $h] connections]
	foreach c $conns {
		conn_close $c
	}
	wait_for {[dict get [stats $h] connections] == 1} 5000
}

test "rate limit (-R) is per address" {
	set h [start_faild -R 5]
	set ch [faild_connect $h -myaddr 127.0.0.201]
	set text ""
	for {set i 0} {$i < 30} {incr i} {
		append text "r$i ping\n"
	}
	puts -nonewline $ch $text
	set ok 0
	set limited 0
	for {set i 0} {$i < 30} {incr i} {
		set a [conn_read $ch]
		if {[string match "r$i OK pong *" $a]} {
			incr ok
		} elseif {[errcode $a] == 429} {
			incr limited
		} else {
			fail "answer $i: $a"
		}
	}
	# A burst of twice the rate, then about 5 per second.
	assert_true {$ok >= 10 && $ok <= 13} "$ok of 30 passed"
	assert_equal 30 [expr {$ok + $limited}]
	# Another address is not limited.
	set ch2 [faild_connect $h -myaddr 127.0.0.202]
	conn_send $ch2 "o ping"
	assert_match "o OK pong *" [conn_read $ch2]
	assert_true {[dict get [stats $h] refused] >= 17}
	# The limited address gets through again once tokens refill.
	wait_for {[string match "* OK *" [faild_rate_probe $ch]]} 3000
}

harness_done
