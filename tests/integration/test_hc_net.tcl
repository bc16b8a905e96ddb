# test_hc_net.tcl: hc's ping and dns checks, run once with hc -x. Ping goes
# to 127.0.0.1 and ::1 over raw and datagram ICMP sockets; its failures
# (unreachable, no reply, no permission) happen in throwaway network
# namespaces, so those tests need root and are skipped otherwise. Dns asks
# fake servers written here: UDP through the harness's fake_udp_server,
# TCP through dns_tcp_server below, answers made with binary format.

source [file join [file dirname [info script]] harness.tcl]

if {![file executable $::hc]} {
	puts "no $::hc: build it first (make hc/hc)"
	puts "0 passed, 1 failed"
	exit 1
}

set ::root [expr {[exec id -u] == 0}]

# hc -x ARGS: the result dict of run_prog, with the exit code checked.
proc hcx {code args} {
	set r [run_prog $::hc -x {*}$args]
	if {[dict get $r code] ne $code} {
		fail "hc -x $args: exit [dict get $r code], expected $code\
		    (stdout \"[string trim [dict get $r stdout]]\", stderr\
		    \"[string trim [dict get $r stderr]]\")"
	}
	return $r
}

# The "ok: ..." or "fail: ..." line without its "(N ms)".
proc result {r} {
	regsub { \(\d+ ms\)\n?$} [dict get $r stdout] "" line
	return $line
}

# Does the host (or the namespace) have ::1 on lo?
proc have_ipv6_lo {{ns ""}} {
	set cmd [list cat /proc/net/if_inet6]
	if {$ns ne ""} {
		set cmd [list ip netns exec $ns {*}$cmd]
	}
	if {[catch {exec {*}$cmd} text]} {
		return 0
	}
	return [string match "*00000000000000000000000000000001*" $text]
}

# ----------------------------------------------------------------------
# ping on the host's loopback

test "ping 127.0.0.1, auto socket" {
	set r [run_prog $::hc -x -t 2s ping 127.0.0.1]
	if {!$::root && [dict get $r code] == 1} {
		assert_match "fail: ping: no permission: *" [result $r]
		skip "not root, and the group is not in ping_group_range"
	}
	assert_equal 0 [dict get $r code] "exit code ([result $r])"
	assert_regexp {^ok: ping 127\.0\.0\.1: reply in \d+\.\d ms$} [result $r]
}

test "ping 127.0.0.1 and ::1 over a raw socket, count 1 and 10" {
	if {!$::root} {
		skip "raw sockets need root"
	}
	set r [hcx 0 -t 2s ping 127.0.0.1 socket raw]
	assert_regexp {^ok: ping 127\.0\.0\.1: reply in \d+\.\d ms$} [result $r]
	set r [hcx 0 -t 2s ping 127.0.0.1 socket raw count 10]
	assert_regexp {^ok: ping 127\.0\.0\.1: reply in } [result $r]
	if {![have_ipv6_lo]} {
		skip "no ::1 on lo (127.0.0.1 passed)"
	}
	set r [hcx 0 -t 2s ping ::1 socket raw count 3]
	assert_regexp {^ok: ping ::1: reply in \d+\.\d ms$} [result $r]
	set r [hcx 0 -t 2s ping {[::1]}]
	assert_regexp {^ok: ping ::1: reply in } [result $r]
}

test "ping: several at once over raw sockets keep their replies apart" {
	if {!$::root} {
		skip "raw sockets need root"
	}
	# Raw sockets all see every reply: each run must pick its own.
	set chs {}
	for {set i 0} {$i < 4} {incr i} {
		lappend chs [spawn_prog $::hc -x -t 2s ping 127.0.0.1 \
		    socket raw count 5]
	}
	foreach ch $chs {
		assert_equal 0 [wait_prog $ch 5000] "exit of a parallel ping"
	}
}

