# test_samples.tcl: the setups of samples/ run as shipped, on 127.0.0.x:
# copies of their policies with the addresses, ports, interval and state
# directories substituted, two faild and two failsh each. symmetric: each
# host runs its own service and takes the other's while it is down.
# process: a real TCP daemon answers from the master, from the slave while
# the master is down, and from the master again once it is back.
# healthcheck: hc with the sample Hcfile against fake servers.
# etcd: the hello daemon on three hosts, owned through a 3-member etcd.

source [file join [file dirname [info script]] harness.tcl]
source [file join [file dirname [info script]] etcd.tcl]

if {![file executable $::failsh]} {
	puts "no $::failsh: build it first (make failsh/failsh)"
	puts "0 passed, 1 failed"
	exit 1
}

set samples [file normalize [file join $harness::srcdir samples]]

# sample_policy FILE SETTINGS: the text of a sample policy with each
# "set NAME ..." line of its settings replaced by NAME's value in the dict
# SETTINGS. A name the file does not set is an error: the sample changed.
proc sample_policy {file settings} {
	set text [read_file $file]
	if {$text eq ""} {
		error "cannot read $file"
	}
	dict for {name value} $settings {
		if {![regsub -line "^set $name\[ \t\].*\$" $text \
		    [string map {\\ \\\\ & \\&} [list set $name $value]] text]} {
			error "$file sets no \"$name\""
		}
	}
	return $text
}

# The server runs from a copy in the temp dir, so that every hello-server
# this file started can be found (and killed) by its command line.
set hello_server $::tmpdir/hello-server.tcl
file copy $samples/process/hello-server.tcl $hello_server

# The pids of the hello-servers started from our copy.
proc hello_servers {} {
	set out {}
	foreach d [glob -nocomplain -directory /proc {[0-9]*}] {
		if {![catch {open $d/cmdline} ch]} {
			set cmd [read $ch]
			close $ch
			if {[string first $::hello_server $cmd] >= 0} {
				lappend out [file tail $d]
			}
		}
	}
	return [lsort -integer $out]
}

proc hello_kill_all {} {
	foreach pid [hello_servers] {
		catch {exec kill -KILL $pid}
	}
}

proc assert_no_file {path} {
	if {[file exists $path]} {
		fail "$path still exists"
	}
}

# Stop every daemon still running, those a test restarted too (restart
# does not tie them to the test), and every hello-server. Each test calls
# it first, so a failed test leaves its daemons for the log tails.
proc stop_leftovers {} {
	foreach name [array names harness::daemons] {
		stop_daemon $harness::daemons($name)
	}
	hello_kill_all
}

test "the sample policies pass failsh -n as shipped, and name a wrong -N" {
	foreach {node file} [list host1 $samples/symmetric/host1.tcl \
	    host2 $samples/symmetric/host2.tcl \
	    host1 $samples/process/hello.tcl host2 $samples/process/hello.tcl \
	    host3 $samples/etcd/hello.tcl] {
		set r [run_prog $::failsh -n -N $node -f $file]
		assert_equal 0 [dict get $r code] "$file: [dict get $r stderr]"
		assert_match "failsh: configuration OK:*" [dict get $r stdout]
	}
	set r [run_prog $::failsh -n -N host2 -f $samples/symmetric/host1.tcl]
	assert_equal 1 [dict get $r code]
	assert_match "*this is host1's policy: start failsh with -N host1*" \
	    [dict get $r stderr]
	set r [run_prog $::failsh -n -N elsewhere -f $samples/process/hello.tcl]
	assert_equal 1 [dict get $r code]
	assert_match "*neither host1 nor host2*" [dict get $r stderr]
	set r [run_prog $::faild -t -c $samples/symmetric/community \
	    -s $::tmpdir/check.state]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
}

# ----------------------------------------------------------------------
# samples/symmetric

