#!/usr/bin/env bats
# The README's NNG recipes: a long-running nngcat pull socket on a free
# loopback port, fed by fifomsg-bridge to-nng at volume and by one nngcat
# push per message.

# The commands given to bash -c are single-quoted; $stderr is set by run.
# shellcheck disable=SC2016,SC2154

load helpers
load bridges

bats_require_minimum_version 1.5.0

# start_pull: the receiving recipe, listening; sets SUB, the sed script
# that points the README's recipes at a free port.
start_pull() {
	PORT=$(free_port)
	SUB="s/0\.0\.0\.0:5555/127.0.0.1:$PORT/; s/localhost:5555/127.0.0.1:$PORT/"
	run_recipe "$T/in" nng-in "$SUB"
	until_true 10 port_open "$PORT"
}

@test "NNG at volume: empty, spaces, NUL, newlines, every byte, 100 KiB and 10000 messages reach nngcat's pull socket once, intact, in order" {
	need nngcat python3
	fm mkpipe "$T/events" "$T/inbox"
	start_pull
	run_recipe "$T/out" nng-out "$SUB"
	reader_ready "$T/events"
	through empty space nul newline bytes big many
}

@test "NNG, one nngcat push per message: empty, NUL, newlines and 100 KiB" {
	need nngcat python3
	fm mkpipe "$T/events" "$T/inbox"
	start_pull
	run_recipe "$T/out" nng-out-exec "$SUB"
	reader_ready "$T/events"
	through empty nul newline big
}

@test "NNG: to-nng refuses a peer that is not a pull socket, and a URL it cannot use" {
	need nngcat python3
	PORT=$(free_port)
	serve "$T/push.log" nngcat --push0 --listen "tcp://127.0.0.1:$PORT" \
		--data x
	until_true 10 port_open "$PORT"
	run --separate-stderr bash -c 'printf "\\1\\0\\0\\0a" | timeout 10 fifomsg-bridge to-nng "$1"' \
		_ "tcp://127.0.0.1:$PORT"
	is_status 1
	[[ $stderr == *'the peer is not an NNG pull socket'* ]]
	run --separate-stderr fifomsg-bridge to-nng ipc:///tmp/x </dev/null
	is_status 2
}