test "ping: bad arguments" {
	set r [hcx 2 ping]
	assert_match "*check ping: needs the address to ping*" \
	    [dict get $r stderr]
	set r [hcx 2 ping 127.0.0.1:80]
	assert_match "*ping takes an address without a port, not\
	    \"127.0.0.1:80\"*" [dict get $r stderr]
	set r [hcx 2 ping {[::1]:7}]
	assert_match "*without a port*" [dict get $r stderr]
	set r [hcx 2 ping 127.0.0.1 count 0]
	assert_match "*option \"count\" must be an integer from 1 to 10, not\
	    \"0\"*" [dict get $r stderr]
	set r [hcx 2 ping 127.0.0.1 count 11]
	assert_match "*from 1 to 10, not \"11\"*" [dict get $r stderr]
	set r [hcx 2 ping 127.0.0.1 count]
	assert_match "*option \"count\" needs a value*" [dict get $r stderr]
	set r [hcx 2 ping 127.0.0.1 socket icmp]
	assert_match "*option \"socket\" must be dgram, raw or auto, not\
	    \"icmp\"*" [dict get $r stderr]
	set r [hcx 2 ping 127.0.0.1 timeout 1]
	assert_match "*unknown option \"timeout\" for check ping (known:\
	    count, socket)*" [dict get $r stderr]
}

# ----------------------------------------------------------------------
# ping in a network namespace of its own: the datagram socket (the
# namespace's ping_group_range is ours to set), no route, no reply, no
# permission.

set ::nsseq 0

# with_netns VAR BODY: run BODY with VAR naming a fresh namespace whose
# lo is up; the namespace goes away afterwards, whatever BODY did.
proc with_netns {var body} {
	if {!$::root || [auto_execok ip] eq ""} {
		skip "needs root and ip(8) for a network namespace"
	}
	set ns hcnet[pid]-[incr ::nsseq]
	if {[catch {exec ip netns add $ns} msg]} {
		skip "cannot create a network namespace: $msg"
	}
	upvar 1 $var v
	set v $ns
	try {
		exec ip netns exec $ns ip link set lo up
		uplevel 1 $body
	} finally {
		catch {exec ip netns del $ns}
	}
}

proc nsexec {ns args} {
	return [exec ip netns exec $ns {*}$args]
}

proc ping_groups {ns range} {
	nsexec $ns sh -c "echo $range > /proc/sys/net/ipv4/ping_group_range"
}

# hc -x in the namespace: its result line.
proc hc_in {ns code args} {
	set r [run_prog ip netns exec $ns $::hc -x {*}$args]
	if {[dict get $r code] ne $code} {
		fail "hc -x $args in $ns: exit [dict get $r code], expected\
		    $code ([string trim [dict get $r stdout]]\
		    [string trim [dict get $r stderr]])"
	}
	return [result $r]
}

# The same as nobody (uid and gid 65534), when setpriv(1) is there.
proc hc_nobody_in {ns code args} {
	if {[auto_execok setpriv] eq ""} {
		skip "no setpriv(1) to drop root"
	}
	set r [run_prog ip netns exec $ns setpriv --reuid 65534 \
	    --regid 65534 --clear-groups $::hc -x {*}$args]
	if {[dict get $r code] ne $code} {
		fail "hc -x $args in $ns as nobody: exit [dict get $r code],\
		    expected $code ([string trim [dict get $r stdout]]\
		    [string trim [dict get $r stderr]])"
	}
	return [result $r]
}