# Two faild with the sample's community file and two failsh running
# copies of host1.tcl and host2.tcl, interval 0.1 s; waits until each host
# runs its own service. Returns a dict: f1 f2 s1 s2 (handles), d1 d2
# (state directories).
proc symmetric_up {} {
	set n [incr ::harness::seq]
	set f1 [start_faild -name sym1.$n -- -c $::samples/symmetric/community]
	set f2 [start_faild -name sym2.$n -- -c $::samples/symmetric/community]
	set d1 $::tmpdir/sym1.$n/services
	set d2 $::tmpdir/sym2.$n/services
	set common [dict create host1_addr [dict get $f1 addr] \
	    host1_port [dict get $f1 port] host2_addr [dict get $f2 addr] \
	    host2_port [dict get $f2 port] interval 0.1]
	set s1 [start_failsh host1 $f1 [sample_policy \
	    $::samples/symmetric/host1.tcl [dict merge $common \
	    [dict create statedir $d1]]]]
	set s2 [start_failsh host2 $f2 [sample_policy \
	    $::samples/symmetric/host2.tcl [dict merge $common \
	    [dict create statedir $d2]]]]
	wait_for {[state_of $f1 web] eq "UP" && [state_of $f2 mail] eq "UP"} \
	    5000 "web UP on host1 and mail UP on host2"
	wait_for {[state_of $f1 mail] eq "RECOVER" &&
	    [state_of $f2 web] eq "RECOVER"} 5000 "each standing by for the other"
	return [dict create f1 $f1 f2 $f2 s1 $s1 s2 $s2 d1 $d1 d2 $d2]
}

# Who runs the services by the start/stop scripts' records: a sorted list
# of the SERVICE.running files in state directory DIR.
proc running_in {dir} {
	return [lsort [lmap f [glob -nocomplain -directory $dir *.running] {
		file rootname [file tail $f]
	}]]
}

# host1 goes down: its failsh and faild killed; host2 takes web over.
proc symmetric_host1_down {p} {
	kill_daemon [dict get $p s1]
	kill_daemon [dict get $p f1]
	wait_for {[state_of [dict get $p f2] web] eq "UP"} 5000 \
	    "host2 taking web over"
	wait_for_log [dict get $p s2] \
	    "*service web: RECOVER -> UP (no master up, start ok)*"
}

# The journal of a host's start/stop scripts and traps.
proc journal {p dir} {
	return [read_file [dict get $p $dir]/journal]
}

test "symmetric: each host runs its own service, stands by for the other" {
	stop_leftovers
	set p [symmetric_up]
	assert_equal web [running_in [dict get $p d1]] "services run by host1"
	assert_equal mail [running_in [dict get $p d2]] "services run by host2"
	assert_match "*host1: start web*" [journal $p d1]
	wait_for {[string match "*host2: mail at host1: * -> RECOVER*" \
	    [journal $p d2]]} 2000 "failtrap on host2 seeing host1's mail"
	# the community file is in force: no write without its community
	assert_match "1 ERR 403 *" [faild_tcp [dict get $p f1] "1 set web FAIL"]
	assert_equal UP [state_of [dict get $p f1] web]
}

test "symmetric: host1 down, host2 runs web and mail" {
	stop_leftovers
	set p [symmetric_up]
	symmetric_host1_down $p
	assert_equal UP [state_of [dict get $p f2] mail]
	assert_equal {mail web} [running_in [dict get $p d2]]
	wait_for {[string match "*host2: web at host1: * -> FAIL*" \
	    [journal $p d2]]} 2000 "failtrap on host2 seeing host1 fail"
}

test "symmetric: host1 back with its state, web returns to it" {
	stop_leftovers
	set p [symmetric_up]
	symmetric_host1_down $p
	set f1 [restart [dict get $p f1]]
	set s1 [restart [dict get $p s1]]
	wait_for {[state_of $f1 web] eq "UP" &&
	    [state_of [dict get $p f2] web] eq "RECOVER"} 5000 "web back on host1"
	# host1 finds host2 running web: it stops first, host2 stops for
	# its master, then host1 starts; never both at once
	wait_for_log $s1 "*service web: UP -> RECOVER (slave host2 UP, took\
	    over meanwhile: stopping here first, stop ok)*"
	wait_for_log [dict get $p s2] \
	    "*service web: UP -> RECOVER (master host1 RECOVER, stop ok)*"
	wait_for_log $s1 "*service web: RECOVER -> UP (no master up, start ok)*"
	assert_equal mail [running_in [dict get $p d2]] "host2 runs only mail"
	assert_equal web [running_in [dict get $p d1]] "host1 runs web"
	assert_equal UP [state_of [dict get $p f2] mail]
	assert_equal RECOVER [state_of $f1 mail]
}

