# faildns/dns.tcl: what test_faildns*.tcl share, sourced after harness.tcl:
# start faildns on its own 127.0.0.x address with the zones of this folder,
# ask it with dig (parsed into a dict), build and read DNS messages by
# hand for what dig cannot send, set states in a faild with failc.
#
#   start_dns CONF ?-statefile F?: write CONF (faildns.conf text) beside
#     copies of this folder's *.zone and start faildns on it with
#     harness.tcl's start_faildns; the handle adds mport (the monitor
#     port). restart H starts it again (same address, ports, files).
#   dig H ARGS...: dig +norec @H's address and port; returns dig_parse's
#     dict: status opcode flags question answer authority additional
#     edns ednsver ednsflags mbz udp options code raw. A record is
#     {name ttl class type rdata}.
#   rdatas R SECTION ?TYPE?, addrs R (the answer's A and AAAA, sorted).
#   setstate FAILD SERVICE STATE: failc -h FAILD SERVICE STATE.
#   dns_query ID NAME TYPE ?FLAGS?: a query message; dns_header MSG.

set ::dns_fixtures [file normalize [file join $harness::srcdir \
    tests/integration/faildns]]

if {![file executable $::faildns]} {
	puts "no $::faildns: build it first (make faildns/faildns)"
	puts "0 passed, 1 failed"
	exit 1
}
foreach prog {dig kdig} {
	if {[auto_execok $prog] eq ""} {
		puts "no $prog: scripts/deps installs it"
		puts "0 passed, 1 failed"
		exit 1
	}
}

proc start_dns {conf args} {
	set opts {}
	foreach {o v} $args {
		switch -- $o {
		-statefile {lappend opts -s $v}
		default {error "start_dns: unknown option $o"}
		}
	}
	set dir $::tmpdir/dnsconf[incr harness::seq]
	file mkdir $dir
	foreach z [glob -directory $::dns_fixtures *.zone] {
		file copy -force $z $dir
	}
	write_file $dir/faildns.conf $conf
	set h [start_faildns $dir/faildns.conf {*}$opts]
	dict set h mport [dict get $h monitor]
	return $h
}

# The monitor port as a handle that faild_tcp takes.
proc monitor_of {h} {
	return [dict create addr [dict get $h addr] port [dict get $h mport]]
}

# dig H ARGS: one question; fails when dig gets no answer at all.
proc dig {h args} {
	set r [run_prog -timeout 20000 dig +norec +time=3 +tries=1 \
	    @[dict get $h addr] -p [dict get $h port] {*}$args]
	set d [dig_parse [dict get $r stdout]]
	dict set d code [dict get $r code]
	if {[dict get $d status] eq ""} {
		fail "dig $args: no answer (exit [dict get $r code]):\
		    [string trim [dict get $r stdout]]\
		    [string trim [dict get $r stderr]]"
	}
	return $d
}

# dig_parse TEXT: dig's output (one message) as a dict.
proc dig_parse {text} {
	set d [dict create status "" opcode "" flags {} question {} \
	    answer {} authority {} additional {} edns 0 ednsver "" \
	    ednsflags {} mbz "" udp "" options {} raw $text]
	set sec ""
	foreach line [split $text \n] {
		if {[regexp {opcode: (\S+), status: (\S+), id: (\d+)} $line \
		    -> op st id]} {
			dict set d opcode $op
			dict set d status $st
			dict set d id $id
		} elseif {[regexp {^;; flags:([^;]*);} $line -> fl]} {
			dict set d flags [string trim $fl]
		} elseif {[regexp {^; EDNS: version: (\d+), flags:([^;]*);(.*)udp:\
		    (\d+)} $line -> v fl rest udp]} {
			dict set d edns 1
			dict set d ednsver $v
			dict set d ednsflags [string trim $fl]
			dict set d udp $udp
			regexp {MBZ: (0x[0-9a-fA-F]+)} $rest -> mbz
			if {[info exists mbz]} {
				dict set d mbz $mbz
			}
		} elseif {[regexp {^;; ([A-Z ]+) (PSEUDO)?SECTION:} $line \
		    -> s]} {
			set sec [string tolower $s]
		} elseif {$line eq ""} {
			set sec ""
		} elseif {$sec eq "opt"} {
			if {[regexp {^; ([^:]+): ?(.*)$} $line -> k v]} {
				dict lappend d options [list $k [string trim $v]]
			}
		} elseif {$sec eq "question"} {
			dict set d question [regexp -all -inline {\S+} \
			    [string range $line 1 end]]
		} elseif {$sec in {answer authority additional} &&
		    [regexp {^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$} $line \
		    -> n ttl cl ty rd]} {
			dict lappend d $sec [list $n $ttl $cl $ty $rd]
		}
	}
	return $d
}

