#!/usr/bin/env bats
# contrib/fifomsg-bridge's converters on their own: what they make of
# good input, and that bad input fails with status 4 after every whole
# message before it was passed on.

# The commands given to bash -c are single-quoted; $stderr is set by run.
# shellcheck disable=SC2016,SC2154

load helpers
load bridges

bats_require_minimum_version 1.5.0

# convert IN OUT ARGS...: fifomsg-bridge ARGS with stdin IN, stdout OUT.
convert() {
	local in=$1 out=$2
	shift 2
	run --separate-stderr bash -c 'in=$1 out=$2; shift 2
		timeout 10 fifomsg-bridge "$@" <"$in" >"$out"' _ "$in" "$out" "$@"
}

@test "contrib: netstrings become frames: empty, NUL, newline, a comma inside" {
	need python3
	printf '0:,3:a\0b,2:\n\n,3:x,y,' >"$T/in"
	convert "$T/in" "$T/got" from-netstring
	is_status 0
	frames '' $'a\x01b' $'\n\n' 'x,y' | sed 's/\x01/\x00/' >"$T/want"
	cmp "$T/want" "$T/got"
}

@test "contrib: a netstring that is cut short or lacks its comma fails with 4 after the whole ones" {
	need python3
	printf '1:a,5:bc' >"$T/in"
	convert "$T/in" "$T/got" from-netstring
	is_status 4
	[[ $stderr == *'malformed input: input ends inside a netstring'* ]]
	frames a >"$T/want"
	cmp "$T/want" "$T/got"
	printf '1:a;' >"$T/in"
	convert "$T/in" "$T/got" from-netstring
	is_status 4
	[[ $stderr == *"does not end in ','"* ]]
}

@test "contrib: MessagePack bin 8, 16 and 32 become frames; anything else fails with 4" {
	need python3
	printf '\xc4\x00\xc5\x00\x02ab\xc6\x00\x00\x00\x01\x00\x93' >"$T/in"
	convert "$T/in" "$T/got" from-msgpack
	is_status 4
	[[ $stderr == *'not a MessagePack bin object: 0x93'* ]]
	{ frames '' ab && le32 1 && printf '\0'; } >"$T/want"
	cmp "$T/want" "$T/got"
}

@test "contrib: frames become RESP commands, the message the last argument" {
	need python3
	{ frames 'a b' '' && le32 1 && printf '\0'; } >"$T/in"
	convert "$T/in" "$T/got" to-redis RPUSH q
	is_status 0
	printf '*3\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$%s\r\n%s\r\n' 3 'a b' 0 '' \
		>"$T/want"
	printf '*3\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$1\r\n\0\r\n' >>"$T/want"
	cmp "$T/want" "$T/got"
	# A frame cut short: status 4, nothing of it sent.
	{ frames ok && le32 9 && printf abc; } >"$T/in"
	convert "$T/in" "$T/got" to-redis RPUSH q
	is_status 4
	[ "$(grep -c RPUSH "$T/got")" -eq 1 ]
}

@test "contrib: fifomsg-bridge without a known mode is a usage error" {
	need python3
	run --separate-stderr fifomsg-bridge
	is_status 2
	[[ $stderr == *usage:* ]]
	run --separate-stderr fifomsg-bridge to-redis
	is_status 2
}
