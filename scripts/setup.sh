#!/bin/sh
# setup.sh: set up and run referd on this machine (the README's first
# command).  As root on Debian 12:
#   1. installs what is missing (scripts/deps.sh),
#   2. builds referd (build/release) and installs it under /usr/local,
#      with REFERD-MIB in /usr/share/snmp/mibs where the net-snmp tools
#      find it,
#   3. installs /etc/referd/referd.conf from the example if there is none,
#   4. starts snmptrapd on udp:127.0.0.1:1162, logging each referd trap
#      as one line to /var/log/referd-traps.log (referd-trapfmt), a private
#      snmpd master on udp:127.0.0.1:1161 (AgentX socket
#      /run/referd/agentx.sock, communities public/private for loopback,
#      traps to that snmptrapd) and referd as its subagent.
# Running it again rebuilds and restarts them.  `sh scripts/setup.sh stop`
# stops them (by the pids in their pid files).
set -eu
cd "$(dirname "$0")/.."
top=$PWD
run=/run/referd
prefix=${PREFIX:-/usr/local}

# stop_pidfile FILE: stop the process named in FILE, if it runs.
stop_pidfile() {
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	fi
	rm -f "$1"
}

stop_all() {
	stop_pidfile $run/referd.pid
	stop_pidfile $run/snmpd.pid
	stop_pidfile $run/snmptrapd.pid
}

if [ "${1:-}" = stop ]; then
	stop_all
	echo "setup: referd, its snmpd and snmptrapd stopped"
	exit 0
fi

[ "$(id -u)" = 0 ] || { echo "setup: run as root" >&2; exit 1; }
sh scripts/deps.sh
[ -x configure ] && [ ! configure.ac -nt configure ] || ./autogen.sh
mkdir -p build/release
(cd build/release &&
	{ [ -f Makefile ] || "$top/configure" -q --prefix="$prefix" \
	    --sysconfdir=/etc --localstatedir=/var; } &&
	make -j2 >/dev/null && make install >/dev/null)
echo "setup: installed $prefix/sbin/referd, $prefix/bin/referctl and /usr/share/snmp/mibs/REFERD-MIB.txt"

install -d -m 0755 /etc/referd
if [ ! -f /etc/referd/referd.conf ]; then
	install -m 0644 agent/referd.conf.example /etc/referd/referd.conf
	echo "setup: installed /etc/referd/referd.conf (from the example)"
fi

stop_all
install -d -m 0700 $run /var/lib/referd
cat >$run/snmptrapd.conf <<EOC
# snmptrapd for referd's traps (written by scripts/setup.sh): each one is
# logged as one line by referd-trapfmt(1).
authCommunity log,execute public
traphandle default $prefix/bin/referd-trapfmt -f /var/log/referd-traps.log
EOC
snmptrapd -C -c $run/snmptrapd.conf -On -p $run/snmptrapd.pid \
	-Lf /var/log/referd-snmptrapd.log udp:127.0.0.1:1162
echo "setup: snmptrapd on udp:127.0.0.1:1162, traps one per line in /var/log/referd-traps.log"

cat >$run/snmpd.conf <<EOC
# Private snmpd master for referd (written by scripts/setup.sh).
agentaddress udp:127.0.0.1:1161
master agentx
agentXSocket $run/agentx.sock
agentXPerms 0700 0700
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
trap2sink udp:127.0.0.1:1162 public
EOC
snmpd -C -c $run/snmpd.conf -p $run/snmpd.pid -Lf /var/log/referd-snmpd.log
i=0
until snmpget -v2c -c public -t 0.5 -r 0 127.0.0.1:1161 .1.3.6.1.2.1.1.3.0 \
    >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 20 ] || { echo "setup: snmpd did not start" >&2; exit 1; }
	sleep 0.5
done
echo "setup: snmpd master on udp:127.0.0.1:1161 (pid $(cat $run/snmpd.pid))"

SNMP_PERSISTENT_DIR=/var/lib/referd "$prefix/sbin/referd" \
	-c /etc/referd/referd.conf -x $run/agentx.sock \
	-p $run/referd.pid -Lf /var/log/referd.log
i=0
until [ -s $run/referd.pid ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "setup: referd did not start" >&2; exit 1; }
	sleep 0.1
done
echo "setup: referd running (pid $(cat $run/referd.pid)), log /var/log/referd.log"
echo "setup: try: referctl -v2c -c public 127.0.0.1:1161 show"
echo "setup: stop them with: sh scripts/setup.sh stop"
