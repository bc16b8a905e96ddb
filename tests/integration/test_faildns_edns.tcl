# test_faildns_edns.tcl: faildns against the checks of ISC's DNS compliance
# tool (genreport, DNS-Compliance-Testing), each its dig command line as a
# test: no EDNS, EDNS 0, EDNS 1 (BADVERS), unknown options and flags, DO,
# truncation at a small buffer, TCP, an unknown opcode, an unknown type,
# plus client subnet (ECS). Also asked with kdig where it speaks EDNS.

source [file join [file dirname [info script]] harness.tcl]
source [file join [file dirname [info script]] faildns dns.tcl]

set conf {
zone example.com:
	file example.com.zone
pool web:
	member 198.18.0.10
	member 198.18.0.11
name www.example.com:
	pool web
	ttl 30
}

# One faildns for the file (started outside any test, so it stays): every
# test only asks.
set d [start_dns $conf]

proc soa_answer {r what} {
	assert_equal 1 [llength [rdatas $r answer SOA]] "$what: the SOA:\
	    [dict get $r raw]"
	assert_true {[has_flag $r aa]} "$what: AA"
}

test "edns: dns (no EDNS): SOA, no OPT in the answer" {
	set r [dig $::d +noedns +noad SOA example.com]
	assert_equal NOERROR [dict get $r status]
	soa_answer $r dns
	assert_equal 0 [dict get $r edns] "OPT in an answer to plain DNS"
}

test "edns: edns (EDNS 0): OPT echoed with version 0, no options" {
	set r [dig $::d +edns=0 +nocookie +noad SOA example.com]
	assert_equal NOERROR [dict get $r status]
	soa_answer $r edns
	assert_equal 1 [dict get $r edns]
	assert_equal 0 [dict get $r ednsver]
	assert_equal {} [dict get $r ednsflags]
	assert_equal {} [dict get $r options] "unsolicited options"
	assert_true {[dict get $r udp] >= 512} "udp [dict get $r udp]"
}

test "edns: edns1 (EDNS 1): BADVERS, OPT version 0, no answer" {
	set r [dig $::d +edns=1 +noednsneg +nocookie +noad SOA example.com]
	assert_equal BADVERS [dict get $r status]
	assert_equal 1 [dict get $r edns]
	assert_equal 0 [dict get $r ednsver]
	assert_equal {} [dict get $r answer]
	# kdig sees the same extended rcode.
	set k [run_prog kdig @[dict get $::d addr] -p [dict get $::d port] \
	    +norec +edns=1 SOA example.com]
	assert_match "*status: BADVERS*" [dict get $k stdout]
	assert_match "*Version: 0;*" [dict get $k stdout]
}

test "edns: ednsopt (unknown option 100): answered without it" {
	set r [dig $::d +edns=0 +nocookie +noad +ednsopt=100 SOA example.com]
	assert_equal NOERROR [dict get $r status]
	soa_answer $r ednsopt
	assert_equal 0 [dict get $r ednsver]
	assert_equal {} [dict get $r options] "options echoed"
	assert_true {![string match "*OPT=100*" [dict get $r raw]]}
	set r [dig $::d +edns=0 +nocookie +ednsopt=65001:deadbeef SOA \
	    example.com]
	assert_equal {} [dict get $r options]
	# With EDNS 1 as well: BADVERS, still without the option.
	set r [dig $::d +edns=1 +noednsneg +nocookie +noad +ednsopt=100 SOA \
	    example.com]
	assert_equal BADVERS [dict get $r status]
	assert_equal {} [dict get $r options]
}

test "edns: ednsflags (unknown flags 0x40, 0x80): zeroed in the answer" {
	foreach fl {0x40 0x0080 0x7fff} {
		set r [dig $::d +edns=0 +nocookie +noad +ednsflags=$fl SOA \
		    example.com]
		assert_equal NOERROR [dict get $r status] $fl
		soa_answer $r ednsflags
		assert_equal "" [dict get $r mbz] "$fl: MBZ bits answered"
		assert_equal {} [dict get $r ednsflags] $fl
	}
}

