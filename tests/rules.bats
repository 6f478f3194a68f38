#!/usr/bin/env bats
# Rules that hold across subcommands, each checked where it can break:
# an interrupted write() is retried, --json escapes every control byte,
# -c removes only the FIFO it created, and send's wait for its readers
# gives up only when they stop making progress.

# (bats sets $output; bash -c scripts are single-quoted.)
# shellcheck disable=SC2154,SC2016
load helpers

bats_require_minimum_version 1.5.0

export LC_ALL=C

# fifomsg_pid PID: the fifomsg process under the wrapper PID, once it runs.
fifomsg_pid() {
	local p
	until_true 10 has_fifomsg "$1"
	p=$(fifomsg_under "$1")
	echo "${p%%$'\n'*}"
}

# writing_to_pipe PID: PID sleeps in write(2) on a full pipe.
writing_to_pipe() {
	[[ $(cat "/proc/$1/wchan" 2>/dev/null) == *pipe_write* ]]
}

# writing_or_gone PID: PID is blocked writing to a pipe, or has ended.
writing_or_gone() {
	writing_to_pipe "$1" || not_running "$1"
}

# alarms PID: five SIGALRMs, each while PID is blocked writing to a pipe
# (fewer if it ends: what it did is then for the test to judge).
# fifomsg has a handler for SIGALRM, installed without SA_RESTART, so
# each one makes the blocked write() fail with EINTR.
alarms() {
	local i
	for i in 1 2 3 4 5; do
		until_true 10 writing_or_gone "$1"
		kill -ALRM "$1" 2>/dev/null || return 0
		sleep 0.05
	done
}

# --- write() interrupted by a signal -----------------------------------

@test "listen blocked writing to a full stdout and interrupted by signals (EINTR) retries: every byte arrives" {
	local l c pid hold
	fifomsg mkpipe "$P" "$T/o"
	# 400 lines of 1000 bytes: far more than the 64 KiB a pipe holds.
	seq -f 'message %04g' 400 | awk '{ printf "%-999s\n", $0 }' >"$T/in"
	# Its stdout is a FIFO that nobody reads until the end: listen
	# blocks in write(2).  (listen's open waits for our read end.)
	spawn "$T/o" fifomsg listen -n 400 "$P"
	l=$SPAWNED
	exec {hold}<"$T/o"
	pid=$(fifomsg_pid "$l")
	spawn "$T/send" sh -c 'exec fifomsg send "$1" <"$2"' sh "$P" "$T/in"
	until_true 10 writing_to_pipe "$pid"
	alarms "$pid"
	spawn "$T/got" cat "$T/o"
	c=$SPAWNED
	exec {hold}<&-
	ended "$l"
	cat "$T/o.err"
	is_status 0
	[ ! -s "$T/o.err" ]
	wait_pid "$c"
	cmp "$T/in" "$T/got"
}

@test "listen --exec blocked writing a message to CMD and interrupted by signals (EINTR) retries: CMD gets it all" {
	local l pid
	fifomsg mkpipe "$P"
	head -c 1048576 /dev/urandom >"$T/big"
	# CMD does not read until $T/go exists: listen blocks in write(2).
	spawn "$T/out" fifomsg listen -n 1 --exec \
		"until [ -e '$T/go' ]; do sleep 0.02; done; cksum" "$P"
	l=$SPAWNED
	pid=$(fifomsg_pid "$l")
	spawn "$T/send" sh -c 'exec fifomsg send -w "$1" <"$2"' sh "$P" "$T/big"
	until_true 10 writing_to_pipe "$pid"
	alarms "$pid"
	touch "$T/go"
	ended "$l"
	cat "$T/out.err"
	is_status 0
	[ ! -s "$T/out.err" ]
	[ "$(cat "$T/out")" = "$(cksum <"$T/big")" ]
}

# --- --json -------------------------------------------------------------

