#!/bin/sh
# base-mibs.sh [DIR]: make the IETF base MIBs that REFERD-MIB imports
# (SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF, and SNMPv2-MIB for trap names)
# available to the net-snmp tools and smilint.
#
# Debian ships net-snmp without them (licence reasons).  If a module is
# already in one of net-snmp's default MIB directories, nothing is done.
# Otherwise they are taken from the npm registry's `net-snmp` package,
# which carries the RFC texts in lib/mibs/, and written to DIR (default
# /usr/share/snmp/mibs/ietf, on net-snmp's default search path).  Nothing
# fetched here is ever part of referd's own source tree.
set -eu

dest=${1:-/usr/share/snmp/mibs/ietf}
modules="SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB"

have() {
	for d in /usr/share/snmp/mibs /usr/share/snmp/mibs/ietf \
	    /usr/share/snmp/mibs/iana "$HOME/.snmp/mibs" "$dest"; do
		for ext in "" .txt .mib; do
			[ -f "$d/$1$ext" ] && return 0
		done
	done
	return 1
}

missing=
for m in $modules; do
	have "$m" || missing="$missing $m"
done
if [ -z "$missing" ]; then
	echo "base-mibs: SNMPv2-SMI/TC/CONF/MIB already available"
	exit 0
fi

command -v npm >/dev/null 2>&1 || {
	echo "base-mibs: npm is needed to obtain$missing (apt-get install npm)" >&2
	exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent net-snmp >/dev/null) || {
	echo "base-mibs: could not obtain the net-snmp npm package" >&2
	exit 1
}
tar -xzf "$work"/net-snmp-*.tgz -C "$work"
mkdir -p "$dest"
for m in $missing; do
	src=$work/package/lib/mibs/$m.mib
	[ -f "$src" ] || { echo "base-mibs: $m not in the package" >&2; exit 1; }
	cp "$src" "$dest/$m.txt"
	echo "base-mibs: installed $dest/$m.txt"
done
