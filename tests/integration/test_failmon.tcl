# test_failmon.tcl: failmon against a real failsh and against fake monitor
# streams: one-shot text, JSON documents, the HTML page and its escaping,
# several targets, a target that is down, reconnecting; failsh under the
# etcd backend (a real etcd): its BACKEND and OWNER lines in every view.

source [file join [file dirname [info script]] harness.tcl]
source [file join [file dirname [info script]] etcd.tcl]

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
	# refused, or (on a busy machine) no answer within the 50 ms interval
	assert_true {[regexp {\ngone +127\.0\.0\.1:\d+ +tcp +unreachable .*(Connection refused|no answer in time)} $out]} \
	    "gone not unreachable: $out"
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
	# added: each service at a glance, as the curses table and HTML
	assert_equal up [dict get [lindex [dict get $t1 snapshot services] 0] glance]
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
	set page [dict get [run_prog $::failmon -H [mon_target $s]] stdout]
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
	set r [run_prog $::failmon -H [mon_target $s]]
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
		wait_for {[string match "*HOST*SERVICE*STATE*SINCE*WHY*\na *db *UP *" [screen]]}
		assert_match "*[mon_target $s] connected, updated *? help*" [screen]
		tmux send-keys -t fm h
		wait_for {[string match "*FAILSH*HOST*ADDRESS*STATUS*LAST CONNECT*\na *gone *127.0.0.1:* unreachable *" [screen]]}
		tmux send-keys -t fm c
		wait_for {[string match "*LAST CALL*" [screen]]}
		tmux send-keys -t fm l
		# gone is no failsh: what a sees of it (db's master), not a's
		# own states under gone's name
		wait_for {[string match "*gone as failsh a sees it*" [screen]]}
		assert_match "*SERVICE *ROLE *SEES *FAILS *LAST ANSWER*\ndb * master * FAIL *" [screen]
		assert_true {![string match "*services of gone*" [screen]]} "a's states labelled gone's"
		assert_true {![string match "*\nwww *" [screen]]} "www is not on gone"
		tmux send-keys -t fm s
		wait_for {[string match "*service db on failsh a: UP*master * gone * FAIL *" [screen]]}
		tmux send-keys -t fm ?
		wait_for {[string match "*failmon keys*t *the table: every service*Tab*" [screen]]}
		tmux send-keys -t fm x
		wait_for {[string match "*service db on failsh a*" [screen]]}
		tmux send-keys -t fm Tab
		wait_for {[string match "*FAILSH*HOST*" [screen]]}
		tmux send-keys -t fm t
		wait_for {[string match "*HOST*SERVICE*STATE*SINCE*WHY*" [screen]]}
		tmux send-keys -t fm q
		wait_for {[catch {tmux has-session -t fm}]} 3000 "q did not quit"
	}
}

# The lines of the screen, with colours (SGR escapes) when esc.
proc screen_lines {{esc 0}} {
	if {$esc} {
		return [split [tmux capture-pane -p -e -t fm] \n]
	}
	return [split [screen] \n]
}

# The line of the screen whose text matches pattern, or "".
proc screen_line {pattern {esc 0}} {
	set coloured [screen_lines 1]
	foreach l [screen_lines] c $coloured {
		if {[string match $pattern $l]} {
			return [expr {$esc ? $c : $l}]
		}
	}
	return ""
}

# Is word shown in the colour of SGR code (31 red, 32 green, 33 yellow,
# 41 a red background) on the line that matches pattern?
proc coloured {pattern word code} {
	set l [screen_line $pattern 1]
	return [regexp "\x1b\\\[(\[0-9\]+;)*$code\[;m\]\[^\x1b\]*$word" $l]
}