# json_controls: the JSON string (RFC 8259) of the bytes 0x00-0x1F and
# 0x7F: every control byte escaped, DEL as it is.
json_controls() {
	local i
	printf '"'
	for i in {0..31}; do
		case $i in
		8) printf '\\b' ;;
		9) printf '\\t' ;;
		10) printf '\\n' ;;
		12) printf '\\f' ;;
		13) printf '\\r' ;;
		*) printf '\\u%04x' "$i" ;;
		esac
	done
	printf '\177"\n'
}

@test "--json escapes every control byte 0x00-0x1F and copies DEL (0x7F) as it is, in recv and listen" {
	fifomsg mkpipe "$P"
	printf '%b' "$(printf '\\0%03o' {0..31} 127)" >"$T/ctl"
	[ "$(wc -c <"$T/ctl")" -eq 33 ]
	json_controls >"$T/want"
	spawn "$T/send" sh -c 'exec fifomsg send -w "$1" <"$2"' sh "$P" "$T/ctl"
	fm recv --json -t 10 "$P" >"$T/recv"
	cmp "$T/want" "$T/recv"
	wait_pid "$SPAWNED"
	spawn "$T/send" sh -c 'exec fifomsg send -w "$1" <"$2"' sh "$P" "$T/ctl"
	fm listen --json -n 1 -t 10 "$P" >"$T/listen"
	cmp "$T/want" "$T/listen"
	wait_pid "$SPAWNED"
	# A strict JSON parser, which refuses raw control characters in a
	# string, reads back the same 33 characters.
	"$PYTHON" -c 'import json, sys
s = json.loads(open(sys.argv[1], "rb").read())
assert s == "".join(map(chr, [*range(32), 127])), repr(s)' "$T/recv"
}

@test "the --json paragraphs of recv(1) and listen(1) say what becomes of DEL (0x7F)" {
	local page
	for page in fifomsg-recv fifomsg-listen; do
		sed -n '/^\.It Fl -json/,/^\.It /p' \
			"$BATS_TEST_DIRNAME/../man/$page.1" >"$T/para"
		grep -q '0x7F' "$T/para"
	done
}

# --- -c removes only its own FIFO --------------------------------------

@test "listen -c stopped by SIGTERM leaves a regular file put in place of its FIFO" {
	local l pid
	spawn "$T/out" fifomsg listen -c "$P"
	l=$SPAWNED
	pid=$(fifomsg_pid "$l")
	reader_ready "$P"
	rm "$P"
	make_victim "$P"
	kill -TERM "$pid"
	ended "$l"
	is_status 143
	victim_untouched "$P"
}

@test "recv -c ending at its timeout leaves another FIFO put in place of its own" {
	local r ino
	spawn "$T/out" fifomsg recv -c -t 1 "$P"
	r=$SPAWNED
	reader_ready "$P"
	ino=$(stat -c %i "$P")
	rm "$P"
	mkfifo -m 600 "$P"
	[ "$(stat -c %i "$P")" != "$ino" ]
	ended "$r"
	is_status 3
	[ -p "$P" ]
	# Its own FIFO, left in place, is still removed.
	run --separate-stderr fm recv -c -t 0.2 "$T/own"
	is_status 3
	[ ! -e "$T/own" ]
}

# --- send's wait for its readers ---------------------------------------

@test "send -t 2 waits as long as a slow reader keeps taking messages: 8 taken 0.5 s apart, exit 0 after more than 2 s" {
	local i msgs=()
	fifomsg mkpipe "$P"
	for i in 1 2 3 4 5 6 7 8; do msgs+=("m$i"); done
	spawn "$T/got" bash -c 'for i in 1 2 3 4 5 6 7 8; do
			sleep 0.5
			fifomsg recv -t 5 "$1" || exit
		done' _ "$P"
	timed send -t 2 "$P" "${msgs[@]}"
	echo "send took $ELAPSED ms"
	is_status 0
	[ ! -s "$T/err" ]
	[ "$ELAPSED" -gt 2000 ]
	wait_pid "$SPAWNED"
	[ "$(cat "$T/got")" = "$(printf 'm%s\n' 1 2 3 4 5 6 7 8)" ]
}
