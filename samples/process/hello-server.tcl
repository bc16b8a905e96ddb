#!/usr/bin/env tclsh8.6
# hello-server.tcl ADDRESS PORT NAME: the plain daemon that samples/process
# fails over. It answers every TCP connection on ADDRESS:PORT with the line
# "hello from NAME" and closes it. While another process still listens on
# the address (the other host's server on a shared address, about to be
# stopped) it retries for up to 5 s, then gives up with exit status 1.
# It logs to stderr and runs until it is killed.

proc say {msg} {
	puts stderr "[clock format [clock seconds] -format %Y-%m-%dT%H:%M:%S]\
	    hello-server\[[pid]\]: $msg"
}

if {[llength $argv] != 3} {
	puts stderr "usage: hello-server.tcl address port name"
	exit 2
}
lassign $argv addr port name
if {![string is integer -strict $port] || $port < 1 || $port > 65535} {
	puts stderr "hello-server: bad port \"$port\" (1 to 65535)"
	exit 2
}
if {![regexp {^[[:graph:]]+$} $name]} {
	puts stderr "hello-server: bad name \"$name\" (no blanks)"
	exit 2
}

proc answer {ch host port} {
	catch {
		fconfigure $ch -translation lf
		puts $ch "hello from $::name"
		close $ch
	}
}

set deadline [expr {[clock milliseconds] + 5000}]
while {[catch {socket -server answer -myaddr $addr $port} listener]} {
	if {![string match "*address already in use*" $listener] ||
	    [clock milliseconds] > $deadline} {
		say "cannot listen on $addr:$port: $listener"
		exit 1
	}
	after 50
}
say "listening on $addr:$port as $name"
vwait forever
