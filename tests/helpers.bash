# Shared by every test file: a private temp dir with the binary and its
# links on PATH, a timeout on everything that may wait on a pipe, and
# cleanup of every background process and file.  Test files define only
# what is particular to their subcommand.
# shellcheck shell=bash

# fifomsg_under, cpu_ticks, hwm_kib, wchar, sample_hwm, has_lock.
# shellcheck source-path=SCRIPTDIR source=stress/procs.sh
. "$BATS_TEST_DIRNAME/stress/procs.sh"

FIFOMSG=${FIFOMSG:-$BATS_TEST_DIRNAME/../fifomsg}
# Seconds any single command may take before the test fails instead of
# hanging the suite.
FM_TIMEOUT=${FM_TIMEOUT:-20}

# The python3 interpreter itself, found once per file: a version
# manager's wrapper can cost more than a test, and a slow generator would
# look like a stalled pipe.
setup_file() {
	PYTHON=$(python3 -c 'import sys; print(sys.executable)') || PYTHON=python3
	export PYTHON
}

# setup: what every test starts from.  A file that needs more defines
# its own setup() calling fm_setup first.
setup() {
	fm_setup
}

fm_setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/fifomsg-test.XXXXXX")
	BIN=$T/bin
	mkdir "$BIN"
	ln -s "$(cd "$(dirname "$FIFOMSG")" && pwd)/$(basename "$FIFOMSG")" \
		"$BIN/fifomsg"
	for l in $("$BIN/fifomsg" --list); do
		ln -s fifomsg "$BIN/$l"
	done
	PATH=$BIN:$PATH
	# shellcheck disable=SC2034 # used by the test files
	P=$T/pipe
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}

# fm ARGS...: fifomsg under a timeout.  Exit 124 means it hung.
fm() {
	timeout -k 2 "$FM_TIMEOUT" fifomsg "$@"
}

# tm CMD...: any command under the same timeout.
tm() {
	timeout -k 2 "$FM_TIMEOUT" "$@"
}

# spawn OUT CMD...: run CMD in the background under a timeout, stdout to
# OUT, stderr to OUT.err; its pid is appended to PIDS and left in SPAWNED.
# fd 3 is closed so bats does not wait for it.
spawn() {
	local out=$1
	shift
	timeout -k 2 "$FM_TIMEOUT" "$@" >"$out" 2>"$out.err" 3>&- &
	SPAWNED=$!
	PIDS+=("$SPAWNED")
}

# wait_pid PID: its exit status (the background job's).
wait_pid() {
	local rc=0
	wait "$1" || rc=$?
	return "$rc"
}

# ended PID: the exit status of the background job PID, in $status (for
# is_status).
ended() {
	status=0
	wait "$1" || status=$?
}

# not_running PID: the process PID has ended.
not_running() {
	! kill -0 "$1" 2>/dev/null
}

# lines_in FILE N: FILE has at least N lines.
lines_in() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

# until_true SECS CMD...: poll CMD every 20 ms until it succeeds or SECS
# pass; fails in the latter case.
until_true() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# A reader has the pipe open (it holds the reader lock once running).
reader_ready() {
	until_true 10 has_lock "$1"
}

# --- shared by the test files ---------------------------------------

# is_status N: bats' $status is N, or say what happened instead.
# shellcheck disable=SC2154 # $status, $output: set by bats' run
is_status() {
	[ "$status" -eq "$1" ] && return 0
	printf 'status %s, expected %s\nstdout: %s\nstderr: %s\n' \
		"$status" "$1" "$output" "${stderr-}"
	return 1
}

# le32 N: N as 4 bytes, little-endian.
le32() {
	printf '%b' "$(printf '\\0%03o' $(($1 & 255)) $(($1 >> 8 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}

# frames MSG...: the frames of these messages.
frames() {
	local m
	for m; do
		le32 "${#m}"
		printf '%s' "$m"
	done
}

# frame_file FILE: the frame whose payload is FILE's content.
frame_file() {
	le32 "$(stat -c %s "$1")"
	cat "$1"
}

# all_bytes: the 256 byte values, 0 to 255.
all_bytes() {
	printf '%b' "$(printf '\\0%03o' {0..255})"
}

# timed ARGS...: "fifomsg ARGS" (under the timeout) with stdout in $T/out,
# stderr in $T/err, its exit status in $status and its run time in
# milliseconds in $ELAPSED.
timed() {
	local t0=${EPOCHREALTIME/./}
	status=0
	fm "$@" >"$T/out" 2>"$T/err" || status=$?
	# shellcheck disable=SC2034 # read by the test files
	ELAPSED=$(((${EPOCHREALTIME/./} - t0) / 1000))
}

# A regular file with known content and an old mtime, to prove that
# nothing writes into it.
make_victim() {
	printf 'precious\n' >"$1"
	touch -d '2001-02-03 04:05:06' "$1"
}

victim_untouched() {
	[ -f "$1" ] && [ "$(cat "$1")" = precious ] &&
		[ "$(stat -c %Y "$1")" = "$(date -d '2001-02-03 04:05:06' +%s)" ]
}

# Conditions for until_true.  A "$(...)" written in until_true's
# arguments is expanded once, before the first try, so waits that must
# look again each time call one of these.

# size_is FILE N: FILE holds N bytes.
size_is() {
	[ "$(stat -c %s "$1")" -eq "$2" ]
}

# has_fifomsg PID: a fifomsg process runs under PID.
has_fifomsg() {
	[ -n "$(fifomsg_under "$1")" ]
}

# --- processes under test, through /proc (stop.bats, multi.bats) ---

# kid PID: set KID to the process that the timeout wrapper PID runs.
kid() {
	KID=
	until_true 10 _kid "$1"
}

_kid() {
	read -r KID _ <"/proc/$1/task/$1/children" 2>/dev/null
	[ -n "$KID" ]
}

# handled PID: PID has no signal pending (the last one sent has reached
# its handler), so that the next one is not merged into it.
handled() {
	[ -e "/proc/$1/status" ] || return 1
	awk '/^(ShdPnd|SigPnd):/ && $2 !~ /^0+$/ { bad = 1 } END { exit bad }' \
		"/proc/$1/status"
}

# rchar PID: bytes PID has read so far (0 once it is gone).
rchar() {
	awk '/^rchar:/ { print $2 }' "/proc/$1/io" 2>/dev/null || echo 0
}
