#!/usr/bin/env bats
# The text building blocks of --format, send --json and send --hex, driven
# through build/tplcheck (tests/unit/tplcheck.c) until the subcommands use
# them: exact renderings, exact decodings, and the position or column
# every bad template or line is reported at.
# shellcheck disable=SC2154,SC1003 # bats sets $output, $status, $stderr;
# a lone backslash at the end of a template or line is what is tested
load helpers

bats_require_minimum_version 1.5.0

setup_file() {
	make -s -C "$BATS_TEST_DIRNAME/.." build/tplcheck >&2
}

TPLCHECK=$BATS_TEST_DIRNAME/../build/tplcheck

# tc ARGS...: the driver under a timeout.
tc() {
	timeout -k 2 "$FM_TIMEOUT" "$TPLCHECK" "$@"
}

# hexof: stdin as lowercase hex on one line, independent of src/hex.c.
hexof() {
	od -An -tx1 -v | tr -d ' \n'
}

# render FMT [PIECE]: render stdin as message 7 of pipe "in/p", arrived
# at 1700000000.123456789, into $T/out.
render() {
	tc render "$1" in/p 7 1700000000 123456789 ${2:+"$2"} >"$T/out"
}

@test "%s %n %p %i render the payload, its length, the pipe and the sequence number; nothing is added" {
	printf 'hello world' | render '<%s> %n %p %i'
	[ "$(cat "$T/out")" = '<hello world> 11 in/p 7' ]
	printf 'x' | render '%s'
	[ "$(hexof <"$T/out")" = 78 ]
}

@test "%j is a complete JSON string literal, encoded exactly as --json encodes it" {
	# The case from formats.bats: control bytes, DEL, bytes that are not
	# UTF-8 (lossy as \u00XX), and valid é.
	printf 'a\001\177\200b\342\202c\300\257\355\240\200\303\251' | render '%j'
	[ "$(cat "$T/out")" = '"a\u0001'$'\177''\u0080b\u00e2\u0082c\u00c0\u00af\u00ed\u00a0\u0080é"' ]
	printf 'tab\tand "quotes" and \\backslash\nnl' | render '%j'
	[ "$(cat "$T/out")" = '"tab\tand \"quotes\" and \\backslash\nnl"' ]
	printf '' | render '%j'
	[ "$(cat "$T/out")" = '""' ]
	# A sequence cut short by the end of the payload, streamed or not.
	printf 'a\342\202' | render '%j'
	[ "$(cat "$T/out")" = '"a\u00e2\u0082"' ]
	printf 'a\342\202' | render '%j' 1
	[ "$(cat "$T/out")" = '"a\u00e2\u0082"' ]
}

@test "%x prints every byte value as two lowercase hex digits" {
	local i all=
	for i in $(seq 0 255); do
		all=$all$(printf '\\%03o' "$i")
	done
	# shellcheck disable=SC2059 # the escapes are the point
	printf "$all" >"$T/bytes"
	render '%x' <"$T/bytes"
	[ "$(cat "$T/out")" = "$(hexof <"$T/bytes")" ]
	[ "$(wc -c <"$T/out")" -eq 512 ]
}

@test "%t is Unix seconds with microseconds, %T ISO 8601 UTC; both truncate to the microsecond" {
	run tc render '%t %T' p 1 1796398470 123456999 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = '1796398470.123456 2026-12-04T15:34:30.123456Z' ]
	run tc render '%t %T' p 1 0 999 </dev/null
	[ "$output" = '0.000000 1970-01-01T00:00:00.000000Z' ]
	run tc render '%t %T' p 1 -1 500000000 </dev/null
	[ "$output" = '-0.500000 1969-12-31T23:59:59.500000Z' ]
}

@test "%% and the escapes \\n \\t \\0 \\\\ \\xHH give exactly their bytes" {
	printf '' | render '%%\n\t\0\\\x41\xfF\x00z'
	[ "$(hexof <"$T/out")" = 250a09005c41ff007a ]
}

