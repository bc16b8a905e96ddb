# test_package.tcl: checks the installed Debian package failover (debian/):
# its version is the tree's, every program answers -V, the man pages and
# the CGIs' man links are there, the units are installed and pass
# systemd-analyze verify, the CGIs answer from /usr/lib/cgi-bin, and
# /etc/default/failover is a conffile. Skipped with a message when the
# package is not installed, as after a plain make check; .ci/run builds
# and installs it first.

set ::here [file normalize [file dirname [info script]]]
source [file join $::here .. integration harness.tcl]

set ::programs {
	/usr/sbin/faild /usr/sbin/failsh /usr/sbin/hc /usr/sbin/faildns
	/usr/bin/failc /usr/bin/failstat /usr/bin/faildebug /usr/bin/failcheck /usr/bin/failmon
	/usr/bin/getnode
}
set ::manpages {
	8 faild 8 failsh 8 hc 8 faildns 1 failc 1 failstat 1 faildebug
	1 failmon 1 failcheck 1 getnode 1 failmon.cgi 1 hcmon.cgi 5 failproto
	5 hcfile 5 faildns.conf 7 failover
}
set ::units {faild.service failsh.service hc.service faildns.service}
set ::unitdir /lib/systemd/system
set ::cgibin /usr/lib/cgi-bin

# pkg_field FIELD: a field of the installed package, "" when not installed.
proc pkg_field {field} {
	if {[auto_execok dpkg-query] eq "" || [catch {exec dpkg-query -W \
	    -f "\${Status}|\${$field}" failover 2>/dev/null} out]} {
		return ""
	}
	lassign [split $out |] status value
	if {$status ne "install ok installed"} {
		return ""
	}
	return $value
}

# dpkg_excluded PATH: whether dpkg's path-exclude (as in Debian's container
# images, which leave out /usr/share/man and /usr/share/doc) keeps PATH
# from being installed; the last matching path-exclude or path-include
# decides, as in dpkg.
proc dpkg_excluded {path} {
	set excluded 0
	set files [glob -nocomplain /etc/dpkg/dpkg.cfg /etc/dpkg/dpkg.cfg.d/*]
	foreach f [lsort $files] {
		if {[catch {read_file $f} text]} continue
		foreach line [split $text \n] {
			if {[regexp {^\s*path-(exclude|include)[=\s]\s*(\S+)} \
			    $line -> kind pattern] &&
			    [string match $pattern $path]} {
				set excluded [expr {$kind eq "exclude"}]
			}
		}
	}
	return $excluded
}

# tree_version: the version configure gave the build tree, "" unknown.
proc tree_version {} {
	set h [file join $harness::builddir config.h]
	if {[catch {read_file $h} text] ||
	    ![regexp {#define PACKAGE_VERSION "([^"]*)"} $text -> v]} {
		return ""
	}
	return $v
}

set ::pkgversion [pkg_field Version]
if {$::pkgversion eq ""} {
	puts "package failover not installed: skipped (.ci/run builds and\
	    installs it: dpkg-buildpackage -b, dpkg -i)"
	harness_done
}
puts "package failover $::pkgversion installed"

test "package: its version is the tree's" {
	set v [tree_version]
	if {$v eq ""} { skip "no config.h in $harness::builddir" }
	# a Debian revision (-N), if any, is the package's own
	regsub -- {-[^-]*$} $::pkgversion "" upstream
	assert_equal $v $upstream "the installed package's upstream version"
}

test "package: every program answers -V with its name and version" {
	regsub -- {-[^-]*$} $::pkgversion "" upstream
	foreach p $::programs {
		set r [run_prog -timeout 5000 $p -V]
		assert_equal 0 [dict get $r code] "$p -V exit code"
		assert_match "[file tail $p] (failover) $upstream*" \
		    [dict get $r stdout] "$p -V"
	}
}

test "package: the man pages, and the CGIs' as links" {
	set checked 0
	foreach {sec name} $::manpages {
		set f /usr/share/man/man$sec/$name.$sec.gz
		if {[dpkg_excluded $f]} continue
		incr checked
		assert_true {[file exists $f]} "$f installed"
		if {[auto_execok man] ne ""} {
			# man -w gives the page a link leads to
			set want $f
			if {[file type $f] eq "link"} {
				set want [file join [file dirname $f] \
				    [file readlink $f]]
			}
			set r [run_prog -timeout 5000 man -w $sec $name]
			assert_equal 0 [dict get $r code] "man -w $sec $name"
			assert_equal $want [string trim [dict get $r stdout]] \
			    "man -w $sec $name"
		}
	}
	foreach {link page} {failmon.cgi failmon hcmon.cgi getnode} {
		set f /usr/share/man/man1/$link.1.gz
		if {[dpkg_excluded $f]} continue
		assert_equal /usr/share/man/man1/$page.1.gz \
		    [file normalize [file join [file dirname $f] \
		    [file readlink $f]]] "$f"
	}
	if {$checked == 0} { skip "dpkg excludes /usr/share/man here" }
}

test "package: the examples and the docs" {
	set ex /usr/share/doc/failover/examples
	set f $ex/symmetric/host1.tcl
	if {[dpkg_excluded $f]} { skip "dpkg excludes /usr/share/doc here" }
	foreach f [glob -directory $harness::srcdir/samples -types f */*] {
		set d $ex/[file tail [file dirname $f]]/[file tail $f]
		assert_true {[file exists $d]} "$d installed"
	}
	assert_true {[file exists /usr/share/doc/failover/copyright]}
}

