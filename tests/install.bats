#!/usr/bin/env bats
# make install / make uninstall and their front end install.sh: what lands
# where (a link for each name `fifomsg --list` prints), that the installed
# links and man pages work, that nothing that is not ours is replaced or
# removed; then the bash and zsh completions.
#
# make runs in the repository with BIN set to the binary under test, so
# nothing is built there; the install.sh test builds in a copy.

# Scripts run by "bash -c" and zsh are single-quoted on purpose; helpers
# set $output for the assertions that follow them, as bats' run does.
# shellcheck disable=SC2016,SC2030,SC2031

load helpers

bats_require_minimum_version 1.5.0

export LC_ALL=C

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
LINKS=(fifo-mkpipe fifo-send fifo-recv fifo-listen fifo-publish fifo-subscribe
	fifo-request fifo-serve)

# mk TARGET VAR=VALUE...: make in the repository, installing the binary
# under test; output as make's.
mk() {
	timeout -k 2 "$FM_TIMEOUT" make -s -C "$REPO" \
		BIN="$(cd "$(dirname "$FIFOMSG")" && pwd)/$(basename "$FIFOMSG")" "$@"
}

# installed DIR: the files and links under DIR (not directories), as
# "f MODE PATH" and "l PATH -> TARGET".
installed() {
	(cd "$1" && find . -type f -printf 'f %m %P\n' -o \
		-type l -printf 'l %P -> %l\n' | sort)
}

# snap DIR: everything under DIR: type, mode, path, link target, and the
# checksum of each regular file.
snap() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %p %l\n' | sort &&
		find . -type f -exec cksum {} + | sort)
}

# expected: what an install puts under PREFIX, as "installed" prints it:
# for each link name the binary lists, a link in bin, a man page link and
# a completion link.
expected() {
	local l p
	{
		echo "f 755 bin/fifomsg"
		for p in "$REPO"/man/*.1; do
			echo "f 644 share/man/man1/${p##*/}"
		done
		for l in $("$FIFOMSG" --list); do
			echo "l bin/$l -> fifomsg"
			p=fifomsg-${l#fifo-}.1
			[ -f "$REPO/man/$p" ] || p=fifomsg.1
			echo "l share/man/man1/$l.1 -> $p"
			echo "l share/bash-completion/completions/$l -> fifomsg"
		done
		echo "f 644 share/bash-completion/completions/fifomsg"
		echo "f 644 share/zsh/site-functions/_fifomsg"
	} | sort
}

# stub FILE VERSION [NAME...]: a stand-in binary whose --version prints
# VERSION and whose --list is the real one's plus NAMEs.
stub() {
	local f=$1 v=$2
	shift 2
	printf '#!/bin/sh\ncase $1 in\n--version) echo "%s" ;;\n--list) "%s" --list; printf "%%s\\n" %s ;;\nesac\n' \
		"$v" "$FIFOMSG" "$*" >"$f"
	chmod 755 "$f"
}

@test "make install PREFIX= DESTDIR=: binary, links, man pages and completions under the staging root only" {
	pfx=/opt/fifomsg-test-$$
	run --separate-stderr mk install PREFIX="$pfx" DESTDIR="$T/stage"
	is_status 0
	[ -z "$stderr" ]
	[ ! -e "$pfx" ]
	S=$T/stage$pfx
	diff <(expected) <(installed "$S")
	[ "$(find "$T/stage" -mindepth 1 -maxdepth 1)" = "$T/stage/opt" ]
	cmp "$FIFOMSG" "$S/bin/fifomsg"
	for p in "$REPO"/man/*.1; do
		cmp "$p" "$S/share/man/man1/${p##*/}"
	done
	cmp "$REPO/completion/fifomsg.bash" \
		"$S/share/bash-completion/completions/fifomsg"
	cmp "$REPO/completion/_fifomsg" "$S/share/zsh/site-functions/_fifomsg"
	# One line per file, naming it; the links are relative, so they
	# work where they are staged.
	[[ $output == *"installed $S/bin/fifomsg"* ]]
	[[ $output == *"linked    $S/bin/fifo-send -> fifomsg"* ]]
	[ "${#lines[@]}" -eq "$(expected | wc -l)" ]
	run "$S/bin/fifo-send" --version
	is_status 0
	[[ $output == "fifomsg "* ]]
}

