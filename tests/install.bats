#!/usr/bin/env bats
# install.sh (and make install): what lands where, that the installed
# links work, idempotence, an uninstall that removes exactly what was
# installed; then the bash and zsh completions.
#
# Most tests install from a scratch source tree: install.sh, the
# completions, the binary under test and man pages made up for the test,
# so that what is expected does not depend on the pages of the day.

# Scripts run by "bash -c" and zsh are single-quoted on purpose; helpers
# set $output for the assertions that follow them, as bats' run does.
# shellcheck disable=SC2016,SC2030,SC2031

load helpers

bats_require_minimum_version 1.5.0

export LC_ALL=C

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
LINKS=(fifo-mkpipe fifo-send fifo-recv fifo-listen)
PAGES=(fifomsg fifomsg-mkpipe fifomsg-send fifomsg-recv fifomsg-listen)

# mktree DIR PAGE...: a source tree to install from, with a minimal mdoc
# page DIR/man/PAGE.1 for each PAGE.
mktree() {
	local d=$1 p
	shift
	mkdir -p "$d/man" "$d/completion"
	cp "$REPO/install.sh" "$d/"
	cp "$REPO/completion/fifomsg.bash" "$REPO/completion/_fifomsg" \
		"$d/completion/"
	cp "$FIFOMSG" "$d/fifomsg"
	for p; do
		printf '%s\n' '.Dd November 26, 2025' ".Dt ${p^^} 1" '.Os' \
			'.Sh NAME' ".Nm $p" ".Nd the $p test page" \
			'.Sh DESCRIPTION' "Text of the $p page." >"$d/man/$p.1"
	done
}

# snap DIR: everything under DIR: type, mode, path, link target, and the
# checksum of each regular file.
snap() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %p %l\n' | sort &&
		find . -type f -exec cksum {} + | sort)
}

# installed DIR: the files and links under DIR (not directories), as
# "f MODE PATH" and "l PATH -> TARGET".
installed() {
	(cd "$1" && find . -type f -printf 'f %m %P\n' -o \
		-type l -printf 'l %P -> %l\n' | sort)
}

# The files a full install puts under PREFIX, as "installed" prints them.
expected_files() {
	local l p
	{
		echo "f 755 bin/fifomsg"
		for l in "${LINKS[@]}"; do
			echo "l bin/$l -> fifomsg"
			echo "f 644 share/man/man1/$l.1"
			echo "l share/bash-completion/completions/$l -> fifomsg"
		done
		for p in "${PAGES[@]}"; do
			echo "f 644 share/man/man1/$p.1"
		done
		echo "f 644 share/bash-completion/completions/fifomsg"
		echo "f 644 share/zsh/site-functions/_fifomsg"
		echo "f 644 share/fifomsg/manifest"
	} | sort
}

@test "install.sh --prefix installs the binary, links, man pages, link pages and completions" {
	mktree "$T/src" "${PAGES[@]}"
	run --separate-stderr tm "$T/src/install.sh" --prefix "$T/inst"
	is_status 0
	[ -z "$stderr" ]
	I=$T/inst
	diff <(expected_files) <(installed "$I")
	cmp "$FIFOMSG" "$I/bin/fifomsg"
	for p in "${PAGES[@]}"; do
		cmp "$T/src/man/$p.1" "$I/share/man/man1/$p.1"
	done
	for l in "${LINKS[@]}"; do
		[ "$(cat "$I/share/man/man1/$l.1")" = ".so man1/fifomsg-${l#fifo-}.1" ]
	done
	cmp "$REPO/completion/fifomsg.bash" \
		"$I/share/bash-completion/completions/fifomsg"
	cmp "$REPO/completion/_fifomsg" "$I/share/zsh/site-functions/_fifomsg"
	# One line per file, naming it.
	[[ $output == *"installed  $I/bin/fifomsg"* ]]
	[[ $output == *"linked     $I/bin/fifo-send -> fifomsg"* ]]
	[[ $output == *"installed  $I/share/man/man1/fifo-send.1"* ]]
	[ "$(grep -c "^installed \|^linked " <<<"$output")" -eq \
		"$(($(expected_files | wc -l) - 1))" ]
}

