# test_hc.tcl: hc as a daemon: the Hcfile and its errors, rise and fall,
# dependencies, actions, the states it publishes into a real faild, SIGHUP,
# restarts, agreement between two hc, the monitor port with failstat,
# faildebug, getnode and hcmon.cgi. The checks themselves have their own
# files (test_hc_http, test_hc_net, test_hc_mail); here most targets use
# exec checks on marker files, which a test flips at will.

source [file join [file dirname [info script]] harness.tcl]

if {![file executable $::hc]} {
	puts "no $::hc: build it first (make hc/hc hc/getnode)"
	puts "0 passed, 1 failed"
	exit 1
}

# hp H: "addr:port" of a faild handle.
proc hp {h} {
	return [dict get $h addr]:[dict get $h port]
}

# The monitor port of an hc handle, one request.
proc hc_req {h line} {
	set ch [socket [dict get $h addr] [dict get $h monitor]]
	set harness::conns($ch) 1
	fconfigure $ch -translation binary -buffering none
	try {
		conn_send $ch $line
		return [read_line $ch]
	} finally {
		conn_close $ch
	}
}

# The state a faild holds for a service ("" if none).
proc faild_state {f service} {
	set a [faild_tcp $f "1 get $service"]
	if {[string match "1 ERR 404*" $a]} {
		return ""
	}
	return [field $a 3]
}

proc wait_faild_state {f service state {timeout_ms 5000}} {
	wait_for {[faild_state $f $service] eq $state} $timeout_ms \
	    "faild: $service never became $state (is [faild_state $f $service])"
}

# A target's state as hc's monitor port says.
proc hc_state {h target} {
	return [field [hc_req $h "1 get $target"] 3]
}

proc wait_hc_state {h target state {timeout_ms 5000}} {
	wait_for {[hc_state $h $target] eq $state} $timeout_ms \
	    "hc: $target never became $state (is [hc_state $h $target])"
}

# An Hcfile that publishes into faild F with a fast default interval.
proc hcfile {f body} {
	return "faild = [hp $f]\ninterval = 50ms\ntimeout = 2s\nrise = 1\nfall = 1\n$body"
}

# A marker-file check: healthy while $::tmpdir/NAME exists.
proc marker {name} {
	return "check exec test -e $::tmpdir/$name"
}

proc mark {name on} {
	if {$on} {
		write_file $::tmpdir/$name ""
	} else {
		file delete $::tmpdir/$name
	}
}

# hc -n on Hcfile text: {code output}.
proc hc_check_file {text {perm 0600}} {
	set path $::tmpdir/Hcfile.[incr harness::seq]
	write_file $path $text $perm
	set r [run_prog $::hc -n -f $path]
	return [list [dict get $r code] "[dict get $r stdout][dict get $r stderr]" $path]
}

# ----------------------------------------------------------------------