@test "the links come from the binary's --list: a new name is installed and uninstalled with no change to the Makefile" {
	stub "$T/fifomsg" "fifomsg 9.9" fifo-extra
	run --separate-stderr timeout 20 make -s -C "$REPO" BIN="$T/fifomsg" \
		install PREFIX="$T/inst"
	is_status 0
	I=$T/inst
	[ "$(readlink "$I/bin/fifo-extra")" = fifomsg ]
	[ "$(readlink "$I/share/man/man1/fifo-extra.1")" = fifomsg.1 ]
	[ "$(readlink "$I/share/bash-completion/completions/fifo-extra")" = fifomsg ]
	[ "$(readlink "$I/bin/fifo-send")" = fifomsg ]
	# Uninstalling with the real binary removes the name it no longer
	# lists too: a link to fifomsg is ours whatever its name.
	run --separate-stderr mk uninstall PREFIX="$I"
	is_status 0
	[ -z "$stderr" ]
	[ -z "$(installed "$I")" ]
}

@test "man -M finds every installed page, and each link name's page: man fifo-send shows fifomsg-send(1)" {
	command -v man >/dev/null || skip "man is not installed"
	mk install PREFIX="$T/inst" >/dev/null
	M=$T/inst/share/man
	for p in "$REPO"/man/*.1; do
		p=${p##*/}
		run --separate-stderr man -M "$M" -w "${p%.1}"
		is_status 0
		[ "$output" = "$M/man1/$p" ]
	done
	for l in $("$FIFOMSG" --list); do
		run --separate-stderr man -M "$M" -w "$l"
		is_status 0
		[ "$output" = "$M/man1/fifomsg-${l#fifo-}.1" ]
	done
	run --separate-stderr env MANPAGER=cat MANWIDTH=80 man -M "$M" fifo-send
	is_status 0
	[[ $output == *"fifomsg-send, fifo-send"* ]]
}

@test "the installed links run end to end through a real pipe" {
	mk install PREFIX="$T/inst" >/dev/null
	B=$T/inst/bin
	run --separate-stderr timeout 20 "$B/fifo-mkpipe" "$P"
	is_status 0
	[ -p "$P" ]
	spawn "$T/out" "$B/fifo-listen" -n 3 "$P"
	listener=$SPAWNED
	reader_ready "$P"
	run --separate-stderr timeout 20 "$B/fifo-send" "$P" one '' 'three 3'
	is_status 0
	wait_pid "$listener"
	[ "$(cat "$T/out")" = $'one\n\nthree 3' ]
	spawn "$T/out2" "$B/fifo-recv" "$P"
	receiver=$SPAWNED
	reader_ready "$P"
	timeout 20 "$B/fifomsg" send "$P" via-fifomsg
	wait_pid "$receiver"
	[ "$(cat "$T/out2")" = via-fifomsg ]
}

@test "installing again changes nothing; an older fifomsg install is replaced" {
	I=$T/inst
	mk install PREFIX="$I" >/dev/null
	before=$(snap "$I")
	run --separate-stderr mk install PREFIX="$I"
	is_status 0
	[ -z "$stderr" ]
	[ "$(snap "$I")" = "$before" ]
	# An older version: its binary, and a link page as a .so file.
	rm "$I/bin/fifomsg" "$I/share/man/man1/fifo-send.1"
	stub "$I/bin/fifomsg" "fifomsg 0.0.1"
	echo '.so man1/fifomsg-send.1' >"$I/share/man/man1/fifo-send.1"
	run --separate-stderr mk install PREFIX="$I"
	is_status 0
	[ -z "$stderr" ]
	[ "$(snap "$I")" = "$before" ]
}

