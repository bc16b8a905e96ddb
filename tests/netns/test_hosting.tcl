# test_hosting.tcl: samples/hosting on real hosts. The test builds its own
# network as test_vip.tcl does: a switch namespace with a bridge, web
# hosts a (host1, 198.18.0.1) and b (host2, .2), each running faild,
# failsh with samples/hosting/web.tcl, an rsync daemon with its
# rsyncd.conf and (started by the policy) lighttpd with its lighttpd.conf;
# and a client c (.100) holding an HTTP keep-alive conversation with the
# service address 198.18.0.50, which also runs a stand-in SMS gateway.
# sendmail is a script that appends each message to a file. The tests:
# the master's lighttpd killed (the slave answers the client), the
# owner's files on the standby within the sync interval (never the other
# way), failback (every file written on the slave during the outage is
# on the master when it first answers again), the notifications (mail
# and SMS, takeover then failback, once each), a drain with failc hold
# and release (never both hosts answering), and a healed partition (the
# slave's files reach the master). Addresses in 198.18.0.0/24 only. Everything is removed at the end, also when a test
# fails. Needs root, lighttpd, rsync and curl; skipped with a message
# otherwise (scripts/deps installs them).

set ::here [file normalize [file dirname [info script]]]
source [file join $::here .. integration harness.tcl]

set ::vip 198.18.0.50
set ::netns_tag ho
source [file join $::here netns.tcl]
set ::missing {}
foreach prog {ip lighttpd rsync curl} {
	if {[auto_execok $prog] eq ""} {
		lappend ::missing $prog
	}
}
if {[exec id -u] != 0 || $::missing ne ""} {
	puts "netns hosting tests need root and [join {ip lighttpd rsync curl} \
	    {, }] (missing: [expr {$::missing eq "" ? "root" : $::missing}]):\
	    skipped"
	harness_done
}

# The network: switch, hosts a (198.18.0.1) and b (.2), client c (.100).
proc net_up {} {
	net_down
	# every test starts from fresh hosts
	foreach h {a b} {
		file delete -force $::tmpdir/$h
	}
	netns_switch {a 198.18.0.1 b 198.18.0.2 c 198.18.0.100}
}

proc net_down {} {
	foreach h {a b} {
		file delete $::tmpdir/$h/lighttpd.conf
	}
	set known {}
	foreach name [array names harness::daemons] {
		lappend known [dict get $harness::daemons($name) pid]
	}
	foreach h {a b c sw} {
		for {set i 0} {$i < 100} {incr i} {
			set pids {}
			catch {
				foreach pid [exec ip netns pids [ns $h]] {
					if {$pid ni $known} {
						lappend pids $pid
					}
				}
			}
			if {$pids eq ""} {
				break
			}
			catch {exec kill -KILL {*}$pids}
			harness::nap 10
		}
		catch {exec ip netns del [ns $h]}
	}
}

# Replace the value of "set NAME ..." (web.tcl) or "NAME = ..." (the
# other files) in TEXT.
proc setting {text name value} {
	if {![regsub -line "^set $name\\s.*\$" $text [list set $name $value] \
	    text] && ![regsub -line "^(\\s*)$name\\s*=.*\$" $text \
	    "\\1$name = $value" text]} {
		error "no setting $name"
	}
	return $text
}

proc sample {file} {
	return [read_file [file join $harness::srcdir samples hosting $file]]
}