test "ping over a datagram ICMP socket (ping_group_range set)" {
	with_netns ns {
		ping_groups $ns "0 0"
		assert_regexp {^ok: ping 127\.0\.0\.1: reply in \d+\.\d ms$} \
		    [hc_in $ns 0 -t 2s ping 127.0.0.1 socket dgram count 3]
		if {[have_ipv6_lo $ns]} {
			assert_regexp {^ok: ping ::1: reply in \d+\.\d ms$} \
			    [hc_in $ns 0 -t 2s ping ::1 socket dgram]
		} else {
			puts "  (no ::1 in the namespace: IPv6 not tried)"
		}
		# The group is not in the range: refused, and said why.
		ping_groups $ns "1 0"
		assert_equal "fail: ping: datagram ICMP socket: Permission\
		    denied (group not in net.ipv4.ping_group_range)" \
		    [hc_in $ns 1 -t 2s ping 127.0.0.1 socket dgram]
	}
}

test "ping as nobody: datagram socket, or no permission" {
	with_netns ns {
		ping_groups $ns "1 0"
		assert_equal "fail: ping: no permission: not root and group\
		    not in net.ipv4.ping_group_range" \
		    [hc_nobody_in $ns 1 -t 2s ping 127.0.0.1]
		assert_equal "fail: ping: raw socket: Operation not permitted\
		    (needs root or CAP_NET_RAW)" \
		    [hc_nobody_in $ns 1 -t 2s ping 127.0.0.1 socket raw]
		# auto falls to the datagram socket once the group may.
		ping_groups $ns "0 65534"
		assert_regexp {^ok: ping 127\.0\.0\.1: reply in } \
		    [hc_nobody_in $ns 0 -t 2s ping 127.0.0.1]
	}
}

test "ping: network unreachable, at once" {
	with_netns ns {
		ping_groups $ns "0 0"
		foreach sock {raw dgram} {
			assert_equal "fail: ping 198.18.0.1: Network is\
			    unreachable" [hc_in $ns 1 -t 2s ping 198.18.0.1 \
			    socket $sock]
		}
	}
}

test "ping: no reply before the deadline" {
	with_netns ns {
		ping_groups $ns "0 0"
		# Routed out through lo, the requests come back in to a host
		# that does not forward: dropped without a word.
		nsexec $ns ip route add 198.18.0.0/24 dev lo
		foreach sock {raw dgram} {
			set t0 [clock milliseconds]
			assert_equal "fail: ping 198.18.0.2: no reply\
			    (timeout)" \
			    [hc_in $ns 1 -t 300ms ping 198.18.0.2 count 3 \
			    socket $sock]
			set ms [expr {[clock milliseconds] - $t0}]
			assert_true {$ms >= 290 && $ms < 3000} \
			    "took $ms ms, for a 300 ms timeout"
		}
	}
}

# ----------------------------------------------------------------------
# DNS answers, made by hand.

array set ::dns_types {A 1 NS 2 CNAME 5 SOA 6 PTR 12 MX 15 TXT 16 AAAA 28}

proc dns_name {name} {
	set b ""
	foreach l [split [string trimright $name .] .] {
		append b [binary format c [string length $l]] $l
	}
	return "$b\0"
}

# The data of one record of type with value in text form.
proc dns_rdata {type value} {
	switch -- $type {
	A {return [binary format c4 [split $value .]]}
	AAAA {return [binary format H* $value]}
	MX {
		return [binary format S [lindex $value 0]][dns_name \
		    [lindex $value 1]]
	}
	TXT {return [binary format c [string length $value]]$value}
	SOA {
		lassign $value mname rname serial refresh retry expire min
		return [dns_name $mname][dns_name $rname][binary format I5 \
		    [list $serial $refresh $retry $expire $min]]
	}
	default {return [dns_name $value]}
	}
}

# The query's id, question (name, type, class in wire form) and type.
proc dns_query {q} {
	binary scan $q Su id
	set question [string range $q 12 end]
	binary scan [string range $q end-3 end] Su type
	return [list $id $question $type]
}

