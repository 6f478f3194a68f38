#!/usr/bin/env bats
# fifomsg send --json | --hex, and send - (frames on standard output).
# The frames are checked byte for byte: send - writes them where a test
# can read them, and a FIFO's are read with "recv -r"/"listen -r".

# (bats sets $output, $stderr...; bash -c scripts are single-quoted.)
# shellcheck disable=SC2154,SC2016
load helpers
load bridges	# recipe, run_recipe: the README's examples

bats_require_minimum_version 1.5.0

export LC_ALL=C

# to_out ARGS...: fifomsg ARGS (under the timeout), stdout to $T/out.
to_out() {
	fm "$@" >"$T/out"
}

# out_is MSG...: $T/out holds exactly the frames of MSG...
out_is() {
	frames "$@" >"$T/want"
	cmp "$T/out" "$T/want"
}

# size_at_least FILE N: FILE has N bytes or more.
size_at_least() {
	[ "$(stat -c %s "$1")" -ge "$2" ]
}

# wrote_at_least PID N: PID has written N bytes or more.
wrote_at_least() {
	[ "$(wchar "$1")" -ge "$2" ]
}

# gen KIND DIR: python writes DIR/msgs.frames (the frames of a set of
# messages) and, for KIND json, DIR/msgs.json (each as a JSON string
# line, as json.dumps writes it: a second encoder besides listen's) or,
# for KIND hex, DIR/msgs.hex (each as a line of lowercase hex).
gen() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import json, random, struct, sys
kind, d = sys.argv[1], sys.argv[2]
rnd = random.Random(13)
if kind == "json":
    # Every class of code point: NUL and the other C0 controls, DEL, the
    # C1 controls, 2-, 3- and 4-byte forms and their edges, the
    # noncharacters, the characters JSON escapes; random text; 1 MiB.
    edges = [0, 1, 0x1f, 0x20, 0x22, 0x2f, 0x5c, 0x7f, 0x80, 0x9f, 0xa0,
             0x7ff, 0x800, 0xd7ff, 0xe000, 0xfdd0, 0xfeff, 0xfffe, 0xffff,
             0x10000, 0x1f600, 0xeffff, 0x10fffe, 0x10ffff]
    ranges = [(0, 0x7f), (0x80, 0x7ff), (0x800, 0xd7ff), (0xe000, 0xffff),
              (0x10000, 0x10ffff)]
    msgs = ["", "plain", "".join(map(chr, range(0x80)))]
    msgs += ["".join(chr(c) for c in edges)]
    for lo, hi in ranges:
        for _ in range(50):
            msgs.append("".join(chr(rnd.randint(lo, hi))
                                for _ in range(rnd.randint(1, 40))))
    msgs.append("".join(chr(rnd.choice([rnd.randint(0, 0xd7ff),
                                        rnd.randint(0xe000, 0x10ffff)]))
                        for _ in range(300000)))
    msgs.append("x\u0000y\n" * (1 << 18))    # 1 MiB
    raw = [m.encode("utf-8") for m in msgs]
    with open(d + "/msgs.json", "w", encoding="utf-8") as f:
        for m in msgs:
            f.write(json.dumps(m, ensure_ascii=rnd.random() < 0.5) + "\n")
else:
    raw = [b"", bytes(range(256)), b"\n\r\x00"]
    raw += [bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 300)))
            for _ in range(200)]
    raw.append(bytes(rnd.randrange(256) for _ in range(1 << 20)))
    with open(d + "/msgs.hex", "w") as f:
        for m in raw:
            f.write(m.hex() + "\n")
with open(d + "/msgs.frames", "wb") as f:
    for m in raw:
        f.write(struct.pack("<I", len(m)) + m)
print(len(raw))
EOF
}

# --- send --json ------------------------------------------------------

@test "send --json: each line is one JSON string, decoded into the payload" {
	printf '%s\n' '"plain"' '"q\"b\\s\/"' '"\b\f\n\r\t"' '"a\u0000b"' \
		'"\u00e9\u20ac\ud83d\ude00"' '""' >"$T/in"
	run --separate-stderr to_out send --json - <"$T/in"
	is_status 0
	[ -z "$stderr" ]
	{
		frames plain 'q"b\s/' $'\b\f\n\r\t'
		le32 3
		printf 'a\0b'
		frames é€😀 ""
	} >"$T/want"
	cmp "$T/out" "$T/want"
}