@test "a bad template is an error naming the 1-based position of the % or \\ that starts it" {
	run -2 tc render 'ab%q' p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 3: unknown directive %q' ]
	run -2 tc render 'abc%' p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 4: lone % at the end' ]
	run -2 tc render 'abc\' p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 4: lone \ at the end' ]
	run -2 tc render '%s\q' p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 3: unknown escape \q' ]
	run -2 tc render 'é\x4g' p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 3: \x needs two hex digits' ]
	run -2 tc render '\x4' p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 1: \x needs two hex digits' ]
	run -2 tc render '%%%' p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 3: lone % at the end' ]
	run -2 tc render '%' p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 1: lone % at the end' ]
	run -2 tc render 'a%' p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 2: lone % at the end' ]
	run -2 tc render "%$(printf '\001')" p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 1: unknown directive %\x01' ]
}

@test "\\0 followed by a digit is an error, not an octal escape" {
	run -2 tc render '\012' p 1 0 0 </dev/null
	[ "$output" = 'tplcheck: bad --format: position 1: \0 followed by a digit (no octal escapes; use \xHH)' ]
	printf '' | render '\0a\x001'
	[ "$(hexof <"$T/out")" = 00610031 ]
}

@test "streamed in pieces of any size, with the payload named twice, the rendering is the same as whole" {
	local p
	# A UTF-8 sequence and a NUL that pieces of 1-3 bytes cut apart.
	printf 'x\303\251y\000z\342\202\254\360\237\230\200"' >"$T/msg"
	render '[%s] %j %x %n %j\n' <"$T/msg"
	cp "$T/out" "$T/whole"
	printf '[x\303\251y\000z\342\202\254\360\237\230\200"] %s %s 14 %s\n' \
		'"xéy\u0000z€😀\""' 78c3a979007ae282acf09f988022 \
		'"xéy\u0000z€😀\""' >"$T/want"
	cmp "$T/want" "$T/whole"
	for p in 1 2 3 4 5 7 13 4096; do
		render '[%s] %j %x %n %j\n' "$p" <"$T/msg"
		cmp "$T/whole" "$T/out"
	done
}

@test "a 1 MiB payload streamed in 64 KiB pieces renders as it does whole" {
	head -c 1048576 /dev/urandom >"$T/msg"
	render '%j%x%s' <"$T/msg"
	mv "$T/out" "$T/whole"
	render '%j%x%s' 65536 <"$T/msg"
	cmp "$T/whole" "$T/out"
	render '%x' 65536 <"$T/msg"
	[ "$(cat "$T/out")" = "$(hexof <"$T/msg")" ]
}

@test "tpl_delim recognises only %s followed by one literal byte" {
	run tc delim '%s\n'
	[ "$output" = 10 ]
	run tc delim '%s\0'
	[ "$output" = 0 ]
	run tc delim '%s'
	[ "$output" = -1 ]
	run tc delim '%s\n\n'
	[ "$output" = -1 ]
	run tc delim 'x%s\n'
	[ "$output" = -1 ]
	run tc delim '%x\n'
	[ "$output" = -1 ]
}

# JSON lines (send --json).

@test "json: every escape of RFC 8259 decodes, surrogate pairs to one UTF-8 sequence" {
	printf '%s\n' '"a\u0000\n\t\"\\\/\b\f\r\ud83d\ude00\u00e9\u20AC é"' |
		tc json >"$T/out"
	[ "$(hexof <"$T/out")" = 61000a09225c2f080c0df09f9880c3a9e282ac20c3a90a ]
	printf '%s\n' '"\uDBFF\uDFFF\ud800\udc00\uFFFF\u07ff\u0800"' | tc json >"$T/out"
	[ "$(hexof <"$T/out")" = f48fbfbff0908080efbfbfdfbfe0a0800a ]
}

@test "json: JSON whitespace may surround the string, and a CRLF line decodes" {
	printf ' \t"x y" \r\n""\n' | tc json >"$T/out"
	[ "$(hexof <"$T/out")" = 7820790a0a ]
}

