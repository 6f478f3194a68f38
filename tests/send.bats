#!/usr/bin/env bats
# fifomsg send [-0 | -r | -w] [-v] [-t SECS] [--max-size N] [--no-wait]
#              [--follow] PIPE [MESSAGE...]
# What send puts into the pipe is checked byte for byte with "recv -r",
# which prints the frames themselves.

# (bats sets $output, $stderr_lines...; bash -c scripts are single-quoted.)
# shellcheck disable=SC2154,SC2016
load helpers

bats_require_minimum_version 1.5.0

export LC_ALL=C

# big_line FILE BYTES: FILE holds BYTES bytes of printable text, no newline.
big_line() {
	head -c "$2" /dev/zero | tr '\0' 'q' >"$1"
}

# reader N [OPTS...]: "recv -r -n N" in the background, frames to $T/got.
reader() {
	local n=$1
	shift
	spawn "$T/got" fifomsg recv -r -n "$n" -t 10 "$@" "$P"
	READER=$SPAWNED
}

# got_is FILE: the reader exited 0 and printed exactly FILE's bytes.
got_is() {
	wait_pid "$READER"
	cmp "$T/got" "$1"
}

# piped FILE ARGS...: "fifomsg ARGS" with FILE's content on a pipe as
# standard input (not a regular file: send reads those differently).
piped() {
	local f=$1
	shift
	# shellcheck disable=SC2002
	cat "$f" | fm "$@"
}

# listener: "listen -r" in the background, frames to $T/got, once ready.
listener() {
	spawn "$T/got" fifomsg listen -r "$P"
	reader_ready "$P"
}

# last_message: send $END and wait until the listener has printed it: all
# that was in the pipe before it has been printed too.
END=the-end
last_message() {
	fm send "$P" "$END"
	until_true 10 grep -aq "$END" "$T/got"
}

# --- messages from arguments -------------------------------------------

@test "send: each MESSAGE argument is one message, bytes unchanged" {
	fifomsg mkpipe "$P"
	reader 6
	run --separate-stderr fm send "$P" "hello world" 'back\slash\n' \
		"  two  spaces " $'tab\there' '*?[$(x)]' "\"quoted\""
	is_status 0
	[ -z "$output" ]
	[ -z "$stderr" ]
	frames "hello world" 'back\slash\n' "  two  spaces " $'tab\there' \
		'*?[$(x)]' "\"quoted\"" >"$T/want"
	got_is "$T/want"
}

@test "send: arguments after PIPE that look like options are messages" {
	fifomsg mkpipe "$P"
	reader 4
	run --separate-stderr fm send -- "$P" -v -- --help -t
	is_status 0
	[ -z "$stderr" ]
	frames -v -- --help -t >"$T/want"
	got_is "$T/want"
}

@test "send: a PIPE whose name starts with a dash is reached after --" {
	cd "$T"
	fifomsg mkpipe -- -dash
	spawn "$T/got" fifomsg recv -t 10 -- -dash
	run --separate-stderr fm send -- -dash "to the dash"
	is_status 0
	wait_pid "$SPAWNED"
	[ "$(cat "$T/got")" = "to the dash" ]
}

@test "send: an empty MESSAGE argument is an empty frame" {
	fifomsg mkpipe "$P"
	reader 3
	run --separate-stderr fm send "$P" "" x ""
	is_status 0
	frames "" x "" >"$T/want"
	got_is "$T/want"
}

# --- messages from stdin lines -----------------------------------------

@test "send: each stdin line is one message, without its newline" {
	fifomsg mkpipe "$P"
	reader 3
	printf 'first line\n-n\nback\\slash \n' >"$T/in"
	run --separate-stderr fm send "$P" <"$T/in"
	is_status 0
	[ -z "$stderr" ]
	frames "first line" -n 'back\slash ' >"$T/want"
	got_is "$T/want"
}

@test "send: a last stdin line without a newline is still sent" {
	fifomsg mkpipe "$P"
	reader 2
	printf 'one\nlast, no newline' >"$T/in"
	run --separate-stderr fm send "$P" <"$T/in"
	is_status 0
	frames one "last, no newline" >"$T/want"
	got_is "$T/want"
}