@test "send --json: blanks around the string and a CRLF line end are allowed" {
	printf ' \t"a b" \r\n"c"\r\n' >"$T/in"
	run to_out send --json - <"$T/in"
	is_status 0
	out_is "a b" c
}

@test "send --json: a last line without a newline is sent too" {
	printf '"one"\n"two"' | to_out send --json -
	out_is one two
}

@test "send --json: what listen --json prints comes back identical: every code point class, NUL and controls, 1 MiB" {
	fifomsg mkpipe "$P"
	n=$(gen json "$T")
	spawn "$T/listened" fifomsg listen --json -n "$n" -t 20 "$P"
	fm send -r "$P" <"$T/msgs.frames"
	wait_pid "$SPAWNED"
	run to_out send --json - <"$T/listened"
	is_status 0
	cmp "$T/out" "$T/msgs.frames"
}

@test "send --json: JSON from another encoder (python json.dumps) decodes to the same bytes" {
	gen json "$T" >/dev/null
	run to_out send --json - <"$T/msgs.json"
	is_status 0
	cmp "$T/out" "$T/msgs.frames"
}

@test "send --json: a line that is not one JSON string names line and column, exits 4; lines before it are sent, none after" {
	local bad col why
	while IFS='|' read -r bad col why; do
		printf '"first"\n"second"\n%s\n"after"\n' "$bad" >"$T/in"
		run --separate-stderr to_out send --json - <"$T/in"
		is_status 4
		[ "$stderr" = "fifomsg: send: line 3, column $col: $why" ] ||
			{ echo "input: $bad, got: $stderr" >&2; false; }
		out_is first second
	done <<-'EOF'
		{"a": "b"}|1|expected a JSON string
		42|1|expected a JSON string
		|1|expected a JSON string
		"a" "b"|5|text after the string
		"a"x|4|text after the string
		"a\qb"|3|bad escape
		"\u12"|2|\u needs four hex digits
		"x\ud800"|3|lone surrogate
		"\udc00\ud800"|2|lone surrogate
		"open|6|unterminated string
		"a	b"|3|control character not escaped
	EOF
	printf '"ok"\n"\377"\n' >"$T/in"
	run --separate-stderr to_out send --json - <"$T/in"
	is_status 4
	[ "$stderr" = "fifomsg: send: line 2, column 2: invalid UTF-8" ]
	out_is ok
}

@test "send --json into a FIFO: the messages before a bad line are delivered and waited for, none after" {
	fifomsg mkpipe "$P"
	spawn "$T/got" fifomsg recv -r -n 3 -t 10 "$P"
	printf '"one"\n"two"\n[1]\n"three"\n' >"$T/in"
	run --separate-stderr fm send --json "$P" <"$T/in"
	is_status 4
	[ "$stderr" = "fifomsg: send: line 3, column 1: expected a JSON string" ]
	fm send "$P" end
	wait_pid "$SPAWNED"
	frames one two end >"$T/want"
	cmp "$T/got" "$T/want"
}

@test "send --json: MESSAGE arguments are decoded too; a bad one is named by its number" {
	run to_out send --json - '"a\tb"' '"\u0041"'
	is_status 0
	out_is $'a\tb' A
	run --separate-stderr to_out send --json - '"ok"' 'plain' '"never"'
	is_status 4
	[ "$stderr" = "fifomsg: send: argument 2, column 1: expected a JSON string" ]
	out_is ok
}

@test "send --json --max-size applies to the decoded length: 1024 NULs as \\u0000 pass, 1025 do not" {
	"$PYTHON" -c 'print("\"" + "\\u0000" * 1024 + "\"")' >"$T/in"
	run to_out send --json --max-size 1K - <"$T/in"
	is_status 0
	[ "$(stat -c %s "$T/out")" -eq 1028 ]
	head -c 1028 /dev/zero | tail -c 1024 | cmp - <(tail -c 1024 "$T/out")
	printf '"a"\n' >"$T/in"
	"$PYTHON" -c 'print("\"" + "\\u0000" * 1025 + "\"")' >>"$T/in"
	run --separate-stderr to_out send --json --max-size 1K - <"$T/in"
	is_status 4
	[ "$stderr" = "fifomsg: send: line 2: message of 1025 bytes is larger than --max-size 1024" ]
	out_is a
}

