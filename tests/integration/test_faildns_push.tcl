# test_faildns_push.tcl: faildns driving a real BIND and a real Knot with
# RFC 2136 updates signed with TSIG: each change of a failover name's
# answer (states set in a real faild) replaces the name's A records there,
# as dig and kdig see them; a refused key is logged and, once the key is
# right again (SIGHUP), the push goes through; a server that was down gets
# the push when it is back.

source [file join [file dirname [info script]] harness.tcl]
source [file join [file dirname [info script]] dns_servers.tcl]

set ::zone example.test
set ::www www.example.test
set ::key push-key
set ::secret [dns_keyfile $::tmpdir/key.conf $::key]

# conf DIR FAILD SERVER ?KEYFILE? ?ANSWER?: faildns's files in DIR: the
# zone, and www from pool web (two members, services web1 web2) pushed to
# SERVER.
proc conf {dir faild server {keyfile ""} {answer yes}} {
	file mkdir $dir
	write_file $dir/zone [join [list {$ORIGIN example.test.} \
	    {@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300} \
	    {@ 3600 IN NS ns1} {ns1 3600 IN A 127.0.0.1}] \n]\n
	if {$keyfile eq ""} {
		set keyfile $::tmpdir/key.conf
	}
	write_file $dir/faildns.conf [join [list \
	    "zone $::zone:" "\tfile zone" \
	    "source local:" "\tfaild [dict get $faild addr]:[dict get $faild port]" \
	    "pool web:" "\tmember 198.18.0.10 service web1" \
	    "\tmember 198.18.0.11 service web2" \
	    "name $::www:" "\tpool web" "\tttl 20" "\talldown nodata" \
	    "\tanswer $answer" "\tupdate primary" \
	    "update primary:" "\tserver $server" "\tkey $keyfile $::key"] \n]\n
	return $dir/faildns.conf
}

proc failc {f args} {
	return [expect_exit 0 $::failc -h [dict get $f addr]:[dict get $f port] \
	    {*}$args]
}

foreach kind {named knotd} {
	test "$kind: every change of www's answer replaces its A records there" {
		if {[set m [dns_servers_missing $kind]] ne ""} {
			skip "no $m"
		}
		set s [start_$kind $::zone $::key $::secret]
		set f [start_faild]
		failc $f web1 UP
		failc $f web2 UP
		set d [start_faildns [conf $::tmpdir/$kind $f \
		    [dict get $s server]] -d push]
		wait_for {[dns_lookup $s $::www A] eq "198.18.0.10 198.18.0.11"} \
		    5000 "first push: [dns_lookup $s $::www A]"
		failc $f web1 FAIL
		wait_for {[dns_lookup $s $::www A] eq "198.18.0.11"}
		# faildns answers the same itself
		assert_equal 198.18.0.11 [dig_short $d $::www]
		failc $f web2 FAIL
		wait_for {[dns_lookup $s $::www A] eq ""} 5000 \
		    "all down, nodata: [dns_lookup $s $::www A]"
		failc $f web1 UP
		wait_for {[dns_lookup $s $::www A] eq "198.18.0.10"}
		assert_true {[lines_matching $d "*push $::www to primary\
		    (*): 1 addresses*"] >= 2}
	}
}

test "a wrong key: the refusal is logged, the push goes through once the key is right (SIGHUP)" {
	if {[set m [dns_servers_missing named]] ne ""} {
		skip "no $m"
	}
	set s [start_named $::zone $::key $::secret]
	set f [start_faild]
	failc $f web1 UP
	failc $f web2 FAIL
	dns_keyfile $::tmpdir/wrong.conf $::key
	set conf [conf $::tmpdir/wrongkey $f [dict get $s server] \
	    $::tmpdir/wrong.conf no]
	set d [start_faildns $conf]
	wait_for_log $d "*push $::www to primary: *BADSIG*"
	assert_equal "" [dns_lookup $s $::www A]
	conf $::tmpdir/wrongkey $f [dict get $s server] $::tmpdir/key.conf no
	exec kill -HUP [dict get $d pid]
	wait_for {[dns_lookup $s $::www A] eq "198.18.0.10"}
	# answer no: faildns does not answer www itself
	set r [run_prog dig +tries=1 +time=2 -p [dict get $d port] \
	    @[dict get $d addr] $::www A]
	assert_match "*status: REFUSED*" [dict get $r stdout]
}

test "a server that is down gets the push once it is back" {
	if {[set m [dns_servers_missing named]] ne ""} {
		skip "no $m"
	}
	set s [start_named $::zone $::key $::secret]
	set f [start_faild]
	failc $f web1 UP
	failc $f web2 UP
	set d [start_faildns [conf $::tmpdir/down $f [dict get $s server]]]
	wait_for {[dns_lookup $s $::www A] eq "198.18.0.10 198.18.0.11"}
	pause_daemon $s
	failc $f web2 FAIL
	wait_for_log $d "*push $::www to primary: *" 10000
	resume_daemon $s
	wait_for {[dns_lookup $s $::www A] eq "198.18.0.10"} 10000 \
	    "after the retry: [dns_lookup $s $::www A]"
}

harness_done
