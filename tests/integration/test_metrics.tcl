# test_metrics.tcl: the -e port of faild, failsh and hc: the Prometheus
# text format over HTTP, values that follow events (a set, a failover, a
# failing target), promtool's verdict, a real Prometheus scraping all
# three, and hostile clients (slow, too many, malformed).

source [file join [file dirname [info script]] harness.tcl]
package require http

foreach prog [list $::failsh $::hc] {
	if {![file executable $prog]} {
		puts "no $prog: build it first (make)"
		puts "0 passed, 1 failed"
		exit 1
	}
}

# ----------------------------------------------------------------------
# HTTP, both polite and not.

# scrape PORT ?PATH?: GET it over HTTP; the body of a 200 (an error for
# anything else), its Content-Type checked.
proc scrape {port {path /metrics}} {
	set tok [http::geturl http://127.0.0.1:$port$path -timeout 5000]
	try {
		if {[http::status $tok] ne "ok"} {
			fail "scrape of port $port: [http::status $tok]\
			    [http::error $tok]"
		}
		assert_equal 200 [http::ncode $tok] "status of GET $path"
		set type ""
		dict for {k v} [http::meta $tok] {
			if {[string tolower $k] eq "content-type"} {
				set type $v
			}
		}
		assert_match "text/plain; version=0.0.4*" $type "content type"
		return [http::data $tok]
	} finally {
		http::cleanup $tok
	}
}

# metric BODY SERIES: the value of the sample SERIES (name{labels} as the
# exporter writes it), or "" when there is none.
proc metric {body series} {
	foreach line [split $body \n] {
		if {[string index $line 0] eq "#"} continue
		set i [string last " " $line]
		if {$i > 0 && [string range $line 0 [expr {$i - 1}]] eq $series} {
			return [string range $line [expr {$i + 1}] end]
		}
	}
	return ""
}

# The value of SERIES now at PORT ("" if none, "x" if the scrape failed).
proc metric_at {port series} {
	if {[catch {scrape $port} body]} {
		return x
	}
	return [metric $body $series]
}

# wait_metric PORT SERIES COND ?MS?: poll until the value v of SERIES
# makes COND (an expression over $v) true.
proc wait_metric {port series cond {timeout_ms 8000}} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	while 1 {
		set v [metric_at $port $series]
		if {$v ne "" && $v ne "x" && [expr $cond]} {
			return $v
		}
		if {[clock milliseconds] > $deadline} {
			fail "$series at port $port: \"$v\" never made {$cond}\
			    within $timeout_ms ms"
		}
		harness::nap 50
	}
}

# raw_open PORT ?MYADDR?: a raw connection to the metrics port.
proc raw_open {port {myaddr ""}} {
	set opts [expr {$myaddr ne "" ? [list -myaddr $myaddr] : {}}]
	set ch [socket {*}$opts 127.0.0.1 $port]
	fconfigure $ch -translation binary -blocking 0 -buffering none
	set harness::conns($ch) 1
	return $ch
}

# raw_read CH ?MS?: everything until the server closes; {text ms}, the
# time counted from the call. Fails if the server keeps it open.
proc raw_read {ch {timeout_ms 5000}} {
	set t0 [clock milliseconds]
	set deadline [expr {$t0 + $timeout_ms}]
	set out ""
	while 1 {
		if {[catch {append out [read $ch]}]} break	;# reset
		if {[eof $ch]} break
		set left [expr {$deadline - [clock milliseconds]}]
		if {$left <= 0} {
			fail "server kept the connection open for $timeout_ms ms\
			    (got \"[string range $out 0 60]\")"
		}
		harness::wait_readable $ch $left
	}
	conn_close $ch
	return [list $out [expr {[clock milliseconds] - $t0}]]
}

# raw_request PORT DATA: send DATA, read the whole answer.
proc raw_request {port data} {
	set ch [raw_open $port]
	puts -nonewline $ch $data
	flush $ch
	return [lindex [raw_read $ch] 0]
}

proc status_of {answer} {
	if {![regexp {^HTTP/1\.[01] (\d{3}) } $answer -> code]} {
		return "no status line in \"[string range $answer 0 60]\""
	}
	return $code
}

# ----------------------------------------------------------------------
# Daemons with -e.