test "symmetric: host1 back with an empty faild, web returns to it" {
	stop_leftovers
	set p [symmetric_up]
	symmetric_host1_down $p
	file delete [dict get $p f1 state] [dict get $p f1 state].journal
	set f1 [restart [dict get $p f1]]
	set s1 [restart [dict get $p s1]]
	wait_for {[state_of $f1 web] eq "UP" &&
	    [state_of [dict get $p f2] web] eq "RECOVER"} 5000 "web back on host1"
	wait_for_log [dict get $p s2] \
	    "*service web: UP -> RECOVER (master host1 RECOVER, stop ok)*"
	assert_equal mail [running_in [dict get $p d2]] "host2 runs only mail"
	assert_equal UP [state_of [dict get $p f2] mail]
}

# ----------------------------------------------------------------------
# samples/process

# What the hello service answers at ADDR PORT: its line, or "" if it does
# not (refused, closed without a line, no answer within a second).
proc hello_ask {addr port} {
	if {[catch {socket $addr $port} ch]} {
		return ""
	}
	fconfigure $ch -blocking 0 -translation binary
	try {
		set line [read_line_or_eof $ch 1000]
	} on error {} {
		set line ""
	} finally {
		close $ch
	}
	return [expr {$line eq "EOF" ? "" : $line}]
}

# Two faild and two failsh running copies of hello.tcl, interval 0.1 s,
# the service on an address of its own (loopback's stand-in for a virtual
# address that moves with it). Waits until host1 answers. Returns a dict:
# f1 f2 s1 s2 d1 d2 addr port.
proc process_up {} {
	set n [incr ::harness::seq]
	set f1 [start_faild -name proc1.$n]
	set f2 [start_faild -name proc2.$n]
	set addr 127.0.3.[expr {1 + $n % 250}]
	set port [free_port]
	set settings [dict create host1_addr [dict get $f1 addr] \
	    host1_port [dict get $f1 port] host2_addr [dict get $f2 addr] \
	    host2_port [dict get $f2 port] service_addr $addr \
	    service_port $port interval 0.1 server $::hello_server \
	    tclsh [info nameofexecutable]]
	set d1 $::tmpdir/proc1.$n/hello
	set d2 $::tmpdir/proc2.$n/hello
	set s1 [start_failsh host1 $f1 [sample_policy \
	    $::samples/process/hello.tcl [dict merge $settings \
	    [dict create statedir $d1]]]]
	set s2 [start_failsh host2 $f2 [sample_policy \
	    $::samples/process/hello.tcl [dict merge $settings \
	    [dict create statedir $d2]]]]
	wait_for {[hello_ask $addr $port] eq "hello from host1"} 5000 \
	    "hello from host1"
	wait_for {[state_of $f1 hello] eq "UP" &&
	    [state_of $f2 hello] eq "RECOVER"} 5000 "host1 UP, host2 RECOVER"
	return [dict create f1 $f1 f2 $f2 s1 $s1 s2 $s2 d1 $d1 d2 $d2 \
	    addr $addr port $port]
}

proc pid_in {file} {
	return [string trim [read_file $file]]
}

# host1 goes down with everything on it: failsh, faild and hello-server.
proc process_host1_down {p} {
	set pid [pid_in [dict get $p d1]/hello.pid]
	kill_daemon [dict get $p s1]
	kill_daemon [dict get $p f1]
	exec kill -KILL $pid
	wait_for {![pid_alive $pid]} 2000 "host1's hello-server $pid gone"
	wait_for {[hello_ask [dict get $p addr] [dict get $p port]] eq
	    "hello from host2"} 5000 "hello from host2"
	wait_for {[state_of [dict get $p f2] hello] eq "UP"} 2000 \
	    "host2 publishing UP"
}

test "process: the master's daemon answers, and only it runs" {
	stop_leftovers
	set p [process_up]
	assert_equal 1 [llength [hello_servers]] "servers running"
	assert_equal [hello_servers] [pid_in [dict get $p d1]/hello.pid]
	assert_match "*listening on [dict get $p addr]:* as host1*" \
	    [read_file [dict get $p d1]/hello.log]
}

