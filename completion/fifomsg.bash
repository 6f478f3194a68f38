# bash completion for fifomsg and its links fifo-mkpipe, fifo-send,
# fifo-recv, fifo-listen, fifo-publish, fifo-subscribe, fifo-request,
# fifo-serve: subcommands, options, and FIFOs (or directories leading to
# them) for the PIPE operand, directories for DIR.
# shellcheck shell=bash

# _fifomsg_opts SUB: the options of SUB, space separated.
_fifomsg_opts()
{
	local common='-h --help -V --version'
	case $1 in
	mkpipe) echo "-p -m --mode $common" ;;
	send) echo "-0 --null -r --raw -w --whole --json --hex -v --verbose" \
		"-t --timeout --max-size --no-wait --follow $common" ;;
	recv) echo "-0 --null -r --raw --json -v --verbose -n --count" \
		"-t --timeout -c --create -m --mode --exec --stop-on-error" \
		"--max-size --follow $common" ;;
	listen) echo "-0 --null -r --raw --json -e --eof -v --verbose" \
		"-n --count -t --timeout -c --create -m --mode --exec" \
		"--stop-on-error --max-size --follow $common" ;;
	publish) echo "-0 --null -r --raw -w --whole --json --hex -v" \
		"--verbose -t --timeout --drop --wait --max-size --force" \
		"$common" ;;
	subscribe) echo "-0 --null -r --raw --json -c --create -v --verbose" \
		"-n --count -t --timeout -m --mode --exec --stop-on-error" \
		"--max-size --force $common" ;;
	request) echo "-0 --null -r --raw --json -v --verbose -t --timeout" \
		"-d --dir --exec --stop-on-error --max-size --follow $common" ;;
	serve) echo "-k --keep-newline -v --verbose -n --count -t --timeout" \
		"--max-size --follow --exec $common" ;;
	esac
}

# _fifomsg_pipes CUR: FIFOs and directories whose names start with CUR.
_fifomsg_pipes()
{
	local f
	compopt -o filenames 2>/dev/null
	while IFS= read -r f; do
		if [[ -p $f || -d $f ]]; then
			COMPREPLY+=("$f")
		fi
	done < <(compgen -f -- "$1")
}

_fifomsg()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local cmd=${COMP_WORDS[0]##*/} sub first i w operands=0 takes
	COMPREPLY=()

	case $cmd in
	fifo-*)
		sub=${cmd#fifo-}
		first=1
		;;
	*)
		if ((COMP_CWORD == 1)); then
			if [[ $cur == -* ]]; then
				mapfile -t COMPREPLY < <(compgen -W \
					'-h --help -V --version --list' -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -W \
					'mkpipe send recv listen publish subscribe
					request serve' -- "$cur")
			fi
			return 0
		fi
		sub=${COMP_WORDS[1]}
		first=2
		;;
	esac
	case $sub in
	mkpipe) takes=m ;;
	send) takes=t ;;
	recv | listen | subscribe) takes=mnt ;;
	publish) takes=t ;;
	request) takes=td ;;
	serve) takes=nt ;;
	*) return 0 ;;
	esac

	# Options come before operands: find out whether COMP_CWORD is an
	# option, an option's value, or an operand.
	for ((i = first; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((operands)); then
			((operands++))
			continue
		fi
		case $w in
		--) operands=1 ;;
		--mode | --timeout | --count | --max-size | --exec | --dir)
			((i == COMP_CWORD - 1)) && break
			((i++))
			;;
		--*) ;;
		-?*)
			# A cluster such as -ct: a value-taking letter at
			# the end takes the next word.
			if [[ $takes == *"${w: -1}"* ]] &&
				[[ ! ${w:1:${#w}-2} == *["$takes"]* ]]; then
				((i == COMP_CWORD - 1)) && break
				((i++))
			fi
			;;
		*) operands=2 ;;
		esac
	done

	if ((i < COMP_CWORD)); then
		# COMP_CWORD is the value of the option before it.
		case ${COMP_WORDS[COMP_CWORD - 1]} in
		--exec)
			mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
			;;
		-d | --dir)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			;;
		esac
		return 0
	fi
	# operands: 0 options still allowed, 1 after "--", n+1 after n
	# operands.
	if ((operands == 0)) && [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_fifomsg_opts "$sub")" \
			-- "$cur")
		return 0
	fi
	# Only mkpipe takes several PIPEs; send's later operands are
	# messages.
	if ((operands <= 1)) && [[ $sub == publish || $sub == subscribe ]]; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
	elif ((operands <= 1)) || [[ $sub == mkpipe ]]; then
		_fifomsg_pipes "$cur"
	fi
	return 0
}

complete -F _fifomsg fifomsg fifo-mkpipe fifo-send fifo-recv fifo-listen \
	fifo-publish fifo-subscribe fifo-request fifo-serve
