# web.tcl: failsh policy of samples/hosting, the same file on both hosts
# (failsh -N host1 or -N host2). Service "web" is a lighttpd serving one
# document root behind a service address moved by failip: host1 runs it
# while it can (its master), host2 while host1 cannot (its slave). The
# host that runs it pushes the document root to the other with rsync;
# the host that starts it first fetches what the other has newer. Every
# takeover and failback is mailed and sent to an SMS gateway. See README.

# ---- Settings: edit these (the tests substitute them). ------------------
set host1_addr     192.0.2.1	;# host1's own address: its faild, its rsyncd
set host2_addr     192.0.2.2	;# host2's own address
set interface      eth0		;# where the service address goes, both hosts
set address        192.0.2.80/24	;# the service address and its prefix
set interval       0.2		;# seconds between runs, and between checks
set fall           4		;# failed checks in a row: this host is sick
set rise           2		;# passed checks in a row: healthy again
set restarts       0		;# restarts in place before moving (README)
set restartwindow  60		;# ... counted within this many seconds
set failback_delay 60		;# seconds a sick host waits before it serves again
set http_port      80		;# lighttpd's port (lighttpd.conf)
set check_path     /index.html	;# must answer 200 on 127.0.0.1:http_port
set check_timeout  0.15		;# seconds the check's HTTP GET may take
set lighttpd       /usr/sbin/lighttpd
set lighttpd_conf  /etc/failover/hosting/lighttpd.conf
set pidfile        /run/failover-hosting/lighttpd.pid	;# as lighttpd.conf
set docroot        /srv/www/hosting	;# as lighttpd.conf and rsyncd.conf
set statedir       /var/lib/failover/hosting	;# hosting.log: syncs, mails
set rsync          /usr/bin/rsync
set rsync_port     873		;# the peer's rsync daemon (rsyncd.conf)
set rsync_module   www
set rsync_user     ""		;# with auth users in rsyncd.conf: the user
set rsync_secret   ""		;# ... and a file holding its password (600)
set sync_interval  10		;# seconds between two pushes by the owner
set sync_timeout   2		;# seconds to connect to the peer's rsyncd
set start_timeout  30		;# seconds start may take: fetch, then lighttpd
set sendmail       /usr/sbin/sendmail	;# called as "sendmail -t"
set mail_to        root
set mail_from      failover
set sms_url        ""		;# the SMS gateway's URL, "" for no SMS
set sms_to         ""		;# sent as the form field "to"
set curl           /usr/bin/curl
set notify_timeout 3		;# seconds for sendmail and curl, each
# -------------------------------------------------------------------------

failhost host1 address $host1_addr
failhost host2 address $host2_addr
set node $::failsh::node
if {$node ni {host1 host2}} {
	error "this host is neither host1 nor host2: start failsh with\
	    -N host1 or -N host2"
}
set peer [expr {$node eq "host1" ? "host2" : "host1"}]
set peer_addr [set ${peer}_addr]
set service_ip [lindex [split $address /] 0]

# hosting.log in statedir: what the scripts did (pulls, pushes, mails).
proc web_log {msg} {
	file mkdir $::statedir
	set ch [open $::statedir/hosting.log a]
	puts $ch "[clock format [clock seconds] -format %Y-%m-%dT%H:%M:%S\
	    -gmt 1] $::node: $msg"
	close $ch
}

# ---- lighttpd -----------------------------------------------------------

# The pid of our lighttpd, or "" if none runs: the pid file may be stale
# (a kill -9, a reboot), or name a zombie or a recycled pid.
proc web_pid {} {
	if {[catch {open $::pidfile} ch]} {
		return ""
	}
	set pid [string trim [read $ch]]
	close $ch
	if {![string is integer -strict $pid] ||
	    [catch {open /proc/$pid/stat} ch]} {
		return ""
	}
	set stat [read $ch]
	close $ch
	if {![regexp {^\d+ \((.*)\) (\S)} $stat -> comm st] ||
	    ![string match lighttpd* $comm] || $st in {Z X}} {
		return ""
	}
	return $pid
}

# The HTTP status that ADDR:PORT answers a GET of PATH with, or "" when
# it does not within TIMEOUT_MS (refused, reset, silent). Waits with
# "after", so other scripts and the polls go on meanwhile.
proc web_http_status {addr port path timeout_ms} {
	set deadline [expr {[clock milliseconds] + $timeout_ms}]
	if {[catch {socket -async $addr $port} ch]} {
		return ""
	}
	set status ""
	set got ""
	catch {
		fconfigure $ch -blocking 0 -translation binary -buffering full
		puts -nonewline $ch "GET $path HTTP/1.0\r\nHost: $addr\r\n"
		puts -nonewline $ch "User-Agent: failsh-web-check\r\n\r\n"
		flush $ch
		while {[clock milliseconds] < $deadline} {
			append got [read $ch]
			if {[regexp {^HTTP/1\.[01] (\d\d\d)} $got -> status] ||
			    [eof $ch] || [fconfigure $ch -error] ne ""} {
				break
			}
			after 10
		}
	}
	catch {close $ch}
	return $status
}