# dns_answer QUERY ?-rcode N? ?-tc 1? ?-id ID? ?-raw BYTES -an N?
#     ?RECORDS?: the answer to QUERY with RECORDS, a list of type value
# pairs, each owned by the question's name; or with -raw, BYTES as the
# answer section and -an its count.
proc dns_answer {q args} {
	lassign [dns_query $q] id question
	set rcode 0
	set tc 0
	set raw ""
	set an ""
	while {[string match -* [lindex $args 0]]} {
		switch -- [lindex $args 0] {
		-rcode {set rcode [lindex $args 1]}
		-tc {set tc [lindex $args 1]}
		-id {set id [lindex $args 1]}
		-raw {set raw [lindex $args 1]}
		-an {set an [lindex $args 1]}
		}
		set args [lrange $args 2 end]
	}
	set records [lindex $args 0]
	if {$an eq ""} {
		set an [expr {[llength $records] / 2}]
	}
	set flags [expr {0x8180 | $rcode | ($tc ? 0x200 : 0)}]
	set msg [binary format SSSSSS $id $flags 1 $an 0 0]$question
	foreach {type value} $records {
		set rd [dns_rdata $type $value]
		append msg [binary format SSSIS 0xc00c $::dns_types($type) 1 \
		    300 [string length $rd]] $rd
	}
	return $msg$raw
}

# A UDP server answering every query with dns_answer QUERY ARGS.
proc dns_server {args} {
	return [lindex [fake_udp_server [list dns_serve $args]] 1]
}

proc dns_serve {opts q} {
	return [dns_answer $q {*}$opts]
}

# A UDP server that leaves out the first query, answering it with
# FIRST (a command given the query; "" for nothing), the next ones with
# dns_answer QUERY ARGS.
proc dns_server_second {first args} {
	set ::dns_seen 0
	return [lindex [fake_udp_server [list dns_serve_second $first $args]] 1]
}

proc dns_serve_second {first opts q} {
	if {[incr ::dns_seen] == 1} {
		return [expr {$first eq "" ? "" : [{*}$first $q]}]
	}
	return [dns_answer $q {*}$opts]
}

# dns_tcp_server PORT CMD: a DNS server over TCP on 127.0.0.1:PORT (0:
# any), answering each query (2-byte length, message) with CMD QUERY
# framed the same way, nothing when "". Returns the port. dns_tcp_close
# closes it and its connections.
set ::dns_tcp_socks {}

proc dns_tcp_server {port cmd} {
	set s [socket -server [list dns_tcp_accept $cmd] -myaddr 127.0.0.1 \
	    $port]
	lappend ::dns_tcp_socks $s
	return [lindex [fconfigure $s -sockname] 2]
}

proc dns_tcp_accept {cmd ch addr port} {
	lappend ::dns_tcp_socks $ch
	fconfigure $ch -translation binary -blocking 0 -buffering none
	set ::dns_tcp_buf($ch) ""
	fileevent $ch readable [list dns_tcp_read $cmd $ch]
}

proc dns_tcp_read {cmd ch} {
	if {[catch {read $ch} data] || [eof $ch]} {
		catch {close $ch}
		return
	}
	append ::dns_tcp_buf($ch) $data
	set b $::dns_tcp_buf($ch)
	if {[string length $b] < 2} return
	binary scan $b Su n
	if {[string length $b] < 2 + $n} return
	set ::dns_tcp_buf($ch) [string range $b [expr {2 + $n}] end]
	set q [string range $b 2 [expr {1 + $n}]]
	set reply [uplevel #0 [list {*}$cmd $q]]
	if {$reply ne ""} {
		catch {puts -nonewline $ch [binary format S \
		    [string length $reply]]$reply}
	}
}

proc dns_tcp_close {} {
	foreach ch $::dns_tcp_socks {
		catch {close $ch}
	}
	set ::dns_tcp_socks {}
	array unset ::dns_tcp_buf
}

# A UDP server and a TCP one on the same port, answering with dns_answer
# QUERY {*}UDPARGS and {*}TCPARGS ({-tc 1 {}}, {{A 1.2.3.4}}). Returns
# the port.
proc dns_server_pair {udpargs tcpargs} {
	for {set try 0} {$try < 10} {incr try} {
		set port [dns_server {*}$udpargs]
		if {![catch {dns_tcp_server $port [list dns_serve $tcpargs]}]} {
			return $port
		}
	}
	fail "no port free for both UDP and TCP"
}

set www www.example.com

test "dns: A records found, with and without expect" {
	set port [dns_server {A 198.18.0.5 A 198.18.0.6}]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name $www]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 2 A records: 198.18.0.5 and\
	    1 more" [result $r]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name $www. expect 198.18.0.6]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 2 A records, 198.18.0.6\
	    found" [result $r]
	# The records of the type only: a CNAME before them is passed over.
	set port [dns_server {CNAME web.example.com A 198.18.0.9}]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name $www type a]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 1 A record: 198.18.0.9" \
	    [result $r]
}

