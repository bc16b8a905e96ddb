#!/bin/sh
# scripts/fuzz.sh NAME [SECONDS]: build the libFuzzer target tests/fuzz/NAME.c
# with clang (ASan and UBSan) in a temporary directory, run it for SECONDS
# (default 600) on a copy of its seed corpus tests/fuzz/corpus/NAME/, and
# print libFuzzer's final figures. Exit 0 when nothing was found, 1 on a
# finding (crash, leak, timeout, out of memory: the input and the log are
# kept and named), 2 on a usage or build error, 3 when the target's sources
# are not all in the tree (tests/integration/test_fuzz.tcl skips it then).
# scripts/fuzz.sh -l lists the targets. FUZZ_CC (default clang), FUZZ_DIR
# (where to build and keep findings), FUZZ_CFLAGS (say -DFUZZ_NUL_TERMINATED
# for fuzz_proto: NUL-terminated copies, which hide reads past the length)
# and FUZZ_OPTS (more libFuzzer options) may be set.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: $0 NAME [SECONDS] | -l"

# The targets: each one's sources (from the top of the tree), include
# folders, libraries and largest input. A new target is a new line here
# and in case.
names="fuzz_proto fuzz_hcfile fuzz_dns fuzz_query fuzz_zone fuzz_conf"
target() {
	libs=
	case $1 in
	fuzz_proto)	# the failproto(5) parsers
		srcs="tests/fuzz/fuzz_proto.c lib/proto.c lib/xmalloc.c"
		incs="lib"
		maxlen=4096
		;;
	fuzz_hcfile)	# hc's Hcfile parser, with the checks' parsers behind it
		srcs="tests/fuzz/fuzz_hcfile.c hc/hcfile.c hc/hc_check.c
		    $(cd "$top" && echo hc/check_*.c) hc/dns_packet.c hc/hc_proc.c
		    $(cd "$top" && echo lib/*.c)"
		incs=". hc lib"
		libs="-lpth -lssl -lcrypto -ldl -lcurl -ljansson -lsystemd"
		maxlen=8192
		;;
	fuzz_dns)	# the dns check's answer parser
		srcs="tests/fuzz/fuzz_dns.c hc/dns_packet.c lib/dns_name.c"
		incs="hc lib"
		maxlen=2048
		;;
	fuzz_query)
		srcs="tests/fuzz/fuzz_query.c faildns/dns_msg.c lib/dns_name.c"
		incs="faildns lib"
		maxlen=1024
		;;
	fuzz_zone)
		srcs="tests/fuzz/fuzz_zone.c faildns/zone.c lib/dns_name.c"
		incs="faildns lib"
		maxlen=8192
		;;
	fuzz_conf)
		srcs="tests/fuzz/fuzz_conf.c faildns/conf.c faildns/select.c
		    lib/dns_name.c lib/proto.c lib/words.c lib/xmalloc.c"
		incs="faildns lib"
		maxlen=8192
		;;
	*)
		return 1
		;;
	esac
}

if [ "${1:-}" = -l ]; then
	echo "$names"
	exit 0
fi
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "$usage" >&2; exit 2; }
name=$1
secs=${2:-600}
case $secs in
''|*[!0-9]*)
	echo "$usage" >&2
	exit 2
	;;
esac
if ! target "$name"; then
	echo "fuzz: no target $name (targets: $names)" >&2
	exit 2
fi
if [ "$name" = fuzz_hcfile ] && [ ! -f "$top/config.h" ]; then
	echo "fuzz: $top/config.h missing: run ./configure first" >&2
	exit 2
fi
for f in $srcs; do
	if [ ! -f "$top/$f" ]; then
		echo "fuzz: $name: $f is not in the tree"
		exit 3
	fi
done
cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz: no $cc (Debian: apt-get install clang)"
	exit 2
fi

work=${FUZZ_DIR:-}
if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX") || exit 2
else
	mkdir -p "$work" || exit 2
	work=$(cd "$work" && pwd)
fi
cflags=
for i in $incs; do
	cflags="$cflags -I$top/$i"
done
files=
for f in $srcs; do
	files="$files $top/$f"
done

echo "== building $work/$name"
# shellcheck disable=SC2086	# the lists split on purpose
if ! $cc -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -g -O1 -Wall -Wextra ${FUZZ_CFLAGS:-} $cflags -o "$work/$name" $files \
    $libs; then
	echo "fuzz: $name: build failed"
	exit 2
fi

rm -rf "$work/corpus"
mkdir "$work/corpus"
if [ -d "$top/tests/fuzz/corpus/$name" ]; then
	cp "$top/tests/fuzz/corpus/$name"/* "$work/corpus/" 2>/dev/null
fi
dict=
[ -f "$top/tests/fuzz/$name.dict" ] && dict=-dict=$top/tests/fuzz/$name.dict

# fuzz_hcfile runs where https's ca, cert and key files are, by
# relative name (made with openssl, when there is one).
rm -rf "$work/run"
mkdir "$work/run"
if [ "$name" = fuzz_hcfile ] && command -v openssl >/dev/null 2>&1; then
	(cd "$work/run" &&
	    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -subj /CN=fuzz -days 2 -keyout key.pem -out cert.pem &&
	    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out other.pem) >/dev/null 2>&1
fi

echo "== fuzzing $name for $secs s ($(ls "$work/corpus" | wc -l) seeds)"
# shellcheck disable=SC2086
(cd "$work/run" &&
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    exec "$work/$name" -max_total_time="$secs" -print_final_stats=1 \
    -max_len=$maxlen -timeout=30 -rss_limit_mb=2048 $dict \
    -artifact_prefix="$work/" ${FUZZ_OPTS:-} "$work/corpus") \
    >"$work/log" 2>&1
rc=$?

if [ $rc -ne 0 ]; then
	sed -n '/^==[0-9]*== *ERROR\|runtime error\|invariant broken\|^ALARM\|out-of-memory/,$p' \
	    "$work/log" | head -n 60
	echo "fuzz: $name: finding (exit $rc); log, binary and input kept in $work:"
	ls "$work" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' |
	    sed "s|^|  $work/|"
	exit 1
fi
grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n 1
grep '^stat::' "$work/log"
echo "corpus: $(ls "$work/corpus" | wc -l) inputs"
[ -z "${FUZZ_DIR:-}" ] && rm -rf "$work"
exit 0
