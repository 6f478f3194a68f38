#!/usr/bin/env bats
# The delivery guarantees (fifomsg(1), DELIVERY) under load: many writers,
# many readers, readers and writers that come and go, signals, a writer
# that dies mid-frame, and backpressure.  Messages check themselves
# (writer, sequence number, length, CRC-32: see stress/msgcheck), so
# every test counts what was lost, torn or duplicated.  `make stress` runs
# the same checks at a larger scale.

load helpers

MC=$BATS_TEST_DIRNAME/stress/msgcheck

mc() {
	"$PYTHON" "$MC" "$@"
}

# spawn_in FILE OUT CMD...: spawn with standard input from FILE (a
# background job's standard input would be /dev/null).
spawn_in() {
	local in=$1
	shift
	# shellcheck disable=SC2016
	spawn "$1" sh -c 'f=$1; shift; exec "$@" <"$f"' sh "$in" "${@:2}"
}

# spawn_gen OUT SEND-OPTION GEN-ARGS...: spawn
# `msgcheck gen GEN-ARGS | fifomsg send [SEND-OPTION] $P`.
spawn_gen() {
	local out=$1 opt=$2
	shift 2
	# shellcheck disable=SC2016
	spawn "$out" sh -c 'py=$1 mc=$2 opt=$3 p=$4
		shift 4
		"$py" "$mc" gen "$@" | fifomsg send ${opt:+"$opt"} "$p"' \
		sh "$PYTHON" "$MC" "$opt" "$P" "$@"
}

# inner PID: set FPID to the fifomsg process under PID once it runs.
inner() {
	FPID=
	until_true 10 _inner "$1"
}
_inner() {
	FPID=$(fifomsg_under "$1" | head -n 1)
	[ -n "$FPID" ]
}

wrote_at_least() {
	[ "$(wchar "$1")" -ge "$2" ]
}
someone_wrote() {
	[ $(($(wchar "$1") + $(wchar "$2"))) -gt 0 ]
}

# row_ok OUTPUT N: a verify row with N sent, N received, none lost,
# corrupt or duplicated.
row_ok() {
	[[ $1 =~ [[:space:]]$2[[:space:]]+$2[[:space:]]+0[[:space:]]+0[[:space:]]+0[[:space:]] ]]
}

