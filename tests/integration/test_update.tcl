# test_update.tcl: faildns/update.c against real servers, through the
# tests/helpers/dnsupdate CLI: RFC 2136 updates signed with TSIG that
# replace a name's A and AAAA records on BIND's named and Knot's knotd
# (dns_servers.tcl), checked with dig and kdig; a wrong key, no key, and
# servers that do not answer.

source [file join [file dirname [info script]] harness.tcl]
source [file join [file dirname [info script]] dns_servers.tcl]

set ::dnsupdate [file normalize [file join $harness::builddir \
    tests/helpers/dnsupdate]]
if {![file executable $::dnsupdate]} {
	puts "no $::dnsupdate: build it first (make tests/helpers/dnsupdate)"
	puts "0 passed, 1 failed"
	exit 1
}

set ::zone example.test
set ::www www.example.test
set ::key upd-key
set ::secret [dns_keyfile $::tmpdir/key.conf $::key]

# dnsupdate CODE ARGS: run it, check the exit code; returns the result dict.
proc dnsupdate {code args} {
	return [expect_exit $code $::dnsupdate {*}$args]
}

# The server started by a test, by kind, with www at 192.0.2.99.
proc server_of {kind} {
	if {[dns_servers_missing $kind] ne ""} {
		skip "no [join [dns_servers_missing $kind] {, }]"
	}
	return [start_$kind $::zone $::key $::secret \
	    -records "www IN A 192.0.2.99\nother IN A 192.0.2.50"]
}

# Both dig and kdig see the same answers; returns them.
proc lookup {h name type} {
	set a [dns_lookup $h $name $type -tool dig]
	assert_equal $a [dns_lookup $h $name $type -tool kdig] \
	    "dig and kdig, $name $type"
	return $a
}

# Nothing else in the zone changed.
proc zone_intact {h} {
	assert_equal 192.0.2.50 [lookup $h other.$::zone A] "other's A"
	assert_equal 127.0.0.1 [lookup $h ns1.$::zone A] "ns1's A"
}

foreach kind {named knotd} {
	test "$kind: replace the A and AAAA set of a name" {
		set s [server_of $kind]
		set r [dnsupdate 0 -k $::tmpdir/key.conf -t 120 \
		    [dict get $s server] $::zone $::www 192.0.2.1 192.0.2.2 \
		    2001:db8::1 2001:db8::2]
		assert_equal NOERROR [string trim [dict get $r stdout]]
		assert_equal {192.0.2.1 192.0.2.2} [lookup $s $::www A]
		assert_equal {2001:db8::1 2001:db8::2} [lookup $s $::www AAAA]
		# with the TTL asked for
		set ttls [exec dig +noall +answer @127.0.0.1 \
		    -p [dict get $s port] $::www A]
		assert_equal {120 120} [lmap l [split $ttls \n] {lindex $l 1}] \
		    "TTLs of $ttls"
		zone_intact $s
	}

	test "$kind: replace again with fewer addresses, then none" {
		set s [server_of $kind]
		set srv [dict get $s server]
		dnsupdate 0 -k $::tmpdir/key.conf $srv $::zone $::www \
		    192.0.2.1 192.0.2.2 192.0.2.3 2001:db8::1
		assert_equal {192.0.2.1 192.0.2.2 192.0.2.3} \
		    [lookup $s $::www A]
		dnsupdate 0 -k $::tmpdir/key.conf $srv $::zone $::www \
		    192.0.2.2
		assert_equal 192.0.2.2 [lookup $s $::www A]
		assert_equal {} [lookup $s $::www AAAA]
		dnsupdate 0 -k $::tmpdir/key.conf $srv $::zone $::www \
		    2001:db8::9
		assert_equal {} [lookup $s $::www A]
		assert_equal 2001:db8::9 [lookup $s $::www AAAA]
		dnsupdate 0 -k $::tmpdir/key.conf $srv $::zone $::www
		assert_equal {} [lookup $s $::www A]
		assert_equal {} [lookup $s $::www AAAA]
		# a new name, and the zone's apex
		dnsupdate 0 -k $::tmpdir/key.conf $srv $::zone \
		    new.$::zone 198.51.100.1
		assert_equal 198.51.100.1 [lookup $s new.$::zone A]
		dnsupdate 0 -k $::tmpdir/key.conf $srv $::zone $::zone \
		    198.51.100.2
		assert_equal 198.51.100.2 [lookup $s $::zone A]
		zone_intact $s
	}

	test "$kind: the key chosen by name from a file of several" {
		set s [server_of $kind]
		dns_keyfile $::tmpdir/other.conf other-key
		write_file $::tmpdir/keys.conf "[read_file \
		    $::tmpdir/other.conf]# the server's\n[read_file \
		    $::tmpdir/key.conf]" 0600
		set r [dnsupdate 1 -k $::tmpdir/keys.conf \
		    [dict get $s server] $::zone $::www 192.0.2.7]
		assert_match "*NOTAUTH, TSIG error BADKEY*" \
		    [dict get $r stderr]
		dnsupdate 0 -k $::tmpdir/keys.conf -n $::key \
		    [dict get $s server] $::zone $::www 192.0.2.7
		assert_equal 192.0.2.7 [lookup $s $::www A]
	}

	test "$kind: a wrong secret is refused with BADSIG" {
		set s [server_of $kind]
		dns_keyfile $::tmpdir/wrong.conf $::key
		set r [dnsupdate 1 -k $::tmpdir/wrong.conf \
		    [dict get $s server] $::zone $::www 192.0.2.8]
		assert_equal NOTAUTH [string trim [dict get $r stdout]]
		assert_equal "dnsupdate: server [dict get $s server]: NOTAUTH,\
		    TSIG error BADSIG" [string trim [dict get $r stderr]]
		assert_equal 192.0.2.99 [lookup $s $::www A]
		zone_intact $s
	}

	test "$kind: an unsigned update is refused" {
		set s [server_of $kind]
		set r [dnsupdate 1 [dict get $s server] $::zone $::www \
		    192.0.2.9]
		# named says REFUSED; Knot says NOTAUTH (its ACL denies)
		set want [expr {$kind eq "named" ? "REFUSED" : "NOTAUTH"}]
		assert_equal $want [string trim [dict get $r stdout]]
		assert_equal "dnsupdate: server [dict get $s server]: $want" \
		    [string trim [dict get $r stderr]]
		assert_equal 192.0.2.99 [lookup $s $::www A]
	}

	test "$kind: a name outside the zone, a zone not served" {
		set s [server_of $kind]
		set r [dnsupdate 1 -k $::tmpdir/key.conf [dict get $s server] \
		    other.test www.other.test 192.0.2.1]
		assert_match "*: NOTAUTH*" [dict get $r stderr]
		set r [dnsupdate 3 -k $::tmpdir/key.conf [dict get $s server] \
		    $::zone www.other.test 192.0.2.1]
		assert_match "*name \"www.other.test\" is not in zone\
		    \"$::zone\"*" [dict get $r stderr]
	}
}