test "curses: one table of every service of every failsh, the host list a key away" {
	if {[auto_execok tmux] eq ""} { skip "no tmux" }
	set sa [watched a]
	# b waits for a's www: its www is RECOVER while a's is UP
	set sb_f [start_faild -name fb[incr ::harness::seq]]
	set sb [watched b "
		failhost a address [dict get $sa faild addr]
		failhost a port [dict get $sa faild port]
		failhost b address [dict get $sb_f addr]
		failhost b port [dict get $sb_f port]
		failsvc www masters a"]
	wait_for {[state_of [dict get $sb faild] www] eq "RECOVER"}
	with_failmon_pane "[mon_target $sa] [mon_target $sb]" {
		wait_for {[regexp {\na +www +UP +\S.*\na +db +UP .*\nb +www +RECOVER .*\nb +db +UP } [screen]]}
		assert_match "failmon *t:table h:hosts l:services s:detail ?:help q:quit*" [screen]
		assert_true {[coloured "a *www*" UP 32]} "UP in green"
		# down to b's www, s: its detail
		tmux send-keys -t fm Down Down s
		wait_for {[string match "*service www on failsh b: RECOVER*master * a * UP *" [screen]]}
		# the hosts of b: a is a failsh watched; l shows a's own states
		tmux send-keys -t fm h
		wait_for {[regexp {\nb +a +127\.0\.0\.\d+:\d+ +reachable} [screen]]}
		assert_true {[coloured "a *gone *" unreachable 31]} "unreachable in red"
		# select the row of host a in b's policy (the first is selected)
		set i [lsearch -regexp [screen_lines] {^b +a +}]
		for {set k 2} {$k < $i} {incr k} {
			tmux send-keys -t fm Down
		}
		tmux send-keys -t fm l
		wait_for {[string match "*services of a (failsh a)*" [screen]]}
		assert_match "*\nwww * UP *" [screen]
		assert_true {![string match "*RECOVER*" [screen]]} "b's states under a's name"
		tmux send-keys -t fm t
		wait_for {[string match "*\nb *www *RECOVER*" [screen]]}
		# l in the table: the services of the selected row's failsh
		tmux send-keys -t fm l
		wait_for {[string match "*services of b (failsh b)*" [screen]]}
		assert_match "*\nwww * RECOVER *" [screen]
	}
}

test "curses: a failsh whose policy lists no hosts shows its services" {
	if {[auto_execok tmux] eq ""} { skip "no tmux" }
	set f [start_faild -name fsolo[incr ::harness::seq]]
	set s [start_failsh solo $f {
		failsvc lone interval 0.05
		failsvc lone start {return UP}}]
	wait_for {[state_of $f lone] eq "UP"}
	with_failmon_pane [mon_target $s] {
		wait_for {[regexp {\nsolo +lone +UP } [screen]]}
		assert_true {![string match "*no snapshot*" [screen]]}
		tmux send-keys -t fm h
		wait_for {[string match "*no hosts in the policy*" [screen]]}
	}
}

test "curses: a failsh that goes away: its rows stay, marked stale, coloured" {
	if {[auto_execok tmux] eq ""} { skip "no tmux" }
	set sa [watched a]
	set sb [watched b]
	with_failmon_pane "[mon_target $sa] [mon_target $sb]" {
		wait_for {[regexp {\nb +db +UP } [screen]]}
		assert_true {[coloured "b *db *" UP 32]} "b's db current: green"
		kill_daemon $sb
		wait_for {[regexp {\nb +db +UP +stale \d+s } [screen]]}
		assert_match "*\nb *www *UP *stale *s *" [screen]
		# a's rows stay current; b's state no longer green, stale yellow
		assert_regexp {\na +db +UP +\d[.\d]* s ago } [screen]
		assert_true {![coloured "b *db *" UP 32]} "stale data shown as current"
		assert_true {[coloured "b *db *" stale 33]} "stale not yellow"
		assert_true {[coloured "*disconnected*" "[mon_target $sb] disconnected" 41]} \
		    "a disconnected failsh not red in the status line"
		# the age grows
		set age [regexp -inline {stale \d+s} [screen_line "b *db *"]]
		wait_for {[regexp -inline {stale \d+s} [screen_line "b *db *"]] ne $age} 3000
	}
}

test "curses: a 60x15 terminal: every line clipped, none wrapped" {
	if {[auto_execok tmux] eq ""} { skip "no tmux" }
	set s [watched a]
	tmux new-session -d -s fm -x 60 -y 15 \
	    "TERM=xterm-256color $::failmon [mon_target $s]"
	try {
		wait_for {[regexp {\na +db +UP } [screen]]}
		set l [screen_lines]
		assert_equal 15 [llength $l]
		# the table: a row per service, the reason cut at the edge
		assert_match "HOST *SERVICE *STATE *SINCE *WHY" [string trimright [lindex $l 1]]
		assert_regexp {^a +www +UP } [lindex $l 2]
		assert_regexp {^a +db +UP +\S.* no maste$} [lindex $l 3]
		assert_equal "" [string trim [lindex $l 4]] "a row wrapped"
		assert_match "*connected, updated*" [lindex $l end]
		# hosts: one line, its columns past 60 clipped
		tmux send-keys -t fm h
		wait_for {[string match "FAILSH*" [lindex [screen_lines] 1]]}
		set l [screen_lines]
		assert_regexp {^a +gone +127\.0\.0\.1:\d+ +unreach$} [lindex $l 2]
		assert_equal "" [string trim [lindex $l 3]] "a host wrapped"
		# services of gone, detail, help
		foreach {key pattern} {l "*as failsh a sees it*" s "*service db on failsh a*" ? "*failmon keys*"} {
			tmux send-keys -t fm $key
			wait_for {[string match $pattern [screen]]}
			set l [screen_lines]
			assert_equal 15 [llength $l]
			assert_match "*? help*" [lindex $l end]
			foreach line $l {
				assert_true {[string length $line] <= 60}
			}
		}
		assert_match "*\n  t            the table: every service of every failsh\n*" [screen]
	} finally {
		catch {tmux kill-server}
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
	# www waits (master m UP): the normal standby, not a warning
	wait_for {[string match "*<td>www</td><td class=\"standby\">RECOVER</td>*master m <span class=\"up\">UP*" [browse $url]]} 8000
	set dom [browse $url]
	assert_match "*<td>db</td><td class=\"up\">UP</td>*" $dom
	assert_match "*<td>&lt;b&gt;s&amp;p</td><td class=\"fail\">FAIL</td>*&lt;img src=x&gt;*" $dom
	assert_true {![string match "*<img*" $dom] && ![string match "*<b>*" $dom]} \
	    "markup from the network rendered"
	# m fails: www takes over; the next load shows it
	faild_tcp $fm "2 set www FAIL"
	wait_for {[string match "*<td>www</td><td class=\"up\">UP</td>*master m <span class=\"fail\">FAIL*" [browse $url]]} 8000
}

test "HTML in Chromium: a summary line first, failing rows first, standby normal, unreachable red, 5 s reload" {
	if {[auto_execok lighttpd] eq "" || [auto_execok chromium] eq ""} {
		skip "no lighttpd or chromium (scripts/deps installs them)"
	}
	set fm [start_faild -name fm[incr ::harness::seq]]
	faild_tcp $fm "1 set www UP"
	set s [watched a "
		failhost m address [dict get $fm addr]
		failhost m port [dict get $fm port]
		failsvc www masters m"]
	wait_for {[state_of [dict get $s faild] www] eq "RECOVER"}
	# all placed: db runs on a, www on m (a is its standby)
	set url [cgi_server $::failmon failmon.cgi FAILMON_TARGETS [mon_target $s]]
	set dom [browse $url]
	assert_match "*<meta http-equiv=\"refresh\" content=\"5\">*" $dom
	assert_match "*<h1>failmon</h1>\n<p>*</p>\n<style>*</style>\n<p id=\"summary\" class=\"ok\"><strong>all 2 services placed</strong> on 1 failsh</p>\n<table id=\"services\">*" $dom
	assert_match "*<td class=\"standby\">RECOVER</td>*" $dom
	assert_match "*.standby{background:#e4f0e4}*" $dom
	assert_true {![string match "*class=\"recover\"*" $dom]} "a standby in a warning colour"
	# the host gone of a's policy: unreachable, red
	assert_match "*<td>gone</td><td>127.0.0.1:*/tcp</td><td class=\"fail\">unreachable</td>*" $dom
	# a failsh that fails a service, one that cannot be reached: they lead
	set foreign "SNAPSHOT 1 z 1700000000000
SERVICE zz UP 1700000000000 1000 3 0 1 idle fine
SERVICE bad FAIL 1700000000000 1000 3 0 1 idle start failed
SERVICE waits RECOVER 1700000000000 1000 3 0 1 idle no slave up
END
"
	lassign [fake_server greet $foreign] srv fport
	set down 127.0.0.1:[free_port]
	set url [cgi_server $::failmon failmon.cgi FAILMON_TARGETS \
	    "[mon_target $s] 127.0.0.1:$fport $down"]
	set dom [browse $url]
	assert_match "*<p id=\"summary\" class=\"bad\"><strong>3 need attention</strong> (of 5 services) on 3 failsh</p>*" $dom
	regexp {<table id="services">.*?</table>} $dom services
	set rows [regexp -all -inline {<tr[^>]*><td>[^<]*</td><td>[^<]*</td><td class="[a-z]+">[A-Za-z]+</td>} $services]
	assert_equal [list \
	    {<tr class="attention"><td>z</td><td>bad</td><td class="fail">FAIL</td>} \
	    "<tr><td>$down</td><td></td><td class=\"fail\">unreachable</td>" \
	    {<tr class="attention"><td>z</td><td>waits</td><td class="recover">RECOVER</td>} \
	    {<tr class="standby"><td>a</td><td>www</td><td class="standby">RECOVER</td>} \
	    {<tr class="up"><td>a</td><td>db</td><td class="up">UP</td>} \
	    {<tr class="up"><td>z</td><td>zz</td><td class="up">UP</td>}] $rows
}

# ----------------------------------------------------------------------
# The etcd backend: BACKEND and OWNER lines (failproto(5)).

# The create revision of the owner key of www under prefix: the epoch.
proc owner_epoch {e prefix} {
	set out [etcdctl $e get $prefix/owner/www -w json]
	if {![regexp {"create_revision":(\d+)} $out -> rev]} {
		fail "no owner key of www: $out"
	}
	return $rev
}

# The lease of failsh s, as etcd lists it (hex), by the owner key when a
# owns it: what BACKEND must name.
proc lease_of_owner {e prefix} {
	set out [etcdctl $e get $prefix/owner/www -w json]
	if {![regexp {"lease":(\d+)} $out -> lease]} {
		fail "owner key of www without a lease: $out"
	}
	return [format %llx $lease]
}

test "etcd backend: text, JSON and HTML show the lease, coord, owner and epoch" {
	if {[etcd_missing] ne ""} { skip "missing: [etcd_missing]" }
	set e [start_etcd -name em[incr ::harness::seq]]
	lassign [etcd_failsh_pair $e mon] prefix - - sa sb
	set epoch [owner_epoch $e $prefix]
	set lease [lease_of_owner $e $prefix]
	set url [etcd_url $e]
	# wait for b's watch to see a's key (the owner line follows it)
	wait_for {[string match "*owner: a, epoch $epoch\n*" \
	    [dict get [run_prog $::failmon -1 [mon_target $sb]] stdout]]}
	# text: the backend after the target line, the owner after the why
	set r [run_prog $::failmon -1 [mon_target $sa]]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	set out [dict get $r stdout]
	assert_regexp "\\n== \[^\\n\]*node a\[^\\n\]*\\nBACKEND etcd [string map {. \.} $url], lease $lease \\(\[0-9.\]+ s left, fence 0\\.50 s\\), coord OK, unreachable stop, watch synced, watchdog none\\nHOST " "\n$out"
	assert_match "*\nSERVICE www UP *\n  why: *\n  owner: a (here), epoch $epoch\n*" $out
	set out [dict get [run_prog $::failmon -1 [mon_target $sb]] stdout]
	assert_match "*\nBACKEND etcd $url, lease *, coord OK, unreachable stop, watch synced, watchdog none\n*" $out
	assert_match "*\nSERVICE www RECOVER *\n  owner: a, epoch $epoch\n*" $out
	# JSON: the backend of each snapshot, owner, epoch and here per service
	set r [run_prog $::failmon -1 -j [mon_target $sa] [mon_target $sb]]
	assert_equal 0 [dict get $r code]
	lassign [dict get [json_parse [dict get $r stdout]] targets] ta tb
	set b [dict get $ta snapshot backend]
	assert_backend $b [list etcd $url $lease OK stop synced none 500 {}]
	set va [lindex [dict get $ta snapshot services] 0]
	set vb [lindex [dict get $tb snapshot services] 0]
	assert_equal [list a $epoch true up] [list [dict get $va owner] \
	    [dict get $va epoch] [dict get $va owner_here] [dict get $va glance]]
	# b's RECOVER is the normal standby: a holds the key
	assert_equal [list a $epoch false standby] [list [dict get $vb owner] \
	    [dict get $vb epoch] [dict get $vb owner_here] [dict get $vb glance]]
	assert_true {[dict get $tb snapshot backend lease] ne $lease} \
	    "a host's own lease"
	# HTML: the backend per target, the owner in the why column
	set r [run_prog $::failmon -H [mon_target $sa] [mon_target $sb]]
	assert_equal 0 [dict get $r code]
	set page [dict get $r stdout]
	assert_match "*<p class=\"backend\">backend etcd $url: lease $lease, * s left (fence 0.50 s), <span class=\"up\">coord OK</span>, unreachable stop, watch synced, watchdog none</p>*" $page
	assert_match "*<td>a</td><td>www</td><td class=\"up\">UP</td>*<br>owner a (here), epoch $epoch</td></tr>*" $page
	assert_match "*<tr class=\"standby\"><td>b</td><td>www</td><td class=\"standby\">RECOVER</td>*<br>owner a, epoch $epoch</td></tr>*" $page
	assert_match "*<strong>all 2 services placed</strong>*" $page
}

test "etcd backend: the curses table and detail show owner, epoch and backend" {
	if {[etcd_missing] ne ""} { skip "missing: [etcd_missing]" }
	if {[auto_execok tmux] eq ""} { skip "no tmux" }
	set e [start_etcd -name em[incr ::harness::seq]]
	lassign [etcd_failsh_pair $e mon] prefix - - sa sb
	set epoch [owner_epoch $e $prefix]
	tmux new-session -d -s fm -x 200 -y 24 \
	    "TERM=xterm-256color $::failmon [mon_target $sa] [mon_target $sb]"
	try {
		wait_for {[regexp "\\na +www +UP .*; owner a \\(here\\), epoch $epoch *\\nb +www +RECOVER .*; owner a, epoch $epoch *\\n" [screen]]}
		# b's RECOVER is a standby: not in yellow
		assert_true {![coloured "b *www *" RECOVER 33]} "a standby in yellow"
		tmux send-keys -t fm Down s
		wait_for {[string match "*service www on failsh b: RECOVER*" [screen]]}
		assert_match "*\nowner: a, epoch $epoch\nbackend: etcd [etcd_url $e], lease * (*s left), coord OK, fence 0.50 s, unreachable stop, watch synced, watchdog none\n\nROLE *" [screen]
		assert_true {[coloured "backend: *" OK 32]} "coord OK not green"
	} finally {
		catch {tmux kill-server}
	}
}

test "a stream with BACKEND and OWNER lines: parsed, shown; malformed ones named" {
	set good "SNAPSHOT 1 n 1700000000000
BACKEND etcd http://10.0.0.5:2379 3f2a 0 500 LOST keep reading disarmed lease keep-alive: connect 10.0.0.5:2379: refused
SERVICE s RECOVER 1700000000000 1000 3 0 1 idle no owner
OWNER s - 0 elsewhere
SERVICE t FAIL 1700000000000 1000 3 0 1 idle fenced
OWNER t n 41 here
END
"
	lassign [fake_server greet $good] srv port
	set r [run_prog $::failmon -1 127.0.0.1:$port]
	assert_equal 0 [dict get $r code] [dict get $r stdout]
	set out [dict get $r stdout]
	assert_match "*\nBACKEND etcd http://10.0.0.5:2379, lease 3f2a (0.00 s left, fence 0.50 s), coord LOST, unreachable keep, watch reading, watchdog disarmed, error: lease keep-alive: connect 10.0.0.5:2379: refused\n*" $out
	assert_match "*\nSERVICE s RECOVER *\n  why: no owner\n  owner: none\n*" $out
	assert_match "*\nSERVICE t FAIL *\n  why: fenced\n  owner: n (here), epoch 41\n*" $out
	set t [lindex [dict get [json_parse [dict get [run_prog $::failmon -1 -j \
	    127.0.0.1:$port] stdout]] targets] 0]
	assert_equal "lease keep-alive: connect 10.0.0.5:2379: refused" \
	    [dict get $t snapshot backend error]
	lassign [dict get $t snapshot services] s t
	# no owner: null, and a RECOVER nobody runs needs attention
	assert_equal [list null 0 false attention] [list [dict get $s owner] \
	    [dict get $s epoch] [dict get $s owner_here] [dict get $s glance]]
	assert_equal [list n 41 true] [list [dict get $t owner] \
	    [dict get $t epoch] [dict get $t owner_here]]
	set page [dict get [run_prog $::failmon -H 127.0.0.1:$port] stdout]
	assert_match "*<span class=\"fail\">coord LOST</span>*<span class=\"bad\">error: lease keep-alive: connect 10.0.0.5:2379: refused</span>*" $page
	# without a backend: no backend member, no owner (as before)
	lassign [fake_server greet "SNAPSHOT 1 n 5\nSERVICE x UP 5 1000 3 0 1 idle ok\nEND\n"] srv port
	set r [run_prog $::failmon -1 -j 127.0.0.1:$port]
	assert_true {![string match "*backend*" [dict get $r stdout]] &&
	    ![string match "*owner*" [dict get $r stdout]]} [dict get $r stdout]
	# malformed: each names its line and what is wrong
	set head "SNAPSHOT 1 n 5\n"
	set ok "BACKEND etcd http://e:2379 3f 10 500 OK stop synced none -\n"
	foreach {lines want} [list \
	    "BACKEND etcd http://e:2379 3f 10 500 OK stop synced\n" \
	        "bad BACKEND line" \
	    "BACKEND etcd http://e:2379 xyz 10 500 OK stop synced none -\n" \
	        "bad BACKEND line" \
	    "BACKEND etcd http://e:2379 3f soon 500 OK stop synced none -\n" \
	        "bad BACKEND line" \
	    "BACKEND etcd http://e:2379 3f 10 500 MAYBE stop synced none -\n" \
	        "bad BACKEND line: \"MAYBE stop synced none\" is no coord, policy, watch and watchdog" \
	    "BACKEND zk http://e:2379 3f 10 500 OK stop synced none -\n" \
	        "bad BACKEND line: unknown backend \"zk\"" \
	    "$ok$ok" "bad BACKEND line: not right after SNAPSHOT" \
	    "SERVICE x UP 5 1000 3 0 1 idle ok\n$ok" \
	        "bad BACKEND line: not right after SNAPSHOT" \
	    "SERVICE x UP 5 1000 3 0 1 idle ok\nOWNER x a 3 here\n" \
	        "bad OWNER line" \
	    "${ok}SERVICE x UP 5 1000 3 0 1 idle ok\nOWNER y a 3 here\n" \
	        "bad OWNER line" \
	    "${ok}SERVICE x UP 5 1000 3 0 1 idle ok\nOWNER x a three here\n" \
	        "bad OWNER line" \
	    "${ok}SERVICE x UP 5 1000 3 0 1 idle ok\nOWNER x a 3 mine\n" \
	        "bad OWNER line" \
	    "${ok}SERVICE x UP 5 1000 3 0 1 idle ok\nOWNER x a 3 here\nOWNER x a 3 here\n" \
	        "bad OWNER line" \
	    "${ok}SERVICE x UP 5 1000 3 0 1 idle ok\nLEADER x a\n" \
	        "unknown line \"LEADER\""] {
		lassign [fake_server greet "$head${lines}END\n"] srv port
		set r [run_prog $::failmon -1 127.0.0.1:$port]
		assert_equal 3 [dict get $r code] "accepted: $lines"
		assert_match "*disconnected (not a failsh monitor stream: $want)*" \
		    [dict get $r stdout] $lines
	}
}

test "usage errors exit 2" {
	assert_equal 2 [dict get [run_prog $::failmon -p 0] code]
	assert_equal 2 [dict get [run_prog $::failmon -x] code]
	assert_equal 2 [dict get [run_prog $::failmon -d nosuch] code]
}

harness_done
