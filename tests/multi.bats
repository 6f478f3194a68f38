#!/usr/bin/env bats
# listen and recv on several pipes at once (fifomsg-listen(1),
# fifomsg-recv(1)): each message whole and named by its pipe, no pipe
# starved by a busy one, writers coming and going on each, -e and -c over
# all of them, the same pipe twice refused, recv's work-queue bound over
# every pipe, no CPU while idle, and the stop rules with several pipes.
# (bats sets $status; --exec scripts are single-quoted.)
# shellcheck disable=SC2154,SC2016
load helpers

bats_require_minimum_version 1.5.0

setup() {
	fm_setup
	A=$T/a
	B=$T/b
	C=$T/c
}

# took PID N: PID has read N bytes or more.
took() {
	[ "$(rchar "$1")" -ge "$2" ]
}

# ready_all PIPE...: a reader holds the lock of every one.
ready_all() {
	local p
	for p; do
		reader_ready "$p" || return 1
	done
}

# queued PIPE N: PIPE holds N bytes not yet read (through a write end
# that does not block: a sender still has it open).
queued() {
	[ "$("$PYTHON" -c '
import fcntl, os, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
buf = fcntl.ioctl(fd, termios.FIONREAD, struct.pack("i", 0))
print(struct.unpack("i", buf)[0])' "$1")" -ge "$2" ]
}

# --- each message whole, named by its pipe -----------------------------------

@test "listen A B C: messages from three pipes all arrive, each with its own FIFOMSG_PIPE" {
	fm mkpipe "$A" "$B" "$C"
	spawn "$T/got" fifomsg listen -n 6 \
		--exec 'printf "%s:" "$FIFOMSG_PIPE"; cat; echo' "$A" "$B" "$C"
	local l=$SPAWNED
	ready_all "$A" "$B" "$C"
	fm send "$A" a1
	fm send "$B" b1
	fm send "$C" c1
	fm send "$C" c2
	fm send "$B" b2
	fm send "$A" a2
	ended "$l"
	is_status 0
	[ ! -s "$T/got.err" ]
	printf '%s\n' "$A:a1" "$B:b1" "$C:c1" "$C:c2" "$B:b2" "$A:a2" >"$T/want"
	cmp "$T/want" "$T/got"
}

@test "listen A B: B's message waits while a large message from A is half-read, and both come out whole" {
	local big=$T/big
	head -c 300000 /dev/urandom | base64 -w 0 >"$big"
	{ le32 "$(stat -c %s "$big")"; head -c 200000 "$big"; } >"$T/head"
	tail -c +200001 "$big" >"$T/tail"
	mkfifo "$T/gate"
	fm mkpipe "$A" "$B"
	spawn "$T/got" fifomsg listen -n 2 "$A" "$B"
	local l=$SPAWNED
	kid "$l"
	local lk=$KID
	ready_all "$A" "$B"
	local base
	base=$(rchar "$lk")
	spawn "$T/w" sh -c 'exec >"$3"; cat "$1"; read -r _ <"$2"; cat "$4"' \
		sh "$T/head" "$T/gate" "$A" "$T/tail"
	until_true 10 took "$lk" $((base + 200004))
	spawn "$T/sb" fifomsg send "$B" small
	until_true 10 queued "$B" 9
	echo go >"$T/gate"
	ended "$l"
	is_status 0
	{ cat "$big"; echo; echo small; } | cmp - "$T/got"
}

# --- no starvation --------------------------------------------------------

@test "listen A B: a flood on A does not keep B's message waiting until the flood ends" {
	local flood=$T/flood n at
	"$PYTHON" -c '
import sys
for i in range(16000):
    sys.stdout.write("flood %06d %s\n" % (i, "x" * 40))' >"$flood"
	fm mkpipe "$A" "$B"
	spawn "$T/got" fifomsg listen -e "$A" "$B"
	local l=$SPAWNED
	kid "$l"
	local lk=$KID
	ready_all "$A" "$B"
	# listen is stopped until the whole flood (900 KB) is in A, made
	# large enough to hold it, and B's message has come: a reader that
	# favoured A would read it all before looking at B.
	kill -STOP "$lk"
	"$PYTHON" -c '
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
fcntl.fcntl(fd, 1031, 1 << 20)  # F_SETPIPE_SZ' "$A" ||
		skip "cannot make a pipe of 1 MiB"
	spawn "$T/sa" sh -c 'exec fifomsg send "$1" <"$2"' sh "$A" "$flood"
	local sa=$SPAWNED
	until_true 10 queued "$A" $((16000 * 57))
	spawn "$T/sb" fifomsg send "$B" quiet
	local sb=$SPAWNED
	until_true 10 queued "$B" 9
	kill -CONT "$lk"
	wait_pid "$sa"
	wait_pid "$sb"
	ended "$l"
	is_status 0
	n=$(wc -l <"$flood")
	[ "$(wc -l <"$T/got")" -eq $((n + 1)) ]
	at=$(grep -nx quiet "$T/got" | cut -d: -f1)
	# After one read of A (64 KiB, about 1150 messages), long before
	# the end of the flood.
	echo "quiet at line $at of $((n + 1))"
	[ "$at" -lt 4000 ]
	grep -vx quiet "$T/got" | cmp - "$flood"
}

# --- writers come and go; -e; -c --------------------------------------------

@test "listen A B: writers come and go on each pipe independently" {
	local i
	fm mkpipe "$A" "$B"
	spawn "$T/got" fifomsg listen -n 20 "$A" "$B"
	local l=$SPAWNED
	ready_all "$A" "$B"
	for i in $(seq 5); do
		fm send "$A" "a$i"
		fm send "$B" "b$i"
		fm send "$B" "b$i.2"
		fm send "$A" "a$i.2"
	done
	ended "$l"
	is_status 0
	for i in $(seq 5); do
		printf '%s\n' "a$i" "b$i" "b$i.2" "a$i.2"
	done | cmp - "$T/got"
}

@test "listen -e A B exits only when the last writer of every pipe has left" {
	fm mkpipe "$A" "$B"
	spawn "$T/got" fifomsg listen -e "$A" "$B"
	local l=$SPAWNED
	ready_all "$A" "$B"
	fm send "$A" one
	until_true 10 lines_in "$T/got" 1
	# A has ended; B never had a writer: still listening.
	sleep 0.3
	kill -0 "$l"
	fm send "$B" two
	ended "$l"
	is_status 0
	[ "$(cat "$T/got")" = "$(printf 'one\ntwo')" ]
}

@test "listen -c A B C creates every pipe and removes them all at exit" {
	spawn "$T/got" fifomsg listen -c -n 1 "$A" "$B" "$C"
	local l=$SPAWNED
	ready_all "$A" "$B" "$C"
	[ -p "$A" ]
	[ -p "$B" ]
	[ -p "$C" ]
	fm send "$B" hello
	ended "$l"
	is_status 0
	[ "$(cat "$T/got")" = hello ]
	[ ! -e "$A" ]
	[ ! -e "$B" ]
	[ ! -e "$C" ]
}

@test "listen -c A B where B cannot be made: exit 1, and A is removed again" {
	run --separate-stderr fm listen -c "$A" "$T/no/such/dir/b"
	is_status 1
	[[ $stderr == *"$T/no/such/dir/b"* ]]
	[ ! -e "$A" ]
}

# --- the same pipe twice ---------------------------------------------------

@test "listen A A and recv A A: a usage error" {
	local cmd
	fm mkpipe "$A"
	for cmd in listen recv; do
		run --separate-stderr fm "$cmd" -t 1 "$A" "$B" "$A"
		is_status 2
		[ "${stderr%%$'\n'*}" = "fifomsg: $cmd: $A is given twice" ]
	done
}

@test "listen A L where L is another name of A: a usage error naming both" {
	fm mkpipe "$A"
	ln "$A" "$T/link"
	run --separate-stderr fm listen -t 1 "$A" "$T/link"
	is_status 2
	[ "$stderr" = "fifomsg: listen: $A and $T/link are the same pipe" ]
	run --separate-stderr fm recv -t 1 "$A" "$T/./a"
	is_status 2
	[ "$stderr" = "fifomsg: recv: $A and $T/./a are the same pipe" ]
}

# --- recv's work-queue rule over several pipes --------------------------------

@test "recv -n 3 A B reads no byte beyond the three messages it prints, on any pipe" {
	fm mkpipe "$A" "$B"
	spawn "$T/sa" fifomsg send "$A" a1 a2 a3 a4
	spawn "$T/sb" fifomsg send "$B" b1 b2 b3
	until_true 10 queued "$A" 24
	until_true 10 queued "$B" 18
	run --separate-stderr fm recv -n 3 "$A" "$B"
	is_status 0
	printf '%s\n' "$output" >"$T/first"
	[ "$(wc -l <"$T/first")" -eq 3 ]
	# Every other message is still there, in its order.
	run --separate-stderr fm recv -n 4 -t 5 "$A" "$B"
	is_status 0
	printf '%s\n' "$output" >"$T/second"
	sort "$T/first" "$T/second" | tr '\n' ' ' >"$T/all"
	[ "$(cat "$T/all")" = "a1 a2 a3 a4 b1 b2 b3 " ]
	grep a "$T/first" "$T/second" | cut -d: -f2 | tr -d '\n' >"$T/aorder"
	[ "$(cat "$T/aorder")" = a1a2a3a4 ]
	grep b "$T/first" "$T/second" | cut -d: -f2 | tr -d '\n' >"$T/border"
	[ "$(cat "$T/border")" = b1b2b3 ]
}

@test "recv A B takes one message from whichever pipe has one, and no byte more from either" {
	fm mkpipe "$A" "$B"
	spawn "$T/sb" fifomsg send "$B" b1 b2
	until_true 10 queued "$B" 12
	spawn "$T/sa" fifomsg send "$A" a1
	until_true 10 queued "$A" 6
	# B first: the one with more than one message is read first.
	run --separate-stderr fm recv "$B" "$A"
	is_status 0
	local first=$output
	[ "$first" = a1 ] || [ "$first" = b1 ]
	run --separate-stderr fm recv -n 2 -t 5 "$A" "$B"
	is_status 0
	printf '%s\n' "$first" "$output" | sort | tr '\n' ' ' >"$T/all"
	[ "$(cat "$T/all")" = "a1 b1 b2 " ]
}

# --- idle CPU ------------------------------------------------------------------

@test "listen on 64 pipes costs no CPU while they are idle" {
	local i pipes=() pid before
	for i in $(seq 64); do
		pipes+=("$T/p$i")
	done
	fm mkpipe "${pipes[@]}"
	spawn "$T/got" fifomsg listen "${pipes[@]}"
	local l=$SPAWNED
	kid "$l"
	pid=$KID
	ready_all "${pipes[@]}"
	# Writers came and went on some of them: no POLLHUP spin after that.
	for i in 1 17 64; do
		fm send "$T/p$i" "m$i"
	done
	until_true 10 lines_in "$T/got" 3
	before=$(cpu_ticks "$pid")
	sleep 1.5
	[ $(($(cpu_ticks "$pid") - before)) -le 5 ]
	kill -0 "$pid"
}

# --- stopping with several pipes --------------------------------------------

@test "a first signal mid-frame on A: A's frame is finished and printed, B's message stays in B, exit 143" {
	fm mkpipe "$A" "$B"
	{ le32 10; printf abcde; } >"$T/head"
	printf fghij >"$T/tail"
	mkfifo "$T/gate"
	spawn "$T/got" fifomsg listen "$A" "$B"
	local l=$SPAWNED
	kid "$l"
	local lk=$KID
	ready_all "$A" "$B"
	local base
	base=$(rchar "$lk")
	spawn "$T/w" sh -c 'exec >"$3"; cat "$1"; read -r _ <"$2"; cat "$4"' \
		sh "$T/head" "$T/gate" "$A" "$T/tail"
	until_true 10 took "$lk" $((base + 9))
	# B's message comes while A's frame is half-read: not taken now.
	spawn "$T/sb" fifomsg send "$B" next
	until_true 10 queued "$B" 8
	kill -TERM "$lk"
	sleep 0.3
	kill -0 "$lk"
	echo go >"$T/gate"
	ended "$l"
	is_status 143
	[ "$(cat "$T/got")" = abcdefghij ]
	[ ! -s "$T/got.err" ]
	run --separate-stderr fm recv -t 5 "$B"
	is_status 0
	[ "$output" = next ]
}

@test "a second signal mid-frame on A ends listen A B at once, printing nothing" {
	fm mkpipe "$A" "$B"
	{ le32 10; printf abcde; } >"$T/head"
	printf fghij >"$T/tail"
	mkfifo "$T/gate"
	spawn "$T/got" fifomsg listen "$A" "$B"
	local l=$SPAWNED
	kid "$l"
	local lk=$KID
	ready_all "$A" "$B"
	local base
	base=$(rchar "$lk")
	spawn "$T/w" sh -c 'exec >"$3"; cat "$1"; read -r _ <"$2"; cat "$4"' \
		sh "$T/head" "$T/gate" "$A" "$T/tail"
	until_true 10 took "$lk" $((base + 9))
	kill -TERM "$lk"
	until_true 5 handled "$lk"
	kill -TERM "$lk"
	until_true 5 not_running "$lk"
	ended "$l"
	is_status 143
	[ ! -s "$T/got" ]
	echo go >"$T/gate"
}

@test "a malformed stream on B names B and its offset" {
	fm mkpipe "$A" "$B"
	spawn "$T/got" fifomsg listen -e "$A" "$B"
	local l=$SPAWNED
	ready_all "$A" "$B"
	fm send "$A" fine
	until_true 10 lines_in "$T/got" 1
	{ frames ok; le32 10; printf abc; } >"$B"
	ended "$l"
	is_status 4
	[ "$(cat "$T/got.err")" = "fifomsg: listen: $B: malformed stream at byte 6: frame of 10 bytes cut short after 3 of them (last writer left)" ]
	[ "$(cat "$T/got")" = "$(printf 'fine\nok')" ]
}

# --- reader locks -------------------------------------------------------------

@test "listen A B holds the reader lock of both pipes: recv -t on either gives up, exit 3" {
	fm mkpipe "$A" "$B"
	spawn "$T/got" fifomsg listen "$A" "$B"
	ready_all "$A" "$B"
	run --separate-stderr fm recv -t 0.3 "$B"
	is_status 3
	[ "$stderr" = "fifomsg: recv: $B: timed out: another reader is using it" ]
	run --separate-stderr fm recv -t 0.3 "$T/c" "$A"
	is_status 1
	fm mkpipe "$C"
	run --separate-stderr fm recv -t 0.3 "$C" "$A"
	is_status 3
	[ "$stderr" = "fifomsg: recv: $A: timed out: another reader is using it" ]
}
