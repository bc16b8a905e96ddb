# test_failsh_etcd.tcl: failsh's etcd backend (failetcd) against a real
# etcd 3.4 and real failsh and faild on 127.0.0.x: one owner by the owner
# key, its epoch in the scripts, takeover when the owner's failsh dies,
# failback by release, health and holds, an unreachable etcd under the
# "stop" and "keep" policies, a stalled owner, a restarted owner, the
# settings' errors. Every start and stop is marked in one overlap log
# (tests/helpers/overlap) that each test checks for two owners at once.

source [file join [file dirname [info script]] harness.tcl]
source [file join [file dirname [info script]] etcd.tcl]

set overlap [file normalize [file join $harness::builddir \
    tests/helpers/overlap]]

if {[etcd_missing] ne ""} {
	test "failsh with etcd" {skip "missing: [etcd_missing]"}
	harness_done
}

set e1 [start_etcd -name fe]
set url [etcd_url $e1]
set ttl 2
# The member owner and the views are read from, etcdctl's options there,
# and more failetcd lines for the policies.
set eh $e1
set ectl {}
set etcd_extra ""

# The policy of NODE for service www: masters and slaves as given, the
# etcd backend under a prefix of the test's own, start and stop marked in
# LOG, the epoch of each start appended to DIR/epoch.NODE. A node's
# "broken" file makes its start fail; its "sick" file its check.
proc etcd_policy {node log dir masters slaves args} {
	return "
failetcd endpoints [list $::url]
$::etcd_extra
failetcd prefix /t[set ::prefix]
failetcd ttl $::ttl
proc mark {what} {
	exec [list $::overlap] mark [list $log] $node www \$what
}
proc www_start {} {
	if {\[file exists [list $dir/broken.$node]\]} {
		error \"broken here\"
	}
	mark start
	set f \[open [list $dir/epoch.$node] a\]
	puts \$f \$::failsh::epoch(www)
	close \$f
	return UP
}
failsvc www masters [list $masters]
failsvc www slaves [list $slaves]
failsvc www interval 0.2
failsvc www start www_start
failsvc www stop {mark stop; return RECOVER}
failsvc www check {expr {\[file exists [list $dir/sick.$node]\] ? \"FAIL\" : \"UP\"}}
failsvc www fall 1
[join $args \n]
"
}

# Hosts NODES (names) of www, the first master, the others slaves, each
# with a faild and a failsh. Returns a dict: log dir, and per node
# f.NODE (faild) s.NODE (failsh).
proc cluster {nodes args} {
	set ::gone {}
	set ::prefix [incr ::harness::seq]
	set dir $::tmpdir/etcd$::prefix
	file mkdir $dir
	set log $dir/overlap.log
	set c [dict create log $log dir $dir nodes $nodes]
	set masters [lindex $nodes 0]
	set slaves [lrange $nodes 1 end]
	foreach n $nodes {
		dict set c f.$n [start_faild -name f$n$::prefix]
	}
	foreach n $nodes {
		dict set c s.$n [start_failsh $n [dict get $c f.$n] \
		    [etcd_policy $n $log $dir $masters $slaves {*}$args]]
		# The master owns it before the others start: a slave whose
		# first run comes before the master's view is in etcd takes it
		# ("no owner, first eligible", seen 1 run in 34 here) until the
		# master asks it back, and the tests count b's starts and
		# epochs from the start.
		if {$n eq $masters && [llength $nodes] > 1} {
			wait_for {[owner_name] eq $n} 10000 "$n never owned www"
		}
	}
	return $c
}

# A policy file of TEXT, mode 644; its path.
proc write_policy {text} {
	set path $::tmpdir/policy.[incr ::harness::seq].tcl
	write_file $path $text 0644
	return $path
}

proc start_node {c n args} {
	set ::gone [lsearch -all -inline -not -exact $::gone $n]
	set nodes [dict get $c nodes]
	return [start_failsh $n [dict get $c f.$n] [etcd_policy $n \
	    [dict get $c log] [dict get $c dir] [lindex $nodes 0] \
	    [lrange $nodes 1 end] {*}$args]]
}

# The owner key of www: {name create_revision}, or {} when none.
proc owner {} {
	set out [etcdctl $::eh {*}$::ectl get /t$::prefix/owner/www -w json]
	if {![regexp {"create_revision":(\d+)} $out -> rev]} {
		return {}
	}
	regexp {"value":"([^"]*)"} $out -> v
	return [list [binary decode base64 $v] $rev]
}

proc owner_name {} {
	return [lindex [owner] 0]
}

# The nodes whose faild says www is UP, but those in ::gone: a killed or
# stopped failsh leaves its faild's state as it was.
proc up_nodes {c} {
	set up {}
	foreach n [dict get $c nodes] {
		if {$n ni $::gone &&
		    [state_of [dict get $c f.$n] www] eq "UP"} {
			lappend up $n
		}
	}
	return $up
}

# Wait until www is UP on exactly NODE and NODE owns the key.
proc wait_owner {c node {ms 10000}} {
	wait_for {[up_nodes $c] eq [list $node] && [owner_name] eq $node} \
	    $ms "www not on $node alone: UP on {[up_nodes $c]}, owner\
	    [owner]"
}

# Kill NODE's failsh; its service dies with it (as its supervisor, systemd
# with KillMode=control-group, would have it).
proc kill_node {c n} {
	kill_daemon [dict get $c s.$n]
	exec $::overlap mark [dict get $c log] $n www stop
	lappend ::gone $n
}

# The overlap log: no two hosts at once. Returns the checker's report.
proc no_overlap {c} {
	set r [run_prog $::overlap check [dict get $c log]]
	if {[dict get $r code] ne "0"} {
		fail "overlap: [dict get $r stdout][dict get $r stderr]"
	}
	return [dict get $r stdout]
}

proc marks {c node what} {
	set n 0
	if {[file exists [dict get $c log]]} {
		foreach line [split [read_file [dict get $c log]] \n] {
			if {[lindex $line 1] eq $node &&
			    [lindex $line 3] eq $what} {
				incr n
			}
		}
	}
	return $n
}

# a's marks in LOG after its first N lines.
proc a_after {log n} {
	set out {}
	foreach line [lrange [split [string trim [read_file $log]] \n] $n end] {
		if {[lindex $line 1] eq "a"} {
			lappend out $line
		}
	}
	return $out
}

proc epochs {c node} {
	set f [dict get $c dir]/epoch.$node
	return [expr {[file exists $f] ? [string trim [read_file $f]] : ""}]
}

test "the master owns it, with the key's create revision as its epoch" {
	set c [cluster {a b}]
	wait_owner $c a
	lassign [owner] name rev
	assert_equal $rev [epochs $c a] "epoch given to start"
	# b stands by, its view in etcd (each failsh puts its view after it
	# has told its faild the state: wait for the puts too)
	wait_for {[state_of [dict get $c f.b] www] eq "RECOVER"}
	wait_for {[string match "*view/www/a*UP eligible*view/www/b*RECOVER\
	    eligible*" [string map {\n " "} [etcdctl $e1 get --prefix \
	    /t$::prefix/view/www/]]]} 5000 "the views of a (UP eligible) and\
	    b (RECOVER eligible) in etcd"
	# failsvc shows owner and epoch; failetcd the lease
	wait_for_log [dict get $c s.a] "*www: owner, epoch $rev*"
	assert_equal 0 [marks $c b start]
	no_overlap $c
}

test "the owner's failsh killed: a slave takes over after the lease" {
	set c [cluster {a b}]
	wait_owner $c a
	set rev [lindex [owner] 1]
	set t0 [clock milliseconds]
	kill_node $c a
	wait_for {[owner_name] eq "b"} [expr {$ttl * 1000 + 5000}] \
	    "b never took the key"
	set took [expr {[clock milliseconds] - $t0}]
	wait_for {[state_of [dict get $c f.b] www] eq "UP"}
	assert_true {[lindex [owner] 1] > $rev} "a new epoch"
	assert_equal [lindex [owner] 1] [epochs $c b] "b's epoch"
	# not before the lease could expire
	assert_true {$took >= ($ttl * 1000) / 2} "took over in $took ms"
	no_overlap $c
}

test "failback: the master asks, the slave stops and releases, then it starts" {
	set c [cluster {a b}]
	wait_owner $c a
	kill_node $c a
	wait_owner $c b [expr {$ttl * 1000 + 5000}]
	# a comes back: it asks for it back
	dict set c s.a [start_node $c a]
	wait_owner $c a
	wait_for_log [dict get $c s.b] "*www: released*"
	wait_for_log [dict get $c s.a] "*asked b to give it back*"
	assert_equal 1 [marks $c b stop]
	no_overlap $c
}

test "a sick owner gives it up; the sick host never takes it" {
	set c [cluster {a b}]
	wait_owner $c a
	write_file [dict get $c dir]/sick.a ""
	wait_owner $c b
	# a is not eligible while sick, so it does not ask for it back
	wait_for {[string match "*FAIL*" [etcdctl $e1 get \
	    /t$::prefix/view/www/a]] || [string match "*sick*" \
	    [etcdctl $e1 get /t$::prefix/view/www/a]]}
	file delete [dict get $c dir]/sick.a
	wait_owner $c a
	no_overlap $c
}

test "a start that fails releases the key to the next host" {
	set c [cluster {a b}]
	wait_owner $c a
	kill_node $c a
	write_file [dict get $c dir]/broken.b ""
	wait_for_log [dict get $c s.b] "*broken here*" [expr {$ttl * 1000 + 5000}]
	wait_for_log [dict get $c s.b] "*www: released*"
	assert_equal 0 [marks $c b start]
	# with a third host, it would be next; here a comes back
	dict set c s.a [start_node $c a]
	wait_owner $c a
	no_overlap $c
}

test "an operator's hold moves it: the owner stops, releases, the other starts" {
	set c [cluster {a b}]
	wait_owner $c a
	set fa [dict get $c f.a]
	exec $::failc -h [dict get $fa addr]:[dict get $fa port] -b ops www hold
	wait_owner $c b
	wait_for_log [dict get $c s.a] "*www: released*"
	exec $::failc -h [dict get $fa addr]:[dict get $fa port] www release
	# released: a is eligible again and takes it back
	wait_owner $c a
	no_overlap $c
}

test "etcd unreachable, policy stop: the owner stops at once, nobody starts" {
	set c [cluster {a b}]
	wait_owner $c a
	# timed by a's stop mark, on the marks' clock (t0 in a log of its
	# own), and by the changed_ms of a's faild (its wall clock): faild
	# hears of the stop before the release of the owner key, a call that
	# waits for the paused etcd (it came after: RECOVER 1.87 to 1.92 s
	# after the pause, the stop mark 0.86 to 0.90 s)
	set log [dict get $c log]
	set n [llength [split [string trim [read_file $log]] \n]]
	set wall0 [clock milliseconds]
	exec $overlap mark [dict get $c dir]/t0.log a www stop
	pause_daemon $e1
	wait_for {[up_nodes $c] eq ""} [expr {$ttl * 1000 + 2000}] \
	    "a still UP"
	set told [expr {[field [faild_tcp [dict get $c f.a] "1 get www"] 4] -
	    $wall0}]
	set stop [lindex [a_after $log $n] 0]
	assert_equal stop [lindex $stop 3] "a's first mark after the pause"
	set took [expr {([lindex $stop 0] - [lindex [read_file \
	    [dict get $c dir]/t0.log] 0]) / 1000000}]
	wait_for_log [dict get $c s.a] "*etcd unreachable, policy stop*"
	resume_daemon $e1
	wait_owner $c a 15000
	puts "  a stopped $took ms after the pause, its faild told $told ms"
	assert_true {$took < $ttl * 1000} "stopped after $took ms"
	# before the fence (TTL - margin, 1.5 s)
	assert_true {$told < $ttl * 750} "a's faild told after $told ms"
	no_overlap $c
}

test "etcd unreachable, policy keep: the owner runs until the fence" {
	set c [cluster {a b} {failetcd unreachable keep}]
	wait_owner $c a
	# timed by a's stop mark, as in the test above (faild's RECOVER came
	# 1.39 to 1.45 s after the pause in 3 runs here: on a loaded machine
	# the stop script's exec and faild's update add to it)
	set log [dict get $c log]
	set n [llength [split [string trim [read_file $log]] \n]]
	exec $overlap mark [dict get $c dir]/t0.log a www stop
	pause_daemon $e1
	wait_for_log [dict get $c s.a] "*cannot renew lease*" 5000
	wait_for {[up_nodes $c] eq ""} [expr {$ttl * 1000 + 2000}] \
	    "a still UP"
	set stop [lindex [a_after $log $n] 0]
	assert_equal stop [lindex $stop 3] "a's first mark after the pause"
	set took [expr {([lindex $stop 0] - [lindex [read_file \
	    [dict get $c dir]/t0.log] 0]) / 1000000}]
	wait_for_log [dict get $c s.a] "*not renewed, it may expire*"
	wait_for_log [dict get $c s.a] "*www: UP -> RECOVER (lease lost*"
	assert_equal 0 [lines_matching [dict get $c s.a] "*policy stop*"]
	resume_daemon $e1
	wait_owner $c a 15000
	# kept for most of the TTL, stopped before it could end
	assert_true {$took >= ($ttl * 1000) / 4 && $took < $ttl * 1000} \
	    "stopped after $took ms"
	no_overlap $c
}

test "an owner stalled past its TTL stops at once when it resumes" {
	set c [cluster {a b}]
	wait_owner $c a
	set sa [dict get $c s.a]
	pause_daemon $sa
	# the stalled host serves nothing: its service is frozen with it
	exec $overlap mark [dict get $c log] a www stop
	lappend ::gone a
	wait_owner $c b [expr {$ttl * 1000 + 5000}]
	# the thaw: the first of a's marks after the log's first n lines
	set log [dict get $c log]
	set n [llength [split [string trim [read_file $log]] \n]]
	# (marked first: failsh may stop it within a millisecond)
	exec $overlap mark $log a www start
	resume_daemon $sa
	set ::gone {}
	wait_for {[llength [a_after $log $n]] >= 2} 3000 \
	    "a did not stop on resume"
	# after its thaw, a stopped before anything else: no start of its own
	lassign [a_after $log $n] thaw next
	assert_equal start [lindex $thaw 3] "the thaw"
	assert_equal stop [lindex $next 3] "a's first mark after the thaw"
	puts "    resumed owner stopped [expr {([lindex $next 0] -\
	    [lindex $thaw 0]) / 1000000.0}] ms after its thaw"
	# then it asks for it back, as a master
	wait_owner $c a
}

test "a restarted owner takes its key back without a gap for another" {
	set c [cluster {a b}]
	wait_owner $c a
	set sa [dict get $c s.a]
	stop_daemon $sa
	dict set c s.a [start_node $c a]
	wait_for_log [dict get $c s.a] "*earlier failsh here*"
	wait_owner $c a
	assert_equal 0 [marks $c b start]
	no_overlap $c
}

test "masters in order: the first eligible takes it, the other stands by" {
	set c [cluster {a b c}]
	wait_owner $c a
	wait_for {[state_of [dict get $c f.c] www] eq "RECOVER"}
	kill_node $c a
	wait_owner $c b [expr {$ttl * 1000 + 5000}]
	assert_equal 0 [marks $c c start]
	no_overlap $c
}

test "failetcd: its settings checked, shown, and fixed while running" {
	foreach {setting value msg} {
		endpoints ftp://x "*http:// or https://*"
		ttl 0 "*whole seconds, 1 to 3600*"
		margin -1 "*seconds, 0.05 to 3600*"
		unreachable maybe "*stop or keep*"
		prefix nope "*/name*"
		colour red "*bad setting*"
	} {
		set fa [start_faild]
		set r [run_prog $::failsh -t -N a -f [write_policy \
		    "failetcd $setting $value"] -L [dict get $fa addr]:[dict \
		    get $fa port]]
		assert_true {[dict get $r code] != 0} "$setting $value accepted"
		assert_match $msg [dict get $r stderr]
	}
	set r [run_prog $::failsh -t -N a -f [write_policy \
	    "failetcd endpoints $url\nfailetcd ttl 3\nfailsvc www masters a\n\
	    failsvc www start {return UP}"]]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	assert_match "*etcd backend: $url, prefix /failover, TTL 3 s,\
	    fence 750 ms before expiry, unreachable stop, watchdog none*" \
	    [dict get $r stdout]
	# a reload may not change them
	set c [cluster {a}]
	wait_owner $c a
	set sa [dict get $c s.a]
	set p [read_file [dict get $sa policy]]
	write_file [dict get $sa policy] [string map {"ttl 2" "ttl 5"} $p] 0644
	exec kill -HUP [dict get $sa pid]
	wait_for_log $sa "*reload rejected*cannot change while failsh runs*"
	wait_owner $c a
}

test "a watchdog that is no watchdog device is refused, the rest runs" {
	write_file $::tmpdir/not-a-watchdog ""
	set c [cluster {a} "failetcd watchdog $::tmpdir/not-a-watchdog"]
	wait_owner $c a
	wait_for_log [dict get $c s.a] "*watchdog*not armed*"
}

# Run BODY with failsh's policies going to etcd H (its client URL) with
# the failetcd lines EXTRA, read with etcdctl's options ECTL.
proc with_etcd {h extra ectl body} {
	set old [list $::url $::etcd_extra]
	set ::url [etcd_url $h]
	set ::etcd_extra $extra
	set ::eh $h
	set ::ectl $ectl
	try {
		uplevel 1 $body
	} finally {
		lassign $old ::url ::etcd_extra
		set ::eh $::e1
		set ::ectl {}
	}
}

test "TLS, with a client certificate" {
	set certs [etcd_make_certs $::tmpdir/certs]
	set h [start_etcd -name fetls -tls $certs]
	with_etcd $h "failetcd cafile [dict get $certs ca]
failetcd certfile [dict get $certs client]
failetcd keyfile [dict get $certs client_key]" {} {
		set c [cluster {a b}]
		wait_owner $c a
		kill_node $c a
		wait_owner $c b [expr {$::ttl * 1000 + 5000}]
		no_overlap $c
	}
}

