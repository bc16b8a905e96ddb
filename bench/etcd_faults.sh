#!/bin/bash
# bench/etcd_faults.sh: issue 14's fault runs at length. Runs
# tests/netns/test_failsh_etcd_netns.tcl (a 3-member etcd and three
# failsh hosts in network namespaces, faults in a random order: kill -9,
# SIGSTOP and link cut of the owner, its partition from the etcd
# majority, SIGSTOP or kill -9 of the etcd leader, 5 % packet loss) with
# RUNS fault runs (200 by default) instead of the test's 24, and prints
# its summary: runs per fault kind, the time until the service ran on
# exactly one host again (max, p50, p99: overall, per kind and per
# variant), the time back on the master once the fault was over,
# thaw->stop times of a stalled owner, and the overlap checker's verdict
# (overlaps, gaps over the bound). Each run's line and the whole output
# go to LOG.
#
#   sudo bash bench/etcd_faults.sh            # after make, from the tree
#   RUNS=500 FAIL_SEED=123 bash bench/etcd_faults.sh
#
# Needs root, etcd, etcdctl, iptables; build first: make &&
# make tests/helpers/overlap tests/helpers/etcdtool. Exit status: the
# test's (1 on an overlap, a gap over the bound or a run that failed).
# 3 to 4 s a run on a shared 2-core machine: 200 runs take 10 to 13 minutes.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

srcdir=${FAIL_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
builddir=${FAIL_BUILDDIR:-$srcdir}
RUNS=${RUNS:-200}
LOG=${LOG:-/tmp/etcd_faults.$$.log}

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
[ -x "$builddir/tests/helpers/overlap" ] ||
    die "no $builddir/tests/helpers/overlap: make tests/helpers/overlap"

note "$BENCH: $RUNS fault runs, output in $LOG"
t0=$(now_ms)
FAIL_ETCD_RUNS=$RUNS FAIL_BUILDDIR=$builddir FAIL_SRCDIR=$srcdir \
    tclsh8.6 "$srcdir/tests/netns/test_failsh_etcd_netns.tcl" >"$LOG" 2>&1
rc=$?
t1=$(now_ms)

echo "command: RUNS=$RUNS bash bench/etcd_faults.sh ($(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ), $(( (t1 - t0) / 1000 )) s)"
sed -n 's/^summary: //p' "$LOG"
grep -E '^\[(ok|FAIL)\]|^failed:|^\(seed' "$LOG"
[ $rc -eq 0 ] || note "$BENCH: failed, see $LOG"
exit $rc