test "dns: expected address not in the answer" {
	set port [dns_server {A 198.18.0.6}]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www expect 198.18.0.5]
	assert_equal "fail: dns 127.0.0.1: 198.18.0.5 not in answer\
	    (198.18.0.6)" [result $r]
	set port [dns_server {A 198.18.0.6 A 198.18.0.7 A 198.18.0.8}]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www expect 198.18.0.5]
	assert_equal "fail: dns 127.0.0.1: 198.18.0.5 not in answer\
	    (198.18.0.6 and 2 more)" [result $r]
}

test "dns: other types, rendered as text" {
	set port [dns_server {MX {10 mx1.example.com} MX {20 mx2.example.com}}]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name example.com type MX \
	    expect "20 MX2.example.com."]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 2 MX records, 20\
	    MX2.example.com found" [result $r]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name example.com type MX \
	    expect "30 mx2.example.com"]
	assert_equal "fail: dns 127.0.0.1: 30 mx2.example.com not in answer\
	    (10 mx1.example.com and 1 more)" [result $r]
	set port [dns_server {TXT "v=spf1 -all"}]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name example.com type TXT \
	    expect "v=spf1 -all"]
	assert_match "ok: *v=spf1 -all found" [result $r]
	set port [dns_server {AAAA 20010db8000000000000000000000001}]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name $www type AAAA \
	    expect 2001:db8:0:0::1]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 1 AAAA record, 2001:db8::1\
	    found" [result $r]
	set port [dns_server {PTR www.example.com}]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name 5.0.18.198.in-addr.arpa \
	    type PTR]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 1 PTR record:\
	    www.example.com" [result $r]
	set port [dns_server {CNAME web.example.com}]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name $www type CNAME \
	    expect Web.Example.Com.]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 1 CNAME record,\
	    Web.Example.Com found" [result $r]
	set soa {ns1.example.com hostmaster.example.com 2024010101 7200 900\
	    1209600 300}
	set port [dns_server [list SOA $soa]]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name example.com type SOA]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 1 SOA record: $soa" \
	    [result $r]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name example.com type SOA \
	    expect "ns1.example.com. hostmaster.example.com. 2024010101 7200\
	    900 1209600 300"]
	assert_match "ok: *found" [result $r]
	set port [dns_server {NS a.iana-servers.net}]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name example.com type ns \
	    expect a.iana-servers.net.]
	assert_match "ok: *a.iana-servers.net found" [result $r]
}

test "dns: NXDOMAIN, and the rcode option" {
	set port [dns_server -rcode 3 {}]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name nosuch.example.com]
	assert_equal "fail: dns 127.0.0.1: NXDOMAIN" [result $r]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name nosuch.example.com \
	    rcode NXDOMAIN]
	assert_equal "ok: dns 127.0.0.1: NXDOMAIN" [result $r]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name nosuch.example.com \
	    rcode any]
	assert_equal "ok: dns 127.0.0.1: NXDOMAIN, 0 A records" [result $r]
	set port [dns_server {A 198.18.0.5}]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www rcode nxdomain]
	assert_equal "fail: dns 127.0.0.1: NOERROR, not NXDOMAIN" [result $r]
	set port [dns_server -rcode 2 {}]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www]
	assert_equal "fail: dns 127.0.0.1: SERVFAIL" [result $r]
	set r [hcx 0 -t 2s dns 127.0.0.1:$port name $www rcode any]
	assert_equal "ok: dns 127.0.0.1: SERVFAIL, 0 A records" [result $r]
}

