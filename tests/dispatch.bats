#!/usr/bin/env bats
# Multicall dispatch: "fifomsg SUBCOMMAND" and the fifo-SUBCOMMAND links,
# --list, --help and --version on every entry point, unknown names.

# (bats sets $output, $stderr_lines...; bash -c scripts are single-quoted.)
# shellcheck disable=SC2154,SC2016
load helpers

bats_require_minimum_version 1.5.0

# The version the build stamps into the binary.
version() {
	sed -n 's/^VERSION *= *//p' "$BATS_TEST_DIRNAME/../Makefile"
}

# help_ok ENTRY... SUB: "ENTRY --help" and "ENTRY -h" print the usage of
# SUB ("fifomsg" for the top level) and an option list to stdout, exit 0.
help_ok() {
	local sub=${*: -1} opt
	local want="usage: fifomsg $sub "
	[ "$sub" = fifomsg ] && want="usage: fifomsg "
	for opt in --help -h; do
		run --separate-stderr "${@:1:$#-1}" "$opt"
		is_status 0
		[ -z "$stderr" ]
		[[ ${lines[0]} == "$want"* ]]
		# More than the synopsis: the options are listed.
		[ "${#lines[@]}" -gt 3 ]
		[[ $output == *--help* ]]
		[[ $output == *--version* ]]
	done
}

# version_ok ENTRY...: "ENTRY --version" and "ENTRY -V" print
# "fifomsg VERSION" to stdout, exit 0.
version_ok() {
	local opt v
	v=$(version)
	[ -n "$v" ]
	for opt in --version -V; do
		run --separate-stderr "$@" "$opt"
		is_status 0
		[ -z "$stderr" ]
		[ "$output" = "fifomsg $v" ]
	done
}

@test "fifomsg --list prints the link names, one a line" {
	run --separate-stderr fifomsg --list
	is_status 0
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = \
	  "$(printf '%s\n' fifo-listen fifo-mkpipe fifo-publish fifo-recv \
		fifo-request fifo-send fifo-serve fifo-subscribe)" ]
}

@test "fifomsg with no subcommand is a usage error (exit 2)" {
	run --separate-stderr fifomsg
	is_status 2
	[ -z "$output" ]
	[[ $stderr == "fifomsg: "*subcommand* ]]
	[[ $stderr == *"usage: fifomsg "* ]]
}

