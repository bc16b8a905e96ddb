# test_failmon.tcl: failmon against a real failsh and against fake monitor
# streams: one-shot text, JSON documents, the HTML page and its escaping,
# several targets, a target that is down, reconnecting.

source [file join [file dirname [info script]] harness.tcl]

set ::failmon [file normalize [file join $harness::builddir failmon/failmon]]
if {![file executable $::failmon] || ![file executable $::failsh]} {
	puts "no $::failmon or $::failsh: build them first (make)"
	puts "0 passed, 1 failed"
	exit 1
}

# A failsh (node NODE) whose policy runs www (UP) and db (master "gone",
# a host where nothing listens, so db goes UP after deadcount polls).
proc watched {node {extra ""}} {
	set f [start_faild -name f$node[incr ::harness::seq]]
	set s [start_failsh $node $f "
		failhost gone address 127.0.0.1
		failhost gone port [free_port]
		failsvc www interval 0.05
		failsvc www start {return UP}
		failsvc db interval 0.05
		failsvc db masters gone
		failsvc db start {return UP}
		$extra"]
	# db comes UP after deadcount polls of "gone"; www long before
	# (unless EXTRA gives it a master)
	wait_for {[state_of $f db] eq "UP" && [state_of $f www] ne "NONE"}
	return $s
}

proc mon_target {s} {
	return [dict get $s addr]:[dict get $s monitor]
}

test "one-shot text: hosts, services, states, peers" {
	set s [watched a]
	set r [run_prog $::failmon -1 [mon_target $s]]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	set out [dict get $r stdout]
	assert_match "== [mon_target $s]: connected, node a, snapshot *" $out
	assert_match "*SERVICE www UP since *every 0.05 s, deadcount 3*" $out
	assert_match "*SERVICE db UP since *\n  why: no master up, start ok\n  master  gone             FAIL     fails *" $out
	assert_match "*\ngone             127.0.0.1:* tcp   unreachable *Connection refused*" $out
}

test "JSON: one document, parsed; several targets; a target that is down" {
	set s1 [watched a]
	set s2 [watched b]
	set down 127.0.0.1:[free_port]
	set r [run_prog $::failmon -1 -j [mon_target $s1] [mon_target $s2] $down]
	assert_equal 3 [dict get $r code] "exit 3: one target unreachable"
	set doc [json_parse [dict get $r stdout]]
	set ts [dict get $doc targets]
	assert_equal 3 [llength $ts]
	lassign $ts t1 t2 t3
	assert_equal true [dict get $t1 connected]
	assert_equal a [dict get $t1 snapshot node]
	assert_equal b [dict get $t2 snapshot node]
	set states {}
	foreach svc [dict get $t1 snapshot services] {
		lappend states [dict get $svc name] [dict get $svc state]
	}
	assert_equal {www UP db UP} $states
	set db [lindex [dict get $t1 snapshot services] 1]
	assert_equal {gone master FAIL} [list \
	    [dict get [lindex [dict get $db peers] 0] host] \
	    [dict get [lindex [dict get $db peers] 0] role] \
	    [dict get [lindex [dict get $db peers] 0] view]]
	assert_equal false [dict get $t3 connected]
	assert_equal null [dict get $t3 snapshot]
	assert_match "*Connection refused*" [dict get $t3 error]
}

test "health: text, JSON and HTML show a service's check, restarts and result" {
	set s [watched a {
		failsvc www check {return UP}
		failsvc db check {expr {[incr ::runs] > 20 ? "FAIL" : "UP"}}
		failsvc db fall 1
		failsvc db restarts 2
	}]
	# db fails its check after 20 runs: restarted twice, then given up
	wait_for {[state_of [dict get $s faild] db] eq "FAIL"} 5000 "db given up"
	set r [run_prog $::failmon -1 [mon_target $s]]
	set out [dict get $r stdout]
	assert_match "*SERVICE www UP *\n  why: *\n  health: OK, 0 of 3 restarts used, check: check ok\n*" $out
	assert_match "*SERVICE db FAIL *\n  health: FAIL, 2 of 2 restarts used, check: check returned FAIL\n*" $out
	set doc [json_parse [dict get [run_prog $::failmon -1 -j [mon_target $s]] stdout]]
	foreach v [dict get [lindex [dict get $doc targets] 0] snapshot services] {
		set h([dict get $v name]) [list [dict get $v health] \
		    [dict get $v restarts] [dict get $v max_restarts] [dict get $v check]]
	}
	assert_equal {OK 0 3 {check ok}} $h(www)
	assert_equal {FAIL 2 2 {check returned FAIL}} $h(db)
	set page [dict get [run_prog $::failmon -h [mon_target $s]] stdout]
	assert_match "*health <span class=\"fail\">FAIL</span>, 2 of 2 restarts used, check returned FAIL*" $page
}

test "line mode: each RETURN prints the state" {
	set s [watched a]
	set r [run_prog -stdin "\n\n" $::failmon -l [mon_target $s]]
	assert_equal 0 [dict get $r code]
	assert_equal 2 [regexp -all {== [^\n]*: connected, node a} \
	    [dict get $r stdout]] "two states printed"
}

test "JSON stream: a document per change; failsh restarted: disconnected, reconnected" {
	set s [watched a]
	set ch [spawn_prog $::failmon -j [mon_target $s]]
	set doc [json_parse [read_line $ch 5000]]
	assert_equal a [dict get [lindex [dict get $doc targets] 0] snapshot node]
	# stop failsh: failmon reports it disconnected, then reconnects
	stop_daemon $s
	wait_for {[string match "*\"connected\": false*" [read_line $ch 5000]]}
	set s [restart $s]
	wait_for {[string match "*\"connected\": true*\"node\": \"a\"*" \
	    [read_line $ch 5000]]} 8000
}

test "HTML: a valid page with every service; network text escaped" {
	# the slave: a port where nothing listens (never a faild of the
	# machine's own on 1847), so www starts after deadcount polls
	set s [watched a "failhost {<i>x&y} address 127.0.0.1
		failhost {<i>x&y} port [free_port]
		failsvc www slaves {{<i>x&y}}"]
	wait_for {[state_of [dict get $s faild] www] eq "UP"} 5000 "www never UP"
	set r [run_prog $::failmon -h [mon_target $s]]
	assert_equal 0 [dict get $r code]
	set page [dict get $r stdout]
	assert_match "<!DOCTYPE html>\n<html lang=\"en\">*</html>\n" $page
	assert_match "*<td>www</td><td class=\"up\">UP</td>*" $page
	assert_match "*<td>db</td><td class=\"up\">UP</td>*" $page
	assert_match "*&lt;i&gt;x&amp;y*" $page
	assert_true {![string match "*<i>x*" $page]} "a host name not escaped"
	assert_true {![string match "*http://*" $page] &&
	    ![string match "*src=*" $page]} "external assets"
}

test "failmon.cgi: a CGI header, targets from FAILMON_TARGETS" {
	set s [watched a]
	set cgi $::tmpdir/failmon.cgi
	file link -symbolic $cgi $::failmon
	set ::env(FAILMON_TARGETS) [mon_target $s]
	set r [run_prog $cgi]
	unset ::env(FAILMON_TARGETS)
	assert_equal 0 [dict get $r code]
	assert_match "Content-Type: text/html; charset=utf-8\r\n*\r\n\r\n<!DOCTYPE html>*<td>www</td>*" [dict get $r stdout]
}

test "a service named with HTML metacharacters (from a foreign stream) is escaped" {
	set snap "SNAPSHOT 1 n<b> 1700000000000
HOST h\"x 10.0.0.1 1847 tcp reachable 0 0 <script>alert(1)</script>
SERVICE <b>s&p UP 1700000000000 1000 3 0 1 idle <img src=x>
PEER <b>s&p master h\"x UP 0 0
END
"
	lassign [fake_server greet $snap] srv port
	set r [run_prog $::failmon -h 127.0.0.1:$port]
	set page [dict get $r stdout]
	assert_match "*<td>&lt;b&gt;s&amp;p</td><td class=\"up\">UP*" $page
	assert_match "*&lt;script&gt;alert(1)&lt;/script&gt;*" $page
	assert_match "*&lt;img src=x&gt;*" $page
	assert_match "*h&quot;x*" $page
	assert_true {![string match "*<script>*" $page] &&
	    ![string match "*<img*" $page] && ![string match "*<b>*" $page]}
	set r [run_prog $::failmon -1 -j 127.0.0.1:$port]
	set doc [json_parse [dict get $r stdout]]
	set t [lindex [dict get $doc targets] 0]
	assert_equal {<b>s&p} [dict get [lindex [dict get $t snapshot services] 0] name]
	assert_equal {h"x} [dict get [lindex [dict get $t snapshot hosts] 0] name]
}

test "a stream that is not failsh's: a clear error, no crash" {
	lassign [fake_server greet "HELLO world\n"] srv port
	set r [run_prog $::failmon -1 127.0.0.1:$port]
	assert_equal 3 [dict get $r code]
	assert_match "*disconnected (not a failsh monitor stream: HELLO line outside a snapshot)*" [dict get $r stdout]
	lassign [fake_server greet "SNAPSHOT 1 n 5\nSERVICE x UP soon\nEND\n"] srv port
	set r [run_prog $::failmon -1 127.0.0.1:$port]
	assert_match "*bad SERVICE line*" [dict get $r stdout]
}

# The curses view in a tmux pane of its own server (socket in tmpdir).
proc tmux {args} {
	return [exec tmux -S $::tmpdir/tmux.sock {*}$args]
}

proc screen {} {
	return [tmux capture-pane -p -t fm]
}

proc with_failmon_pane {target body} {
	tmux new-session -d -s fm -x 100 -y 24 \
	    "TERM=xterm-256color $::failmon $target"
	try {
		uplevel 1 $body
	} finally {
		catch {tmux kill-server}
	}
}

test "curses: hosts, services of a host, detail, help, quit" {
	if {[auto_execok tmux] eq ""} { skip "no tmux" }
	set s [watched a]
	with_failmon_pane [mon_target $s] {
		wait_for {[string match "*FAILSH*HOST*ADDRESS*STATUS*LAST CONNECT*\na *gone *127.0.0.1:* unreachable *" [screen]]}
		assert_match "*[mon_target $s] connected, updated *? help*" [screen]
		tmux send-keys -t fm c
		wait_for {[string match "*LAST CALL*" [screen]]}
		tmux send-keys -t fm l
		wait_for {[string match "*services of gone (failsh a)*" [screen]]}
		# gone is db's master only
		assert_match "*db * UP *" [screen]
		assert_true {![string match "*\nwww *" [screen]]} "www is not on gone"
		tmux send-keys -t fm s
		wait_for {[string match "*service db on failsh a: UP*master * gone * FAIL *" [screen]]}
		tmux send-keys -t fm ?
		wait_for {[string match "*failmon keys*Tab*" [screen]]}
		tmux send-keys -t fm x
		wait_for {[string match "*service db on failsh a*" [screen]]}
		tmux send-keys -t fm Tab
		wait_for {[string match "*FAILSH*HOST*" [screen]]}
		tmux send-keys -t fm q
		wait_for {[catch {tmux has-session -t fm}]} 3000 "q did not quit"
	}
}

test "curses: resize, and failsh going away and coming back" {
	if {[auto_execok tmux] eq ""} { skip "no tmux" }
	set s [watched a]
	with_failmon_pane [mon_target $s] {
		wait_for {[string match "* connected, updated*" [screen]]}
		tmux resize-window -t fm -x 60 -y 12
		wait_for {[llength [split [screen] \n]] == 12 &&
		    [string match "* connected, updated*" [lindex [split [screen] \n] end]]}
		stop_daemon $s
		wait_for {[string match "* disconnected, updated*" [screen]]}
		set s [restart $s]
		wait_for {[string match "* connected, updated*" [screen]]} 8000
	}
}

test "the CGI behind lighttpd in Chromium: every service, a change after a reload, escaping" {
	if {[auto_execok lighttpd] eq "" || [auto_execok chromium] eq ""} {
		skip "no lighttpd or chromium (scripts/deps installs them)"
	}
	set fm [start_faild -name fm[incr ::harness::seq]]
	faild_tcp $fm "1 set www UP"
	set s [watched a "
		failhost m address [dict get $fm addr]
		failhost m port [dict get $fm port]
		failsvc www masters m"]
	set foreign "SNAPSHOT 1 n<b> 1700000000000
SERVICE <b>s&p FAIL 1700000000000 1000 3 0 1 idle <img src=x>
END
"
	lassign [fake_server greet $foreign] srv fport
	set url [cgi_server $::failmon failmon.cgi FAILMON_TARGETS \
	    "[mon_target $s] 127.0.0.1:$fport"]
	# www waits (master m UP), db runs
	wait_for {[string match "*<td>www</td><td class=\"recover\">RECOVER</td>*master m <span class=\"up\">UP*" [browse $url]]} 8000
	set dom [browse $url]
	assert_match "*<td>db</td><td class=\"up\">UP</td>*" $dom
	assert_match "*<td>&lt;b&gt;s&amp;p</td><td class=\"fail\">FAIL</td>*&lt;img src=x&gt;*" $dom
	assert_true {![string match "*<img*" $dom] && ![string match "*<b>*" $dom]} \
	    "markup from the network rendered"
	# m fails: www takes over; the next load shows it
	faild_tcp $fm "2 set www FAIL"
	wait_for {[string match "*<td>www</td><td class=\"up\">UP</td>*master m <span class=\"fail\">FAIL*" [browse $url]]} 8000
}

test "usage errors exit 2" {
	assert_equal 2 [dict get [run_prog $::failmon -p 0] code]
	assert_equal 2 [dict get [run_prog $::failmon -x] code]
	assert_equal 2 [dict get [run_prog $::failmon -d nosuch] code]
}

harness_done
