#!/bin/sh
# tests/fuzz/run.sh [seconds]: build the libFuzzer target of the protocol
# parser (tests/fuzz/fuzz_proto.c) with ASan and UBSan, run it for that many
# seconds (default 60) on a copy of the seed corpus, print the final figures;
# exit non-zero on a crash, keeping the work directory with the crashing input.
# FUZZ_NUL=1 hands the parsers NUL-terminated copies (hides reads past len).
set -u
secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CC=${CC:-clang}
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_proto.XXXXXX") || exit 2
extra=
[ "${FUZZ_NUL:-0}" = 1 ] && extra=-DFUZZ_NUL_TERMINATED

echo "== building $work/fuzz_proto"
if ! $CC -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -g -O1 -Wall -Wextra $extra -I"$top/lib" -o "$work/fuzz_proto" \
    "$here/fuzz_proto.c" "$top/lib/proto.c" "$top/lib/xmalloc.c"; then
	echo "fuzz: build failed"
	rm -rf "$work"
	exit 2
fi

mkdir "$work/corpus"
cp "$here"/corpus/* "$work/corpus/"
cat >"$work/dict" <<'EOF'
"get"
"set"
"delete"
"list"
"watch"
"ping"
"stats"
"debug"
"version"
"UP"
"RECOVER"
"FAIL"
"OK"
"ERR"
"STATE"
"CHANGE"
" c="
" by="
" k="
" t="
" n="
" mac="
"0123456789abcdef0123456789abcdef"
"\x09"
"\x0d\x0a"
EOF

echo "== fuzzing for $secs s ($(ls "$work/corpus" | wc -l) seeds)"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
"$work/fuzz_proto" -max_total_time="$secs" -print_final_stats=1 \
    -max_len=4096 -dict="$work/dict" -artifact_prefix="$work/" \
    "$work/corpus" >"$work/log" 2>&1
rc=$?

if [ $rc -ne 0 ]; then
	sed -n '/^==[0-9]*==ERROR\|runtime error\|invariant broken/,$p' \
	    "$work/log" | head -n 60
	echo "fuzz: crash (exit $rc); log, binary and input kept in $work"
	ls "$work" | grep -E '^(crash|leak|timeout|oom)-' | sed "s|^|  $work/|"
	exit 1
fi
grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n 1
grep '^stat::' "$work/log"
echo "corpus: $(ls "$work/corpus" | wc -l) inputs"
rm -rf "$work"
exit 0