@test "the installed links run end to end through a real pipe" {
	mktree "$T/src"
	tm "$T/src/install.sh" --prefix "$T/inst" >/dev/null
	B=$T/inst/bin
	run --separate-stderr tm "$B/fifo-mkpipe" "$P"
	is_status 0
	[ -p "$P" ]
	[ "$(stat -c %a "$P")" = 600 ]

	spawn "$T/out" "$B/fifo-listen" -n 3 "$P"
	listener=$SPAWNED
	reader_ready "$P"
	run --separate-stderr tm "$B/fifo-send" "$P" one '' 'three 3'
	is_status 0
	[ -z "$stderr" ]
	wait_pid "$listener"
	[ "$(cat "$T/out")" = $'one\n\nthree 3' ]
	[ ! -s "$T/out.err" ]

	spawn "$T/out2" "$B/fifo-recv" -n 2 "$P"
	receiver=$SPAWNED
	reader_ready "$P"
	printf 'via\nfifomsg send\n' | tm "$B/fifomsg" send "$P"
	wait_pid "$receiver"
	[ "$(cat "$T/out2")" = $'via\nfifomsg send' ]
}

@test "man finds the link names' pages: man fifo-send shows fifomsg-send(1)" {
	command -v man >/dev/null || skip "man is not installed"
	mktree "$T/src" "${PAGES[@]}"
	tm "$T/src/install.sh" --prefix "$T/inst" >/dev/null
	M=$T/inst/share/man
	for l in "${LINKS[@]}"; do
		run --separate-stderr man -M "$M" -w "$l"
		is_status 0
		[ "$output" = "$M/man1/fifomsg-${l#fifo-}.1" ]
	done
	run --separate-stderr env MANPAGER=cat MANWIDTH=80 man -M "$M" fifo-send
	is_status 0
	[[ $output == *"Text of the fifomsg-send page."* ]]
}

@test "a link name without its own subcommand page gets the overview page" {
	mktree "$T/src" fifomsg fifomsg-send
	run --separate-stderr tm "$T/src/install.sh" --prefix "$T/inst"
	is_status 0
	M=$T/inst/share/man/man1
	[ "$(cat "$M/fifo-send.1")" = ".so man1/fifomsg-send.1" ]
	[ "$(cat "$M/fifo-recv.1")" = ".so man1/fifomsg.1" ]
	[ "$(cat "$M/fifo-listen.1")" = ".so man1/fifomsg.1" ]
	[ ! -e "$M/fifomsg-recv.1" ]
}

@test "the repository's own man pages install and man fifo-send finds them" {
	command -v man >/dev/null || skip "man is not installed"
	[ -f "$REPO/man/fifomsg-send.1" ] ||
		skip "man/fifomsg-send.1 is not written yet"
	run --separate-stderr tm make -s -C "$REPO" install \
		PREFIX="$T/inst" DESTDIR=
	is_status 0
	M=$T/inst/share/man
	for page in "$REPO"/man/*.1; do
		cmp "$page" "$M/man1/${page##*/}"
	done
	run --separate-stderr man -M "$M" -w fifo-send
	is_status 0
	[ "$output" = "$M/man1/fifomsg-send.1" ]
	run --separate-stderr env MANPAGER=cat MANWIDTH=80 man -M "$M" fifo-send
	is_status 0
	[[ $output == *fifomsg-send* ]]
}

@test "installing twice succeeds, changes nothing and reports each file unchanged" {
	mktree "$T/src" "${PAGES[@]}"
	tm "$T/src/install.sh" --prefix "$T/inst" >/dev/null
	before=$(snap "$T/inst")
	run --separate-stderr tm "$T/src/install.sh" --prefix "$T/inst"
	is_status 0
	[ -z "$stderr" ]
	[ "$(snap "$T/inst")" = "$before" ]
	[ "$(grep -c "^installed \|^linked " <<<"$output")" -eq 0 ]
	[ "$(grep -c "^unchanged " <<<"$output")" -eq \
		"$(($(expected_files | wc -l) - 1))" ]
}

@test "--uninstall removes exactly what was installed: the prefix is as before" {
	mktree "$T/src" "${PAGES[@]}"
	I=$T/inst
	# A prefix in use: unrelated files, some beside ours.
	mkdir -p "$I/bin" "$I/share/man/man1" "$I/share/empty"
	echo tool >"$I/bin/other-tool"
	chmod 755 "$I/bin/other-tool"
	echo page >"$I/share/man/man1/other.1"
	ln -s other-tool "$I/bin/other-link"
	before=$(snap "$I")
	tm "$T/src/install.sh" --prefix "$I" >/dev/null
	tm "$T/src/install.sh" --prefix "$I" >/dev/null
	run --separate-stderr tm "$T/src/install.sh" --prefix "$I" --uninstall
	is_status 0
	[ -z "$stderr" ]
	[ "$(snap "$I")" = "$before" ]
	[[ $output == *"removed    $I/bin/fifomsg"* ]]
	[[ $output == *"removed    $I/share/zsh/"* ]]
	# Once is enough: there is nothing left to uninstall.
	run --separate-stderr tm "$T/src/install.sh" --prefix "$I" --uninstall
	is_status 1
	[ "$stderr" = "install.sh: error: nothing to uninstall: no manifest at $I/share/fifomsg/manifest" ]
	[ "$(snap "$I")" = "$before" ]
}

