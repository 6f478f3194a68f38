#!/usr/bin/env bats
# The man pages: clean under mandoc's linter and in step with the program.
# Each SYNOPSIS is the usage line of --help word for word, every option
# that --help lists is an item of the page's option list, and every link
# name has a page that names it (install.sh installs the links' pages).

load helpers

MAN=$BATS_TEST_DIRNAME/../man

need_mandoc() {
	command -v mandoc >/dev/null 2>&1 || skip "mandoc not installed"
}

# render PAGE: the page as plain text, without the overstrike of bold and
# underlined words, and so wide that no paragraph is wrapped.
render() {
	local out
	out=$(mandoc -Tascii -O width=1000 "$MAN/$1") || return 1
	printf '%s\n' "${out//?$'\b'/}"
}

# section PAGE NAME: the lines of one section of a rendered page.
section() {
	render "$1" | awk -v s="$2" '$0 == s { on = 1; next } /^[A-Z]/ { on = 0 } on'
}

# squeeze: whitespace runs to one space, none at either end.
squeeze() {
	tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'
}

# usage_line ARGS...: what `fifomsg ARGS --help` prints after "usage: ".
usage_line() {
	local out
	out=$(fm "$@" --help) || return 1
	out=${out%%$'\n'*}
	[[ $out == "usage: "* ]] || return 1
	printf '%s\n' "${out#usage: }" | squeeze
}

# help_options ARGS...: the options the option list of --help names
# ("  -t, --timeout SECS  ..." gives -t and --timeout), one a line.
help_options() {
	local out
	out=$(fm "$@" --help) || return 1
	printf '%s\n' "$out" |
		sed -nE 's/^ +(-[^ ,]+)(, (--[^ ]+))?.*/\1\n\3/p' | grep .
}

# page_options PAGE: the options that head an item of the page's option
# lists ("-t SECS, --timeout SECS" gives -t and --timeout), one a line.
page_options() {
	render "$1" | sed -nE 's/^     (-[^ ].*)/\1/p' |
		sed -E 's/  .*//; s/, /\n/g' | sed -E 's/ .*//'
}

check_synopsis() {
	local sub=$1 usage synopsis
	need_mandoc
	usage=$(usage_line "$sub")
	synopsis=$(section "fifomsg-$sub.1" SYNOPSIS | squeeze)
	echo "--help:   $usage"
	echo "SYNOPSIS: $synopsis"
	[ -n "$usage" ]
	[ "$synopsis" = "$usage" ]
}

check_options() {
	local sub=$1 help page o missing=
	need_mandoc
	help=$(help_options "$sub")
	page=$(page_options "fifomsg-$sub.1")
	# -h, --help, -V, --version at least: the parsing found the list.
	[ "$(printf '%s\n' "$help" | wc -l)" -ge 4 ]
	for o in $help; do
		printf '%s\n' "$page" | grep -qxF -- "$o" || missing="$missing $o"
	done
	echo "options of --help missing from fifomsg-$sub.1:$missing"
	[ -z "$missing" ]
}

@test "mandoc -Tlint reports nothing for the man pages" {
	need_mandoc
	# From inside man/, where mandoc looks for the pages that .Xr names.
	run sh -c 'cd "$1" && mandoc -Tlint ./*.1 2>/dev/null' sh "$MAN"
	# References to system pages depend on what this machine has
	# installed; every other message, and any missing fifomsg page, counts.
	rest=$(printf '%s\n' "$output" | sed -E \
		'/not found: Xr fifomsg/!{/referenced manual not found: Xr /d}' |
		grep . || true)
	echo "$rest"
	[ "$status" -le 1 ]
	[ -z "$rest" ]
}

@test "fifomsg(1) SYNOPSIS begins with the usage line of fifomsg --help" {
	need_mandoc
	usage=$(usage_line)
	first=$(section fifomsg.1 SYNOPSIS | head -n 1 | squeeze)
	echo "--help: $usage; SYNOPSIS: $first"
	[ -n "$usage" ]
	[ "$first" = "$usage" ]
}

@test "fifomsg(1) documents every option of fifomsg --help" {
	need_mandoc
	help=$(help_options)
	page=$(page_options fifomsg.1)
	[ "$(printf '%s\n' "$help" | wc -l)" -ge 5 ]
	for o in $help; do
		printf '%s\n' "$page" | grep -qxF -- "$o" || missing="$missing $o"
	done
	echo "missing:$missing"
	[ -z "$missing" ]
}

@test "every link name has a page that lists it in NAME, and fifomsg(1) refers to it" {
	need_mandoc
	run fm --list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 4 ]
	see_also=$(section fifomsg.1 "SEE ALSO" | squeeze)
	for link in "${lines[@]}"; do
		sub=${link#fifo-}
		[ -f "$MAN/fifomsg-$sub.1" ] || { echo "no man/fifomsg-$sub.1"; return 1; }
		name=$(section "fifomsg-$sub.1" NAME | squeeze)
		echo "$link: NAME: $name"
		[[ $name == "fifomsg-$sub, $link - "* ]]
		[[ $see_also == *"fifomsg-$sub(1)"* ]]
	done
}

@test "fifomsg-mkpipe(1) SYNOPSIS is the usage line of fifomsg mkpipe --help" {
	check_synopsis mkpipe
}

@test "fifomsg-send(1) SYNOPSIS is the usage line of fifomsg send --help" {
	check_synopsis send
}

@test "fifomsg-recv(1) SYNOPSIS is the usage line of fifomsg recv --help" {
	check_synopsis recv
}

@test "fifomsg-listen(1) SYNOPSIS is the usage line of fifomsg listen --help" {
	check_synopsis listen
}

@test "fifomsg-mkpipe(1) documents every option of fifomsg mkpipe --help" {
	check_options mkpipe
}

@test "fifomsg-send(1) documents every option of fifomsg send --help" {
	check_options send
}

@test "fifomsg-recv(1) documents every option of fifomsg recv --help" {
	check_options recv
}

@test "fifomsg-listen(1) documents every option of fifomsg listen --help" {
	check_options listen
}

@test "fifomsg-publish(1) SYNOPSIS is the usage line of fifomsg publish --help" {
	check_synopsis publish
}

@test "fifomsg-publish(1) documents every option of fifomsg publish --help" {
	check_options publish
}

@test "fifomsg-subscribe(1) SYNOPSIS is the usage line of fifomsg subscribe --help" {
	check_synopsis subscribe
}

@test "fifomsg-subscribe(1) documents every option of fifomsg subscribe --help" {
	check_options subscribe
}

@test "fifomsg-request(1) SYNOPSIS is the usage line of fifomsg request --help" {
	check_synopsis request
}

@test "fifomsg-request(1) documents every option of fifomsg request --help" {
	check_options request
}

@test "fifomsg-serve(1) SYNOPSIS is the usage line of fifomsg serve --help" {
	check_synopsis serve
}

@test "fifomsg-serve(1) documents every option of fifomsg serve --help" {
	check_options serve
}
