#!/bin/sh
# Build and install fifomsg: the binary, its links (fifo-send ...), the
# man pages and the bash and zsh completions; or remove them.  A front end
# to `make install` and `make uninstall`, which do the work and say what
# counts as ours: neither replaces nor removes a file that is not.
#
#   ./install.sh [--prefix DIR] [--uninstall]
#
# Environment: PREFIX (/usr/local), DESTDIR (a staging root), MAKE.
# For BINDIR, MANDIR and the rest, run make install yourself.
set -eu

usage='usage: install.sh [--prefix DIR] [--uninstall]'
bad() {
	printf 'install.sh: %s\n%s\n' "$1" "$usage" >&2
	exit 2
}

target=install
while [ $# -gt 0 ]; do
	case $1 in
	--prefix)
		[ -n "${2-}" ] || bad "--prefix needs a directory"
		PREFIX=$2
		shift ;;
	--prefix=*)
		PREFIX=${1#*=}
		[ -n "$PREFIX" ] || bad "--prefix needs a directory" ;;
	--uninstall) target=uninstall ;;
	-h | --help)
		echo "$usage"
		echo "Installs into PREFIX (default /usr/local) under DESTDIR;" \
			"--uninstall removes what is ours."
		exit 0 ;;
	*) bad "unknown argument '$1'" ;;
	esac
	shift
done
PREFIX=${PREFIX:-/usr/local}
case $PREFIX in /*) ;; *) PREFIX=$PWD/$PREFIX ;; esac

cd "$(dirname -- "$0")"
# make install builds the binary first if needed.
${MAKE:-make} "$target" PREFIX="$PREFIX" DESTDIR="${DESTDIR:-}" || exit 1
