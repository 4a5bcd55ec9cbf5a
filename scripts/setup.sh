#!/bin/sh
# setup.sh: install referd on this machine as a Debian package and run it
# (the README's first command).  As root on Debian 12:
#   1. installs what is missing to build it (scripts/deps.sh),
#   2. builds the package (scripts/package.sh, into build/deb) and
#      installs it: apt-get install ./build/deb/referd_VERSION_ARCH.deb
#      (referd, referctl, referd-trapfmt, REFERD-MIB in
#      /usr/share/snmp/mibs, /etc/referd/referd.conf, referd.service),
#   3. starts a demo snmptrapd on udp:127.0.0.1:1162, logging each referd
#      trap as one line to /var/log/referd-traps.log (referd-trapfmt), and
#      a demo snmpd master on udp:127.0.0.1:1161 (communities
#      public/private for loopback, AgentX socket
#      /run/referd-demo/agentx.sock open to the group referd, traps to that
#      snmptrapd); the system's own snmpd and its configuration are left
#      alone,
#   4. starts referd as its subagent: with systemd as PID 1, the packaged
#      referd.service, pointed at the demo socket by a runtime drop-in
#      (/run/systemd/system/referd.service.d/demo.conf, gone at reboot);
#      without (a container), the same daemon directly, as user referd,
#      logging to /var/log/referd.log.
# Running it again rebuilds, reinstalls and restarts.  `sh scripts/setup.sh
# stop` stops the three (the unit, or the processes by their pid files).
set -eu
cd "$(dirname "$0")/.."
demo=/run/referd-demo
dropin=/run/systemd/system/referd.service.d
systemd=no
[ -d /run/systemd/system ] && systemd=yes

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
	if [ $systemd = yes ]; then
		systemctl stop referd 2>/dev/null || true
		if [ -d $dropin ]; then
			rm -rf $dropin
			systemctl daemon-reload
		fi
	else
		stop_pidfile /run/referd/referd.pid
	fi
	stop_pidfile $demo/snmpd.pid
	stop_pidfile $demo/snmptrapd.pid
}

if [ "${1:-}" = stop ]; then
	stop_all
	echo "setup: referd, its snmpd and snmptrapd stopped"
	exit 0
fi

[ "$(id -u)" = 0 ] || { echo "setup: run as root" >&2; exit 1; }
sh scripts/deps.sh
deb=$(sh scripts/package.sh build/deb | tail -n 1)
echo "setup: built $deb"
stop_all
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall \
	--allow-downgrades --no-install-recommends "$deb" >build/deb/install.log 2>&1 || {
	tail -n 20 build/deb/install.log >&2
	echo "setup: apt-get install $deb failed" >&2
	exit 1
}
echo "setup: installed $(dpkg-query -W -f='referd ${Version}' referd): /usr/sbin/referd, /usr/bin/referctl, /etc/referd/referd.conf"
[ ! -e /usr/local/sbin/referd ] ||
	echo "setup: note: an older 'make install' is in /usr/local and comes first in PATH; remove /usr/local/sbin/referd and /usr/local/bin/referctl"
# With systemd the package started the unit on its default socket: it is
# restarted below on the demo's.
[ $systemd = yes ] && systemctl stop referd

install -d -m 0755 $demo
cat >$demo/snmptrapd.conf <<EOC
# snmptrapd for referd's traps (written by scripts/setup.sh): each one is
# logged as one line by referd-trapfmt(1).
authCommunity log,execute public
traphandle default /usr/bin/referd-trapfmt -f /var/log/referd-traps.log
EOC
snmptrapd -C -c $demo/snmptrapd.conf -On -p $demo/snmptrapd.pid \
	-Lf /var/log/referd-snmptrapd.log udp:127.0.0.1:1162
echo "setup: snmptrapd on udp:127.0.0.1:1162, traps one per line in /var/log/referd-traps.log"

cat >$demo/snmpd.conf <<EOC
# Demo snmpd master for referd (written by scripts/setup.sh).
agentaddress udp:127.0.0.1:1161
master agentx
agentXSocket $demo/agentx.sock
agentXPerms 0660 0755 root referd
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
trap2sink udp:127.0.0.1:1162 public
EOC
snmpd -C -c $demo/snmpd.conf -p $demo/snmpd.pid -Lf /var/log/referd-snmpd.log
i=0
until snmpget -v2c -c public -t 0.5 -r 0 127.0.0.1:1161 .1.3.6.1.2.1.1.3.0 \
    >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 20 ] || { echo "setup: snmpd did not start" >&2; exit 1; }
	sleep 0.5
done
echo "setup: snmpd master on udp:127.0.0.1:1161 (pid $(cat $demo/snmpd.pid))"

if [ $systemd = yes ]; then
	mkdir -p $dropin
	cat >$dropin/demo.conf <<EOC
# referd as the subagent of scripts/setup.sh's demo snmpd (runtime only).
[Service]
ExecStart=
ExecStart=/usr/sbin/referd -f -c /etc/referd/referd.conf -p /run/referd/referd.pid -x $demo/agentx.sock
EOC
	systemctl daemon-reload
	systemctl start referd || {
		journalctl -u referd -n 20 --no-pager >&2
		echo "setup: referd.service did not start" >&2; exit 1; }
	echo "setup: referd.service running (pid $(systemctl show -P MainPID referd)), log: journalctl -u referd"
else
	# What the unit does, by hand: user referd, net-snmp's persistent
	# directory /var/lib/referd, the one capability.
	install -d -o referd -g referd -m 0750 /run/referd
	touch /var/log/referd.log
	chown referd:adm /var/log/referd.log
	chmod 0640 /var/log/referd.log
	SNMP_PERSISTENT_DIR=/var/lib/referd setpriv --reuid=referd \
	    --regid=referd --init-groups --inh-caps=+net_bind_service \
	    --ambient-caps=+net_bind_service \
	    /usr/sbin/referd -c /etc/referd/referd.conf -x $demo/agentx.sock \
	    -p /run/referd/referd.pid -Lf /var/log/referd.log
	i=0
	until [ -s /run/referd/referd.pid ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || { echo "setup: referd did not start" >&2; exit 1; }
		sleep 0.1
	done
	echo "setup: referd running as user referd (pid $(cat /run/referd/referd.pid)), log /var/log/referd.log"
fi
echo "setup: try: referctl -v2c -c public 127.0.0.1:1161 show"
echo "setup: stop them with: sh scripts/setup.sh stop"