test "process: master down, the slave's daemon answers" {
	stop_leftovers
	set p [process_up]
	process_host1_down $p
	assert_equal [hello_servers] [pid_in [dict get $p d2]/hello.pid]
}

test "process: master back, its daemon answers again, the slave's stops" {
	stop_leftovers
	set p [process_up]
	process_host1_down $p
	set pid2 [pid_in [dict get $p d2]/hello.pid]
	set f1 [restart [dict get $p f1]]
	set s1 [restart [dict get $p s1]]
	wait_for {[state_of $f1 hello] eq "UP"} 8000 "hello UP on host1"
	wait_for {[hello_ask [dict get $p addr] [dict get $p port]] eq
	    "hello from host1"} 8000 "hello from host1 again"
	wait_for {![pid_alive $pid2]} 3000 "host2's hello-server gone"
	wait_for {[state_of [dict get $p f2] hello] eq "RECOVER"}
	assert_no_file [dict get $p d2]/hello.pid
	assert_equal [hello_servers] [pid_in [dict get $p d1]/hello.pid]
}

test "process: the master's daemon killed on a live host: restarted there, then moved to host2" {
	stop_leftovers
	set p [process_up]
	set s1 [dict get $p s1]
	# three restarts in place (the window's default), each answering
	for {set i 1} {$i <= 3} {incr i} {
		set pid [pid_in [dict get $p d1]/hello.pid]
		exec kill -KILL $pid
		wait_for {[lines_matching $s1 "*hello: UP, restarted*"] == $i} \
		    5000 "restart $i"
		wait_for {[hello_ask [dict get $p addr] [dict get $p port]] eq
		    "hello from host1"} 5000 "hello from host1 after restart $i"
		assert_true {[pid_in [dict get $p d1]/hello.pid] ne $pid}
	}
	# a fourth death within the window: host1 gives it up, host2 runs it
	exec kill -KILL [pid_in [dict get $p d1]/hello.pid]
	wait_for_log $s1 "*hello: UP -> FAIL (health check failing, no restart\
	    left: giving up here, stop ok)*"
	wait_for {[hello_ask [dict get $p addr] [dict get $p port]] eq
	    "hello from host2"} 5000 "hello from host2"
	wait_for {[state_of [dict get $p f2] hello] eq "UP"} 5000 "host2 UP"
	assert_equal FAIL [state_of [dict get $p f1] hello]
}

test "process: start is idempotent: a restarted failsh keeps the daemon" {
	stop_leftovers
	set p [process_up]
	set pid [pid_in [dict get $p d1]/hello.pid]
	kill_daemon [dict get $p s1]
	set s1 [restart [dict get $p s1]]
	wait_for_log $s1 "*service hello: UP, re-announced*"
	assert_equal $pid [pid_in [dict get $p d1]/hello.pid]
	assert_equal [list $pid] [hello_servers]
	assert_equal "hello from host1" \
	    [hello_ask [dict get $p addr] [dict get $p port]]
	assert_equal RECOVER [state_of [dict get $p f2] hello]
}

# host1 alone with the sample, its server SERVER.
proc process_alone {server} {
	set f1 [start_faild -name procbad[incr ::harness::seq]]
	set d1 $::tmpdir/procbad.$::harness::seq
	set s1 [start_failsh host1 $f1 [sample_policy \
	    $::samples/process/hello.tcl [dict create \
	    host1_addr [dict get $f1 addr] host1_port [dict get $f1 port] \
	    host2_addr 127.0.0.1 host2_port [free_port] \
	    service_addr 127.0.3.254 service_port [free_port] interval 0.1 \
	    statedir $d1 server $server tclsh [info nameofexecutable]]]]
	return [list $f1 $s1]
}

test "process: a daemon that cannot start: FAIL, with its reason" {
	stop_leftovers
	set bad [write_file $::tmpdir/broken-server.tcl \
	    "error {no listening today}\n" 0644]
	lassign [process_alone $bad] f1 s1
	wait_for_log $s1 "*service hello: RECOVER -> FAIL (no master up, start\
	    failed: hello-server exited:*broken-server.tcl*"
	wait_for {[state_of $f1 hello] eq "FAIL"}
	# healthy host, failed start: retried in FAIL, not through RECOVER
	wait_for {[runs_of $s1] >= 10} 5000 "fewer than 10 runs"
	assert_equal 0 [lines_matching $s1 "*hello: FAIL -> *"]
}

