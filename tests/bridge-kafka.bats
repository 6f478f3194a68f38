#!/usr/bin/env bats
# The README's Kafka recipes through kcat, against librdkafka's built-in
# mock cluster: one kcat process hosts it on a loopback port (its
# topics have 4 partitions), the recipes' kcat processes connect to it.

load helpers
load bridges

bats_require_minimum_version 1.5.0

# start_kafka: the mock cluster; sets SUB, the sed script that points the
# README's recipes at it.
start_kafka() {
	serve "$T/kafka.log" kcat -C -q -b unused -t _host \
		-X test.mock.num.brokers=1
	until_true 10 grep -qs 'replaced with 127.0.0.1:' "$T/kafka.log"
	PORT=$(sed -n 's/.*replaced with 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
		"$T/kafka.log")
	[ -n "$PORT" ]
	SUB="s/localhost:9092/127.0.0.1:$PORT/"
}

# through KINDS...: these messages, sent into pipe events, come out of
# pipe inbox as WANT (default: all of them).
through() {
	messages "$T/sent" "$@"
	[ -e "$T/want" ] || cp "$T/sent" "$T/want"
	spawn "$T/got" fifomsg listen -r -n "$(count_frames "$T/want")" \
		"$T/inbox"
	local got=$SPAWNED
	run --separate-stderr fm send -r "$T/events" <"$T/sent"
	is_status 0
	wait_pid "$got"
	same_frames "$T/want" "$T/got"
}

@test "Kafka lines: spaces, NUL, 100 KiB and 10000 messages cross the mock cluster once, intact, in order; the empty one is dropped" {
	need kcat python3
	start_kafka
	fm mkpipe "$T/events" "$T/inbox"
	run_recipe "$T/in" kafka-in "$SUB"
	run_recipe "$T/out" kafka-out "$SUB"
	reader_ready "$T/events"
	# kcat -P drops the empty line, as the README says.
	messages "$T/want" space nul big many
	through empty space nul big many
}

@test "Kafka binary, one kcat per message: newlines, NUL and every byte value; the empty message is dropped" {
	need kcat python3
	start_kafka
	fm mkpipe "$T/events" "$T/inbox"
	run_recipe "$T/in" kafka-in "$SUB"
	run_recipe "$T/out" kafka-out-binary "$SUB"
	reader_ready "$T/events"
	messages "$T/want" newline nul bytes space
	through newline empty nul bytes space
	# No temporary file is left behind.
	[ -z "$(find "$T" -maxdepth 1 -name 'm.*')" ]
}

@test "Kafka: without -p 0 the producer spreads messages over partitions and the consumer gets them out of order" {
	need kcat python3
	start_kafka
	seq 2000 >"$T/lines"
	# librdkafka sticks to one partition for a burst: ten producers, ten
	# bursts (all in one partition by chance: 1 in 4^9).
	for i in 0 1 2 3 4 5 6 7 8 9; do
		sed -n "$((i * 200 + 1)),$((i * 200 + 200))p" "$T/lines" |
			timeout 20 kcat -P -b "127.0.0.1:$PORT" -t spread
	done
	timeout 20 kcat -C -b "127.0.0.1:$PORT" -t spread -o beginning \
		-q -e -c 2000 >"$T/got"
	sort -n "$T/got" | cmp - "$T/lines"
	run ! cmp -s "$T/got" "$T/lines"
}