# etcd 3.4's gateway refuses a token with a client certificate ("CommonName
# of client sending a request against gateway will be ignored"): a user
# goes over plain HTTP or TLS without a client certificate.
test "a user and password, with a role on the prefix" {
	set h [start_etcd -name feauth]
	etcdctl $h user add root:rootpw
	etcdctl $h user add app:apppw
	etcdctl $h role add failover
	# every test's prefix, /tN
	etcdctl $h role grant-permission failover --prefix=true readwrite /t
	etcdctl $h user grant-role app failover
	etcdctl $h auth enable
	with_etcd $h "failetcd user app\nfailetcd password apppw" \
	    {--user root:rootpw} {
		set c [cluster {a b}]
		wait_owner $c a
		kill_node $c a
		wait_owner $c b [expr {$::ttl * 1000 + 5000}]
		no_overlap $c
	}
	# a wrong password: no lease, said so, nothing runs
	with_etcd $h "failetcd user app\nfailetcd password wrong" \
	    {--user root:rootpw} {
		set c [cluster {a}]
		wait_for_log [dict get $c s.a] "*no lease:*authentication failed*"
		assert_equal {} [up_nodes $c]
	}
}

test "failsh -e: the lease's state and validity, and the epoch owned" {
	set ::gone {}
	set ::prefix [incr ::harness::seq]
	set dir $::tmpdir/etcd$::prefix
	file mkdir $dir
	set f [start_faild]
	lassign [harness::next_address] - mport
	# UNSURE lasts from half the TTL after the last renewal to the fence:
	# with the default margin (TTL/4) that is 500 ms at TTL 2, which a
	# poll that runs curl can miss on a busy machine; a fence 50 ms before
	# expiry makes it about 950 ms
	set s [start_failsh a $f [etcd_policy a $dir/overlap.log $dir a {} \
	    "failetcd margin 0.05"] -e 127.0.0.1:$mport]
	set c [dict create nodes a f.a $f log $dir/overlap.log]
	wait_owner $c a
	set rev [lindex [owner] 1]
	wait_for {[string match "*failover_service_epoch{service=\"www\"} $rev*" \
	    [exec curl -s http://127.0.0.1:$mport/metrics]]}
	set body [exec curl -s http://127.0.0.1:$mport/metrics]
	assert_match "*failover_etcd_lease{state=\"OK\"} 1*" $body
	assert_match "*failover_etcd_lease{state=\"LOST\"} 0*" $body
	assert_match "*failover_etcd_watch_synced 1*" $body
	regexp {failover_etcd_lease_valid_seconds ([0-9.]+)} $body -> left
	assert_true {$left > 0 && $left <= $::ttl} "lease valid $left s"
	pause_daemon $e1
	wait_for {[string match "*failover_etcd_lease{state=\"UNSURE\"} 1*" \
	    [exec curl -s http://127.0.0.1:$mport/metrics]]} 3000
	resume_daemon $e1
	wait_for {[string match "*failover_etcd_lease{state=\"OK\"} 1*" \
	    [exec curl -s http://127.0.0.1:$mport/metrics]]} 10000
}

harness_done
