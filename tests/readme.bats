#!/usr/bin/env bats
# Every shell example in README.md runs here, so none can drift from the
# code.  The convention: each ```sh (or ```ini, ```conf) block follows a
# line <!-- test: NAME --> and some test runs it with "recipe NAME" or
# "run_recipe OUT NAME" (tests/bridges.bash); a block that cannot run in
# a test says why instead: <!-- test: none, REASON -->.
# The recipes run in $T, under a timeout, with the binary under test and
# contrib/ on PATH.

# The recipes and the commands given to bash -c are single-quoted.
# shellcheck disable=SC2016

load helpers
load bridges

bats_require_minimum_version 1.5.0

# README's fenced blocks with a language, each with the marker above it
# ("-" when there is none).
blocks() {
	awk '
		/^<!-- test: .* -->$/ { m = $0; sub(/^<!-- test: /, "", m);
			sub(/ -->$/, "", m); next }
		/^```[a-z]+$/ { print (m == "" ? "-" : m) " " NR; m = "" ; skip = 1; next }
		skip && /^```$/ { skip = 0; next }
		!/^$/ && !skip { m = "" }
	' "$BRIDGE_DIR/README.md"
}

@test "README: every example block is marked, and every named one is run by a test" {
	run blocks
	is_status 0
	[ "${#lines[@]}" -gt 20 ]
	local line name bad=0
	for line in "${lines[@]}"; do
		name=${line% *}
		case $name in
		-)
			echo "README.md line ${line#* }: no <!-- test: --> marker" >&2
			bad=1
			;;
		none,*) ;;
		*)
			grep -Eqs "(recipe|run_recipe \"[^\"]*\") $name([ )]|\$)" \
				"$BATS_TEST_DIRNAME"/*.bats || {
				echo "README.md: no test runs recipe $name" >&2
				bad=1
			}
			;;
		esac
	done
	[ "$bad" -eq 0 ]
	# No two blocks share a name.
	[ -z "$(printf '%s\n' "${lines[@]%% *}" | grep -v '^none,' | sort | uniq -d)" ]
}

# until_lines N FILE: FILE has N lines.
until_lines() {
	until_true 10 lines_in "$2" "$1"
}

@test "README: the quick start, a listener in one shell and writers in another" {
	export HOME=$T
	run_recipe "$T/listen" quickstart-listen
	until_true 10 [ -p "$T/hello_ipc" ]
	reader_ready "$T/hello_ipc"
	recipe quickstart-send >"$T/send.sh"
	run --separate-stderr timeout 20 env -C "$T" bash "$T/send.sh" \
		<<<'typed on the keyboard'
	is_status 0
	until_lines 5 "$T/listen"
	printf '%s\n' 'Hello Alice!' 'Hello Bob!' 'Hello Carol!' 'Hello Dave!' \
		'typed on the keyboard' | diff - "$T/listen"
}

@test "README: lines of a file sent, and filtered as they arrive" {
	fm mkpipe "$T/pipe"
	printf '%s\n' alex bob maxine xavier >"$T/names.txt"
	recipe lines >"$T/lines.sh"
	# The recipe's two lines, a writer and a reader, run side by side.
	spawn "$T/out" env -C "$T" bash -c "$(sed -n 2p "$T/lines.sh")"
	reader_ready "$T/pipe"
	run --separate-stderr timeout 20 env -C "$T" bash -c "$(sed -n 1p "$T/lines.sh")"
	is_status 0
	until_lines 3 "$T/out"
	printf '%s\n' alex maxine xavier | diff - "$T/out"
}

@test "README: a request through the links and its reply, or the timeout message" {
	export queue=$T/queue replies=$T/replies file=photo.jpg
	fm mkpipe "$queue" "$replies"
	recipe links >"$T/links.sh"
	printf 'echo "reply: $reply"\n' >>"$T/links.sh"
	spawn "$T/server" bash -c 'm=$(fifo-recv "$queue") && fifo-send "$replies" "done: $m"'
	run --separate-stderr timeout 20 bash "$T/links.sh"
	is_status 0
	[ "$output" = 'reply: done: resize photo.jpg' ]
	[ -z "$stderr" ]
	# No server: the message and the timeout notice.
	spawn "$T/sink" fifo-recv "$queue"
	sed -i 's/-t 10/-t 0.5/' "$T/links.sh"
	run --separate-stderr timeout 20 bash "$T/links.sh"
	[[ $stderr == *'no reply in 10 s'* ]]
}

@test "README: the worker pool runs every job exactly once and quietly" {
	seq -f 'job %g' 40 >"$T/jobs.txt"
	recipe workers >"$T/workers.sh"
	run --separate-stderr timeout 30 env -C "$T" bash "$T/workers.sh"
	is_status 0
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 40 ]
	printf '%s\n' "${lines[@]}" | sed 's/^worker [1-4]: //' | sort -V |
		diff "$T/jobs.txt" -
}

@test "README: jq prints each message whole and selects on content" {
	need jq
	fm mkpipe "$T/events"
	run_recipe "$T/all" jq
	reader_ready "$T/events"
	run --separate-stderr fm send -r "$T/events" < <(frames $'two\nlines' 'an error' 'fine')
	is_status 0
	until_lines 4 "$T/all"
	printf '%s\n' two lines 'an error' fine | diff - "$T/all"
	kill "$SPAWNED"
	wait "$SPAWNED" || true
	run_recipe "$T/errors" jq-select
	reader_ready "$T/events"
	run --separate-stderr fm send -r "$T/events" < <(frames 'ok' 'an error')
	is_status 0
	until_lines 1 "$T/errors"
	[ "$(cat "$T/errors")" = '"an error"' ]
}

@test "README: --exec hands each message to logger, and to one numbered file each" {
	fm mkpipe "$T/events"
	# A stand-in logger that keeps what it is given.
	printf '#!/bin/sh\n{ printf "%%s: " "$2"; cat; echo; } >>"%s/logged"\n' \
		"$T" >"$BIN/logger"
	chmod +x "$BIN/logger"
	run_recipe "$T/log" exec-logger
	reader_ready "$T/events"
	run --separate-stderr fm send "$T/events" one two
	is_status 0
	until_lines 2 "$T/logged"
	printf '%s\n' 'events: one' 'events: two' | diff - "$T/logged"
	kill "$SPAWNED"
	wait "$SPAWNED" || true
	run_recipe "$T/files" exec-files
	reader_ready "$T/events"
	run --separate-stderr fm send -r "$T/events" < <(frames $'a\nb\n' '')
	is_status 0
	until_true 10 [ -e "$T/inbox/2.msg" ]
	[ "$(cat "$T/inbox/1.msg"; echo .)" = $'a\nb\n.' ]
	[ ! -s "$T/inbox/2.msg" ]
}

@test "README: forwarding one pipe to another keeps every frame" {
	need python3
	fm mkpipe "$T/a" "$T/b"
	messages "$T/want" empty space nul newline bytes big
	spawn "$T/got" fifomsg listen -r -n 7 "$T/b"
	got=$SPAWNED
	run_recipe "$T/fwd" forward
	reader_ready "$T/a"
	run --separate-stderr fm send -r "$T/a" <"$T/want"
	is_status 0
	wait_pid "$got"
	same_frames "$T/want" "$T/got"
}

@test "README: the socat bridge and the ssh one, host2 being this machine" {
	need socat python3
	fm mkpipe "$T/a" "$T/b"
	PORT=$(free_port)
	sub="s/7000/$PORT/; s/host2/127.0.0.1/"
	messages "$T/want" empty nul newline big
	spawn "$T/got" fifomsg listen -r -n 5 "$T/b"
	got=$SPAWNED
	run_recipe "$T/far" socat-far "$sub"
	until_true 10 port_open "$PORT"
	run_recipe "$T/near" socat-near "$sub"
	reader_ready "$T/a"
	run --separate-stderr fm send -r "$T/a" <"$T/want"
	is_status 0
	wait_pid "$got"
	same_frames "$T/want" "$T/got"
	kill "$SPAWNED"
	wait "$SPAWNED" || true
	# ssh: a stand-in that runs the remote command here, as sshd would.
	printf '#!/bin/sh\nshift\nexec sh -c "$*"\n' >"$BIN/ssh"
	chmod +x "$BIN/ssh"
	spawn "$T/got2" fifomsg listen -r -n 5 "$T/b"
	got=$SPAWNED
	run_recipe "$T/ssh" ssh
	reader_ready "$T/a"
	run --separate-stderr fm send -r "$T/a" <"$T/want"
	is_status 0
	wait_pid "$got"
	same_frames "$T/want" "$T/got2"
}
