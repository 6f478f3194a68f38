#!/usr/bin/env bats
# fifomsg listen [-0 | -r] [-ev] [-n COUNT] [-t SECS] [-c [-m MODE]]
#                [--max-size N] [--follow] PIPE

# (bats sets $output, $stderr_lines...; bash -c scripts are single-quoted;
# each test is a function, not a subshell.)
# shellcheck disable=SC2154,SC2016,SC2030,SC2031
load helpers

bats_require_minimum_version 1.5.0

export LC_ALL=C

# listener ARGS...: "fifomsg listen ARGS $P" in the background, output in
# $T/got (stderr $T/got.err), pid in $L; returns once it holds the pipe.
listener() {
	spawn "$T/got" fifomsg listen "$@" "$P"
	L=$SPAWNED
	reader_ready "$P"
}

# no_child PID NAME: PID (if any) has no child process named NAME.
no_child() {
	[ -z "$1" ] || ! pgrep -P "$1" -x "$2" >/dev/null
}

# head_gone PID: no head runs under the pipeline shell under PID (looked
# up afresh each time).
head_gone() {
	no_child "$(pgrep -P "$1")" head
}

# --- listening and stopping ------------------------------------------------

@test "listen prints the messages of several successive writers, one a line" {
	fifomsg mkpipe "$P"
	listener
	fm send "$P" "writer 1"
	fm send "$P" "writer 2" "writer 2 again"
	printf 'writer 3\n' | fm send "$P"
	until_true 10 lines_in "$T/got" 4
	kill -0 "$L"	# still listening
	fm send "$P" "writer 4"
	until_true 10 lines_in "$T/got" 5
	printf 'writer 1\nwriter 2\nwriter 2 again\nwriter 3\nwriter 4\n' |
		cmp - "$T/got"
	[ ! -s "$T/got.err" ]
}

@test "listen stops on SIGTERM: exit 143, everything received printed" {
	fifomsg mkpipe "$P"
	listener
	fm send "$P" before
	until_true 10 lines_in "$T/got" 1
	kill -TERM "$L"
	ended "$L"
	is_status 143
	[ "$(cat "$T/got")" = before ]
	[ ! -s "$T/got.err" ]
}

@test "listen stops on SIGINT: exit 130" {
	fifomsg mkpipe "$P"
	listener
	fm send "$P" before
	until_true 10 lines_in "$T/got" 1
	kill -INT "$L"
	ended "$L"
	is_status 130
	[ "$(cat "$T/got")" = before ]
}

@test "listen stops on SIGHUP: exit 129" {
	fifomsg mkpipe "$P"
	listener
	kill -HUP "$L"
	ended "$L"
	is_status 129
	[ ! -s "$T/got" ]
}

@test "listen sleeps between writers instead of spinning" {
	fifomsg mkpipe "$P"
	listener
	fm send "$P" one
	until_true 10 lines_in "$T/got" 1
	local pid before
	pid=$(pgrep -P "$L" -x fifomsg)
	before=$(cpu_ticks "$pid")
	sleep 1
	# A poll loop spinning on the departed writer burns most of a CPU.
	[ $(($(cpu_ticks "$pid") - before)) -le 5 ]
	kill -0 "$L"
}

# --- -n, -t, -e -----------------------------------------------------------

@test "listen -n 3 exits 0 after three messages" {
	fifomsg mkpipe "$P"
	listener -n 3
	fm send --no-wait "$P" 1 2 3 4 5
	ended "$L"
	is_status 0
	[ "$(cat "$T/got")" = "$(printf '1\n2\n3')" ]
}

@test "listen -t 0.6 with no message exits 0 after 0.6 s" {
	fifomsg mkpipe "$P"
	timed listen -t 0.6 "$P"
	is_status 0
	[ ! -s "$T/out" ]
	[ ! -s "$T/err" ]
	[ "$ELAPSED" -ge 600 ]
	[ "$ELAPSED" -lt 5000 ]
}

@test "listen --timeout exits 0 once messages stop coming, having printed them" {
	fifomsg mkpipe "$P"
	listener --timeout 1.5
	fm send "$P" a
	fm send "$P" b
	ended "$L"
	is_status 0
	[ "$(cat "$T/got")" = "$(printf 'a\nb')" ]
}

