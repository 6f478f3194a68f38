#!/usr/bin/env bats
# recv and listen --format: every directive and escape through the real
# binary, bad templates refused before anything is opened or read, the
# options it excludes, whole messages only, bounded memory for a payload
# named twice, the round trips to send --hex and send --json, and
# FIFOMSG_LEN for --exec.
# shellcheck disable=SC2154,SC1003 # bats sets $output, $status, $stderr;
# a lone backslash at the end of a template is what is tested
load helpers
load bridges

bats_require_minimum_version 1.5.0

# hexof: stdin as lowercase hex on one line, independent of src/hex.c.
hexof() {
	od -An -tx1 -v | tr -d ' \n'
}

# fmt FMT [ARGS...]: listen --format FMT on the frames in $T/in (standard
# input), output in $T/out; status in $status.
fmt() {
	local f=$1
	shift
	status=0
	fm listen --format "$f" "$@" - <"$T/in" >"$T/out" 2>"$T/err" ||
		status=$?
}

@test "--format: %s %n %p %i render payload, length, pipe and number; nothing is added" {
	frames 'hello world' '' x >"$T/in"
	fmt '<%s> %n %p %i|'
	is_status 0
	[ "$(cat "$T/out")" = '<hello world> 11 - 1|<> 0 - 2|<x> 1 - 3|' ]
	# %p is the pipe as given on the command line.
	mkfifo "$P"
	spawn "$T/got" fifomsg recv --format '%p:%s' "$P"
	reader_ready "$P"
	fm send "$P" one
	ended "$SPAWNED"
	is_status 0
	[ "$(cat "$T/got")" = "$P:one" ]
}

@test "--format: %j is the payload as --json prints it, %x every byte in lowercase hex" {
	all_bytes >"$T/bytes"
	{ frame_file "$T/bytes"; frames 'tab	"q" \b'; } >"$T/in"
	fmt '%x\n'
	is_status 0
	head -1 "$T/out" >"$T/hex"
	[ "$(tr -d '\n' <"$T/hex")" = "$(hexof <"$T/bytes")" ]
	fm listen --json - <"$T/in" >"$T/json"
	fmt '%j\n'
	is_status 0
	cmp "$T/json" "$T/out"
	[ "$(tail -1 "$T/out")" = '"tab\t\"q\" \\b"' ]
}

@test "--format: %t is Unix seconds.microseconds and %T the same time in ISO 8601 UTC, taken on arrival" {
	local before after t iso
	frames a b >"$T/in"
	before=$(date +%s)
	fmt '%t %T\n'
	after=$(date +%s)
	is_status 0
	[ "$(wc -l <"$T/out")" -eq 2 ]
	read -r t iso <"$T/out"
	[[ $t =~ ^[0-9]+\.[0-9]{6}$ ]]
	[[ $iso =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$ ]]
	[ "${t%.*}" -ge "$before" ]
	[ "${t%.*}" -le "$after" ]
	# Both say the same instant, to the microsecond.
	[ "$(date -u -d "@${t%.*}" +%Y-%m-%dT%H:%M:%S).${t#*.}Z" = "$iso" ]
}

@test "--format: %% and the escapes \\n \\t \\0 \\\\ \\xHH give exactly their bytes" {
	frames m >"$T/in"
	fmt '%%\n\t\0\\\x41\xfF\x00z%s'
	is_status 0
	[ "$(hexof <"$T/out")" = 250a09005c41ff007a6d ]
}

@test "--format '%s\\n' prints what plain lines print, '%s\\0' what -0 prints" {
	frames one '' 'two words' >"$T/in"
	fm listen - <"$T/in" >"$T/plain"
	fmt '%s\n'
	is_status 0
	cmp "$T/plain" "$T/out"
	fm listen -0 - <"$T/in" >"$T/plain"
	fmt '%s\0'
	cmp "$T/plain" "$T/out"
	fmt '%s;'
	[ "$(cat "$T/out")" = 'one;;two words;' ]
}