@test "send --json: a line longer than 6N+10 bytes is refused unread, naming its number" {
	{
		printf '"a"\n'
		printf '"%s"\n' "$(printf '%*s' 6200 '' | tr ' ' q)"
		printf '"b"\n'
	} >"$T/in"
	# From a pipe: the line is read in pieces and refused once too long.
	run --separate-stderr tm bash -c 'cat "$1" | fifomsg send --json --max-size 1K - >"$2"' \
		_ "$T/in" "$T/out"
	is_status 4
	[ "$stderr" = "fifomsg: send: line 2: longer than 6154 bytes, too long for --max-size 1024" ]
	out_is a
}

# --- send --hex -------------------------------------------------------

@test "send --hex: each line is hex digits, either case, decoded; an empty line is an empty message" {
	printf '%s\n' 68656c6c6f 00FF0a '' 5C >"$T/in"
	run to_out send --hex - <"$T/in"
	is_status 0
	{ frames hello; le32 3; printf '\0\377\n'; le32 0; le32 1; printf '%s' "\\"; } >"$T/want"
	cmp "$T/out" "$T/want"
}

@test "send --hex: arbitrary bytes come back identical from python's hex and xxd -p" {
	gen hex "$T" >/dev/null
	run to_out send --hex - <"$T/msgs.hex"
	is_status 0
	cmp "$T/out" "$T/msgs.frames"
	head -c 100000 /dev/urandom >"$T/bytes"
	# xxd -p wraps its lines unless -c 0 (xxd 2022 and later).
	xxd -p -c 0 "$T/bytes" >"$T/hex" || skip "xxd -p -c 0 unsupported"
	[ "$(wc -l <"$T/hex")" -eq 1 ]
	run to_out send --hex - <"$T/hex"
	is_status 0
	frame_file "$T/bytes" | cmp - "$T/out"
}

@test "send --hex: listen --format '%x\\n' | send --hex is the identity on arbitrary bytes" {
	fifomsg listen --help | grep -q -- --format || skip "listen has no --format"
	fifomsg mkpipe "$P"
	n=$(gen hex "$T")
	spawn "$T/listened" fifomsg listen --format '%x\n' -n "$n" -t 20 "$P"
	fm send -r "$P" <"$T/msgs.frames"
	wait_pid "$SPAWNED"
	run to_out send --hex - <"$T/listened"
	is_status 0
	cmp "$T/out" "$T/msgs.frames"
}

@test "send --hex: a bad line names line and column, exits 4; lines before it are sent, none after" {
	local bad col why
	while IFS='|' read -r bad col why; do
		printf '61\n%s\n62\n' "$bad" >"$T/in"
		run --separate-stderr to_out send --hex - <"$T/in"
		is_status 4
		[ "$stderr" = "fifomsg: send: line 2, column $col: $why" ] ||
			{ echo "input: $bad, got: $stderr" >&2; false; }
		out_is a
	done <<-'EOF'
		abc|3|odd number of hex digits
		0x41|2|not a hex digit
		41 42|3|not a hex digit
		4g|2|not a hex digit
	EOF
}

@test "send --hex --max-size: 2048 digits pass with 1K, 2050 do not" {
	{ head -c 1024 /dev/zero | xxd -p -c 0; head -c 1025 /dev/zero | xxd -p -c 0; } >"$T/in" ||
		skip "xxd -p -c 0 unsupported"
	run --separate-stderr to_out send --hex --max-size 1K - <"$T/in"
	is_status 4
	[ "$stderr" = "fifomsg: send: line 2: longer than 2048 bytes, too long for --max-size 1024" ]
	[ "$(stat -c %s "$T/out")" -eq 1028 ]
}