proc faild_e {} {
	set port [free_port]
	set f [start_faild -e 127.0.0.1:$port]
	dict set f metrics $port
	wait_for_log $f "*metrics port: 127.0.0.1:$port*"
	return $f
}

proc svc_tcl {svc interval args} {
	return "
failsvc $svc interval $interval
failsvc $svc start {return UP}
failsvc $svc stop {return RECOVER}
[join $args \n]
"
}

# Nodes a (master) and b (slave) of www, each failsh with -e.
proc pair {interval} {
	set fa [start_faild -name fa[incr ::harness::seq]]
	set fb [start_faild -name fb[incr ::harness::seq]]
	set nodes [dict create a $fa b $fb]
	set pa [free_port]
	set pb [free_port]
	set sa [start_failsh a $fa "[hosts_tcl $nodes][svc_tcl www $interval \
	    {failsvc www slaves b}]" -e $pa]
	set sb [start_failsh b $fb "[hosts_tcl $nodes][svc_tcl www $interval \
	    {failsvc www masters a}]" -e 127.0.0.1:$pb]
	dict set sa metrics $pa
	dict set sb metrics $pb
	wait_for {[state_of $fa www] eq "UP"} 5000 "a never came UP"
	wait_for {[state_of $fb www] eq "RECOVER"} 5000 "b never RECOVER"
	wait_for_log $sb "*www: master a * -> UP*"
	return [dict create fa $fa fb $fb sa $sa sb $sb]
}

proc hcfile {f body} {
	set fp [dict get $f addr]:[dict get $f port]
	return "faild = $fp\ninterval = 50ms\ntimeout = 2s\nrise = 1\nfall = 1\n$body"
}

proc mark {name on} {
	if {$on} {
		write_file $::tmpdir/$name ""
	} else {
		file delete $::tmpdir/$name
	}
}

proc hc_e {f} {
	set port [free_port]
	mark web.ok 1
	set h [start_hc [hcfile $f "web:\n\tcheck exec test -e\
	    $::tmpdir/web.ok\n"] -e $port]
	dict set h metrics $port
	return $h
}

# ----------------------------------------------------------------------

test "faild -e: the text format on /metrics; a set flips the service's gauge" {
	set f [faild_e]
	set port [dict get $f metrics]
	set body [scrape $port]
	assert_match "*# TYPE failover_service_state gauge*" $body
	assert_match "*# HELP failover_requests_total *" $body
	assert_equal "" [metric $body {failover_service_state{service="www",state="UP"}}]
	assert_equal 0 [metric $body failover_services]
	assert_match "OK*" [lrange [faild_tcp $f "1 set www UP"] 1 end]
	set body [scrape $port]
	assert_equal 1 [metric $body {failover_service_state{service="www",state="UP"}}]
	assert_equal 0 [metric $body {failover_service_state{service="www",state="FAIL"}}]
	assert_equal 1 [metric $body failover_services]
	assert_equal 1 [metric $body {failover_requests_total{verb="set",transport="tcp"}}]
	assert_equal 1 [metric $body failover_state_writes_total]
	assert_true {[metric $body failover_journal_bytes] > 0} "journal size"
	assert_true {[metric $body {failover_service_state_seconds{service="www"}}] < 5}
	faild_udp $f "2 set www FAIL"
	faild_udp $f "3 frobnicate"
	set body [scrape $port]
	assert_equal 0 [metric $body {failover_service_state{service="www",state="UP"}}]
	assert_equal 1 [metric $body {failover_service_state{service="www",state="FAIL"}}]
	assert_equal 1 [metric $body {failover_requests_total{verb="set",transport="udp"}}]
	assert_equal 1 [metric $body {failover_requests_total{verb="invalid",transport="udp"}}]
	assert_true {[metric $body failover_request_errors_total] >= 1}
	# a watcher and its connection show while they are open
	set ch [faild_connect $f]
	conn_send $ch "9 watch"
	read_line $ch
	wait_metric $port failover_watchers {$v == 1}
	assert_equal 1 [metric_at $port failover_connections]
	conn_close $ch
	wait_metric $port failover_watchers {$v == 0}
}

