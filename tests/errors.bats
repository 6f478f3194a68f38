#!/usr/bin/env bats
# Bad input of every kind: wrong paths, malformed streams, bad command
# lines, unwritable output, unsafe -c targets, descriptor leaks.  Each
# case gets its documented exit status and one clear line on stderr
# ("fifomsg: SUBCOMMAND: ..."), and leaves no damage: no file created or
# changed, no partial message on stdout.

load helpers

bats_require_minimum_version 1.5.0

export LC_ALL=C

# The helpers' setup, plus a directory whose every entry is checked for
# damage ($P stays in $T, beside spawn's output files).
setup() {
	fm_setup
	W=$T/w
	mkdir "$W"
}

# err_is GLOB: stderr is exactly one line, and it matches GLOB.
err_is() {
	# shellcheck disable=SC2053 # $1 is a pattern on purpose
	if [[ $stderr != *$'\n'* && $stderr == $1 ]]; then
		return 0
	fi
	printf 'stderr: %s\nexpected one line like: %s\n' "$stderr" "$1"
	return 1
}

# usage_err SUB GLOB: stderr is the message GLOB, then SUB's usage line.
usage_err() {
	local want="usage: fifomsg $1 "
	# shellcheck disable=SC2053 # $2 is a pattern on purpose
	if [[ ${#stderr_lines[@]} -eq 2 && ${stderr_lines[0]} == $2 &&
		${stderr_lines[1]} == "$want"* ]]; then
		return 0
	fi
	printf 'stderr: %s\nexpected: %s / %s...\n' "$stderr" "$2" "$want"
	return 1
}

no_stdout() {
	[ -z "$output" ] && return 0
	printf 'unexpected stdout: %q\n' "$output"
	return 1
}

# snap DIR: type, mode, owner, size, times, link target and content of
# everything under DIR, to compare before and after.
snap() {
	(
		cd "$1" &&
			find . -printf '%p %y %m %u %s %T@ %C@ %l\n' | sort &&
			find . -type f -exec md5sum {} + | sort
	)
}

# snapshot: remember the state of $W; unchanged: $W is still as it was.
snapshot() {
	BEFORE=$(snap "$W")
}
unchanged() {
	local now
	now=$(snap "$W")
	[ "$now" = "$BEFORE" ] && return 0
	printf 'damage:\n'
	diff <(printf '%s\n' "$BEFORE") <(printf '%s\n' "$now")
	return 1
}

# queued OUT CMDLINE ESCAPES...: the bytes (printf %b escapes) wait in
# $P, kept there by a descriptor of ours, when CMDLINE (a reader of $P,
# word-split) starts; once it runs, that last writer leaves.  Then wait
# for it as `finished` does.  No race: the data is there from the start.
queued() {
	local out=$1 cmd=$2 hold
	shift 2
	exec {hold}<>"$P"
	printf '%b' "$@" >&"$hold"
	# shellcheck disable=SC2086 # $cmd is a command line
	spawn_closing "$hold" "$out" fifomsg $cmd "$P"
	# It may take the data and be gone before the lock can be seen.
	until_true 10 reader_or_done
	exec {hold}>&-
	finished "$out"
}

# spawn_closing FD OUT CMD...: as spawn does, but CMD does not inherit FD
# (a writer of $P that the test holds).
spawn_closing() {
	local fd=$1 out=$2
	shift 2
	timeout -k 2 "$FM_TIMEOUT" "$@" >"$out" 2>"$out.err" 3>&- {fd}>&- &
	SPAWNED=$!
	PIDS+=("$SPAWNED")
}

# reader_or_done: a reader holds $P's lock, or the last spawned command
# has already exited.
reader_or_done() {
	local state
	has_lock "$P" && return 0
	read -r _ _ state _ <"/proc/$SPAWNED/stat" 2>/dev/null || return 0
	[ "$state" = Z ]
}

# started OUT CMD...: spawn CMD (a reader of $P) and wait until it holds
# the reader lock.
started() {
	spawn "$@"
	reader_ready "$P"
}

# finished OUT: wait for the last spawned command (output in OUT); its
# stdout, stderr and status become $output, $stderr and $status as with
# `run` (NUL bytes in stdout shown as ^@).
finished() {
	local out=$1
	status=0
	wait "$SPAWNED" || status=$?
	output=$(cat -v "$out")
	stderr=$(cat "$out.err")
}

# child_of PID: the (single) child process of PID, once it has one.
has_child() {
	local c=
	read -r c _ <"/proc/$1/task/$1/children" 2>/dev/null
	[ -n "$c" ] && echo "$c"
}
child_of() {
	until_true 5 has_child "$1" >/dev/null && has_child "$1"
}

# "${CLEAN_FDS[@]}" CMD...: exec CMD with nothing open but 0, 1 and 2.
CLEAN_FDS=(python3 -c 'import os, sys
os.closerange(3, 65536)
os.execvp(sys.argv[1], sys.argv[1:])')

# "${AS_NOBODY[@]}" CMD...: run CMD as uid and gid 65534, no groups.
AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --)

# try SUB PATH [OPTS...]: SUB once on PATH: send with a message argument,
# recv and listen with a 1 s timeout.
try() {
	local sub=$1 path=$2
	shift 2
	if [ "$sub" = send ]; then
		run --separate-stderr fm send -t 1 "$@" "$path" message
	else
		run --separate-stderr fm "$sub" -t 1 "$@" "$path"
	fi
}

# closed_out CMD...: fm CMD with stdout closed; closed_in: with stdin
# closed; closed_io: both; full_out: stdout on /dev/full.
closed_out() {
	fm "$@" >&-
}
closed_in() {
	fm "$@" <&-
}
closed_io() {
	fm "$@" <&- >&-
}
full_out() {
	fm "$@" >/dev/full
}

# has_open PID PATH: process PID has PATH open.
has_open() {
	fds_of "$1" | grep -q " $2 "
}

# ---------------------------------------------------------------- paths

@test "a missing pipe: send, recv and listen exit 1 naming it; nothing is created" {
	snapshot
	for sub in send recv listen; do
		try "$sub" "$W/missing"
		is_status 1
		err_is "fifomsg: $sub: $W/missing: No such file or directory"
		no_stdout
	done
	unchanged
	[ ! -e "$W/missing" ]
}

@test "a directory: refused as 'not a FIFO (it is a directory)'; left unchanged" {
	mkdir "$W/dir"
	snapshot
	for sub in send recv listen; do
		try "$sub" "$W/dir"
		is_status 1
		err_is "fifomsg: $sub: $W/dir: not a FIFO (it is a directory)"
		no_stdout
	done
	unchanged
}

@test "a regular file: refused before a byte is read or written; content and mtime unchanged" {
	printf 'precious\n' >"$W/file"
	touch -d '2001-02-03 04:05:06' "$W/file"
	snapshot
	run --separate-stderr fm send -w "$W/file" <<<"whole"
	is_status 1
	err_is "fifomsg: send: $W/file: not a FIFO (it is a regular file)"
	for sub in send recv listen; do
		try "$sub" "$W/file"
		is_status 1
		err_is "fifomsg: $sub: $W/file: not a FIFO (it is a regular file)"
		no_stdout
	done
	run --separate-stderr fm listen -e "$W/file"
	is_status 1
	err_is "fifomsg: listen: $W/file: not a FIFO (it is a regular file)"
	no_stdout
	unchanged
	[ "$(cat "$W/file")" = precious ]
}

@test "a device (/dev/null): refused as 'not a FIFO (it is a character device)'" {
	for sub in send recv listen; do
		try "$sub" /dev/null
		is_status 1
		err_is "fifomsg: $sub: /dev/null: not a FIFO (it is a character device)"
		no_stdout
		# --follow does not make a device acceptable either.
		try "$sub" /dev/null --follow
		is_status 1
		err_is "fifomsg: $sub: /dev/null: not a FIFO (it is a character device)"
	done
}

@test "a symlink to a regular file: refused as a symbolic link, or with --follow as a regular file; untouched" {
	printf 'precious\n' >"$W/file"
	ln -s file "$W/link"
	snapshot
	for sub in send recv listen; do
		try "$sub" "$W/link"
		is_status 1
		err_is "fifomsg: $sub: $W/link: is a symbolic link (use --follow*)"
		no_stdout
		try "$sub" "$W/link" --follow
		is_status 1
		err_is "fifomsg: $sub: $W/link: not a FIFO (it is a regular file)"
		no_stdout
	done
	unchanged
}

@test "a symlink to a FIFO: refused without --follow (nothing sent), used with --follow" {
	mkfifo -m 600 "$P"
	ln -s "$P" "$W/link"
	started "$T/out" fifomsg recv -t 5 "$P"
	run --separate-stderr fm send -t 5 "$W/link" "not sent"
	is_status 1
	err_is "fifomsg: send: $W/link: is a symbolic link (use --follow*)"
	for sub in recv listen; do
		try "$sub" "$W/link"
		is_status 1
		err_is "fifomsg: $sub: $W/link: is a symbolic link (use --follow*)"
	done
	run --separate-stderr fm send -t 5 --follow "$W/link" "sent"
	is_status 0
	finished "$T/out"
	is_status 0
	[ "$output" = sent ]
	# And the other way round: a reader through the link.
	started "$T/out2" fifomsg recv --follow -t 5 "$W/link"
	fm send -t 5 "$P" "read through the link"
	finished "$T/out2"
	is_status 0
	[ "$output" = "read through the link" ]
}

@test "a socket: refused as 'not a FIFO (it is a socket)'" {
	if command -v python3 >/dev/null; then
		python3 -c 'import socket, sys
socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$W/sock"
	elif command -v socat >/dev/null; then
		timeout 1 socat UNIX-LISTEN:"$W/sock" - || true
	else
		skip "needs python3 or socat to make a socket"
	fi
	[ -S "$W/sock" ]
	snapshot
	for sub in send recv listen; do
		try "$sub" "$W/sock"
		is_status 1
		err_is "fifomsg: $sub: $W/sock: not a FIFO (it is a socket)"
		no_stdout
	done
	unchanged
}

@test "a file name too long: exit 1 with 'File name too long'; nothing created" {
	local long
	long=$W/$(printf 'n%.0s' {1..300})
	snapshot
	for sub in send recv listen; do
		try "$sub" "$long"
		is_status 1
		err_is "fifomsg: $sub: $long: File name too long"
	done
	run --separate-stderr fm recv -c -t 1 "$long"
	is_status 1
	err_is "fifomsg: recv: cannot create $long: File name too long"
	unchanged
}

@test "a path longer than PATH_MAX: one line that still ends with the reason" {
	local long=$W
	for _ in {1..25}; do
		long=$long/$(printf 'd%.0s' {1..200})
	done
	run --separate-stderr fm recv -t 1 "$long"
	is_status 1
	err_is "fifomsg: recv: $W/d*: File name too long"
	[ "${#stderr}" -le 4096 ]
}

@test "no permission to open the pipe: exit 1 'Permission denied'; nothing read or written" {
	local bin hold sub
	bin=$(readlink -f "$(command -v fifomsg)")
	mkfifo -m 600 "$P"
	# Two queued messages, kept alive by a descriptor of ours.
	exec {hold}<>"$P"
	fm send --no-wait "$P" first second
	if [ "$EUID" -eq 0 ]; then
		# Root ignores permission bits: try as nobody instead, with a
		# copy of the binary that nobody can reach.
		command -v setpriv >/dev/null ||
			skip "running as root, and setpriv is missing"
		chmod 711 "$T"
		mkdir -m 755 "$T/nb"
		cp "$bin" "$T/nb/fifomsg"
		"${AS_NOBODY[@]}" true || skip "setpriv cannot switch to uid 65534"
		for sub in send recv listen; do
			if [ "$sub" = send ]; then
				run --separate-stderr timeout 10 "${AS_NOBODY[@]}" \
					"$T/nb/fifomsg" send -t 1 "$P" intruder
			else
				run --separate-stderr timeout 10 "${AS_NOBODY[@]}" \
					"$T/nb/fifomsg" "$sub" -t 1 "$P"
			fi
			is_status 1
			err_is "fifomsg: $sub: $P: Permission denied"
			no_stdout
		done
	else
		chmod 000 "$P"
		for sub in send recv listen; do
			try "$sub" "$P"
			is_status 1
			err_is "fifomsg: $sub: $P: Permission denied"
		done
		chmod 600 "$P"
	fi
	# The queue is exactly as it was: both messages, nothing else.
	run --separate-stderr fm recv -n 3 -t 0.5 "$P"
	exec {hold}>&-
	is_status 3
	[ "$output" = $'first\nsecond' ]
}

# -------------------------------------------------------------- streams

@test "a truncated header: recv -t, listen -t and listen -e exit 4, print nothing" {
	mkfifo -m 600 "$P"
	for cmd in "recv -t 0.3" "listen -t 0.3" "listen -e"; do
		queued "$T/out" "$cmd" '\005\000'
		is_status 4
		err_is "fifomsg: ${cmd%% *}: $P: malformed stream at byte 0: frame*cut short*"
		no_stdout
	done
}

@test "a frame announcing more than --max-size: exit 4 at its header, nothing printed" {
	mkfifo -m 600 "$P"
	for fmt in "" -0 -r; do
		for cmd in "recv -t 5" "listen -t 5" "listen -e"; do
			queued "$T/out" "$cmd $fmt --max-size 8" \
				'\011\000\000\000' 123456789
			is_status 4
			err_is "fifomsg: ${cmd%% *}: $P: malformed stream at byte 0: frame of 9 bytes is larger than --max-size 8"
			no_stdout
		done
	done
	# The limit itself is fine.
	queued "$T/out" "listen -e --max-size 8" '\010\000\000\000' 12345678
	is_status 0
	[ "$output" = 12345678 ]
}

@test "a frame announcing 4 GiB - 1: exit 4 at once with the default max size, after the whole messages before it" {
	mkfifo -m 600 "$P"
	queued "$T/out" "listen -e" \
		'\002\000\000\000ok' '\377\377\377\377' 'trailing bytes'
	is_status 4
	err_is "fifomsg: listen: $P: malformed stream at byte 6: frame of 4294967295 bytes is larger than --max-size 67108864"
	[ "$output" = ok ]
	# With --max-size 4G-1 it is accepted as a header, but nothing is
	# allocated for it: the cut-short frame is reported, not printed.
	queued "$T/out" "listen -e --max-size 4294967295" \
		'\377\377\377\377' 'only a little'
	is_status 4
	err_is "fifomsg: listen: $P: malformed stream at byte 0: frame*cut short*"
	no_stdout
}

@test "a writer that dies after half a frame: exit 4 (not 3) with -t or -e, and no short message on stdout" {
	mkfifo -m 600 "$P"
	for fmt in "" -0 -r; do
		for cmd in "recv -t 0.3" "listen -t 0.3" "listen -e" \
			"recv -n 2 -t 0.3"; do
			queued "$T/out" "$cmd $fmt" '\010\000\000\000half'
			is_status 4
			err_is "fifomsg: ${cmd%% *}: $P: malformed stream at byte 0: frame*cut short*"
			[ -z "$(cat "$T/out")" ] ||
				{ echo "$cmd $fmt printed: $(od -c "$T/out")"; false; }
		done
	done
	# Whole messages before the torn one are printed, the torn one not.
	queued "$T/out" "listen -e" '\005\000\000\000whole' '\010\000\000\000half'
	is_status 4
	[ "$(od -An -c "$T/out" | tr -d ' ')" = 'whole\n' ]
}

@test "--exec and a frame cut short: exit 4, and the command dies before it could act on a partial message" {
	local hold cmd
	fifomsg listen --help | grep -q -- --exec || skip "listen has no --exec"
	mkfifo -m 600 "$P"
	for cmd in "listen -e" "recv -t 0.3"; do
		rm -f "$T/acted"
		exec {hold}<>"$P"
		printf '%b' '\010\000\000\000half' >&"$hold"
		# shellcheck disable=SC2086 # $cmd is a command line
		spawn_closing "$hold" "$T/out" fifomsg $cmd \
			--exec "cat >/dev/null && touch '$T/acted'" "$P"
		until_true 10 reader_or_done
		exec {hold}>&-
		finished "$T/out"
		is_status 4
		err_is "fifomsg: ${cmd%% *}: $P: malformed stream at byte 0: frame*cut short*"
		# A command left running would have seen the end of its input
		# and acted by now.
		sleep 0.5
		[ ! -e "$T/acted" ] || { echo "$cmd: the command acted"; false; }
	done
}

@test "plain text written with echo: exit 4 as an oversized or cut-short frame, nothing printed" {
	mkfifo -m 600 "$P"
	# "hello\n": the header "hell" announces 1819043176 bytes.
	for cmd in "recv -t 5" "listen -e"; do
		# shellcheck disable=SC2086 # $cmd is a command line
		started "$T/out" fifomsg $cmd "$P"
		timeout -k 2 10 echo hello >"$P"
		finished "$T/out"
		is_status 4
		err_is "fifomsg: ${cmd%% *}: $P: malformed stream at byte 0: frame of 1819043176 bytes is larger than --max-size 67108864"
		no_stdout
	done
	# "hi\n" is not even a whole header.
	started "$T/out" fifomsg listen -e "$P"
	timeout -k 2 10 echo hi >"$P"
	finished "$T/out"
	is_status 4
	err_is "fifomsg: listen: $P: malformed stream at byte 0: frame*cut short*"
	no_stdout
}

@test "an endless stream of empty frames: one newline each, flat memory, no spinning when idle" {
	local pid hwm1 hwm2 t1 t2 hold
	mkfifo -m 600 "$P"
	started "$T/out" fifomsg listen "$P"
	pid=$(child_of "$SPAWNED")
	# 100,000 empty frames, then 900,000 more, from a writer that stays.
	exec {hold}<>"$P"
	head -c 400000 /dev/zero >&"$hold"
	until_true 20 size_is "$T/out" 100000
	hwm1=$(hwm_kib "$pid")
	head -c 3600000 /dev/zero >&"$hold"
	until_true 60 size_is "$T/out" 1000000
	hwm2=$(hwm_kib "$pid")
	# The writer leaves: listen stays, asleep in poll(), using no CPU.
	exec {hold}>&-
	t1=$(cpu_ticks "$pid")
	sleep 1
	t2=$(cpu_ticks "$pid")
	[ -z "$(tr -d '\n' <"$T/out")" ]
	echo "VmHWM ${hwm1} kB -> ${hwm2} kB; idle CPU ticks $((t2 - t1))"
	[ $((hwm2 - hwm1)) -lt 1024 ]
	[ $((t2 - t1)) -le 5 ]
	[ -d "/proc/$pid" ]
}

@test "send -r with a malformed input stream: exit 4, only the whole frames before it are sent" {
	mkfifo -m 600 "$P"
	printf '%b' '\002\000\000\000ok' '\010\000\000\000half' >"$T/in"
	# send waits until its whole frame is read: it goes first.
	# shellcheck disable=SC2016 # for the inner shell
	spawn "$T/send" sh -c 'exec fifomsg send -r -t 5 "$1" <"$2"' sh "$P" "$T/in"
	status=0
	fm recv -r -n 2 -t 0.5 "$P" >"$T/got" 2>/dev/null || status=$?
	# recv got the whole frame, then nothing more.
	is_status 3
	[ "$(od -An -c "$T/got" | tr -d ' ')" = '002\0\0\0ok' ]
	finished "$T/send"
	is_status 4
	err_is "fifomsg: send: malformed input: stream ends inside a frame"
	# An oversized frame on input: nothing of it goes out.
	printf '%b' '\005\000\000\000' 12345 >"$T/in"
	run --separate-stderr fm send -r --max-size 4 -t 5 "$P" <"$T/in"
	is_status 4
	err_is "fifomsg: send: message of 5 bytes is larger than --max-size 4"
	run --separate-stderr fm recv -r -t 0.3 "$P"
	is_status 3
	no_stdout
}

# --------------------------------------------------------- command line

# quick CMD...: like `run --separate-stderr fm CMD...`, with fewer
# processes (there are many of these).
quick() {
	status=0
	fm "$@" >"$T/q.out" 2>"$T/q.err" </dev/null || status=$?
	output='' stderr=
	IFS= read -r -d '' output <"$T/q.out" || true
	IFS= read -r -d '' stderr <"$T/q.err" || true
	mapfile -t stderr_lines <"$T/q.err"
	output=${output%$'\n'} stderr=${stderr%$'\n'}
}

# bad_usage SUB GLOB ARGS...: "fifomsg SUB ARGS..." exits 2 with the
# message GLOB and SUB's usage line, prints nothing on stdout and does
# not create $W/new (which ARGS may name).  Each test also checks with
# `unchanged` at its end that nothing else in $W changed.
bad_usage() {
	local sub=$1 glob=$2
	shift 2
	quick "$sub" "$@"
	{
		is_status 2 &&
			usage_err "$sub" "fifomsg: $sub: $glob" &&
			no_stdout && [ ! -e "$W/new" ]
	} || { echo "for: $sub $*"; return 1; }
}

@test "unknown options: exit 2 naming the option, with a usage line" {
	snapshot
	bad_usage recv "unknown option --bogus" --bogus "$W/new"
	bad_usage recv "unknown option -x" -x "$W/new"
	bad_usage recv "unknown option -x" -vx "$W/new"
	bad_usage listen "unknown option --nope" -c --nope "$W/new"
	bad_usage send "unknown option -q" -q "$W/new" msg
	bad_usage mkpipe "unknown option -z" -z "$W/new"
	# -e and --eof belong to listen only.
	bad_usage recv "unknown option -e" -e "$W/new"
	bad_usage recv "unknown option --eof" --eof "$W/new"
	unchanged
}

@test "an option that takes no value given one: exit 2 naming the option as typed" {
	snapshot
	bad_usage recv "*--follow*" --follow=yes "$W/new"
	bad_usage listen "*--raw*" --raw=1 "$W/new"
	bad_usage send "*--no-wait*" --no-wait=1 "$W/new" msg
	unchanged
}

@test "missing option values: exit 2 'needs a value'" {
	snapshot
	bad_usage recv "option -n needs a value" -n
	bad_usage recv "option -t needs a value" -t
	bad_usage listen "option --max-size needs a value" --max-size
	bad_usage listen "option --count needs a value" --count
	bad_usage send "option -t needs a value" -t
	bad_usage mkpipe "option -m needs a value" -m
	bad_usage recv "option -m needs a value" -c -m
	unchanged
}

@test "non-numeric or negative counts and timeouts: exit 2 quoting the value; nothing created with -c" {
	local v
	snapshot
	for v in abc -1 1.5 '' 1e3 ' 5' 5x 0x10 9223372036854775808; do
		bad_usage recv "bad count '$v' (*" -c -n "$v" "$W/new"
		bad_usage listen "bad count '$v' (*" -n "$v" "$W/new"
	done
	for v in abc -1 -0.5 '' 1e3 5s .5 1. 1..2 316224001; do
		bad_usage recv "bad timeout '$v' (*" -c -t "$v" "$W/new"
		bad_usage listen "bad timeout '$v' (*" -t "$v" "$W/new"
		bad_usage send "bad timeout '$v' (*" -t "$v" "$W/new" msg
	done
	unchanged
}

@test "out-of-range sizes and modes: exit 2 quoting the value" {
	local v
	snapshot
	for v in 4G 5000000000 4294967296 4194304K 4096M 1T -1 '' 12kb; do
		bad_usage recv "bad size '$v' (*" -c --max-size "$v" "$W/new"
		bad_usage listen "bad size '$v' (*" --max-size "$v" "$W/new"
		bad_usage send "bad size '$v' (*" --max-size "$v" "$W/new" msg
	done
	for v in 1000 8 1777 -1 '' u+rw; do
		bad_usage mkpipe "bad mode '$v' (*" -m "$v" "$W/new"
		bad_usage recv "bad mode '$v' (*" -c -m "$v" "$W/new"
	done
	unchanged
	# The largest values that are allowed really are.
	mkfifo -m 600 "$P"
	run --separate-stderr fm recv --max-size 4294967295 -t 0.1 "$P"
	is_status 3
	run --separate-stderr fm recv --max-size 4194303K -n 9223372036854775807 -t 0.1 "$P"
	is_status 3
}

@test "conflicting modes: exit 2 'cannot be combined'" {
	snapshot
	bad_usage recv "*cannot be combined*" -0 -r "$W/new"
	bad_usage listen "*cannot be combined*" -r -0 "$W/new"
	bad_usage recv "*cannot be combined*" -c -r --null "$W/new"
	bad_usage send "*cannot be combined*" -w -r "$W/new"
	bad_usage send "*cannot be combined*" -0 -w "$W/new"
	bad_usage send "*cannot be combined*" -r -0 "$W/new"
	unchanged
}

@test "operands: none, a PIPE twice, or a MESSAGE with a stdin mode: exit 2" {
	snapshot
	bad_usage recv "no PIPE given"
	bad_usage listen "no PIPE given" -v
	bad_usage send "no PIPE given"
	bad_usage mkpipe "no PIPE given" -p
	bad_usage recv "*/new is given twice" "$W/new" "$W/other" "$W/new"
	bad_usage listen "*/new is given twice" -c "$W/new" "$W/new"
	bad_usage send "-w reads standard input*" -w "$W/new" msg
	bad_usage send "-r reads standard input*" -r "$W/new" msg
	bad_usage send "-0 reads standard input*" -0 "$W/new" msg
	unchanged
}

@test "-m without -c: exit 2 '-m goes with -c'" {
	snapshot
	bad_usage recv "-m goes with -c" -m 600 "$W/new"
	bad_usage listen "-m goes with -c" -e -m 644 "$W/new"
	unchanged
}

# --------------------------------------------------------------- output

@test "stdout closed: exit 1 with 'write error on standard output'" {
	local hold args
	mkfifo -m 600 "$P"
	exec {hold}<>"$P"
	fm send --no-wait "$P" a b
	run --separate-stderr closed_out recv "$P"
	is_status 1
	err_is "fifomsg: recv: write error on standard output: Bad file descriptor"
	run --separate-stderr closed_out listen -n 1 "$P"
	is_status 1
	err_is "fifomsg: listen: write error on standard output: Bad file descriptor"
	exec {hold}>&-
	for args in --help --version --list "recv --help" "listen -V"; do
		# shellcheck disable=SC2086 # $args is a command line
		run --separate-stderr closed_out $args
		is_status 1 || { echo "for: $args"; return 1; }
		err_is "fifomsg: *write error on standard output: Bad file descriptor" ||
			{ echo "for: $args"; return 1; }
	done
}

@test "stdin closed: send exits 1 naming standard input, instead of reading its own pipe forever" {
	local hold
	mkfifo -m 600 "$P"
	exec {hold}<>"$P"
	run --separate-stderr closed_in send -t 1 "$P"
	is_status 1
	err_is "fifomsg: send: standard input: Bad file descriptor"
	# Nothing was sent.
	run --separate-stderr fm recv -t 0.2 "$P"
	exec {hold}>&-
	is_status 3
	no_stdout
}

@test "stdin and stdout closed: recv reports the write error, instead of exiting 0 with the message lost" {
	local hold
	mkfifo -m 600 "$P"
	exec {hold}<>"$P"
	fm send --no-wait "$P" message
	run --separate-stderr closed_io recv -t 1 "$P"
	exec {hold}>&-
	is_status 1
	err_is "fifomsg: recv: write error on standard output: Bad file descriptor"
}

@test "stdout on a full disk (/dev/full): exit 1 with 'No space left on device'" {
	local hold args
	[ -w /dev/full ] || skip "no /dev/full"
	mkfifo -m 600 "$P"
	exec {hold}<>"$P"
	fm send --no-wait "$P" a b c
	run --separate-stderr full_out recv "$P"
	is_status 1
	err_is "fifomsg: recv: write error on standard output: No space left on device"
	run --separate-stderr full_out listen -n 2 "$P"
	is_status 1
	err_is "fifomsg: listen: write error on standard output: No space left on device"
	exec {hold}>&-
	for args in --help --version --list "send --help" "mkpipe -V"; do
		# shellcheck disable=SC2086 # $args is a command line
		run --separate-stderr full_out $args
		is_status 1 || { echo "for: $args"; return 1; }
		err_is "fifomsg: *write error on standard output: No space left on device" ||
			{ echo "for: $args"; return 1; }
	done
}

@test "stdout a pipe whose reader exits (| head -1): status 141, no 'Broken pipe' noise" {
	local cmd
	mkfifo -m 600 "$P"
	for cmd in "listen" "recv -n 200000"; do
		# shellcheck disable=SC2016 # for the inner shell
		spawn "$T/send" sh -c 'seq 200000 | fifomsg send -t 2 "$1"' sh "$P"
		# shellcheck disable=SC2016 # expanded by the inner shell
		run --separate-stderr timeout 20 bash -c '
			fifomsg $1 "$2" 2>"$3" | head -n 1
			echo "status ${PIPESTATUS[0]}"' bash "$cmd" "$P" "$T/err"
		[ "$status" -eq 0 ]
		[[ ${lines[0]} =~ ^[0-9]+$ ]]
		[ "${lines[1]}" = "status 141" ]
		[ ! -s "$T/err" ] || { cat "$T/err"; false; }
	done
}

# ----------------------------------------------------------- -c safety

@test "-c on an existing FIFO owned by another user: refused, left as it was" {
	[ "$EUID" -eq 0 ] || skip "making a FIFO owned by another user needs root"
	mkfifo -m 600 "$W/theirs"
	chown 65534 "$W/theirs"
	snapshot
	for sub in recv listen; do
		run --separate-stderr fm "$sub" -c -t 1 "$W/theirs"
		is_status 1
		err_is "fifomsg: $sub: $W/theirs: refusing to use a FIFO owned by uid 65534 with -c"
		no_stdout
	done
	unchanged
}

@test "-c on a group- or other-writable FIFO: refused unless -m allows it; never removed" {
	mkfifo -m 666 "$W/open"
	mkfifo -m 620 "$W/group"
	snapshot
	run --separate-stderr fm recv -c -t 1 "$W/open"
	is_status 1
	err_is "fifomsg: recv: $W/open: refusing to use a FIFO writable by others (mode 666) with -c*"
	run --separate-stderr fm listen -c -m 600 -t 1 "$W/group"
	is_status 1
	err_is "fifomsg: listen: $W/group: refusing to use a FIFO writable by others (mode 620) with -c*"
	run --separate-stderr fm recv -c -m 644 -t 1 "$W/open"
	is_status 1
	unchanged
	# Allowed by -m: used, and not removed (-c did not create it).
	spawn "$T/out" fifomsg recv -c -m 666 -t 5 "$W/open"
	reader_ready "$W/open"
	fm send -t 5 "$W/open" welcome
	finished "$T/out"
	is_status 0
	[ "$output" = welcome ]
	[ "$(stat -c '%F %a' "$W/open")" = "fifo 666" ]
}

@test "-c on a path that is not a FIFO: refused, nothing replaced or followed" {
	printf 'precious\n' >"$W/file"
	ln -s file "$W/link"
	mkdir "$W/dir"
	snapshot
	run --separate-stderr fm recv -c -t 1 "$W/file"
	is_status 1
	err_is "fifomsg: recv: $W/file: not a FIFO (it is a regular file)"
	run --separate-stderr fm listen -c -t 1 "$W/link"
	is_status 1
	err_is "fifomsg: listen: $W/link: is a symbolic link*"
	run --separate-stderr fm listen -c -t 1 "$W/dir"
	is_status 1
	err_is "fifomsg: listen: $W/dir: not a FIFO (it is a directory)"
	unchanged
}

# ---------------------------------------------------------- descriptors

# fds_of PID: "FD TARGET CLOEXEC" for each descriptor above 2.
fds_of() {
	local fd flags
	for fd in /proc/"$1"/fd/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] || continue
		flags=$(awk '/^flags:/ { print $2 }' "/proc/$1/fdinfo/$fd")
		echo "$fd $(readlink "/proc/$1/fd/$fd") $(((8#$flags & 8#2000000) != 0))"
	done
}

