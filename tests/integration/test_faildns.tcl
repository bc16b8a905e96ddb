# test_faildns.tcl: faildns, the authoritative server, as dig, kdig, failc,
# failstat and a hand-made client see it: the zone answers (referrals,
# CNAME chains, negative answers with the SOA, ANY, TCP), every selection
# mode, level and rule of a failover name following a real faild, K-of-N
# votes of two failds, reloads, the monitor port, and malformed or stalled
# clients that must not keep the others from answers.

source [file join [file dirname [info script]] harness.tcl]
source [file join [file dirname [info script]] faildns dns.tcl]

# A conf with the zones and a pool of static members (always up): the zone
# answers need no faild.
set static_conf {
zone example.com:
	file example.com.zone
zone example.org:
	file example.org.zone
pool web:
	member 198.18.0.10
	member 198.18.0.11
name www.example.com:
	pool web
	ttl 30
}

# ----------------------------------------------------------------------
# Zone answers

test "faildns: A from the zone, authoritative, with the question's case" {
	set d [start_dns $static_conf]
	set r [dig $d mAiL.ExAmPlE.cOm A]
	assert_equal NOERROR [dict get $r status]
	assert_true {[has_flag $r aa]} "AA set: [dict get $r flags]"
	assert_equal {198.18.0.25} [rdatas $r answer A]
	assert_equal {mAiL.ExAmPlE.cOm. IN A} [dict get $r question] \
	    "the question as asked (0x20)"
	# dig checks the question itself too: a changed case is a mismatch.
	assert_true {![string match "*question section mismatch*" \
	    [dict get $r raw]]}
	set r [dig $d a.b.c.example.com A]
	assert_equal {198.18.0.99} [rdatas $r answer A]
}

test "faildns: MX with its glue, NS with glue (A and AAAA), TXT" {
	set d [start_dns $static_conf]
	set r [dig $d example.com MX]
	assert_equal {{10 mail.example.com.}} [rdatas $r answer MX]
	assert_equal {198.18.0.25} [rdatas $r additional A] "MX glue"
	assert_true {[has_flag $r aa]}
	set r [dig $d example.com NS]
	assert_equal {ns1.example.com. ns2.example.com.} \
	    [lsort [rdatas $r answer NS]]
	assert_equal {198.18.0.53 198.18.0.54} \
	    [lsort [rdatas $r additional A]] "NS glue"
	assert_equal {2001:db8::54} [rdatas $r additional AAAA] "AAAA glue"
	set r [dig $d txt.example.com TXT]
	assert_equal {{"hello world"} {"second" "string"}} \
	    [lsort [rdatas $r answer TXT]]
}

test "faildns: CNAME chain into a failover name, CNAME out of the zone" {
	set d [start_dns $static_conf]
	set r [dig $d chain.example.com A]
	assert_equal NOERROR [dict get $r status]
	assert_equal {CNAME CNAME A A} [rtypes $r answer]
	assert_equal {alias.example.com. www.example.com.} \
	    [rdatas $r answer CNAME]
	assert_equal {198.18.0.10 198.18.0.11} [lsort [rdatas $r answer A]]
	assert_true {[has_flag $r aa]}
	# Out of the zone: the CNAME alone, the resolver goes on.
	set r [dig $d ext.example.com A]
	assert_equal NOERROR [dict get $r status]
	assert_equal {{ext.example.com. 3600 IN CNAME www.example.net.}} \
	    [dict get $r answer]
	assert_equal {} [dict get $r authority]
}

test "faildns: NXDOMAIN and NODATA carry the SOA with min(TTL, MINIMUM)" {
	set d [start_dns $static_conf]
	# example.com: SOA TTL 3600, MINIMUM 300.
	set r [dig $d nope.example.com A]
	assert_equal NXDOMAIN [dict get $r status]
	assert_true {[has_flag $r aa]}
	assert_equal {} [dict get $r answer]
	assert_equal SOA [lindex [dict get $r authority] 0 3]
	assert_equal 300 [lindex [dict get $r authority] 0 1] "SOA TTL"
	# b.c.example.com is an empty non-terminal (a.b.c has an A): NODATA.
	foreach name {b.c.example.com c.example.com} {
		set r [dig $d $name A]
		assert_equal NOERROR [dict get $r status] $name
		assert_equal {} [dict get $r answer] $name
		assert_equal {SOA} [rtypes $r authority] $name
		assert_equal 300 [lindex [dict get $r authority] 0 1]
	}
	# NODATA at an existing name of another type.
	set r [dig $d mail.example.com AAAA]
	assert_equal NOERROR [dict get $r status]
	assert_equal {SOA} [rtypes $r authority]
	# example.org: SOA TTL 60 under MINIMUM 600: 60.
	set r [dig $d nope.example.org A]
	assert_equal NXDOMAIN [dict get $r status]
	assert_equal 60 [lindex [dict get $r authority] 0 1] "SOA TTL"
	assert_equal example.org. [lindex [dict get $r authority] 0 0]
}

