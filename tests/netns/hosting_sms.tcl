# hosting_sms.tcl ADDRESS PORT: a stand-in SMS gateway for
# test_hosting.tcl. It answers every HTTP POST with 200 and prints
# "ms FIELD=VALUE ..." per request, its form fields URL-decoded.
lassign $argv addr port

proc decode {s} {
	set s [string map {+ " "} $s]
	return [encoding convertfrom utf-8 [subst -nocommands -novariables \
	    [regsub -all {%([0-9A-Fa-f]{2})} $s {\\u00\1}]]]
}

proc accept {ch host port} {
	fconfigure $ch -blocking 0 -translation binary
	set ::req($ch) ""
	fileevent $ch readable [list serve $ch]
}

proc serve {ch} {
	if {[catch {read $ch} data]} {
		catch {close $ch}
		return
	}
	append ::req($ch) $data
	set r $::req($ch)
	set e [string first "\r\n\r\n" $r]
	set len 0
	if {$e >= 0} {
		regexp -nocase {\ncontent-length: *(\d+)} $r -> len
	}
	if {$e < 0 || [string length $r] < $e + 4 + $len} {
		if {[eof $ch]} {
			catch {close $ch}
			unset ::req($ch)
		}
		return
	}
	set out {}
	foreach kv [split [string range $r $e+4 [expr {$e + 3 + $len}]] &] {
		lassign [split $kv =] k v
		lappend out "[decode $k]=[decode $v]"
	}
	puts "[clock milliseconds] [string range $r 0 [string first " " $r]-1]\
	    [join $out " "]"
	flush stdout
	catch {
		puts -nonewline $ch "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
		puts -nonewline $ch "Connection: close\r\n\r\n"
		close $ch
	}
	unset ::req($ch)
}

socket -server accept -myaddr $addr $port
puts "ready: sms gateway on $addr:$port"
flush stdout
vwait forever
