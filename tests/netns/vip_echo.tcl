# vip_echo.tcl NAME ?ipv6?: a UDP responder on port 9999 of every address
# (IPv4, or IPv6 with "ipv6") of its host, answering each datagram with
# NAME. Used by test_vip.tcl and bench/vip.sh.
package require udp
set s [udp_open 9999 reuse {*}[lrange $argv 1 1]]
fconfigure $s -buffering none -translation binary
fileevent $s readable {
	set d [read $s]
	fconfigure $s -remote [fconfigure $s -peer]
	puts -nonewline $s [lindex $argv 0]
}
puts "ready: echo"
flush stdout
vwait forever