# foreign PREFIX WHAT: make PREFIX hold something that is not ours, in
# one of several ways.
foreign() {
	local I=$1
	mkdir -p "$I/bin" "$I/share/man/man1" "$I/share/zsh/site-functions"
	case $2 in
	script) printf '#!/bin/sh\necho mine\n' >"$I/bin/fifo-send" ;;
	wrapper) printf '#!/bin/sh\nexec fifomsg send "$@"\n' >"$I/bin/fifo-send" ;;
	binary) printf '#!/bin/sh\necho "other 1.0"\n' >"$I/bin/fifomsg" ;;
	link) ln -s /bin/true "$I/bin/fifo-recv" ;;
	page) echo '.Dt OTHER 1' >"$I/share/man/man1/fifomsg.1" ;;
	dir) mkdir "$I/share/zsh/site-functions/_fifomsg" ;;
	esac
	chmod -f 755 "$I/bin/fifo-send" "$I/bin/fifomsg" || true
}

@test "install refuses to replace a file that is not ours, and then writes nothing" {
	for what in script wrapper binary link page dir; do
		I=$T/$what
		foreign "$I" "$what"
		before=$(snap "$I")
		run --separate-stderr mk install PREFIX="$I"
		[ "$status" -ne 0 ]
		[ -z "$output" ]
		[[ ${stderr%%$'\n'*} == "install: refusing to replace $I/"*": not installed by fifomsg" ]]
		[ "$(snap "$I")" = "$before" ]
	done
}

