#!/usr/bin/env bats
# fifomsg mkpipe [-p] [-m MODE] PIPE...

# (bats sets $output, $stderr_lines...; bash -c scripts are single-quoted.)
# shellcheck disable=SC2154,SC2016
load helpers

bats_require_minimum_version 1.5.0

# mode_is PATH OCTAL: PATH is a FIFO (not followed) with that mode.
mode_is() {
	[ "$(stat -c %F "$1")" = fifo ] &&
		[ "$(stat -c %a "$1")" = "$2" ]
}

# A regular file and a directory with known content and an old mtime.
make_victims() {
	make_victim "$T/file"
	mkdir "$T/dir"
	printf 'inside\n' >"$T/dir/x"
	touch -d '2001-02-03 04:05:06' "$T/dir"
}

# victims_untouched: both are still there, unchanged and not replaced by
# links (one chain: the result does not depend on set -e).
victims_untouched() {
	victim_untouched "$T/file" &&
		[ ! -L "$T/file" ] &&
		[ -d "$T/dir" ] &&
		[ ! -L "$T/dir" ] &&
		[ "$(ls -A "$T/dir")" = x ] &&
		[ "$(stat -c %Y "$T/dir")" = "$(date -d '2001-02-03 04:05:06' +%s)" ]
}

@test "mkpipe creates a FIFO with mode 0600 under umask 022" {
	umask 022
	run --separate-stderr fifomsg mkpipe "$P"
	is_status 0
	[ -z "$output" ]
	[ -z "$stderr" ]
	mode_is "$P" 600
}

@test "mkpipe creates mode 0600 even under umask 000" {
	umask 000
	run --separate-stderr fifomsg mkpipe "$P"
	is_status 0
	mode_is "$P" 600
}

@test "mkpipe creates mode 0600 even under umask 077" {
	umask 077
	run --separate-stderr fifomsg mkpipe "$P"
	is_status 0
	mode_is "$P" 600
}

@test "mkpipe creates mode 0600 even under umask 377, which masks the owner" {
	umask 377
	run --separate-stderr fifomsg mkpipe "$P"
	is_status 0
	mode_is "$P" 600
}

@test "mkpipe -m 640 sets exactly 0640 whatever the umask" {
	umask 077
	run --separate-stderr fifomsg mkpipe -m 640 "$T/a"
	is_status 0
	mode_is "$T/a" 640
	umask 000
	run --separate-stderr fifomsg mkpipe -m 640 "$T/b"
	is_status 0
	mode_is "$T/b" 640
}

@test "mkpipe --mode 0666 is not reduced by umask 022" {
	umask 022
	run --separate-stderr fifomsg mkpipe --mode 0666 "$P"
	is_status 0
	mode_is "$P" 666
}

@test "mkpipe -m 0 creates a FIFO with no permissions" {
	run --separate-stderr fifomsg mkpipe -m 0 "$P"
	is_status 0
	mode_is "$P" 0
}

@test "mkpipe creates several PIPEs in one call" {
	run --separate-stderr fifomsg mkpipe "$T/a" "$T/b" "$T/c"
	is_status 0
	mode_is "$T/a" 600
	mode_is "$T/b" 600
	mode_is "$T/c" 600
}

@test "mkpipe -- creates a PIPE whose name starts with a dash" {
	cd "$T"
	run --separate-stderr fifomsg mkpipe -- -p
	is_status 0
	mode_is "$T/-p" 600
}

@test "mkpipe on an existing FIFO without -p fails (exit 1) and keeps it" {
	fifomsg mkpipe -m 644 "$P"
	run --separate-stderr fifomsg mkpipe "$P"
	is_status 1
	[ -z "$output" ]
	[[ $stderr == "fifomsg: mkpipe: $P: "*exists* ]]
	mode_is "$P" 644
}

@test "mkpipe -p succeeds silently on an existing FIFO" {
	fifomsg mkpipe "$P"
	run --separate-stderr fifomsg mkpipe -p "$P"
	is_status 0
	[ -z "$output" ]
	[ -z "$stderr" ]
	mode_is "$P" 600
}

@test "mkpipe -p still creates the PIPEs that are missing" {
	fifomsg mkpipe "$T/a"
	run --separate-stderr fifomsg mkpipe -p "$T/a" "$T/b"
	is_status 0
	mode_is "$T/a" 600
	mode_is "$T/b" 600
}

