# test_faildns_unbound.tcl: faildns behind a real resolver. Debian's
# unbound, started here on its own 127.0.0.x address with a stub zone
# pointing at faildns, serves a client; when the primary's service goes
# FAIL in faild, the client gets the backup's address within the name's
# detection time plus its TTL (1 s each here), as faildns -t promises.

source [file join [file dirname [info script]] harness.tcl]
source [file join [file dirname [info script]] faildns dns.tcl]

set ::unbound [auto_execok unbound]
set ::unbound_checkconf [auto_execok unbound-checkconf]

# start_unbound STUBZONE FAILDNS: unbound in the foreground (-d), no
# chroot, no user to switch to, a stub zone STUBZONE at FAILDNS, caches
# that keep nothing longer than 1 s; waits for "start of service".
# Returns a handle (addr port pid log dir name).
proc start_unbound {zone d} {
	lassign [harness::next_address] addr port
	set dir $::tmpdir/unbound$harness::slot
	file mkdir $dir
	write_file $dir/unbound.conf "
server:
	interface: $addr
	port: $port
	do-ip6: no
	do-daemonize: no
	username: \"\"
	chroot: \"\"
	directory: \"$dir\"
	pidfile: \"$dir/unbound.pid\"
	logfile: \"\"
	use-syslog: no
	verbosity: 1
	num-threads: 1
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	module-config: \"iterator\"
	cache-max-ttl: 1
	cache-max-negative-ttl: 1
	infra-host-ttl: 60
	prefetch: no
	serve-expired: no
	qname-minimisation: no
remote-control:
	control-enable: no
stub-zone:
	name: \"$zone\"
	stub-addr: [dict get $d addr]@[dict get $d port]
"
	set r [run_prog $::unbound_checkconf $dir/unbound.conf]
	if {[dict get $r code] ne "0"} {
		fail "unbound-checkconf: [dict get $r stdout]\
		    [dict get $r stderr]"
	}
	set log $dir/log
	set pid [exec $::unbound -d -c $dir/unbound.conf </dev/null \
	    >>& $log &]
	set h [adopt [dict create name unbound$harness::slot pid $pid \
	    log $log addr $addr port $port dir $dir]]
	wait_for_log $h "*start of service*" 10000
	return $h
}

# What a client asking unbound (recursion desired) gets for NAME's A:
# {status ttl addresses}.
proc resolve {u name} {
	set r [run_prog -timeout 10000 dig +time=2 +tries=1 +nocookie \
	    @[dict get $u addr] -p [dict get $u port] $name A]
	set d [dig_parse [dict get $r stdout]]
	set ttls {}
	foreach rr [dict get $d answer] {
		lappend ttls [lindex $rr 1]
	}
	return [list [dict get $d status] [lindex [lsort -integer $ttls] end] \
	    [lsort [rdatas $d answer A]]]
}

proc failover_conf {f} {
	return "
zone example.com:
	file example.com.zone
source a:
	faild [dict get $f addr]:[dict get $f port]
pool web:
	member 198.18.0.10 primary service web1
	member 198.18.0.20 backup service web2
	detect 1
name www.example.com:
	pool web
	ttl 1
"
}

if {$::unbound eq "" || $::unbound_checkconf eq ""} {
	puts "no unbound: scripts/deps installs it"
	puts "0 passed, 1 failed"
	exit 1
}

test "unbound: starts in the foreground without chroot or user switch" {
	set d [start_dns {
zone example.com:
	file example.com.zone
pool web:
	member 198.18.0.10
name www.example.com:
	pool web
	ttl 1
}]
	set u [start_unbound example.com $d]
	assert_true {[daemon_alive $u]}
	set log [daemon_log $u]
	assert_true {![string match "*error*" [string tolower $log]]} \
	    "unbound's log: $log"
	# It runs as the user who started it (root here): nothing dropped,
	# nothing to chroot to, and still it serves.
	assert_equal {NOERROR 1 198.18.0.10} [resolve $u www.example.com]
	assert_equal NXDOMAIN [lindex [resolve $u nope.example.com] 0]
}

test "unbound: the client sees the backup within detection + TTL" {
	set f [start_faild]
	setstate $f web1 UP
	setstate $f web2 UP
	set d [start_dns [failover_conf $f]]
	set r [run_prog $::faildns -t -f [dict get $d conf]]
	assert_match "*www.example.com: *worst case 2 s (detection 1 + ttl\
	    1)*" [dict get $r stdout]
	set worst_ms 2000
	wait_for {[answer_of $d www.example.com] eq {198.18.0.10}}
	set u [start_unbound example.com $d]
	wait_for {[lindex [resolve $u www.example.com] 2] eq {198.18.0.10}}
	# Cached answers, asked again and again: the primary, TTL <= 1.
	for {set i 0} {$i < 5} {incr i} {
		lassign [resolve $u www.example.com] st ttl a
		assert_equal {NOERROR 198.18.0.10} [list $st $a]
		assert_true {$ttl <= 1} "TTL $ttl from unbound"
	}
	set t0 [clock milliseconds]
	setstate $f web1 FAIL
	wait_for {[lindex [resolve $u www.example.com] 2] eq {198.18.0.20}} \
	    [expr {$worst_ms + 3000}] "the backup through unbound"
	set took [expr {[clock milliseconds] - $t0}]
	# The bound: the state's way to faildns (detection) plus the TTL,
	# with half a second for dig and the polling.
	assert_true {$took <= $worst_ms + 500} \
	    "backup after $took ms, over detection + TTL ($worst_ms ms)"
	wait_for_log $d "*name www.example.com: 198.18.0.20 (backup level)*"
	# And back, within the same bound.
	set t0 [clock milliseconds]
	setstate $f web1 UP
	wait_for {[lindex [resolve $u www.example.com] 2] eq {198.18.0.10}} \
	    [expr {$worst_ms + 3000}] "the primary again"
	set took [expr {[clock milliseconds] - $t0}]
	assert_true {$took <= $worst_ms + 500} "primary after $took ms"
}

harness_done