@test "--uninstall keeps a file changed since install and a directory holding other files" {
	mktree "$T/src"
	I=$T/inst
	tm "$T/src/install.sh" --prefix "$I" >/dev/null
	echo local change >>"$I/bin/fifomsg"
	echo mine >"$I/share/zsh/site-functions/_other"
	ln -sf other "$I/bin/fifo-recv"
	run --separate-stderr tm "$T/src/install.sh" --prefix "$I" --uninstall
	is_status 0
	[[ $output == *"kept       $I/bin/fifomsg (changed since it was installed)"* ]]
	[[ $output == *"kept       $I/bin/fifo-recv (no longer the link installed)"* ]]
	[[ $output == *"kept       $I/share/zsh/site-functions/ (not empty)"* ]]
	[ "$(tail -c 13 "$I/bin/fifomsg")" = "local change" ]
	[ "$(readlink "$I/bin/fifo-recv")" = other ]
	[ "$(cat "$I/share/zsh/site-functions/_other")" = mine ]
	[ ! -e "$I/bin/fifo-send" ]
	[ ! -e "$I/share/zsh/site-functions/_fifomsg" ]
	[ ! -e "$I/share/bash-completion" ]
	[ ! -e "$I/share/fifomsg" ]
}

@test "--uninstall without a manifest removes nothing, not even files named like ours" {
	mkdir -p "$T/inst/bin"
	echo 'not ours' >"$T/inst/bin/fifomsg"
	before=$(snap "$T/inst")
	run --separate-stderr tm "$REPO/install.sh" --prefix "$T/inst" --uninstall
	is_status 1
	[ -z "$output" ]
	[ "$stderr" = "install.sh: error: nothing to uninstall: no manifest at $T/inst/share/fifomsg/manifest" ]
	[ "$(snap "$T/inst")" = "$before" ]
}

@test "reinstalling removes what the previous install had and this one does not" {
	mktree "$T/src" fifomsg fifomsg-send
	I=$T/inst
	tm "$T/src/install.sh" --prefix "$I" >/dev/null
	[ -f "$I/share/man/man1/fifomsg-send.1" ]
	rm "$T/src/man/fifomsg-send.1"
	run --separate-stderr tm "$T/src/install.sh" --prefix "$I"
	is_status 0
	[[ $output == *"removed    $I/share/man/man1/fifomsg-send.1"* ]]
	[ ! -e "$I/share/man/man1/fifomsg-send.1" ]
	[ "$(cat "$I/share/man/man1/fifo-send.1")" = ".so man1/fifomsg.1" ]
	tm "$T/src/install.sh" --prefix "$I" --uninstall >/dev/null
	[ ! -e "$I" ]
}

@test "reinstalling under another spelling of the prefix removes none of its own files" {
	mktree "$T/src" "${PAGES[@]}"
	mkdir "$T/real"
	ln -s real "$T/alias"
	for prefix in "$T/real/" "$T/alias" "$T/./real//x/.." "$T/real"; do
		run --separate-stderr tm "$T/src/install.sh" --prefix "$prefix"
		is_status 0
		[ -z "$stderr" ]
		diff <(expected_files) <(installed "$T/real")
	done
	run --separate-stderr tm "$T/src/install.sh" --prefix "$T/alias" \
		--uninstall
	is_status 0
	[ -z "$(find "$T/real" -mindepth 1)" ]
}

@test "PREFIX, BINDIR and MANDIR from the environment place the files; --prefix overrides PREFIX" {
	mktree "$T/src" fifomsg
	run --separate-stderr env PREFIX="$T/p" BINDIR="$T/b" MANDIR="$T/m" \
		timeout 20 "$T/src/install.sh"
	is_status 0
	[ -x "$T/b/fifomsg" ]
	[ "$(readlink "$T/b/fifo-send")" = fifomsg ]
	[ -f "$T/m/man1/fifomsg.1" ]
	[ -f "$T/p/share/bash-completion/completions/fifomsg" ]
	[ -f "$T/p/share/fifomsg/manifest" ]
	[ ! -e "$T/p/bin" ]
	[ ! -e "$T/p/share/man" ]
	run --separate-stderr env PREFIX="$T/p" timeout 20 "$T/src/install.sh" \
		--prefix "$T/q"
	is_status 0
	[ -x "$T/q/bin/fifomsg" ]
	run --separate-stderr env PREFIX="$T/p" timeout 20 "$T/src/install.sh" \
		--uninstall
	is_status 0
	[ ! -e "$T/b" ]
	[ ! -e "$T/m" ]
	[ ! -e "$T/p" ]
}

