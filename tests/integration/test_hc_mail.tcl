# test_hc_mail.tcl: hc's greeting checks (smtp, pop3, imap, ftp) against
# fake servers that greet, answer, refuse, close or hang, and the exec
# check: exit status, output in the reason, HC_TARGET, and the process
# group killed at the deadline. Everything goes through hc -x.

source [file join [file dirname [info script]] harness.tcl]

if {![file executable $::hc]} {
	puts "no $::hc: build it first (make hc/hc)"
	puts "0 passed, 1 failed"
	exit 1
}

# hcx ?-t TIMEOUT? CHECK ARGS...: run one check with hc -x; returns
# {code result why}, result "ok" or "fail" and why without "(N ms)".
proc hcx {args} {
	set tmo 300ms
	if {[lindex $args 0] eq "-t"} {
		set tmo [lindex $args 1]
		set args [lrange $args 2 end]
	}
	set r [run_prog $::hc -x -t $tmo {*}$args]
	set out [string trim [dict get $r stdout]]
	if {![regexp {^(ok|fail): (.*) \((\d+) ms\)$} $out -> res why ms]} {
		return [list [dict get $r code] "" \
		    [string trim [dict get $r stderr]]]
	}
	set ::hcx_ms $ms
	return [list [dict get $r code] $res $why]
}

# expect_check CODE WHY-GLOB CHECK ARGS...: hcx, then compare.
proc expect_check {code why args} {
	lassign [hcx {*}$args] c res w
	assert_match $why $w "reason of [lrange $args 0 1]"
	assert_equal $code $c "exit code of hc -x $args ($res: $w)"
}

# ----------------------------------------------------------------------
# A mail server for one test: sends greeting on accept (nothing if ""),
# then answers each line with the value of the first glob pattern of
# answers that matches it (no match: silence); after answering QUIT or
# LOGOUT it closes. It records what it got in ::mail_got and counts closed
# connections in ::mail_eof. The try in mtest closes it at the end.

proc mail_server {greeting {answers {}}} {
	set ::mail_got {}
	set ::mail_eof 0
	set s [socket -server [list mail_accept $greeting $answers] \
	    -myaddr 127.0.0.1 0]
	lappend ::mail_chans $s
	return [lindex [fconfigure $s -sockname] 2]
}

proc mail_accept {greeting answers ch addr port} {
	lappend ::mail_chans $ch
	fconfigure $ch -blocking 0 -translation binary -buffering none
	if {$greeting ne ""} {
		puts -nonewline $ch $greeting
	}
	fileevent $ch readable [list mail_read $ch $answers]
}

proc mail_read {ch answers} {
	if {[catch {gets $ch line} n] || [eof $ch]} {
		catch {close $ch}
		incr ::mail_eof
		return
	}
	if {$n < 0} {
		return
	}
	set line [string trimright $line \r]
	lappend ::mail_got $line
	foreach {pat reply} $answers {
		if {[string match $pat $line]} {
			catch {puts -nonewline $ch $reply}
			if {[regexp {^(QUIT|a1 LOGOUT)$} $line]} {
				catch {close $ch}
				incr ::mail_eof
			}
			break
		}
	}
}

proc mail_cleanup {} {
	foreach ch $::mail_chans {
		catch {close $ch}
	}
	set ::mail_chans {}
}
set ::mail_chans {}

# Wait until the client has gone, so ::mail_got holds all it sent.
proc mail_wait_gone {} {
	wait_for {$::mail_eof >= 1} 3000 "the client to close its connection"
}

proc mtest {name body} {
	uplevel 1 [list test $name [list try $body finally mail_cleanup]]
}

set smtp_ok [dict create \
    "EHLO *" "250-mx.test hello\r\n250-PIPELINING\r\n250 SIZE 1024\r\n" \
    QUIT "221 2.0.0 bye\r\n"]

# ----------------------------------------------------------------------
# smtp

mtest "smtp: 220 and EHLO 250, with the helo name, then QUIT" {
	set p [mail_server "220 mx.test ESMTP\r\n" $smtp_ok]
	expect_check 0 "smtp 220, EHLO 250" smtp 127.0.0.1:$p helo hc.test
	mail_wait_gone
	assert_equal {{EHLO hc.test} QUIT} $::mail_got "what the server got"
}

mtest "smtp: EHLO with the host name by default" {
	set p [mail_server "220 mx.test ESMTP\r\n" $smtp_ok]
	expect_check 0 "smtp 220, EHLO 250" smtp 127.0.0.1:$p
	mail_wait_gone
	assert_equal [list "EHLO [info hostname]" QUIT] $::mail_got
}