@test "send: empty stdin lines are empty messages" {
	fifomsg mkpipe "$P"
	reader 4
	printf '\n\nx\n\n' >"$T/in"
	run --separate-stderr fm send "$P" <"$T/in"
	is_status 0
	frames "" "" x "" >"$T/want"
	got_is "$T/want"
}

@test "send: lines read from a pipe are sent like lines from a file" {
	fifomsg mkpipe "$P"
	reader 3
	printf 'a\n\nc' >"$T/in"
	run --separate-stderr piped "$T/in" send "$P"
	is_status 0
	frames a "" c >"$T/want"
	got_is "$T/want"
}

@test "send: empty stdin sends nothing and exits 0" {
	fifomsg mkpipe "$P"
	spawn "$T/got" fifomsg listen -r "$P"
	reader_ready "$P"
	run --separate-stderr fm send -t 2 "$P" </dev/null
	is_status 0
	[ -z "$stderr" ]
	fm send "$P" end
	until_true 5 test -s "$T/got"
	frames end >"$T/want"
	cmp "$T/got" "$T/want"
}

@test "send: a 1 MiB stdin line from a file is one message, and the next line follows" {
	fifomsg mkpipe "$P"
	big_line "$T/big" 1048576
	{ cat "$T/big"; printf '\nnext\n'; } >"$T/in"
	reader 2
	run --separate-stderr fm send "$P" <"$T/in"
	is_status 0
	{ frame_file "$T/big"; frames next; } >"$T/want"
	got_is "$T/want"
}

@test "send: a 1 MiB stdin line from a pipe is one message" {
	fifomsg mkpipe "$P"
	big_line "$T/big" 1048576
	reader 2
	{ cat "$T/big"; printf '\nnext'; } >"$T/in"
	run --separate-stderr piped "$T/in" send "$P"
	is_status 0
	{ frame_file "$T/big"; frames next; } >"$T/want"
	got_is "$T/want"
}

# --- -0 / --null ---------------------------------------------------------

@test "send -0: NUL ends each record; newlines stay inside messages" {
	fifomsg mkpipe "$P"
	reader 4
	printf 'a\nb\0c d\0\0last' >"$T/in"
	run --separate-stderr fm send -0 "$P" <"$T/in"
	is_status 0
	[ -z "$stderr" ]
	{ frames $'a\nb' "c d" "" last; } >"$T/want"
	got_is "$T/want"
}

@test "send --null carries every byte value but NUL unchanged" {
	fifomsg mkpipe "$P"
	all_bytes | tail -c 255 >"$T/payload"
	{ cat "$T/payload"; printf '\0'; cat "$T/payload"; printf '\0'; } >"$T/in"
	reader 2
	run --separate-stderr fm send --null "$P" <"$T/in"
	is_status 0
	{ frame_file "$T/payload"; frame_file "$T/payload"; } >"$T/want"
	got_is "$T/want"
}

# --- -w / --whole ----------------------------------------------------------

@test "send -w: all of stdin is one message, newlines and NULs included" {
	fifomsg mkpipe "$P"
	{ all_bytes; printf '\n\nend\n'; } >"$T/payload"
	reader 1
	run --separate-stderr piped "$T/payload" send -w "$P"
	is_status 0
	[ -z "$stderr" ]
	frame_file "$T/payload" >"$T/want"
	got_is "$T/want"
}

@test "send --whole: a regular file of all 256 byte values is one message" {
	fifomsg mkpipe "$P"
	all_bytes >"$T/payload"
	reader 1
	run --separate-stderr fm send --whole "$P" <"$T/payload"
	is_status 0
	frame_file "$T/payload" >"$T/want"
	got_is "$T/want"
}

@test "send -w: empty stdin is one empty message" {
	fifomsg mkpipe "$P"
	reader 1
	run --separate-stderr fm send -w "$P" </dev/null
	is_status 0
	le32 0 >"$T/want"
	got_is "$T/want"
}

@test "send -w: a 1 MiB regular file is one message" {
	fifomsg mkpipe "$P"
	head -c 1048576 /dev/urandom >"$T/payload"
	reader 1
	run --separate-stderr fm send -w "$P" <"$T/payload"
	is_status 0
	frame_file "$T/payload" >"$T/want"
	got_is "$T/want"
}