test "faildns: REFUSED outside its zones" {
	set d [start_dns $static_conf]
	foreach name {www.example.net example.co . com} {
		set r [dig $d $name A]
		assert_equal REFUSED [dict get $r status] $name
		assert_true {![has_flag $r aa]} "no AA for $name"
		assert_equal {} [dict get $r answer]
	}
}

test "faildns: a referral below a delegation: no AA, NS, in-zone glue" {
	set d [start_dns $static_conf]
	foreach {name type} {deep.sub.example.com A sub.example.com A
	    x.y.sub.example.com MX sub.example.com NS} {
		set r [dig $d $name $type]
		assert_equal NOERROR [dict get $r status] $name
		assert_true {![has_flag $r aa]} \
		    "$name: no AA: [dict get $r flags]"
		assert_equal {} [dict get $r answer] "$name: answer"
		assert_equal {ns.elsewhere.net. ns.sub.example.com.} \
		    [lsort [rdatas $r authority NS]] $name
		assert_equal {198.18.1.1} [rdatas $r additional A] \
		    "$name: glue"
	}
}

test "faildns: ANY is answered with one RRset (RFC 8482)" {
	set d [start_dns $static_conf]
	foreach name {example.com txt.example.com ns2.example.com} {
		set r [dig $d $name ANY]
		assert_equal NOERROR [dict get $r status] $name
		set types [lsort -unique [rtypes $r answer]]
		assert_equal 1 [llength $types] "$name: one RRset: $types"
		assert_true {[llength [dict get $r answer]] >= 1}
	}
}

test "faildns: the same answers over TCP" {
	set d [start_dns $static_conf]
	set r [dig $d +tcp ChAiN.example.com A]
	assert_match "*(TCP)*" [dict get $r raw]
	assert_equal {198.18.0.10 198.18.0.11} [lsort [rdatas $r answer A]]
	assert_equal {ChAiN.example.com. IN A} [dict get $r question]
	set r [dig $d +tcp nope.example.com A]
	assert_equal NXDOMAIN [dict get $r status]
	assert_equal 300 [lindex [dict get $r authority] 0 1]
	set r [dig $d +tcp big.example.com TXT]
	assert_equal 20 [llength [rdatas $r answer TXT]]
	assert_true {![has_flag $r tc]}
	set r [dig $d +tcp www.example.net A]
	assert_equal REFUSED [dict get $r status]
}

