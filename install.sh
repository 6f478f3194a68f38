#!/bin/sh
# Install fifomsg: the binary, its links, the man pages and the shell
# completions; record every file and directory created in a manifest so
# that --uninstall removes exactly those and nothing else.  Running it
# again is harmless: identical files are left alone.
#
#   ./install.sh [--prefix DIR] [--uninstall]
#   make install PREFIX=/usr DESTDIR=/tmp/stage
#
# Environment: PREFIX (/usr/local), BINDIR ($PREFIX/bin), MANDIR
# ($PREFIX/share/man), BASHCOMPDIR, ZSHCOMPDIR, DESTDIR (a staging root
# put in front of every path; the manifest records the paths without it).
set -u

me=install.sh
usage="usage: $me [--prefix DIR] [--uninstall]"

help() {
	cat <<EOF
$usage

Install fifomsg, its links (fifo-send ...), man pages and shell
completions, or remove exactly what an earlier install put there.

  --prefix DIR   install under DIR (default \$PREFIX or /usr/local)
  --uninstall    remove what the manifest of this prefix lists
  -h, --help     this help

Environment: PREFIX, BINDIR (\$PREFIX/bin), MANDIR (\$PREFIX/share/man),
BASHCOMPDIR (\$PREFIX/share/bash-completion/completions),
ZSHCOMPDIR (\$PREFIX/share/zsh/site-functions), DESTDIR (staging root).
The manifest is \$PREFIX/share/fifomsg/manifest.
EOF
}

# Scratch files, removed at exit whatever happens.
tmp=
staged=
cleanup() {
	[ -z "$staged" ] || rm -f -- "$staged"
	[ -z "$tmp" ] || rm -rf -- "$tmp"
	staged=
	tmp=
}

die() {
	printf '%s: error: %s\n' "$me" "$*" >&2
	cleanup
	exit 1
}

usage_die() {
	printf '%s: %s\n%s\n' "$me" "$*" "$usage" >&2
	exit 2
}

say() {
	printf '%-10s %s\n' "$1" "$2"
}

# ---------------------------------------------------------------- options

mode=install
prefix_opt=
while [ $# -gt 0 ]; do
	case $1 in
	--prefix)
		[ $# -ge 2 ] || usage_die "option --prefix needs a directory"
		prefix_opt=$2
		[ -n "$prefix_opt" ] || usage_die "empty --prefix"
		shift 2
		;;
	--prefix=*)
		prefix_opt=${1#--prefix=}
		[ -n "$prefix_opt" ] || usage_die "empty --prefix"
		shift
		;;
	--uninstall)
		mode=uninstall
		shift
		;;
	-h | --help)
		help
		exit 0
		;;
	*)
		usage_die "unknown argument '$1'"
		;;
	esac
done

[ -n "$prefix_opt" ] && PREFIX=$prefix_opt
PREFIX=${PREFIX:-/usr/local}
BINDIR=${BINDIR:-$PREFIX/bin}
MANDIR=${MANDIR:-$PREFIX/share/man}
BASHCOMPDIR=${BASHCOMPDIR:-$PREFIX/share/bash-completion/completions}
ZSHCOMPDIR=${ZSHCOMPDIR:-$PREFIX/share/zsh/site-functions}
DESTDIR=${DESTDIR:-}

