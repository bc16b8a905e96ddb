# host1.tcl: failsh policy of host1 in samples/symmetric (failsh -N host1).
# host1 is the master of web and the slave of mail; host2.tcl is the mirror
# image. So each host runs its own service and takes over the other's
# while the other host is down. The start and stop scripts only record
# what they do in a state directory; see README for real ones.

# ---- Settings: edit these (the tests substitute them). ------------------
set host1_addr 192.0.2.1	;# host1's faild: address and port
set host1_port 1847
set host2_addr 192.0.2.2	;# host2's faild
set host2_port 1847
set community  failover-secret	;# RW in both faild's community file
set interval   1		;# seconds between two runs of a service
set statedir   /var/lib/failover/symmetric
# -------------------------------------------------------------------------

set me host1
failhost host1 address $host1_addr
failhost host1 port $host1_port
failhost host1 community $community
failhost host2 address $host2_addr
failhost host2 port $host2_port
failhost host2 community $community
if {$::failsh::node ne $me} {
	error "this is $me's policy: start failsh with -N $me"
}

# note WHAT: one line in the journal of this host's services.
proc note {what} {
	file mkdir $::statedir
	set ch [open $::statedir/journal a]
	puts $ch "[clock format [clock seconds] -format %Y-%m-%dT%H:%M:%S]\
	    $::me: $what"
	close $ch
}

# start SVC: where a real policy starts the service (exec systemctl start
# nginx; exec ip addr add ...). Here SVC.running says who runs it since when.
proc svc_start {svc} {
	file mkdir $::statedir
	set ch [open $::statedir/$svc.running w]
	puts $ch "$svc on $::me since [clock milliseconds]"
	close $ch
	note "start $svc"
	return UP
}

proc svc_stop {svc} {
	file delete $::statedir/$svc.running
	note "stop $svc"
	return RECOVER
}

# Every change of a service's state here or at a peer, into the journal.
proc svc_trap {svc host old new} {
	note "$svc at $host: $old -> $new"
}

failsvc web slaves host2	;# web is ours
failsvc mail masters host2	;# mail is host2's, ours while host2 is down
foreach svc {web mail} {
	failsvc $svc interval $interval
	failsvc $svc start [list svc_start $svc]
	failsvc $svc stop [list svc_stop $svc]
}
failtrap * svc_trap