proc web_answers {} {
	return [expr {[web_http_status 127.0.0.1 $::http_port $::check_path \
	    [expr {int($::check_timeout * 1000)}]] eq "200"}]
}

proc web_lighttpd_start {} {
	file mkdir [file dirname $::pidfile]
	# lighttpd checks its configuration, binds, then goes to the
	# background: an error here (bad config, port in use) fails start.
	exec $::lighttpd -f $::lighttpd_conf </dev/null 2>@1
	set deadline [expr {[clock milliseconds] + 5000}]
	while {![web_answers]} {
		if {[web_pid] eq ""} {
			error "lighttpd exited: see its error log"
		}
		if {[clock milliseconds] > $deadline} {
			error "lighttpd does not answer $::check_path with 200\
			    after 5 s"
		}
		after 20
	}
}

proc web_lighttpd_stop {} {
	set pid [web_pid]
	if {$pid eq ""} {
		return
	}
	catch {exec kill $pid}
	for {set i 0} {[web_pid] eq $pid} {incr i} {
		if {$i == 100} {
			catch {exec kill -KILL $pid}
		}
		after 20
	}
}

# ---- replication --------------------------------------------------------
# The owner pushes (start, then every sync_interval); a starting host
# pulls first. Never --delete, always --update: no file written on either
# host is lost, the newer copy of a file wins (README, "Replication").

proc web_rsync_url {} {
	set user [expr {$::rsync_user ne "" ? "$::rsync_user@" : ""}]
	return rsync://$user$::peer_addr:$::rsync_port/$::rsync_module/
}

proc web_rsync_opts {} {
	set o [list -a --update --contimeout=$::sync_timeout --timeout=60]
	if {$::rsync_secret ne ""} {
		lappend o --password-file=$::rsync_secret
	}
	return $o
}

# Pull what the peer has newer, before serving. Skipped when the peer's
# faild did not answer the last poll (a dead host would cost the
# connect timeout); a failed pull is logged and does not stop the start.
proc web_pull {} {
	if {![dict get [failhost $::peer] reachable]} {
		web_log "pull from $::peer skipped: its faild does not answer"
		return
	}
	set t0 [clock milliseconds]
	if {[catch {exec $::rsync {*}[web_rsync_opts] [web_rsync_url] \
	    $::docroot/ 2>@1} err]} {
		web_log "pull from $::peer failed: [string trim $err]"
	} else {
		web_log "pulled from $::peer in\
		    [expr {[clock milliseconds] - $t0}] ms"
	}
}

# Push in the background (a pipe the event loop reads); one at a time,
# a push asked for meanwhile runs when that one ends.
# (kept over a reload: SIGHUP runs this file again)
foreach {var value} {web_push_ch "" web_push_again 0 web_push_failing 0} {
	if {![info exists $var]} {
		set $var $value
	}
}
proc web_push {why} {
	if {$::web_push_ch ne ""} {
		set ::web_push_again 1
		return
	}
	set ::web_push_again 0
	set ::web_push_t0 [clock milliseconds]
	set ::web_push_why $why
	set ::web_push_out ""
	if {[catch {open |[list $::rsync {*}[web_rsync_opts] $::docroot/ \
	    [web_rsync_url] 2>@1] r} ch]} {
		web_log "push to $::peer failed: $ch"
		return
	}
	fconfigure $ch -blocking 0
	fileevent $ch readable [list web_push_read $ch]
	set ::web_push_ch $ch
}

proc web_push_read {ch} {
	append ::web_push_out [read $ch]
	if {![eof $ch]} {
		return
	}
	fconfigure $ch -blocking 1
	set ::web_push_ch ""
	set ms [expr {[clock milliseconds] - $::web_push_t0}]
	# a push that fails is logged once, until one works again
	if {[catch {close $ch} err]} {
		if {!$::web_push_failing} {
			web_log "push to $::peer ($::web_push_why) failed after\
			    $ms ms: [string trim "$::web_push_out $err"]"
		}
		set ::web_push_failing 1
	} elseif {$::web_push_failing || $::web_push_why ne "periodic"} {
		web_log "pushed to $::peer ($::web_push_why) in $ms ms"
		set ::web_push_failing 0
	}
	if {$::web_push_again && [failsvc web state] eq "UP"} {
		web_push again
	}
}

# Every sync_interval: the owner pushes. A reload (SIGHUP) re-arms it.
proc web_sync_tick {} {
	set ::web_sync_id [after [expr {int($::sync_interval * 1000)}] \
	    web_sync_tick]
	if {[failsvc web state] eq "UP"} {
		web_push periodic
	}
}
if {[info exists web_sync_id]} {
	after cancel $web_sync_id
}
set web_sync_id [after [expr {int($sync_interval * 1000)}] web_sync_tick]