# The RDATA of SECTION's records (of TYPE, if given), in order.
proc rdatas {d section {type ""}} {
	set out {}
	foreach rr [dict get $d $section] {
		if {$type eq "" || [lindex $rr 3] eq $type} {
			lappend out [lindex $rr 4]
		}
	}
	return $out
}

# The types of SECTION's records, in order.
proc rtypes {d section} {
	set out {}
	foreach rr [dict get $d $section] {
		lappend out [lindex $rr 3]
	}
	return $out
}

proc addrs {d} {
	return [lsort [concat [rdatas $d answer A] [rdatas $d answer AAAA]]]
}

proc has_flag {d flag} {
	return [expr {$flag in [dict get $d flags]}]
}

# The A answer of NAME in order (no sorting), as a string.
proc answer_of {h name {type A}} {
	set d [dig $h $name $type]
	if {[dict get $d status] ne "NOERROR"} {
		return [dict get $d status]
	}
	return [rdatas $d answer $type]
}

proc setstate {f svc st} {
	expect_exit 0 $::failc -h [dict get $f addr]:[dict get $f port] \
	    $svc $st
}

# ----------------------------------------------------------------------
# DNS messages by hand.

proc dns_name {name} {
	set out ""
	foreach label [split [string trimright $name .] .] {
		append out [binary format c [string length $label]] $label
	}
	return "$out\x00"
}

# A query: header (RD clear unless FLAGS says), one question of class IN.
proc dns_query {id name type {flags 0}} {
	return [binary format SSSSSS $id $flags 1 0 0 0][dns_name \
	    $name][binary format SS $type 1]
}

# The header of MSG as a dict: id flags rcode qd an ns ar tc aa.
proc dns_header {msg} {
	if {[binary scan $msg SuSuSuSuSuSu id fl qd an ns ar] != 6} {
		error "short DNS message ([string length $msg] bytes)"
	}
	return [dict create id $id flags $fl rcode [expr {$fl & 0xf}] \
	    qd $qd an $an ns $ns ar $ar tc [expr {($fl >> 9) & 1}] \
	    aa [expr {($fl >> 10) & 1}] qr [expr {($fl >> 15) & 1}]]
}

# Read exactly N bytes from the non-blocking channel CH before the
# deadline (ms since the epoch), or fail.
proc read_exact {ch n deadline} {
	set buf ""
	while {[string length $buf] < $n} {
		append buf [read $ch [expr {$n - [string length $buf]}]]
		if {[string length $buf] >= $n} {
			break
		}
		if {[eof $ch]} {
			fail "connection closed after [string length $buf] of\
			    $n bytes"
		}
		set left [expr {$deadline - [clock milliseconds]}]
		if {$left <= 0} {
			fail "only [string length $buf] of $n bytes in time"
		}
		harness::wait_readable $ch $left
	}
	return $buf
}

# One DNS message over TCP from CH (length-prefixed).
proc tcp_read_msg {ch {timeout_ms 3000}} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	binary scan [read_exact $ch 2 $deadline] Su len
	return [read_exact $ch $len $deadline]
}

# The monitor's stats as a dict.
proc dns_stats {h} {
	set a [faild_tcp [monitor_of $h] "s stats"]
	if {![string match "s OK *" $a]} {
		error "stats: $a"
	}
	return [lrange [regexp -all -inline {\S+} $a] 2 end]
}

# The record NAME (name state changed_ms setter) in the monitor's list,
# or "". (get and show refuse "pool/address" and "source/name": the
# request parser allows no '/' in a name.)
proc monitor_record {h name} {
	set f [regexp -all -inline {\S+} [faild_tcp [monitor_of $h] "l list"]]
	if {[lrange $f 0 1] ne {l OK}} {
		error "list: [lrange $f 0 5]"
	}
	foreach {n st ms setter} [lrange $f 3 end] {
		if {$n eq $name} {
			return [list $n $st $ms $setter]
		}
	}
	return ""
}
