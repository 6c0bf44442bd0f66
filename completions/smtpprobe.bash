# bash completion for smtpprobe(1)
#
# Self-contained: uses only bash builtins, so it works with or without the
# bash-completion package. Options and their arguments follow smtpprobe(1); keep
# this file, the man page and the other completions in step.

_smtpprobe()
{
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# "--opt=value": bash splits at '=' (COMP_WORDBREAKS), giving
	# "--opt" "=" "value", or "--opt" "=" while the value is still empty.
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	case $prev in
	--starttls)
		COMPREPLY=($(compgen -W 'never auto require verify' -- "$cur"))
		return
		;;
	--dnsbl)
		COMPREPLY=($(compgen -W 'none zen.spamhaus.org b.barracudacentral.org bl.spamcop.net' -- "$cur"))
		return
		;;
	--tls-policy)
		COMPREPLY=($(compgen -W 'enforce report off' -- "$cur"))
		return
		;;
	--ca-file | --batch)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-s | --server | --helo)
		COMPREPLY=($(compgen -A hostname -- "$cur"))
		return
		;;
	-p | --port)
		# A comma list: complete the last element only.
		local head=
		[[ $cur == *,* ]] && head=${cur%,*},
		COMPREPLY=($(compgen -P "$head" -W '25 465 587' -- "${cur##*,}"))
		return
		;;
	--explain)
		# A code or a reply line is free-form; "-" reads a bounce.
		COMPREPLY=($(compgen -W '-' -- "$cur"))
		return
		;;
	-f | --from | --dns-server | -t | --timeout | --auth | --concurrency | --per-host)
		# Free-form value: nothing sensible to offer.
		COMPREPLY=()
		return
		;;
	--proxy)
		COMPREPLY=($(compgen -W 'socks5://' -- "$cur"))
		compopt -o nospace 2>/dev/null
		return
		;;
	--retry-greylist)
		COMPREPLY=($(compgen -W '60 300 900' -- "$cur"))
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '
			-p --port -s --server --starttls -f --from --helo
			--dns-server -4 -6 -t --timeout --retry-greylist
			--ca-file --auth --insecure --proxy --tls-policy --dnsbl --no-control --catch-all
			--batch --concurrency --per-host
			-v --verbose --json --no-color
			--explain
			-h --help -V --version' -- "$cur"))
		return
	fi

	# ADDRESS or DOMAIN: offer known host names for the domain part.
	if [[ $cur == *@* ]]; then
		COMPREPLY=($(compgen -P "${cur%%@*}@" -A hostname -- "${cur#*@}"))
	else
		COMPREPLY=($(compgen -A hostname -- "$cur"))
	fi
}

complete -F _smtpprobe smtpprobe