@test "mkpipe on an existing regular file fails (exit 1), file untouched" {
	make_victims
	run --separate-stderr fifomsg mkpipe "$T/file"
	is_status 1
	[[ $stderr == "fifomsg: mkpipe: $T/file: "*"not a FIFO"* ]]
	victims_untouched
}

@test "mkpipe -p on an existing regular file fails (exit 1), file untouched" {
	make_victims
	run --separate-stderr fifomsg mkpipe -p "$T/file"
	is_status 1
	[[ $stderr == "fifomsg: mkpipe: $T/file: "*"not a FIFO"* ]]
	victims_untouched
}

@test "mkpipe on an existing directory fails (exit 1), directory untouched" {
	make_victims
	run --separate-stderr fifomsg mkpipe "$T/dir"
	is_status 1
	[[ $stderr == "fifomsg: mkpipe: $T/dir: "*"not a FIFO"* ]]
	victims_untouched
}

@test "mkpipe -p on an existing directory fails (exit 1), directory untouched" {
	make_victims
	run --separate-stderr fifomsg mkpipe -p "$T/dir"
	is_status 1
	[[ $stderr == "fifomsg: mkpipe: $T/dir: "*"not a FIFO"* ]]
	victims_untouched
}

@test "mkpipe -p on a symlink to a FIFO fails (exit 1), link untouched" {
	fifomsg mkpipe "$P"
	ln -s "$P" "$T/link"
	run --separate-stderr fifomsg mkpipe -p "$T/link"
	is_status 1
	[[ $stderr == "fifomsg: mkpipe: $T/link: "* ]]
	[ -L "$T/link" ]
	[ "$(readlink "$T/link")" = "$P" ]
}

@test "mkpipe creates the other PIPEs when one fails, and exits 1" {
	make_victims
	run --separate-stderr fifomsg mkpipe "$T/a" "$T/file" "$T/b"
	is_status 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "fifomsg: mkpipe: $T/file: "* ]]
	mode_is "$T/a" 600
	mode_is "$T/b" 600
	victims_untouched
}

@test "mkpipe in a missing directory fails (exit 1) naming the system error" {
	run --separate-stderr fifomsg mkpipe "$T/nodir/p"
	is_status 1
	[[ $stderr == "fifomsg: mkpipe: "*"$T/nodir/p"*"No such file or directory"* ]]
	[ ! -e "$T/nodir" ]
}

@test "mkpipe rejects a mode that is not octal (exit 2), creates nothing" {
	local m
	for m in 800 9 abc 6x4 '' -1 +600 ' 600' 0o600; do
		run --separate-stderr fifomsg mkpipe -m "$m" "$P"
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: mkpipe: "*mode* ]]
		[[ ${stderr_lines[1]} == "usage: fifomsg mkpipe "* ]]
		[ ! -e "$P" ]
	done
}

@test "mkpipe rejects a mode above 0777 (exit 2), creates nothing" {
	local m
	for m in 1000 1777 4755 7777; do
		run --separate-stderr fifomsg mkpipe -m "$m" "$P"
		is_status 2
		[[ ${stderr_lines[0]} == "fifomsg: mkpipe: "*mode*"$m"* ]]
		[ ! -e "$P" ]
	done
}

@test "mkpipe -m without a value is a usage error (exit 2)" {
	run --separate-stderr fifomsg mkpipe -m
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: mkpipe: "*-m* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg mkpipe "* ]]
}

@test "mkpipe without PIPE is a usage error (exit 2)" {
	run --separate-stderr fifomsg mkpipe
	is_status 2
	[ -z "$output" ]
	[[ ${stderr_lines[0]} == "fifomsg: mkpipe: "*PIPE* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg mkpipe "* ]]
}

@test "mkpipe with an unknown option is a usage error (exit 2), creates nothing" {
	run --separate-stderr fifomsg mkpipe -x "$P"
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: mkpipe: "*option*-x* ]]
	[[ ${stderr_lines[1]} == "usage: fifomsg mkpipe "* ]]
	[ ! -e "$P" ]
	run --separate-stderr fifomsg mkpipe --bogus "$P"
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: mkpipe: "*option*--bogus* ]]
	[ ! -e "$P" ]
}