@test "listen -t with -n not reached exits 3: timed out after 1 of 5" {
	fifomsg mkpipe "$P"
	listener -n 5 -t 1
	fm send "$P" only
	ended "$L"
	is_status 3
	[ "$(cat "$T/got")" = only ]
	[[ $(cat "$T/got.err") == "fifomsg: listen: "*"timed out after 1 of 5 messages"* ]]
}

@test "listen -e waits for a first writer, then exits 0 when it leaves" {
	fifomsg mkpipe "$P"
	listener -e
	sleep 0.3
	kill -0 "$L"	# no writer yet: still waiting
	fm send "$P" a b
	ended "$L"
	is_status 0
	[ "$(cat "$T/got")" = "$(printf 'a\nb')" ]
}

@test "listen --eof keeps listening while another writer still has the pipe open" {
	fifomsg mkpipe "$P"
	listener --eof
	exec 5>"$P"
	fm send "$P" a
	fm send "$P" b
	until_true 10 lines_in "$T/got" 2
	sleep 0.2
	kill -0 "$L"	# fd 5 is still a writer
	exec 5>&-
	ended "$L"
	is_status 0
	[ "$(cat "$T/got")" = "$(printf 'a\nb')" ]
}

@test "listen -e prints what is still queued when the last writer leaves" {
	fifomsg mkpipe "$P"
	listener -e
	fm send --no-wait "$P" q1 q2 q3
	ended "$L"
	is_status 0
	[ "$(cat "$T/got")" = "$(printf 'q1\nq2\nq3')" ]
}

@test "listen -e: a writer that leaves mid-frame is a malformed stream (exit 4)" {
	fifomsg mkpipe "$P"
	listener -e
	{ le32 100; printf 'part'; } >"$P"
	ended "$L"
	is_status 4
	[[ $(cat "$T/got.err") == "fifomsg: listen: "*malformed* ]]
}

@test "listen prints the whole messages but no part of a frame cut short" {
	fifomsg mkpipe "$P"
	listener -e
	{ frames whole; le32 100; printf 'part'; } >"$P"
	ended "$L"
	is_status 4
	printf 'whole\n' | cmp - "$T/got"
}

# cut_reads FORMAT [OPTION]: a writer cuts frames at every offset (reads
# end exactly there, whole frames follow); listen -e OPTION prints what
# cutwriter.py says it must, byte for byte.
cut_reads() {
	[ "$(uname -s)" = Linux ] ||
		skip "the writer needs FIONREAD on a pipe's write end (Linux)"
	fifomsg mkpipe "$P"
	listener -e "${@:2}"
	tm "$PYTHON" "$BATS_TEST_DIRNAME/cutwriter.py" "$P" "$T/want" "$1"
	ended "$L"
	is_status 0
	cmp "$T/want" "$T/got"
}

@test "listen prints frames that reads cut at every offset exactly" {
	cut_reads lines
}

@test "listen -0 prints frames that reads cut at every offset exactly" {
	cut_reads null -0
}

@test "listen -r prints frames that reads cut at every offset exactly" {
	cut_reads raw -r
}

# --- output formats, forwarding ------------------------------------------------

@test "listen -0 ends each message with NUL" {
	fifomsg mkpipe "$P"
	listener -0 -n 3
	fm send "$P" $'multi\nline' "" end
	ended "$L"
	is_status 0
	printf 'multi\nline\0\0end\0' | cmp - "$T/got"
}

@test "listen --raw prints the frames themselves, binary payloads unchanged" {
	fifomsg mkpipe "$P"
	all_bytes >"$T/bytes"
	listener --raw -n 3
	fm send -w "$P" <"$T/bytes"
	fm send "$P" "" x
	ended "$L"
	is_status 0
	{ frame_file "$T/bytes"; frames "" x; } | cmp - "$T/got"
}

@test "listen --null prints every byte value but NUL unchanged" {
	fifomsg mkpipe "$P"
	all_bytes | tail -c 255 >"$T/bytes"
	listener --null -n 1
	fm send -w "$P" <"$T/bytes"
	ended "$L"
	is_status 0
	{ cat "$T/bytes"; printf '\0'; } | cmp - "$T/got"
}

