#!/usr/bin/env bats
# The README's MQTT recipes against a real mosquitto on a free loopback
# port: every message arrives once, intact and in order, through both
# directions, and a lagging subscriber loses nothing with the broker set
# up as the README says.

load helpers
load bridges

bats_require_minimum_version 1.5.0

# start_mosquitto [CONF-LINE...]: a broker of our own; sets PORT and SUB,
# the sed script that points the README's recipes at it.
start_mosquitto() {
	PORT=$(free_port)
	{
		echo "listener $PORT 127.0.0.1"
		echo "allow_anonymous true"
		# As root it would switch to user mosquitto, who cannot write in $T.
		echo "user $(id -un)"
		echo "persistence false"
		echo "log_dest file $T/mosquitto.log"
		echo "log_type all"
		printf '%s\n' "$@"
	} >"$T/mosquitto.conf"
	serve "$T/mosquitto.out" mosquitto -c "$T/mosquitto.conf"
	until_true 10 port_open "$PORT"
	SUB="s/-h localhost/-h 127.0.0.1 -p $PORT/"
}

# subscribed CLIENT: the broker has acknowledged CLIENT's subscription.
subscribed() {
	until_true 10 grep -qs "Sending SUBACK to $1" "$T/mosquitto.log"
}

@test "MQTT lines: empty, spaces, 100 KiB and 10000 small messages cross mosquitto once, intact, in order" {
	need mosquitto mosquitto_pub mosquitto_sub python3
	start_mosquitto "$(recipe mosquitto-conf)"
	fm mkpipe "$T/events" "$T/inbox"
	run_recipe "$T/in" mqtt-in "$SUB"
	subscribed inbox
	run_recipe "$T/out" mqtt-out "$SUB"
	reader_ready "$T/events"
	through empty space big many
}

@test "MQTT binary: NUL, newlines, every byte value and 100 KiB cross mosquitto one process each; -s refuses the empty message" {
	need mosquitto mosquitto_pub mosquitto_sub python3
	start_mosquitto "$(recipe mosquitto-conf)"
	fm mkpipe "$T/events" "$T/inbox"
	run_recipe "$T/in" mqtt-in-binary "$SUB"
	subscribed inbox
	run_recipe "$T/out" mqtt-out-binary "$SUB"
	reader_ready "$T/events"
	through nul newline bytes big space
	# The receiving side carries the empty message and volume too.
	messages "$T/want" empty many
	spawn "$T/got" fifomsg listen -r -n 10001 "$T/inbox"
	got=$SPAWNED
	mosquitto_pub -p "$PORT" -q 1 -t events -n
	python3 -c 'for i in range(10000): print("small %05d" % i)' |
		timeout 20 mosquitto_pub -p "$PORT" -q 1 -t events -l
	wait_pid "$got"
	same_frames "$T/want" "$T/got"
	# As the README says: -s refuses the empty message.
	run timeout 10 mosquitto_pub -p "$PORT" -q 1 -t events -s </dev/null
	is_status 1
}

# lagging CONF-LINE...: a subscriber stopped while 5000 QoS 1 messages
# are published, then resumed; leaves in COUNT how many it got.
lagging() {
	start_mosquitto "$@"
	python3 -c 'for i in range(5000): print("lagging %05d" % i)' >"$T/lines"
	mosquitto_sub -p "$PORT" -q 1 -t lag -c -i lagger -C 5000 -W 3 \
		>"$T/lag" 2>"$T/lag.err" 3>&- &
	PIDS+=("$!")
	local sub=$!
	subscribed lagger
	kill -STOP "$sub"
	STOPPED+=("$sub")
	# QoS 1: mosquitto_pub exits once the broker has every message.
	timeout 20 mosquitto_pub -p "$PORT" -q 1 -t lag -l <"$T/lines"
	kill -CONT "$sub"
	wait "$sub" || true
	COUNT=$(wc -l <"$T/lag")
}

@test "MQTT: a subscriber paused while 5000 messages are published gets all of them with the README's broker setting" {
	need mosquitto mosquitto_pub mosquitto_sub python3
	lagging "$(recipe mosquitto-conf)"
	[ "$COUNT" -eq 5000 ]
	cmp "$T/lines" "$T/lag"
}

@test "MQTT: with mosquitto's default queue limit the paused subscriber loses messages, as the README warns" {
	need mosquitto mosquitto_pub mosquitto_sub python3
	lagging
	echo "got $COUNT of 5000"
	[ "$COUNT" -lt 5000 ]
	[ "$COUNT" -gt 0 ]
}