test "edns: do (DO bit): echoed" {
	set r [dig $::d +edns=0 +nocookie +noad +dnssec SOA example.com]
	assert_equal NOERROR [dict get $r status]
	soa_answer $r do
	assert_equal do [dict get $r ednsflags]
	# Without it: not set.
	set r [dig $::d +edns=0 +nocookie SOA example.com]
	assert_equal {} [dict get $r ednsflags]
}

test "edns: edns@512: a large answer at +bufsize=512 is truncated" {
	set r [dig $::d +edns=0 +nocookie +noad +dnssec +ignore +bufsize=512 \
	    TXT big.example.com]
	assert_equal NOERROR [dict get $r status]
	assert_true {[has_flag $r tc]} "TC: [dict get $r flags]"
	assert_equal 1 [dict get $r edns] "OPT in the truncated answer"
	assert_equal 0 [dict get $r ednsver]
	assert_equal do [dict get $r ednsflags]
	regexp {MSG SIZE\s+rcvd: (\d+)} [dict get $r raw] -> size
	assert_true {$size <= 512} "$size bytes"
	# A buffer under 512 counts as 512 (RFC 6891 6.2.5).
	set r [dig $::d +edns=0 +nocookie +ignore +bufsize=100 TXT \
	    big.example.com]
	regexp {MSG SIZE\s+rcvd: (\d+)} [dict get $r raw] -> size
	assert_true {$size <= 512} "$size bytes"
	# No EDNS: 512 bytes at most, truncated too.
	set r [dig $::d +noedns +ignore TXT big.example.com]
	assert_true {[has_flag $r tc]}
	# dig retries over TCP by itself and gets all of it.
	set r [dig $::d +edns=0 +nocookie +bufsize=512 TXT big.example.com]
	assert_true {![has_flag $r tc]}
	assert_equal 20 [llength [rdatas $r answer TXT]]
	assert_match "*(TCP)*" [dict get $r raw]
	# A buffer of 4096: faildns sends at most the 1232 it advertises
	# (DNS flag day 2020), so this answer (over 2000 bytes) is truncated
	# still; an answer that fits goes whole.
	set r [dig $::d +edns=0 +nocookie +bufsize=4096 +ignore TXT \
	    big.example.com]
	assert_true {[has_flag $r tc]}
	assert_equal 1232 [dict get $r udp]
	regexp {MSG SIZE\s+rcvd: (\d+)} [dict get $r raw] -> size
	assert_true {$size <= 1232} "$size bytes"
	set r [dig $::d +edns=0 +nocookie +bufsize=4096 TXT txt.example.com]
	assert_true {![has_flag $r tc]}
	assert_match "*(UDP)*" [dict get $r raw]
	assert_equal 2 [llength [rdatas $r answer TXT]]
}

test "edns: tcp and ednstcp: SOA over TCP, the large answer whole" {
	set r [dig $::d +noedns +noad +tcp SOA example.com]
	assert_equal NOERROR [dict get $r status]
	soa_answer $r tcp
	assert_equal 0 [dict get $r edns]
	set r [dig $::d +edns=0 +nocookie +noad +dnssec +bufsize=512 +tcp \
	    TXT big.example.com]
	assert_equal NOERROR [dict get $r status]
	assert_true {![has_flag $r tc]}
	assert_equal 20 [llength [rdatas $r answer TXT]]
	assert_equal do [dict get $r ednsflags]
}

