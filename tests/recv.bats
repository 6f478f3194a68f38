#!/usr/bin/env bats
# fifomsg recv [-0 | -r] [-v] [-n COUNT] [-t SECS] [-c [-m MODE]]
#              [--max-size N] [--follow] PIPE

# (bats sets $output, $stderr_lines...; bash -c scripts are single-quoted.)
# shellcheck disable=SC2154,SC2016
load helpers

bats_require_minimum_version 1.5.0

export LC_ALL=C

# sender ARGS...: "fifomsg send ARGS" in the background (it waits there
# until its messages are taken); pid in $SENDER.
sender() {
	spawn "$T/send" fifomsg send "$@"
	SENDER=$SPAWNED
}

# --- receiving ---------------------------------------------------------------

@test "recv prints one message and a newline, and exits 0" {
	fifomsg mkpipe "$P"
	sender "$P" "hello world"
	fm recv "$P" >"$T/got" 2>"$T/err"
	printf 'hello world\n' | cmp - "$T/got"
	[ ! -s "$T/err" ]
	wait_pid "$SENDER"
}

@test "recv waits for a message that comes later" {
	fifomsg mkpipe "$P"
	spawn "$T/got" fifomsg recv "$P"
	local r=$SPAWNED
	reader_ready "$P"
	sleep 0.2
	kill -0 "$r"
	fm send "$P" late
	wait_pid "$r"
	[ "$(cat "$T/got")" = late ]
}

@test "recv leaves the later messages in the pipe for the next recv" {
	fifomsg mkpipe "$P"
	sender "$P" a b c
	run --separate-stderr fm recv -t 5 "$P"
	is_status 0
	[ "$output" = a ]
	run --separate-stderr fm recv -t 5 "$P"
	is_status 0
	[ "$output" = b ]
	run --separate-stderr fm recv -t 5 "$P"
	is_status 0
	[ "$output" = c ]
	wait_pid "$SENDER"	# all taken: send is done
}

@test "recv never reads past its message: 12 recvs share 12 queued messages" {
	fifomsg mkpipe "$P"
	local i k msgs=()
	for i in $(seq 1 12); do msgs+=("message $i"); done
	sender "$P" "${msgs[@]}"	# one write: all queued at once
	for k in $(seq 1 12); do
		run --separate-stderr fm recv -t 5 "$P"
		is_status 0
		[ "$output" = "message $k" ]
	done
	wait_pid "$SENDER"
}

@test "recv -n 2 prints two messages and leaves the third" {
	fifomsg mkpipe "$P"
	sender "$P" a b c
	run --separate-stderr fm recv -n 2 -t 5 "$P"
	is_status 0
	[ "$output" = "$(printf 'a\nb')" ]
	run --separate-stderr fm recv --count 1 -t 5 "$P"
	is_status 0
	[ "$output" = c ]
	wait_pid "$SENDER"
}

@test "recv prints an empty message as an empty line" {
	fifomsg mkpipe "$P"
	sender "$P" "" x
	fm recv -n 2 -t 5 "$P" >"$T/got"
	printf '\nx\n' | cmp - "$T/got"
}

@test "recv -0 ends each message with NUL instead of newline" {
	fifomsg mkpipe "$P"
	sender "$P" $'a\nb' "" c
	fm recv -0 -n 3 -t 5 "$P" >"$T/got"
	printf 'a\nb\0\0c\0' | cmp - "$T/got"
}

@test "recv --null prints binary payloads of all 256 byte values unchanged" {
	fifomsg mkpipe "$P"
	all_bytes >"$T/payload"
	spawn "$T/send" bash -c 'exec fifomsg send -w "$1" <"$2"' _ "$P" "$T/payload"
	fm recv --null -t 5 "$P" >"$T/got"
	{ cat "$T/payload"; printf '\0'; } | cmp - "$T/got"
}

@test "recv -r prints the frames themselves" {
	fifomsg mkpipe "$P"
	sender "$P" "" hello "a b"
	fm recv -r -n 3 -t 5 "$P" >"$T/got"
	frames "" hello "a b" | cmp - "$T/got"
}

@test "recv --raw prints a binary frame of all 256 byte values unchanged" {
	fifomsg mkpipe "$P"
	all_bytes >"$T/payload"
	spawn "$T/send" bash -c 'exec fifomsg send -w "$1" <"$2"' _ "$P" "$T/payload"
	fm recv --raw -t 5 "$P" >"$T/got"
	frame_file "$T/payload" | cmp - "$T/got"
}

@test "recv receives a 1 MiB message whole" {
	fifomsg mkpipe "$P"
	head -c 1048576 /dev/urandom >"$T/payload"
	spawn "$T/send" bash -c 'exec fifomsg send -w "$1" <"$2"' _ "$P" "$T/payload"
	fm recv -t 5 "$P" >"$T/got"
	{ cat "$T/payload"; printf '\n'; } | cmp - "$T/got"
	wait_pid "$SPAWNED"
}

# --- -t ------------------------------------------------------------------------