@test "listen prints a 1 MiB message whole" {
	fifomsg mkpipe "$P"
	head -c 1048576 /dev/urandom >"$T/big"
	listener -n 1
	fm send -w "$P" <"$T/big"
	ended "$L"
	is_status 0
	{ cat "$T/big"; echo; } | cmp - "$T/got"
}

@test "listen -r a | send -r b forwards every message intact" {
	fifomsg mkpipe "$T/a" "$T/b"
	all_bytes >"$T/bytes"
	head -c 102400 /dev/urandom >"$T/large"
	{ frames "" "hello world"; frame_file "$T/bytes"; frame_file "$T/large"; frames z; } >"$T/frames"
	spawn "$T/fwd" bash -c 'set -o pipefail
		fifomsg listen -r -n 5 "$1" | fifomsg send -r "$2"' _ "$T/a" "$T/b"
	local fwd=$SPAWNED
	spawn "$T/got" fifomsg recv -r -n 5 "$T/b"
	local r=$SPAWNED
	fm send -r "$T/a" <"$T/frames"
	wait_pid "$r"
	wait_pid "$fwd"
	cmp "$T/frames" "$T/got"
}

# --- -c [-m] ------------------------------------------------------------------------

@test "listen -c creates the pipe (0600) and removes it when stopped by SIGTERM" {
	umask 000
	spawn "$T/got" fifomsg listen -c "$P"
	L=$SPAWNED
	until_true 5 test -p "$P"
	[ "$(stat -c %a "$P")" = 600 ]
	reader_ready "$P"
	fm send "$P" hi
	until_true 10 lines_in "$T/got" 1
	kill -TERM "$L"
	ended "$L"
	is_status 143
	[ "$(cat "$T/got")" = hi ]
	[ ! -e "$P" ]
}

@test "listen --create --mode 640 creates the pipe with exactly that mode" {
	umask 077
	spawn "$T/got" fifomsg listen --create --mode 640 -n 1 "$P"
	L=$SPAWNED
	until_true 5 test -p "$P"
	[ "$(stat -c %a "$P")" = 640 ]
	fm send "$P" x
	ended "$L"
	is_status 0
	[ ! -e "$P" ]
}

@test "listen -c removes the pipe when it exits on -t" {
	run --separate-stderr fm listen -c -t 0.2 "$P"
	is_status 0
	[ ! -e "$P" ]
}

@test "listen -c keeps a FIFO that already existed" {
	fifomsg mkpipe "$P"
	run --separate-stderr fm listen -c -t 0.2 "$P"
	is_status 0
	[ -p "$P" ]
}

@test "listen -m without -c is a usage error (exit 2)" {
	fifomsg mkpipe "$P"
	run --separate-stderr fm listen -m 600 -t 0.2 "$P"
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: listen: "*-m*-c* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg listen "* ]]
}

# --- --max-size, -v, --follow, stdout errors ----------------------------------------

@test "listen --max-size: a frame announcing more is a malformed stream (exit 4)" {
	fifomsg mkpipe "$P"
	listener --max-size 1K
	fm send "$P" small
	spawn "$T/send" fifomsg send -t 2 "$P" "$(head -c 1025 /dev/zero | tr '\0' x)"
	ended "$L"
	is_status 4
	[ "$(cat "$T/got")" = small ]
	[[ $(cat "$T/got.err") == "fifomsg: listen: "*"malformed stream"*1025*"--max-size 1024"* ]]
}

@test "listen -v prints a summary on stderr" {
	fifomsg mkpipe "$P"
	listener -v -n 3
	fm send "$P" a b c
	ended "$L"
	is_status 0
	[ "$(cat "$T/got")" = "$(printf 'a\nb\nc')" ]
	[ "$(wc -l <"$T/got.err")" -eq 1 ]
	[[ $(cat "$T/got.err") == "fifomsg: listen: 3 messages"* ]]
}

