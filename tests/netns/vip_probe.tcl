# vip_probe.tcl ADDRESS: asks ADDRESS (IPv4 or IPv6; vip_echo.tcl, port
# 9999) every 10 ms who it is, and prints "ms name" for every answer. Used
# by test_vip.tcl and bench/vip.sh.
package require udp
set s [udp_open {*}[expr {[string match *:* [lindex $argv 0]] ? "0 ipv6" : ""}]]
fconfigure $s -buffering none -translation binary -blocking 0 \
    -remote [list [lindex $argv 0] 9999]
fileevent $s readable {
	set d [read $s]
	if {$d ne ""} { puts "[clock milliseconds] $d"; flush stdout }
}
proc tick {} {
	catch {puts -nonewline $::s x}
	after 10 tick
}
puts "ready: probe"
flush stdout
tick
vwait forever
