#!/usr/bin/env bats
# The README's systemd units: a socket unit holding the pipe
# (ListenFIFO=) and the listener it starts, checked by systemd-analyze.
# Starting them needs a running systemd, which a test machine may not
# have; verify checks every setting, and that ExecStart= can run.

load helpers
load bridges

bats_require_minimum_version 1.5.0

# units DIR: the README's two units in DIR, ExecStart= pointed at the
# binary under test.
units() {
	mkdir -p "$1"
	recipe systemd-socket >"$1/events.socket"
	recipe systemd-service |
		sed "s|/usr/local/bin/fifomsg|$(readlink -f "$BIN/fifomsg")|" \
			>"$1/events.service"
	grep -q '^ListenFIFO=' "$1/events.socket"
	grep -q '^ExecStart=/.*fifomsg listen' "$1/events.service"
}

@test "systemd: the README's socket and service units pass systemd-analyze verify without a warning" {
	need systemd-analyze
	units "$T/units"
	run timeout 60 systemd-analyze verify "$T/units/events.socket" \
		"$T/units/events.service"
	is_status 0
	[ -z "$output" ]
}

@test "systemd: verify catches a misspelt setting in the units" {
	need systemd-analyze
	units "$T/units"
	sed -i 's/^ListenFIFO=/ListenFifo=/' "$T/units/events.socket"
	run timeout 60 systemd-analyze verify "$T/units/events.socket" \
		"$T/units/events.service"
	[[ $output == *"Unknown key 'ListenFifo'"* ]]
}