@test "listen refuses a symlink without --follow (exit 1) and reads through it with" {
	fifomsg mkpipe "$P"
	ln -s "$P" "$T/link"
	run --separate-stderr fm listen -t 0.2 "$T/link"
	is_status 1
	[[ $stderr == "fifomsg: listen: $T/link: "*"symbolic link"* ]]
	spawn "$T/got" fifomsg listen --follow -n 1 "$T/link"
	L=$SPAWNED
	reader_ready "$P"
	fm send "$P" followed
	ended "$L"
	is_status 0
	[ "$(cat "$T/got")" = followed ]
}

@test "listen | head -n 1: silent exit 141 once head is gone" {
	fifomsg mkpipe "$P"
	spawn "$T/head" bash -c 'fifomsg listen "$1" 2>"$2" | head -n 1
		exit "${PIPESTATUS[0]}"' _ "$P" "$T/listen.err"
	L=$SPAWNED
	reader_ready "$P"
	fm send "$P" first
	until_true 10 grep -qx first "$T/head"
	until_true 10 head_gone "$L"
	# listen may see at once that its reader left; at the latest it
	# finds out on the next message.
	if kill -0 "$L" 2>/dev/null; then
		fm send -t 2 "$P" second || true
	fi
	until_true 5 not_running "$L"
	ended "$L"
	is_status 141
	[ "$(cat "$T/head")" = first ]
	[ ! -s "$T/listen.err" ]
}

@test "listen > /dev/full exits 1 with a write error at the first message" {
	fifomsg mkpipe "$P"
	spawn "$T/out" bash -c 'exec fifomsg listen "$1" >/dev/full' _ "$P"
	L=$SPAWNED
	reader_ready "$P"
	fm send "$P" x
	until_true 5 not_running "$L"
	ended "$L"
	is_status 1
	[[ $(cat "$T/out.err") == "fifomsg: listen: "*"write error"*"No space left on device"* ]]
}

# --- errors -------------------------------------------------------------------

@test "listen on a missing pipe exits 1 naming it, and creates nothing" {
	run --separate-stderr fm listen -t 0.2 "$P"
	is_status 1
	[ -z "$output" ]
	[[ $stderr == "fifomsg: listen: $P: "*"No such file or directory"* ]]
	[ ! -e "$P" ]
}

@test "listen on a regular file exits 1 and leaves it untouched" {
	make_victim "$T/file"
	run --separate-stderr fm listen -t 0.2 "$T/file"
	is_status 1
	[ -z "$output" ]
	[[ $stderr == "fifomsg: listen: $T/file: not a FIFO (it is a regular file)"* ]]
	victim_untouched "$T/file"
}

@test "listen on a directory exits 1 (it is a directory)" {
	mkdir "$T/dir"
	run --separate-stderr fm listen -t 0.2 "$T/dir"
	is_status 1
	[[ $stderr == "fifomsg: listen: $T/dir: "*"not a FIFO (it is a directory)"* ]]
}

@test "listen with the same PIPE twice is a usage error (exit 2)" {
	fifomsg mkpipe "$P" "$T/q"
	run --separate-stderr fm listen -t 0.2 "$P" "$T/q" "$P"
	is_status 2
	[ "${stderr_lines[0]}" = "fifomsg: listen: $P is given twice" ]
	[[ ${stderr_lines[1]} == "usage: fifomsg listen "* ]]
}

@test "listen without PIPE is a usage error (exit 2)" {
	run --separate-stderr fm listen
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: listen: "*PIPE* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg listen "* ]]
}

@test "listen -n and -t reject bad values (exit 2)" {
	fifomsg mkpipe "$P"
	local v
	for v in x -1 1.5 ''; do
		run --separate-stderr fm listen -n "$v" -t 0.1 "$P"
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: listen: "*count* ]]
		[[ ${stderr_lines[1]} == "usage: fifomsg listen "* ]]
	done
	for v in x -1 2s ''; do
		run --separate-stderr fm listen -t "$v" "$P"
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: listen: "*timeout* ]]
	done
}

@test "listen -0 with -r, or an unknown option, is a usage error (exit 2)" {
	fifomsg mkpipe "$P"
	run --separate-stderr fm listen -0 -r -t 0.1 "$P"
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: listen: "*-0*-r* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg listen "* ]]
	run --separate-stderr fm listen --bogus -t 0.1 "$P"
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: listen: "*option*--bogus* ]]
}