test "dns: NOERROR without a record of the type" {
	set port [dns_server {CNAME web.example.com TXT hello}]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www]
	assert_equal "fail: dns 127.0.0.1: no A record for $www" [result $r]
	set port [dns_server {}]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www type MX]
	assert_equal "fail: dns 127.0.0.1: no MX record for $www" [result $r]
}

test "dns: truncated over UDP, asked again over TCP" {
	try {
		set port [dns_server_pair {-tc 1 {}} {{A 198.18.0.7}}]
		set r [hcx 0 -t 2s dns 127.0.0.1:$port name $www \
		    expect 198.18.0.7]
		assert_equal "ok: dns 127.0.0.1: NOERROR, 1 A record,\
		    198.18.0.7 found" [result $r]
		# TCP alone, with proto tcp: the UDP server's answer
		# (truncated) would not do.
		set r [hcx 0 -t 2s dns 127.0.0.1:$port name $www proto tcp]
		assert_equal "ok: dns 127.0.0.1: NOERROR, 1 A record:\
		    198.18.0.7" [result $r]
	} finally {
		dns_tcp_close
	}
}

test "dns over TCP: refused, closed, hanging, wrong id" {
	set port [free_port]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www proto tcp]
	assert_equal "fail: connect 127.0.0.1:$port: Connection refused" \
	    [result $r]
	lassign [fake_server close] - port
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www proto tcp]
	assert_regexp {^fail: dns 127\.0\.0\.1: (connection closed before the\
	    answer|read: .*|send: .*)$} [result $r]
	lassign [fake_server hang] - port
	set r [hcx 1 -t 300ms dns 127.0.0.1:$port name $www proto tcp]
	assert_equal "fail: timeout waiting for the answer" [result $r]
	try {
		set port [dns_tcp_server 0 [list dns_serve {-id 7 {A 1.2.3.4}}]]
		set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www proto tcp]
		assert_match "fail: dns 127.0.0.1: wrong answer: id 7, not *" \
		    [result $r]
	} finally {
		dns_tcp_close
	}
}

test "dns: a server that never answers" {
	lassign [fake_udp_server {apply {{q} {return ""}}}] - port
	set t0 [clock milliseconds]
	set r [hcx 1 -t 300ms dns 127.0.0.1:$port name $www]
	assert_equal "fail: timeout waiting for the answer" [result $r]
	assert_true {[clock milliseconds] - $t0 < 3000}
}

test "dns: query resent until answered" {
	set port [dns_server_second "" {A 198.18.0.5}]
	set r [hcx 0 -t 3s dns 127.0.0.1:$port name $www]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 1 A record: 198.18.0.5" \
	    [result $r]
	assert_equal 2 $::dns_seen "queries the server saw"
}