@test "an unknown subcommand exits 127 and names it" {
	run -127 --separate-stderr fifomsg bogus pipe
	is_status 127
	[ -z "$output" ]
	[[ $stderr == "fifomsg: "*unknown*"'bogus'"* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "a link with an unknown fifo- name exits 127 and names it" {
	ln -s fifomsg "$BIN/fifo-bogus"
	run -127 --separate-stderr fifo-bogus --help
	is_status 127
	[ -z "$output" ]
	[[ $stderr == "fifomsg: "*unknown*fifo-bogus* ]]
}

@test "fifomsg --help/-h print the usage and subcommands; --version/-V the version" {
	help_ok fifomsg fifomsg
	for sub in mkpipe send recv listen; do
		[[ $output == *"$sub"* ]]
	done
	version_ok fifomsg
}

@test "fifomsg mkpipe --help/-h print its usage; --version/-V the version" {
	help_ok fifomsg mkpipe mkpipe
	version_ok fifomsg mkpipe
}

@test "fifomsg send --help/-h print its usage; --version/-V the version" {
	help_ok fifomsg send send
	version_ok fifomsg send
}

@test "fifomsg recv --help/-h print its usage; --version/-V the version" {
	help_ok fifomsg recv recv
	version_ok fifomsg recv
}

@test "fifomsg listen --help/-h print its usage; --version/-V the version" {
	help_ok fifomsg listen listen
	version_ok fifomsg listen
}

@test "fifo-mkpipe --help/-h print the usage of mkpipe; --version/-V the version" {
	help_ok fifo-mkpipe mkpipe
	version_ok fifo-mkpipe
}

@test "fifo-send --help/-h print the usage of send; --version/-V the version" {
	help_ok fifo-send send
	version_ok fifo-send
}

@test "fifo-recv --help/-h print the usage of recv; --version/-V the version" {
	help_ok fifo-recv recv
	version_ok fifo-recv
}

@test "fifo-listen --help/-h print the usage of listen; --version/-V the version" {
	help_ok fifo-listen listen
	version_ok fifo-listen
}

@test "each link prints the same help as its subcommand" {
	local sub
	for sub in mkpipe send recv listen; do
		[ "$(fifomsg "$sub" --help)" = "$("fifo-$sub" --help)" ]
	done
}

@test "each link gives the same usage error as its subcommand" {
	local sub a b
	for sub in mkpipe send recv listen; do
		run --separate-stderr fifomsg "$sub"
		is_status 2
		a=$stderr
		[[ $a == "fifomsg: $sub: "* ]]
		run --separate-stderr "fifo-$sub"
		is_status 2
		b=$stderr
		[ "$a" = "$b" ]
	done
}

@test "recv and listen name the options an ambiguous prefix could be (exit 2)" {
	local c
	for c in recv listen; do
		run --separate-stderr fifomsg "$c" --m 600 "$T/p"
		[ "$status" -eq 2 ]
		[ "${stderr_lines[0]}" = "fifomsg: $c: ambiguous option '--m' (could be --mode, --max-size)" ]
		run --separate-stderr fifomsg "$c" --c "$T/p"
		[ "$status" -eq 2 ]
		[ "${stderr_lines[0]}" = "fifomsg: $c: ambiguous option '--c' (could be --count, --create)" ]
	done
}

@test "recv, which has no --eof, takes --e as --exec; listen calls it ambiguous" {
	run --separate-stderr fifomsg recv --e
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "fifomsg: recv: option --e needs a value" ]
	run --separate-stderr fifomsg recv --eof "$T/p"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "fifomsg: recv: unknown option --eof" ]
	run --separate-stderr fifomsg listen --e true "$T/p"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "fifomsg: listen: ambiguous option '--e' (could be --eof, --exec)" ]
}

@test "fifo-mkpipe makes the same FIFO as fifomsg mkpipe" {
	run fifo-mkpipe -m 640 "$T/a"
	is_status 0
	run fifomsg mkpipe -m 640 "$T/b"
	is_status 0
	[ -p "$T/a" ]
	[ -p "$T/b" ]
	[ "$(stat -c %a "$T/a")" = 640 ]
	[ "$(stat -c %a "$T/b")" = 640 ]
}

@test "fifo-send and fifo-recv carry a message like send and recv" {
	fifomsg mkpipe "$P"
	spawn "$T/send" fifo-send "$P" "via link" "second"
	run --separate-stderr tm fifo-recv -t 5 "$P"
	is_status 0
	[ "$output" = "via link" ]
	run --separate-stderr fm recv -t 5 "$P"
	is_status 0
	[ "$output" = "second" ]
	wait_pid "$SPAWNED"
}

@test "fifo-listen prints messages like fifomsg listen" {
	fifomsg mkpipe "$P"
	spawn "$T/out" fifo-listen -n 2 "$P"
	reader_ready "$P"
	fm send "$P" one two
	wait_pid "$SPAWNED"
	[ "$(cat "$T/out")" = "$(printf 'one\ntwo')" ]
}

@test "a link is dispatched on its basename whatever the path used" {
	fifomsg mkpipe "$P"
	run --separate-stderr "$BIN/fifo-recv" -t 0.1 "$P"
	is_status 3
	[[ $stderr == "fifomsg: recv: "* ]]
	cd "$BIN"
	run --separate-stderr ./fifo-recv -t 0.1 "$P"
	is_status 3
	[[ $stderr == "fifomsg: recv: "* ]]
}

@test "a copy of the binary named fifo-send runs send" {
	cp "$(readlink -f "$BIN/fifomsg")" "$T/fifo-send"
	run --separate-stderr "$T/fifo-send" --no-wait "$T/missing" x
	is_status 1
	[[ $stderr == "fifomsg: send: $T/missing: "* ]]
}