@test "send: --json and --hex exclude -0, -r, -w and each other (exit 2)" {
	local a b
	for a in --json --hex; do
		for b in -0 -r -w --null --raw --whole; do
			run --separate-stderr fm send "$a" "$b" - x
			is_status 2
			[[ $stderr == *"cannot be combined"* ]]
		done
	done
	run --separate-stderr fm send --hex --json -
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: send: --hex and --json cannot be combined" ]]
	run --separate-stderr fm send --json -0 -
	is_status 2
	[[ ${stderr_lines[0]} == "fifomsg: send: --json and -0 cannot be combined" ]]
}

# --- send - -----------------------------------------------------------

@test "send -: frames go to standard output, a pipe" {
	run --separate-stderr tm bash -c 'fifomsg send - one "" three | od -An -v -tx1 | tr -s " \n" "  "'
	is_status 0
	[ "$output" = " 03 00 00 00 6f 6e 65 00 00 00 00 05 00 00 00 74 68 72 65 65 " ]
}

@test "send -: every stdin mode writes its frames to standard output (lines, -0, -w, -r)" {
	printf 'a\nbb\n' | to_out send -
	out_is a bb
	printf 'a\nb\0c' | to_out send -0 -
	out_is $'a\nb' c
	printf 'all\n' | to_out send -w -
	out_is $'all\n'
	frames x yy >"$T/f"
	to_out send -r - <"$T/f"
	cmp "$T/out" "$T/f"
}

@test "send -: a regular file as standard output gets the frames; -v counts them all" {
	head -c 100000 /dev/urandom >"$T/big"
	seq 1000 >"$T/lines"
	run --separate-stderr to_out send -v - <"$T/lines"
	is_status 0
	[[ $stderr == "fifomsg: send: 1000 messages, 6893 bytes, "* ]]
	run to_out send -w - <"$T/big"
	is_status 0
	frame_file "$T/big" | cmp - "$T/out"
}

@test "send -: a file opened read-write over longer content is not waited on" {
	head -c 100 /dev/zero | tr '\0' x >"$T/file"
	# FIONREAD there is the 95 bytes after ours: not a queue to drain.
	run --separate-stderr bash -c 'timeout 20 fifomsg send - a 1<>"$1"' _ "$T/file"
	is_status 0
	{ frames a; head -c 95 /dev/zero | tr '\0' x; } | cmp - "$T/file"
}

@test "send -: frames larger than PIPE_BUF reach a pipe whole, between small ones" {
	head -c 300000 /dev/urandom >"$T/big"
	{ le32 1; printf a; frame_file "$T/big"; le32 1; printf b; } >"$T/f"
	run tm bash -c 'fifomsg send -r - <"$1" | cat >"$2"' _ "$T/f" "$T/out"
	is_status 0
	cmp "$T/out" "$T/f"
}

@test "send - waits for its pipe's reader to take everything, then exits 0" {
	local sender
	mkfifo "$T/o"
	spawn "$T/log" bash -c 'exec fifomsg send - a b >"$1"' _ "$T/o"
	exec 4<"$T/o"
	until_true 10 fifomsg_under "$SPAWNED"
	sender=$(fifomsg_under "$SPAWNED")
	# Both frames written, none read: it must still be there.
	until_true 10 wrote_at_least "$sender" 10
	kill -0 "$sender"
	head -c 10 <&4 >"$T/out"
	exec 4<&-
	wait_pid "$SPAWNED"
	out_is a b
	[ ! -s "$T/log.err" ]
}

@test "send - when the pipe's reader has left: exit 141, nothing on stderr" {
	run --separate-stderr tm bash -c 'seq 100000 | fifomsg send - | head -c 5 >/dev/null; echo "${PIPESTATUS[1]}"'
	[ "$output" = 141 ]
	[ -z "$stderr" ]
}

@test "send - whose reader leaves without reading, while send waits for it: exit 141, quietly" {
	local sender
	mkfifo "$T/o"
	spawn "$T/log" bash -c 'exec fifomsg send - a >"$1"' _ "$T/o"
	exec 4<"$T/o"
	until_true 10 fifomsg_under "$SPAWNED"
	sender=$(fifomsg_under "$SPAWNED")
	until_true 10 wrote_at_least "$sender" 5
	exec 4<&-
	ended "$SPAWNED"
	is_status 141
	[ ! -s "$T/log.err" ]
}