@test "recv -t 0.6 with no message exits 3 after 0.6 s: timed out after 0 of 1" {
	fifomsg mkpipe "$P"
	timed recv -t 0.6 "$P"
	is_status 3
	[ ! -s "$T/out" ]
	[[ $(cat "$T/err") == "fifomsg: recv: "*"timed out after 0 of 1 messages"* ]]
	[ "$ELAPSED" -ge 600 ]
	[ "$ELAPSED" -lt 5000 ]
}

@test "recv -n 3 -t prints the one message that came, then exits 3 (1 of 3)" {
	fifomsg mkpipe "$P"
	sender "$P" only
	run --separate-stderr fm recv -n 3 --timeout 0.3 "$P"
	is_status 3
	[ "$output" = only ]
	[[ $stderr == "fifomsg: recv: "*"timed out after 1 of 3 messages"* ]]
}

@test "recv -t: a writer that leaves mid-frame is a malformed stream (exit 4)" {
	fifomsg mkpipe "$P"
	spawn "$T/got" fifomsg recv -t 0.5 "$P"
	local r=$SPAWNED
	reader_ready "$P"
	{ le32 10; printf abc; } >"$P"
	status=0
	wait "$r" || status=$?
	is_status 4
	[[ $(cat "$T/got.err") == "fifomsg: recv: "*malformed* ]]
}

@test "recv prints no part of a frame that was cut short" {
	fifomsg mkpipe "$P"
	spawn "$T/got" fifomsg recv -n 2 -t 0.5 "$P"
	local r=$SPAWNED
	reader_ready "$P"
	{ frames whole; le32 10; printf abc; } >"$P"
	status=0
	wait "$r" || status=$?
	is_status 4
	printf 'whole\n' | cmp - "$T/got"
}

# --- -c [-m] ---------------------------------------------------------------

@test "recv -c creates the pipe with mode 0600 and removes it at exit" {
	umask 000
	spawn "$T/got" fifomsg recv -c -t 10 "$P"
	local r=$SPAWNED
	until_true 5 test -p "$P"
	[ "$(stat -c %a "$P")" = 600 ]
	fm send "$P" created
	wait_pid "$r"
	[ "$(cat "$T/got")" = created ]
	[ ! -e "$P" ]
	[ ! -L "$P" ]
}

@test "recv --create removes the pipe it created after a timeout too" {
	run --separate-stderr fm recv --create -t 0.2 "$P"
	is_status 3
	[ ! -e "$P" ]
}

@test "recv -c -m 640 creates the pipe with exactly mode 0640" {
	umask 077
	spawn "$T/got" fifomsg recv -c -m 640 -t 10 "$P"
	local r=$SPAWNED
	until_true 5 test -p "$P"
	[ "$(stat -c %a "$P")" = 640 ]
	fm send "$P" x
	wait_pid "$r"
	[ ! -e "$P" ]
}

@test "recv -c keeps a FIFO that already existed" {
	fifomsg mkpipe "$P"
	run --separate-stderr fm recv -c -t 0.2 "$P"
	is_status 3
	[ -p "$P" ]
	[ "$(stat -c %a "$P")" = 600 ]
}

@test "recv -c refuses an existing FIFO writable by others (exit 1), unless -m allows it" {
	fifomsg mkpipe -m 622 "$P"
	run --separate-stderr fm recv -c -t 0.2 "$P"
	is_status 1
	[[ $stderr == "fifomsg: recv: $P: "*refus* ]]
	[ -p "$P" ]
	run --separate-stderr fm recv -c -m 622 -t 0.2 "$P"
	is_status 3
	[ -p "$P" ]
}

@test "recv -c on an existing regular file exits 1 and leaves it untouched" {
	make_victim "$T/file"
	run --separate-stderr fm recv -c -t 0.2 "$T/file"
	is_status 1
	[[ $stderr == "fifomsg: recv: $T/file: not a FIFO (it is a regular file)"* ]]
	victim_untouched "$T/file"
}

@test "recv -m without -c is a usage error (exit 2)" {
	fifomsg mkpipe "$P"
	run --separate-stderr fm recv -m 600 -t 0.2 "$P"
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: recv: "*-m*-c* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg recv "* ]]
}

@test "recv -c -m rejects a bad mode (exit 2) and creates nothing" {
	run --separate-stderr fm recv -c -m 888 -t 0.2 "$P"
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: recv: "*mode* ]]
	[ ! -e "$P" ]
}

# --- --max-size, -v, --follow ---------------------------------------------

@test "recv --max-size: a frame announcing more is a malformed stream (exit 4)" {
	fifomsg mkpipe "$P"
	spawn "$T/send" fifomsg send -t 2 "$P" toolong
	run --separate-stderr fm recv --max-size 4 -t 5 "$P"
	is_status 4
	[ -z "$output" ]
	[[ $stderr == "fifomsg: recv: "*"malformed stream"*7*"--max-size 4"* ]]
}

