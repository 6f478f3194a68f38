#!/usr/bin/env bats
# How recv and listen stop (fifomsg(1), SIGNALS and DELIVERY): a first
# signal finishes the frame in hand and delivers every message taken, a
# second ends at once; -t bounds only the wait for a message to begin;
# --exec hands the command its whole message; a malformed stream is named
# with its pipe and offset.  Every scenario is driven by a consumer or a
# writer that we stall and release, never by timing.
# (bats sets $status; bash -c and --exec scripts are single-quoted.)
# shellcheck disable=SC2154,SC2016
load helpers

bats_require_minimum_version 1.5.0

# ended PID: the exit status of the background job PID, in $status.
ended() {
	status=0
	wait "$1" || status=$?
}

# has_child PID: PID has a child process (the --exec command runs).
has_child() {
	pgrep -P "$1" >/dev/null
}

# blocked_writing PID: PID sleeps in write(2) on a full pipe
# (pipe_write, or anon_pipe_write on newer kernels).
blocked_writing() {
	[[ $(cat "/proc/$1/wchan" 2>/dev/null) == *pipe_write ]]
}

# reader_at PID: set KID to the fifomsg under the wrapper PID once it
# holds the pipe, and RBASE to the bytes it has read by then (the loader's
# reads of the binary's libraries).
reader_at() {
	kid "$1"
	reader_ready "$P"
	RBASE=$(rchar "$KID")
}

# took PID N: PID has read N bytes of the pipe (beyond RBASE).
took() {
	[ "$(rchar "$1")" -ge $((RBASE + $2)) ]
}

# stalled_consumer: a `dd` reading the FIFO $T/o into $T/got (pid in
# $CAT, its wrapper in $CW).  (Not cat: newer ones enlarge the pipe they
# read.)
stalled_consumer() {
	mkfifo "$T/o"
	spawn "$T/got" dd if="$T/o" bs=4096 status=none
	CW=$SPAWNED
	kid "$CW"
	CAT=$KID
}

# listener_into_o: "fifomsg listen $P" writing to $T/o, its
# wrapper in $LW and the fifomsg process in $L, once it holds the pipe.
# Then the consumer stops and 64 KiB of zeros fill $T/o, so the listener's
# first write blocks before it writes a byte.
listener_into_o() {
	spawn "$T/o" fifomsg listen "$P"
	LW=$SPAWNED
	kid "$LW"
	L=$KID
	reader_ready "$P"
	kill -STOP "$CAT"
	head -c 65536 /dev/zero >"$T/o"
}

# got_after_zeros FILE: $T/got is the 64 KiB of zeros, then FILE.
got_after_zeros() {
	head -c 65536 /dev/zero | cmp - <(head -c 65536 "$T/got")
	tail -c +65537 "$T/got" | cmp - "$1"
}

# paused_writer HEAD TAIL: a writer of $P that writes the file HEAD, waits
# until `release` is called, writes the file TAIL, and closes the pipe.
paused_writer() {
	mkfifo "$T/gate"
	spawn "$T/w" sh -c 'exec >"$4"; cat "$1"; read -r _ <"$2"; cat "$3"' \
		sh "$1" "$T/gate" "$2" "$P"
}
release() {
	echo go >"$T/gate"
}

setup_file() {
	# 1000 lines of 99 bytes: with their newlines 100,000 bytes, more
	# than a pipe holds and less than it plus listen's buffer.
	local i
	for i in $(seq 1000); do
		printf '%04d%095d\n' "$i" 0
	done >"$BATS_FILE_TMPDIR/lines"
	head -c $((1 << 20)) /dev/urandom | tr -d '\n' \
		>"$BATS_FILE_TMPDIR/big"
	head -c 200000 /dev/urandom >"$BATS_FILE_TMPDIR/bin"
}

# --- a first signal while the output is slow --------------------------------

@test "SIGTERM while standard output is stalled: every message taken is printed, the rest stay in the pipe, exit 143" {
	local msgs=$BATS_FILE_TMPDIR/lines n s
	fm mkpipe "$P"
	stalled_consumer
	listener_into_o
	spawn "$T/s" sh -c 'exec fifomsg send "$1" <"$2"' sh "$P" "$msgs"
	s=$SPAWNED
	until_true 10 blocked_writing "$L"
	kill -TERM "$L"
	kill -CONT "$CAT"
	ended "$LW"
	is_status 143
	[ ! -s "$T/o.err" ]
	wait_pid "$CW"
	# What it took, it printed; the others are still queued, in order.
	n=$(($(stat -c %s "$T/got") - 65536))
	[ "$n" -gt 0 ]
	head -c "$n" "$msgs" >"$T/took"
	got_after_zeros "$T/took"
	fm listen -t 2 "$P" >"$T/rest"
	cat "$T/took" "$T/rest" | cmp - "$msgs"
	wait_pid "$s"
}