@test "--format: a bad template is a usage error naming its position, before the pipe is opened or read" {
	local f want
	frames first second >"$T/in"
	for f in 'ab%q:3:unknown directive %q' 'x%:2:lone % at the end' \
		'abc\:4:lone \ at the end' '\q:1:unknown escape \q' \
		'%s\x4:3:\x needs two hex digits' '\012:1:\0 followed by a digit'; do
		want=${f#*:}
		run --separate-stderr fm recv --format "${f%%:*}" "$T/missing"
		is_status 2
		[ -z "$output" ]
		[[ ${stderr%%$'\n'*} == "fifomsg: recv: bad --format: position ${want%%:*}: ${want#*:}"* ]]
		[[ $stderr == *$'\n'"usage: fifomsg recv "* ]]
	done
	# Nothing of standard input was read: the next reader gets it all.
	{
		fm listen --format 'a%' - || echo "status $?"
		fm recv -
	} <"$T/in" >"$T/out" 2>/dev/null
	printf 'status 2\nfirst\n' | cmp - "$T/out"
}

@test "--format cannot be combined with -0, -r, --json or --exec" {
	local o
	for o in -0 -r --json '--exec=cat'; do
		run --separate-stderr fm listen "$o" --format '%s' "$T/missing"
		is_status 2
		[[ $stderr == *"-0, -r, --json, --format and --exec cannot be combined"* ]]
		run --separate-stderr fm recv --format '%s' "$o" "$T/missing"
		is_status 2
	done
	# Twice is no conflict: the last one counts.
	frames a >"$T/in"
	fm recv --format '1%s' --format '2%s' - <"$T/in" >"$T/out"
	[ "$(cat "$T/out")" = 2a ]
}

@test "--format: a message cut short is not printed at all, whatever the template printed before its payload" {
	mkfifo "$P"
	spawn "$T/out" fifomsg listen -e --format '<%i %n>%s</>\n' "$P"
	reader_ready "$P"
	{ frames whole; le32 10; printf half; } >"$P"
	ended "$SPAWNED"
	is_status 4
	[ "$(cat "$T/out")" = '<1 5>whole</>' ]
}

@test "--format: a payload named twice comes out whole each time, small, big and empty" {
	head -c 3000000 /dev/urandom >"$T/big"
	{ frames abc ''; frame_file "$T/big"; frames z; } >"$T/in"
	fmt '%s|%x|%j|%s|%n\n'
	is_status 0
	{
		printf 'abc|616263|"abc"|abc|3\n'
		printf '||""||0\n'
		cat "$T/big"
		printf '|%s|' "$(hexof <"$T/big")"
		fm listen --format '%j' - < <(frame_file "$T/big")
		printf '|'
		cat "$T/big"
		printf '|3000000\n'
		printf 'z|7a|"z"|z|1\n'
	} >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "--format: memory stays bounded for a 16 MiB message whose payload is named twice" {
	# 16 MiB in, 48 MiB out: slow under a sanitizer on a busy machine.
	# shellcheck disable=SC2034 # FM_TIMEOUT is read by spawn
	local pid hold hwm limit=4096 n=$((16 << 20)) FM_TIMEOUT=120
	[ -z "${FIFOMSG_SANITIZER:-}" ] || limit=65536
	mkfifo "$T/in"
	# shellcheck disable=SC2016 # $0 is for sh
	# Standard input given inside: a background job's would be
	# /dev/null.  Our write end is opened after, so it is not inherited.
	spawn "$T/out" sh -c 'exec fifomsg listen --format "%n %s%x\n" - <"$0"' \
		"$T/in"
	exec {hold}>"$T/in"
	until_true 10 has_fifomsg "$SPAWNED"
	pid=$(fifomsg_under "$SPAWNED")
	{ le32 "$n"; head -c "$n" /dev/zero; } >&"$hold"
	until_true 110 size_is "$T/out" $((3 * n + 10))
	hwm=$(hwm_kib "$pid")
	exec {hold}>&-
	ended "$SPAWNED"
	is_status 0
	echo "VmHWM $hwm kB"
	[ "$hwm" -lt "$limit" ]
	[ "$(head -c 9 "$T/out")" = "$n " ]
	[ "$(tail -c 3 "$T/out" | hexof)" = 30300a ]
}

@test "--format: no room for a payload named twice is a failure, not a wrong message" {
	head -c 2000000 /dev/zero >"$T/big"
	{ frames a; frame_file "$T/big"; } >"$T/in"
	TMPDIR=$T/nowhere fmt '%s%s\n'
	is_status 1
	[ "$(cat "$T/out")" = aa ]
	grep -q "temporary file in $T/nowhere" "$T/err"
}

@test "round trip: listen --format '%x\\n' - | send --hex - is the identity on arbitrary bytes" {
	all_bytes >"$T/bytes"
	head -c 200000 /dev/urandom >"$T/rand"
	{ frame_file "$T/bytes"; frames '' $'new\nline' 'x'; frame_file "$T/rand"; } >"$T/in"
	fm listen --format '%x\n' - <"$T/in" | fm send --hex - >"$T/back"
	cmp "$T/in" "$T/back"
}

@test "round trip: listen --json - | send --json - is the identity on valid UTF-8, control bytes and NUL included" {
	printf 'a\0b\001\037\177 é € 𝄞 "\\\n' >"$T/text"
	{ frame_file "$T/text"; frames '' 'plain' $'tab\there'; } >"$T/in"
	fm listen --json - <"$T/in" | fm send --json - >"$T/back"
	cmp "$T/in" "$T/back"
}

@test "--exec: FIFOMSG_LEN is the message's size, FIFOMSG_PIPE and FIFOMSG_SEQ as before" {
	frames hello '' "$(printf 'x%.0s' {1..5000})" >"$T/in"
	# shellcheck disable=SC2016 # expanded by the command's shell
	fm listen --exec 'echo "$FIFOMSG_PIPE $FIFOMSG_SEQ $FIFOMSG_LEN $(wc -c)"' - \
		<"$T/in" >"$T/out"
	printf '%s\n' '- 1 5 5' '- 2 0 0' '- 3 5000 5000' | cmp - "$T/out"
}

@test "README: a layout of one's own with --format" {
	mkfifo "$T/events"
	run_recipe "$T/out" format
	reader_ready "$T/events"
	fm send "$T/events" 'disk full' $'two\nlines'
	until_true 10 lines_in "$T/out" 2
	grep -Eqx '[0-9-]{10}T[0-9:]{8}\.[0-9]{6}Z events #1 \(9 bytes\): "disk full"' "$T/out"
	grep -Eqx '.*Z events #2 \(9 bytes\): "two\\nlines"' "$T/out"
}
