# vip_tcp_probe.tcl ADDRESS: a client holding a TCP conversation with
# ADDRESS (vip_echo.tcl, port 9998): a line every 10 ms once the last one
# was answered, and "ms name" printed for every answer. Its answers keep
# the client's neighbour entry confirmed (REACHABLE), as a real client's
# do, so it moves to another host only when that host announces itself.
# Like a client with a 200 ms timeout, it gives up a connection that has
# not answered for that long and opens a new one. Used by test_vip.tcl
# and bench/vip.sh.
set ::ch ""
set ::last 0

proc reconnect {} {
	if {$::ch ne ""} {
		catch {close $::ch}
	}
	set ::last [clock milliseconds]
	if {[catch {socket -async [lindex $::argv 0] 9998} ::ch]} {
		set ::ch ""
		return
	}
	fconfigure $::ch -blocking 0 -buffering line
	fileevent $::ch writable [list ask $::ch]
	fileevent $::ch readable [list heard $::ch]
}

proc ask {ch} {
	if {$ch ne $::ch} {
		return		;# given up meanwhile
	}
	fileevent $ch writable {}
	if {[catch {puts $ch x}]} {
		# refused or reset: the next tick reconnects
		set ::last 0
	}
}

proc heard {ch} {
	if {[catch {gets $ch line} n] || $n < 0} {
		if {[catch {eof $ch} e] || $e} {
			fileevent $ch readable {}
			set ::last 0
		}
		return
	}
	set ::last [clock milliseconds]
	puts "$::last $line"
	flush stdout
	after 10 [list ask $ch]
}

proc tick {} {
	if {$::ch eq "" || [clock milliseconds] - $::last > 200} {
		reconnect
	}
	after 10 tick
}
puts "ready: probe"
flush stdout
tick
vwait forever