test "process: no server on this host: its check fails, it never starts" {
	stop_leftovers
	lassign [process_alone /nonexistent/hello.tcl] f1 s1
	wait_for_log $s1 "*service hello: health NONE -> FAIL (check returned\
	    FAIL, 1/3)*"
	wait_for {[runs_of $s1] >= 10} 5000 "fewer than 10 runs"
	assert_equal RECOVER [state_of $f1 hello]
	assert_equal 0 [lines_matching $s1 "*hello: RECOVER -> *"]
}

stop_leftovers
# healthcheck: the shipped Hcfile, checked as is, then run against fake
# servers on this test's ports with its intervals shortened.
proc smtp_accept {ch addr port} {
	fconfigure $ch -blocking 0 -buffering line -translation crlf
	puts $ch "220 fake ESMTP"
	fileevent $ch readable [list apply {{ch} {
		if {[gets $ch line] < 0} {
			if {[eof $ch]} {close $ch}
			return
		}
		switch -glob -- $line {
		EHLO* {puts $ch "250 fake"}
		QUIT {puts $ch "221 bye"; close $ch}
		}
	}} $ch]
}

test "healthcheck: the sample Hcfile is valid as shipped" {
	set r [run_prog $::hc -n -f $samples/healthcheck/Hcfile]
	assert_equal 0 [dict get $r code] [dict get $r stderr]
	assert_match "*OK: 4 targets*" [dict get $r stdout]
}

test "healthcheck: its targets against real servers, web follows db" {
	set f [start_faild]
	lassign [fake_server reply ""] db dbport
	lassign [fake_server script [list apply {{line} {
		if {$line ne ""} {return ""}
		return "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok"
	}}]] web webport
	set smtp [socket -server smtp_accept -myaddr 127.0.0.1 0]
	set smtpport [lindex [fconfigure $smtp -sockname] 2]
	set text [string map [list \
	    "faild = 127.0.0.1" "faild = [dict get $f addr]:[dict get $f port]" \
	    127.0.0.1:5432 127.0.0.1:$dbport 127.0.0.1:80 127.0.0.1:$webport \
	    127.0.0.1:25 127.0.0.1:$smtpport /usr/sbin/sendmail /bin/true \
	    "interval = 5" "interval = 100ms" "interval 2" "interval 100ms" \
	    "interval 30" "interval 100ms" "rise = 2" "rise = 1"] \
	    [read_file $samples/healthcheck/Hcfile]]
	try {
		set h [start_hc $text]
		foreach t {db web smtp site} {
			wait_for {[field [faild_tcp $f "1 get $t"] 3] eq "UP"} \
			    5000 "$t UP"
		}
		close $db
		wait_for_log $h "*target db: UP -> FAIL (connect *3/3)*"
		wait_for_log $h "*target web: UP -> FAIL (dependency db FAIL)*"
		wait_for_log $h "*target site: UP -> FAIL: site down*"
		# hc logs a change before its publisher has written it
		wait_for {[field [faild_tcp $f "1 get site"] 3] eq "FAIL"} \
		    5000 "site FAIL in faild"
		assert_equal UP [field [faild_tcp $f "1 get smtp"] 3]
	} finally {
		close $smtp
	}
}

# ----------------------------------------------------------------------
# samples/dns

test "dns: the sample configurations and Hcfiles pass the checks as shipped" {
	foreach {conf worst} {ecessa 42 tzo 90} {
		set r [run_prog $::faildns -t -f $samples/dns/$conf.conf]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
		assert_match "*www.example.com: *worst case $worst s*" \
		    [dict get $r stdout]
	}
	foreach f {ecessa.Hcfile tzo-monitor.Hcfile} {
		set r [run_prog $::hc -t -f $samples/dns/$f]
		assert_equal 0 [dict get $r code] [dict get $r stderr]
	}
}

