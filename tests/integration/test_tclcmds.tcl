# test_tclcmds.tcl: the Tcl commands of failsh (failsvc, failhost,
# failtrap, failquery) at the Tcl level: results, defaults, ranges, error
# messages and -errorcode lists. Each test feeds a script to failsh's
# interactive shell on stdin and reads what it prints.

source [file join [file dirname [info script]] harness.tcl]

if {![file executable $::failsh]} {
	puts "no $::failsh: build it first (make failsh/failsh)"
	puts "0 passed, 1 failed"
	exit 1
}

# Run SCRIPT in failsh's shell (local faild: a port where nothing
# listens); returns what it printed on stdout, trimmed.
proc shell {script args} {
	if {[llength $args] == 0} {
		set args [list -L 127.0.0.1:[free_port]]
	}
	set r [run_prog -stdin $script $::failsh -N me -m none -D none {*}$args]
	if {[dict get $r code] != 0} {
		fail "failsh exited [dict get $r code]: [dict get $r stderr]"
	}
	return [string trim [dict get $r stdout]]
}

# The error message and -errorcode of SCRIPT, as one list.
proc shell_error {script} {
	return [shell "catch {$script} m o
	    puts \[list \$m \[dict get \$o -errorcode\]\]"]
}

test "failsvc: creates in RECOVER with defaults, reads back what it set" {
	set out [shell {
		failsvc www masters {a b}
		puts [failsvc www state]
		set d [failsvc www info]
		foreach k {interval deadcount timeout masters slaves quorum} {
			puts "$k [dict get $d $k]"
		}
		puts [failsvc www interval 0.02]
		puts [failsvc www interval]
		failsvc www start {return UP}
		puts [failsvc www start]
		puts [failsvc]
	}]
	assert_equal "RECOVER
interval 1.0
deadcount 3
timeout 10.0
masters a b
slaves 
quorum 
0.02
0.02
return UP
www" $out
}

test "the shell: after and exec wait without stopping the scheduler" {
	set f [start_faild -name fsh]
	set out [shell "
		failhost me address [dict get $f addr]
		failhost me port [dict get $f port]
		failsvc www interval 0.02
		failsvc www start {incr ::starts; return UP}
		after 300
		puts \[exec echo waited\]
		puts \[failsvc www state\]
		puts \[expr {\[dict get \[failsvc www info\] runs\] > 5}\]
	" -L [dict get $f addr]:[dict get $f port]]
	assert_equal "waited\nUP\n1" $out
}

test "the node name is in ::failsh::node" {
	assert_equal me [shell {puts $::failsh::node}]
}

test "failsvc: the local node is never its own peer, names are unique" {
	assert_equal "b\nb" [shell {puts [failsvc www masters {me b b}]
	    puts [failsvc www masters]} ]
}

test "failsvc: bad values are refused with a FAIL errorcode" {
	assert_equal {{-1 seconds out of range (0.01 to 86400)} {FAIL VALUE -1}} \
	    [shell_error {failsvc www interval -1}]
	assert_equal {{0.001 seconds out of range (0.01 to 86400)} {FAIL VALUE 0.001}} \
	    [shell_error {failsvc www interval 0.001}]
	assert_equal {{deadcount 0 out of range (1 to 1000)} {FAIL VALUE www}} \
	    [shell_error {failsvc www deadcount 0}]
	assert_match {{bad service name "w w": *} {FAIL VALUE {w w}}} \
	    [shell_error {failsvc {w w} interval 1}]
	assert_match {{bad subcommand "nope": must be interval, *} *} \
	    [shell_error {failsvc www nope 1}]
	assert_match {{bad host name "a b"} {FAIL VALUE {a b}}} \
	    [shell_error {failsvc www masters {{a b}}}]
	assert_match {{expected floating-point number but got "x"} *} \
	    [shell_error {failsvc www timeout x}]
	assert_match {{wrong # args: should be "failsvc www state"} *} \
	    [shell_error {failsvc www state UP}]
	assert_equal {{no service "nope"} {FAIL LOOKUP nope}} \
	    [shell_error {failsvc nope state}]
}

test "failhost: settings, their checks, and what was seen of the host" {
	set out [shell {
		failhost a address 127.0.0.9
		failhost a port 2000
		failhost a protocol udp
		failhost a timeout 0.25
		set d [failhost a]
		foreach k {address port protocol timeout local reachable} {
			puts "$k [dict get $d $k]"
		}
		puts [failhost a port]
		puts [lsort [failhost]]
	}]
	assert_equal "address 127.0.0.9
port 2000
protocol udp
timeout 0.25
local 0
reachable 0
2000
a" $out
	assert_equal {{no host "zz"} {FAIL LOOKUP zz}} [shell_error {failhost zz}]
	assert_equal {{port 70000 out of range (1 to 65535)} {FAIL VALUE 70000}} \
	    [shell_error {failhost a port 70000}]
	assert_equal {{protocol must be tcp or udp, not "sctp"} {FAIL VALUE sctp}} \
	    [shell_error {failhost a protocol sctp}]
	assert_equal {{no key "k1" in the key file (-k)} {FAIL LOOKUP k1}} \
	    [shell_error {failhost a key k1}]
}

test "failtrap: added in order, listed, removed" {
	set out [shell {
		failtrap * {t1}
		failtrap www {t2}
		failtrap www {t3}
		puts [failtrap]
		puts [failtrap www]
		failtrap www {}
		puts [failtrap]
	}]
	assert_equal "* t1 www t2 www t3
t2 t3
* t1" $out
	assert_match {{bad service name "a b"} *} [shell_error {failtrap {a b} x}]
}

test "failquery: a faild's states as dicts; errors name the host" {
	set f [start_faild -name fq]
	faild_tcp $f "1 set www UP"
	faild_tcp $f "2 set db FAIL"
	set hp [dict get $f addr]:[dict get $f port]
	set out [shell "
		failhost f address [dict get $f addr]
		failhost f port [dict get $f port]
		puts \[dict get \[failquery f www\] state\]
		puts \[lsort \[dict keys \[failquery f\]\]\]
		puts \[dict get \[failquery f\] db state\]
	"]
	assert_equal "UP\ndb www\nFAIL" $out
	assert_match {{host f: ERR 404 no such service nope} {FAIL LOOKUP f}} \
	    [shell_error "failhost f address [dict get $f addr]
		failhost f port [dict get $f port]
		failquery f nope"]
	assert_match {{host 127.0.0.1: connect *Connection refused} {FAIL UNREACHABLE 127.0.0.1}} \
	    [shell_error "failhost 127.0.0.1 port [free_port]
		failquery 127.0.0.1 www"]
}

harness_done
