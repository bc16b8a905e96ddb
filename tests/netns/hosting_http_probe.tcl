# hosting_http_probe.tcl ADDRESS ?PORT? ?PATH?: an HTTP client of
# samples/hosting, as a browser holds its connection: HTTP/1.1 keep-alive,
# one GET of PATH (default /index.html) every 10 ms once the last one was
# answered, and "ms host status" printed for every answer, host being the
# X-Served-By header of lighttpd.conf. A connection that has not answered
# for 200 ms is given up and a new one opened. Used by test_hosting.tcl
# and bench/hosting.sh.
lassign $argv addr port path
if {$port eq ""} { set port 80 }
if {$path eq ""} { set path /index.html }
set ::ch ""
set ::last 0
set ::buf ""

proc reconnect {} {
	if {$::ch ne ""} {
		catch {close $::ch}
	}
	set ::last [clock milliseconds]
	set ::buf ""
	if {[catch {socket -async $::addr $::port} ::ch]} {
		set ::ch ""
		return
	}
	fconfigure $::ch -blocking 0 -translation binary -buffering full
	fileevent $::ch writable [list ask $::ch]
	fileevent $::ch readable [list heard $::ch]
}

proc ask {ch} {
	if {$ch ne $::ch} {
		return		;# given up meanwhile
	}
	fileevent $ch writable {}
	if {[catch {
		puts -nonewline $ch "GET $::path HTTP/1.1\r\nHost: $::addr\r\n\r\n"
		flush $ch
	}]} {
		set ::last 0	;# refused or reset: the next tick reconnects
	}
}

proc heard {ch} {
	if {[catch {read $ch} data]} {
		fileevent $ch readable {}
		set ::last 0
		return
	}
	append ::buf $data
	# every complete answer in the buffer: headers, then the body
	while {[set e [string first "\r\n\r\n" $::buf]] >= 0} {
		set head [string range $::buf 0 $e]
		set len 0
		regexp -nocase {\ncontent-length: *(\d+)} $head -> len
		set end [expr {$e + 4 + $len}]
		if {[string length $::buf] < $end} {
			break
		}
		set ::buf [string range $::buf $end end]
		set host -
		set status -
		regexp -nocase {\nx-served-by: *([^\r\n]+)} $head -> host
		regexp {^HTTP/1\.[01] (\d+)} $head -> status
		set ::last [clock milliseconds]
		puts "$::last $host $status"
		flush stdout
		after 10 [list ask $ch]
	}
	if {[eof $ch]} {
		fileevent $ch readable {}
		set ::last 0
	}
}

proc tick {} {
	if {$::ch eq "" || [clock milliseconds] - $::last > 200} {
		reconnect
	}
	after 10 tick
}
puts "ready: probe $addr:$port$path"
flush stdout
tick
vwait forever