test "a server that accepts and never answers: timeout in time" {
	lassign [fake_server hang] - port
	set t0 [clock milliseconds]
	set r [dnsupdate 3 -w 1000 -k $::tmpdir/key.conf 127.0.0.1:$port \
	    $::zone $::www 192.0.2.1]
	set ms [expr {[clock milliseconds] - $t0}]
	assert_equal "dnsupdate: server 127.0.0.1:$port: no answer within\
	    1000 ms" [string trim [dict get $r stderr]]
	assert_equal "" [dict get $r stdout]
	assert_true {$ms >= 1000 && $ms < 3000} "took $ms ms, not about 1000"
}

test "a stopped named: timeout in time, then it answers again" {
	if {[dns_servers_missing named] ne ""} {
		skip "no [join [dns_servers_missing named] {, }]"
	}
	set s [start_named $::zone $::key $::secret]
	pause_daemon $s
	try {
		set t0 [clock milliseconds]
		# (another name: named may still apply it once resumed)
		set r [dnsupdate 3 -w 700 -k $::tmpdir/key.conf \
		    [dict get $s server] $::zone stale.$::zone 192.0.2.1]
		set ms [expr {[clock milliseconds] - $t0}]
	} finally {
		resume_daemon $s
	}
	assert_match "*no answer within 700 ms*" [dict get $r stderr]
	assert_true {$ms >= 700 && $ms < 2700} "took $ms ms, not about 700"
	dnsupdate 0 -k $::tmpdir/key.conf [dict get $s server] $::zone \
	    $::www 192.0.2.11
	assert_equal 192.0.2.11 [lookup $s $::www A]
}

test "a port where nothing listens: refused at once" {
	set port [free_port]
	set t0 [clock milliseconds]
	set r [dnsupdate 3 -w 5000 -k $::tmpdir/key.conf 127.0.0.1:$port \
	    $::zone $::www 192.0.2.1]
	assert_match "*server 127.0.0.1:$port: connect 127.0.0.1:$port:\
	    Connection refused*" [dict get $r stderr]
	assert_true {[clock milliseconds] - $t0 < 2000}
}

test "a server that closes at once" {
	lassign [fake_server close] - port
	set r [dnsupdate 3 -w 2000 -k $::tmpdir/key.conf 127.0.0.1:$port \
	    $::zone $::www 192.0.2.1]
	assert_match "*server 127.0.0.1:$port: *" [dict get $r stderr]
}

test "dnsupdate: key files it refuses, usage" {
	write_file $::tmpdir/md5.conf "key \"old\" {\n\talgorithm\
	    hmac-md5;\n\tsecret \"YWJj\";\n};\n"
	set r [dnsupdate 2 -k $::tmpdir/md5.conf 127.0.0.1:1 $::zone $::www]
	assert_equal "dnsupdate: $::tmpdir/md5.conf:2: key \"old\": algorithm\
	    \"hmac-md5\" is not supported (only hmac-sha256)" \
	    [string trim [dict get $r stderr]]
	set r [dnsupdate 2 -k $::tmpdir/key.conf -n nokey 127.0.0.1:1 \
	    $::zone $::www]
	assert_equal "dnsupdate: $::tmpdir/key.conf: no key \"nokey\"" \
	    [string trim [dict get $r stderr]]
	dnsupdate 2 127.0.0.1:1 $::zone
	dnsupdate 2 127.0.0.1:1 $::zone $::www 192.0.2.300
}

harness_done