# A host: its files under tmpdir/H, its rsync daemon, faild and failsh
# with web.tcl and the settings SETTINGS (name value ...) over the test's.
# Returns {faild failsh}.
proc start_host {h args} {
	set dir $::tmpdir/$h
	set addr [expr {$h eq "a" ? "198.18.0.1" : "198.18.0.2"}]
	set node [expr {$h eq "a" ? "host1" : "host2"}]
	foreach d {www run log state} {
		file mkdir $dir/$d
	}
	file attributes $dir/log -owner www-data
	write_file $dir/www/index.html "<p>samples/hosting</p>\n"
	set l [sample lighttpd.conf]
	foreach {k v} [list var.host_name \"$node\" var.docroot \"$dir/www\" \
	    var.rundir \"$dir/run\" var.logdir \"$dir/log\" var.port 80] {
		set l [setting $l $k $v]
	}
	write_file $dir/lighttpd.conf $l
	set r [sample rsyncd.conf]
	foreach {k v} [list address $addr port 873 "pid file" $dir/rsyncd.pid \
	    path $dir/www "hosts allow" "198.18.0.1 198.18.0.2"] {
		set r [setting $r $k $v]
	}
	write_file $dir/rsyncd.conf $r
	set rs [dict create name rsyncd-$h log $dir/rsyncd.log]
	harness::spawn_daemon $rs [list ip netns exec [ns $h] sh -c {
	    echo ready:; exec rsync --daemon --no-detach --config="$1" \
	    --log-file="$2"} rsyncd $dir/rsyncd.conf $dir/rsyncd.log] 1
	wait_for {[nsexec $h ss -Htln sport = :873] ne ""} 5000 \
	    "rsyncd on $h never listened"
	set p [sample web.tcl]
	set settings [dict create host1_addr 198.18.0.1 host2_addr 198.18.0.2 \
	    interface eth0 address $::vip/24 interval 0.2 failback_delay 60 \
	    lighttpd_conf $dir/lighttpd.conf pidfile $dir/run/lighttpd.pid \
	    docroot $dir/www statedir $dir/state sync_interval 2 \
	    sendmail $::tmpdir/sendmail mail_to web-admins@example.org \
	    sms_url http://198.18.0.100:8025/sms sms_to +10000000000 \
	    notify_timeout 2 {*}$args]
	dict for {k v} $settings {
		set p [setting $p $k $v]
	}
	write_file $dir/web.tcl $p 0644
	set cmd [list ip netns exec [ns $h] $::faild -F -s $dir/state/faild \
	    -r ""]
	set f [harness::spawn_daemon [dict create name faild-$h \
	    log $dir/faild.log cmd $cmd] $cmd 1]
	set cmd [list ip netns exec [ns $h] $::failsh -F -N $node \
	    -f $dir/web.tcl -m none -D 127.0.0.1:1849 -i "" -l $dir/dump]
	set s [harness::spawn_daemon [dict create name failsh-$h \
	    log $dir/failsh.log cmd $cmd] $cmd 1]
	return [list $f $s]
}