@test "send -w: 1 MiB from a pipe is one message" {
	fifomsg mkpipe "$P"
	head -c 1048576 /dev/urandom >"$T/payload"
	reader 1
	run --separate-stderr piped "$T/payload" send -w "$P"
	is_status 0
	frame_file "$T/payload" >"$T/want"
	got_is "$T/want"
}

# --- -r / --raw ------------------------------------------------------------

@test "send -r: a frame stream is forwarded unchanged (empty, text, binary, 100 KiB)" {
	fifomsg mkpipe "$P"
	all_bytes >"$T/bytes"
	head -c 102400 /dev/urandom >"$T/large"
	{ frames "" "hello"; frame_file "$T/bytes"; frame_file "$T/large"; frames z; } >"$T/in"
	reader 5
	run --separate-stderr fm send -r "$P" <"$T/in"
	is_status 0
	[ -z "$stderr" ]
	got_is "$T/in"
}

@test "send --raw: a frame stream from a pipe is forwarded unchanged" {
	fifomsg mkpipe "$P"
	all_bytes >"$T/bytes"
	{ frame_file "$T/bytes"; frames "" a bc; } >"$T/in"
	reader 4
	run --separate-stderr piped "$T/in" send --raw "$P"
	is_status 0
	got_is "$T/in"
}

@test "send -r: a stream cut inside a frame exits 4; the whole frames before it arrive" {
	fifomsg mkpipe "$P"
	{ frames one two; le32 10; printf 'abc'; } >"$T/in"
	listener
	run --separate-stderr fm send -r "$P" <"$T/in"
	is_status 4
	[[ $stderr == "fifomsg: send: "*malformed*frame* ]]
	# No torn frame in the pipe: the next message arrives intact.
	last_message
	frames one two "$END" >"$T/want"
	cmp "$T/got" "$T/want"
}

@test "send -r: a frame larger than --max-size exits 4 and is not forwarded" {
	fifomsg mkpipe "$P"
	{ frames ok; le32 100; head -c 100 /dev/zero; } >"$T/in"
	listener
	run --separate-stderr fm send -r --max-size 10 "$P" <"$T/in"
	is_status 4
	[[ $stderr == "fifomsg: send: "*100*"--max-size 10"* ]]
	last_message
	frames ok "$END" >"$T/want"
	cmp "$T/got" "$T/want"
}

# --- waiting for readers: default, --no-wait, -t ---------------------------

@test "send waits until readers have taken every message, then exits 0" {
	fifomsg mkpipe "$P"
	spawn "$T/send" fifomsg send "$P" a b c
	local sender=$SPAWNED
	sleep 0.3
	kill -0 "$sender"	# nobody read yet: still waiting
	run --separate-stderr fm recv -n 2 -t 5 "$P"
	is_status 0
	[ "$output" = "$(printf 'a\nb')" ]
	sleep 0.3
	kill -0 "$sender"	# one message still in the pipe
	run --separate-stderr fm recv -t 5 "$P"
	is_status 0
	[ "$output" = c ]
	wait_pid "$sender"
	[ ! -s "$T/send" ]
	[ ! -s "$T/send.err" ]
}

@test "send --no-wait exits 0 at once when no reader is there" {
	fifomsg mkpipe "$P"
	timed send --no-wait -t 2 "$P" x y
	is_status 0
	[ ! -s "$T/err" ]
	[ "$ELAPSED" -lt 1500 ]
}

@test "send --no-wait leaves its messages to a reader that has the pipe open" {
	fifomsg mkpipe "$P"
	spawn "$T/got" fifomsg listen -n 2 "$P"
	reader_ready "$P"
	run --separate-stderr fm send --no-wait "$P" x y
	is_status 0
	wait_pid "$SPAWNED"
	[ "$(cat "$T/got")" = "$(printf 'x\ny')" ]
}

