# vip_echo.tcl NAME ?ipv6?: a UDP responder on port 9999 of every address
# (IPv4, or IPv6 with "ipv6") of its host, answering each datagram with
# NAME; and for IPv4 a TCP server on port 9998 answering each line with
# NAME and a newline, for clients that hold a conversation. Used by
# test_vip.tcl and bench/vip.sh.
package require udp
set s [udp_open 9999 reuse {*}[lrange $argv 1 1]]
fconfigure $s -buffering none -translation binary
fileevent $s readable {
	set d [read $s]
	fconfigure $s -remote [fconfigure $s -peer]
	puts -nonewline $s [lindex $argv 0]
}
proc answer {ch} {
	if {[gets $ch line] < 0} {
		if {[eof $ch]} { close $ch }
		return
	}
	catch {puts $ch [lindex $::argv 0]}
}
if {[lindex $argv 1] ne "ipv6"} {
	socket -server {apply {{ch addr port} {
		fconfigure $ch -blocking 0 -buffering line
		fileevent $ch readable [list answer $ch]
	}}} 9998
}
puts "ready: echo"
flush stdout
vwait forever