# The stand-in sendmail: each message appended to tmpdir/mailbox, ended
# by a line "--".
write_file $::tmpdir/sendmail "#!/bin/sh
\[ \"\$1\" = -t \] || exit 64
{ cat; echo --; } >>$::tmpdir/mailbox
" 0755

# The client's prober of the service address (or ADDRESS): "ms host
# status" lines.
proc start_prober {{address ""}} {
	if {$address eq ""} {
		set address $::vip
	}
	set p [dict create name probe[incr harness::seq] \
	    log $::tmpdir/probe.$harness::seq.log]
	return [harness::spawn_daemon $p [list ip netns exec [ns c] tclsh8.6 \
	    [file join $::here hosting_http_probe.tcl] $address] 1]
}

# The hosts that answered in the last MS milliseconds, each change once.
proc answered {p ms} {
	set since [expr {[clock milliseconds] - $ms}]
	set who {}
	foreach line [split [daemon_log $p] \n] {
		if {[scan $line "%d %s %d" t h st] == 3 && $t >= $since &&
		    $st == 200 && [lindex $who end] ne $h} {
			lappend who $h
		}
	}
	return $who
}

# The time of the first answer from host H at or after T (ms), or "".
proc first_answer {p h t} {
	foreach line [split [daemon_log $p] \n] {
		if {[scan $line "%d %s %d" t1 h1 st] == 3 && $t1 >= $t &&
		    $h1 eq $h && $st == 200} {
			return $t1
		}
	}
	return ""
}

# The time of the last answer from host H in [T, U] (ms), or 0.
proc last_answer {p h t u} {
	set last 0
	foreach line [split [daemon_log $p] \n] {
		if {[scan $line "%d %s %d" t1 h1 st] == 3 && $t1 >= $t &&
		    $t1 <= $u && $h1 eq $h && $st == 200} {
			set last $t1
		}
	}
	return $last
}

proc has_vip {h} {
	return [string match "*$::vip/*" [nsexec $h ip -br addr show eth0]]
}

proc lighttpd_pid {h} {
	return [string trim [read_file $::tmpdir/$h/run/lighttpd.pid]]
}

# a serves alone: the client has had only host1's answers for 300 ms.
proc a_serves {p} {
	return [expr {[answered $p 300] eq "host1" && ![has_vip b]}]
}

# Files in host H's document root: name -> content.
proc docroot {h} {
	set out {}
	foreach f [glob -nocomplain -directory $::tmpdir/$h/www -tails *] {
		dict set out $f [read_file $::tmpdir/$h/www/$f]
	}
	return $out
}

proc put_file {h name} {
	write_file $::tmpdir/$h/www/$name "$name written on $h\n"
}

# The same file, the same content, on host H.
proc same_file {from h name} {
	return [expr {[file exists $::tmpdir/$h/www/$name] && [read_file \
	    $::tmpdir/$h/www/$name] eq "$name written on $from\n"}]
}

proc hosting_log {h} {
	return [read_file $::tmpdir/$h/state/hosting.log]
}

# The lines of a daemon's log that start with a time.
proc lines_of {h} {
	return [lsearch -all -inline -regexp [split [daemon_log $h] \n] {^\d+ }]
}

test "master's lighttpd killed, host alive: the slave answers on the service address" {
	net_up
	try {
		start_host a
		start_host b
		set p [start_prober]
		wait_for {[a_serves $p]} 15000 "a never served alone"
		set t0 [clock milliseconds]
		exec kill -KILL [lighttpd_pid a]
		wait_for {[first_answer $p host2 $t0] ne ""} 10000 \
		    "b never answered: [answered $p 10000]"
		puts "  b answered [expr {[first_answer $p host2 $t0] - $t0}] ms\
		    after the kill"
		wait_for {![has_vip a]} 2000 "a kept the address"
		assert_true {[has_vip b]}
		# the client, after a's last answers, hears b alone
		wait_for {[answered $p 300] eq "host2"} 2000 \
		    "others answer too: [answered $p 300]"
	} finally {
		net_down
	}
}

test "the owner's new files reach the standby within the sync interval, never the other way" {
	net_up
	try {
		start_host a
		start_host b
		set p [start_prober]
		wait_for {[a_serves $p]} 15000 "a never served alone"
		# written on the standby: stays there
		put_file b standby.txt
		set t0 [clock milliseconds]
		foreach n {1 2 3 4 5} {
			put_file a new$n.html
		}
		# sync_interval 2 s: the next push within 2 s, and its time
		wait_for {[same_file a b new1.html] && [same_file a b new2.html] &&
		    [same_file a b new3.html] && [same_file a b new4.html] &&
		    [same_file a b new5.html]} 3500 \
		    "a's files never reached b: [dict keys [docroot b]]"
		puts "  on b after [expr {[clock milliseconds] - $t0}] ms"
		# a push after standby.txt was written did not bring it to a
		assert_true {![file exists $::tmpdir/a/www/standby.txt]} \
		    "the standby's file went to the owner"
		assert_true {[same_file b b standby.txt]} \
		    "the owner's push removed the standby's file"
	} finally {
		net_down
	}
}

test "failback: every file written on the slave during the outage is on the master when it answers again" {
	net_up
	try {
		# no periodic push during the test: only the takeover's push
		# and the failback's pull carry files
		start_host a failback_delay 3 sync_interval 60
		start_host b failback_delay 3 sync_interval 60
		set p [start_prober]
		wait_for {[a_serves $p]} 15000 "a never served alone"
		# a's last file before its server dies: not pushed yet
		put_file a before.html
		set t0 [clock milliseconds]
		exec kill -KILL [lighttpd_pid a]
		wait_for {[first_answer $p host2 $t0] ne ""} 10000 \
		    "b never answered: [answered $p 10000]"
		# write on b while it holds the address, until a answers
		# again; a file counts when b still held the address after it
		# was written (so before b's stop and a's start)
		set written {}
		set n 0
		set deadline [expr {[clock milliseconds] + 15000}]
		set t1 [clock milliseconds]
		while {[set ta [first_answer $p host1 $t1]] eq ""} {
			put_file b out[incr n].html
			if {[has_vip b]} {
				lappend written out$n.html
			}
			if {[clock milliseconds] > $deadline} {
				fail "a never answered again"
			}
			harness::nap 20
		}
		# a answers: nothing may be missing
		set missing {}
		foreach f $written {
			if {![same_file b a $f]} {
				lappend missing $f
			}
		}
		assert_true {[llength $written] >= 10} \
		    "only [llength $written] files written during the outage"
		assert_equal {} $missing "files of b missing on a when a\
		    answered again (of [llength $written])"
		assert_true {[same_file a a before.html]} "a lost before.html"
		puts "  a answered [expr {$ta - $t1}] ms after the outage\
		    began with all [llength $written] files of b"
		# and serves them, from a, on the service address
		set last [lindex $written end]
		set r [nsexec c curl -s -D - -o /dev/null -w %{http_code} \
		    http://$::vip/$last]
		assert_match "*X-Served-By: host1*200" $r
		# a's file written before its server died reaches b too
		wait_for {[same_file a b before.html]} 5000 "before.html not on b"
	} finally {
		net_down
	}
}

test "notifications: takeover then failback, mail and SMS, once each, in order" {
	file delete $::tmpdir/mailbox
	net_up
	try {
		set g [dict create name sms log $::tmpdir/sms.log]
		set g [harness::spawn_daemon $g [list ip netns exec [ns c] \
		    tclsh8.6 [file join $::here hosting_sms.tcl] 198.18.0.100 \
		    8025] 1]
		start_host a failback_delay 1
		start_host b failback_delay 1
		set p [start_prober]
		wait_for {[a_serves $p]} 15000 "a never served alone"
		set t0 [clock milliseconds]
		exec kill -KILL [lighttpd_pid a]
		wait_for {[first_answer $p host2 $t0] ne ""} 10000 "b never answered"
		wait_for {[first_answer $p host1 [first_answer $p host2 $t0]] ne ""} \
		    10000 "a never took it back"
		wait_for {[regexp -all -line {^--$} [read_file $::tmpdir/mailbox]] >= 2 &&
		    [llength [lines_of $g]] >= 2} 10000 "two mails and two SMS"
		# a few more runs of both: nothing more comes
		wait_runs_in a 10
		set mails [regexp -all -inline -line {^Subject: .*$} \
		    [read_file $::tmpdir/mailbox]]
		assert_equal 2 [llength $mails] "mails: $mails"
		assert_match "*web takeover: host2 serves 198.18.0.50" \
		    [lindex $mails 0]
		assert_match "*web failback: host1 serves 198.18.0.50" \
		    [lindex $mails 1]
		assert_match "*To: web-admins@example.org*host2 took over web\
		    from host1*--*To: web-admins@example.org*host1 took web\
		    back from host2*--*" [read_file $::tmpdir/mailbox]
		set sms [lines_of $g]
		assert_equal 2 [llength $sms] "SMS: $sms"
		assert_match "* POST to=+10000000000 text=web takeover: host2\
		    took over web from host1 *" [lindex $sms 0]
		assert_match "* POST to=+10000000000 text=web failback: host1\
		    took web back from host2 *" [lindex $sms 1]
	} finally {
		net_down
	}
}

# A drain as the README tells it: failc hold on host1, then release.
# Clients on each host's own address see which lighttpd runs: the one
# that stops must have stopped before the other answers, both ways.
test "drain: failc hold moves the service with never both hosts answering; release brings it back" {
	net_up
	try {
		start_host a
		start_host b
		set p [start_prober]
		set pa [start_prober 198.18.0.1]
		set pb [start_prober 198.18.0.2]
		wait_for {[a_serves $p]} 15000 "a never served alone"
		assert_equal {} [answered $pb 1000] "b's lighttpd runs"
		set t0 [clock milliseconds]
		nsexec a $::failc -h 127.0.0.1 -b test web hold
		wait_for {[first_answer $p host2 $t0] ne "" &&
		    [first_answer $pb host2 $t0] ne ""} 10000 "b never answered"
		set fb [first_answer $pb host2 $t0]
		set la [last_answer $pa host1 $t0 [clock milliseconds]]
		puts "  hold: b answered [expr {[first_answer $p host2 $t0] -
		    $t0}] ms later; a's last answer [expr {$fb - $la}] ms\
		    before b's first"
		assert_true {$la < $fb} "both answered from $fb to $la"
		# held: a stays off
		wait_runs_in a 10
		assert_equal {} [answered $pa 1000] "a's lighttpd runs while held"
		put_file b drained.html
		set t1 [clock milliseconds]
		nsexec a $::failc -h 127.0.0.1 web release
		wait_for {[first_answer $p host1 $t1] ne "" &&
		    [first_answer $pa host1 $t1] ne ""} 10000 "a never took it back"
		set fa [first_answer $pa host1 $t1]
		assert_true {[same_file b a drained.html]} \
		    "a serves without b's file"
		set lb [last_answer $pb host2 $t1 [clock milliseconds]]
		assert_true {$lb < $fa} "both answered from $fa to $lb"
		wait_for {[answered $p 300] eq "host1"} 2000 "b answers still"
	} finally {
		net_down
	}
}