@test "SIGTERM while standard output is stalled inside a 1 MiB message: it is printed whole, the next one stays in the pipe" {
	local big=$BATS_FILE_TMPDIR/big s1
	fm mkpipe "$P"
	stalled_consumer
	listener_into_o
	spawn "$T/s1" sh -c 'exec fifomsg send -w "$1" <"$2"' sh "$P" "$big"
	s1=$SPAWNED
	until_true 10 blocked_writing "$L"
	# Queued behind the big frame (it waits for the big frame's lock).
	spawn "$T/s2" fifomsg send "$P" next
	kill -TERM "$L"
	kill -CONT "$CAT"
	ended "$LW"
	is_status 143
	[ ! -s "$T/o.err" ]
	wait_pid "$CW"
	{ cat "$big"; echo; } >"$T/want"
	got_after_zeros "$T/want"
	run --separate-stderr fm recv -t 10 "$P"
	is_status 0
	[ "$output" = next ]
	wait_pid "$s1"
}

@test "a second signal while standard output is stalled ends listen at once" {
	fm mkpipe "$P"
	stalled_consumer
	listener_into_o
	spawn "$T/s" fifomsg send "$P" one two
	until_true 10 blocked_writing "$L"
	kill -TERM "$L"
	until_true 5 handled "$L"
	kill -TERM "$L"
	until_true 5 not_running "$L"
	ended "$LW"
	is_status 143
	[ ! -s "$T/o.err" ]
	kill -CONT "$CAT"
}

# --- a first signal in the middle of a frame ---------------------------------

@test "a first signal in the middle of a frame: recv waits for the rest, prints it whole, exits 143" {
	fm mkpipe "$P"
	{ le32 10; printf abcde; } >"$T/head"
	printf fghij >"$T/tail"
	spawn "$T/got" fifomsg recv "$P"
	local r=$SPAWNED
	reader_at "$r"
	paused_writer "$T/head" "$T/tail"
	until_true 10 took "$KID" 9
	kill -TERM "$KID"
	# Still there, waiting for the rest of the frame.
	sleep 0.3
	kill -0 "$KID"
	release
	ended "$r"
	is_status 143
	[ "$(cat "$T/got")" = abcdefghij ]
	[ ! -s "$T/got.err" ]
}

@test "a second signal in the middle of a frame ends recv at once, printing nothing" {
	fm mkpipe "$P"
	{ le32 10; printf abcde; } >"$T/head"
	printf fghij >"$T/tail"
	spawn "$T/got" fifomsg recv "$P"
	local r=$SPAWNED
	reader_at "$r"
	paused_writer "$T/head" "$T/tail"
	until_true 10 took "$KID" 9
	kill -TERM "$KID"
	until_true 5 handled "$KID"
	kill -TERM "$KID"
	until_true 5 not_running "$KID"
	ended "$r"
	is_status 143
	[ ! -s "$T/got" ]
	release
}

# --- -t while a frame is half-read ---------------------------------------

@test "recv -t and listen -t: a writer that pauses mid-frame longer than SECS gets its message through whole" {
	local cmd r
	{ le32 10; printf abcde; } >"$T/head"
	printf fghij >"$T/tail"
	for cmd in "recv -t 0.5" "listen -n 1 -t 0.5" "listen -t 0.5"; do
		rm -f "$P" "$T/gate"
		fm mkpipe "$P"
		# shellcheck disable=SC2086 # $cmd is a command line
		spawn "$T/got" fifomsg $cmd "$P"
		r=$SPAWNED
		reader_at "$r"
		paused_writer "$T/head" "$T/tail"
		until_true 10 took "$KID" 9 || { echo "$cmd: $(rchar "$KID") $RBASE"; false; }
		# More than twice SECS in the middle of the frame.
		sleep 1.2
		kill -0 "$KID" || { echo "$cmd gave up mid-frame"; false; }
		release
		ended "$r"
		is_status 0
		[ "$(cat "$T/got")" = abcdefghij ]
		[ ! -s "$T/got.err" ]
	done
}

@test "recv without -t: a writer that leaves mid-frame is a malformed stream (exit 4), not a wait for ever" {
	fm mkpipe "$P"
	FM_TIMEOUT=5 spawn "$T/got" fifomsg recv -n 2 "$P"
	reader_ready "$P"
	{ frames ok; le32 10; printf abc; } >"$P"
	ended "$SPAWNED"
	is_status 4
	[ "$(cat "$T/got.err")" = "fifomsg: recv: $P: malformed stream at byte 6: frame of 10 bytes cut short after 3 of them (last writer left)" ]
	[ "$(cat "$T/got")" = ok ]
}

# --- --exec ------------------------------------------------------------------