test "dns: ecessa.conf, fed by a real faild: primaries, backups, offsite, one mail server at a time" {
	set f [start_faild]
	set dir $::tmpdir/ecessa
	file mkdir $dir
	file copy -force $samples/dns/example.com.zone $dir/
	write_file $dir/faildns.conf [string map [list \
	    127.0.0.1:1847 [dict get $f addr]:[dict get $f port] \
	    /var/lib/failover/faildns.state $dir/state] \
	    [read_file $samples/dns/ecessa.conf]]
	set d [start_faildns $dir/faildns.conf]
	set fc [list $::failc -h [dict get $f addr]:[dict get $f port]]
	foreach svc {web1 web2 web3 web4 web-dr mail1 mail2} {
		run_prog {*}$fc $svc UP
	}
	wait_for {[dig_short $d www.example.com] eq "192.0.2.10\n192.0.2.11"}
	assert_equal 192.0.2.25 [dig_short $d mail.example.com]
	foreach {svc www} {web1 192.0.2.11 web2 192.0.2.20 web3 192.0.2.30
	    web4 203.0.113.10 web-dr 203.0.113.10} {
		run_prog {*}$fc $svc FAIL
		wait_for {[dig_short $d www.example.com] eq $www} 5000 \
		    "www after $svc FAIL: [dig_short $d www.example.com]"
	}
	# shop is a CNAME to www: it follows
	assert_equal "203.0.113.10\nwww.example.com." \
	    [dig_short $d shop.example.com]
	run_prog {*}$fc mail1 FAIL
	wait_for {[dig_short $d mail.example.com] eq "192.0.2.26"}
	run_prog {*}$fc web1 UP
	wait_for {[dig_short $d www.example.com] eq "192.0.2.10"}
}

# ----------------------------------------------------------------------
# samples/etcd

# Three faild and three failsh running copies of samples/etcd/hello.tcl
# against the 3-member cluster ES, interval 0.1 s, TTL 2, the service on
# an address of its own. Waits until host1 answers. Returns a dict: f.N
# s.N d.N (N = 1 2 3), addr port.
proc etcd_sample_up {es} {
	set n [incr ::harness::seq]
	set addr 127.0.3.[expr {1 + $n % 250}]
	set port [free_port]
	set p [dict create addr $addr port $port]
	set settings [dict create endpoints [etcd_urls $es] prefix /s$n \
	    ttl 2 service_addr $addr service_port $port interval 0.1 \
	    server $::hello_server tclsh [info nameofexecutable]]
	foreach i {1 2 3} {
		dict set p f.$i [start_faild -name etcd$i.$n]
		dict set p d.$i $::tmpdir/etcd$i.$n/hello
		dict set p s.$i [start_failsh host$i [dict get $p f.$i] \
		    [sample_policy $::samples/etcd/hello.tcl [dict merge \
		    $settings [dict create statedir [dict get $p d.$i]]]]]
	}
	wait_for {[hello_ask $addr $port] eq "hello from host1"} 8000 \
	    "hello from host1"
	return $p
}

test "etcd: one owner, its epoch; host1 down, host2 takes it; host1 back" {
	stop_leftovers
	if {[etcd_missing] ne ""} {
		skip "missing: [etcd_missing]"
	}
	set es [start_etcd_cluster 3]
	set p [etcd_sample_up $es]
	set addr [dict get $p addr]
	set port [dict get $p port]
	assert_equal 1 [llength [hello_servers]] "servers running"
	set e1 [string trim [read_file [dict get $p d.1]/hello.epoch]]
	assert_true {$e1 > 0} "host1's epoch $e1"
	# host1 goes down with its failsh and its daemon
	set pid [pid_in [dict get $p d.1]/hello.pid]
	kill_daemon [dict get $p s.1]
	exec kill -KILL $pid
	wait_for {[hello_ask $addr $port] eq "hello from host2"} 8000 \
	    "hello from host2"
	set e2 [string trim [read_file [dict get $p d.2]/hello.epoch]]
	assert_true {$e2 > $e1} "host2's epoch $e2 after $e1"
	assert_true {![file exists [dict get $p d.3]/hello.pid]} "host3 ran it"
	# host1 back: host2 stops, then host1 starts
	restart [dict get $p s.1]
	wait_for {[hello_ask $addr $port] eq "hello from host1"} 8000 \
	    "hello from host1 again"
	wait_for {[llength [hello_servers]] == 1} 3000 "one server"
	assert_true {[string trim [read_file [dict get $p d.1]/hello.epoch]] >
	    $e2} "a new epoch"
	foreach h $es {
		stop_etcd $h
	}
}

harness_done
