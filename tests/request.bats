#!/usr/bin/env bats
# fifomsg request [-0 | -r | --json] [-v] [-t SECS] [-d DIR] ... PIPE [MESSAGE]
# fifomsg serve [-kv] [-n COUNT] [-t SECS] ... --exec CMD PIPE

# (bats sets $output, $stderr...; bash -c scripts are single-quoted; each
# test is a function, not a subshell.)
# shellcheck disable=SC2154,SC2016,SC2030,SC2031
load helpers
load bridges

bats_require_minimum_version 1.5.0

export LC_ALL=C

# server ARGS...: "fifomsg serve ARGS $P" in the background (the pipe is
# made first); returns once it waits for requests.
server() {
	[ -p "$P" ] || fifomsg mkpipe "$P"
	spawn "$T/srv$#$RANDOM" fifomsg serve "$@" "$P"
	SRV=$SPAWNED
	reader_ready "$P"
}

# R: the reply directory of the test, to see that nothing is left in it.
replydir() {
	R=$T/r
	mkdir -m 700 "$R"
}

empty_dir() {
	[ -z "$(ls -A "$1")" ]
}

# has_reply_fifo DIR: a reply FIFO has its final name in DIR.
has_reply_fifo() {
	[ -n "$(ls "$1")" ]
}

