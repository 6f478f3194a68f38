#!/usr/bin/env bats
# The README's Redis recipes against a real redis-server on a free
# loopback port: a list as a queue in both directions, binary-safe.

# The commands given to bash -c are single-quoted; $stderr is set by run.
# shellcheck disable=SC2016,SC2154

load helpers
load bridges

bats_require_minimum_version 1.5.0

# llen_is LIST N: the Redis list LIST holds N values.
llen_is() {
	[ "$(redis-cli -p "$PORT" LLEN "$1")" = "$2" ]
}

# start_redis: a server of our own, nothing saved; sets PORT and SUB, the
# sed script that points the README's recipes at it.
start_redis() {
	PORT=$(free_port)
	serve "$T/redis.log" redis-server --port "$PORT" --bind 127.0.0.1 \
		--save '' --appendonly no --dir "$T"
	until_true 10 port_open "$PORT"
	SUB="s/-h localhost/-h 127.0.0.1 -p $PORT/"
}

@test "Redis queue: empty, spaces, NUL, newlines, every byte, 100 KiB and 10000 messages go through a list once, intact, in order" {
	need redis-server redis-cli python3
	start_redis
	fm mkpipe "$T/events" "$T/inbox"
	run_recipe "$T/in" redis-in "$SUB"
	run_recipe "$T/out" redis-out "$SUB"
	reader_ready "$T/events"
	through empty space nul newline bytes big many
	# Nothing is left behind in the list.
	[ "$(redis-cli -p "$PORT" LLEN events)" = 0 ]
}

@test "Redis, one redis-cli -x per message: NUL, the empty message and trailing newlines are kept" {
	need redis-server redis-cli python3
	start_redis
	fm mkpipe "$T/events" "$T/inbox"
	run_recipe "$T/out" redis-out-exec "$SUB"
	reader_ready "$T/events"
	messages "$T/want" empty nul newline bytes space
	run --separate-stderr fm send -r "$T/events" <"$T/want"
	is_status 0
	# Read back through the BLPOP recipe, after the last RPUSH.
	until_true 10 llen_is events 6
	spawn "$T/got" fifomsg listen -r -n 6 "$T/inbox"
	got=$SPAWNED
	run_recipe "$T/in" redis-in "$SUB"
	wait_pid "$got"
	same_frames "$T/want" "$T/got"
}

@test "Redis: from-redis refuses a reply that is not redis-cli --no-raw's, after passing on the whole ones" {
	need redis-server redis-cli python3
	start_redis
	redis-cli -p "$PORT" RPUSH q 'a b' >/dev/null
	redis-cli -p "$PORT" --no-raw BLPOP q 0 >"$T/replies"
	redis-cli -p "$PORT" RPUSH q 'c d' >/dev/null
	redis-cli -p "$PORT" --raw BLPOP q 0 >>"$T/replies"
	run --separate-stderr bash -c 'fifomsg-bridge from-redis <"$1" >"$2"' \
		_ "$T/replies" "$T/got"
	is_status 4
	frames 'a b' >"$T/want"
	cmp "$T/want" "$T/got"
	[[ $stderr == *'malformed input: not a BLPOP reply from redis-cli --no-raw'* ]]
}
