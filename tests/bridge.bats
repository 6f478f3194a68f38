#!/usr/bin/env bats
# Bridging two hosts: the raw frame stream of "listen -r" carried by a
# network transport into "send -r" on the other side, as the README
# shows:
#
#   host 1:  fifomsg listen -r a | socat -u - TCP:HOST2:PORT
#   host 2:  socat -u TCP-LISTEN:PORT,reuseaddr - | fifomsg send -r b
#
# Both ends run here, over 127.0.0.1.  The listening socat binds port 0,
# so the kernel picks a free port, read back from socat's own log.

# The pipelines run by "bash -c" are single-quoted on purpose.
# shellcheck disable=SC2016

load helpers

bats_require_minimum_version 1.5.0

export LC_ALL=C

need_socat() {
	command -v socat >/dev/null ||
		skip "socat is not installed: it is the transport these tests use"
}

need_python() {
	command -v python3 >/dev/null ||
		skip "python3 is not installed: it writes the test's frames"
}

# far_end PIPE: the receiving host: a socat listening on 127.0.0.1 feeding
# "send -r PIPE".  Sets PORT; the pipeline's pid is in FAR (its output in
# $T/far, errors in $T/far.err).
far_end() {
	spawn "$T/far" bash -c '
		socat -d -d -u TCP-LISTEN:0,bind=127.0.0.1,reuseaddr - \
			2>"$1" | fifomsg send -r "$2"' _ "$T/socat.log" "$1"
	FAR=$SPAWNED
	until_true 10 grep -qs 'listening on' "$T/socat.log"
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' \
		"$T/socat.log")
	[ -n "$PORT" ]
}

# near_end PIPE [LISTEN-OPTION...]: the sending host: "listen -r PIPE"
# into a socat connected to PORT.  Its pid is in NEAR.
near_end() {
	local pipe=$1
	shift
	spawn "$T/near" bash -c '
		port=$1 pipe=$2
		shift 2
		fifomsg listen -r "$@" "$pipe" |
			socat -u - "TCP:127.0.0.1:$port"' _ "$PORT" "$pipe" "$@"
	NEAR=$SPAWNED
	reader_ready "$pipe"
}

@test "200 messages, binary, empty and large, cross the TCP bridge intact and in order" {
	need_socat
	need_python
	fm mkpipe "$T/a" "$T/b"
	# The messages: text, empty, every byte value, random binary of
	# many sizes, one larger than any pipe or socket buffer; framed by a
	# few lines of Python, not by fifomsg.
	python3 - "$T/in1" "$T/in2" <<'EOF'
import os, struct, sys
msgs = []
for i in range(200):
    k = i % 10
    if i == 101:
        m = os.urandom(300000)
    elif k == 0:
        m = b""
    elif k == 3:
        m = bytes(range(256))
    elif k == 6:
        m = os.urandom(i * 37 % 5000 + 1)
    elif k == 9:
        m = b"line 1\nline 2\r\n\n"
    else:
        m = b"message %d: text" % i
    msgs.append(struct.pack("<I", len(m)) + m)
for path, part in zip(sys.argv[1:], (msgs[:100], msgs[100:])):
    with open(path, "wb") as f:
        f.write(b"".join(part))
EOF
	cat "$T/in1" "$T/in2" >"$T/in"

	spawn "$T/out" fifomsg listen -r -n 200 "$T/b"
	consumer=$SPAWNED
	reader_ready "$T/b"
	far_end "$T/b"
	near_end "$T/a" -n 200
	# Two writers, one after the other: the bridge outlives them.
	run --separate-stderr fm send -r "$T/a" <"$T/in1"
	is_status 0
	run --separate-stderr fm send -r "$T/a" <"$T/in2"
	is_status 0

	wait_pid "$consumer"
	cmp "$T/in" "$T/out"
	[ ! -s "$T/out.err" ]
	# The near end stops after 200 messages, and with it the whole
	# bridge: every part exits 0.
	wait_pid "$NEAR"
	wait_pid "$FAR"
	[ ! -s "$T/near.err" ]
	[ ! -s "$T/far.err" ]
}

@test "the README recipe: lines sent on one side come out of recv -n on the other" {
	need_socat
	fm mkpipe "$T/a" "$T/b"
	seq -f 'line %g of 50' 50 >"$T/lines"
	spawn "$T/out" fifomsg recv -n 50 "$T/b"
	consumer=$SPAWNED
	reader_ready "$T/b"
	far_end "$T/b"
	near_end "$T/a"
	run --separate-stderr fm send "$T/a" <"$T/lines"
	is_status 0
	[ -z "$stderr" ]
	wait_pid "$consumer"
	diff "$T/lines" "$T/out"
	# listen without -n keeps the bridge up for the next writer.
	kill -0 "$NEAR"
	spawn "$T/out2" fifomsg recv "$T/b"
	consumer=$SPAWNED
	run --separate-stderr fm send "$T/a" 'one more'
	is_status 0
	wait_pid "$consumer"
	[ "$(cat "$T/out2")" = 'one more' ]
}

@test "a stream cut inside a frame fails the far end with exit 4; whole messages before it arrive" {
	need_socat
	fm mkpipe "$T/b"
	{
		le32 5 && printf first
		le32 6 && printf second
		le32 100 && printf 'only ten b'
	} >"$T/cut"
	spawn "$T/out" fifomsg recv -n 2 "$T/b"
	consumer=$SPAWNED
	reader_ready "$T/b"
	far_end "$T/b"
	run --separate-stderr timeout 10 socat -u - "TCP:127.0.0.1:$PORT" \
		<"$T/cut"
	is_status 0
	wait_pid "$consumer"
	[ "$(cat "$T/out")" = $'first\nsecond' ]
	status=0
	wait_pid "$FAR" || status=$?
	is_status 4
	grep -q '^fifomsg: send: malformed input: stream ends inside a frame' \
		"$T/far.err"
	# Nothing of the cut frame was passed on.
	run --separate-stderr fm recv -r -t 0.3 "$T/b"
	is_status 3
	[ -z "$output" ]
}
