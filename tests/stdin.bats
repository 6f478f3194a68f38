#!/usr/bin/env bats
# recv and listen with PIPE "-": frames read from standard input, whatever
# it is (pipe, FIFO, file, terminal, socket); its end ends the reading;
# recv still never reads past the messages it prints; "./-" is a file.
# And a WebExtensions native-messaging host, driven as a browser does.
# shellcheck disable=SC2154,SC2016 # bats sets $output, $status, $stderr;
# the scripts given to sh -c and bash -c expand their own arguments
load helpers
load bridges

bats_require_minimum_version 1.5.0

@test "listen - prints the messages of a pipe on standard input and exits 0 at its end" {
	run --separate-stderr bash -c 'printf "\3\0\0\0one\0\0\0\0\3\0\0\0two" |
		timeout 20 fifomsg listen -'
	is_status 0
	[ "$output" = $'one\n\ntwo' ]
	[ -z "$stderr" ]
}

@test "listen - reads a regular file and a socket to their end" {
	frames a bb '' >"$T/in"
	fm listen -v - <"$T/in" >"$T/out" 2>"$T/err"
	printf 'a\nbb\n\n' | cmp - "$T/out"
	grep -q '3 messages' "$T/err"
	# A socket whose writer shuts down its side at the end.
	tm "$PYTHON" -c 'import socket, subprocess, sys
a, b = socket.socketpair()
p = subprocess.Popen(["fifomsg", "listen", "-r", "-"], stdin=b,
                     stdout=open(sys.argv[2], "wb"))
b.close()
a.sendall(open(sys.argv[1], "rb").read())
a.shutdown(socket.SHUT_WR)
sys.exit(p.wait())' "$T/in" "$T/out"
	cmp "$T/in" "$T/out"
}

@test "recv - never reads past the messages it prints: the rest stays for the next reader (pipe and file)" {
	frames one two three four >"$T/in"
	tm bash -c '{ fifomsg recv -; fifomsg recv -n 2 -; cat; } <"$1" >"$2"' _ \
		"$T/in" "$T/file"
	tm bash -c 'cat "$1" | { fifomsg recv -; fifomsg recv -n 2 -; cat; } >"$2"' _ \
		"$T/in" "$T/pipe"
	{ printf 'one\ntwo\nthree\n'; frames four; } >"$T/want"
	cmp "$T/want" "$T/file"
	cmp "$T/want" "$T/pipe"
}

@test "recv - before COUNT messages came: exit 1 at the end of input, the ones that came printed" {
	frames a b >"$T/in"
	run --separate-stderr fm recv -n 3 - <"$T/in"
	is_status 1
	[ "$output" = $'a\nb' ]
	[ "$stderr" = "fifomsg: recv: -: end of input after 2 of 3 messages" ]
	run --separate-stderr fm recv - </dev/null
	is_status 1
	# listen -n stops early at the end, as with -e.
	run --separate-stderr fm listen -n 3 - <"$T/in"
	is_status 0
	[ "$output" = $'a\nb' ]
}

@test "PIPE -: a frame cut short by the end of input is a malformed stream (exit 4)" {
	{ frames whole; le32 9; printf half; } >"$T/in"
	run --separate-stderr fm listen - <"$T/in"
	is_status 4
	[ "$output" = whole ]
	[[ $stderr == "fifomsg: listen: -: malformed stream at byte 9: frame of 9 bytes cut short after 4 of them"* ]]
}

@test "PIPE -: -c is a usage error; -e, --max-size and -n keep their meaning" {
	run --separate-stderr fm listen -c - </dev/null
	is_status 2
	[[ $stderr == "fifomsg: listen: -c cannot be used with PIPE - (standard input)"* ]]
	run --separate-stderr fm recv -c - </dev/null
	is_status 2
	run --separate-stderr fm listen - "$T/other" </dev/null
	is_status 2
	[[ $stderr == "fifomsg: listen: PIPE - (standard input) cannot be combined with other pipes"* ]]
	frames abc abcdef >"$T/in"
	run --separate-stderr fm listen -e --max-size 4 - <"$T/in"
	is_status 4
	[ "$output" = abc ]
	run --separate-stderr fm listen -n 1 - <"$T/in"
	is_status 0
	[ "$output" = abc ]
}

@test "PIPE -: -t bounds the wait for a message on a pipe that stays open" {
	local hold
	mkfifo "$T/in"
	spawn "$T/out" sh -c 'exec fifomsg recv -t 0.3 - <"$0"' "$T/in"
	exec {hold}>"$T/in"
	ended "$SPAWNED"
	exec {hold}>&-
	is_status 3
	grep -q 'timed out after 0 of 1 messages' "$T/out.err"
}

@test "PIPE -: a FIFO on standard input gets the reader lock; a message shows before the next arrives" {
	local hold
	mkfifo "$T/in"
	spawn "$T/out" sh -c 'exec fifomsg listen - <"$0"' "$T/in"
	exec {hold}>"$T/in"
	reader_ready "$T/in"
	frames first >&"$hold"
	until_true 10 grep -qx first "$T/out"
	exec {hold}>&-
	ended "$SPAWNED"
	is_status 0
}

@test "PIPE -: a terminal on standard input: each message shows as it is typed, ^D ends listen" {
	local hold
	mkfifo "$T/keys"
	spawn "$T/out" sh -c 'exec "$PYTHON" "$1" fifomsg listen --format "<%s>\n" - <"$0"' \
		"$T/keys" "$BATS_TEST_DIRNAME/pty.py"
	exec {hold}>"$T/keys"
	# Canonical mode: a frame of 10 bytes ("\n" is its header's first
	# byte: no control character), typed in two lines.
	printf '\n\0\0\0abcdefghi\n' >&"$hold"
	until_true 10 grep -qx '<abcdefghi' "$T/out"
	exec {hold}>&-
	ended "$SPAWNED"
	is_status 0
	printf '<abcdefghi\n>\n' | cmp - "$T/out"
}

@test "PIPE -: -t bounds the wait on a terminal too (a descriptor that blocks)" {
	local hold
	mkfifo "$T/keys"
	spawn "$T/out" sh -c 'exec "$PYTHON" "$1" fifomsg recv -t 0.3 - <"$0"' \
		"$T/keys" "$BATS_TEST_DIRNAME/pty.py"
	exec {hold}>"$T/keys"
	# pty.py itself ends only at the end of its own input.
	until_true 10 grep -q 'timed out after 0 of 1 messages' "$T/out.err"
	exec {hold}>&-
	ended "$SPAWNED"
	is_status 3
}

@test "PIPE ./- is a FIFO named -, not standard input" {
	mkfifo "$T/-"
	spawn "$T/out" env -C "$T" fifomsg recv ./- </dev/null
	reader_ready "$T/-"
	fm send "$T/-" from-the-fifo
	ended "$SPAWNED"
	is_status 0
	[ "$(cat "$T/out")" = from-the-fifo ]
}

# The browser's side of native messaging: frames of JSON on the host's
# standard input, one frame each way per request, then its input closed.
@test "README: a native-messaging host in shell answers framed JSON and exits 0 when the browser closes its input" {
	recipe native-host >"$T/host.sh"
	[ -s "$T/host.sh" ]
	chmod +x "$T/host.sh"
	frames '{"text":"hello"}' '"plain string"' '{"text":"a\nb\u0000c"}' >"$T/in"
	tm bash "$T/host.sh" <"$T/in" >"$T/out"
	frames '{"echo":{"text":"hello"}}' '{"echo":"plain string"}' \
		'{"echo":{"text":"a\nb\u0000c"}}' | cmp - "$T/out"
}
