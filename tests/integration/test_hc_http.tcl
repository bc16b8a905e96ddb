# test_hc_http.tcl: hc's tcp, http and https checks, run once with hc -x
# against servers of this file: a small HTTP server (status, headers, body,
# chunked, hang), the harness's fake servers, and openssl s_server with a
# certificate made for the run.

source [file join [file dirname [info script]] harness.tcl]

if {![file executable $::hc]} {
	puts "no $::hc: build it first (make hc/hc)"
	puts "0 passed, 1 failed"
	exit 1
}

# hc_x WANT ?-t TIMEOUT? CHECK ARGS...: run one check and insist on the exit
# code (0 healthy, 1 unhealthy, 2 bad arguments); returns the line printed,
# or stderr for exit 2.
proc hc_x {want args} {
	set t 1s
	if {[lindex $args 0] eq "-t"} {
		set t [lindex $args 1]
		set args [lrange $args 2 end]
	}
	set r [run_prog $::hc -x -t $t {*}$args]
	set out [string trim [dict get $r stdout]]
	set err [string trim [dict get $r stderr]]
	if {[dict get $r code] ne $want} {
		fail "hc -x $args: exit [dict get $r code], expected $want\
		    (stdout \"$out\", stderr \"$err\")"
	}
	return [expr {$want == 2 ? $err : $out}]
}

# ----------------------------------------------------------------------
# A small HTTP/1.1 server. http_server CMD: each request (read up to its
# blank line) is passed to CMD as a dict {method path headers}, headers
# with lower-case names; CMD returns the raw answer, sent before the
# server closes the connection, or "" to hang. The last request is kept
# in ::http_last. Returns the port; closed at the end of the test.

proc http_server {cmd} {
	set id [incr harness::seq]
	set s [socket -server [list http_accept $id $cmd] -myaddr 127.0.0.1 0]
	set harness::servers($s) $id
	set harness::fake_clients($id) {}
	return [lindex [fconfigure $s -sockname] 2]
}

proc http_accept {id cmd ch addr port} {
	lappend harness::fake_clients($id) $ch
	fconfigure $ch -blocking 0 -translation binary -buffering none
	set ::http_lines($ch) {}
	fileevent $ch readable [list http_request $ch $cmd]
}

