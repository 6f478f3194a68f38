# Shared by the bridge-*.bats files: real brokers started on free loopback
# ports, the awkward messages every bridge must carry, and the README's
# recipes run as the tests' pipelines.
# shellcheck shell=bash

BRIDGE_DIR=$BATS_TEST_DIRNAME/..
# A broker and its clients move 10000 messages far slower than a pipe,
# and slower still on a loaded machine: three times helpers.bash's budget
# for every command, more for the servers (stopped in teardown anyway).
FM_TIMEOUT=$((FM_TIMEOUT * 3))
SERVER_TIMEOUT=${SERVER_TIMEOUT:-180}

# need CMD...: skip when a tool is missing; under CI a missing tool is a
# missing install step in .ci/run, so it fails instead.
need() {
	local c
	for c; do
		command -v "$c" >/dev/null 2>&1 && continue
		if [ -n "${CI-}" ]; then
			echo "$c is not installed, and CI must run this test" >&2
			return 1
		fi
		skip "$c is not installed"
	done
}

# helpers.bash's setup, with contrib/ on PATH as the README asks.
eval "helpers_$(declare -f setup)"
setup() {
	helpers_setup
	PATH=$BRIDGE_DIR/contrib:$PATH
	STOPPED=()
}

# helpers.bash's teardown, after waking what a test stopped (SIGSTOP) so
# that it can take its SIGTERM.
eval "helpers_$(declare -f teardown)"
teardown() {
	local p
	for p in ${STOPPED[@]+"${STOPPED[@]}"}; do
		kill -CONT "$p" 2>/dev/null || true
	done
	helpers_teardown
}

# free_port: a TCP port nobody listens on, on 127.0.0.1.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# port_open PORT: something listens on PORT (without connecting to it: a
# listener that serves one connection, like socat's, would take it).
port_open() {
	local hex
	hex=$(printf '%04X' "$1")
	grep -qs "^ *[0-9]*: [0-9A-F]*:$hex [0-9A-F]*:0000 0A " \
		/proc/net/tcp /proc/net/tcp6
}

# serve LOG CMD...: a server in the background (pid in PIDS, so teardown
# stops it), output in LOG.
serve() {
	local log=$1
	shift
	timeout -k 2 "$SERVER_TIMEOUT" "$@" >"$log" 2>&1 3>&- &
	PIDS+=("$!")
}

# child_of PID: the command that timeout PID runs (to stop it, not timeout).
child_of() {
	local c
	until_true 10 pgrep -P "$1" >/dev/null || return 1
	c=$(pgrep -P "$1")
	echo "$c"
}

# recipe NAME: the shell block marked <!-- test: NAME --> in README.md.
recipe() {
	awk -v name="$1" '
		inside && /^```$/ { exit }
		inside { print; next }
		$0 == "<!-- test: " name " -->" { want = 1; next }
		want && /^```[a-z]*$/ { inside = 1; next }
		want && !/^$/ { exit }
	' "$BRIDGE_DIR/README.md"
}

# run_recipe OUT NAME [SED-SCRIPT]: the recipe, its endpoints rewritten by
# SED-SCRIPT, in the background in $T (like spawn: pid in SPAWNED).
run_recipe() {
	local script
	script=$(recipe "$2" | sed "${3:-}")
	[ -n "$script" ] || {
		echo "README.md has no recipe $2" >&2
		return 1
	}
	printf '%s\n' "$script" >"$T/$2.sh"
	spawn "$1" env -C "$T" bash -o pipefail "$T/$2.sh"
}

# messages OUT KIND...: the frames of the test messages of these kinds.
#   empty  the empty message         space   leading, inner and trailing spaces
#   nul    NUL bytes inside          newline newlines inside and at the end
#   bytes  all 256 byte values       big     100 KiB
#   many   10000 small ones, numbered
messages() {
	python3 - "$@" <<'PY'
import struct, sys
kinds = {
    "empty": [b""],
    "space": [b"  two  spaces  "],
    "nul": [b"a\0b", b"\0"],
    "newline": [b"line 1\nline 2\n\n"],
    "bytes": [bytes(range(256))],
    "big": [bytes(65 + i % 26 for i in range(100 * 1024))],
    "many": [b"small %05d" % i for i in range(10000)],
}
with open(sys.argv[1], "wb") as f:
    for k in sys.argv[2:]:
        for m in kinds[k]:
            f.write(struct.pack("<I", len(m)) + m)
PY
}

# count_frames FILE: how many frames FILE holds.
count_frames() {
	python3 - "$1" <<'PY'
import struct, sys
d, i, n = open(sys.argv[1], "rb").read(), 0, 0
while i < len(d):
    i += 4 + struct.unpack("<I", d[i:i + 4])[0]
    n += 1
print(n)
PY
}

# same_frames WANT GOT: identical frame streams, or say how they differ.
same_frames() {
	cmp -s "$1" "$2" && return 0
	echo "want $(count_frames "$1") frames, got $(count_frames "$2");" \
		"first difference: $(cmp "$1" "$2" 2>&1)" >&2
	return 1
}

# through KINDS...: these messages, sent into pipe events, come out of
# pipe inbox (with the bridge's recipes already running).
through() {
	messages "$T/want" "$@"
	spawn "$T/got" fifomsg listen -r -n "$(count_frames "$T/want")" \
		"$T/inbox"
	local got=$SPAWNED
	run --separate-stderr fm send -r "$T/events" <"$T/want"
	is_status 0
	wait_pid "$got"
	same_frames "$T/want" "$T/got"
}