@test "send -t 0.6 with no reader exits 3 after 0.6 s: sent 0 of 2 messages" {
	fifomsg mkpipe "$P"
	timed send -t 0.6 "$P" a b
	is_status 3
	[ ! -s "$T/out" ]
	[[ $(cat "$T/err") == "fifomsg: send: "*"timed out"*"sent 0 of 2 messages"* ]]
	[ "$ELAPSED" -ge 600 ]
	[ "$ELAPSED" -lt 5000 ]
}

@test "send --timeout counts the messages a reader took: sent 1 of 3" {
	fifomsg mkpipe "$P"
	spawn "$T/send" fifomsg send --timeout 0.5 "$P" a b c
	local sender=$SPAWNED
	run --separate-stderr fm recv -t 5 "$P"
	is_status 0
	[ "$output" = a ]
	status=0
	wait "$sender" || status=$?
	is_status 3
	[[ $(cat "$T/send.err") == "fifomsg: send: "*"sent 1 of 3 messages"* ]]
}

# --- exact counts at any scale ------------------------------------------

# big_pipe: hold $P open on fd 5 with a 1 MiB buffer (F_SETPIPE_SZ), so
# 100000 one-byte messages (500000 bytes of frames) fit in it at once and
# send has read its whole input before anyone takes anything.
big_pipe() {
	fifomsg mkpipe "$P"
	exec 5<>"$P"
	"$PYTHON" -c 'import fcntl; fcntl.fcntl(5, 1031, 1 << 20)'
	yes x | head -n 100000 >"$T/in"
}

# take K: a reader that takes exactly K messages, in place before send.
take() {
	spawn "$T/got" fifomsg recv -n "$1" -t 10 "$P"
	reader_ready "$P"
}

# send_times_out ARGS...: "send ARGS <$T/in", which must time out (exit 3).
send_times_out() {
	run --separate-stderr fm send "$@" "$P" <"$T/in"
	is_status 3
}

@test "send -t: 100000 messages in the pipe, none taken: sent 0 of 100000" {
	big_pipe
	send_times_out -t 0.5
	[ "$stderr" = "fifomsg: send: timed out: sent 0 of 100000 messages" ]
}

@test "send -t: 100000 messages in the pipe, one taken: sent 1 of 100000" {
	big_pipe
	take 1
	send_times_out -t 1
	[ "$stderr" = "fifomsg: send: timed out: sent 1 of 100000 messages" ]
	wait_pid "$SPAWNED"
}

@test "send -t: 100000 messages in the pipe, 60000 taken: sent 60000 of 100000" {
	big_pipe
	take 60000
	send_times_out -t 1
	[ "$stderr" = "fifomsg: send: timed out: sent 60000 of 100000 messages" ]
	wait_pid "$SPAWNED"
}

@test "send -t: counts stay exact when far more messages pass than the pipe holds" {
	# A default 64 KiB pipe: send blocks on a full pipe once the reader
	# has gone, having read an unknown number of its 300000 lines.
	fifomsg mkpipe "$P"
	yes x | head -n 300000 >"$T/in"
	take 250000
	send_times_out -t 1
	[[ $stderr == "fifomsg: send: timed out: sent 250000 of "*" messages" ]]
	wait_pid "$SPAWNED"
}

@test "send -v counts the messages readers took, not those written" {
	big_pipe
	take 60000
	send_times_out -v -t 1
	[[ ${stderr_lines[0]} == "fifomsg: send: 60000 messages, 300000 bytes, "* ]]
	wait_pid "$SPAWNED"
}

@test "send -t with a reader present exits 0" {
	fifomsg mkpipe "$P"
	spawn "$T/got" fifomsg listen -n 3 "$P"
	reader_ready "$P"
	printf '1\n2\n3\n' >"$T/in"
	run --separate-stderr fm send -t 2 "$P" <"$T/in"
	is_status 0
	[ -z "$stderr" ]
	wait_pid "$SPAWNED"
	[ "$(cat "$T/got")" = "$(printf '1\n2\n3')" ]
}

@test "send -t rejects values that are not seconds (exit 2)" {
	fifomsg mkpipe "$P"
	local v
	for v in -1 abc 1.5s '' 1e3 1,5 ' 1'; do
		run --separate-stderr fm send -t "$v" --no-wait "$P" x
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: send: "*timeout* ]]
		[[ ${stderr_lines[1]} == "usage: fifomsg send "* ]]
	done
}