mtest "smtp: greeting of several lines" {
	set p [mail_server "220-mx.test ESMTP\r\n220-no UCE\r\n220 ready\r\n" \
	    $smtp_ok]
	expect_check 0 "smtp 220, EHLO 250" smtp 127.0.0.1:$p helo hc.test
	mail_wait_gone
	assert_equal {{EHLO hc.test} QUIT} $::mail_got
}

mtest "smtp: greeting 554 fails, and we still say QUIT" {
	set p [mail_server "554 5.3.2 no service here\r\n" $smtp_ok]
	expect_check 1 "smtp greeting 554 5.3.2 no service here" \
	    smtp 127.0.0.1:$p
	mail_wait_gone
	assert_equal {QUIT} $::mail_got
}

mtest "smtp: greeting 554 of several lines shows its first line" {
	set p [mail_server "554-go away\r\n554 really\r\n" $smtp_ok]
	expect_check 1 "smtp greeting 554-go away" smtp 127.0.0.1:$p
}

mtest "smtp: a greeting that is not a reply" {
	set p [mail_server "HTTP/1.0 400 Bad request\r\n"]
	expect_check 1 "smtp greeting HTTP/1.0 400 Bad request" \
	    smtp 127.0.0.1:$p
}

mtest "smtp: EHLO 500 fails" {
	set p [mail_server "220 mx.test\r\n" \
	    [dict create "EHLO *" "500 5.5.1 unrecognized\r\n" \
	    QUIT "221 bye\r\n"]]
	expect_check 1 "smtp EHLO 500 5.5.1 unrecognized" \
	    smtp 127.0.0.1:$p helo hc.test
	mail_wait_gone
	assert_equal {{EHLO hc.test} QUIT} $::mail_got
}

mtest "smtp: greets, then hangs at EHLO: timeout" {
	set p [mail_server "220 mx.test\r\n"]
	expect_check 1 "timeout waiting for the reply to EHLO" \
	    smtp 127.0.0.1:$p
}

mtest "smtp: an EHLO reply of several lines that never ends: timeout" {
	set p [mail_server "220 mx.test\r\n" \
	    [dict create "EHLO *" "250-mx.test\r\n250-SIZE\r\n"]]
	expect_check 1 "timeout waiting for the reply to EHLO" \
	    smtp 127.0.0.1:$p
}

mtest "smtp: never greets: timeout" {
	set p [mail_server "" $smtp_ok]
	expect_check 1 "timeout waiting for the greeting" smtp 127.0.0.1:$p
	mail_wait_gone
	assert_equal {} $::mail_got "nothing sent before the greeting"
}

test "smtp: refused" {
	set p [free_port]
	expect_check 1 "connect 127.0.0.1:$p: Connection refused" \
	    smtp 127.0.0.1:$p
}

test "smtp: closed at once" {
	lassign [fake_server close] s p
	expect_check 1 "connection closed before the greeting" \
	    smtp 127.0.0.1:$p
}

mtest "smtp: QUIT unanswered does not hold up the result" {
	set p [mail_server "220 mx.test\r\n" \
	    [dict create "EHLO *" "250 mx.test\r\n"]]
	lassign [hcx -t 5s smtp 127.0.0.1:$p] c res why
	assert_equal {0 ok {smtp 220, EHLO 250}} [list $c $res $why]
	assert_true {$::hcx_ms < 1500} "took $::hcx_ms ms"
}

test "smtp: bad arguments" {
	expect_check 2 {hc: check smtp: missing address (host\[:port\])} smtp
	expect_check 2 "hc: check smtp: unknown option \"tls\" for check smtp\
	    (known: helo)" smtp 127.0.0.1 tls on
	expect_check 2 "hc: check smtp: option \"helo\" needs a value" \
	    smtp 127.0.0.1 helo
	expect_check 2 "hc: check smtp: option \"helo\" must be a host name,\
	    not \"a b\"" smtp 127.0.0.1 helo "a b"
	expect_check 2 "hc: check smtp: *" smtp 127.0.0.1:99999
}

# ----------------------------------------------------------------------
# pop3

mtest "pop3: +OK, then QUIT" {
	set p [mail_server "+OK POP3 ready <1.2@mx>\r\n" \
	    [dict create QUIT "+OK bye\r\n"]]
	expect_check 0 "pop3 +OK" pop3 127.0.0.1:$p
	mail_wait_gone
	assert_equal {QUIT} $::mail_got
}

