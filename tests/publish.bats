#!/usr/bin/env bats
# fifomsg publish [-0 | -r | -w | --json | --hex] [-v] [-t SECS] [--drop] ... DIR [MESSAGE...]
# fifomsg subscribe [-0 | -r | --json] [-cv] [-n COUNT] [-t SECS] ... DIR

# (bats sets $output, $stderr...; bash -c scripts are single-quoted; each
# test is a function, not a subshell.)
# shellcheck disable=SC2154,SC2016,SC2030,SC2031
load helpers

bats_require_minimum_version 1.5.0

export LC_ALL=C

# The publish directory of each test, private as publish wants it.
pubdir() {
	D=$T/ps
	mkdir -m 700 "$D"
}

# subscriber NAME ARGS...: "fifomsg subscribe -v ARGS $D" in the
# background, output in $T/NAME; returns once its FIFO is in $D, with the
# FIFO's path in $SUBFIFO and the subscriber's own pid in $SUBPID.
subscriber() {
	local name=$1
	shift
	spawn "$T/$name" fifomsg subscribe -v "$@" "$D"
	until_true 10 grep -q 'subscribed as' "$T/$name.err"
	SUBFIFO=$(sed -n 's/.*subscribed as //p' "$T/$name.err")
	SUBPID=${SUBFIFO##*/sub.}
	SUBPID=${SUBPID%%.*}
}

# spawn_from IN OUT CMD...: spawn, with standard input from IN (an
# asynchronous command's own redirection: the shell gives a background
# job /dev/null otherwise).
spawn_from() {
	local in=$1 out=$2
	shift 2
	timeout -k 2 "$FM_TIMEOUT" "$@" <"$in" >"$out" 2>"$out.err" 3>&- &
	SPAWNED=$!
	PIDS+=("$SPAWNED")
}

# no_child PID: PID has no child process (left).
no_child() {
	[ -z "$(pgrep -P "$1")" ]
}


# no_subs: no subscriber FIFO left in $D.
no_subs() {
	[ -z "$(find "$D" -name 'sub.*' -print -quit)" ]
}

# big N CHAR: a line of N copies of CHAR.
big() {
	head -c "$1" /dev/zero | tr '\0' "$2"
}

# --- fan-out ------------------------------------------------------------

@test "every subscriber gets every message, whole and in order" {
	pubdir
	for s in a b c; do
		subscriber "$s" -n 300
		eval "pid_$s=\$SPAWNED"
	done
	seq 300 | sed 's/^/message /' >"$T/want"
	run fm publish -v "$D" <"$T/want"
	is_status 0
	[[ $output == *"300 messages published, 0 with no subscriber"* ]]
	for s in a b c; do
		eval "wait_pid \$pid_$s"
		cmp "$T/want" "$T/$s"
	done
}

@test "messages larger than PIPE_BUF arrive whole at every subscriber" {
	pubdir
	subscriber a -n 4
	pa=$SPAWNED
	subscriber b -n 4
	pb=$SPAWNED
	{ big 5000 x; echo; echo small; big 70000 y; echo; big 4093 z; echo; } \
		>"$T/want"
	fm publish "$D" <"$T/want"
	wait_pid "$pa"
	wait_pid "$pb"
	cmp "$T/want" "$T/a"
	cmp "$T/want" "$T/b"
}

@test "MESSAGE operands, -0 and -w are published like send's input" {
	pubdir
	subscriber a -n 5 --json
	pa=$SPAWNED
	fm publish "$D" one 'two words'
	printf 'a\nb\0c' | fm publish -0 "$D"
	printf 'all\nof it' | fm publish -w "$D"
	wait_pid "$pa"
	printf '"one"\n"two words"\n"a\\nb"\n"c"\n"all\\nof it"\n' |
		cmp - "$T/a"
}

@test "-r publishes a stream of frames as it is, small and large alike" {
	pubdir
	head -c 6000 /dev/zero | tr '\0' L >"$T/large"
	{
		fm send - x ''
		fm send -w - <"$T/large"
		fm send - 'after the large one'
	} >"$T/frames"
	subscriber a -n 4 -r
	pa=$SPAWNED
	fm publish -r "$D" <"$T/frames"
	wait_pid "$pa"
	cmp "$T/frames" "$T/a"
}

@test "-r: a stream that ends inside a frame publishes the whole ones, exit 4" {
	pubdir
	fm send - one two >"$T/frames"
	# A header that announces 100 bytes, followed by 3 of them.
	printf 'd\0\0\0abc' >>"$T/frames"
	subscriber a -n 3 --json
	pa=$SPAWNED
	run --separate-stderr fm publish -r "$D" <"$T/frames"
	[ "$status" -eq 4 ]
	[[ $stderr == *"stream ends inside a frame"* ]]
	# Nothing of the torn frame reached the FIFO: the next message is
	# read whole after the two.
	fm publish "$D" next
	wait_pid "$pa"
	printf '"one"\n"two"\n"next"\n' | cmp - "$T/a"
}

@test "--json and --hex decode each line or MESSAGE; a bad line ends with 4" {
	pubdir
	subscriber a -n 5 --json
	pa=$SPAWNED
	fm publish --hex "$D" 410042 ''
	printf '"tab\\there"\n"\\u00e9"\n{not json}\n"never"\n' >"$T/in"
	run --separate-stderr fm publish --json "$D" <"$T/in"
	[ "$status" -eq 4 ]
	[[ $stderr == *"line 3, column"* ]]
	fm publish "$D" last
	wait_pid "$pa"
	printf '"A\\u0000B"\n""\n"tab\\there"\n"\303\251"\n"last"\n' |
		cmp - "$T/a"
}

@test "a subscriber that joins mid-stream gets every message from the next on" {
	pubdir
	mkfifo "$T/in"
	exec 4<>"$T/in"
	subscriber a
	spawn_from "$T/in" "$T/pub" fifomsg publish "$D"
	seq 1 10 >&4
	until_true 10 lines_in "$T/a" 10
	subscriber b
	seq 11 20 >&4
	until_true 10 lines_in "$T/a" 20
	until_true 10 lines_in "$T/b" 10
	exec 4>&-
	seq 1 20 | cmp - "$T/a"
	seq 11 20 | cmp - "$T/b"
}

# --- slow, stopped and dead subscribers ----------------------------------

@test "block (default): a stopped subscriber holds the publisher; nothing is lost" {
	pubdir
	subscriber fast -n 3000
	pf=$SPAWNED
	subscriber slow -n 3000
	ps=$SPAWNED
	kill -STOP "$SUBPID"
	seq 3000 | sed 's/$/ padding padding padding padding padding/' \
		>"$T/want"
	spawn_from "$T/want" "$T/pub" fifomsg publish "$D"
	pub=$SPAWNED
	until_true 10 lines_in "$T/fast" 100
	sleep 0.5
	kill -0 "$pub"	# still waiting for the stopped one
	kill -CONT "$SUBPID"
	wait_pid "$pub"
	wait_pid "$pf"
	wait_pid "$ps"
	cmp "$T/want" "$T/fast"
	cmp "$T/want" "$T/slow"
}

# missed NAME: how many messages publish -v ($stderr) says NAME missed.
missed() {
	printf '%s\n' "$stderr" |
		sed -n "s/.*: $1: [0-9]* messages, \([0-9]*\) missed.*/\1/p"
}

# whole_lines FILE N: FILE has N lines, each one whole message of $T/want,
# in order, none twice.
whole_lines() {
	[ "$(wc -l <"$1")" -eq "$2" ]
	[ "$(grep -c -v '^[0-9]* padding padding padding padding padding$' "$1")" \
		-eq 0 ]
	sort -n -c -u "$1"
}

@test "--drop: a stopped subscriber misses whole messages, counted by -v" {
	pubdir
	subscriber a
	afifo=$SUBFIFO
	subscriber slow
	slowfifo=$SUBFIFO
	slowpid=$SUBPID
	kill -STOP "$slowpid"
	# 3000 frames of 48 bytes: more than a 64 KiB pipe holds.
	seq 3000 | sed 's/$/ padding padding padding padding padding/' \
		>"$T/want"
	# Returns while the subscriber is still stopped: it never waits.
	run --separate-stderr fm publish --drop -v "$D" <"$T/want"
	is_status 0
	echo "$stderr"
	ma=$(missed "${afifo##*/}")
	ms=$(missed "${slowfifo##*/}")
	[ -n "$ma" ]
	[ -n "$ms" ]
	[ "$ms" -gt 0 ]
	kill -CONT "$slowpid"
	until_true 10 lines_in "$T/slow" $((3000 - ms))
	until_true 10 lines_in "$T/a" $((3000 - ma))
	# Whole messages only, in order: exactly those not missed.
	whole_lines "$T/slow" $((3000 - ms))
	whole_lines "$T/a" $((3000 - ma))
}

@test "--drop with messages larger than PIPE_BUF: whole or not at all" {
	pubdir
	subscriber slow
	slowfifo=$SUBFIFO
	slowpid=$SUBPID
	kill -STOP "$slowpid"
	for i in $(seq 40); do
		printf '%s ' "$i"
		big 5000 x
		echo
	done >"$T/want"
	run --separate-stderr fm publish --drop -v "$D" <"$T/want"
	is_status 0
	ms=$(missed "${slowfifo##*/}")
	[ -n "$ms" ]
	[ "$ms" -gt 0 ]
	kill -CONT "$slowpid"
	until_true 10 lines_in "$T/slow" $((40 - ms))
	[ "$(wc -l <"$T/slow")" -eq $((40 - ms)) ]
	[ "$(grep -c -v "^[0-9]* $(big 5000 x)\$" "$T/slow")" -eq 0 ]
	sort -n -c -u "$T/slow"
}

@test "a dead subscriber's FIFO is skipped and removed; other FIFOs stay" {
	pubdir
	subscriber dead
	deadfifo=$SUBFIFO
	kill -KILL "$SUBPID"
	until_true 10 no_child "$SPAWNED"
	[ -p "$deadfifo" ]	# left behind
	mkfifo "$D/mine"	# a FIFO of the user's, nobody reading
	subscriber live -n 1
	live=$SPAWNED
	run --separate-stderr fm publish -v "$D" hello
	is_status 0
	echo "$stderr"
	[[ $stderr == *"${deadfifo##*/}: no reader"*removed* ]]
	[ ! -e "$deadfifo" ]
	[ -p "$D/mine" ]
	wait_pid "$live"
	[ "$(cat "$T/live")" = hello ]
}

@test "several publishers on one directory: every message whole everywhere" {
	pubdir
	for s in a b c; do
		subscriber "$s" -n 1212
		eval "pid_$s=\$SPAWNED"
	done
	pubs=()
	for p in 1 2 3 4; do
		# Messages larger than the pipe: written in several pieces,
		# which only the writer lock keeps apart from the others'.
		{
			seq 100 | sed "s/^/p$p-/"
			big 70000 "$p"; echo
			seq 101 200 | sed "s/^/p$p-/"
			big 5000 "$p"; echo
			seq 201 300 | sed "s/^/p$p-/"
			big 70000 "$p"; echo
		} >"$T/in$p"
		spawn_from "$T/in$p" "$T/pub$p" fifomsg publish "$D"
		pubs+=("$SPAWNED")
	done
	for p in "${pubs[@]}"; do
		wait_pid "$p"
	done
	sort "$T"/in[1-4] >"$T/want"
	for s in a b c; do
		eval "wait_pid \$pid_$s"
		sort "$T/$s" | cmp - "$T/want"
		# Each publisher's messages in its own order.
		for p in 1 2 3 4; do
			grep "^p$p-" "$T/$s" | cmp - <(seq 300 | sed "s/^/p$p-/")
		done
	done
}

# --- no subscriber ---------------------------------------------------------

@test "with no subscriber, messages are dropped and counted" {
	pubdir
	run --separate-stderr fm publish -v "$D" a b c
	is_status 0
	[[ $stderr == *"3 messages published, 3 with no subscriber"* ]]
}

@test "--wait blocks until a subscriber comes; -t ends the wait with 3" {
	pubdir
	run --separate-stderr fm publish --wait -t 0.3 "$D" lost
	is_status 3
	[[ $stderr == *"timed out: no subscriber"* ]]
	spawn "$T/pub" fifomsg publish --wait "$D" hello
	pub=$SPAWNED
	sleep 0.2
	kill -0 "$pub"
	subscriber a -n 1
	wait_pid "$pub"
	wait_pid "$SPAWNED"
	[ "$(cat "$T/a")" = hello ]
}

# --- the subscriber's FIFO -------------------------------------------------

@test "subscribe makes a FIFO of mode 600 (or -m) and removes it at -n and -t" {
	pubdir
	subscriber a -n 1
	[ "$(stat -c %a "$SUBFIFO")" = 600 ]
	fm publish "$D" x
	wait_pid "$SPAWNED"
	no_subs
	subscriber b -t 0.5 -m 640
	[ "$(stat -c %a "$SUBFIFO")" = 640 ]
	wait_pid "$SPAWNED"
	no_subs
}

@test "subscribe removes its FIFO when stopped by SIGTERM, SIGINT or SIGHUP" {
	pubdir
	for sig in TERM INT HUP; do
		subscriber "s$sig"
		kill -"$sig" "$SUBPID"
		status=0
		wait_pid "$SPAWNED" || status=$?
		echo "$sig: $status"
		[ "$status" -gt 128 ]
		no_subs
	done
}

@test "subscribe -c creates DIR with mode 700; without -c a missing DIR fails" {
	run --separate-stderr fm subscribe -n 1 -t 0.1 "$T/none"
	is_status 1
	D=$T/new
	subscriber a -c -t 0.5
	[ "$(stat -c %a "$D")" = 700 ]
	wait_pid "$SPAWNED"
}

# --- security ------------------------------------------------------------

@test "a DIR owned by another user or writable by others is refused unless --force" {
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	[ "$(id -u)" -eq 0 ] || skip "needs root to give a directory away"
	pubdir
	chmod 777 "$D"
	run --separate-stderr fm publish "$D" x
	is_status 1
	[[ $stderr == *"refusing a directory writable by others"* ]]
	run --separate-stderr fm subscribe -t 0.1 "$D"
	is_status 1
	no_subs
	chmod 700 "$D"
	chown nobody "$D"
	run --separate-stderr fm publish "$D" x
	is_status 1
	[[ $stderr == *"refusing a directory owned by uid"* ]]
	run --separate-stderr fm publish --force "$D" x
	is_status 0
}

@test "publish writes into nothing in DIR but FIFOs: no files, no links" {
	pubdir
	make_victim "$T/victim"
	make_victim "$D/sub.file"
	ln -s "$T/victim" "$D/sub.link"
	mkfifo "$T/elsewhere"
	exec 5<>"$T/elsewhere"
	ln -s "$T/elsewhere" "$D/sub.fifolink"
	subscriber a -n 1
	fm publish "$D" hello
	wait_pid "$SPAWNED"
	[ "$(cat "$T/a")" = hello ]
	victim_untouched "$T/victim"
	victim_untouched "$D/sub.file"
	[ -L "$D/sub.link" ]
	[ -L "$D/sub.fifolink" ]
	# Nothing went into the FIFO behind the link.
	run fm recv -t 0.3 "$T/elsewhere"
	exec 5>&-
	is_status 3
}
