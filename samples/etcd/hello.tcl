# hello.tcl: failsh policy of samples/etcd, the same file on all three
# hosts. Service "hello" (samples/process's hello-server) runs on exactly
# one of host1 (its master), host2 and host3 (its slaves), decided through
# an etcd cluster: the host holding the owner key runs it, and only while
# its lease is certainly valid. failsh -N tells each host which one it is.
# See README.

# ---- Settings: edit these (a test substitutes them). --------------------
set endpoints    http://192.0.2.11:2379,http://192.0.2.12:2379,http://192.0.2.13:2379
set prefix       /failover	;# where the keys are, in etcd
set ttl          2		;# lease seconds: 2 with etcd's default
				;# election timeout, 1 with 500 ms
set unreachable  stop		;# etcd unreachable: stop at once, or keep
				;# until the lease could expire
set service_addr 0.0.0.0	;# where hello-server listens
set service_port 7007
set interval     1		;# seconds between two runs of the service
set statedir     /var/lib/failover/hello	;# its pid file, log, epoch
set server       /usr/share/doc/failover/examples/process/hello-server.tcl
set tclsh        tclsh8.6
# -------------------------------------------------------------------------

failetcd endpoints $endpoints
failetcd prefix $prefix
failetcd ttl $ttl
failetcd unreachable $unreachable
# The last resort against a failsh that stalls while it owns hello (see
# failsh(8), "The etcd backend"): uncomment with softdog loaded.
# failetcd watchdog /dev/watchdog

set node $::failsh::node
if {$node ni {host1 host2 host3}} {
	error "this host is not host1, host2 or host3: start failsh with\
	    -N host1, -N host2 or -N host3"
}

# Our running hello-server's pid, or "" (the pid file may be stale).
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
	return [expr {[string first [file tail $::server] $cmdline] >= 0 ?
	    $pid : ""}]
}

# start: failsh calls it only once this host holds the owner key. The
# epoch (the key's create revision, larger for every new owner) goes
# where a resource that can refuse an older owner would check it; here
# into hello.epoch and the log.
proc hello_start {} {
	file mkdir $::statedir
	set epoch $::failsh::epoch(hello)
	set ch [open $::statedir/hello.epoch w]
	puts $ch $epoch
	close $ch
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
			error "hello-server exited"
		}
		after 20
	}
	return UP
}

# What the service answers right now; "" if nothing.
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

# stop: must end well within the fence margin (a quarter of the TTL).
proc hello_stop {} {
	set pid [hello_pid]
	if {$pid ne ""} {
		catch {exec kill -KILL $pid}
		while {[hello_pid] eq $pid} {
			after 10
		}
	}
	file delete $::statedir/hello.pid
	return RECOVER
}

proc hello_check {} {
	return [expr {[file readable $::server] ? "UP" : "FAIL"}]
}

failsvc hello masters host1
failsvc hello slaves {host2 host3}
failsvc hello interval $interval
failsvc hello start hello_start
failsvc hello stop hello_stop
failsvc hello check hello_check