# ---- the scripts --------------------------------------------------------

# start: the files first (pull from the peer), then lighttpd, then the
# address, then a push. When lighttpd already runs (failsh re-announces
# after a partition, or restarted), only the address is set and
# announced again: no pull, the direction stays with the owner.
proc web_start {} {
	if {[web_pid] eq "" || ![web_answers]} {
		web_lighttpd_stop
		web_pull
		if {[catch {web_lighttpd_start} err opts]} {
			# sick as if its check had failed: failback_delay
			# before this host offers to serve again
			set ::web_sick_ms [clock milliseconds]
			web_lighttpd_stop
			return -options $opts $err
		}
		set fresh 1
	}
	failip add $::interface $::address
	if {[info exists fresh]} {
		web_push "after start"
	}
	return UP
}

proc web_stop {} {
	failip del $::interface $::address
	web_lighttpd_stop
	return RECOVER
}

# check: where web is UP, lighttpd answers a GET of check_path with 200
# within check_timeout. Elsewhere, this host could start it: its
# configuration and document root are there, and it has not been sick
# for failback_delay seconds (a server that just crashed does not take
# the service back at once, and a crashing one does not flap).
if {![info exists web_sick_ms]} {
	set web_sick_ms 0
}
proc web_check {} {
	if {[failsvc web state] eq "UP"} {
		if {[web_answers]} {
			return UP
		}
		set ::web_sick_ms [clock milliseconds]
		return FAIL
	}
	if {[clock milliseconds] - $::web_sick_ms < $::failback_delay * 1000 ||
	    ![file readable $::lighttpd_conf] ||
	    ![file isdirectory $::docroot]} {
		return FAIL
	}
	return UP
}

# ---- notifications (and the fetch after a partition) --------------------
# The host that gains the service tells: host2 a takeover, host1 a
# failback (host1 saw host2 run it). failsh calls the traps of a service
# one at a time in the order of the changes, apart from the scripts:
# notifying never holds up a takeover, and sendmail and curl each have
# notify_timeout seconds.
if {![info exists web_peer_had_it]} {
	set web_peer_had_it 0
}
proc web_trap {svc host old new} {
	if {$host ne $::node} {
		if {$new eq "UP"} {
			set ::web_peer_had_it 1
		} elseif {$old eq "UP" && [failsvc web state] eq "UP"} {
			# both ran it (a partition), and the peer let it go:
			# fetch what was written there meanwhile
			set ::web_peer_had_it 0
			web_pull
		}
		return
	}
	if {$new ne "UP" || $old eq "UP"} {
		return
	}
	if {$::node eq "host2"} {
		set what takeover
		set text "$::node took over web from $::peer"
	} elseif {$::web_peer_had_it} {
		set what failback
		set text "$::node took web back from $::peer"
		set ::web_peer_had_it 0
	} else {
		return
	}
	set when [clock format [clock seconds] -format "%Y-%m-%d %H:%M:%S %Z"]
	append text " at $when ($::service_ip now served by $::node;\
	    [dict get [failsvc web info] reason])"
	web_mail $what $text
	web_sms $what $text
}

proc web_mail {what text} {
	set date [clock format [clock seconds] \
	    -format {%a, %d %b %Y %H:%M:%S %z}]
	set msg [join [list "From: $::mail_from" "To: $::mail_to" \
	    "Subject: \[failover\] web $what: $::node serves $::service_ip" \
	    "Date: $date" "Content-Type: text/plain; charset=utf-8" \
	    "Auto-Submitted: auto-generated" "" $text ""] \n]
	if {[catch {exec timeout $::notify_timeout $::sendmail -t << $msg \
	    2>@1} err]} {
		web_log "mail ($what) failed: [string trim $err]"
	} else {
		web_log "mail ($what) sent to $::mail_to"
	}
}

proc web_sms {what text} {
	if {$::sms_url eq ""} {
		return
	}
	if {[catch {exec $::curl -sS -f -o /dev/null --max-time \
	    $::notify_timeout --data-urlencode to=$::sms_to \
	    --data-urlencode "text=web $what: $text" $::sms_url 2>@1} err]} {
		web_log "sms ($what) failed: [string trim $err]"
	} else {
		web_log "sms ($what) sent"
	}
}

failsvc web masters host1	;# failsh leaves this host out of its own lists
failsvc web slaves host2
failsvc web interval $interval
failsvc web start web_start
failsvc web stop web_stop
failsvc web timeout $start_timeout
failsvc web check web_check
failsvc web checktimeout [expr {$check_timeout + 0.5}]
failsvc web fall $fall
failsvc web rise $rise
failsvc web restarts $restarts
failsvc web restartwindow $restartwindow
failtrap web web_trap