# has_child PID: PID (a "timeout" that spawn started) has started its child.
has_child() {
	[ -n "$(cat "/proc/$1/task/$1/children")" ]
}

# wakeups PID: how many times PID has gone to sleep and woken up.
wakeups() {
	awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"
}

@test "send waiting for an absent reader wakes at most a few times a second" {
	fifomsg mkpipe "$P"
	spawn "$T/send" fifomsg send "$P" nobody-reads
	local sender w0 w1
	until_true 5 has_child "$SPAWNED"
	sender=$(awk '{ print $1 }' "/proc/$SPAWNED/task/$SPAWNED/children")
	sleep 1.2	# past the first second, when it still looks often
	w0=$(wakeups "$sender")
	sleep 1
	w1=$(wakeups "$sender")
	# Polling every 10 ms would be about 100.
	[ $((w1 - w0)) -le 20 ]
	run --separate-stderr fm recv -t 5 "$P"
	is_status 0
	wait_pid "$SPAWNED"
}

@test "send exits soon after a reader takes its last message, however long it waited" {
	fifomsg mkpipe "$P"
	spawn "$T/send" fifomsg send "$P" late
	local t0
	sleep 1.5	# long enough to be in its slowest wait
	run --separate-stderr fm recv -t 5 "$P"
	is_status 0
	t0=${EPOCHREALTIME/./}
	wait_pid "$SPAWNED"
	[ $(((${EPOCHREALTIME/./} - t0) / 1000)) -lt 1500 ]
}

@test "send -t: the wait for readers starts over whenever a reader takes something" {
	fifomsg mkpipe "$P"
	spawn "$T/send" fifomsg send -t 1.5 "$P" a b c d
	local m
	# A message a second: 4 s in all, more than 1.5 s, never 1.5 s idle.
	for m in a b c d; do
		sleep 1
		run --separate-stderr fm recv -t 5 "$P"
		is_status 0
		[ "$output" = "$m" ]
	done
	wait_pid "$SPAWNED"
	[ ! -s "$T/send.err" ]
}

# --- --max-size ----------------------------------------------------------

@test "send --max-size: a longer message exits 4 and is not sent" {
	fifomsg mkpipe "$P"
	listener
	run --separate-stderr fm send --max-size 4 "$P" abcde
	is_status 4
	[[ $stderr == "fifomsg: send: "*5*"--max-size 4"* ]]
	last_message
	frames "$END" >"$T/want"
	cmp "$T/got" "$T/want"
}

@test "send --max-size: a message of exactly the limit is sent" {
	fifomsg mkpipe "$P"
	reader 1
	run --separate-stderr fm send --max-size 5 "$P" abcde
	is_status 0
	frames abcde >"$T/want"
	got_is "$T/want"
}

@test "send --max-size: stdin lines before the long one still go out" {
	fifomsg mkpipe "$P"
	listener
	printf 'ok\ntoolong\nlater\n' >"$T/in"
	run --separate-stderr fm send --max-size 4 "$P" <"$T/in"
	is_status 4
	[[ $stderr == "fifomsg: send: "*"--max-size 4"* ]]
	last_message
	frames ok >"$T/want"
	head -c 6 "$T/got" | cmp - "$T/want"
	[ "$(grep -ac toolong "$T/got")" = 0 ]
}

@test "send --max-size 1K allows 1024 bytes, not 1025" {
	fifomsg mkpipe "$P"
	big_line "$T/k" 1024
	reader 1
	run --separate-stderr fm send -w --max-size 1K "$P" <"$T/k"
	is_status 0
	frame_file "$T/k" >"$T/want"
	got_is "$T/want"
	big_line "$T/k1" 1025
	run --separate-stderr fm send -w --max-size 1k --no-wait "$P" <"$T/k1"
	is_status 4
	[[ $stderr == "fifomsg: send: "*1025*"--max-size 1024"* ]]
}

