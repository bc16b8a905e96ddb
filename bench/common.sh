# bench/common.sh: what the benchmark scripts share, sourced by them:
# messages naming the script, the clock, and polling with a deadline.

BENCH=$(basename "$0")
die() { echo "$BENCH: $*" >&2; exit 1; }
note() { echo "$*" >&2; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# wait_for SECONDS CMD...: run CMD until it succeeds, at most SECONDS.
wait_for() {
	local end=$(($(now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(now_ms)" -lt $end ] || return 1
		sleep 0.02
	done
}