test "package: the units, with the installed programs, verified" {
	foreach u $::units {
		set f $::unitdir/$u
		assert_true {[file exists $f]} "$f installed"
		set text [read_file $f]
		assert_match "*EnvironmentFile=-/etc/default/failover*" $text $f
		assert_regexp {ExecStart=/usr/sbin/[a-z]+ } $text $f
		if {[auto_execok systemctl] ne ""} {
			set r [run_prog systemctl is-enabled $u]
			assert_equal disabled [string trim [dict get $r stdout]] \
			    "$u after installation"
		}
	}
	if {[auto_execok systemd-analyze] eq ""} {
		skip "no systemd-analyze (package systemd): units not verified"
	}
	set r [run_prog systemd-analyze verify --man=no \
	    {*}[lmap u $::units {string cat $::unitdir/ $u}]]
	assert_equal 0 [dict get $r code] \
	    "systemd-analyze verify: [dict get $r stdout][dict get $r stderr]"
}

test "package: the CGIs in /usr/lib/cgi-bin answer with a page" {
	set port [free_port]
	foreach {cgi var} {failmon.cgi FAILMON_TARGETS hcmon.cgi HCMON_TARGETS} {
		set f $::cgibin/$cgi
		assert_true {[file executable $f]} "$f installed"
		set r [run_prog -timeout 5000 env $var=127.0.0.1:$port $f]
		assert_match "Content-Type: text/html*" [dict get $r stdout] $f
		assert_match "*</html>*" [dict get $r stdout] $f
	}
}

test "package: /etc/default/failover, a conffile, the options empty" {
	set f /etc/default/failover
	assert_true {[file exists $f]} "$f installed"
	set r [run_prog dpkg-query -W -f {${Conffiles}} failover]
	assert_match "* $f *" [dict get $r stdout] "$f a conffile"
	set r [run_prog sh -c ". $f && echo \"<\$FAILD_OPTS|\$FAILSH_OPTS|\$HC_OPTS>\""]
	assert_equal 0 [dict get $r code] "sh reads $f: [dict get $r stderr]"
	if {[read_file $f] ne
	    [read_file $harness::srcdir/systemd/failover.default]} {
		skip "$f differs from systemd/failover.default (changed here?)"
	}
	assert_equal "<||>" [string trim [dict get $r stdout]] \
	    "the options as shipped"
}

harness_done