nl='
'
# abs NAME VALUE: VALUE as an absolute path in variable NAME, without
# ".", ".." or repeated slashes, so that one file always has one name in
# the manifest.  Relative directories are taken from the current
# directory, which is only meaningful without a staging root.
abs() {
	case $2 in
	*"$nl"*) die "$1 contains a newline" ;;
	/*) set -- "$1" "$2" ;;
	*)
		[ "$1" = DESTDIR ] || [ -z "$DESTDIR" ] ||
			die "$1 must be absolute with DESTDIR: $2"
		set -- "$1" "$PWD/$2"
		;;
	esac
	set -- "$1" "$(printf '%s\n' "$2" | awk -F/ '{
		n = 0
		for (i = 1; i <= NF; i++)
			if ($i == "..") {
				if (n > 0)
					n--
			} else if ($i != "" && $i != ".")
				part[++n] = $i
		s = ""
		for (i = 1; i <= n; i++)
			s = s "/" part[i]
		print s == "" ? "/" : s
	}')" || die "cannot make sense of $1"
	eval "$1=\$2"
}
if [ -n "$DESTDIR" ]; then
	abs DESTDIR "$DESTDIR"
	[ "$DESTDIR" != / ] || DESTDIR=
fi
abs PREFIX "$PREFIX"
abs BINDIR "$BINDIR"
abs MANDIR "$MANDIR"
abs BASHCOMPDIR "$BASHCOMPDIR"
abs ZSHCOMPDIR "$ZSHCOMPDIR"

srcdir=$(dirname -- "$0")
srcdir=$(cd -- "$srcdir" && pwd) || die "cannot find the source directory"
datadir=$PREFIX/share/fifomsg
manifest=$datadir/manifest

trap 'cleanup' EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap 'cleanup; exit 129' HUP
trap 'cleanup; exit 141' PIPE
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fifomsg-install.XXXXXX") ||
	die "cannot create a temporary directory"
old=$tmp/old		# the manifest of the previous install, if any
new=$tmp/new		# entries of this run
paths=$tmp/paths	# the paths this run installed, one a line
if ! { : >"$old" && : >"$new" && : >"$paths"; }; then
	die "cannot write in $tmp"
fi

# ------------------------------------------------------- manifest entries
#
# One entry a line, the path last so that it may contain spaces:
#   f CRC SIZE PATH    a regular file with that cksum(1)
#   l TARGET PATH      a symbolic link to TARGET
#   d PATH             a directory this script created
# Paths are recorded without DESTDIR.

# latest FILE: the file and link entries of manifest FILE, in order; of
# several for one path (an install that stopped half way appends to the
# manifest), the last.
latest() {
	awk '/^[fl] / {
		p = $0
		if ($1 == "f")
			sub(/^f [^ ]* [^ ]* /, "", p)
		else
			sub(/^l [^ ]* /, "", p)
		path[NR] = p
		last[p] = NR
		line[NR] = $0
	}
	END {
		for (i = 1; i <= NR; i++)
			if ((i in path) && last[path[i]] == i)
				print line[i]
	}' "$1"
}

# not_reinstalled: the file and link entries of the previous manifest
# whose paths this run has not installed.
not_reinstalled() {
	latest "$old" | awk 'FILENAME == ARGV[1] { done[$0] = 1; next }
	{
		p = $0
		if ($1 == "f")
			sub(/^f [^ ]* [^ ]* /, "", p)
		else
			sub(/^l [^ ]* /, "", p)
		if (!(p in done))
			print
	}' "$paths" -
}

# sum_of FILE: "CRC SIZE" as cksum(1) prints them for standard input.
sum_of() {
	cksum <"$1"
}

# remove_entry LINE: undo one f or l entry if the path still is what was
# installed.  Returns 1 only on a real failure (the entry must be kept).
remove_entry() {
	kind=${1%% *}
	rest=${1#* }
	case $kind in
	f)
		want=${rest%% *}
		rest=${rest#* }
		want="$want ${rest%% *}"
		path=${rest#* }
		dst=$DESTDIR$path
		if [ ! -e "$dst" ] && [ ! -L "$dst" ]; then
			say gone "$dst"
		elif [ -L "$dst" ] || [ ! -f "$dst" ] ||
			[ "$(sum_of "$dst")" != "$want" ]; then
			say kept "$dst (changed since it was installed)"
		else
			rm -f -- "$dst" || return 1
			say removed "$dst"
		fi
		;;
	l)
		want=${rest%% *}
		path=${rest#* }
		dst=$DESTDIR$path
		if [ ! -L "$dst" ]; then
			if [ -e "$dst" ]; then
				say kept "$dst (no longer the link installed)"
			else
				say gone "$dst"
			fi
		elif [ "$(readlink -- "$dst")" != "$want" ]; then
			say kept "$dst (no longer the link installed)"
		else
			rm -f -- "$dst" || return 1
			say removed "$dst"
		fi
		;;
	esac
	return 0
}

# remove_dirs FILE: rmdir the d entries of FILE, last created first, when
# they are empty; a directory that holds anything else stays.
remove_dirs() {
	# A directory sorts before everything in it: reverse order empties
	# the deepest ones first.
	sed -n 's/^d //p' "$1" | LC_ALL=C sort -r -u |
		while IFS= read -r path; do
			dst=$DESTDIR$path
			[ -L "$dst" ] && continue
			[ -d "$dst" ] || continue
			if rmdir -- "$dst" 2>/dev/null; then
				say removed "$dst/"
			else
				say kept "$dst/ (not empty)"
			fi
		done
}

# ---------------------------------------------------------------- uninstall

if [ "$mode" = uninstall ]; then
	[ -f "$DESTDIR$manifest" ] ||
		die "nothing to uninstall: no manifest at $DESTDIR$manifest"
	cp -- "$DESTDIR$manifest" "$old" || die "cannot read $DESTDIR$manifest"
	latest "$old" >"$tmp/entries" || die "cannot write in $tmp"
	failed=0
	# Files and links first; a failure keeps its entry for another try.
	while IFS= read -r line; do
		remove_entry "$line" || {
			failed=1
			printf '%s\n' "$line" >>"$new"
		}
	done <"$tmp/entries"
	if [ "$failed" = 1 ]; then
		grep '^d ' "$old" >>"$new"
		{ echo "# fifomsg install manifest"; cat "$new"; } >"$DESTDIR$manifest"
		die "some files could not be removed; they are still listed in $DESTDIR$manifest"
	fi
	rm -f -- "$DESTDIR$manifest" || die "cannot remove $DESTDIR$manifest"
	say removed "$DESTDIR$manifest"
	remove_dirs "$old"
	exit 0
fi

# ---------------------------------------------------------------- install

[ -f "$DESTDIR$manifest" ] && { cp -- "$DESTDIR$manifest" "$old" ||
	die "cannot read $DESTDIR$manifest"; }

# save_manifest: the final manifest: this run's entries and the
# directories earlier runs created, sorted, so that the same install
# always writes the same manifest.
save_manifest() {
	{
		echo "# fifomsg install manifest"
		{
			cat "$new"
			grep '^d ' "$old" | while IFS= read -r line; do
				[ -d "$DESTDIR${line#d }" ] && printf '%s\n' "$line"
			done
		} | LC_ALL=C sort -u
	} >"$tmp/manifest" || return 1
	mv -f -- "$tmp/manifest" "$DESTDIR$manifest"
}

# record ENTRY PATH: add ENTRY to the manifest before the file goes in,
# so that an install stopped at any point can still be undone.  Until the
# final save_manifest, the manifest is the previous one with this run's
# entries appended.
live=
[ -f "$DESTDIR$manifest" ] && live=1
record() {
	printf '%s\n' "$1" >>"$new" || die "cannot write in $tmp"
	[ -z "$2" ] || printf '%s\n' "$2" >>"$paths" || die "cannot write in $tmp"
	if [ -n "$live" ]; then
		printf '%s\n' "$1" >>"$DESTDIR$manifest" ||
			die "cannot write $DESTDIR$manifest"
	elif [ -d "$DESTDIR$datadir" ]; then
		{ echo "# fifomsg install manifest"; cat "$new"; } \
			>"$DESTDIR$manifest" || die "cannot write $DESTDIR$manifest"
		live=1
	fi
}

# mkdirs DIR: create DIR (a path without DESTDIR) and its missing parents,
# recording each one created.
mkdirs() {
	[ -d "$DESTDIR$1" ] && return 0
	[ ! -e "$DESTDIR$1" ] || die "$DESTDIR$1 exists and is not a directory"
	mkdirs "$(dirname -- "$1")"
	mkdir -- "$DESTDIR$1" || die "cannot create directory $DESTDIR$1"
	record "d $1" ""
}

# put SRC DIR NAME MODE: install file SRC as DIR/NAME with MODE.
put() {
	mkdirs "$2"
	dst=$DESTDIR$2/$3
	if [ -d "$dst" ] && [ ! -L "$dst" ]; then
		die "$dst is a directory"
	fi
	record "f $(sum_of "$1") $2/$3" "$2/$3"
	if [ -f "$dst" ] && [ ! -L "$dst" ] && cmp -s -- "$1" "$dst"; then
		chmod "$4" "$dst" || die "cannot chmod $dst"
		say unchanged "$dst"
	else
		# Copy beside it, then rename: a running binary is never
		# written into, and a failure leaves the old file intact.
		staged=$DESTDIR$2/.$3.fifomsg-install
		if ! { cp -- "$1" "$staged" && chmod "$4" "$staged"; }; then
			die "cannot write $staged"
		fi
		if [ -L "$dst" ]; then
			rm -f -- "$dst" || die "cannot replace $dst"
		fi
		mv -f -- "$staged" "$dst" || die "cannot install $dst"
		staged=
		say installed "$dst"
	fi
}

# link TARGET DIR NAME: DIR/NAME becomes a symbolic link to TARGET (a name
# in the same directory).
link() {
	mkdirs "$2"
	dst=$DESTDIR$2/$3
	if [ -d "$dst" ] && [ ! -L "$dst" ]; then
		die "$dst is a directory"
	fi
	record "l $1 $2/$3" "$2/$3"
	if [ -L "$dst" ] && [ "$(readlink -- "$dst")" = "$1" ]; then
		say unchanged "$dst -> $1"
	else
		if [ -e "$dst" ] || [ -L "$dst" ]; then
			rm -f -- "$dst" || die "cannot replace $dst"
		fi
		ln -s -- "$1" "$dst" || die "cannot create link $dst"
		say linked "$dst -> $1"
	fi
}

# Build if needed, and check what is about to be installed.
bin=$srcdir/fifomsg
if [ ! -x "$bin" ]; then
	echo "building $bin"
	${MAKE:-make} -C "$srcdir" fifomsg >&2 || die "build failed (run make)"
	[ -x "$bin" ] || die "make did not produce $bin"
fi
links=$("$bin" --list) || die "$bin --list failed"
[ -n "$links" ] || die "$bin --list printed no link names"
for l in $links; do
	case $l in
	*[!A-Za-z0-9._-]* | .*) die "unexpected link name from $bin --list: $l" ;;
	esac
done
bashcomp=$srcdir/completion/fifomsg.bash
zshcomp=$srcdir/completion/_fifomsg
[ -f "$bashcomp" ] || die "missing $bashcomp"
[ -f "$zshcomp" ] || die "missing $zshcomp"

if [ -n "$DESTDIR" ]; then
	mkdir -p -- "$DESTDIR" || die "cannot create DESTDIR $DESTDIR"
fi

# The manifest directory first, so a failure can always be recorded.
mkdirs "$datadir"

put "$bin" "$BINDIR" fifomsg 755
for l in $links; do
	link fifomsg "$BINDIR" "$l"
done

# Man pages, and for each link name a page that sources the
# subcommand's (or, without one, the overview).
man1=$MANDIR/man1
for page in "$srcdir"/man/*.1; do
	[ -f "$page" ] || continue
	put "$page" "$man1" "${page##*/}" 644