test "faildns: a failover name's AAAA from its IPv6 members" {
	set d [start_dns "$::static_conf
pool six:
	member 198.18.0.60
	member 2001:db8::60
	member 2001:db8::61
name six.example.com:
	pool six
	ttl 20
"]
	set r [dig $d six.example.com AAAA]
	assert_equal {2001:db8::60 2001:db8::61} [lsort [rdatas $r answer AAAA]]
	assert_equal {} [rdatas $r answer A]
	assert_equal 20 [lindex [dict get $r answer] 0 1] "TTL"
	set r [dig $d six.example.com A]
	assert_equal {198.18.0.60} [rdatas $r answer A]
	# A name of the pool without IPv6 members: NODATA for AAAA.
	set r [dig $d www.example.com AAAA]
	assert_equal NOERROR [dict get $r status]
	assert_equal {} [dict get $r answer]
	assert_equal SOA [rtypes $r authority]
}

test "faildns: several queries on one TCP connection (kdig +keepopen)" {
	set d [start_dns $static_conf]
	set before [dict get [dns_stats $d] tcp_conns]
	set r [run_prog -timeout 15000 kdig @[dict get $d addr] \
	    -p [dict get $d port] +tcp +keepopen +norec \
	    www.example.com A mail.example.com A nope.example.com A]
	set out [dict get $r stdout]
	assert_equal 0 [dict get $r code] "kdig: [dict get $r stderr]"
	assert_equal 3 [regexp -all {status: } $out] "three answers: $out"
	assert_equal 2 [regexp -all {status: NOERROR} $out]
	assert_equal 1 [regexp -all {status: NXDOMAIN} $out]
	assert_match "*198.18.0.25*" $out
	assert_equal 1 [expr {[dict get [dns_stats $d] tcp_conns] - $before}] \
	    "connections kdig made"
}

test "faildns: two pipelined queries written at once on one connection" {
	set d [start_dns $static_conf]
	set ch [faild_connect $d]
	set q1 [dns_query 4242 mail.example.com 1]
	set q2 [dns_query 4343 nope.example.com 1]
	puts -nonewline $ch [binary format S [string length $q1]]$q1[binary \
	    format S [string length $q2]]$q2
	flush $ch
	set a1 [dns_header [tcp_read_msg $ch]]
	set a2 [dns_header [tcp_read_msg $ch]]
	assert_equal 4242 [dict get $a1 id]
	assert_equal 0 [dict get $a1 rcode]
	assert_equal 1 [dict get $a1 an]
	assert_equal 4343 [dict get $a2 id]
	assert_equal 3 [dict get $a2 rcode] "NXDOMAIN"
	# A third after a pause, on the same connection.
	set q3 [dns_query 4444 example.com 6]
	puts -nonewline $ch [binary format S [string length $q3]]$q3
	flush $ch
	set a3 [dns_header [tcp_read_msg $ch]]
	assert_equal 4444 [dict get $a3 id]
	assert_equal 1 [dict get $a3 an]
}

# ----------------------------------------------------------------------
# Failover names following a faild.

# The conf of the mode tests: source a is the faild F.
proc modes_conf {f} {
	return "
zone example.com:
	file example.com.zone
source a:
	faild [dict get $f addr]:[dict get $f port]
pool two:
	member 198.18.0.10 primary service web1
	member 198.18.0.11 primary service web2
	member 198.18.0.20 backup service web3
	member 198.18.0.30 offsite service off1
pool wpool:
	member 198.18.0.40 weight 3 service w1
	member 198.18.0.41 weight 1 service w2
name www.example.com:
	pool two
	select all
	ttl 30
name ordered.example.com:
	pool two
	select ordered
name rotate.example.com:
	pool two
	select rotate
name weighted.example.com:
	pool wpool
	select weighted 1
"
}

proc all_up {f services} {
	foreach s $services {
		setstate $f $s UP
	}
}

test "faildns: select all, ordered, rotate with a faild's states" {
	set f [start_faild]
	all_up $f {web1 web2 web3 off1}
	set d [start_dns [modes_conf $f]]
	wait_for {[lsort [answer_of $d www.example.com]] eq
	    {198.18.0.10 198.18.0.11}} 5000 "both primaries"
	assert_equal {198.18.0.10} [answer_of $d ordered.example.com]
	# rotate: successive answers take the two orders in turn.
	set seen {}
	for {set i 0} {$i < 4} {incr i} {
		lappend seen [answer_of $d rotate.example.com]
	}
	assert_equal [lsort [lindex $seen 0]] {198.18.0.10 198.18.0.11}
	assert_true {[lindex $seen 0] ne [lindex $seen 1]} "rotated: $seen"
	assert_equal [lindex $seen 0] [lindex $seen 2] "in turn: $seen"
	assert_equal 2 [llength [lsort -unique $seen]] "$seen"
	# Through a CNAME as well (the chain's answer is not a fixed copy).
	set seen {}
	for {set i 0} {$i < 4} {incr i} {
		lappend seen [rdatas [dig $d rot-alias.example.com A] answer A]
	}
	assert_equal 2 [llength [lsort -unique $seen]] "via CNAME: $seen"
	# ordered: only the first up, the second when the first goes.
	setstate $f web1 FAIL
	wait_for {[answer_of $d ordered.example.com] eq {198.18.0.11}}
	assert_equal {198.18.0.11} [answer_of $d www.example.com]
	assert_equal {198.18.0.11} [answer_of $d rotate.example.com]
	wait_for_log $d "*pool two: member 198.18.0.10 up -> down*"
}

test "faildns: select weighted 1: over 100 answers the shares follow 3:1" {
	set f [start_faild]
	all_up $f {w1 w2}
	set d [start_dns [modes_conf $f]]
	wait_for_log $d "*member 198.18.0.40 unknown -> up*"
	wait_for_log $d "*member 198.18.0.41 unknown -> up*"
	set count(198.18.0.40) 0
	set count(198.18.0.41) 0
	# One kdig asking 100 times over one TCP connection.
	set qs {}
	for {set i 0} {$i < 100} {incr i} {
		lappend qs weighted.example.com A
	}
	set r [run_prog -timeout 30000 kdig @[dict get $d addr] \
	    -p [dict get $d port] +tcp +keepopen +norec +short {*}$qs]
	foreach a [split [string trim [dict get $r stdout]] \n] {
		incr count([string trim $a])
	}
	assert_equal 100 [expr {$count(198.18.0.40) + $count(198.18.0.41)}] \
	    "answers: [array get count]"
	assert_true {$count(198.18.0.40) >= 65 && $count(198.18.0.40) <= 85} \
	    "weight 3 of 4 about 75: [array get count]"
	assert_true {$count(198.18.0.41) >= 15} "[array get count]"
	# The same through a CNAME: its answers take the name's turns.
	set count(198.18.0.40) 0
	set count(198.18.0.41) 0
	set qs {}
	for {set i 0} {$i < 100} {incr i} {
		lappend qs w-alias.example.com A
	}
	set r [run_prog -timeout 30000 kdig @[dict get $d addr] \
	    -p [dict get $d port] +tcp +keepopen +norec +short {*}$qs]
	foreach a [split [string trim [dict get $r stdout]] \n] {
		if {[string match 198.* $a]} {
			incr count([string trim $a])
		}
	}
	assert_equal 100 [expr {$count(198.18.0.40) + $count(198.18.0.41)}] \
	    "answers via CNAME: [array get count]"
	assert_true {$count(198.18.0.40) >= 65 && $count(198.18.0.40) <= 85} \
	    "via CNAME, weight 3 of 4 about 75: [array get count]"
}

test "faildns: levels: primaries down -> backup; onsite down -> offsite" {
	set f [start_faild]
	all_up $f {web1 web2 web3 off1}
	set d [start_dns [modes_conf $f]]
	wait_for {[lsort [answer_of $d www.example.com]] eq
	    {198.18.0.10 198.18.0.11}}
	set r [dig $d fmx.example.com MX]
	assert_equal {198.18.0.10 198.18.0.11} [lsort [rdatas $r additional A]]
	setstate $f web1 FAIL
	setstate $f web2 FAIL
	wait_for {[answer_of $d www.example.com] eq {198.18.0.20}} 5000 \
	    "the backup"
	assert_equal {198.18.0.20} [answer_of $d ordered.example.com]
	# Through a CNAME chain too (compiled answers follow the change).
	set r [dig $d chain.example.com A]
	assert_equal {198.18.0.20} [rdatas $r answer A]
	setstate $f web3 FAIL
	wait_for {[answer_of $d www.example.com] eq {198.18.0.30}} 5000 \
	    "offsite"
	set r [dig $d chain.example.com A]
	assert_equal {198.18.0.30} [rdatas $r answer A] "chain after change"
	# An MX whose exchange is the failover name: its glue follows too.
	set r [dig $d fmx.example.com MX]
	assert_equal {{10 www.example.com.}} [rdatas $r answer MX]
	assert_equal {198.18.0.30} [rdatas $r additional A] "MX glue"
	wait_for_log $d "*name www.example.com: 198.18.0.30 (offsite)*"
	# Back: the primary again.
	setstate $f web2 UP
	wait_for {[answer_of $d www.example.com] eq {198.18.0.11}}
	set r [dig $d chain.example.com A]
	assert_equal {198.18.0.11} [rdatas $r answer A]
	set r [dig $d fmx.example.com MX]
	assert_equal {198.18.0.11} [rdatas $r additional A] "MX glue"
}

test "faildns: every all-down rule" {
	set f [start_faild]
	all_up $f {ad1 ad2 ad3}
	set conf "
zone example.com:
	file example.com.zone
source a:
	faild [dict get $f addr]:[dict get $f port]
pool ad:
	member 198.18.2.1 primary service ad1
	member 198.18.2.2 backup service ad2
	member 198.18.2.3 offsite service ad3
"
	foreach {n rule} {all all fallback {fallback 198.18.9.9 198.18.9.8}
	    offsite offsite nodata nodata servfail servfail} {
		append conf "name ad-$n.example.com:\n\tpool ad\n\talldown\
		    $rule\n"
	}
	set d [start_dns $conf]
	foreach n {all fallback offsite nodata servfail} {
		wait_for {[answer_of $d ad-$n.example.com] eq {198.18.2.1}} \
		    5000 "ad-$n on its primary"
	}
	foreach s {ad1 ad2 ad3} {
		setstate $f $s FAIL
	}
	wait_for {[answer_of $d ad-servfail.example.com] eq "SERVFAIL"}
	assert_equal {198.18.2.1 198.18.2.2 198.18.2.3} \
	    [lsort [answer_of $d ad-all.example.com]]
	assert_equal {198.18.9.8 198.18.9.9} \
	    [lsort [answer_of $d ad-fallback.example.com]]
	assert_equal {198.18.2.3} [answer_of $d ad-offsite.example.com]
	set r [dig $d ad-nodata.example.com A]
	assert_equal NOERROR [dict get $r status]
	assert_equal {} [dict get $r answer]
	assert_equal SOA [rtypes $r authority]
	assert_true {[has_flag $r aa]}
	wait_for_log $d "*name ad-nodata.example.com: NODATA (all down:\
	    nodata)*"
}

# Pools of watched members only (no static member), one per unknown rule.
proc unknown_conf {faild_spec} {
	set conf "
zone example.com:
	file example.com.zone
source a:
	faild $faild_spec
"
	foreach {n rule} {last last all all servfail servfail} {
		append conf "pool p$n:
	member 198.18.4.1 service u1
	member 198.18.4.2 service u2
name unk-$n.example.com:
	pool p$n
	unknown $rule
"
	}
	return $conf
}

test "faildns: unknown rule before any state: last vs all vs servfail" {
	set nowhere 127.0.0.1:[free_port]
	set state $::tmpdir/unknown.state
	file delete $state
	# No state file yet: "last" answers as "all".
	set d [start_dns [unknown_conf $nowhere] -statefile $state]
	assert_equal {198.18.4.1 198.18.4.2} \
	    [lsort [answer_of $d unk-last.example.com]]
	assert_equal {198.18.4.1 198.18.4.2} \
	    [lsort [answer_of $d unk-all.example.com]]
	assert_equal SERVFAIL [answer_of $d unk-servfail.example.com]
	stop_daemon $d
	# A run with a faild: u1 FAIL, u2 UP, persisted.
	set f [start_faild]
	setstate $f u1 FAIL
	setstate $f u2 UP
	set d [start_dns [unknown_conf \
	    [dict get $f addr]:[dict get $f port]] -statefile $state]
	wait_for {[answer_of $d unk-last.example.com] eq {198.18.4.2}}
	wait_for {[string match "*plast 198.18.4.1 down*" [read_file $state]]
	    && [string match "*plast 198.18.4.2 up*" [read_file $state]]} \
	    5000 "the states in $state"
	stop_daemon $d
	stop_daemon $f
	# Again without any faild: last = the persisted states.
	set d [start_dns [unknown_conf $nowhere] -statefile $state]
	wait_for_log $d "*member states from before*"
	assert_equal {198.18.4.2} [answer_of $d unk-last.example.com]
	assert_equal {198.18.4.1 198.18.4.2} \
	    [lsort [answer_of $d unk-all.example.com]]
	assert_equal SERVFAIL [answer_of $d unk-servfail.example.com]
}

test "faildns: scope domain: down in one pool is down for the zone" {
	set f [start_faild]
	all_up $f {s1 s2 s3 other c1 c2}
	set d [start_dns "
zone example.com:
	file example.com.zone
source a:
	faild [dict get $f addr]:[dict get $f port]
pool d1:
	member 198.18.3.1 service s1
	member 198.18.3.2 service s2
	scope domain
pool d2:
	member 198.18.3.1 service other
	member 198.18.3.3 service s3
pool n1:
	member 198.18.3.4 service c1
	member 198.18.3.5 service c2
pool n2:
	member 198.18.3.4 service other
	member 198.18.3.6 service c2
name dom1.example.com:
	pool d1
name dom2.example.com:
	pool d2
name nam1.example.com:
	pool n1
name nam2.example.com:
	pool n2
"]
	wait_for {[lsort [answer_of $d dom2.example.com]] eq
	    {198.18.3.1 198.18.3.3}}
	wait_for {[lsort [answer_of $d nam2.example.com]] eq
	    {198.18.3.4 198.18.3.6}}
	setstate $f s1 FAIL
	setstate $f c1 FAIL
	wait_for {[answer_of $d dom1.example.com] eq {198.18.3.2}}
	wait_for {[answer_of $d nam1.example.com] eq {198.18.3.5}}
	# d1 has scope domain: 198.18.3.1 is down for dom2 as well ...
	wait_for {[answer_of $d dom2.example.com] eq {198.18.3.3}} 5000 \
	    "dom2 without 198.18.3.1"
	# ... while n1 has scope name: nam2 keeps 198.18.3.4.
	assert_equal {198.18.3.4 198.18.3.6} \
	    [lsort [answer_of $d nam2.example.com]]
	setstate $f s1 UP
	wait_for {[lsort [answer_of $d dom2.example.com]] eq
	    {198.18.3.1 198.18.3.3}}
}

# ----------------------------------------------------------------------
# K of N: two failds vote.

test "faildns: agree 2 of two failds; a lost source keeps its last view" {
	set fa [start_faild]
	set fb [start_faild]
	foreach f [list $fa $fb] {
		all_up $f {k1 k2}
	}
	set d [start_dns "
zone example.com:
	file example.com.zone
source a:
	faild [dict get $fa addr]:[dict get $fa port]
source b:
	faild [dict get $fb addr]:[dict get $fb port]
pool k:
	member 198.18.6.1 service k1
	member 198.18.6.2 service k2
	agree 2
name k.example.com:
	pool k
"]
	wait_for {[lsort [answer_of $d k.example.com]] eq
	    {198.18.6.1 198.18.6.2}}
	setstate $fa k1 FAIL
	# One of two says down: still answered (wait for the vote counted).
	wait_for {[lindex [monitor_record $d k/198.18.6.1] 3] eq
	    "down=1/2,up=1,agree=2"} 5000 "one vote down"
	assert_equal {198.18.6.1 198.18.6.2} \
	    [lsort [answer_of $d k.example.com]]
	setstate $fb k1 FAIL
	wait_for {[answer_of $d k.example.com] eq {198.18.6.2}} 5000 \
	    "198.18.6.1 gone with two votes"
	wait_for_log $d "*member 198.18.6.1 up -> down (2 of 2 sources say\
	    down*"
	# Source a goes: faildns keeps its view; the status says so.
	kill_daemon $fa
	wait_for_log $d "*source a (*): *keeping its last view*"
	set r [run_prog $::failstat -p [dict get $d mport] [dict get $d addr]]
	assert_regexp {(?n)^source/a\s+FAIL\s} [dict get $r stdout]
	assert_regexp {(?n)^source/b\s+UP\s} [dict get $r stdout]
	assert_equal {198.18.6.2} [answer_of $d k.example.com]
	assert_equal 0 [lines_matching $d "*every source is unreachable*"]
	# Both gone: the last known states still answer.
	kill_daemon $fb
	wait_for_log $d "*every source is unreachable*"
	assert_equal {198.18.6.2} [answer_of $d k.example.com]
	set r [run_prog $::failstat -p [dict get $d mport] [dict get $d addr]]
	assert_regexp {(?n)^source/b\s+FAIL\s} [dict get $r stdout]
	assert_regexp {(?n)^k/198.18.6.1\s+FAIL\s} [dict get $r stdout]
	assert_regexp {(?n)^k/198.18.6.2\s+UP\s} [dict get $r stdout]
	# b comes back (its state file says k1 FAIL) and sets k1 UP: a's
	# kept view says FAIL, one vote of two: up again.
	set fb [restart $fb]
	wait_for_log $d "*source b is back: states are current again*" 5000
	assert_equal {198.18.6.2} [answer_of $d k.example.com]
	setstate $fb k1 UP
	wait_for {[lsort [answer_of $d k.example.com]] eq
	    {198.18.6.1 198.18.6.2}} 5000 "198.18.6.1 back with one vote down"
	assert_equal "down=1/2,up=1,agree=2" \
	    [lindex [monitor_record $d k/198.18.6.1] 3]
}

test "faildns: a stopped faild (SIGSTOP) is seen as a lost source; back after SIGCONT" {
	set f [start_faild]
	all_up $f {s1}
	set d [start_dns "
zone example.com:
	file example.com.zone
source a:
	faild [dict get $f addr]:[dict get $f port]
pool s:
	member 198.18.7.1 service s1
name s.example.com:
	pool s
"]
	wait_for {[answer_of $d s.example.com] eq {198.18.7.1}}
	pause_daemon $f
	# Its kernel keeps the stream open: the pings tell.
	wait_for_log $d "*source a (*): no answer to a ping*" 10000
	set r [run_prog $::failstat -p [dict get $d mport] [dict get $d addr]]
	assert_regexp {(?n)^source/a\s+FAIL\s} [dict get $r stdout]
	assert_equal {198.18.7.1} [answer_of $d s.example.com]
	resume_daemon $f
	wait_for {[lines_matching $d "*source a (*): following its states*"]
	    == 2} 15000 "source a followed again"
	setstate $f s1 FAIL
	wait_for {[answer_of $d s.example.com] eq {198.18.7.1}} 5000
	wait_for_log $d "*member 198.18.7.1 up -> down*"
}

# ----------------------------------------------------------------------
# Reload and -t.

test "faildns: SIGHUP: a new name answers; states carried over" {
	set f [start_faild]
	all_up $f {web1 web2 web3 off1}
	set d [start_dns [modes_conf $f]]
	setstate $f web1 FAIL
	wait_for {[answer_of $d www.example.com] eq {198.18.0.11}}
	assert_equal NXDOMAIN [answer_of $d new.example.com]
	write_file [dict get $d conf] "[modes_conf $f]
name new.example.com:
	pool two
	select ordered
"
	exec kill -HUP [dict get $d pid]
	wait_for_log $d "*reloaded*"
	assert_equal {198.18.0.11} [answer_of $d new.example.com]
	assert_equal {198.18.0.11} [answer_of $d www.example.com]
}

test "faildns: SIGHUP with a broken conf or zone keeps the old answers" {
	set f [start_faild]
	all_up $f {web1 web2 web3 off1}
	set d [start_dns [modes_conf $f]]
	setstate $f web1 FAIL
	wait_for {[answer_of $d www.example.com] eq {198.18.0.11}}
	set good [read_file [dict get $d conf]]
	# A broken conf: line 5 (after the leading blank line) is bad.
	set lines [split $good \n]
	set bad [join [lreplace $lines 5 5 "\tfaild 300.1.1.1:1847 extra"] \n]
	write_file [dict get $d conf] $bad
	exec kill -HUP [dict get $d pid]
	set line [wait_for_log $d "*reload refused*"]
	assert_match "*[dict get $d conf]:6:*" $line
	assert_equal {198.18.0.11} [answer_of $d www.example.com]
	assert_equal {198.18.0.25} [answer_of $d mail.example.com]
	# A broken zone: the conf is fine, the zone file is not.
	write_file [dict get $d conf] $good
	set zf [file dirname [dict get $d conf]]/example.com.zone
	set zone [read_file $zf]
	write_file $zf "$zone\nbroken\tIN A 300.300.300.300\n"
	set nz [llength [split [read_file $zf] \n]]
	exec kill -HUP [dict get $d pid]
	wait_for {[lines_matching $d "*reload refused*"] == 2}
	set refused [lindex [lsearch -all -inline [split [daemon_log $d] \n] \
	    "*reload refused*"] end]
	assert_match "*example.com.zone:[expr {$nz - 1}]:*" $refused
	assert_equal {198.18.0.11} [answer_of $d www.example.com]
	assert_equal NXDOMAIN [answer_of $d broken.example.com]
	# States kept: web1 back is seen, then the fixed zone loads.
	write_file $zf $zone
	setstate $f web1 UP
	wait_for {[lsort [answer_of $d www.example.com]] eq
	    {198.18.0.10 198.18.0.11}}
	exec kill -HUP [dict get $d pid]
	wait_for_log $d "*reloaded*"
	assert_equal {198.18.0.10 198.18.0.11} \
	    [lsort [answer_of $d www.example.com]]
}

test "faildns -t: exit 0 with each name's worst case; file:line if bad" {
	set dir $::tmpdir/check
	file mkdir $dir
	file copy -force $::dns_fixtures/example.com.zone $dir
	write_file $dir/ok.conf {
zone example.com:
	file example.com.zone
source a:
	faild 127.0.0.1:1
pool web:
	member 198.18.0.10 service web1
	detect 20
name www.example.com:
	pool web
	ttl 5
name other.example.com:
	pool web
}
	set r [expect_exit 0 $::faildns -t -f $dir/ok.conf]
	set out [dict get $r stdout]
	assert_match "*www.example.com: *worst case 25 s (detection 20 + ttl\
	    5)*" $out
	assert_match "*other.example.com: *worst case 50 s (detection 20 +\
	    ttl 30)*" $out
	write_file $dir/bad.conf "[read_file $dir/ok.conf]\tselect sometimes\n"
	set n [llength [split [string trimright [read_file $dir/bad.conf] \n] \
	    \n]]
	set r [run_prog $::faildns -t -f $dir/bad.conf]
	assert_true {[dict get $r code] ne "0"} "exit [dict get $r code]"
	assert_match "*$dir/bad.conf:$n:*" [dict get $r stderr]
	# A zone with an A at a failover name.
	write_file $dir/example.com.zone "[read_file \
	    $::dns_fixtures/example.com.zone]www IN A 198.18.0.1\n"
	set r [run_prog $::faildns -t -f $dir/ok.conf]
	assert_true {[dict get $r code] ne "0"}
	assert_match "*ok.conf:*example.com.zone:*" [dict get $r stderr]
}

# ----------------------------------------------------------------------
# The monitor port.

test "faildns: failstat lists names, members and sources with states" {
	set f [start_faild]
	all_up $f {web1 web2 web3 off1 w1 w2}
	set d [start_dns [modes_conf $f]]
	setstate $f web1 FAIL
	wait_for {[answer_of $d www.example.com] eq {198.18.0.11}}
	set r [run_prog $::failstat -p [dict get $d mport] [dict get $d addr]]
	set out [dict get $r stdout]
	assert_regexp {(?n)^www.example.com\s+UP\s.*best_level} $out
	assert_regexp {(?n)^two/198.18.0.10\s+FAIL\s.*down=1/1} $out
	assert_regexp {(?n)^two/198.18.0.11\s+UP\s} $out
	assert_regexp {(?n)^source/a\s+UP\s} $out
	assert_regexp {(?n)^weighted.example.com\s+UP\s} $out
	setstate $f web2 FAIL
	wait_for {[answer_of $d www.example.com] eq {198.18.0.20}}
	set out [dict get [run_prog $::failstat -p [dict get $d mport] \
	    [dict get $d addr] www.example.com] stdout]
	assert_regexp {(?n)^www.example.com\s+RECOVER\s.*backup_level} $out
}

test "faildns: faildebug, ping, version and show on the monitor port" {
	set f [start_faild]
	all_up $f {web1 web2 web3 off1}
	set d [start_dns [modes_conf $f]]
	set m [monitor_of $d]
	set r [expect_exit 0 $::faildebug -h [dict get $d addr]:[dict get $d \
	    mport]]
	assert_regexp {(?n)^dns \d} [dict get $r stdout]
	expect_exit 0 $::faildebug -h [dict get $d addr]:[dict get $d mport] \
	    dns=2
	dig $d mail.example.com A
	wait_for_log $d "*udp mail.example.com. type 1 from *: NOERROR"
	assert_match "1 OK pong *" [faild_tcp $m "1 ping"]
	assert_match "2 OK failover * proto *" [faild_tcp $m "2 version"]
	# failc cannot set anything here.
	set r [run_prog $::failc -h [dict get $d addr]:[dict get $d mport] \
	    www.example.com UP]
	assert_true {[dict get $r code] ne "0"}
	wait_for {[lsort [answer_of $d www.example.com]] eq
	    {198.18.0.10 198.18.0.11}}
	set a [faild_tcp $m "3 show www.example.com"]
	assert_match "3 OK www.example.com UP * best_level two all 30 *" $a
	assert_match "*198.18.0.10%20198.18.0.11*" $a
	assert_match "*2%20up%20at%20level%20primary*" $a
	assert_equal {two/198.18.0.20 UP} [lrange [monitor_record $d \
	    two/198.18.0.20] 0 1]
	assert_match "5 ERR 404 *" [faild_tcp $m "5 show nope.example.com"]
}

# ----------------------------------------------------------------------
# Robustness.

# Random bytes of length n.
proc random_bytes {n} {
	set s ""
	for {set i 0} {$i < $n} {incr i} {
		append s [binary format c [expr {int(rand() * 256)}]]
	}
	return $s
}

test "faildns: malformed queries: FORMERR (compression loops too) or none" {
	set d [start_dns $static_conf]
	set hdr [binary format SSSSSS 77 0 1 0 0 0]
	set q [dns_name example.com]\x00\x06\x00\x01
	set opt \x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00
	foreach {what msg rcode} [list \
	    "pointer to itself" "$hdr\xc0\x0c\x00\x01\x00\x01" 1 \
	    "pointer forward" "$hdr\x03www\xc0\x12\x00\x01\x00\x01" 1 \
	    "pointer loop of two" "$hdr\xc0\x0e\xc0\x0c\x00\x01\x00\x01" 1 \
	    "truncated question" "$hdr\x03www" 1 \
	    "header alone" $hdr 1 \
	    "two questions" "[binary format SSSSSS 77 0 2 0 0 0]$q$q" 1 \
	    "no question" [binary format SSSSSS 77 0 0 0 0 0] 1 \
	    "a name over 255 bytes" "$hdr[string repeat \
	    "\x3f[string repeat a 63]" 5]\x00\x00\x01\x00\x01" 1 \
	    "two OPT records" "[binary format SSSSSS 77 0 1 0 0 2]$q$opt$opt" 1 \
	    "counts beyond the data" "[binary format SSSSSS 77 0 1 3 0 0]$q" 1 \
	    "a response (QR set)" "[binary format SSSSSS 77 0x8000 1 0 0 0]$q" \
	    none] {
		set a [udp_ask $d $msg 1000]
		if {$rcode eq "none"} {
			assert_equal "" $a "$what: answered"
			continue
		}
		assert_true {$a ne ""} "$what: no answer"
		set h [dns_header $a]
		assert_equal 77 [dict get $h id] $what
		assert_equal $rcode [dict get $h rcode] "$what: rcode"
		assert_equal 1 [dict get $h qr] $what
		assert_equal 0 [dict get $h an] $what
	}
	# And then the well-formed are answered as ever.
	assert_equal {198.18.0.25} [answer_of $d mail.example.com]
}

test "faildns: malformed datagrams and 200 stalled TCP connections" {
	set d [start_dns $static_conf]
	set hdr [binary format SSSSSS 77 0 1 0 0 0]
	set bad [list "" "\x00" [string range $hdr 0 5] $hdr \
	    "$hdr\xc0\x0c\x00\x01\x00\x01" \
	    "$hdr\x03www\xc0\x0c\x00\x01\x00\x01" \
	    "$hdr\x03www\xc0\x12\x00\x01\x00\x01" \
	    "$hdr\x01a\xc0\x0e\x00\x01\x00\x01" \
	    "$hdr\x3fabc\x00\x00\x01\x00\x01" \
	    "$hdr\x40abc\x00\x00\x01\x00\x01" \
	    [binary format SSSSSS 78 0 1 0 0 65535][dns_name example.com]]
	for {set i 0} {$i < 300} {incr i} {
		lappend bad [random_bytes [expr {int(rand() * 600)}]]
		lappend bad "$hdr[random_bytes [expr {int(rand() * 40)}]]"
	}
	set s [udp_open]
	fconfigure $s -translation binary -buffering none -blocking 0 \
	    -remote [list [dict get $d addr] [dict get $d port]]
	foreach msg $bad {
		puts -nonewline $s $msg
		catch {flush $s}
	}
	close $s
	# 200 stalled TCP connections from 8 addresses: half say nothing,
	# half send one byte of a length prefix.
	set stalled {}
	for {set i 0} {$i < 200} {incr i} {
		# -async: a server that stops accepting must fail the test,
		# not hang it in connect().
		set ch [socket -async -myaddr 127.0.1.[expr {1 + $i % 8}] \
		    [dict get $d addr] [dict get $d port]]
		fconfigure $ch -translation binary -blocking 0 -buffering none
		set harness::conns($ch) 1
		if {$i % 2} {
			puts -nonewline $ch "\x00"
		}
		lappend stalled $ch
	}
	# Every one of them has its own thread at faildns by now.
	wait_for {[dict get [dns_stats $d] tcp_conns] >= 200} 10000 \
	    "200 connections accepted"
	set t0 [clock milliseconds]
	set r [dig $d +time=5 mail.example.com A]
	assert_equal {198.18.0.25} [rdatas $r answer A] "udp"
	set r [run_prog -timeout 20000 dig +norec +tcp +time=5 +tries=1 \
	    -b 127.0.2.1 @[dict get $d addr] -p [dict get $d port] \
	    mail.example.com A]
	set r [dig_parse [dict get $r stdout]]
	assert_equal {198.18.0.25} [rdatas $r answer A] "tcp: [dict get $r raw]"
	# From one of the stalling addresses too.
	set r [run_prog -timeout 20000 dig +norec +tcp +time=5 +tries=1 \
	    -b 127.0.1.3 @[dict get $d addr] -p [dict get $d port] \
	    www.example.com A]
	set r [dig_parse [dict get $r stdout]]
	assert_equal {198.18.0.10 198.18.0.11} [lsort [rdatas $r answer A]] \
	    "tcp from a stalling address"
	assert_true {[clock milliseconds] - $t0 < 10000}
	# The well-formed among the bad got answers, the rest nothing, and
	# the daemon lives.
	assert_true {[daemon_alive $d]}
	set st [dns_stats $d]
	assert_true {[dict get $st dropped] > 0} "dropped: $st"
	foreach ch $stalled {
		conn_close $ch
	}
}

harness_done
