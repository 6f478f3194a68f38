# Process counters from /proc (Linux), shared by tests/helpers.bash and
# tests/stress/run: which fifomsg runs under a wrapper, its CPU time, its
# peak memory, the bytes it has written; whether a reader holds a pipe.
# shellcheck shell=bash

# fifomsg_under PID: the fifomsg processes at or below PID (e.g. the one a
# `timeout` wrapper runs), one per line.
fifomsg_under() {
	local q=("$1") p
	local -a c
	while [ "${#q[@]}" -gt 0 ]; do
		p=${q[0]}
		q=("${q[@]:1}")
		if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = fifomsg ]; then
			echo "$p"
		fi
		c=()
		# (no newline at its end: read "fails" but fills c)
		read -ra c 2>/dev/null <"/proc/$p/task/$p/children" || :
		q+=("${c[@]}")
	done
}

# cpu_ticks PID: user + system time, in clock ticks.
cpu_ticks() {
	local s
	s=$(cat "/proc/$1/stat") || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo $((${12} + ${13}))
}

# hwm_kib PID: peak resident set size, KiB.
hwm_kib() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

# wchar PID: bytes written so far with write(2) and friends.
wchar() {
	awk '/^wchar:/ { print $2 }' "/proc/$1/io"
}

# sample_hwm ROOT...: raise HWM to the largest VmHWM (KiB) among the
# fifomsg processes under the ROOTs.
sample_hwm() {
	local r p k
	for p in $(for r in "$@"; do fifomsg_under "$r"; done); do
		k=$(hwm_kib "$p" 2>/dev/null) || continue
		if [ -n "$k" ] && [ "$k" -gt "${HWM:-0}" ]; then
			HWM=$k
		fi
	done
}

# has_lock PIPE: a reader holds its flock (it is open and running).
has_lock() {
	local ino
	ino=$(stat -c %i "$1" 2>/dev/null) || return 1
	grep -q "FLOCK.*:$ino " /proc/locks
}
