#!/usr/bin/env bats
# Interoperation with a program that knows nothing but the wire format:
# article.py, a small client written the way the original article's
# writer and reader are (one os.write() per message; read exactly 4
# header bytes, then exactly the payload).

# (bats sets $output, $stderr_lines...; bash -c scripts are single-quoted.)
# shellcheck disable=SC2154,SC2016
load helpers

bats_require_minimum_version 1.5.0

export LC_ALL=C

ARTICLE=$BATS_TEST_DIRNAME/article.py

# article ARGS...: the Python client under the suite's timeout.
article() {
	timeout -k 2 "$FM_TIMEOUT" "$PYTHON" "$ARTICLE" "$@"
}

# not_newline_bytes: every byte value but '\n', in order.
not_newline_bytes() {
	printf '%b' "$(printf '\\0%03o' {0..9} {11..255})"
}

@test "article.py writes the wire format: a 4-byte little-endian length, then the payload" {
	article write - "" abc >"$T/out"
	{ printf '\0\0\0\0'; printf '\3\0\0\0abc'; } | cmp - "$T/out"
	article write - "$(printf 'x%.0s' {1..300})" | head -c 4 >"$T/head"
	printf '\54\1\0\0' | cmp - "$T/head"	# 300 = 0x012c
}

@test "article writer -> fifomsg listen: every payload identical" {
	fifomsg mkpipe "$P"
	spawn "$T/got" fifomsg listen -n 6 "$P"
	reader_ready "$P"
	run --separate-stderr article write "$P" "hello" "" "with  spaces" \
		'back\slash' -dash "héllo wörld"
	is_status 0
	wait_pid "$SPAWNED"
	printf '%s\n' "hello" "" "with  spaces" 'back\slash' -dash \
		"héllo wörld" | cmp - "$T/got"
}

@test "article writer -> fifomsg listen: binary payloads (all bytes but newline) identical" {
	fifomsg mkpipe "$P"
	not_newline_bytes >"$T/bytes"
	{ cat "$T/bytes"; echo; cat "$T/bytes"; } >"$T/in"
	spawn "$T/got" fifomsg listen -0 -n 2 "$P"
	reader_ready "$P"
	article write "$P" <"$T/in"
	wait_pid "$SPAWNED"
	{ cat "$T/bytes"; printf '\0'; cat "$T/bytes"; printf '\0'; } |
		cmp - "$T/got"
}

@test "article writer -> fifomsg listen -r: the frames arrive byte for byte" {
	fifomsg mkpipe "$P"
	printf 'one\n\nthree\n' >"$T/in"
	article write - <"$T/in" >"$T/want"
	spawn "$T/got" fifomsg listen -r -n 3 "$P"
	reader_ready "$P"
	article write "$P" <"$T/in"
	wait_pid "$SPAWNED"
	cmp "$T/want" "$T/got"
}

@test "several article writers in turn -> one fifomsg listen -e, which exits when the last leaves" {
	fifomsg mkpipe "$P"
	spawn "$T/got" fifomsg listen -e "$P"
	local l=$SPAWNED
	reader_ready "$P"
	exec 5>"$P"	# keeps a writer open between the Python ones
	article write "$P" a1 a2
	article write "$P" b1
	article write "$P" c1 c2 c3
	exec 5>&-
	wait_pid "$l"
	printf '%s\n' a1 a2 b1 c1 c2 c3 | cmp - "$T/got"
}

@test "article writer -> fifomsg recv: one message per recv" {
	fifomsg mkpipe "$P"
	# The article's writer does not wait for its messages to be read:
	# keep the pipe open so that they outlive it.
	exec 5<>"$P"
	article write "$P" first second
	run --separate-stderr fm recv -t 5 "$P"
	is_status 0
	[ "$output" = first ]
	run --separate-stderr fm recv -t 5 "$P"
	is_status 0
	[ "$output" = second ]
	exec 5>&-
}

@test "fifomsg send -> article reader: every payload identical" {
	fifomsg mkpipe "$P"
	spawn "$T/send" fifomsg send "$P" "hello" "" "with  spaces" \
		'back\slash' -dash "héllo wörld"
	local s=$SPAWNED
	run --separate-stderr article read "$P" 6
	is_status 0
	[ -z "$stderr" ]
	wait_pid "$s"
	[ "$output" = "$(printf '%s\n' "hello" "" "with  spaces" \
		'back\slash' -dash "héllo wörld")" ]
}

@test "fifomsg send stdin lines -> article reader until the writer leaves" {
	fifomsg mkpipe "$P"
	seq 1 500 >"$T/in"
	spawn "$T/send" bash -c 'exec fifomsg send "$1" <"$2"' _ "$P" "$T/in"
	article read "$P" >"$T/got"
	wait_pid "$SPAWNED"
	cmp "$T/in" "$T/got"
}

@test "fifomsg send -w -> article reader: all 256 byte values identical" {
	fifomsg mkpipe "$P"
	printf '%b' "$(printf '\\0%03o' {0..255})" >"$T/bytes"
	spawn "$T/send" bash -c 'exec fifomsg send -w "$1" <"$2"' _ "$P" "$T/bytes"
	article read "$P" 1 >"$T/got"
	wait_pid "$SPAWNED"
	{ cat "$T/bytes"; echo; } | cmp - "$T/got"
}

@test "fifomsg send -w -> article reader: a 1 MiB message identical" {
	fifomsg mkpipe "$P"
	head -c 1048576 /dev/urandom >"$T/big"
	spawn "$T/send" bash -c 'exec fifomsg send -w "$1" <"$2"' _ "$P" "$T/big"
	article read "$P" 1 >"$T/got"
	wait_pid "$SPAWNED"
	{ cat "$T/big"; echo; } | cmp - "$T/got"
}

@test "fifomsg send waits while article readers take its messages one by one" {
	fifomsg mkpipe "$P"
	spawn "$T/send" fifomsg send "$P" m1 m2 m3
	local s=$SPAWNED
	[ "$(article read "$P" 1)" = m1 ]
	[ "$(article read "$P" 2)" = "$(printf 'm2\nm3')" ]
	wait_pid "$s"
}

@test "fifomsg send -r forwards article frames that article reads back" {
	fifomsg mkpipe "$P"
	article write - "x" "" "yz" >"$T/frames"
	spawn "$T/send" bash -c 'exec fifomsg send -r "$1" <"$2"' _ "$P" "$T/frames"
	article read "$P" 3 >"$T/got"
	wait_pid "$SPAWNED"
	printf 'x\n\nyz\n' | cmp - "$T/got"
}