# Hosts a and b stop hearing each other (both still reach the client).
proc partition {on} {
	set op [expr {$on ? "-A" : "-D"}]
	nsexec a iptables $op INPUT -s 198.18.0.2 -j DROP
	nsexec b iptables $op INPUT -s 198.18.0.1 -j DROP
}

# While cut apart both serve, and files are written on both; when the
# partition heals b lets the service go and a fetches b's files.
test "partition healed: the files written on the slave while both served reach the master" {
	if {[auto_execok iptables] eq ""} { skip "no iptables" }
	net_up
	try {
		lassign [start_host a sync_interval 60] - sa
		lassign [start_host b sync_interval 60] - sb
		set p [start_prober]
		wait_for {[a_serves $p]} 15000 "a never served alone"
		partition 1
		wait_for {[has_vip b] && [nsexec b ss -Htln sport = :80] ne ""} \
		    5000 "b never took over"
		assert_true {[has_vip a]} "a let it go"
		# b's push after its start cannot reach a: the files written
		# from now on cross only when the partition heals
		wait_for {[string match "*push to host1 (after start) failed*" \
		    [hosting_log b]]} 10000 "b's push got through"
		put_file b split-b.html
		put_file a split-a.html
		partition 0
		wait_for {![has_vip b]} 10000 "b kept the address"
		wait_for_log $sb "*web: UP -> RECOVER (master host1 UP*"
		# deadlines for a loaded machine: it takes 1 to 2 s when quiet
		wait_for {[same_file b a split-b.html]} 15000 \
		    "b's file never reached a: [hosting_log a]"
		wait_for {[answered $p 300] eq "host1"} 10000 "a does not serve alone"
		assert_true {[same_file a a split-a.html]}
	} finally {
		net_down
	}
}

harness_done