@test "uninstall removes what is ours and keeps the rest: files beside ours, and a foreign file under one of our names" {
	I=$T/inst
	mkdir -p "$I/bin" "$I/share/man/man1"
	echo tool >"$I/bin/other-tool"
	chmod 755 "$I/bin/other-tool"
	printf '#!/bin/sh\nexec fifomsg send jobs "$@"\n' >"$I/bin/fifo-jobs"
	echo page >"$I/share/man/man1/other.1"
	ln -s other-tool "$I/bin/fifo-other"
	before=$( (installed "$I" && echo "f 755 bin/fifo-recv") | sort)
	mk install PREFIX="$I" >/dev/null
	rm "$I/bin/fifo-recv"
	printf '#!/bin/sh\necho mine\n' >"$I/bin/fifo-recv"
	chmod 755 "$I/bin/fifo-recv"
	run --separate-stderr mk uninstall PREFIX="$I"
	is_status 0
	[[ $output == *"removed   $I/bin/fifomsg"* ]]
	[[ $output == *"removed   $I/share/zsh/site-functions/_fifomsg"* ]]
	[ "$(sort <<<"$stderr")" = "uninstall: kept $I/bin/fifo-jobs: not installed by fifomsg
uninstall: kept $I/bin/fifo-other: not installed by fifomsg
uninstall: kept $I/bin/fifo-recv: not installed by fifomsg" ]
	[ "$(installed "$I")" = "$before" ]
	[ "$(cat "$I/bin/fifo-recv")" = $'#!/bin/sh\necho mine' ]
	# Nothing left that is ours: a second uninstall removes nothing.
	run --separate-stderr mk uninstall PREFIX="$I"
	is_status 0
	[ -z "$output" ]
}

@test "install.sh --prefix builds, installs through make; --uninstall removes it; a foreign file stops it" {
	mkdir "$T/src"
	cp -R "$REPO/Makefile" "$REPO/install.sh" "$REPO/src" "$REPO/man" \
		"$REPO/completion" "$T/src/"
	rm -f "$T/src"/src/*.o
	cd "$T"
	# A relative --prefix is taken from the current directory.
	run --separate-stderr timeout 120 "$T/src/install.sh" --prefix inst
	is_status 0
	[ -x "$T/src/fifomsg" ]
	diff <(expected) <(installed "$T/inst")
	run "$T/inst/bin/fifo-recv" --version
	is_status 0
	[[ $output == "fifomsg "* ]]
	run --separate-stderr timeout 20 "$T/src/install.sh" --uninstall \
		--prefix="$T/inst"
	is_status 0
	[ -z "$(installed "$T/inst")" ]
	foreign "$T/inst" script
	run --separate-stderr timeout 20 "$T/src/install.sh" --prefix "$T/inst"
	is_status 1
	[[ $stderr == "install: refusing to replace $T/inst/bin/fifo-send: not installed by fifomsg"* ]]
	[ ! -e "$T/inst/bin/fifomsg" ]
}

@test "install.sh: --help exits 0; a bad argument is a usage error (exit 2)" {
	run --separate-stderr "$REPO/install.sh" --help
	is_status 0
	[ "${lines[0]}" = "usage: install.sh [--prefix DIR] [--uninstall]" ]
	run --separate-stderr "$REPO/install.sh" --bogus
	is_status 2
	[ -z "$output" ]
	[ "$stderr" = "install.sh: unknown argument '--bogus'
usage: install.sh [--prefix DIR] [--uninstall]" ]
	for bad in --prefix --prefix=; do
		run --separate-stderr "$REPO/install.sh" $bad
		is_status 2
		[[ $stderr == "install.sh: --prefix needs a directory"* ]]
	done
}

# --- bash completion

# complete_bash WORD...: what the completion registered for the command
# WORD1 offers for the command line WORD... (the last word is being
# completed), one a line, sorted.
complete_bash() {
	run --separate-stderr bash --norc --noprofile -c '
		source "$1" || exit 1
		shift
		spec=$(complete -p "${1##*/}") || exit 1
		fn=${spec#*-F }
		fn=${fn%% *}
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort
	' _ "$REPO/completion/fifomsg.bash" "$@"
	is_status 0
	[ -z "$stderr" ]
}

# lines_are WORD...: $output is these words, one a line, sorted.
lines_are() {
	local want
	want=$(printf '%s\n' "$@" | LC_ALL=C sort)
	[ "$output" = "$want" ] && return 0
	printf 'got:\n%s\nwanted:\n%s\n' "$output" "$want"
	return 1
}

@test "bash completion: 'fifomsg se<TAB>' completes the subcommands send and serve" {
	complete_bash fifomsg se
	lines_are send serve
	complete_bash fifomsg ''
	lines_are mkpipe send recv listen publish subscribe request serve
	complete_bash fifomsg --l
	lines_are --list
}

@test "bash completion: 'fifomsg send --<TAB>' offers send's long options" {
	complete_bash fifomsg send --
	lines_are --null --raw --whole --json --hex --verbose --timeout \
		--max-size --no-wait --follow --help --version
	complete_bash fifomsg mkpipe -
	lines_are -p -m --mode -h --help -V --version
}

@test "bash completion: 'fifo-recv -<TAB>' offers recv's options, the link name works" {
	complete_bash fifo-recv -
	lines_are -0 --null -r --raw --json --format -v --verbose -n --count \
		-t --timeout -c --create -m --mode --exec --stop-on-error \
		--max-size --follow -h --help -V --version
	complete_bash /usr/local/bin/fifo-listen --e
	lines_are --eof --exec
}

@test "bash completion: PIPE offers FIFOs and directories, not regular files" {
	mkdir "$T/c" "$T/c/subdir"
	mkfifo "$T/c/fifo" "$T/c/fifo two"
	touch "$T/c/file" "$T/c/fifo.txt"
	cd "$T/c"
	complete_bash fifomsg send ''
	lines_are fifo 'fifo two' subdir
	complete_bash fifo-listen -n 5 'fi'
	lines_are fifo 'fifo two'
	complete_bash fifomsg recv -ct 1 -- ''
	lines_are fifo 'fifo two' subdir
	complete_bash fifomsg mkpipe fifo ''
	lines_are fifo 'fifo two' subdir
	complete_bash fifomsg send "$T/c/f"
	lines_are "$T/c/fifo" "$T/c/fifo two"
}

@test "bash completion: nothing after PIPE for send's messages, nor for an option's value" {
	mkdir "$T/c"
	mkfifo "$T/c/fifo"
	cd "$T/c"
	complete_bash fifomsg send fifo ''
	[ -z "$output" ]
	complete_bash fifomsg send -t ''
	[ -z "$output" ]
	complete_bash fifo-recv fifo -
	[ -z "$output" ]
	complete_bash fifomsg bogus ''
	[ -z "$output" ]
}

@test "the installed bash completion is found under each link name" {
	mk install PREFIX="$T/inst" >/dev/null
	C=$T/inst/share/bash-completion/completions
	for name in fifomsg "${LINKS[@]}"; do
		run --separate-stderr bash --norc --noprofile -c \
			'source "$1" && complete -p "$2"' _ "$C/$name" "$name"
		is_status 0
		[ "$output" = "complete -F _fifomsg $name" ]
	done
}

# --- zsh completion

@test "zsh completion: _fifomsg loads under compinit and serves fifomsg and the links" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run --separate-stderr env HOME="$T" timeout 20 zsh -f -c '
		fpath=("$1" $fpath)
		autoload -Uz compinit && compinit -u -D || exit 1
		print -r -- $_comps[fifomsg] $_comps[fifo-send] $_comps[fifo-listen]
		autoload +X _fifomsg || exit 1
		whence -w _fifomsg' _ "$REPO/completion"
	is_status 0
	[ -z "$stderr" ]
	[ "${lines[0]}" = "_fifomsg _fifomsg _fifomsg" ]
	[ "${lines[1]}" = "_fifomsg: function" ]
}