@test "json: a line that is not exactly one JSON string is an error naming its column" {
	check() {
		run --separate-stderr -4 tc json <<<"$1"
		[ "$stderr" = "line 1, column $2: $3" ]
	}
	check '{"a":1}' 1 'expected a JSON string'
	check '42' 1 'expected a JSON string'
	check '' 1 'expected a JSON string'
	check '  ' 3 'expected a JSON string'
	check '"abc" x' 7 'text after the string'
	check '"a""b"' 4 'text after the string'
	check '"a\qb"' 3 'bad escape'
	check '"a\' 3 'bad escape'
	check '"\u12g4"' 2 '\u needs four hex digits'
	check '"\u12"' 2 '\u needs four hex digits'
	check '"x\ud800"' 3 'lone surrogate'
	check '"x\udc00\ud800"' 3 'lone surrogate'
	check '"\ud800\u0041"' 2 'lone surrogate'
	check '"\ud800\ud800"' 2 'lone surrogate'
	check '"\udc00\udc00"' 2 'lone surrogate'
	check '"abc' 5 'unterminated string'
	check "\"a$(printf '\t')b\"" 3 'control character not escaped'
	check "\"$(printf '\037')\"" 2 'control character not escaped'
	check "\"é$(printf '\377')\"" 4 'invalid UTF-8'
	check "\"$(printf '\355\240\200')\"" 2 'invalid UTF-8'
	check "\"$(printf '\303')\"" 2 'invalid UTF-8'
}

@test "json: lines before a bad one are decoded, nothing after it" {
	run --separate-stderr -4 tc json < <(printf '"one"\n"two"\n3\n"four"\n')
	[ "$output" = "$(printf 'one\ntwo')" ]
	[ "$stderr" = 'line 3, column 1: expected a JSON string' ]
}

@test "json: %j then decoding is the identity on valid UTF-8 of every code point class, in 1 MiB lines too" {
	command -v python3 >/dev/null || skip "python3 not installed"
	local seed=$RANDOM i
	# One message each: every class at its edges, then random text.
	python3 - "$seed" "$T" <<'PY'
import random, sys
random.seed(int(sys.argv[1]))
d = sys.argv[2]
edges = [0, 1, 0x1f, 0x20, 0x22, 0x2f, 0x5c, 0x7e, 0x7f, 0x80, 0x7ff,
         0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff]
def rnd(n):
    pools = [(0, 0x7f), (0x80, 0x7ff), (0x800, 0xd7ff), (0xe000, 0xffff),
             (0x10000, 0x10ffff)]
    out = []
    for _ in range(n):
        lo, hi = random.choice(pools)
        out.append(chr(random.randint(lo, hi)))
    return ''.join(out)
msgs = [''.join(map(chr, edges)), '', '\n', rnd(1000), rnd(500000)]
ascii = ''.join(chr(random.randint(0, 0x7f)) for _ in range(1 << 20))
msgs.append(ascii)
for i, m in enumerate(msgs):
    open('%s/m%d' % (d, i), 'wb').write(m.encode('utf-8'))
PY
	[ "$(wc -c <"$T/m4")" -gt 1048576 ]
	for i in 0 1 2 3 4 5; do
		tc render '%j\n' p 1 0 0 <"$T/m$i" | tc json >"$T/back" ||
			{ echo "seed $seed, message $i" >&2; false; }
		printf '\n' >>"$T/m$i"
		cmp "$T/m$i" "$T/back" || { echo "seed $seed" >&2; false; }
	done
}

# Hex lines (send --hex).

@test "hex: digits of either case decode; an empty line is an empty message" {
	printf '00ff7Fa0\n\nDEADbeef\n' | tc hex >"$T/out"
	[ "$(hexof <"$T/out")" = 00ff7fa00a0adeadbeef0a ]
}

@test "hex: an odd count or a character that is not a hex digit is an error naming its column" {
	run --separate-stderr -4 tc hex <<<'abc'
	[ "$stderr" = 'line 1, column 3: odd number of hex digits' ]
	run --separate-stderr -4 tc hex <<<'ab cd'
	[ "$stderr" = 'line 1, column 3: not a hex digit' ]
	run --separate-stderr -4 tc hex <<<'0x41'
	[ "$stderr" = 'line 1, column 2: not a hex digit' ]
	run --separate-stderr -4 tc hex <<<'abcg1'
	[ "$stderr" = 'line 1, column 4: not a hex digit' ]
	run --separate-stderr -4 tc hex < <(printf '41\n4\n42\n')
	[ "$output" = A ]
	[ "$stderr" = 'line 2, column 1: odd number of hex digits' ]
}

@test "hex: %x then decoding is the identity on arbitrary bytes, 1 MiB included" {
	head -c 1048576 /dev/urandom >"$T/msg"
	tc render '%x\n' p 1 0 0 4096 <"$T/msg" | tc hex >"$T/back"
	printf '\n' >>"$T/msg"
	cmp "$T/msg" "$T/back"
}
