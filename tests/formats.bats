#!/usr/bin/env bats
# recv/listen --json and --exec CMD [--stop-on-error].
# (bats sets $stderr; the --exec commands are for the child's shell.)
# shellcheck disable=SC2154,SC2016
load helpers

bats_require_minimum_version 1.5.0

# Queue messages from the arguments; send waits in the background until
# they are taken.
queue() {
	spawn "$T/send" fifomsg send "$P" "$@"
}

@test "--json prints each message as one JSON string per line that jq decodes back" {
	command -v jq >/dev/null || skip "jq not installed"
	fm mkpipe "$P"
	queue 'plain' 'tab	and "quotes" and \backslash' "$(printf 'two\nlines')" '' 'ünïcødé €'
	run fm listen --json -n 5 "$P"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[0]}" = '"plain"' ]
	[ "${lines[1]}" = '"tab\tand \"quotes\" and \\backslash"' ]
	[ "${lines[2]}" = '"two\nlines"' ]
	[ "${lines[3]}" = '""' ]
	[ "${lines[4]}" = '"ünïcødé €"' ]
	run jq -r . <<<"${lines[1]}"
	[ "$status" -eq 0 ]
	[ "$output" = 'tab	and "quotes" and \backslash' ]
}

@test "--json writes control characters and bytes that are not UTF-8 as \\u00XX" {
	fm mkpipe "$P"
	# NUL-free binary: \001, DEL, a lone continuation byte, a truncated
	# sequence, an overlong form, a surrogate, and valid é at the end.
	printf 'a\001\177\200b\342\202c\300\257\355\240\200\303\251' >"$T/in"
	spawn "$T/send" bash -c 'exec fifomsg send -w "$1" <"$2"' _ "$P" "$T/in"
	run fm recv --json "$P"
	[ "$status" -eq 0 ]
	wait_pid "$SPAWNED"
	[ "$output" = '"a\u0001'$'\177''\u0080b\u00e2\u0082c\u00c0\u00af\u00ed\u00a0\u0080é"' ]
}

@test "--json keeps a UTF-8 sequence whole when it is split between reads" {
	fm mkpipe "$P"
	# A 1 MiB message of 3-byte characters: the reads (64 KiB) cut
	# sequences in two, none of which may come out escaped.
	python3 -c 'import sys; sys.stdout.write("€" * 349525 + "x")' >"$T/euro"
	spawn "$T/send" bash -c 'exec fifomsg send -w "$1" <"$2"' _ "$P" "$T/euro"
	run fm recv --json "$P"
	[ "$status" -eq 0 ]
	wait_pid "$SPAWNED"
	[ "$output" = "\"$(cat "$T/euro")\"" ]
}

@test "--json cannot be combined with -0, -r or --exec (exit 2)" {
	run -2 fifomsg listen --json -0 "$P"
	[[ $output == *"cannot be combined"* ]]
	run -2 fifomsg recv -r --json "$P"
	run -2 fifomsg listen --json --exec cat "$P"
}

@test "--exec runs CMD once per message, in order, with the message on stdin and FIFOMSG_PIPE/FIFOMSG_SEQ set" {
	fm mkpipe "$P"
	queue one 'two words' '' "$(printf 'multi\nline')"
	run fm listen -n 4 --exec 'printf "%s|%s|[%s]\n" "$FIFOMSG_SEQ" "$FIFOMSG_PIPE" "$(cat)"' "$P"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1|$P|[one]" ]
	[ "${lines[1]}" = "2|$P|[two words]" ]
	[ "${lines[2]}" = "3|$P|[]" ]
	[ "${lines[3]}" = "4|$P|[multi" ]
	[ "${lines[4]}" = "line]" ]
}

@test "--exec runs the commands one at a time" {
	fm mkpipe "$P"
	queue a b c
	# Each command holds a lock directory while it runs; an overlap fails.
	run fm listen -n 3 --exec 'mkdir "$FIFOMSG_PIPE.lock" 2>/dev/null || { echo overlap; exit 1; }; sleep 0.2; rmdir "$FIFOMSG_PIPE.lock"; cat; echo' "$P"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\nb\nc')" ]
}

@test "--exec: a failing command is reported, listening goes on, and the final status is 1" {
	fm mkpipe "$P"
	queue ok bad ok2
	run --separate-stderr fm listen -n 3 --exec 'x=$(cat); [ "$x" != bad ] && echo "$x"' "$P"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'ok\nok2')" ]
	[[ $stderr == "fifomsg: listen: command failed on message 2: exit status 1" ]]
}

@test "--exec --stop-on-error stops at the first failure and leaves later messages in the pipe" {
	fm mkpipe "$P"
	queue first bad third fourth
	run --separate-stderr fm recv -n 4 --stop-on-error --exec 'x=$(cat); echo "$x"; [ "$x" != bad ]' "$P"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'first\nbad')" ]
	[[ $stderr == *"message 2"* ]]
	run fm recv -n 2 -t 5 "$P"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'third\nfourth')" ]
}

@test "--exec: a command that does not read its input is no error" {
	fm mkpipe "$P"
	head -c 300000 /dev/zero >"$T/big"
	spawn "$T/send" bash -c 'exec fifomsg send -w "$1" <"$2"' _ "$P" "$T/big"
	run fm recv --exec 'echo ran' "$P"
	[ "$status" -eq 0 ]
	wait_pid "$SPAWNED"
	[ "$output" = ran ]
}

@test "--exec: the command gets SIGPIPE's default action, not our ignored one" {
	fm mkpipe "$P"
	queue x
	run fm recv --exec 'grep SigIgn /proc/self/status' "$P"
	[ "$status" -eq 0 ]
	# Bit 13 (SIGPIPE) of the ignored-signal mask must be clear.
	mask=$((16#${output##*:	}))
	[ $((mask & (1 << 12))) -eq 0 ]
}

@test "--exec: the command inherits no descriptor of the pipe" {
	fm mkpipe "$P"
	queue x
	run fm recv --exec 'ls -l /proc/self/fd/' "$P"
	[ "$status" -eq 0 ]
	[[ $output != *"$P"* ]]
}

@test "--stop-on-error without --exec is a usage error (exit 2)" {
	run -2 fifomsg listen --stop-on-error "$P"
	[[ $output == *"--stop-on-error goes with --exec"* ]]
	[[ $output == *"usage: fifomsg listen"* ]]
}

@test "-v prints a summary line on stderr at exit" {
	fm mkpipe "$P"
	queue a b
	run --separate-stderr fm listen -v -n 2 "$P"
	[ "$status" -eq 0 ]
	[[ $stderr =~ ^"fifomsg: listen: 2 messages, "[0-9.]+" s" ]]
	spawn "$T/recv" fifomsg recv "$P"
	run --separate-stderr fm send -v "$P" x
	[ "$status" -eq 0 ]
	[[ $stderr =~ ^"fifomsg: send: 1 messages, 5 bytes, " ]]
}