test "the port answers 404, 405, 400, 505 and HEAD; HTTP/1.0 and 1.1" {
	set f [faild_e]
	set port [dict get $f metrics]
	set a [raw_request $port "GET /metrics HTTP/1.0\r\n\r\n"]
	assert_equal 200 [status_of $a]
	assert_match "*\r\n\r\n# HELP failover_*" $a
	assert_match "*Connection: close\r\n*" $a
	set a [raw_request $port "GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"]
	assert_equal 200 [status_of $a]
	regexp {Content-Length: (\d+)\r\n} $a -> len
	set body [string range $a [expr {[string first "\r\n\r\n" $a] + 4}] end]
	assert_equal $len [string length $body] "Content-Length"
	set a [raw_request $port "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"]
	assert_equal 200 [status_of $a]
	assert_match "*\r\n\r\n" $a "HEAD has no body"
	assert_equal 404 [status_of [raw_request $port "GET / HTTP/1.0\r\n\r\n"]]
	assert_equal 404 [status_of [raw_request $port \
	    "GET /metrics/x HTTP/1.1\r\nHost: x\r\n\r\n"]]
	set a [raw_request $port "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n"]
	assert_equal 405 [status_of $a]
	assert_match "*Allow: GET, HEAD\r\n*" $a
	assert_equal 405 [status_of [raw_request $port "DELETE /x HTTP/1.0\r\n\r\n"]]
	assert_equal 505 [status_of [raw_request $port "GET /metrics HTTP/2.0\r\n\r\n"]]
	foreach bad [list "garbage\r\n\r\n" "GET /metrics\r\n\r\n" \
	    "GET  /metrics HTTP/1.0\r\n\r\n" "GET metrics HTTP/1.0\r\n\r\n" \
	    "GET /metrics HTTP/1.1\r\n\r\n" \
	    "GET /metrics HTTP/1.0\r\nno colon here\r\n\r\n" \
	    "GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" \
	    "G\x01T /metrics HTTP/1.0\r\n\r\n" \
	    "GET /metrics HTTP/1.0\r\n folded\r\n\r\n" \
	    "\r\n\r\n"] {
		assert_equal 400 [status_of [raw_request $port $bad]] \
		    "answer to [string map {\r \\r \n \\n} $bad]"
	}
	set a [raw_request $port "GET /[string repeat x 9000] HTTP/1.0\r\n\r\n"]
	assert_equal 431 [status_of $a]
	# still serving, and counting what it answered
	set body [scrape $port]
	assert_true {[metric $body {failover_exporter_answers_total{code="400"}}] >= 10}
	assert_equal 2 [metric $body {failover_exporter_answers_total{code="404"}}]
	assert_equal "OK" [lindex [faild_tcp $f "1 ping"] 1]
}

test "a slow request is answered 408 and closed at the deadline, a silent one too" {
	set f [faild_e]
	set port [dict get $f metrics]
	set slow [raw_open $port]
	puts -nonewline $slow "GET /metr"
	flush $slow
	set silent [raw_open $port]
	set t0 [clock milliseconds]
	# meanwhile the port and faild serve others
	assert_match "*failover_*" [scrape $port]
	assert_equal "OK" [lindex [faild_tcp $f "1 ping"] 1]
	lassign [raw_read $slow 10000] a
	set took [expr {[clock milliseconds] - $t0}]
	assert_equal 408 [status_of $a]
	assert_true {$took >= 4500 && $took <= 8000} "closed after $took ms"
	lassign [raw_read $silent 3000] a
	assert_equal 408 [status_of $a]
	# a client that trickles a byte a second is closed at the same deadline
	set drip [raw_open $port]
	set t0 [clock milliseconds]
	set closed 0
	foreach c [split "GET /metrics HTTP/1.0\r\n" ""] {
		if {[catch {puts -nonewline $drip $c; flush $drip}] ||
		    [eof $drip]} {
			set closed 1
			break
		}
		read $drip
		if {[eof $drip]} {
			set closed 1
			break
		}
		harness::nap 500
	}
	set took [expr {[clock milliseconds] - $t0}]
	conn_close $drip
	assert_true {$closed} "a trickling client kept its connection"
	assert_true {$took <= 8000} "trickled for $took ms"
}