@test "send --max-size 1M allows a 1 MiB line, not 1 MiB + 1" {
	fifomsg mkpipe "$P"
	big_line "$T/m" 1048576
	reader 1
	run --separate-stderr fm send --max-size 1M "$P" <"$T/m"
	is_status 0
	frame_file "$T/m" >"$T/want"
	got_is "$T/want"
	big_line "$T/m1" 1048577
	listener
	run --separate-stderr fm send --max-size 1m -t 2 "$P" <"$T/m1"
	is_status 4
	[[ $stderr == "fifomsg: send: "*"--max-size 1048576"* ]]
	last_message
	frames "$END" >"$T/want"
	cmp "$T/got" "$T/want"	# no part of it was sent
}

@test "send --max-size takes a G suffix up to 4G-1" {
	fifomsg mkpipe "$P"
	reader 1
	run --separate-stderr fm send --max-size 3G "$P" g
	is_status 0
	frames g >"$T/want"
	got_is "$T/want"
	run --separate-stderr fm send --max-size 4294967295 --no-wait "$P" g
	is_status 0
}

@test "send --max-size rejects malformed or out-of-range sizes (exit 2)" {
	fifomsg mkpipe "$P"
	local v
	for v in 4G 4096M 4294967296 1T -1 abc 5KB '' 1.5K; do
		run --separate-stderr fm send --max-size "$v" --no-wait "$P" x
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: send: "*size* ]]
		[[ ${stderr_lines[1]} == "usage: fifomsg send "* ]]
	done
}

# --- -v, --follow ---------------------------------------------------------

@test "send -v prints a summary on stderr: messages and bytes" {
	fifomsg mkpipe "$P"
	reader 3
	run --separate-stderr fm send -v "$P" a bb ccc
	is_status 0
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "fifomsg: send: 3 messages, 18 bytes"* ]]
	frames a bb ccc >"$T/want"
	got_is "$T/want"
}

@test "send refuses a symlink to a FIFO without --follow (exit 1)" {
	fifomsg mkpipe "$P"
	ln -s "$P" "$T/link"
	run --separate-stderr fm send --no-wait "$T/link" x
	is_status 1
	[[ $stderr == "fifomsg: send: $T/link: "*"symbolic link"* ]]
}

@test "send --follow writes through a symlink to a FIFO" {
	fifomsg mkpipe "$P"
	ln -s "$P" "$T/link"
	reader 1
	run --separate-stderr fm send --follow "$T/link" "via link"
	is_status 0
	frames "via link" >"$T/want"
	got_is "$T/want"
}

@test "send --follow still refuses a symlink to a regular file, left untouched" {
	make_victim "$T/file"
	ln -s "$T/file" "$T/link"
	run --separate-stderr fm send --follow -t 1 "$T/link" x
	is_status 1
	[[ $stderr == "fifomsg: send: $T/link: not a FIFO (it is a regular file)"* ]]
	victim_untouched "$T/file"
}

# --- interactive input ------------------------------------------------------

@test "send delivers each line from a slow stdin before the next is written" {
	fifomsg mkpipe "$P" "$T/in"
	spawn "$T/got" fifomsg listen "$P"
	reader_ready "$P"
	exec 4<>"$T/in"
	# (An asynchronous command's stdin is /dev/null unless it redirects
	# it itself, hence the inner shell.  Only fd 4 may write to $T/in.)
	spawn "$T/send" bash -c 'exec fifomsg send "$1" <"$2"' _ "$P" "$T/in" 4>&-
	local sender=$SPAWNED i
	for i in 1 2 3 4 5; do
		printf 'line %s\n' "$i" >&4
		until_true 5 grep -qx "line $i" "$T/got"
		[ "$(wc -l <"$T/got")" -eq "$i" ]
	done
	exec 4>&-
	wait_pid "$sender"
	[ "$(cat "$T/got")" = "$(printf 'line %s\n' 1 2 3 4 5)" ]
}

