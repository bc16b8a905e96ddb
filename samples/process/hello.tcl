# hello.tcl: failsh policy of samples/process, the same file on both hosts.
# Service "hello" is a plain daemon, hello-server.tcl, answering "hello
# from NODE" on a TCP port. host1 is its master, host2 its slave: host2
# starts it only while host1 is down, and stops it when host1 is back.
# failsh -N tells each host which one it is. See README.

# ---- Settings: edit these (a test or the demo substitutes them). --------
set host1_addr   192.0.2.1	;# host1's faild: address and port
set host1_port   1847
set host2_addr   192.0.2.2	;# host2's faild
set host2_port   1847
set service_addr 0.0.0.0	;# where hello-server listens
set service_port 7007
set interval     1		;# seconds between two runs of the service
set statedir     /var/lib/failover/hello	;# its pid file and log
set server       /etc/failover/hello-server.tcl
set tclsh        tclsh8.6
# -------------------------------------------------------------------------

failhost host1 address $host1_addr
failhost host1 port $host1_port
failhost host2 address $host2_addr
failhost host2 port $host2_port

# Which host is this? failsh -N names it.
set node $::failsh::node
if {$node ni {host1 host2}} {
	error "this host is neither host1 nor host2: start failsh with\
	    -N host1 or -N host2"
}

# The pid of our running hello-server, or "" if none runs. The pid file
# may be stale (a reboot, a kill -9): the pid must still be a live
# hello-server, not a zombie (empty command line) nor a recycled pid.
proc hello_pid {} {
	if {[catch {open $::statedir/hello.pid} ch]} {
		return ""
	}
	set pid [string trim [read $ch]]
	close $ch
	if {![string is integer -strict $pid] ||
	    [catch {open /proc/$pid/cmdline} ch]} {
		return ""
	}
	set cmdline [read $ch]
	close $ch
	if {[string first [file tail $::server] $cmdline] < 0} {
		return ""
	}
	return $pid
}

# What the service answers right now, as a client sees it; "" if nothing.
proc hello_ask {} {
	set addr [expr {$::service_addr eq "0.0.0.0" ? "127.0.0.1" :
	    $::service_addr}]
	if {[catch {socket $addr $::service_port} ch]} {
		return ""
	}
	fconfigure $ch -blocking 0
	set line ""
	for {set i 0} {$i < 100} {incr i} {
		if {[gets $ch line] >= 0 || [eof $ch]} {
			break
		}
		after 10
	}
	close $ch
	return $line
}

proc hello_last_log_line {} {
	if {[catch {open $::statedir/hello.log} ch]} {
		return "no log"
	}
	set lines [split [string trim [read $ch]] \n]
	close $ch
	return [lindex $lines end]
}

# start: launch hello-server unless ours already runs (failsh re-runs start
# after a restart and when it re-announces), and wait until it answers.
# An error makes the service FAIL with the message; failsh retries.
proc hello_start {} {
	file mkdir $::statedir
	if {[hello_pid] eq ""} {
		set pid [exec $::tclsh $::server $::service_addr \
		    $::service_port $::node </dev/null \
		    >>$::statedir/hello.log 2>@1 &]
		set ch [open $::statedir/hello.pid w]
		puts $ch $pid
		close $ch
	}
	while {[hello_ask] ne "hello from $::node"} {
		if {[hello_pid] eq ""} {
			error "hello-server exited: [hello_last_log_line]"
		}
		after 20
	}
	return UP
}

# stop: end our hello-server (SIGTERM, SIGKILL after 1 s) and forget it.
proc hello_stop {} {
	set pid [hello_pid]
	if {$pid ne ""} {
		catch {exec kill $pid}
		for {set i 0} {[hello_pid] eq $pid} {incr i} {
			if {$i == 50} {
				catch {exec kill -KILL $pid}
			}
			after 20
		}
	}
	file delete $::statedir/hello.pid
	return RECOVER
}

# check: where hello runs here, our hello-server answers as this host;
# elsewhere, this host could start it (the server is there). A failing
# check restarts hello here (3 times within 60 s, the defaults), then
# gives it up so that the other host takes over; a host whose check fails
# never takes it over.
proc hello_check {} {
	if {[failsvc hello state] ne "UP"} {
		return [expr {[file readable $::server] ? "UP" : "FAIL"}]
	}
	return [expr {[hello_ask] eq "hello from $::node" ? "UP" : "FAIL"}]
}

failsvc hello masters host1	;# failsh drops this host from its own lists
failsvc hello slaves host2
failsvc hello interval $interval
failsvc hello start hello_start
failsvc hello stop hello_stop
failsvc hello check hello_check