# req_frame PATH BODY: a request frame, made by hand.
req_frame() {
	le32 $((${#1} + 1 + ${#2}))
	printf '%s\0%s' "$1" "$2"
}

@test "request prints the reply of serve's command; exit 0" {
	replydir
	server --exec 'tr a-z A-Z'
	run --separate-stderr fm request -d "$R" "$P" hello
	is_status 0
	[ "$output" = HELLO ]
	printf 'two\nlines\n' >"$T/in"
	run --separate-stderr fm request -d "$R" --json "$P" <"$T/in"
	is_status 0
	[ "$output" = '"TWO\nLINES"' ]
	empty_dir "$R"
}

@test "serve drops one final newline of the output unless -k" {
	server -n 1 --exec 'printf "a\n\n"'
	run --separate-stderr fm request -r "$P" x
	[ "$output" = "$(le32 2; printf 'a\n')" ]
	wait_pid "$SRV"
	server -k --exec 'printf "a\n\n"'
	run --separate-stderr fm request -0 "$P" x
	[ "$output" = "$(printf 'a\n\n')" ]
}

@test "the command's environment has FIFOMSG_PIPE and FIFOMSG_SEQ" {
	server --exec 'echo "$FIFOMSG_PIPE $FIFOMSG_SEQ"'
	run fm request "$P" x
	[ "$output" = "$P 1" ]
	run fm request "$P" x
	[ "$output" = "$P 2" ]
}

@test "a failing command: its output is printed and request exits 1" {
	replydir
	server --exec 'echo partial; exit 7'
	run --separate-stderr fm request -d "$R" "$P" x
	is_status 1
	[ "$output" = partial ]
	[[ $stderr == *"command failed: exit status 7"* ]]
	empty_dir "$R"
}

@test "no reply within -t: exit 3, and the reply FIFO is removed" {
	replydir
	fifomsg mkpipe "$P"
	run --separate-stderr fm request -d "$R" -t 0.3 "$P" x
	is_status 3
	[[ $stderr == *"timed out"* ]]
	empty_dir "$R"
	# A server that takes too long is the same.
	server --exec 'sleep 5'
	run --separate-stderr fm request -d "$R" -t 0.3 "$P" x
	is_status 3
	empty_dir "$R"
}

@test "request removes its reply FIFO when stopped by SIGTERM, SIGINT, SIGHUP" {
	replydir
	fifomsg mkpipe "$P"
	for sig in TERM INT HUP; do
		spawn "$T/req$sig" fifomsg request -d "$R" "$P" x
		until_true 10 has_reply_fifo "$R"
		pid=$(pgrep -P "$SPAWNED")
		kill -"$sig" "$pid"
		status=0
		wait_pid "$SPAWNED" || status=$?
		echo "$sig: $status"
		[ "$status" -gt 128 ]
		empty_dir "$R"
	done
}

@test "request fails cleanly on a missing pipe or a bad reply directory" {
	replydir
	run --separate-stderr fm request -d "$R" "$T/none" x
	is_status 1
	empty_dir "$R"
	fifomsg mkpipe "$P"
	run --separate-stderr fm request -d "$T/nodir" -t 1 "$P" x
	is_status 1
	run --separate-stderr fm request -d relative "$P" x
	is_status 2
}

@test "a pool of 4 servers: 16 requesters each get exactly their own replies" {
	# 16 x 200 is the full size; the default keeps the suite quick on
	# two cores, with the same concurrency.
	n=${FM_RR_REQS:-25}
	# The servers live for the whole test: 400 round trips take 20 s or
	# more under a sanitizer on a busy machine.
	local FM_TIMEOUT=300
	fifomsg mkpipe "$P"
	for _ in 1 2 3 4; do
		server --exec 'cat; echo " by $PPID"'
	done
	reqs=()
	for r in $(seq 16); do
		# shellcheck disable=SC2034 # used by the bash -c script
		timeout -k 2 300 bash -c 'for i in $(seq "$1"); do
			fifomsg request -t 60 "$2" "r$3-$i" || echo "FAIL $?"
			done' sh "$n" "$P" "$r" >"$T/out$r" 3>&- &
		reqs+=("$!")
	done
	for p in "${reqs[@]}"; do
		wait_pid "$p"
	done
	for r in $(seq 16); do
		sed 's/ by [0-9]*$//' "$T/out$r" |
			cmp - <(seq "$n" | sed "s/^/r$r-/")
	done
	# All four servers took part.
	[ "$(cat "$T"/out* | sed 's/.* by //' | sort -u | wc -l)" -eq 4 ]
}

@test "serve writes nothing into a file, a link or another user's FIFO" {
	make_victim "$T/victim"
	ln -s "$T/victim" "$T/link"
	mkfifo "$T/target"
	exec 5<>"$T/target"
	ln -s "$T/target" "$T/fifolink"
	n=4
	if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
		mkfifo "$T/theirs"
		exec 6<>"$T/theirs"
		chown nobody "$T/theirs"
		n=5
	fi
	server -n "$n" --exec 'echo reply'
	{
		req_frame "$T/victim" a
		req_frame "$T/link" b
		req_frame "$T/fifolink" c
		req_frame relative d
		[ "$n" -eq 4 ] || req_frame "$T/theirs" e
	} >"$P"
	wait_pid "$SRV"
	victim_untouched "$T/victim"
	run fm recv -t 0.3 "$T/target"
	exec 5>&-
	is_status 3
	if [ "$n" -eq 5 ]; then
		run fm recv -t 0.3 "$T/theirs"
		exec 6>&-
		is_status 3
	fi
	cat "$T"/srv*.err
	[ "$(grep -c 'nothing sent\|Too many levels' "$T"/srv*.err)" -eq "$n" ]
}

@test "a requester that has gone costs serve one failed open, and it goes on" {
	server -n 2 --exec cat
	# The reply FIFO exists, with no reader: the requester has gone.
	mkfifo "$T/gone"
	req_frame "$T/gone" x >"$P"
	run --separate-stderr fm request "$P" next
	is_status 0
	[ "$output" = next ]
	wait_pid "$SRV"
	grep -q 'the requester has gone' "$T"/srv*.err
}

@test "a Python client made from the man page alone gets replies" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	server --exec 'tr a-z A-Z; exit 3'
	run python3 "$BATS_TEST_DIRNAME/reqclient.py" "$P" hello
	is_status 0
	[ "$output" = "$(printf 'status 3\nHELLO')" ]
}

@test "the README's queue, fan-out and request/reply recipes run as shown" {
	recipe queue-fanout-reply >"$T/recipe.sh"
	grep -q 'fifomsg publish' "$T/recipe.sh"
	cd "$T"
	run timeout -k 2 "$FM_TIMEOUT" bash -e recipe.sh
	is_status 0
	[ "$output" = "$(printf 'HELLO\nWORLD')" ]
	[ "$(cat a.txt)" = "$(printf 'disk full\ndisk ok')" ]
	[ "$(cat b.txt)" = "$(printf 'disk full\ndisk ok')" ]
}
