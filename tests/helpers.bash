# Shared by every test file: a private temp dir with the binary and its
# links on PATH, a timeout on everything that may wait on a pipe, and
# cleanup of every background process and file.
# shellcheck shell=bash

FIFOMSG=${FIFOMSG:-$BATS_TEST_DIRNAME/../fifomsg}
# Seconds any single command may take before the test fails instead of
# hanging the suite.
FM_TIMEOUT=${FM_TIMEOUT:-20}

setup() {
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

# has_lock PIPE: some process holds a flock on PIPE (a reader is in place).
has_lock() {
	local ino
	ino=$(stat -c %i "$1") || return 1
	grep -q "FLOCK.*:$ino " /proc/locks
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
