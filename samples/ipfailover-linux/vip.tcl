# vip.tcl: failsh policy of samples/ipfailover-linux, the same file on
# both hosts (failsh -N host1 or -N host2). Service "vip" is an IP address
# that host1 holds while it can, and host2 while host1 is down. failip
# puts it on the interface and announces it (gratuitous ARP, or an
# unsolicited neighbour advertisement for IPv6) without forking a helper;
# the stop script takes it off. See README.

# ---- Settings: edit these (the tests substitute them). ------------------
set interface eth0		;# where the address goes, on both hosts
set address   192.0.2.50/24	;# the service address and its prefix
set host1     192.0.2.1		;# host1's own address (its faild)
set host2     192.0.2.2		;# host2's own address
set interval  0.2		;# seconds between polls; x3 = dead time
# -------------------------------------------------------------------------

# UDP polls: a lost datagram is sent again within the poll's timeout,
# while TCP would wait for its own retransmission (200 ms or more) and
# lose the poll; on a lossy link that difference is false takeovers.
failhost host1 address $host1
failhost host1 protocol udp
failhost host2 address $host2
failhost host2 protocol udp
if {$::failsh::node ni {host1 host2}} {
	error "this host is neither host1 nor host2: start failsh with\
	    -N host1 or -N host2"
}

# start: the address on, announced (again, when failsh re-announces after
# a partition healed: then the neighbours' caches point here again).
proc vip_start {} {
	failip add $::interface $::address
	return UP
}

proc vip_stop {} {
	failip del $::interface $::address
	return RECOVER
}

failsvc vip masters host1	;# failsh leaves this host out of its own lists
failsvc vip slaves host2
failsvc vip interval $interval
failsvc vip start vip_start
failsvc vip stop vip_stop