done
for l in $links; do
	[ -f "$srcdir/man/$l.1" ] && continue
	target=
	for t in "fifomsg-${l#fifo-}.1" fifomsg.1; do
		if [ -f "$srcdir/man/$t" ]; then
			target=$t
			break
		fi
	done
	if [ -z "$target" ]; then
		say skipped "$DESTDIR$man1/$l.1 (no page to point it to)"
		continue
	fi
	printf '.so man1/%s\n' "$target" >"$tmp/$l.1" || die "cannot write $tmp/$l.1"
	put "$tmp/$l.1" "$man1" "$l.1" 644
done

# Completions: bash loads completions/NAME for the command NAME.
put "$bashcomp" "$BASHCOMPDIR" fifomsg 644
for l in $links; do
	link fifomsg "$BASHCOMPDIR" "$l"
done
put "$zshcomp" "$ZSHCOMPDIR" _fifomsg 644

# same PATH: PATH is, under another name (a symbolic link on the way),
# a file this run installed.
same() {
	set -- "$1" "$(cd -P -- "$DESTDIR${1%/*}" 2>/dev/null && pwd)"
	[ -n "$2" ] || return 1
	while IFS= read -r p; do
		[ "${1##*/}" = "${p##*/}" ] &&
			[ "$2" = "$(cd -P -- "$DESTDIR${p%/*}" && pwd)" ] &&
			return 0
	done <"$paths"
	return 1
}

# What an earlier install put there and this one did not: obsolete.
failed=0
not_reinstalled >"$tmp/stale" || die "cannot write in $tmp"
while IFS= read -r line; do
	case $line in
	f\ *) p=${line#* } && p=${p#* } && p=${p#* } ;;
	*) p=${line#* } && p=${p#* } ;;
	esac
	same "$p" && continue
	remove_entry "$line" || {
		failed=1
		printf '%s\n' "$line" >>"$new"
	}
done <"$tmp/stale"

save_manifest || die "cannot write $DESTDIR$manifest"
say manifest "$DESTDIR$manifest"
[ "$failed" = 0 ] || die "obsolete files from an earlier install could not be removed"
exit 0