test "Hcfile errors name the file and line; hc refuses to start" {
	set cases {
		"a: b\n\tcheck exec true\nb: a\n\tcheck exec true\n"
		{:3: dependency cycle: b -> a -> b|:1: dependency cycle: a -> b -> a}
		"a: nosuch\n\tcheck exec true\n"
		{:1: target a: unknown dependency "nosuch"}
		"\tcheck exec true\n"
		{:1: indented line outside a target}
		"a:\n\tcheck exec true\n    interval 1\n"
		{:3: indentation differs from line 2's}
		"a:\n\tcheck nosuch x\n"
		{:2: unknown check "nosuch" (known: tcp, http, https, smtp}
		"a:\n\tcheck exec\n"
		{:2: check exec:}
		"colour = red\na:\n\tcheck exec true\n"
		{:1: unknown setting "colour"}
		"interval = soon\na:\n\tcheck exec true\n"
		{:1: interval: bad duration "soon"}
		"a:\n\tcheck exec true\na:\n\tcheck exec true\n"
		{:3: target a defined twice (first at line 1)}
		"a:\n\tcheck exec true\n\trise 0\n"
		{:3: rise must be an integer from 1 to 100}
		"a:\n\tcheck exec true\n\ton fail page ops\n"
		{:3: unknown action "page"}
		"a:\n\tcheck exec true\n\ton fail failc 127.0.0.1 www SO-SO\n"
		{:3: on fail failc: bad state "SO-SO"}
		"a:\n\tcheck exec true\n\tagree 3 127.0.0.1\n"
		{:3: agree's count}
		"a:\n\tcheck exec \"true\n"
		{:2: unterminated quote}
		"a b: c\n"
		{:1: expected one target name before ':'}
		"just words\n"
		{:1: expected "target: dependencies" or "setting = value"}
		"a:\n"
		{:1: target a has neither a check nor dependencies}
		"a:\n\tcheck exec true\n\tagree 1 127.0.0.1\n\tagree 1 127.0.0.2\n"
		{:4: target a has a second agree line}
		"a:\n\tcheck tcp 127.0.0.1:1 expect a+++\n"
		{:2: check tcp: bad pattern "a+++": pattern too complex: a repetition of a repetition}
		"a:\n\tcheck http 127.0.0.1 expect ((a{1,100}){1,100}){1,100}\n"
		{:2: check http: bad pattern "((a{1,100}){1,100}){1,100}": pattern too complex}
	}
	foreach {text want} $cases {
		lassign [hc_check_file [subst -nocommands -novariables $text]] \
		    code out path
		assert_equal 1 $code "hc -n exit code for: $text"
		set ok 0
		foreach w [split $want |] {
			if {[string first "$path$w" $out] >= 0} {
				set ok 1
			}
		}
		assert_true $ok "\"$want\" in: $out"
	}
}

test "dependencies: a wide, deep graph is checked at once; 70 blanks of indentation work" {
	set text ""
	for {set i 0} {$i < 40} {incr i} {
		set j [expr {$i + 1}]
		append text "a$i: a$j b$j\nb$i: a$j b$j\n"
	}
	append text "a40:\n\tcheck exec true\nb40:\n[string repeat { } 70]check exec true\n[string repeat { } 70]interval 1\n"
	# 2^40 paths: a search that walks each would not end (run_prog's
	# 15 s limit would say "timeout")
	lassign [hc_check_file $text] code out
	assert_equal 0 $code $out
	assert_match "*OK: 82 targets*" $out
}

test "an Hcfile others may write, or a missing one, is refused" {
	lassign [hc_check_file "a:\n\tcheck exec true\n" 0666] code out path
	assert_equal 1 $code
	assert_match "*$path: refused: writable by group or others*" $out
	set r [run_prog $::hc -n -f $::tmpdir/nosuch]
	assert_equal 1 [dict get $r code]
	assert_match "*nosuch: No such file or directory*" [dict get $r stderr]
	lassign [hc_check_file "# web\nweb: db\n\t[marker w]\ndb:\n\t[marker d]\nsite: web db\n"] code out
	assert_equal 0 $code $out
	assert_match "*OK: 3 targets*" $out
}

test "fall failures to go FAIL, rise successes to go UP, reasons logged" {
	set f [start_faild]
	set runs $::tmpdir/runs
	set chk "check exec \"if test -e $::tmpdir/rf; then echo ok >> $runs;\
	    else echo fail >> $runs; exit 1; fi\""
	mark rf 1
	set h [start_hc [hcfile $f "web:\n\t$chk\n\trise 2\n\tfall 3\n\ton fail exec \"cp $runs $runs.t1 && mv $runs.t1 $runs.fail\"\n\ton up exec \"cp $runs $runs.t2 && mv $runs.t2 $runs.up\"\n"]]
	wait_for_log $h "*target web: RECOVER -> UP (exit 0, 2/2)*"
	mark rf 0
	wait_for_log $h "*target web: UP -> FAIL (exit 1, 3/3)*"
	wait_for {[file exists $runs.fail]}	;# whole: the action renames it
	# the change came after the third failure, not before
	set lines [split [string trim [read_file $runs.fail]] \n]
	assert_equal {fail fail fail} [lrange $lines end-2 end] \
	    "checks before the FAIL action: $lines"
	set i [lsearch -exact $lines fail]
	assert_true {[llength $lines] - $i >= 3}
	mark rf 1
	wait_for_log $h "*target web: FAIL -> UP (exit 0, 2/2)*"
	wait_faild_state $f web UP
}

test "a FAIL dependency fails its dependents; a target of dependencies only" {
	set f [start_faild]
	mark web 1
	mark db 1
	set h [start_hc [hcfile $f "web: db\n\t[marker web]\ndb:\n\t[marker db]\nsite: web db\n"]]
	foreach t {web db site} {
		wait_faild_state $f $t UP
	}
	mark db 0
	wait_for_log $h "*target db: UP -> FAIL (exit 1, 1/1)*"
	wait_for_log $h "*target web: UP -> FAIL (dependency db FAIL)*"
	wait_for_log $h "*target site: UP -> FAIL (dependency web FAIL)*"
	foreach t {web db site} {
		wait_faild_state $f $t FAIL
	}
	# web's own check still passes: the monitor says so
	set show [hc_req $h "1 show web"]
	assert_equal ok [field $show 7] $show
	assert_equal dependency%20db%20FAIL [field $show 19] $show
	mark db 1
	foreach t {web db site} {
		wait_faild_state $f $t UP
	}
	set line [lindex [read_statefile [dict get $f state]] 1]
	assert_match "hc-*" [lindex [dict get [read_statefile [dict get $f state]] web] 2]
}

test "actions run once per change, in order, with the change in the environment" {
	set f [start_faild]
	set f2 [start_faild]
	set out $::tmpdir/actions
	set mail $::tmpdir/mail
	write_file $::tmpdir/sendmail "#!/bin/sh\necho \"args: \$*\" >> $mail\ncat >> $mail\n" 0755
	mark act 1
	set h [start_hc [hcfile $f "sendmail = $::tmpdir/sendmail
www:
	[marker act]
	service www-a
	on fail exec \"echo one \$HC_TARGET \$HC_SERVICE \$HC_OLD \$HC_NEW >> $out\"
	on fail exec \"echo two \\\"\$HC_REASON\\\" >> $out\"
	on fail mail ops@example.com root@example.com
	on fail failc [hp $f2] www-b UP
	on fail log
	on up exec \"echo up >> $out\"
	on up failc [hp $f2] www-b FAIL
"]]
	wait_faild_state $f www-a UP
	wait_faild_state $f2 www-b FAIL
	mark act 0
	wait_faild_state $f www-a FAIL
	wait_faild_state $f2 www-b UP
	wait_for_log $h "*target www: UP -> FAIL: exit 1, 1/1*"
	set want "up\none www www-a UP FAIL\ntwo exit 1, 1/1\n"
	wait_for {[file exists $out] && [read_file $out] eq $want} 5000 \
	    "actions: [read_file $out]"
	set m [read_file $mail]
	assert_match "args: -oi -- ops@example.com root@example.com*" $m
	assert_match "*To: ops@example.com,root@example.com*" $m
	assert_match "*Subject: hc *: target www UP -> FAIL*" $m
	assert_match "*Reason:  exit 1, 1/1*" $m
	mark act 1
	wait_faild_state $f2 www-b FAIL
	wait_for {[read_file $out] eq "${want}up\n"} 5000 \
	    "actions: [read_file $out]"
}

test "a failing action is logged and the next one still runs" {
	set f [start_faild]
	mark fa 1
	set out $::tmpdir/fa.out
	set h [start_hc [hcfile $f "action_timeout = 300ms
t:
	[marker fa]
	on fail exec \"exit 4\"
	on fail exec \"sleep 30\"
	on fail exec \"echo after >> $out\"
"]]
	wait_faild_state $f t UP
	mark fa 0
	wait_for_log $h "*target t: on fail exec (line 9) failed: exit 4*"
	wait_for_log $h "*target t: on fail exec (line 10) failed: timeout after 300 ms*"
	# the file exists before echo has written to it: wait for the line
	wait_for {[file exists $out] && [read_file $out] ne ""}
	assert_equal "after\n" [read_file $out]
}

test "a slow check does not delay the others; a check past its timeout fails" {
	set f [start_faild]
	mark fast 1
	set h [start_hc [hcfile $f "slow:\n\tcheck exec sleep 10\n\ttimeout 1500ms\nfast:\n\t[marker fast]\n"]]
	set t0 [clock milliseconds]
	set c0 [field [hc_req $h "1 show fast"] 10]
	wait_for_log $h "*target slow: RECOVER -> FAIL (timeout*" 5000
	set c1 [field [hc_req $h "1 show fast"] 10]
	# fast runs every 50 ms: at least a few times while slow waited 1.5 s
	assert_true {$c1 - $c0 >= 5} "fast ran $c0 -> $c1 while slow timed out"
	assert_equal UP [faild_state $f fast]
}

test "SIGHUP: a broken Hcfile is refused and the old one kept; a good one is applied keeping states" {
	set f [start_faild]
	mark h1 1
	set h [start_hc [hcfile $f "a:\n\t[marker h1]\n"]]
	wait_faild_state $f a UP
	write_file [dict get $h hcfile] [hcfile $f "a: ghost\n\t[marker h1]\n"] 0600
	exec kill -HUP [dict get $h pid]
	wait_for_log $h "*reload: *Hcfile:6: target a: unknown dependency \"ghost\"; keeping the Hcfile running*"
	mark h1 0
	wait_faild_state $f a FAIL
	mark h1 1
	wait_faild_state $f a UP
	write_file [dict get $h hcfile] [hcfile $f "a:\n\t[marker h1]\nb: a\n"] 0600
	exec kill -HUP [dict get $h pid]
	wait_for_log $h "*reloaded *: 2 targets*"
	wait_faild_state $f b UP
	set after [string range [daemon_log $h] \
	    [string first "reloaded" [daemon_log $h]] end]
	assert_true {![string match "*target a:*" $after]} \
	    "a changed again after the reload: $after"
	assert_match "*reloads 1 *" [hc_req $h "1 stats"]
}

test "a restarted hc takes the states faild holds: no change, no action" {
	set f [start_faild]
	mark rs 1
	set out $::tmpdir/rs.out
	set text [hcfile $f "r:\n\t[marker rs]\n\ton up exec \"echo up >> $out\"\n"]
	set h [start_hc $text]
	wait_faild_state $f r UP
	wait_for {[file exists $out]}
	stop_daemon $h
	set h [restart $h]
	wait_for {[field [hc_req $h "1 show r"] 10] >= 3}
	assert_equal UP [hc_state $h r]
	assert_equal "up\n" [read_file $out]
	assert_true {![string match "*target r:*->*" [daemon_log $h]]} \
	    [daemon_log $h]
}

test "agree 2: one vantage point's failure does not fail a target; two do" {
	set f1 [start_faild]
	set f2 [start_faild]
	mark v1 1
	mark v2 1
	set h1 [start_hc [hcfile $f1 "node = one\nweb:\n\t[marker v1]\n\tagree 2 [hp $f2]\n"]]
	set h2 [start_hc [hcfile $f2 "node = two\nweb:\n\t[marker v2]\n\tagree 2 [hp $f1]\n"]]
	wait_faild_state $f1 web UP
	wait_faild_state $f2 web UP
	mark v1 0
	wait_faild_state $f1 web.seen FAIL
	# one sees it fail, the other not: both keep it UP
	wait_for {[field [hc_req $h1 "1 show web"] 12] >= 5}
	assert_equal UP [faild_state $f1 web]
	assert_equal UP [faild_state $f2 web]
	assert_equal 2/1/2 [field [hc_req $h1 "1 show web"] 17]
	mark v2 0
	wait_faild_state $f1 web FAIL
	wait_faild_state $f2 web FAIL
	wait_for_log $h1 "*target web: UP -> FAIL (exit 1, 1/1, 2 of 2 see it)*"
	mark v1 1
	mark v2 1
	wait_faild_state $f1 web UP
	wait_faild_state $f2 web UP
}

test "agree: a vantage point that cannot be asked does not agree" {
	set f1 [start_faild]
	mark v3 0
	set h [start_hc [hcfile $f1 "web:\n\t[marker v3]\n\tagree 2 127.0.0.1:[free_port]\n"]]
	wait_faild_state $f1 web.seen FAIL
	wait_for {[field [hc_req $h "1 show web"] 12] >= 5}
	assert_equal RECOVER [faild_state $f1 web]
}

test "the monitor port: failstat, faildebug, stats, errors" {
	set f [start_faild]
	mark m1 1
	set h [start_hc [hcfile $f "community = s3cret\nm1:\n\t[marker m1]\nm2: m1\n"]]
	wait_hc_state $h m2 UP
	set mon [dict get $h addr]:[dict get $h monitor]
	set r [run_prog $::failstat $mon]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	assert_regexp {m1 +UP +\S+ hc\nm2 +UP +\S+ hc} [dict get $r stdout]
	set r [run_prog $::faildebug -c s3cret -h $mon check=2]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	assert_match "*check 2*" [dict get $r stdout]
	wait_for_log $h "*debug level of check set to 2*"
	wait_for_log $h "*\\\[check\\\] target m1: ok exit 0*"
	set r [run_prog $::faildebug -h $mon check=0]
	assert_equal 1 [dict get $r code]
	assert_match "*ERR 403*" [dict get $r stderr]
	assert_match "1 ERR 404 no such target nosuch" [hc_req $h "1 show nosuch"]
	assert_match "1 ERR 405 set is not served by hc" [hc_req $h "1 set m1 UP"]
	assert_regexp {^1 OK targets 2 checks \d+ transitions 2 } [hc_req $h "1 stats"]
	assert_match "1 OK pong *" [hc_req $h "1 ping"]
	assert_equal "1 ERR 405 show is not served by faild" [faild_tcp $f "1 show m1"]
}

test "getnode: text, JSON and exit codes; hcmon.cgi escapes what it shows" {
	set f [start_faild]
	mark g1 1
	mark g2 0
	set h [start_hc [hcfile $f "g1:\n\t[marker g1]\ng2:\n\tcheck exec \"echo '<b>&' ; exit 3\"\n"]]
	wait_hc_state $h g2 FAIL
	wait_hc_state $h g1 UP
	set mon [dict get $h addr]:[dict get $h monitor]
	set r [run_prog $::getnode $mon g1]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	assert_regexp {g1 +UP .*exit 0, 1/1} [dict get $r stdout]
	set r [run_prog $::getnode $mon]
	assert_equal 2 [dict get $r code]
	assert_match "*g2 *FAIL*exit 3: <b>&, 1/1*" [dict get $r stdout]
	set r [run_prog $::getnode -j $mon]
	set j [json_parse [dict get $r stdout]]
	set t [lindex [dict get $j targets] 1]
	assert_equal g2 [dict get $t name]
	assert_equal FAIL [dict get $t state]
	assert_equal "exit 3: <b>&" [dict get $t last_result]
	assert_equal 1 [dict get $t fall]
	set r [run_prog $::getnode $mon nosuch]
	assert_equal 2 [dict get $r code]
	assert_match "*nosuch *UNKNOWN*no such target*" [dict get $r stdout]
	set r [run_prog $::getnode 127.0.0.1:[free_port]]
	assert_equal 3 [dict get $r code]
	file link -symbolic $::tmpdir/hcmon.cgi $::getnode
	set env(HCMON_TARGETS) "$mon 127.0.0.1:[free_port]"
	set r [run_prog $::tmpdir/hcmon.cgi]
	unset env(HCMON_TARGETS)
	set page [dict get $r stdout]
	assert_match "Content-Type: text/html; charset=utf-8\r\n*" $page
	assert_match "*<td class=\"fail\">FAIL</td>*" $page
	assert_match "*exit 3: &lt;b&gt;&amp;*" $page
	assert_true {[string first "<b>&" $page] < 0} "unescaped text in the page"
	assert_match "*unreachable: connect 127.0.0.1:*" $page
	# a summary first; the failing target before the one that is UP
	# (hcfile order: g1, g2); the hc that cannot be reached in red
	assert_match "*<h1>hcmon</h1>\n<p>*</p>\n<p id=\"summary\" class=\"bad\"><strong>2 need attention</strong> (of 2 targets) on 2 hc</p>\n*" $page
	assert_match "*<td>g2</td><td class=\"fail\">FAIL</td>*<td>g1</td><td class=\"up\">UP</td>*" $page
	assert_match "*<p class=\"fail\">unreachable: connect 127.0.0.1:*" $page
	assert_match "*<meta http-equiv=\"refresh\" content=\"5\">*" $page
	# getnode -H: the same page for one hc (-h, the old spelling, too)
	set page [dict get [run_prog $::getnode -H $mon] stdout]
	assert_match "*<p id=\"summary\" class=\"bad\"><strong>1 needs attention</strong> (of 2 targets) on 1 hc</p>*<td>g2</td>*<td>g1</td>*" $page
	set page [dict get [run_prog $::getnode -h $mon g1] stdout]
	assert_match "*<p id=\"summary\" class=\"ok\"><strong>all 1 target UP</strong> on 1 hc</p>*" $page
}

test "hcmon.cgi behind lighttpd in Chromium: every target, a change after a reload" {
	if {[auto_execok lighttpd] eq "" || [auto_execok chromium] eq ""} {
		skip "no lighttpd or chromium (scripts/deps installs them)"
	}
	set f [start_faild]
	mark c0 1
	mark c1 1
	set h [start_hc [hcfile $f "c0:\n\t[marker c0]\nc1:\n\t[marker c1]\nc2: c1\n"]]
	wait_hc_state $h c2 UP
	wait_hc_state $h c0 UP
	set url [cgi_server $::getnode hcmon.cgi HCMON_TARGETS \
	    [dict get $h addr]:[dict get $h monitor]]
	set dom [browse $url]
	assert_match "*<meta http-equiv=\"refresh\" content=\"5\">*" $dom
	assert_match "*<p id=\"summary\" class=\"ok\"><strong>all 3 targets UP</strong> on 1 hc</p>*" $dom
	assert_match "*<td>c0</td><td class=\"up\">UP</td>*<td>c1</td><td class=\"up\">UP</td>*<td>c2</td><td class=\"up\">UP</td>*" $dom
	mark c1 0
	wait_hc_state $h c2 FAIL
	set dom [browse $url]
	# the summary says so; the failing targets lead
	assert_match "*<p id=\"summary\" class=\"bad\"><strong>2 need attention</strong> (of 3 targets) on 1 hc</p>*" $dom
	assert_match "*<td>c1</td><td class=\"fail\">FAIL</td>*<td>c2</td><td class=\"fail\">FAIL</td>*dependency c1 FAIL*<td>c0</td><td class=\"up\">UP</td>*" $dom
}

test "with a keyfile, hc signs what it publishes; faild with keys takes it" {
	set key [random_hex 64]
	write_file $::tmpdir/keys "k1 $key\n" 0600
	set f [start_faild -- -k $::tmpdir/keys]
	assert_match "1 ERR 401*" [faild_tcp $f "1 set x UP"]
	mark k1 1
	set h [start_hc [hcfile $f "keyfile = $::tmpdir/keys\nkeyid = k1\nsigned:\n\t[marker k1]\n"]]
	wait_faild_state $f signed UP
	mark k1 0
	wait_faild_state $f signed FAIL
	# without the key, the publisher is refused and says so, and retries
	set h2 [start_hc [hcfile $f "other:\n\t[marker k1]\n"]]
	wait_for_log $h2 "*cannot publish other: ERR 401*"
}

test "-u: hc runs its checks and actions as that user" {
	if {[exec id -u] != 0} {
		skip "not root"
	}
	set f [start_faild]
	set out $::tmpdir/u.out
	file attributes $::tmpdir -permissions 0777
	set h [start_hc [hcfile $f "u:\n\tcheck exec \"test \$(id -un) = nobody\"\n\ton up exec \"id -un > $out\"\n"] -u nobody]
	assert_equal nobody [string trim [exec ps -o user= -p [dict get $h pid]]]
	wait_faild_state $f u UP
	wait_for {[file exists $out]}
	assert_equal nobody [string trim [read_file $out]]
}

test "a client from another host may read, but not set debug levels without a community or key" {
	if {[exec id -u] != 0 || [auto_execok ip] eq ""} {
		skip "needs root and ip netns"
	}
	set ns hct[pid]
	set veth hv[pid]
	exec ip netns add $ns
	try {
		exec ip link add $veth type veth peer name eth0 netns $ns
		exec ip addr add 198.18.7.1/24 dev $veth
		exec ip link set $veth up
		exec ip netns exec $ns ip addr add 198.18.7.2/24 dev eth0
		exec ip netns exec $ns ip link set eth0 up
		set f [start_faild]
		mark nl 1
		set h [start_hc [hcfile $f "nl:\n\t[marker nl]\n"] -M 198.18.7.1:[free_port]]
		set mon [lindex [dict get $h args] 1]
		set r [run_prog ip netns exec $ns $::faildebug -h $mon]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
		set r [run_prog ip netns exec $ns $::faildebug -h $mon check=1]
		assert_equal 1 [dict get $r code]
		assert_match "*ERR 403 debug levels need a loopback client*" \
		    [dict get $r stderr]
		set r [run_prog ip netns exec $ns $::getnode $mon nl]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
	} finally {
		catch {exec ip link del $veth}
		exec ip netns del $ns
	}
}

test "hc -x runs one check line; a bad one exits 2" {
	set r [run_prog $::hc -x exec true]
	assert_equal 0 [dict get $r code]
	assert_match "ok: exit 0 (* ms)*" [dict get $r stdout]
	set r [run_prog $::hc -x exec false]
	assert_equal 1 [dict get $r code]
	set r [run_prog $::hc -x nosuch]
	assert_equal 2 [dict get $r code]
	assert_match "*unknown check \"nosuch\"*" [dict get $r stderr]
}

harness_done