# only_pipe_and_selfpipe PID [N [PATTERN]]: besides 0-2 (and descriptors
# whose line matches PATTERN), the FIFO N times (1) and one anonymous
# pipe's two ends, all close-on-exec.
only_pipe_and_selfpipe() {
	local fds n=${2:-1}
	fds=$(fds_of "$1" | grep -v "${3:-^$}")
	echo "$fds"
	[ "$(wc -l <<<"$fds")" -eq $((n + 2)) ]
	[ "$(grep -c " $P 1$" <<<"$fds")" -eq "$n" ]
	[ "$(grep -c ' pipe:\[[0-9]*\] 1$' <<<"$fds")" -eq 2 ]
	[ "$(grep ' pipe:' <<<"$fds" | cut -d' ' -f2 | sort -u | wc -l)" -eq 1 ]
}

@test "a running listen holds only 0-2, the FIFO twice (read end, own write end) and its self-pipe, all close-on-exec" {
	mkfifo -m 600 "$P"
	started "$T/out" "${CLEAN_FDS[@]}" fifomsg listen "$P"
	only_pipe_and_selfpipe "$(child_of "$SPAWNED")" 2
}

@test "a send waiting for its reader holds only 0-2, the FIFO once, its self-pipe and an inotify watch" {
	local pid
	mkfifo -m 600 "$P"
	spawn "$T/out" "${CLEAN_FDS[@]}" fifomsg send "$P" waiting
	pid=$(child_of "$SPAWNED")
	until_true 5 has_open "$pid" "$P"
	# (On Linux it sleeps on an inotify watch of the FIFO until read.)
	only_pipe_and_selfpipe "$pid" 1 ' anon_inode:inotify 1$'
}

@test "an --exec command inherits only stdin, stdout and stderr" {
	fifomsg listen --help | grep -q -- --exec ||
		skip "listen has no --exec"
	mkfifo -m 600 "$P"
	# The command's shell looks at its own descriptors with builtins
	# only: a pipeline or a glob would open descriptors of its own, and
	# an ls of /proc/$$/fd would see the shell's pipes come and go.
	# shellcheck disable=SC2016 # for the command's shell
	started "$T/out" "${CLEAN_FDS[@]}" fifomsg listen -n 1 --exec '
		i=0
		while [ "$i" -lt 1024 ]; do
			if [ -h "/proc/self/fd/$i" ]; then printf "%s " "$i"; fi
			i=$((i + 1))
		done' "$P"
	fm send -t 5 "$P" message
	finished "$T/out"
	is_status 0
	[ "$output" = "0 1 2 " ]
}