@test "send - -t: a pipe whose reader takes nothing times out (exit 3)" {
	# waiting for the reader to take what was written
	run --separate-stderr tm bash -c 'fifomsg send -t 0.3 - a | sleep 2; echo "${PIPESTATUS[0]}"'
	[ "$output" = 3 ]
	[ "$stderr" = "fifomsg: send: timed out: sent 0 of 1 messages" ]
	# a frame bigger than the pipe: waiting to write it
	run --separate-stderr tm bash -c 'head -c 200000 /dev/zero | fifomsg send -w -t 0.3 - | sleep 2; echo "${PIPESTATUS[1]}"'
	[ "$output" = 3 ]
	[ "$stderr" = "fifomsg: send: timed out: sent 0 of 1 messages" ]
}

@test "send --no-wait -: exits once written, the frames stay in the pipe for its reader" {
	run tm bash -c 'fifomsg send --no-wait - a b | { sleep 0.3; cat; } >"$1"' _ "$T/out"
	is_status 0
	out_is a b
}

@test "send ./-: a FIFO named - is a pipe like any other, not standard output" {
	cd "$T"
	fifomsg mkpipe ./-
	spawn "$T/got" fifomsg recv -r -n 1 -t 10 ./-
	run --separate-stderr fm send ./- msg
	is_status 0
	[ -z "$output" ]
	wait_pid "$SPAWNED"
	frames msg | cmp - "$T/got"
}

@test "send ./-: a regular file named - is refused and left untouched; - still is stdout" {
	cd "$T"
	make_victim ./-
	run --separate-stderr fm send ./- msg
	is_status 1
	[[ $stderr == *"./-: not a FIFO (it is a regular file)"* ]]
	victim_untouched ./-
	run --separate-stderr to_out send -- - msg
	is_status 0
	out_is msg
	victim_untouched ./-
}

@test "send --json -: each reply goes out as soon as its line is complete, and it exits when stdin closes" {
	mkfifo "$T/in"
	# Read-write: the open does not wait for a reader (Linux).
	exec 4<>"$T/in"
	# (4>&-: only this shell may hold the write end, or no EOF comes)
	spawn "$T/out" bash -c 'exec fifomsg send --json - <"$1"' _ "$T/in" 4>&-
	printf '"{\\"ok\\":1}"\n' >&4
	until_true 10 size_at_least "$T/out" 12
	printf '"two"\n' >&4
	exec 4>&-
	wait_pid "$SPAWNED"
	out_is '{"ok":1}' two
}

# --- the README's examples ------------------------------------------------

@test "README: jq's JSON strings sent with --json arrive as the messages they encode" {
	need jq
	fm mkpipe "$T/events"
	spawn "$T/got" fifomsg recv -r -n 2 -t 10 "$T/events"
	run_recipe "$T/sent" send-json
	wait_pid "$SPAWNED"
	{ frames $'line one\nline two'; le32 10; printf 'NUL\0inside'; } >"$T/want"
	cmp "$T/got" "$T/want"
}

@test "README: a binary file as hex with --hex arrives byte for byte" {
	need xxd
	xxd -p -c 0 /dev/null >/dev/null 2>&1 || skip "xxd -p -c 0 unsupported"
	fm mkpipe "$T/images"
	head -c 70000 /dev/urandom >"$T/logo.png"
	spawn "$T/got" fifomsg recv -r -t 10 "$T/images"
	run_recipe "$T/sent" send-hex
	wait_pid "$SPAWNED"
	frame_file "$T/logo.png" | cmp - "$T/got"
}

@test "README: frames written to a file with send - are sent later with send -r" {
	fm mkpipe "$T/jobs"
	spawn "$T/got" fifomsg listen -n 2 -t 10 "$T/jobs"
	run_recipe "$T/sent" send-stdout
	wait_pid "$SPAWNED"
	printf '%s\n' 'resize a.png' 'resize b.png' | cmp - "$T/got"
	frames 'resize a.png' 'resize b.png' | cmp - "$T/batch.frames"
}