@test "8 senders at once, messages of 0 to 64 KiB and one of 10 MiB: each arrives once, whole, in its sender's order" {
	local i opt fmt lpid lstatus
	local -a pids=()
	fm mkpipe "$P"
	FM_TIMEOUT=90 spawn "$T/out" fifomsg listen -r -n 12001 "$P"
	lpid=$SPAWNED
	reader_ready "$P"
	mc gen -w 9 -n 1 --format whole --exact $((10 << 20)) \
		--manifest "$T/man" >"$T/big"
	# Three input modes, so lines, NUL records and frames all go through
	# the batching and the locked large-frame path.
	for i in 1 2 3 4 5 6 7 8; do
		case $((i % 3)) in
		0) opt=-r fmt=raw ;;
		1) opt=-0 fmt=null ;;
		*) opt='' fmt=line ;;
		esac
		FM_TIMEOUT=60 spawn_gen "$T/send$i" "$opt" -w "$i" -n 1500 \
			--format "$fmt" --manifest "$T/man"
		pids+=("$SPAWNED")
	done
	FM_TIMEOUT=60 spawn_in "$T/big" "$T/send9" fifomsg send -w "$P"
	pids+=("$SPAWNED")
	lstatus=0
	wait "$lpid" || lstatus=$?
	run mc verify --ordered --label "many writers" --expect "$T/man" "$T/out"
	echo "$output"
	cat "$T"/*.err
	[ "$lstatus" -eq 0 ]
	[ "$status" -eq 0 ]
	row_ok "$output" 12001
	[[ $output == *", 0 out of order"* ]]
	for i in "${pids[@]}"; do
		wait_pid "$i"
	done
	[ -z "$(cat "$T"/*.err)" ]
}

@test "foreign writers writing whole small frames in one write() are never torn by fifomsg senders" {
	local i lpid lstatus
	local -a pids=()
	fm mkpipe "$P"
	FM_TIMEOUT=60 spawn "$T/out" fifomsg listen -r -n 12000 "$P"
	lpid=$SPAWNED
	reader_ready "$P"
	for i in 1 2 3; do
		FM_TIMEOUT=60 spawn "$T/foreign$i" "$PYTHON" "$MC" foreign "$P" \
			-w "$i" -n 2000 --manifest "$T/man"
		pids+=("$SPAWNED")
		FM_TIMEOUT=60 spawn_gen "$T/send$i" -0 -w $((i + 3)) -n 2000 \
			--max 4092 --format null --manifest "$T/man"
		pids+=("$SPAWNED")
	done
	lstatus=0
	wait "$lpid" || lstatus=$?
	run mc verify --ordered --label "foreign writers" --expect "$T/man" "$T/out"
	echo "$output"
	cat "$T"/*.err
	[ "$lstatus" -eq 0 ]
	[ "$status" -eq 0 ]
	row_ok "$output" 12000
	for i in "${pids[@]}"; do
		wait_pid "$i"
	done
}

# lock_waiter PIPE: a process waits for a writer lock on PIPE (an OFD lock,
# or a classic one in the fallback build).
lock_waiter() {
	local ino
	ino=$(stat -c %i "$1") || return 1
	grep -qE -- "-> (OFDLCK|POSIX) .*:$ino " /proc/locks
}

@test "a large message waits for a sender of a long file for at most 256 KiB of it, not for the whole file" {
	local lpid fpid
	fm mkpipe "$P"
	seq 1 1000000 >"$T/lines"
	head -c 100000 /dev/zero | tr '\0' x >"$T/big"
	spawn "$T/out" fifomsg listen "$P"
	lpid=$SPAWNED
	reader_ready "$P"
	inner "$lpid"
	# The file's sender fills the pipe and waits, holding the writer
	# lock shared; the large message's sender waits for it exclusive.
	kill -STOP "$FPID"
	lpid=$FPID
	spawn_in "$T/lines" "$T/s1" fifomsg send "$P"
	inner "$SPAWNED"
	fpid=$SPAWNED
	until_true 10 wrote_at_least "$FPID" 32768
	spawn_in "$T/big" "$T/s2" fifomsg send -w "$P"
	until_true 10 lock_waiter "$P"
	kill -CONT "$lpid"
	wait_pid "$fpid"
	wait_pid "$SPAWNED"
	until_true 10 grep -q '^1000000$' "$T/out"
	# The large message came while the file was still being sent.
	[ "$(tail -n 1 "$T/out")" = 1000000 ]
	[ "$(grep -c x "$T/out")" = 1 ]
	[ "$(wc -l <"$T/out")" = 1000001 ]
}

@test "4 recv workers share 2 senders' messages: each message goes to exactly one worker, whole" {
	local w s1 s2 worker busy=0
	local -a pids=() per=(1 1 3 10)
	fm mkpipe "$P"
	mc gen -w 1 -n 600 --max 16384 --small 70 --format raw \
		--manifest "$T/man" >"$T/in1"
	mc gen -w 2 -n 600 --max 16384 --small 70 --format null \
		--manifest "$T/man" >"$T/in2"
	FM_TIMEOUT=60 spawn_in "$T/in1" "$T/s1" fifomsg send -r "$P"
	s1=$SPAWNED
	FM_TIMEOUT=60 spawn_in "$T/in2" "$T/s2" fifomsg send -0 "$P"
	s2=$SPAWNED
	# Workers as a shell script would run them: recv until it times out.
	# shellcheck disable=SC2016
	worker='n=0
		while [ "$n" -lt 2000 ]; do
			fifomsg recv -r -n "$2" -t 2 "$1" || exit
			n=$((n + 1))
		done'
	for w in 1 2 3 4; do
		FM_TIMEOUT=60 spawn "$T/w$w" sh -c "$worker" sh "$P" "${per[w - 1]}"
		pids+=("$SPAWNED")
	done
	for w in 1 2 3 4; do
		status=0
		wait "${pids[w - 1]}" || status=$?
		echo "$status" >"$T/w$w.status"
	done
	run mc verify --ordered --label "work queue" --expect "$T/man" \
		"$T/w1" "$T/w2" "$T/w3" "$T/w4"
	echo "$output"
	[ "$status" -eq 0 ]
	row_ok "$output" 1200
	for w in 1 2 3 4; do
		# Each loop ended on its timeout, never on a malformed frame.
		[ "$(cat "$T/w$w.status")" -eq 3 ]
		! grep -v 'timed out' "$T/w$w.err" || false
		if [ -s "$T/w$w" ]; then
			busy=$((busy + 1))
		fi
	done
	[ "$busy" -ge 2 ]
	wait_pid "$s1"
	wait_pid "$s2"
}

@test "send < jobs then a loop of fifo-recv -t 5: all 300 jobs come out, in order, and send exits 0" {
	local last spid
	fm mkpipe "$P"
	mc gen -w 1 -n 300 --format text --max 2000 --small 100 --empty 0 \
		--manifest "$T/man" >"$T/jobs"
	last=$(tail -n 1 "$T/jobs")
	FM_TIMEOUT=60 spawn_in "$T/jobs" "$T/send" fifomsg send "$P"
	spid=$SPAWNED
	# Each recv opens and closes the pipe; nothing may fall in between.
	# (The loop stops at the last job rather than wait 5 s for the end.)
	# shellcheck disable=SC2016
	FM_TIMEOUT=60 spawn "$T/got" bash -c '
		n=0
		while m=$(fifo-recv -t 5 "$1"); do
			printf "%s\n" "$m"
			n=$((n + 1))
			[ "$m" != "$2" ] && [ "$n" -lt 400 ] || break
		done
		echo "$n" >"$3"' sh "$P" "$last" "$T/n"
	wait_pid "$SPAWNED"
	run mc verify --format line --ordered --label "come-and-go readers" \
		--expect "$T/man" "$T/got"
	echo "$output"
	cat "$T/got.err"
	[ "$status" -eq 0 ]
	row_ok "$output" 300
	cmp "$T/jobs" "$T/got"
	[ ! -s "$T/got.err" ]
	[ "$(cat "$T/n")" -eq 300 ]	# one job per recv
	wait_pid "$spid"
	[ ! -s "$T/send.err" ]
	# Nothing is left over, nothing came twice.
	run fm recv -t 0.3 "$P"
	[ "$status" -eq 3 ]
	[ "$output" = "fifomsg: recv: timed out after 0 of 1 messages" ]
}

@test "send waits while its messages are in the pipe, and at -t says how many a reader took" {
	local spid
	fm mkpipe "$P"
	spawn "$T/send" fifomsg send -t 3 "$P" m1 m2 m3 m4 m5 m6 m7 m8 m9 m10
	spid=$SPAWNED
	sleep 0.5
	# No reader yet: the messages wait in the pipe and so does send.
	kill -0 "$spid"
	run fm recv -n 3 "$P"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'm1\nm2\nm3')" ]
	status=0
	wait "$spid" || status=$?
	[ "$status" -eq 3 ]
	[ "$(cat "$T/send.err")" = "fifomsg: send: timed out: sent 3 of 10 messages" ]
}

@test "a second reader waits while listen holds the pipe, and fails at its timeout with a clear message" {
	fm mkpipe "$P"
	spawn "$T/out" fifomsg listen -n 3 "$P"
	reader_ready "$P"
	run fm recv -t 0.5 "$P"
	[ "$status" -eq 3 ]
	[ "$output" = "fifomsg: recv: $P: timed out: another reader is using it" ]
	fm send "$P" a b c
	wait_pid "$SPAWNED"
	[ "$(cat "$T/out")" = "$(printf 'a\nb\nc')" ]
}

@test "500 writers opening and closing: listen gets every message and uses no CPU while idle" {
	local g ls lpid t0 t1
	local -a pids=()
	fm mkpipe "$P"
	FM_TIMEOUT=60 spawn "$T/out" fifomsg listen "$P"
	ls=$SPAWNED
	inner "$ls"
	lpid=$FPID
	reader_ready "$P"
	# Four at a time, each send a new process that opens, writes, waits
	# for its message to be taken, and closes.
	for g in 1 2 3 4; do
		# shellcheck disable=SC2016
		FM_TIMEOUT=60 spawn "$T/fail$g" sh -c '
			for j in $(seq 1 125); do
				fifomsg send -t 10 "$1" "m$2.$j" || echo "m$2.$j: $?"
			done' sh "$P" "$g"
		pids+=("$SPAWNED")
	done
	for g in "${pids[@]}"; do
		wait_pid "$g"
	done
	until_true 10 lines_in "$T/out" 500
	# The last writer has gone: a listener that polls a hung-up pipe
	# would spin here at 100% of a CPU (~150 ticks).
	t0=$(cpu_ticks "$lpid")
	sleep 1.5
	t1=$(cpu_ticks "$lpid")
	echo "idle listener used $((t1 - t0)) ticks"
	[ $((t1 - t0)) -le 5 ]
	kill -TERM "$lpid"
	status=0
	wait "$ls" || status=$?
	[ "$status" -eq 143 ]
	cat "$T"/fail*
	[ -z "$(cat "$T"/fail*)" ]
	for g in 1 2 3 4; do
		seq 1 125 | sed "s/^/m$g./"
	done | sort >"$T/want"
	sort "$T/out" | diff "$T/want" -
	[ ! -s "$T/out.err" ]
}

@test "SIGTERM in the middle of a 32 MiB frame: send finishes it, then dies of SIGTERM; the next message is intact" {
	local s1 s2 pid
	fm mkpipe "$P"
	mc gen -w 1 -n 1 --format whole --exact $((32 << 20)) \
		--manifest "$T/man" >"$T/big"
	mc gen -w 2 -n 3 --format line --max 3000 --empty 0 \
		--manifest "$T/man" >"$T/next"
	FM_TIMEOUT=60 spawn_in "$T/big" "$T/s1" fifomsg send -w "$P"
	s1=$SPAWNED
	inner "$s1"
	pid=$FPID
	# No reader yet: the pipe fills and send blocks inside the frame.
	until_true 10 wrote_at_least "$pid" 32768
	kill -TERM "$pid"
	sleep 0.3
	kill -0 "$pid"		# still there, finishing the frame
	FM_TIMEOUT=60 spawn_in "$T/next" "$T/s2" fifomsg send "$P"
	s2=$SPAWNED
	FM_TIMEOUT=60 fm recv -r -n 4 "$P" >"$T/out"
	status=0
	wait "$s1" || status=$?
	[ "$status" -eq 143 ]
	[ ! -s "$T/s1.err" ]
	wait_pid "$s2"
	run mc verify --label signals --expect "$T/man" "$T/out"
	echo "$output"
	[ "$status" -eq 0 ]
	row_ok "$output" 4
	# The big frame came first and whole.
	[ "$(head -c 4 "$T/out" | od -An -tx1 | tr -d ' \n')" = 00000002 ]
}

@test "SIGINT to listen -c: what it printed is out, the pipe it created is gone, it exits at once" {
	local pid
	spawn "$T/out" fifomsg listen -c "$P"
	inner "$SPAWNED"
	pid=$FPID
	reader_ready "$P"
	fm send "$P" hello world
	kill -INT "$pid"
	until_true 1 not_running "$pid"
	status=0
	wait "$SPAWNED" || status=$?
	[ "$status" -eq 130 ]
	[ ! -e "$P" ]
	[ "$(cat "$T/out")" = "$(printf 'hello\nworld')" ]
	[ ! -s "$T/out.err" ]
}

@test "listen piped into head -1 ends quietly when head exits" {
	local i
	fm mkpipe "$P"
	# shellcheck disable=SC2016
	spawn "$T/pl" bash -c \
		'fifomsg listen "$1" 2>"$2" | head -n 1; echo "listen: ${PIPESTATUS[0]}"' \
		sh "$P" "$T/err"
	reader_ready "$P"
	fm send "$P" one
	# listen learns that head is gone at its next write.
	for i in $(seq 1 100); do
		not_running "$SPAWNED" && break
		fm send --no-wait "$P" more
		sleep 0.05
	done
	wait_pid "$SPAWNED"
	[ "$(cat "$T/pl")" = "$(printf 'one\nlisten: 141')" ]
	[ ! -s "$T/err" ]
	[ ! -s "$T/pl.err" ]
}

@test "a foreign writer that dies mid-frame: listen -t 1 reports a malformed stream (exit 4) naming the pipe and the offset, not a timeout" {
	fm mkpipe "$P"
	spawn "$T/out" fifomsg listen -t 1 "$P"
	reader_ready "$P"
	fm send "$P" before
	# Header announcing 1000 bytes, then 10 and 20 bytes with pauses
	# shorter than the timeout, then the writer is gone.
	timeout -k 1 10 "$PYTHON" "$MC" torn "$P" --announce 1000 --pieces 10,20 \
		--pause 0.3
	status=0
	wait "$SPAWNED" || status=$?
	[ "$status" -eq 4 ]
	[ "$(cat "$T/out")" = before ]
	[ "$(cat "$T/out.err")" = "fifomsg: listen: $P: malformed stream at byte 10: frame of 1000 bytes cut short after 30 of them (last writer left)" ]
}

@test "a foreign writer killed mid-frame: listen -e reports a malformed stream (exit 4)" {
	fm mkpipe "$P"
	spawn "$T/out" fifomsg listen -e "$P"
	reader_ready "$P"
	run timeout -k 1 10 "$PYTHON" "$MC" torn "$P" --announce 5000 \
		--pieces 100,4000 --pause 0.2 --kill
	[ "$status" -eq 137 ]
	status=0
	wait "$SPAWNED" || status=$?
	[ "$status" -eq 4 ]
	[ ! -s "$T/out" ]
	[ "$(cat "$T/out.err")" = "fifomsg: listen: $P: malformed stream at byte 0: frame of 5000 bytes cut short after 4100 of them (last writer left)" ]
}

@test "a stalled consumer holds the senders back: 64 MiB wait and no process grows past 8 MiB" {
	local lp s1 s2 p1 p2 written limit=8192
	# Under ASan, shadow memory and quarantine inflate RSS: the bound is
	# checked on the real build; the sanitizer build checks correctness.
	[ -z "${FIFOMSG_SANITIZER:-}" ] || limit=65536
	fm mkpipe "$P"
	mc gen -w 1 -n 1 --format whole --exact $((24 << 20)) \
		--manifest "$T/man" >"$T/big"
	mc gen -w 2 -n 1500 --format line --small 20 --manifest "$T/man" \
		>"$T/lines"
	# The consumer: listen into a pipe that nobody reads until $T/go.
	# shellcheck disable=SC2016
	FM_TIMEOUT=60 spawn "$T/rx" bash -c 'fifomsg listen -r -n 1501 "$1" |
		{ until [ -e "$2" ]; do sleep 0.05; done; cat >"$3"; }' \
		sh "$P" "$T/go" "$T/out"
	lp=$SPAWNED
	reader_ready "$P"
	# One 24 MiB message from a regular file, 40 MiB of lines from a pipe.
	FM_TIMEOUT=60 spawn_in "$T/big" "$T/s1" fifomsg send -w "$P"
	s1=$SPAWNED
	# shellcheck disable=SC2016
	FM_TIMEOUT=60 spawn "$T/s2" sh -c 'cat "$2" | fifomsg send "$1"' \
		sh "$P" "$T/lines"
	s2=$SPAWNED
	inner "$s1"
	p1=$FPID
	inner "$s2"
	p2=$FPID
	until_true 10 someone_wrote "$p1" "$p2"
	sleep 1
	# Everyone is blocked: little has moved, nobody has finished, nobody
	# has grown.
	written=$(($(wchar "$p1") + $(wchar "$p2")))
	echo "senders wrote $written bytes"
	[ "$written" -lt $((1 << 20)) ]
	kill -0 "$p1"
	kill -0 "$p2"
	HWM=0
	sample_hwm "$lp" "$s1" "$s2"
	echo "largest VmHWM while stalled: $HWM KiB"
	[ "$HWM" -gt 0 ]
	[ "$HWM" -lt "$limit" ]
	touch "$T/go"
	while ! not_running "$lp"; do
		sample_hwm "$lp" "$s1" "$s2"
		sleep 0.01
	done
	echo "largest VmHWM: $HWM KiB"
	[ "$HWM" -lt "$limit" ]
	wait_pid "$lp"
	run mc verify --ordered --label backpressure --expect "$T/man" "$T/out"
	echo "$output"
	[ "$status" -eq 0 ]
	row_ok "$output" 1501
	[ "$(wc -c <"$T/out")" -gt $((60 << 20)) ]
	wait_pid "$s1"
	wait_pid "$s2"
}