test "too many connections: the newcomer gets 503; room again once they go" {
	set f [faild_e]
	set port [dict get $f metrics]
	set held {}
	for {set i 0} {$i < 8} {incr i} {
		lappend held [raw_open $port]
	}
	# 8 held from 127.0.0.1, the per-address limit: a ninth is refused
	lassign [raw_read [raw_open $port] 3000] a took
	assert_equal 503 [status_of $a]
	assert_true {$took < 2000} "refused after $took ms"
	# another address is still welcome, up to 16 in all
	set other [raw_open $port 127.0.0.5]
	puts -nonewline $other "GET /metrics HTTP/1.0\r\n\r\n"
	flush $other
	set a [lindex [raw_read $other] 0]
	assert_equal 200 [status_of $a]
	assert_match "*\nfailover_exporter_clients 9\n*" $a
	for {set i 0} {$i < 8} {incr i} {
		lappend held [raw_open $port 127.0.0.6]
	}
	lassign [raw_read [raw_open $port 127.0.0.7] 3000] a
	assert_equal 503 [status_of $a]
	# faild itself is not held up
	assert_equal "OK" [lindex [faild_tcp $f "1 ping"] 1]
	foreach ch $held {
		conn_close $ch
	}
	wait_for {[metric_at $port failover_exporter_clients] ne "x"} 3000 \
	    "no room after the clients left"
	assert_true {[metric [scrape $port] {failover_exporter_answers_total{code="503"}}] >= 2}
}

test "failsh -e: a failover bumps the slave's takeovers; peers and scripts counted" {
	set p [pair 0.1]
	set sa [dict get $p sa]
	set sb [dict get $p sb]
	set ma [dict get $sa metrics]
	set mb [dict get $sb metrics]
	wait_for_log $sa "*metrics port: 127.0.0.1:$ma*"
	set body [scrape $mb]
	assert_match "*# TYPE failover_peer_poll_seconds histogram*" $body
	assert_equal 0 [metric $body {failover_service_takeovers_total{service="www"}}]
	assert_equal 1 [metric $body {failover_service_state{service="www",state="RECOVER"}}]
	assert_equal 1 [metric $body {failover_peer_up{service="www",role="master",peer="a"}}]
	assert_equal 0 [metric $body {failover_script_runs_total{service="www",script="start"}}]
	assert_true {[metric $body {failover_service_runs_total{service="www"}}] >= 1}
	set body [scrape $ma]
	assert_equal 1 [metric $body {failover_service_takeovers_total{service="www"}}]
	assert_equal 1 [metric $body {failover_service_state{service="www",state="UP"}}]
	assert_equal 1 [metric $body {failover_script_runs_total{service="www",script="start"}}]
	assert_equal 1 [metric $body {failover_peer_up{service="www",role="slave",peer="b"}}]
	# polls of a peer: counted, in the buckets, +Inf bucket = count
	set n [metric $body {failover_peer_poll_seconds_count{service="www",role="slave",peer="b"}}]
	assert_true {$n >= 1} "polls counted: $n"
	assert_equal $n [metric $body {failover_peer_poll_seconds_bucket{service="www",role="slave",peer="b",le="+Inf"}}]
	assert_true {[metric $body {failover_peer_poll_seconds_bucket{service="www",role="slave",peer="b",le="1"}}] >= 1}

	kill_daemon $sa
	kill_daemon [dict get $p fa]
	wait_metric $mb {failover_service_takeovers_total{service="www"}} {$v == 1}
	set body [scrape $mb]
	assert_equal 1 [metric $body {failover_service_state{service="www",state="UP"}}]
	assert_equal 0 [metric $body {failover_service_state{service="www",state="RECOVER"}}]
	assert_equal 0 [metric $body {failover_peer_up{service="www",role="master",peer="a"}}]
	assert_equal 1 [metric $body {failover_script_runs_total{service="www",script="start"}}]
	assert_equal 0 [metric $body {failover_script_timeouts_total{service="www",script="start"}}]
	assert_true {[metric $body {failover_service_state_seconds{service="www"}}] < 5}
}