@test "make install honours PREFIX and DESTDIR; make uninstall removes it all" {
	pfx=/opt/fifomsg-test-$$
	run --separate-stderr tm make -s -C "$REPO" install PREFIX="$pfx" \
		DESTDIR="$T/stage"
	is_status 0
	[ ! -e "$pfx" ]
	S=$T/stage$pfx
	[ -x "$S/bin/fifomsg" ]
	run "$S/bin/fifo-send" --version
	is_status 0
	[[ $output == "fifomsg "* ]]
	# The manifest records where the files will be, not the staging root.
	grep -q "^f [0-9]* [0-9]* $pfx/bin/fifomsg\$" "$S/share/fifomsg/manifest"
	[ "$(grep -c "$T" "$S/share/fifomsg/manifest")" -eq 0 ]
	run --separate-stderr tm make -s -C "$REPO" uninstall PREFIX="$pfx" \
		DESTDIR="$T/stage"
	is_status 0
	[ -z "$(find "$T/stage" -mindepth 1)" ]
}

@test "install.sh runs make to build the binary when there is none" {
	mktree "$T/src"
	rm "$T/src/fifomsg"
	# A stand-in for the real build: it only has to be make that runs.
	printf 'fifomsg:\n\tcp "%s" $@\n\techo built >$@.log\n' \
		"$(cd "$(dirname "$FIFOMSG")" && pwd)/$(basename "$FIFOMSG")" \
		>"$T/src/Makefile"
	run --separate-stderr tm "$T/src/install.sh" --prefix "$T/inst"
	is_status 0
	[ "${lines[0]}" = "building $T/src/fifomsg" ]
	[ "$(cat "$T/src/fifomsg.log")" = built ]
	cmp "$FIFOMSG" "$T/inst/bin/fifomsg"
	run "$T/inst/bin/fifo-recv" --version
	is_status 0
	[[ $output == "fifomsg "* ]]
}

@test "install.sh: --help exits 0; a bad argument is a usage error (exit 2)" {
	run --separate-stderr "$REPO/install.sh" --help
	is_status 0
	[ "${lines[0]}" = "usage: install.sh [--prefix DIR] [--uninstall]" ]
	[[ $output == *--uninstall* && $output == *DESTDIR* ]]
	run --separate-stderr "$REPO/install.sh" --bogus
	is_status 2
	[ -z "$output" ]
	[ "$stderr" = "install.sh: unknown argument '--bogus'
usage: install.sh [--prefix DIR] [--uninstall]" ]
	run --separate-stderr "$REPO/install.sh" --prefix
	is_status 2
	[[ $stderr == "install.sh: option --prefix needs a directory"* ]]
	run --separate-stderr env DESTDIR="$T/stage" "$REPO/install.sh" \
		--prefix relative/dir
	is_status 1
	[ "$stderr" = "install.sh: error: PREFIX must be absolute with DESTDIR: relative/dir" ]
	[ ! -e "$T/stage" ]
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

@test "bash completion: 'fifomsg se<TAB>' completes the subcommand send" {
	complete_bash fifomsg se
	lines_are send
	complete_bash fifomsg ''
	lines_are mkpipe send recv listen
	complete_bash fifomsg --l
	lines_are --list
}

@test "bash completion: 'fifomsg send --<TAB>' offers send's long options" {
	complete_bash fifomsg send --
	lines_are --null --raw --whole --verbose --timeout --max-size \
		--no-wait --follow --help --version
	complete_bash fifomsg mkpipe -
	lines_are -p -m --mode -h --help -V --version
}

@test "bash completion: 'fifo-recv -<TAB>' offers recv's options, the link name works" {
	complete_bash fifo-recv -
	lines_are -0 --null -r --raw --json -v --verbose -n --count \
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
	mktree "$T/src"
	tm "$T/src/install.sh" --prefix "$T/inst" >/dev/null
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
	lines_are send
	zsh_offered 2
	lines_are --null --raw --whole --verbose --timeout --max-size \
		--no-wait --follow --help --version
	zsh_offered 3
	lines_are --eof --count --timeout --create --mode --exec \
		--stop-on-error --max-size --follow --verbose --help --version
	zsh_offered 4
	lines_are fifo subdir
	zsh_offered 5
	[ -z "$output" ]
}