test "dns: an answer with another id is ignored" {
	# Only a wrong id: no answer at all.
	set port [dns_server -id 7 {A 198.18.0.5}]
	set r [hcx 1 -t 300ms dns 127.0.0.1:$port name $www]
	assert_equal "fail: timeout waiting for the answer" [result $r]
	# A wrong id (or another question), then the answer: taken.
	set port [dns_server_second {apply {{q} {dns_answer $q -id 7 \
	    {A 198.18.0.66}}}} {A 198.18.0.5}]
	set r [hcx 0 -t 3s dns 127.0.0.1:$port name $www]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 1 A record: 198.18.0.5" \
	    [result $r]
	set port [dns_server_second {apply {{q} {
		lassign [dns_query $q] id
		return [binary format SSSSSS $id 0x8180 1 1 0 0][dns_name \
		    other.example.com][binary format SS 1 1][binary format \
		    SSSISc4 0xc00c 1 1 300 4 {198 18 0 66}]
	}}} {A 198.18.0.5}]
	set r [hcx 0 -t 3s dns 127.0.0.1:$port name $www]
	assert_equal "ok: dns 127.0.0.1: NOERROR, 1 A record: 198.18.0.5" \
	    [result $r]
}

test "dns: malformed answers" {
	# A record whose data runs past the end.
	set port [dns_server -an 1 -raw [binary format SSSIS 0xc00c 1 1 300 \
	    200]]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www]
	assert_equal "fail: dns 127.0.0.1: malformed answer: answer 1: data\
	    of 200 bytes past the end" [result $r]
	# An owner name pointing at itself.
	set port [dns_server -an 1 -raw [binary format SSSIS 0xc021 1 1 300 \
	    0]]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www]
	assert_equal "fail: dns 127.0.0.1: malformed answer: answer 1:\
	    compression loop in the name at 33" [result $r]
	# An A record of 3 bytes.
	set port [dns_server -an 1 -raw [binary format SSSISc3 0xc00c 1 1 300 \
	    3 {1 2 3}]]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www]
	assert_equal "fail: dns 127.0.0.1: malformed answer: answer 1: A\
	    record of 3 bytes" [result $r]
	# Only 5 bytes, with our id.
	set port [lindex [fake_udp_server {apply {{q} {
		return [string range $q 0 4]
	}}}] 1]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www]
	assert_match "fail: dns 127.0.0.1: malformed answer: * shorter than a\
	    header" [result $r]
}

test "dns: nothing listening on the UDP port" {
	set port [free_port]
	set r [hcx 1 -t 2s dns 127.0.0.1:$port name $www]
	assert_equal "fail: dns 127.0.0.1: Connection refused" [result $r]
}

test "dns: bad arguments" {
	foreach {args want} {
		{}
		"check dns: needs the server's address"
		{127.0.0.1}
		"option \"name\" is required (the name to look up)"
		{127.0.0.1 type A}
		"option \"name\" is required"
		{127.0.0.1 name}
		"option \"name\" needs a value"
		{127.0.0.1 name a..b}
		"empty label in name \"a..b\""
		{127.0.0.1 name www type ANY}
		"option \"type\" must be A, AAAA, CNAME, MX, NS, PTR, SOA or\
		    TXT, not \"ANY\""
		{127.0.0.1 name www expect 1.2.3}
		"option \"expect\": \"1.2.3\" is not an IPv4 address"
		{127.0.0.1 name www type AAAA expect 1.2.3.4}
		"option \"expect\": \"1.2.3.4\" is not an IPv6 address"
		{127.0.0.1 name www type MX expect mx.example.com}
		"option \"expect\": an MX record is expected as \"preference\
		    name\""
		{127.0.0.1 name www proto sctp}
		"option \"proto\" must be udp or tcp, not \"sctp\""
		{127.0.0.1 name www rcode SERVFAIL}
		"option \"rcode\" must be NOERROR, NXDOMAIN or any, not\
		    \"SERVFAIL\""
		{127.0.0.1 name www rcode any expect 1.2.3.4}
		"option \"expect\" goes only with rcode NOERROR"
		{127.0.0.1 name www port 53}
		"unknown option \"port\" for check dns (known: name, type,\
		    expect, proto, rcode)"
		{127.0.0.1:99999 name www}
		"bad port in \"127.0.0.1:99999\""
	} {
		set r [hcx 2 dns {*}$args]
		assert_match "*$want*" [dict get $r stderr] "dns $args"
	}
}

harness_done
