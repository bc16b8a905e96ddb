#!/bin/sh
# tests/run.sh SRCDIR BUILDDIR: run every test of every kind and close with
# "N passed, N failed". Unit tests are cmocka programs; integration tests
# are Tcl scripts that end with their own "N passed, N failed" line.
# Set TESTS=pattern to run only the files whose name contains it. What
# failed is named again just before the last line.
srcdir=${1:-.}
builddir=${2:-.}
TCLSH=${TCLSH:-tclsh8.6}
passed=0
failed=0
log=$(mktemp)
failures=$(mktemp)
trap 'rm -f "$log" "$failures"' EXIT

count() {	# count NAME: add up what the last run printed
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	if [ -z "$p$f" ]; then
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
		p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
		f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	fi
	if [ -z "$p$f" ] || [ "$rc" -ne 0 -a "${f:-0}" -eq 0 ]; then
		echo "$1: exited $rc without a test count: counted as 1 failure" |
		    tee -a "$failures"
		p=${p:-0}
		f=$((${f:-0} + 1))
	fi
	# Name what failed again at the end, where a log's tail shows it.
	grep -E '^\[FAIL\]|^\[  FAILED  \] [^0-9]' "$log" | cut -c 1-200 |
	    sed "s|^|$(basename "$1"): |" >>"$failures"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
}

for t in $builddir/tests/unit/test_*; do
	case $t in *.c|*.o|*.log) continue ;; esac
	[ -x "$t" ] || continue
	case $t in *"${TESTS:-}"*) ;; *) continue ;; esac
	echo "== $t"
	"$t" >"$log" 2>&1; rc=$?
	grep -E '^\[  (FAILED|  OK  |PASSED)|ERROR|Failure|failed' "$log" | grep -v '^\[       OK \]' | head -n 50
	count "$t"
done

for t in $srcdir/tests/integration/test_*.tcl $srcdir/tests/netns/test_*.tcl \
    $srcdir/tests/package/test_*.tcl; do
	[ -f "$t" ] || continue
	case $t in *"${TESTS:-}"*) ;; *) continue ;; esac
	echo "== $t"
	FAIL_BUILDDIR=$builddir FAIL_SRCDIR=$srcdir "$TCLSH" "$t" >"$log" 2>&1; rc=$?
	cat "$log"
	count "$t"
done

if [ -s "$failures" ]; then
	echo "== what failed"
	cat "$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