@test "recv --max-size 1K accepts 1024 bytes and rejects 1025 (exit 4)" {
	fifomsg mkpipe "$P"
	head -c 1024 /dev/zero | tr '\0' k >"$T/k"
	sender "$P" "$(cat "$T/k")"
	fm recv --max-size 1K -t 5 "$P" >"$T/got"
	{ cat "$T/k"; echo; } | cmp - "$T/got"
	wait_pid "$SENDER"
	sender -t 2 "$P" "$(cat "$T/k")x"
	run --separate-stderr fm recv --max-size 1k -t 5 "$P"
	is_status 4
	[[ $stderr == "fifomsg: recv: "*1025*"--max-size 1024"* ]]
}

@test "recv --max-size rejects malformed or out-of-range sizes (exit 2)" {
	fifomsg mkpipe "$P"
	local v
	for v in 4G 1T -1 abc 5KB ''; do
		run --separate-stderr fm recv --max-size "$v" -t 0.1 "$P"
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: recv: "*size* ]]
		[[ ${stderr_lines[1]} == "usage: fifomsg recv "* ]]
	done
}

@test "recv -v prints a summary on stderr" {
	fifomsg mkpipe "$P"
	sender "$P" a b
	run --separate-stderr fm recv -v -n 2 -t 5 "$P"
	is_status 0
	[ "$output" = "$(printf 'a\nb')" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "fifomsg: recv: 2 messages"* ]]
}

@test "recv refuses a symlink without --follow (exit 1) and reads through it with" {
	fifomsg mkpipe "$P"
	ln -s "$P" "$T/link"
	run --separate-stderr fm recv -t 0.2 "$T/link"
	is_status 1
	[[ $stderr == "fifomsg: recv: $T/link: "*"symbolic link"* ]]
	sender "$P" followed
	run --separate-stderr fm recv --follow -t 5 "$T/link"
	is_status 0
	[ "$output" = followed ]
}

@test "recv -t fails with 'another reader is using it' (exit 3) while a reader holds the pipe" {
	fifomsg mkpipe "$P"
	spawn "$T/l" fifomsg listen "$P"
	reader_ready "$P"
	run --separate-stderr fm recv -t 0.3 "$P"
	is_status 3
	[[ $stderr == "fifomsg: recv: $P: "*"another reader"* ]]
}

# --- errors ------------------------------------------------------------------

@test "recv on a missing pipe exits 1 naming it, and creates nothing" {
	run --separate-stderr fm recv -t 0.2 "$P"
	is_status 1
	[ -z "$output" ]
	[[ $stderr == "fifomsg: recv: $P: "*"No such file or directory"* ]]
	[ ! -e "$P" ]
}

@test "recv on a regular file exits 1 and leaves it untouched" {
	make_victim "$T/file"
	run --separate-stderr fm recv -t 0.2 "$T/file"
	is_status 1
	[ -z "$output" ]
	[[ $stderr == "fifomsg: recv: $T/file: not a FIFO (it is a regular file)"* ]]
	victim_untouched "$T/file"
}

@test "recv on a directory exits 1 (it is a directory)" {
	mkdir "$T/dir"
	run --separate-stderr fm recv -t 0.2 "$T/dir"
	is_status 1
	[[ $stderr == "fifomsg: recv: $T/dir: "*"not a FIFO (it is a directory)"* ]]
}

@test "recv with the same PIPE twice is a usage error (exit 2)" {
	fifomsg mkpipe "$P" "$T/q"
	run --separate-stderr fm recv -t 0.2 "$P" "$T/q" "$P"
	is_status 2
	[ "${stderr_lines[0]}" = "fifomsg: recv: $P is given twice" ]
	[[ ${stderr_lines[1]} == "usage: fifomsg recv "* ]]
}

@test "recv without PIPE is a usage error (exit 2)" {
	run --separate-stderr fm recv
	is_status 2
	[ -z "$output" ]
	[[ ${stderr_lines[0]} == "fifomsg: recv: "*PIPE* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg recv "* ]]
}

@test "recv -n rejects counts that are not whole numbers (exit 2)" {
	fifomsg mkpipe "$P"
	local v
	for v in x -1 1.5 '' 2x ' 3'; do
		run --separate-stderr fm recv -n "$v" -t 0.1 "$P"
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: recv: "*count* ]]
		[[ ${stderr_lines[1]} == "usage: fifomsg recv "* ]]
	done
}

@test "recv -t rejects values that are not seconds (exit 2)" {
	fifomsg mkpipe "$P"
	local v
	for v in x -1 -0.5 1.5s '' 1e3; do
		run --separate-stderr fm recv -t "$v" "$P"
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: recv: "*timeout* ]]
		[[ ${stderr_lines[1]} == "usage: fifomsg recv "* ]]
	done
}

@test "recv -0 with -r is a usage error (exit 2)" {
	fifomsg mkpipe "$P"
	run --separate-stderr fm recv -0 -r -t 0.1 "$P"
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: recv: "*-0*-r* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg recv "* ]]
	run --separate-stderr fm recv --raw --null -t 0.1 "$P"
	is_status 2
}

@test "recv with an unknown option is a usage error (exit 2)" {
	fifomsg mkpipe "$P"
	local o
	for o in -x --bogus -e; do
		run --separate-stderr fm recv "$o" -t 0.1 "$P"
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: recv: "*option*"$o"* ]]
		[[ ${stderr_lines[1]} == "usage: fifomsg recv "* ]]
	done
}