@test "send on a terminal delivers each line when Enter is typed" {
	# The driver does give its command a terminal as standard input.
	timeout 10 "$PYTHON" "$BATS_TEST_DIRNAME/pty.py" sh -c '[ -t 0 ]' </dev/null
	fifomsg mkpipe "$P" "$T/in"
	spawn "$T/got" fifomsg listen "$P"
	reader_ready "$P"
	exec 4<>"$T/in"
	spawn "$T/send" bash -c 'exec "$PYTHON" "$1" fifomsg send "$2" <"$3"' \
		_ "$BATS_TEST_DIRNAME/pty.py" "$P" "$T/in" 4>&-
	local sender=$SPAWNED i
	for i in 1 2 3 4 5; do
		printf 'typed %s\n' "$i" >&4
		until_true 5 grep -qx "typed $i" "$T/got"
		[ "$(wc -l <"$T/got")" -eq "$i" ]
	done
	exec 4>&-
	wait_pid "$sender"	# end of input (^D): send exits 0
	[ "$(cat "$T/got")" = "$(printf 'typed %s\n' 1 2 3 4 5)" ]
}

# --- errors -------------------------------------------------------------------

@test "send to a missing pipe exits 1 naming it, and creates nothing" {
	run --separate-stderr fm send -t 1 "$P" x
	is_status 1
	[ -z "$output" ]
	[[ $stderr == "fifomsg: send: $P: "*"No such file or directory"* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ ! -e "$P" ]
}

@test "send to a regular file exits 1 and leaves it untouched" {
	make_victim "$T/file"
	run --separate-stderr fm send -t 1 "$T/file" x
	is_status 1
	[[ $stderr == "fifomsg: send: $T/file: not a FIFO (it is a regular file)"* ]]
	victim_untouched "$T/file"
	printf 'line\n' >"$T/in"
	run --separate-stderr fm send --no-wait "$T/file" <"$T/in"
	is_status 1
	victim_untouched "$T/file"
}

@test "send to a directory exits 1 (it is a directory)" {
	mkdir "$T/dir"
	run --separate-stderr fm send -t 1 "$T/dir" x
	is_status 1
	[[ $stderr == "fifomsg: send: $T/dir: "*"not a FIFO (it is a directory)"* ]]
	[ -z "$(ls -A "$T/dir")" ]
}

@test "send to a character device exits 1 (it is a character device)" {
	run --separate-stderr fm send -t 1 /dev/null x
	is_status 1
	[[ $stderr == "fifomsg: send: /dev/null: "*"character device"* ]]
}

@test "send -0 with -r, -r with -w, -0 with -w are usage errors (exit 2)" {
	fifomsg mkpipe "$P"
	local pair
	for pair in "-0 -r" "-r -w" "-0 -w" "--null --raw" "--raw --whole"; do
		# shellcheck disable=SC2086
		run --separate-stderr fm send $pair --no-wait "$P" </dev/null
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: send: "* ]]
		[[ ${stderr_lines[1]} == "usage: fifomsg send "* ]]
	done
}

@test "send -r, -0 or -w with a MESSAGE argument is a usage error (exit 2)" {
	fifomsg mkpipe "$P"
	local m
	for m in -r -0 -w; do
		run --separate-stderr fm send "$m" --no-wait "$P" x </dev/null
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: send: "* ]]
		[[ ${stderr_lines[1]} == "usage: fifomsg send "* ]]
	done
}

@test "send without PIPE is a usage error (exit 2)" {
	run --separate-stderr fm send </dev/null
	is_status 2
	[ -z "$output" ]
	[[ ${stderr_lines[0]} == "fifomsg: send: "*PIPE* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg send "* ]]
}

@test "send with an unknown option is a usage error (exit 2)" {
	fifomsg mkpipe "$P"
	run --separate-stderr fm send -x "$P" msg
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: send: "*option*-x* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg send "* ]]
	run --separate-stderr fm send --bogus "$P" msg
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: send: "*option*--bogus* ]]
	run --separate-stderr fm send -t
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: send: "*-t* ]]
}

@test "send with an ambiguous option prefix names the options it could be (exit 2)" {
	fifomsg mkpipe "$P"
	run --separate-stderr fm send --n "$P" msg
	is_status 2
	[ "${stderr_lines[0]}" = "fifomsg: send: ambiguous option '--n' (could be --null, --no-wait)" ]
	[[ ${stderr_lines[1]} == "usage: fifomsg send "* ]]
	run --separate-stderr fm send --ver=1 "$P" msg
	is_status 2
	[ "${stderr_lines[0]}" = "fifomsg: send: ambiguous option '--ver' (could be --verbose, --version)" ]
}
