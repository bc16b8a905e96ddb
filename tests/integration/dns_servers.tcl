# dns_servers.tcl: real authoritative servers, BIND's named and Knot's
# knotd, for the tests of faildns's RFC 2136 pushes. Each runs in the
# foreground as the current user (root or not: no chroot, no user switch,
# ports above 1024) on 127.0.0.1 with a free port of its own, in a
# directory of its own under the harness's temp dir, and serves one zone
# that takes updates signed with one TSIG key (HMAC-SHA256) and no others.
#
# Source it after harness.tcl. The servers are harness daemons (adopt):
# one started inside a test stops when the test ends; one started outside
# any test lives until stop_dns_server or the end of the file; a failing
# test shows the tail of their logs; all are killed at exit.
#
#   dns_servers_missing ?named|knotd ...?
#	the programs missing for those servers ("" when all are there), to
#	skip with: named, dig, tsig-keygen for named; knotd, kdig for knotd.
#   dns_keyfile PATH NAME ?SECRET?
#	write a BIND key file for key NAME (what tsig-keygen -a hmac-sha256
#	NAME prints; tsig-keygen makes the secret when SECRET is "" or not
#	given); returns the secret (base64).
#   start_named ZONE KEYNAME SECRET ?-records TEXT? ?-name N?
#   start_knotd ZONE KEYNAME SECRET ?-records TEXT? ?-name N?
#	start the server with ZONE (SOA, NS ns1.ZONE, ns1 A 127.0.0.1, then
#	TEXT, zone-file lines relative to ZONE) open to updates signed with
#	the key; wait (10 s at most) until it answers the zone's SOA. Returns
#	the handle, a dict: name pid kind addr port server dir log zone key
#	secret; server is "127.0.0.1:PORT", as dnsupdate and faildns take it.
#   stop_dns_server H
#	stop it (SIGTERM, SIGKILL after 5 s) and remove its directory.
#   dns_lookup H NAME TYPE ?-tool dig|kdig?
#	the sorted answers (dig +short) of H for NAME TYPE, by default with
#	dig for named and kdig for knotd; an error when the server does not
#	answer.

namespace eval dns_servers {
	variable seq 0
}

proc dns_servers_missing {args} {
	if {$args eq ""} {
		set args {named knotd}
	}
	set need {}
	foreach kind $args {
		switch -- $kind {
		named {lappend need named dig tsig-keygen}
		knotd {lappend need knotd kdig}
		default {error "dns_servers_missing: no server \"$kind\""}
		}
	}
	set missing {}
	foreach prog [lsort -unique $need] {
		if {[auto_execok $prog] eq "" &&
		    ![file executable /usr/sbin/$prog]} {
			lappend missing $prog
		}
	}
	return $missing
}

# The program's path: named, knotd and tsig-keygen live in /usr/sbin,
# which a non-root PATH may lack.
proc dns_servers::prog {name} {
	set p [auto_execok $name]
	if {$p eq "" && [file executable /usr/sbin/$name]} {
		set p /usr/sbin/$name
	}
	return $p
}

proc dns_keyfile {path name {secret ""}} {
	if {$secret eq ""} {
		set text [exec {*}[dns_servers::prog tsig-keygen] \
		    -a hmac-sha256 $name]
		if {![regexp {secret "([^"]+)"} $text -> secret]} {
			error "tsig-keygen printed no secret: $text"
		}
	}
	write_file $path "key \"$name\" {\n\talgorithm hmac-sha256;\n\tsecret\
	    \"$secret\";\n};\n" 0600
	return $secret
}

# A port free on 127.0.0.1 for TCP and UDP both, a moment ago.
proc dns_servers::free_port {} {
	for {set i 0} {$i < 20} {incr i} {
		set port [::free_port]
		if {![catch {udp_open $port} u]} {
			close $u
			return $port
		}
	}
	error "no port free for both TCP and UDP"
}

proc dns_servers::zone_text {zone records} {
	return "\$ORIGIN $zone.\n\$TTL 300\n@ IN SOA ns1 hostmaster 1 3600\
	    900 604800 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n$records\n"
}

proc dns_servers::named_conf {h} {
	set d [dict get $h dir]
	return "include \"$d/key.conf\";
options {
	directory \"$d\";
	listen-on port [dict get $h port] { 127.0.0.1; };
	listen-on-v6 { none; };
	pid-file none;
	session-keyfile none;
	recursion no;
	dnssec-validation no;
	notify no;
};
controls { };
zone \"[dict get $h zone]\" {
	type primary;
	file \"$d/zone.db\";
	allow-update { key \"[dict get $h key]\"; };
};
"
}