@test "--exec: SIGTERM while a 200 KB message goes to a command not reading yet: it gets it whole, the next message stays" {
	local bin=$BATS_FILE_TMPDIR/bin s1
	fm mkpipe "$P"
	mkfifo "$P.gate"
	spawn "$T/s1" sh -c 'exec fifomsg send -w "$1" <"$2"' sh "$P" "$bin"
	s1=$SPAWNED
	spawn "$T/out" fifomsg listen \
		--exec 'read -r _ <"$FIFOMSG_PIPE.gate"; cat >"$FIFOMSG_PIPE.$FIFOMSG_SEQ"' "$P"
	local lw=$SPAWNED
	kid "$lw"
	# The command's pipe is full: listen waits for it to read.
	until_true 10 blocked_writing "$KID"
	spawn "$T/s2" fifomsg send "$P" next
	kill -TERM "$KID"
	sleep 0.3
	kill -0 "$KID"
	echo go >"$P.gate"
	ended "$lw"
	is_status 143
	[ ! -s "$T/out.err" ]
	cmp "$bin" "$P.1"
	[ ! -e "$P.2" ]
	run --separate-stderr fm recv -t 10 "$P"
	is_status 0
	[ "$output" = next ]
	wait_pid "$s1"
}

@test "--exec: a stop while the command runs lets it finish, and no further message is taken" {
	fm mkpipe "$P"
	mkfifo "$P.gate"
	spawn "$T/s" fifomsg send "$P" one two
	spawn "$T/out" fifomsg listen \
		--exec 'read -r _ <"$FIFOMSG_PIPE.gate"; cat >"$FIFOMSG_PIPE.$FIFOMSG_SEQ"' "$P"
	local lw=$SPAWNED
	kid "$lw"
	until_true 10 has_child "$KID"
	kill -TERM "$KID"
	echo go >"$P.gate"
	ended "$lw"
	is_status 143
	[ "$(cat "$P.1")" = one ]
	[ ! -e "$P.2" ]
	run --separate-stderr fm recv -t 10 "$P"
	is_status 0
	[ "$output" = two ]
}

@test "--exec: a second signal kills the command and ends listen at once" {
	local lw
	fm mkpipe "$P"
	mkfifo "$P.gate"
	spawn "$T/s" fifomsg send "$P" one
	spawn "$T/out" fifomsg listen \
		--exec 'read -r _ <"$FIFOMSG_PIPE.gate"; cat >"$FIFOMSG_PIPE.$FIFOMSG_SEQ"' "$P"
	lw=$SPAWNED
	kid "$lw"
	until_true 10 has_child "$KID"
	kill -TERM "$KID"
	until_true 5 handled "$KID"
	kill -TERM "$KID"
	until_true 5 not_running "$KID"
	ended "$lw"
	is_status 143
	[ ! -e "$P.1" ]
}

@test "--exec: the command runs in listen's process group, so ^C reaches both; exit 130, no complaint" {
	local lw pg
	fm mkpipe "$P"
	mkfifo "$P.gate"
	spawn "$T/s" fifomsg send "$P" one
	spawn "$T/out" fifomsg listen \
		--exec 'ps -o pgid= -p $$ >"$FIFOMSG_PIPE.pg"; exec cat "$FIFOMSG_PIPE.gate"' "$P"
	lw=$SPAWNED
	kid "$lw"
	until_true 10 test -s "$P.pg"
	pg=$(ps -o pgid= -p "$KID")
	[ "$(cat "$P.pg")" = "$pg" ]
	# What a terminal does on ^C: SIGINT to the foreground group.
	kill -INT -- "-${pg// /}"
	until_true 5 not_running "$KID"
	ended "$lw"
	is_status 130
	cat "$T/out.err"
	[ ! -s "$T/out.err" ]
}

# --- what the next reader finds after damage ---------------------------

@test "after a reader is killed mid-frame, the next reader reports a malformed stream with the pipe and offset, printing nothing" {
	fm mkpipe "$P"
	{ le32 2000; head -c 1000 /dev/zero | tr '\0' '\377'; } >"$T/head"
	head -c 1000 /dev/zero | tr '\0' '\377' >"$T/tail"
	spawn "$T/got1" fifomsg recv "$P"
	reader_at "$SPAWNED"
	paused_writer "$T/head" "$T/tail"
	until_true 10 took "$KID" 1004
	kill -KILL "$KID"
	spawn "$T/got2" fifomsg recv "$P"
	reader_ready "$P"
	release
	ended "$SPAWNED"
	is_status 4
	[ "$(cat "$T/got2.err")" = "fifomsg: recv: $P: malformed stream at byte 0: frame of 4294967295 bytes is larger than --max-size 67108864" ]
	[ ! -s "$T/got2" ]
}
