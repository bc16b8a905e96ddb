# etcd.tcl: real etcd servers (Debian's etcd-server 3.4) for the tests of
# lib/etcd.c and of what is built on it: a single member or a cluster, each
# member on an address of its own (127.0.0.x) with free ports and a data
# directory under the harness's temp dir, fast elections (heartbeat 50 ms,
# election timeout 500 ms), plain HTTP or TLS for clients.
#
# Source it after harness.tcl. Members are harness daemons (adopt): one
# started inside a test stops when the test ends (resume a paused one
# first: a SIGSTOPped etcd ignores SIGTERM), one started outside any test
# lives until stop_etcd or the end of the file; a failing test shows the
# tail of their logs; all are killed at exit.
#
#   etcd_missing
#	the programs missing ("" when etcd, etcdctl, curl and openssl are
#	there), to skip with.
#   start_etcd ?-name N? ?-tls CERTS? ?-args LIST?
#	start one member, a cluster of its own, and wait (10 s at most)
#	until it is healthy. CERTS (from etcd_make_certs) makes its client
#	URL https, with client certificates required; LIST are more etcd
#	options (--auth-token-ttl 1, --experimental-watch-progress-notify-
#	interval 500ms, ...). Returns the handle, a dict: name pid addr port
#	peer_port url dir log tls (CERTS or "").
#   start_etcd_cluster N ?-tls CERTS? ?-args LIST?
#	N members that form one cluster; waits until every one is healthy.
#	Returns the list of their handles.
#   etcd_make_certs DIR
#	a CA, a server certificate for 127.0.0.0/8's first 255 addresses and
#	localhost, and a client certificate, made with openssl in DIR;
#	returns a dict: ca cert key (the server's) client client_key.
#   etcd_url H / etcd_urls HANDLES
#	a member's client URL / the comma-separated URLs of several.
#   etcd_healthy H
#	1 when the member answers /health with "true" (within 1 s).
#   etcd_wait_healthy H ?MS?
#	wait until it is (10 s by default), else fail.
#   etcdctl H ARG ...
#	run etcdctl against member H (with the TLS files when it has them);
#	returns its output, an error when it fails.
#   etcd_leader HANDLES
#	the handle of the member that is leader now ("" when none says so).
#   stop_etcd H
#	stop it (resumed first if paused; SIGTERM, SIGKILL after 5 s) and
#	remove its directory.
#   etcd_failsh_pair H TAG ?POLICY?
#	nodes a (master) and b (slave) of service www under failsh's etcd
#	backend on member H (prefix /TAGn of their own, TTL 2, more policy
#	lines POLICY), each with its faild and failsh; waits until a owns
#	www and b stands by. Returns {prefix fa fb sa sb}.

namespace eval etcd_servers {
	variable seq 0
}

proc etcd_missing {} {
	set missing {}
	foreach prog {etcd etcdctl curl openssl} {
		if {[auto_execok $prog] eq ""} {
			lappend missing $prog
		}
	}
	return $missing
}

proc etcd_url {h} {
	return [dict get $h url]
}

proc etcd_urls {hs} {
	set urls {}
	foreach h $hs {
		lappend urls [dict get $h url]
	}
	return [join $urls ,]
}

# A member's handle, not started yet: its addresses, ports and directory.
proc etcd_servers::member {name tls extra} {
	variable seq
	lassign [harness::next_address] addr port
	lassign [harness::next_address] - peer_port
	set n [incr seq]
	if {$name eq ""} {
		set name etcd$n
	}
	set dir $::tmpdir/$name.$n
	file mkdir $dir
	set scheme [expr {$tls ne "" ? "https" : "http"}]
	return [dict create name $name addr $addr port $port \
	    peer_port $peer_port url $scheme://$addr:$port dir $dir \
	    log $dir/log tls $tls args $extra]
}

proc etcd_servers::peer_url {h} {
	return http://[dict get $h addr]:[dict get $h peer_port]
}

proc etcd_servers::spawn {h cluster} {
	set cmd [list etcd --name [dict get $h name] \
	    --data-dir [dict get $h dir]/data \
	    --listen-client-urls [dict get $h url] \
	    --advertise-client-urls [dict get $h url] \
	    --listen-peer-urls [peer_url $h] \
	    --initial-advertise-peer-urls [peer_url $h] \
	    --initial-cluster $cluster --initial-cluster-state new \
	    --initial-cluster-token [file tail $::tmpdir] \
	    --heartbeat-interval 50 --election-timeout 500]
	set tls [dict get $h tls]
	if {$tls ne ""} {
		lappend cmd --cert-file [dict get $tls cert] \
		    --key-file [dict get $tls key] \
		    --trusted-ca-file [dict get $tls ca] --client-cert-auth
	}
	lappend cmd {*}[dict get $h args]
	set pid [exec {*}$cmd </dev/null >>& [dict get $h log] &]
	dict set h pid $pid
	return [adopt $h]
}

proc etcd_servers::options {cmd opts} {
	set r [dict create -name "" -tls "" -args {}]
	foreach {o v} $opts {
		if {![dict exists $r $o]} {
			error "$cmd: unknown option \"$o\""
		}
		dict set r $o $v
	}
	return $r
}

proc start_etcd {args} {
	set o [etcd_servers::options start_etcd $args]
	set h [etcd_servers::member [dict get $o -name] [dict get $o -tls] \
	    [dict get $o -args]]
	set h [etcd_servers::spawn $h \
	    [dict get $h name]=[etcd_servers::peer_url $h]]
	etcd_servers::wait_started $h
	return $h
}

