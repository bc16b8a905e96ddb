#!/bin/sh
# tests/fuzz/run.sh [seconds] [target]: build one libFuzzer target with ASan
# and UBSan, run it for that many seconds (default 60) on a copy of its seed
# corpus, print the final figures; exit non-zero on a crash, keeping the
# work directory with the crashing input. The targets:
#   proto	(the default) the failproto(5) parsers: fuzz_proto.c, corpus/
#   hcfile	hc's Hcfile(5) parser with the checks' parsers behind it:
#		fuzz_hcfile.c, corpus-hcfile/; needs config.h (./configure),
#		GNU Pth and OpenSSL; runs in a directory holding cert.pem,
#		key.pem and other.pem (made with openssl(1), if installed)
#   dns		the dns check's answer parser: fuzz_dns.c, corpus-dns/
# FUZZ_NUL=1 hands the parsers NUL-terminated copies (hides reads past len;
# fuzz_proto.c only).
set -u
secs=${1:-60}
target=${2:-proto}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CC=${CC:-clang}
usage="usage: $0 [seconds] [proto|hcfile|dns]"

case $secs in
''|*[!0-9]*)
	echo "$usage"
	exit 2
	;;
esac
case $target in
proto)
	corpus=$here/corpus
	maxlen=4096
	opts=
	fatal='/^==[0-9]*==ERROR\|runtime error\|invariant broken/'
	;;
hcfile)
	corpus=$here/corpus-hcfile
	maxlen=8192
	opts=-timeout=30
	fatal='/^==[0-9]*== *ERROR\|runtime error\|invariant broken/'
	if [ ! -f "$top/config.h" ]; then
		echo "fuzz: $top/config.h missing: run ./configure first"
		exit 2
	fi
	;;
dns)
	corpus=$here/corpus-dns
	maxlen=2048
	opts=-timeout=30
	fatal='/^==[0-9]*== *ERROR\|runtime error\|invariant broken/'
	;;
*)
	echo "$usage"
	exit 2
	;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_$target.XXXXXX") || exit 2
extra=
[ "${FUZZ_NUL:-0}" = 1 ] && extra=-DFUZZ_NUL_TERMINATED

echo "== building $work/fuzz_$target"
case $target in
proto)
	set -- "$here/fuzz_proto.c" "$top/lib/proto.c" "$top/lib/xmalloc.c"
	;;
hcfile)
	set -- -I"$top" -I"$top/hc" "$here/fuzz_hcfile.c" "$top/hc/hcfile.c" \
	    "$top/hc/hc_check.c" "$top"/hc/check_*.c "$top/hc/dns_packet.c" \
	    "$top/hc/hc_proc.c" "$top"/lib/*.c -lpth -lssl -lcrypto -ldl
	;;
dns)
	set -- -I"$top/hc" "$here/fuzz_dns.c" "$top/hc/dns_packet.c" \
	    "$top/lib/dns_name.c"
	;;
esac
if ! $CC -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -g -O1 -Wall -Wextra $extra -I"$top/lib" -o "$work/fuzz_$target" \
    "$@"; then
	echo "fuzz: build failed"
	rm -rf "$work"
	exit 2
fi

mkdir "$work/corpus"
# Files only: corpus/ also holds scripts/fuzz.sh's corpora, in folders.
for f in "$corpus"/*; do
	[ -f "$f" ] && cp "$f" "$work/corpus/"
done
case $target in
proto)
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
	;;
hcfile)
	cat >"$work/dict" <<'EOF'
"faild"
"faild_protocol"
"community"
"keyfile"
"keyid"
"node"
"sendmail"
"interval"
"timeout"
"rise"
"fall"
"action_timeout"
" = "
": "
"\x0a\x09"
"\x0d\x0a"
"\x22"
"\\"
"#"
"check"
"service"
"agree"
"on"
"up"
"fail"
"exec"
"mail"
"failc"
"log"
"UP"
"RECOVER"
"FAIL"
"tcp"
"http"
"https"
"smtp"
"pop3"
"imap"
"ftp"
"ping"
"dns"
"udp"
"path"
"host"
"status"
"expect"
"method"
"GET"
"HEAD"
"verify"
"off"
"sni"
"ca"
"cert"
"key"
"cert.pem"
"key.pem"
"other.pem"
"send"
"helo"
"count"
"socket"
"dgram"
"raw"
"auto"
"name"
"type"
"proto"
"rcode"
"NOERROR"
"NXDOMAIN"
"any"
"A"
"AAAA"
"CNAME"
"MX"
"NS"
"PTR"
"SOA"
"TXT"
"ms"
"127.0.0.1"
"198.18.0.1"
"::1"
"[::1]:53"
":1847"
"ops@example.com"
"www.example.com."
"200-299,301"
EOF
	# Certificates for https's ca, cert and key, by relative name.
	mkdir "$work/tls"
	if command -v openssl >/dev/null 2>&1; then
		(cd "$work/tls" &&
		    openssl req -x509 -newkey ec -pkeyopt \
		    ec_paramgen_curve:P-256 -nodes -subj /CN=fuzz -days 2 \
		    -keyout key.pem -out cert.pem &&
		    openssl genpkey -algorithm EC -pkeyopt \
		    ec_paramgen_curve:P-256 -out other.pem) >/dev/null 2>&1
	fi
	;;
dns)
	cat >"$work/dict" <<'EOF'
"\x12\x34"
"\x81\x80"
"\x81\x83"
"\x83\x80"
"\x00\x01"
"\x00\x01\x00\x01"
"\xc0\x0c"
"\x00\x00\x01\x2c"
"\x03www\x07example\x03com\x00"
"\x07example\x03com\x00"
"\x00\x05"
"\x00\x06"
"\x00\x0c"
"\x00\x0f"
"\x00\x10"
"\x00\x1c"
EOF
	;;
esac

echo "== fuzzing for $secs s ($(ls "$work/corpus" | wc -l) seeds)"
(
	[ "$target" = hcfile ] && cd "$work/tls"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
	exec "$work/fuzz_$target" -max_total_time="$secs" -print_final_stats=1 \
	    -max_len=$maxlen $opts -dict="$work/dict" -artifact_prefix="$work/" \
	    "$work/corpus"
) >"$work/log" 2>&1
rc=$?

if [ $rc -ne 0 ]; then
	sed -n "$fatal,\$p" "$work/log" | head -n 60
	echo "fuzz: crash (exit $rc); log, binary and input kept in $work"
	ls "$work" | grep -E '^(crash|leak|timeout|oom)-' | sed "s|^|  $work/|"
	exit 1
fi
grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n 1
grep '^stat::' "$work/log"
echo "corpus: $(ls "$work/corpus" | wc -l) inputs"
rm -rf "$work"
exit 0
