# vip_echo.tcl NAME: a UDP responder on port 9999 of every address of its
# host, answering each datagram with NAME. Used by test_vip.tcl and
# bench/vip.sh.
package require udp
set s [udp_open 9999 reuse]
fconfigure $s -buffering none -translation binary
fileevent $s readable {
	set d [read $s]
	fconfigure $s -remote [fconfigure $s -peer]
	puts -nonewline $s [lindex $argv 0]
}
puts "ready: echo"
flush stdout
vwait forever