proc start_etcd_cluster {n args} {
	set o [etcd_servers::options start_etcd_cluster $args]
	set hs {}
	set cluster {}
	set base [dict get $o -name]
	for {set i 1} {$i <= $n} {incr i} {
		set h [etcd_servers::member \
		    [expr {$base ne "" ? "$base$i" : ""}] \
		    [dict get $o -tls] [dict get $o -args]]
		lappend hs $h
		lappend cluster [dict get $h name]=[etcd_servers::peer_url $h]
	}
	set started {}
	foreach h $hs {
		lappend started [etcd_servers::spawn $h [join $cluster ,]]
	}
	foreach h $started {
		etcd_servers::wait_started $h
	}
	return $started
}

# Healthy within 10 s, or an error with its log.
proc etcd_servers::wait_started {h} {
	set deadline [expr {[clock milliseconds] + 10000}]
	while {![etcd_healthy $h]} {
		if {![daemon_alive $h]} {
			error "etcd [dict get $h name] exited: [read_file \
			    [dict get $h log]]"
		}
		if {[clock milliseconds] > $deadline} {
			error "etcd [dict get $h name] not healthy after 10 s"
		}
		harness::nap 50
	}
}

# curl's options for a member's TLS files.
proc etcd_servers::curl_tls {h} {
	set tls [dict get $h tls]
	if {$tls eq ""} {
		return {}
	}
	return [list --cacert [dict get $tls ca] --cert [dict get $tls client] \
	    --key [dict get $tls client_key]]
}

proc etcd_healthy {h} {
	set r [run_prog -timeout 3000 curl -s --max-time 1 \
	    {*}[etcd_servers::curl_tls $h] [dict get $h url]/health]
	return [string match {*"health":"true"*} [dict get $r stdout]]
}

proc etcd_wait_healthy {h {ms 10000}} {
	wait_for {[etcd_healthy $h]} $ms "etcd [dict get $h name] healthy"
}

proc etcdctl {h args} {
	set tls [dict get $h tls]
	set opts [list --endpoints [dict get $h url] --dial-timeout 2s \
	    --command-timeout 5s]
	if {$tls ne ""} {
		lappend opts --cacert [dict get $tls ca] \
		    --cert [dict get $tls client] \
		    --key [dict get $tls client_key]
	}
	set r [run_prog -timeout 10000 env ETCDCTL_API=3 etcdctl {*}$opts \
	    {*}$args]
	if {[dict get $r code] ne "0"} {
		error "etcdctl $args: [string trim [dict get $r stderr]]"
	}
	return [string trim [dict get $r stdout]]
}

proc etcd_leader {hs} {
	foreach h $hs {
		if {![daemon_alive $h] || [catch {etcdctl $h endpoint status \
		    -w json} out]} {
			continue
		}
		set st [lindex [json_parse $out] 0]
		set s [dict get $st Status]
		if {[dict get $s leader] eq [dict get $s header member_id]} {
			return $h
		}
	}
	return ""
}

proc etcd_make_certs {dir} {
	file mkdir $dir
	set san "subjectAltName=DNS:localhost"
	for {set i 1} {$i < 255} {incr i} {
		append san ",IP:127.0.0.$i"
	}
	set ssl {openssl}
	exec {*}$ssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj /CN=failover-test-ca -keyout $dir/ca.key -out $dir/ca.pem \
	    2>@1
	foreach {name cn ext} [list server etcd-server $san \
	    client failover-client extendedKeyUsage=clientAuth] {
		exec {*}$ssl req -newkey rsa:2048 -nodes -subj /CN=$cn \
		    -keyout $dir/$name.key -out $dir/$name.csr 2>@1
		write_file $dir/$name.ext "$ext\n"
		exec {*}$ssl x509 -req -in $dir/$name.csr -CA $dir/ca.pem \
		    -CAkey $dir/ca.key -CAcreateserial -days 2 \
		    -extfile $dir/$name.ext -out $dir/$name.pem 2>@1
	}
	return [dict create ca $dir/ca.pem cert $dir/server.pem \
	    key $dir/server.key client $dir/client.pem \
	    client_key $dir/client.key]
}

proc stop_etcd {h} {
	catch {exec kill -CONT [dict get $h pid]}
	try {
		stop_daemon $h
	} finally {
		file delete -force [dict get $h dir]
	}
}

proc etcd_failsh_pair {h tag {policy ""}} {
	set prefix /$tag[incr ::harness::seq]
	set pol "
		failetcd endpoints [list [etcd_url $h]]
		failetcd prefix $prefix
		failetcd ttl 2
		$policy
		failsvc www masters a
		failsvc www slaves b
		failsvc www interval 0.2
		failsvc www start {return UP}
		failsvc www stop {return RECOVER}"
	set fa [start_faild -name fa[incr ::harness::seq]]
	set fb [start_faild -name fb[incr ::harness::seq]]
	set sa [start_failsh a $fa $pol]
	set sb [start_failsh b $fb $pol]
	wait_for {[state_of $fa www] eq "UP" && [state_of $fb www] eq "RECOVER"} \
	    10000 "www not UP on a, RECOVER on b"
	return [list $prefix $fa $fb $sa $sb]
}

# A backend object of failstat -j or failmon -j: kind, endpoint, lease,
# coord, unreachable, watch, watchdog, fence_ms and error as WANT, and
# time left on the lease within a TTL of 2 s.
proc assert_backend {b want} {
	assert_equal $want [list [dict get $b kind] [dict get $b endpoint] \
	    [dict get $b lease] [dict get $b coord] [dict get $b unreachable] \
	    [dict get $b watch] [dict get $b watchdog] [dict get $b fence_ms] \
	    [dict get $b error]]
	set left [dict get $b lease_left_ms]
	assert_true {$left > 0 && $left <= 2000} "lease_left_ms $left"
}
