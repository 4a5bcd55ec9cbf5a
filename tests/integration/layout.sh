#!/bin/sh
# layout.sh: the parts of the tree depend on each other only as the README
# says.  The SIP engine (sip/) includes nothing of net-snmp, agent/ or
# cli/; referctl (cli/) includes nothing of sip/ or agent/ and links
# neither; the configuration model (model/) includes nothing of sip/,
# agent/ or cli/, nor net-snmp, libev or oSIP2: the C library only.
# The call detail records (cdr/) include nothing of model/, sip/, agent/
# or cli/, nor net-snmp, libev or oSIP2; of cdr/, sip/ includes only the
# record (cdr/record.h), never the writers; cli/ includes nothing of it.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 13 layout
src=$(realpath "$REFERD_SRCDIR")

# includes DIR: one line per #include in DIR's C files:
#   FILE: #include <NAME> -> system
#   FILE: #include "NAME" -> PART
# PART is the top directory of the tree the header resolves to (from the
# file's own directory, then the include path: the tree and mibs/), or
# the first directory NAME names when it is not in the tree (a header of
# the build directory has none: "build").
includes() {
	local f dir name x part cand p
	for f in "$src/$1"/*.c "$src/$1"/*.h; do
		[ -f "$f" ] || continue
		dir=$(dirname "$f")
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\(["<][^">]*[">]\).*/\1/p' \
		    "$f" |
		while read -r name; do
			case $name in
			\<*)
				echo "${f#"$src"/}: #include $name -> system"
				continue
				;;
			esac
			x=${name#\"}
			x=${x%\"}
			part=
			for cand in "$dir/$x" "$src/$x" "$src/mibs/$x"; do
				[ -f "$cand" ] || continue
				p=$(realpath "$cand")
				p=${p#"$src"/}
				part=${p%%/*}
				break
			done
			if [ -z "$part" ]; then
				case $x in
				*/*) part=${x%%/*} ;;
				*) part=build ;;
				esac
			fi
			echo "${f#"$src"/}: #include $name -> $part"
		done
	done
}

# none DESC LIST: pass when LIST (one offence a line) is empty.
none() {
	if [ -z "$2" ]; then h_result 0 "$1"; else
		h_result 1 "$1"
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
}

sip=$(includes sip)
cli=$(includes cli)
model=$(includes model)
cdr=$(includes cdr)
h_like "the scanner reads sip/'s includes" "$sip" \
	'^sip/engine\.c: #include "internal\.h" -> sip$'
h_like "the scanner reads cli/'s includes" "$cli" \
	'^cli/fetch\.h: #include "model/config\.h" -> model$'
h_like "the scanner reads model/'s includes" "$model" \
	'^model/columns\.c: #include "model/columns\.h" -> model$'

none "sip/ includes no net-snmp header" \
	"$(printf '%s\n' "$sip" | grep -E '<net-snmp/|-> net-snmp$')"
none "sip/ includes nothing of agent/ or cli/" \
	"$(printf '%s\n' "$sip" | grep -E -- '-> (agent|cli)$')"
none "cli/ includes nothing of sip/ or agent/" \
	"$(printf '%s\n' "$cli" | grep -E -- '-> (sip|agent)$')"
none "model/ includes nothing of sip/, agent/ or cli/" \
	"$(printf '%s\n' "$model" | grep -E -- '-> (sip|agent|cli)$')"
none "model/ includes no net-snmp, libev or oSIP2 header" \
	"$(printf '%s\n' "$model" |
	    grep -E '<(net-snmp/|ev\.h|osip)|-> (net-snmp|osip2|osipparser2)$')"
h_like "the scanner reads cdr/'s includes" "$cdr" \
	'^cdr/writer\.c: #include "cdr/writer\.h" -> cdr$'
none "cdr/ includes nothing of model/, sip/, agent/ or cli/" \
	"$(printf '%s\n' "$cdr" | grep -E -- '-> (model|sip|agent|cli)$')"
none "cdr/ includes no net-snmp, libev or oSIP2 header" \
	"$(printf '%s\n' "$cdr" |
	    grep -E '<(net-snmp/|ev\.h|osip)|-> (net-snmp|osip2|osipparser2)$')"
none "sip/ includes of cdr/ only its record (cdr/record.h)" \
	"$(printf '%s\n' "$sip" | grep -E -- '-> cdr$' |
	    grep -v '#include "cdr/record\.h"')"
none "cli/ includes nothing of cdr/" \
	"$(printf '%s\n' "$cli" | grep -E -- '-> cdr$')"

# am_vars PREFIX: Makefile.am's variables whose names start with PREFIX,
# one a line (NAME = VALUE), continuation lines joined, += appended and
# Makefile.am's own $(VARIABLES) expanded (configure's stay {NAME}).
am_vars() {
	awk -v prefix="$1" '
	function expand(s, depth,    name, at, len, by) {
		while (depth < 10 &&
		    match(s, /\$\([A-Za-z_][A-Za-z0-9_]*\)/)) {
			at = RSTART
			len = RLENGTH
			name = substr(s, at + 2, len - 3)
			by = name in v ? expand(v[name], depth + 1) : \
			    "{" name "}"
			s = substr(s, 1, at - 1) by substr(s, at + len)
		}
		return s
	}
	{
		line = $0
		while (line ~ /\\$/ && (getline more) > 0) {
			sub(/\\$/, " ", line)
			line = line more
		}
		if (line !~ /^[A-Za-z_][A-Za-z0-9_]*[ \t]*\+?=/)
			next
		name = line
		sub(/[ \t]*\+?=.*/, "", name)
		value = line
		sub(/^[^=]*=/, "", value)
		if (line ~ /^[A-Za-z0-9_]*[ \t]*\+=/)
			v[name] = v[name] " " value
		else
			v[name] = value
	}
	END {
		for (name in v)
			if (index(name, prefix) == 1)
				print name " =" expand(v[name], 0)
	}' "$src/Makefile.am"
}

link=$(am_vars cli_referctl_)
h_like "Makefile.am has referctl's sources" "$link" '^cli_referctl_SOURCES = .*cli/referctl\.c'
h_like "Makefile.am has referctl's libraries" "$link" '^cli_referctl_LDADD = .*model/'
none "referctl's sources and link line name nothing of sip/, agent/ or cdr/" \
	"$(printf '%s\n' "$link" | grep -E '(^|[ =/])(sip|agent|cdr)/')"
h_done