proc http_request {ch cmd} {
	if {[catch {gets $ch line} n] || ($n < 0 && [eof $ch])} {
		catch {close $ch}
		unset -nocomplain ::http_lines($ch)
		return
	}
	if {$n < 0} return
	set line [string trimright $line \r]
	if {$line ne ""} {
		lappend ::http_lines($ch) $line
		return
	}
	set lines $::http_lines($ch)
	unset ::http_lines($ch)
	set headers {}
	foreach h [lrange $lines 1 end] {
		if {[regexp {^([^:]+):\s*(.*)$} $h -> k v]} {
			dict set headers [string tolower $k] $v
		}
	}
	set ::http_last [dict create method [lindex $lines 0 0] \
	    path [lindex $lines 0 1] headers $headers]
	set answer [uplevel #0 [list {*}$cmd $::http_last]]
	if {$answer eq ""} {
		fileevent $ch readable [list harness::fake_drain $ch ""]
		return
	}
	fileevent $ch readable {}
	catch {puts -nonewline $ch $answer}
	catch {close $ch}
}

# The raw text of an answer. framing: length (Content-Length), close (no
# length: the body ends with the connection), chunked (the body sent in
# chunks split at every "|", which the body then loses).
proc http_answer {status {body ""} {headers {}} {framing length}} {
	set a "HTTP/1.1 $status Whatever\r\n"
	foreach {k v} $headers {
		append a "$k: $v\r\n"
	}
	switch -- $framing {
	length {append a "Content-Length: [string length $body]\r\n\r\n$body"}
	close {append a "\r\n$body"}
	chunked {
		append a "Transfer-Encoding: chunked\r\n\r\n"
		foreach part [split $body |] {
			append a [format %x [string length $part]] "\r\n$part\r\n"
		}
		append a "0\r\n\r\n"
	}
	}
	return $a
}

# A server answering every request the same.
proc http_fixed {args} {
	return [http_server [list apply {{a req} {return $a}} \
	    [http_answer {*}$args]]]
}

# ----------------------------------------------------------------------
# TLS: a self-signed server certificate for localhost and 127.0.0.1, a
# client certificate, and openssl s_server.

proc make_cert {name cn} {
	set cert $::tmpdir/$name.pem
	set key $::tmpdir/$name.key
	if {![file exists $cert]} {
		exec openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=$cn \
		    -addext subjectAltName=DNS:$cn,IP:127.0.0.1 -days 2 \
		    -keyout $key -out $cert 2>@1
	}
	return [list $cert $key]
}

# tls_server ARGS: s_server -www on a free port with the server
# certificate and ARGS; waits until the port accepts. Returns the port.
proc tls_server {args} {
	lassign [make_cert server localhost] cert key
	for {set try 0} {$try < 5} {incr try} {
		set port [free_port]
		set ch [spawn_prog openssl s_server -accept 127.0.0.1:$port \
		    -cert $cert -key $key -www -quiet {*}$args]
		set deadline [expr {[clock milliseconds] + 5000}]
		while {[clock milliseconds] < $deadline} {
			if {![catch {socket 127.0.0.1 $port} s]} {
				close $s
				return $port
			}
			if {[string match "*rror*" [prog_stderr $ch]]} break
			harness::nap 20
		}
		stop_prog $ch
	}
	error "openssl s_server did not start: [prog_stderr $ch]"
}

# ----------------------------------------------------------------------
# tcp

test "tcp: connect ok, refused" {
	lassign [fake_server hang] s port
	assert_match "ok: connected (*" [hc_x 0 tcp 127.0.0.1:$port]
	set port [free_port]
	assert_match "fail: connect 127.0.0.1:$port: Connection refused (*" \
	    [hc_x 1 tcp 127.0.0.1:$port]
}

test "tcp: send and expect, match on a later line" {
	lassign [fake_server script {apply {{line} {
		if {$line eq "PING"} {
			return "hello\r\n+PONG ready"
		}
		return "-ERR what"
	}}}] s port
	assert_match {ok: got "+PONG ready" (*} \
	    [hc_x 0 tcp 127.0.0.1:$port send "PING\r\n" expect {^\+PONG}]
	# The pattern sees the line without its CR.
	assert_match {ok: got "+PONG ready" (*} \
	    [hc_x 0 tcp 127.0.0.1:$port send "PING\n" expect {ready$}]
	# A greeting, no send.
	lassign [fake_server greet "220 mail.example ESMTP\r\n"] s port
	assert_match {ok: got "220 mail.example ESMTP" (*} \
	    [hc_x 0 tcp 127.0.0.1:$port expect {^220 }]
}

test "tcp: expect mismatch names the awaited pattern and the last line" {
	lassign [fake_server reply "-ERR no"] s port
	set out [hc_x 1 -t 300ms tcp 127.0.0.1:$port send "PING\r\n" \
	    expect {PONG$}]
	assert_match {fail: timeout waiting for a line matching "PONG$",\
	    last line "-ERR no" (*} $out
	# The server closes after a long line: it is cut short.
	set long [string repeat x 200]
	lassign [fake_server script [list apply {{long line} {
		return "$long"
	}} $long]] s port
	set out [hc_x 1 -t 300ms tcp 127.0.0.1:$port send "a\n" expect ^y]
	assert_match "fail: timeout waiting for a line matching \"^y\",\
	    last line \"[string repeat x 60]...\" (*" $out
	# Closed before any line.
	lassign [fake_server close] s port
	assert_match {fail: connection closed before a line matching "^y" (*} \
	    [hc_x 1 tcp 127.0.0.1:$port expect ^y]
}

test "tcp: a server that accepts and hangs fails at the deadline" {
	lassign [fake_server hang] s port
	set t0 [clock milliseconds]
	set out [hc_x 1 -t 300ms tcp 127.0.0.1:$port send "HELLO\r\n" \
	    expect ^OK]
	set ms [expr {[clock milliseconds] - $t0}]
	assert_match {fail: timeout waiting for a line matching "^OK" (*} $out
	assert_true {$ms >= 290 && $ms < 3000} "-t 300ms took $ms ms"
}

test "tcp: bad arguments" {
	assert_match {*address "127.0.0.1" needs a port*} \
	    [hc_x 2 tcp 127.0.0.1]
	assert_match {*needs a port*} [hc_x 2 tcp localhost]
	assert_match {*bad port*} [hc_x 2 tcp 127.0.0.1:0]
	assert_match {*unknown option "sned" for check tcp (known: send,\
	    expect)*} [hc_x 2 tcp 127.0.0.1:1 sned x]
	assert_match {*option "expect" needs a value*} \
	    [hc_x 2 tcp 127.0.0.1:1 expect]
	assert_match {*bad pattern "(x"*} [hc_x 2 tcp 127.0.0.1:1 expect (x]
	assert_match {*needs an address*} [hc_x 2 tcp]
}

# ----------------------------------------------------------------------
# http

test "http: 200 is healthy, 503 is not" {
	set port [http_fixed 200 "fine\n"]
	assert_match "ok: http 200 (*" [hc_x 0 http 127.0.0.1:$port]
	set req $::http_last
	assert_equal GET [dict get $req method]
	assert_equal / [dict get $req path]
	set h [dict get $req headers]
	assert_match "failover-hc/*" [dict get $h user-agent]
	assert_equal close [dict get $h connection]
	set port [http_fixed 503 "down\n"]
	assert_match "fail: http 503 (*" [hc_x 1 http 127.0.0.1:$port]
	# Redirects count by default (200-399).
	set port [http_fixed 302 "" {Location /x}]
	assert_match "ok: http 302 (*" [hc_x 0 http 127.0.0.1:$port]
}

test "http: status ranges" {
	set port [http_fixed 404 "no\n"]
	assert_match "fail: http 404 (*" [hc_x 1 http 127.0.0.1:$port]
	assert_match "ok: http 404 (*" [hc_x 0 http 127.0.0.1:$port \
	    status 200,404]
	assert_match "ok: http 404 (*" [hc_x 0 http 127.0.0.1:$port \
	    status 200-299,400-404]
	set port [http_fixed 301 ""]
	assert_match "fail: http 301 (*" [hc_x 1 http 127.0.0.1:$port \
	    status 200-299]
	assert_match "ok: http 301 (*" [hc_x 0 http 127.0.0.1:$port \
	    status 200-299,301]
	set port [http_fixed 204 ""]
	assert_match "ok: http 204 (*" [hc_x 0 http 127.0.0.1:$port \
	    status 204 expect ^$]
}

test "http: path, method, and the body against expect" {
	set port [http_server {apply {{req} {
		if {[dict get $req path] ne "/health?full=1"} {
			return [http_answer 404 "not here"]
		}
		return [http_answer 200 "<p>status: all good</p>\n"]
	}}}]
	assert_match "ok: http 200 (*" [hc_x 0 http 127.0.0.1:$port \
	    path /health?full=1 expect {status: (all|most) good}]
	assert_match {fail: http 200, body does not match "status: bad" (*} \
	    [hc_x 1 http 127.0.0.1:$port path /health?full=1 \
	    expect {status: bad}]
	assert_match "fail: http 404 (*" [hc_x 1 http 127.0.0.1:$port \
	    expect good]
	assert_match "ok: http 200 (*" [hc_x 0 http 127.0.0.1:$port \
	    path /health?full=1 method HEAD]
	assert_equal HEAD [dict get $::http_last method]
}

test "http: bodies read to the close, chunked, and beyond 64 KiB" {
	set port [http_fixed 200 "line one\nline two\n" {} close]
	assert_match "ok: http 200 (*" [hc_x 0 http 127.0.0.1:$port \
	    expect {one.line two}]
	# Chunks split the match; a chunk extension is allowed.
	set port [http_fixed 200 "hel|lo wor|ld" {} chunked]
	assert_match "ok: http 200 (*" [hc_x 0 http 127.0.0.1:$port \
	    expect {^hello world$}]
	assert_match {fail: http 200, body does not match "^hel$" (*} \
	    [hc_x 1 http 127.0.0.1:$port expect {^hel$}]
	set port [http_server [list apply {{req} {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n0\r\n\r\n"
	}}]]
	assert_match "ok: http 200 (*" [hc_x 0 http 127.0.0.1:$port \
	    expect ^abcd$]
	# A broken chunk size.
	set port [http_server [list apply {{req} {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabcd\r\n0\r\n\r\n"
	}}]]
	assert_match {fail: bad chunk size: "zz" (*} \
	    [hc_x 1 http 127.0.0.1:$port expect ^abcd$]
	# Only the first 64 KiB count.
	set big "START[string repeat x 70000]END"
	set port [http_fixed 200 $big]
	assert_match "ok: http 200 (*" [hc_x 0 http 127.0.0.1:$port \
	    expect ^STARTx]
	assert_match "fail: http 200, body does not match*" \
	    [hc_x 1 http 127.0.0.1:$port expect END]
	# Content-Length promises more than comes.
	set port [http_server [list apply {{req} {
		return "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"
	}}]]
	assert_match "fail: connection closed in the body (*" \
	    [hc_x 1 http 127.0.0.1:$port expect short]
}

test "http: the Host header" {
	set port [http_server {apply {{req} {
		set want [lindex $::want_host 0]
		if {[dict get $req headers host] ne $want} {
			return [http_answer 400 "bad host"]
		}
		return [http_answer 200 ok]
	}}}]
	set ::want_host [list 127.0.0.1:$port]
	assert_match "ok: http 200 (*" [hc_x 0 http 127.0.0.1:$port]
	set ::want_host [list www.example.com:$port]
	assert_match "ok: http 200 (*" [hc_x 0 http 127.0.0.1:$port \
	    host www.example.com]
	assert_match "fail: http 400 (*" [hc_x 1 http 127.0.0.1:$port]
	# localhost as written, with its port.
	set ::want_host [list localhost:$port]
	assert_match "ok: http 200 (*" [hc_x 0 http localhost:$port]
}

test "http: hang, close at once, nonsense" {
	set port [http_server {apply {{req} {return ""}}}]
	set t0 [clock milliseconds]
	assert_match "fail: timeout waiting for the status line (*" \
	    [hc_x 1 -t 300ms http 127.0.0.1:$port]
	set ms [expr {[clock milliseconds] - $t0}]
	assert_true {$ms >= 290 && $ms < 3000} "-t 300ms took $ms ms"
	# Headers that never end.
	lassign [fake_server greet "HTTP/1.1 200 OK\r\nX-Slow: 1\r\n"] s port
	assert_match "fail: timeout waiting for the headers (*" \
	    [hc_x 1 -t 300ms http 127.0.0.1:$port]
	# A body that never ends.
	lassign [fake_server greet "HTTP/1.1 200 OK\r\n\r\npartial"] s port
	assert_match "fail: timeout waiting for the body (*" \
	    [hc_x 1 -t 300ms http 127.0.0.1:$port expect zzz]
	# Closed at once: a FIN, or a reset when our request was unread.
	lassign [fake_server close] s port
	assert_regexp {^fail: (connection closed before|reading) the status\
	    line(: Connection reset by peer)? \(} [hc_x 1 http 127.0.0.1:$port]
	lassign [fake_server greet "SSH-2.0-OpenSSH_9.6\r\n"] s port
	assert_match {fail: bad status line: "SSH-2.0-OpenSSH_9.6" (*} \
	    [hc_x 1 http 127.0.0.1:$port]
	set port [free_port]
	assert_match "fail: connect 127.0.0.1:$port: Connection refused (*" \
	    [hc_x 1 http 127.0.0.1:$port]
}

test "http: bad arguments" {
	assert_match {*option "status" must be codes or ranges from 100 to\
	    599*not "700"*} [hc_x 2 http 127.0.0.1 status 700]
	foreach s {abc 200- -200 299-200 200,,301 200x 99} {
		assert_match {*option "status" must be*} \
		    [hc_x 2 http 127.0.0.1 status $s]
	}
	assert_match {*unknown option "verify" for check http (known: path,\
	    host, status, expect, method)*} [hc_x 2 http 127.0.0.1 verify off]
	assert_match {*option "method" must be GET or HEAD, not "POST"*} \
	    [hc_x 2 http 127.0.0.1 method POST]
	assert_match {*option "path" must start with "/"*} \
	    [hc_x 2 http 127.0.0.1 path health]
	assert_match {*option "path" must start*} \
	    [hc_x 2 http 127.0.0.1 path "/a b"]
	assert_match {*not with method HEAD*} \
	    [hc_x 2 http 127.0.0.1 method HEAD expect x]
	assert_match {*option "host" needs a value*} \
	    [hc_x 2 http 127.0.0.1 host]
	assert_match {*bad port*} [hc_x 2 http 127.0.0.1:99999]
}

# ----------------------------------------------------------------------
# https

test "https: verified with ca, by name and by address" {
	lassign [make_cert server localhost] cert key
	set port [tls_server]
	assert_match "ok: http 200 (*" [hc_x 0 https 127.0.0.1:$port ca $cert]
	assert_match "ok: http 200 (*" [hc_x 0 https localhost:$port ca $cert]
	# s_server -www describes the session in its body.
	assert_match "ok: http 200 (*" [hc_x 0 https localhost:$port ca $cert \
	    expect {Ciphers? }]
	assert_match {fail: http 200, body does not match "^nothing$" (*} \
	    [hc_x 1 https localhost:$port ca $cert expect ^nothing$]
}

test "https: self-signed fails unless verify off; names must match" {
	lassign [make_cert server localhost] cert key
	set port [tls_server]
	assert_match "fail: tls: certificate verify failed: self-signed\
	    certificate (*" [hc_x 1 https 127.0.0.1:$port]
	assert_match "ok: http 200 (*" [hc_x 0 https 127.0.0.1:$port \
	    verify off]
	assert_match "fail: tls: certificate verify failed: hostname\
	    mismatch (*" [hc_x 1 https 127.0.0.1:$port ca $cert \
	    host www.example.com]
	assert_match "fail: tls: certificate verify failed: hostname\
	    mismatch (*" [hc_x 1 https localhost:$port ca $cert \
	    sni www.example.com]
	# The sni name rules the check, even against host.
	assert_match "ok: http 200 (*" [hc_x 0 https 127.0.0.1:$port ca $cert \
	    host www.example.com sni localhost]
	assert_match "ok: http 200 (*" [hc_x 0 https 127.0.0.1:$port \
	    verify off sni www.example.com]
}

test "https: a client certificate" {
	lassign [make_cert client hc-client] ccert ckey
	lassign [make_cert server localhost] cert key
	set port [tls_server -Verify 1 -verify_return_error -CAfile $ccert]
	assert_match "ok: http 200 (*" [hc_x 0 https localhost:$port ca $cert \
	    cert $ccert key $ckey]
	# Without one, or with one the server does not trust, it refuses.
	assert_match "fail: tls: *certificate required*" \
	    [hc_x 1 https localhost:$port ca $cert]
	assert_match "fail: tls: *" [hc_x 1 https localhost:$port ca $cert \
	    cert $cert key $key]
}

test "https: hang in the handshake, close at once, plain server" {
	lassign [fake_server hang] s port
	set t0 [clock milliseconds]
	assert_match "fail: timeout in the tls handshake (*" \
	    [hc_x 1 -t 300ms https 127.0.0.1:$port verify off]
	set ms [expr {[clock milliseconds] - $t0}]
	assert_true {$ms >= 290 && $ms < 3000} "-t 300ms took $ms ms"
	lassign [fake_server close] s port
	assert_regexp {^fail: tls: (connection closed|Connection reset by\
	    peer) in the tls handshake \(} \
	    [hc_x 1 https 127.0.0.1:$port verify off]
	lassign [fake_server greet "HTTP/1.1 400 Bad\r\n\r\n"] s port
	assert_match "fail: tls: wrong version number in the tls handshake (*" \
	    [hc_x 1 https 127.0.0.1:$port verify off]
	# A TLS server that accepts the handshake and then hangs.
	lassign [make_cert server localhost] cert key
	set port [free_port]
	# Without -www it relays stdin, so keep that open: it never answers.
	set ch [open |[list openssl s_server -accept 127.0.0.1:$port \
	    -cert $cert -key $key -quiet 2>@1] r+]
	set harness::progs($ch) [pid $ch]
	harness::pidfile_update
	wait_for {![catch {close [socket 127.0.0.1 $port]}]} 5000 \
	    "s_server on $port"
	assert_match "fail: timeout waiting for the status line (*" \
	    [hc_x 1 -t 500ms https 127.0.0.1:$port ca $cert]
}

test "https: bad arguments" {
	lassign [make_cert server localhost] cert key
	assert_match {*options "cert" and "key" go together (cert given\
	    alone)*} [hc_x 2 https 127.0.0.1 cert $cert]
	assert_match {*options "cert" and "key" go together (key given\
	    alone)*} [hc_x 2 https 127.0.0.1 key $key]
	assert_match "*ca file \"$::tmpdir/nosuch.pem\": No such file*" \
	    [hc_x 2 https 127.0.0.1 ca $::tmpdir/nosuch.pem]
	assert_match "*ca file \"$key\": *" [hc_x 2 https 127.0.0.1 ca $key]
	assert_match "*key file \"$::tmpdir/nokey\": No such file*" \
	    [hc_x 2 https 127.0.0.1 cert $cert key $::tmpdir/nokey]
	lassign [make_cert client hc-client] ccert ckey
	assert_match "*key file \"$ckey\" does not match cert file\
	    \"$cert\"*" [hc_x 2 https 127.0.0.1 cert $cert key $ckey]
	assert_match {*option "verify" must be on or off, not "no"*} \
	    [hc_x 2 https 127.0.0.1 verify no]
	assert_match {*option "status" must be*not "700"*} \
	    [hc_x 2 https 127.0.0.1 status 700]
	assert_match {*unknown option "cafile" for check https (known: path,\
	    host, status, expect, method, verify, sni, ca, cert, key)*} \
	    [hc_x 2 https 127.0.0.1 cafile x]
}

harness_done