proc dns_servers::knotd_conf {h} {
	set d [dict get $h dir]
	set user [exec id -un]:[exec id -gn]
	return "server:
    rundir: \"$d\"
    pidfile: \"$d/knot.pid\"
    user: $user
    listen: 127.0.0.1@[dict get $h port]
database:
    storage: \"$d\"
control:
    listen: \"$d/knot.sock\"
log:
  - target: stderr
    any: info
key:
  - id: [dict get $h key]
    algorithm: hmac-sha256
    secret: [dict get $h secret]
acl:
  - id: update_acl
    key: [dict get $h key]
    action: update
zone:
  - domain: [dict get $h zone]
    storage: \"$d\"
    file: \"zone.db\"
    acl: update_acl
"
}

proc start_named {zone keyname secret args} {
	return [dns_servers::start named $zone $keyname $secret {*}$args]
}

proc start_knotd {zone keyname secret args} {
	return [dns_servers::start knotd $zone $keyname $secret {*}$args]
}

proc dns_servers::start {kind zone keyname secret args} {
	variable seq
	set records ""
	set name ""
	foreach {o v} $args {
		switch -- $o {
		-records {set records $v}
		-name {set name $v}
		default {error "start_$kind: unknown option \"$o\""}
		}
	}
	set zone [string trimright $zone .]
	# A port taken between free_port and the server's bind: try again.
	for {set try 0} {$try < 5} {incr try} {
		set n [incr seq]
		set hname [expr {$name ne "" ? $name : "$kind$n"}]
		set dir $::tmpdir/dns-$hname.$n
		file mkdir $dir
		set h [dict create name $hname kind $kind addr 127.0.0.1 \
		    port [free_port] dir $dir log $dir/log zone $zone \
		    key $keyname secret $secret]
		dict set h server 127.0.0.1:[dict get $h port]
		write_file $dir/zone.db [zone_text $zone $records]
		if {$kind eq "named"} {
			dns_keyfile $dir/key.conf $keyname $secret
			write_file $dir/named.conf [named_conf $h]
			set cmd [list [prog named] -g -4 -n 1 \
			    -c $dir/named.conf]
		} else {
			write_file $dir/knot.conf [knotd_conf $h]
			set cmd [list [prog knotd] -c $dir/knot.conf]
		}
		set pid [exec {*}$cmd </dev/null >>& $dir/log &]
		dict set h pid $pid
		set h [adopt $h]
		if {[catch {wait_ready $h} msg]} {
			set log [read_file $dir/log]
			catch {stop_daemon $h}
			if {[string match "*ddress*in use*" $log] &&
			    $try < 4} {
				file delete -force $dir
				continue
			}
			error "$msg; its log:\n$log"
		}
		return $h
	}
}

# Wait until the server answers its zone's SOA (dig +short), 10 s at most.
proc dns_servers::wait_ready {h} {
	set deadline [expr {[clock milliseconds] + 10000}]
	while 1 {
		if {![daemon_alive $h]} {
			error "[dict get $h kind] [dict get $h name] exited\
			    before it answered"
		}
		if {![catch {dns_query $h [dict get $h zone] SOA dig 1} r] &&
		    [llength $r] > 0} {
			return
		}
		if {[clock milliseconds] > $deadline} {
			error "[dict get $h kind] [dict get $h name] did not\
			    answer SOA [dict get $h zone] within 10 s"
		}
		harness::nap 50
	}
}

proc dns_servers::dns_query {h name type tool {wait_s 2}} {
	set retry [expr {$tool eq "kdig" ? "+retry=0" : "+tries=1"}]
	set out [exec {*}[prog $tool] +short +time=$wait_s $retry \
	    @[dict get $h addr] -p [dict get $h port] $name $type]
	if {[regexp -line {^;;} $out]} {
		error "$tool $name $type: $out"
	}
	return [lsort [split [string trim $out] \n]]
}

proc dns_lookup {h name type args} {
	set tool [expr {[dict get $h kind] eq "named" ? "dig" : "kdig"}]
	foreach {o v} $args {
		switch -- $o {
		-tool {set tool $v}
		default {error "dns_lookup: unknown option \"$o\""}
		}
	}
	return [dns_servers::dns_query $h $name $type $tool]
}

proc stop_dns_server {h} {
	try {
		stop_daemon $h
	} finally {
		file delete -force [dict get $h dir]
	}
}