test "edns: opcode 15: NOTIMP" {
	set r [dig $::d +noedns +noad +header-only +opcode=15]
	assert_equal NOTIMP [dict get $r status]
	assert_equal RESERVED15 [dict get $r opcode]
	assert_true {[has_flag $r qr]}
	assert_true {![has_flag $r aa]}
	# opcodeflg: every header flag set on the way in.
	set r [dig $::d +noedns +header-only +opcode=15 +tcflag +rec \
	    +raflag +cd +ad +aaflag +zflag]
	assert_equal NOTIMP [dict get $r status]
	assert_true {![has_flag $r ra] && ![has_flag $r aa] &&
	    ![has_flag $r tc]} "flags: [dict get $r flags]"
	# With a question and EDNS: NOTIMP too.
	set r [dig $::d +edns=0 +nocookie +opcode=15 SOA example.com]
	assert_equal NOTIMP [dict get $r status]
}

test "edns: opcode 15 with EDNS: the NOTIMP carries an OPT (RFC 6891 6.1.1)" {
	set r [dig $::d +edns=0 +nocookie +opcode=15 SOA example.com]
	assert_equal NOTIMP [dict get $r status]
	assert_true {[dict get $r edns]} "no OPT in the NOTIMP"
	assert_equal 0 [dict get $r ednsver]
}

test "edns: type666 and TYPE1234: NODATA with the SOA" {
	foreach t {TYPE666 TYPE1234} {
		set r [dig $::d +noedns +noad $t example.com]
		assert_equal NOERROR [dict get $r status] $t
		assert_equal {} [dict get $r answer] $t
		assert_equal SOA [rtypes $r authority] $t
		assert_true {[has_flag $r aa]}
	}
	# At a failover name too.
	set r [dig $::d +noedns TYPE1234 www.example.com]
	assert_equal NOERROR [dict get $r status]
	assert_equal SOA [rtypes $r authority]
}

test "edns: zflag and the header flags: answered, Z not echoed" {
	set r [dig $::d +noedns +noad +zflag SOA example.com]
	assert_equal NOERROR [dict get $r status]
	soa_answer $r zflag
	assert_true {![string match "*MBZ*" [dict get $r raw]]} \
	    "Z in the answer"
	foreach fl {+aaflag +cd +ad +rec} {
		set r [dig $::d +noedns $fl SOA example.com]
		assert_equal NOERROR [dict get $r status] $fl
		soa_answer $r $fl
		assert_true {![has_flag $r ra]} "$fl: RA"
	}
}

test "edns: subnet (ECS): the option echoed with scope 0" {
	set r [dig $::d +edns=0 +nocookie +subnet=198.18.0.0/24 A \
	    www.example.com]
	assert_equal NOERROR [dict get $r status]
	assert_equal {198.18.0.10 198.18.0.11} [addrs $r]
	assert_equal {{CLIENT-SUBNET 198.18.0.0/24/0}} [dict get $r options]
	set r [dig $::d +edns=0 +nocookie +subnet=0.0.0.0/0 SOA example.com]
	assert_equal {{CLIENT-SUBNET 0.0.0.0/0/0}} [dict get $r options]
	set r [dig $::d +edns=0 +nocookie +subnet=2001:db8::/48 SOA \
	    example.com]
	assert_equal {{CLIENT-SUBNET 2001:db8::/48/0}} [dict get $r options]
	set k [run_prog kdig @[dict get $::d addr] -p [dict get $::d port] \
	    +norec +subnet=198.18.0.0/24 A www.example.com]
	assert_match "*198.18.0.0/24/0*" [dict get $k stdout]
}

test "edns: optlist (NSID, ECS, EXPIRE, COOKIE at once): answered" {
	set r [dig $::d +edns=0 +noad +nsid +subnet=0.0.0.0/0 +expire \
	    +cookie=0102030405060708 SOA example.com]
	assert_equal NOERROR [dict get $r status]
	soa_answer $r optlist
	assert_equal 0 [dict get $r ednsver]
	foreach o [dict get $r options] {
		assert_true {[lindex $o 0] in {CLIENT-SUBNET COOKIE}} \
		    "unexpected option $o"
	}
}

test "edns: faildns still runs" {
	assert_true {[daemon_alive $::d]}
}
stop_daemon $d

harness_done