mtest "pop3: -ERR fails" {
	set p [mail_server "-ERR too busy\r\n" [dict create QUIT "+OK\r\n"]]
	expect_check 1 "pop3 greeting -ERR too busy" pop3 127.0.0.1:$p
	mail_wait_gone
	assert_equal {QUIT} $::mail_got
}

mtest "pop3: an SMTP greeting is not +OK" {
	set p [mail_server "220 mx.test ESMTP\r\n"]
	expect_check 1 "pop3 greeting 220 mx.test ESMTP" pop3 127.0.0.1:$p
}

mtest "pop3: greets, then hangs: healthy, without waiting long" {
	set p [mail_server "+OK ready\r\n"]
	lassign [hcx -t 5s pop3 127.0.0.1:$p] c res why
	assert_equal {0 ok {pop3 +OK}} [list $c $res $why]
	assert_true {$::hcx_ms < 1500} "took $::hcx_ms ms"
}

mtest "pop3: half a greeting, then hangs: timeout" {
	set p [mail_server "+OK rea"]
	expect_check 1 "timeout waiting for the greeting" pop3 127.0.0.1:$p
}

mtest "pop3: never greets: timeout" {
	set p [mail_server ""]
	expect_check 1 "timeout waiting for the greeting" pop3 127.0.0.1:$p
}

test "pop3: refused" {
	set p [free_port]
	expect_check 1 "connect 127.0.0.1:$p: Connection refused" \
	    pop3 127.0.0.1:$p
}

test "pop3: closed at once" {
	lassign [fake_server close] s p
	expect_check 1 "connection closed before the greeting" \
	    pop3 127.0.0.1:$p
}

test "pop3: bad arguments" {
	expect_check 2 {hc: check pop3: missing address (host\[:port\])} pop3
	expect_check 2 "hc: check pop3: check pop3 takes no options, not\
	    \"tls\"" pop3 127.0.0.1 tls off
}

# ----------------------------------------------------------------------
# imap

set imap_bye [dict create \
    "a1 LOGOUT" "* BYE logging out\r\na1 OK LOGOUT done\r\n"]

mtest "imap: * OK, then LOGOUT" {
	set p [mail_server "* OK \[CAPABILITY IMAP4rev1\] ready\r\n" $imap_bye]
	expect_check 0 "imap * OK" imap 127.0.0.1:$p
	mail_wait_gone
	assert_equal {{a1 LOGOUT}} $::mail_got
}

mtest "imap: * PREAUTH is healthy" {
	set p [mail_server "* PREAUTH logged in as you\r\n" $imap_bye]
	expect_check 0 "imap * PREAUTH" imap 127.0.0.1:$p
}

mtest "imap: * BYE fails" {
	set p [mail_server "* BYE too many connections\r\n"]
	expect_check 1 "imap greeting * BYE too many connections" \
	    imap 127.0.0.1:$p
}

mtest "imap: a POP3 greeting is not * OK" {
	set p [mail_server "+OK POP3 ready\r\n"]
	expect_check 1 "imap greeting +OK POP3 ready" imap 127.0.0.1:$p
}

mtest "imap: greets, then hangs: healthy, without waiting long" {
	set p [mail_server "* OK ready\r\n"]
	lassign [hcx -t 5s imap 127.0.0.1:$p] c res why
	assert_equal {0 ok {imap * OK}} [list $c $res $why]
	assert_true {$::hcx_ms < 1500} "took $::hcx_ms ms"
}

mtest "imap: never greets: timeout" {
	set p [mail_server ""]
	expect_check 1 "timeout waiting for the greeting" imap 127.0.0.1:$p
}

test "imap: refused" {
	set p [free_port]
	expect_check 1 "connect 127.0.0.1:$p: Connection refused" \
	    imap 127.0.0.1:$p
}

test "imap: closed at once" {
	lassign [fake_server close] s p
	expect_check 1 "connection closed before the greeting" \
	    imap 127.0.0.1:$p
}

test "imap: bad arguments" {
	expect_check 2 {hc: check imap: missing address (host\[:port\])} imap
	expect_check 2 "hc: check imap: check imap takes no options, not\
	    \"x\"" imap 127.0.0.1 x
}

# ----------------------------------------------------------------------
# ftp

mtest "ftp: 220, then QUIT" {
	set p [mail_server "220 FTP ready\r\n" [dict create QUIT "221 bye\r\n"]]
	expect_check 0 "ftp 220" ftp 127.0.0.1:$p
	mail_wait_gone
	assert_equal {QUIT} $::mail_got
}