test "failsh -e: script timeouts, restarts in place and health are counted" {
	set f [start_faild]
	set port [free_port]
	set s [start_failsh a $f "[hosts_tcl [dict create a $f]]
failsvc www interval 0.1
failsvc www timeout 0.2
failsvc www start {if {\[file exists $::tmpdir/slow\]} {after 1000}; return UP}
failsvc www stop {return RECOVER}
failsvc www check {if {\[file exists $::tmpdir/sick\]} {error sick}; return UP}
failsvc www fall 1
failsvc www rise 1
" -e $port]
	wait_metric $port {failover_service_state{service="www",state="UP"}} {$v == 1}
	assert_equal 1 [metric_at $port {failover_service_health{service="www"}}]
	write_file $::tmpdir/slow ""
	write_file $::tmpdir/sick ""
	wait_metric $port {failover_service_restarts_total{service="www"}} {$v >= 1}
	wait_metric $port {failover_script_timeouts_total{service="www",script="start"}} {$v >= 1}
	set body [scrape $port]
	assert_true {[metric $body {failover_script_runs_total{service="www",script="check"}}] >= 2}
	assert_true {[metric $body {failover_script_runs_total{service="www",script="stop"}}] >= 1}
	assert_equal 0 [metric $body {failover_script_timeouts_total{service="www",script="check"}}]
	wait_metric $port {failover_service_health{service="www"}} {$v == 0}
}

test "hc -e: a failing target flips its gauge; results and durations counted" {
	set f [start_faild]
	set h [hc_e $f]
	set port [dict get $h metrics]
	wait_metric $port {failover_target_state{target="web",state="UP"}} {$v == 1}
	set body [scrape $port]
	assert_match "*# TYPE failover_check_duration_seconds histogram*" $body
	assert_equal 0 [metric $body {failover_target_state{target="web",state="FAIL"}}]
	assert_true {[metric $body {failover_check_results_total{target="web",result="ok"}}] >= 1}
	assert_equal 0 [metric $body {failover_check_results_total{target="web",result="fail"}}]
	mark web.ok 0
	wait_metric $port {failover_target_state{target="web",state="FAIL"}} {$v == 1}
	set body [scrape $port]
	assert_equal 0 [metric $body {failover_target_state{target="web",state="UP"}}]
	assert_true {[metric $body {failover_check_results_total{target="web",result="fail"}}] >= 1}
	set n [metric $body {failover_check_duration_seconds_count{target="web"}}]
	set ok [metric $body {failover_check_results_total{target="web",result="ok"}}]
	set bad [metric $body {failover_check_results_total{target="web",result="fail"}}]
	assert_true {$n >= $ok + $bad - 1 && $n <= $ok + $bad + 1} \
	    "durations $n, results $ok + $bad"
	assert_true {[metric $body {failover_check_duration_seconds_sum{target="web"}}] > 0}
	assert_true {[metric $body failover_target_transitions_total] >= 1}
	# kept across a reload
	kill_daemon $h HUP
	wait_for_log $h "*reloaded *"
	assert_true {[metric [scrape $port] {failover_check_results_total{target="web",result="fail"}}] >= $bad}
}

test "faildns -e: queries and answers counted; a member's failure flips its name's gauge; promtool accepts it" {
	set f [start_faild]
	faild_tcp $f "1 set web1 UP"
	faild_tcp $f "1 set web2 UP"
	set dir $::tmpdir/dnsm
	file mkdir $dir
	write_file $dir/zone [join {{$ORIGIN example.test.}
	    {@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300}
	    {@ 3600 IN NS ns1} {ns1 3600 IN A 127.0.0.1}} \n]\n
	write_file $dir/conf "zone example.test:\n\tfile zone\nsource a:\n\tfaild\
	    [dict get $f addr]:[dict get $f port]\npool web:\n\tmember\
	    198.18.0.10 service web1\n\tmember 198.18.0.11 backup service\
	    web2\nname www.example.test:\n\tpool web\n"
	set port [free_port]
	set d [start_faildns $dir/conf -e 127.0.0.1:$port]
	wait_for_log $d "*metrics port: 127.0.0.1:$port*"
	set up {failover_dns_name_state{name="www.example.test",state="UP"}}
	wait_metric $port $up {$v == 1}
	assert_equal 198.18.0.10 [dig_short $d www.example.test]
	dig_short $d nx.example.test
	set body [scrape $port]
	assert_true {[metric $body {failover_dns_queries_total{transport="udp"}}] >= 2}
	assert_true {[metric $body {failover_dns_answers_total{rcode="NXDOMAIN"}}] >= 1}
	assert_equal 1 [metric $body {failover_dns_source_up{source="a"}}]
	faild_tcp $f "1 set web1 FAIL"
	wait_metric $port {failover_dns_name_state{name="www.example.test",state="RECOVER"}} {$v == 1}
	set body [scrape $port]
	assert_equal 0 [metric $body {failover_dns_member_up{pool="web",member="198.18.0.10"}}]
	assert_true {[metric $body failover_dns_changes_total] >= 1}
	if {[set promtool [auto_execok promtool]] ne ""} {
		set r [run_prog -stdin $body {*}$promtool check metrics]
		assert_equal 0 [dict get $r code] "promtool on faildns:\
		    [dict get $r stdout][dict get $r stderr]"
	}
}

test "promtool check metrics accepts what all three daemons expose" {
	set promtool [auto_execok promtool]
	if {$promtool eq ""} {
		skip "no promtool (Debian package prometheus): exposition not\
		    validated"
	}
	set f [faild_e]
	faild_tcp $f "1 set x1 UP"
	faild_tcp $f "1 set x2 FAIL"
	set fp [dict get $f metrics]
	set sport [free_port]
	set fb [start_faild]
	set s [start_failsh a $f "[hosts_tcl [dict create a $f b $fb]]
[svc_tcl www 0.1 {failsvc www slaves b} {failsvc www check {return UP}}]" \
	    -e $sport]
	set h [hc_e $f]
	wait_metric $sport {failover_service_runs_total{service="www"}} {$v >= 2}
	wait_metric [dict get $h metrics] {failover_check_duration_seconds_count{target="web"}} {$v >= 1}
	foreach {who port} [list faild $fp failsh $sport hc [dict get $h metrics]] {
		set body [scrape $port]
		set r [run_prog -stdin $body {*}$promtool check metrics]
		assert_equal 0 [dict get $r code] "promtool on $who:\
		    [dict get $r stdout][dict get $r stderr]"
	}
}

# The result of an instant query to the Prometheus at port.
proc prom_query {port q} {
	set tok [http::geturl http://127.0.0.1:$port/api/v1/query?[http::formatQuery query $q] -timeout 2000]
	try {
		if {[http::status $tok] ne "ok" || [http::ncode $tok] != 200} {
			error "query $q: [http::status $tok] [http::code $tok]"
		}
		set j [json_parse [http::data $tok]]
		return [dict get $j data result]
	} finally {
		http::cleanup $tok
	}
}

# The up values of every scraped job, as a dict job -> value.
proc prom_up {port} {
	set out {}
	foreach r [prom_query $port up] {
		dict set out [dict get $r metric job] [lindex [dict get $r value] 1]
	}
	return $out
}

test "a real Prometheus scrapes faild, failsh and hc: all up, failover_ metrics stored" {
	set prometheus [auto_execok prometheus]
	if {$prometheus eq ""} {
		skip "no prometheus (Debian package prometheus)"
	}
	set f [faild_e]
	faild_tcp $f "1 set probe UP"
	set sport [free_port]
	set s [start_failsh a $f "[hosts_tcl [dict create a $f]]
[svc_tcl www 0.2]" -e $sport]
	set h [hc_e $f]
	set dir $::tmpdir/prometheus.[incr harness::seq]
	file mkdir $dir
	set pport [free_port]
	write_file $dir/prometheus.yml "global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: faild
    static_configs:
      - targets: \['127.0.0.1:[dict get $f metrics]'\]
  - job_name: failsh
    static_configs:
      - targets: \['127.0.0.1:$sport'\]
  - job_name: hc
    static_configs:
      - targets: \['127.0.0.1:[dict get $h metrics]'\]
"
	set ch [spawn_prog {*}$prometheus --config.file=$dir/prometheus.yml \
	    --storage.tsdb.path=$dir/data --web.listen-address=127.0.0.1:$pport \
	    --log.level=warn]
	try {
		wait_for {[dict size [prom_up $pport]] == 3 &&
		    [lsort -unique [dict values [prom_up $pport]]] eq "1"} \
		    30000 "all three targets up=1 in Prometheus"
		wait_for {[llength [prom_query $pport \
		    {failover_service_state{job="faild",service="probe",state="UP"} == 1}]] == 1} \
		    10000 "faild's probe UP in Prometheus"
		wait_for {[llength [prom_query $pport \
		    {failover_service_runs_total{job="failsh"}}]] == 1} \
		    10000 "failsh's runs in Prometheus"
		wait_for {[llength [prom_query $pport \
		    {failover_target_state{job="hc",target="web",state="UP"}}]] == 1} \
		    10000 "hc's target in Prometheus"
	} finally {
		stop_prog $ch
		file delete -force $dir
	}
	assert_true {![file exists $dir]}
}

harness_done
