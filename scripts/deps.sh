#!/bin/sh
# deps.sh: install what referd needs to build, run and be tested on
# Debian 12 (run as root).  Safe to run again: it installs only what is
# missing.
set -eu

packages="build-essential autoconf automake libtool pkg-config
libsnmp-dev libosip2-dev libev-dev libjemalloc-dev libradcli-dev
snmp snmpd snmptrapd libsnmp-base smitools
sip-tester mandoc clang jq freeradius
baresip-core linphone-cli socat kamailio
debhelper lintian libsystemd-dev snmptt"

missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
# npm may come with a nodejs that is not Debian's; ask for Debian's npm
# only when there is no npm command at all.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing; run this script as root" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	# Debian's kamailio package enables and starts kamailio.service, which
	# listens on 5060 on every address of the machine: it would take the
	# port from referd and from the tests' own Kamailio (contrib/kamailio,
	# started and stopped by the tests on loopback).  Stopped and disabled,
	# but only when this run installed the package: a kamailio installed
	# before is the operator's and left as it is.
	case " $missing " in
	*" kamailio "*)
		if [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; then
			echo "deps: stopping and disabling kamailio.service"
			systemctl disable --now kamailio.service || true
		fi
		;;
	esac
fi
# Debian's snmpd package starts a system snmpd on 161; referd's tests and
# the demo use their own private master, so the system one is left as it is.
sh "$(dirname "$0")/base-mibs.sh"