mtest "ftp: greeting of several lines, with text lines between" {
	set p [mail_server \
	    "220-Welcome\r\n   to our server\r\n220-rules\r\n220 ready\r\n" \
	    [dict create QUIT "221 bye\r\n"]]
	expect_check 0 "ftp 220" ftp 127.0.0.1:$p
	mail_wait_gone
	assert_equal {QUIT} $::mail_got
}

mtest "ftp: 120 (ready in a few minutes) fails" {
	set p [mail_server "120 Service ready in 5 minutes\r\n"]
	expect_check 1 "ftp greeting 120 Service ready in 5 minutes" \
	    ftp 127.0.0.1:$p
}

mtest "ftp: 421 fails" {
	set p [mail_server "421-Too many users\r\n421 try later\r\n"]
	expect_check 1 "ftp greeting 421-Too many users" ftp 127.0.0.1:$p
}

mtest "ftp: greeting of several lines that never ends: timeout" {
	set p [mail_server "220-Welcome\r\n"]
	expect_check 1 "timeout waiting for the greeting" ftp 127.0.0.1:$p
}

mtest "ftp: greets, then hangs: healthy, without waiting long" {
	set p [mail_server "220 ready\r\n"]
	lassign [hcx -t 5s ftp 127.0.0.1:$p] c res why
	assert_equal {0 ok {ftp 220}} [list $c $res $why]
	assert_true {$::hcx_ms < 1500} "took $::hcx_ms ms"
}

mtest "ftp: never greets: timeout" {
	set p [mail_server ""]
	expect_check 1 "timeout waiting for the greeting" ftp 127.0.0.1:$p
}

test "ftp: refused" {
	set p [free_port]
	expect_check 1 "connect 127.0.0.1:$p: Connection refused" \
	    ftp 127.0.0.1:$p
}

test "ftp: closed at once" {
	lassign [fake_server close] s p
	expect_check 1 "connection closed before the greeting" \
	    ftp 127.0.0.1:$p
}

test "ftp: bad arguments" {
	expect_check 2 {hc: check ftp: missing address (host\[:port\])} ftp
	expect_check 2 "hc: check ftp: check ftp takes no options, not\
	    \"tls\"" ftp 127.0.0.1 tls on
}

# ----------------------------------------------------------------------
# exec

test "exec: exit 0 is healthy" {
	expect_check 0 "exit 0" exec true
	# The words are joined into one shell command line.
	expect_check 0 "exit 0" exec test -d / "&&" exit 0
}

test "exec: exit 3, with the first line of the output" {
	expect_check 1 "exit 3: disk full" \
	    exec {echo; echo "  disk full  "; echo second; exit 3}
	expect_check 1 "exit 3: on stderr" exec {echo on stderr >&2; exit 3}
	expect_check 1 "exit 1" exec false
}

test "exec: a long line of output is cut" {
	lassign [hcx exec {printf '%0300d\n' 7; exit 2}] c res why
	assert_equal 1 $c
	assert_equal "exit 2: [string repeat 0 100]" $why
}

test "exec: killed by a signal" {
	expect_check 1 "killed by signal 9" exec {kill -9 $$}
}

test "exec: HC_TARGET names the target (- for hc -x)" {
	expect_check 1 "exit 1: target=-" \
	    exec {echo "target=$HC_TARGET"; exit 1}
}

# A sleep that only this test runs, found by its unusual duration.
proc marker_sleeps {mark} {
	if {[catch {exec pgrep -f "sleep 3\[01\]\\.$mark"} out]} {
		return {}
	}
	return $out
}

# Run an exec check that starts sleeps marked mark; on failure, kill
# those it left (by their pids) so that they do not outlive the test.
proc expect_no_sleeps {mark body} {
	try {
		uplevel 1 $body
		wait_for {[marker_sleeps $mark] eq ""} 2000 \
		    "no sleep left behind"
	} finally {
		foreach pid [marker_sleeps $mark] {
			catch {exec kill -KILL $pid}
		}
	}
}

test "exec: timeout kills the whole process group" {
	set mark [expr {100000 + int(rand() * 800000)}]
	expect_no_sleeps $mark {
		expect_check 1 "timeout" exec "sleep 30.$mark & sleep 31.$mark"
	}
}

test "exec: a child left behind by a shell that exited is a timeout" {
	set mark [expr {100000 + int(rand() * 800000)}]
	expect_no_sleeps $mark {
		expect_check 1 "timeout" exec "sleep 30.$mark & exit 0"
	}
}

test "exec: bad arguments" {
	expect_check 2 \
	    {hc: check exec: missing command (exec COMMAND \[ARG ...\])} exec
	expect_check 2 "hc: check exec: missing command *" exec "  "
}

harness_done