# complete_zsh DIR LINE...: what zsh offers when Tab is pressed after
# each LINE, in one interactive zsh (in a pseudo-terminal) working in
# DIR; a match for the Nth LINE is printed as "N:MATCH".
complete_zsh() {
	cat >"$T/zc.zsh" <<'EOF'
zmodload zsh/zpty || exit 1
fdir=$1 wdir=$2
shift 2
zpty z zsh -f -i
zpty -w z "PS1=''; cd ${(q)wdir}; fpath=(${(q)fdir} \$fpath); autoload -Uz compinit; compinit -u -D"
# Every match added is also printed between markers.
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a h; builtin compadd -A h "$@"; local x; for x in $h; do print -r -- "<M>$x</M>"; done; builtin compadd "$@"; }'
# Ctrl-X prints an end marker (it runs once the completion is done) and
# empties the line for the next one.  No key the terminal itself may
# interpret (Ctrl-U...) is sent: zle is not always reading when it comes.
zpty -w z '_t_end() { zle -I; print -r -- "<END>"; BUFFER=; }; zle -N _t_end; bindkey "^X" _t_end; zstyle ":completion:*" menu no; print -r -- "<READY>"'
zpty -r z line '*<READY>*' || exit 1
for (( i = 1; i <= $#; i++ )); do
	zpty -w -n z "${@[i]}"$'\t\x18'
	out=
	while zpty -r z line; do
		out+=$line
		[[ $line == *'<END>'* ]] && break
	done
	[[ $out == *'<END>'* ]] || exit 1
	for m in ${(M)${(f)out}:#*<M>*}; do
		print -r -- "$i:${${m#*<M>}%%</M>*}"
	done
done
zpty -d z
EOF
	run --separate-stderr env HOME="$T" timeout 20 zsh -f "$T/zc.zsh" \
		"$REPO/completion" "$@"
	is_status 0
	zout=$output
}

# zsh_offered N: the matches for the Nth line, one a line, sorted.
zsh_offered() {
	output=$(sed -n "s/^$1://p" <<<"$zout" | LC_ALL=C sort -u)
}

@test "zsh completion: subcommands, options and FIFOs complete at the prompt" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	mkdir "$T/c" "$T/c/subdir"
	mkfifo "$T/c/fifo"
	touch "$T/c/file"
	complete_zsh "$T/c" 'fifomsg se' 'fifo-send --' \
		'fifomsg listen -r --' 'fifomsg recv ' 'fifo-send fifo '
	zsh_offered 1
	lines_are send serve
	zsh_offered 2
	lines_are --null --raw --whole --json --hex --verbose --timeout \
		--max-size --no-wait --follow --help --version
	zsh_offered 3
	lines_are --eof --count --timeout --create --mode --exec \
		--stop-on-error --max-size --follow --verbose --help --version
	zsh_offered 4
	lines_are fifo subdir
	zsh_offered 5
	[ -z "$output" ]
}
