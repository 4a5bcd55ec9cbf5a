#!/bin/sh
# package.sh: the Debian package's life on this machine, as TAP (run by
# scripts/test.sh as its "package" step, not by make check: it installs
# packages).  Builds the package from a copy of the tree (version V, the
# tree's) and again with the version bumped (V+1), checks it with lintian,
# installs V, runs the installed daemon as its user, changes the conffile,
# upgrades to V+1, removes and purges, and checks what is left.  Where
# systemd is PID 1 the unit is started, reloaded and stopped.
#
# The machine is left as it was found: a referd package installed before
# is put back from its .deb (build/deb or apt's cache; without one the
# test is skipped before touching anything) with /etc/referd,
# /var/lib/referd and referd's logs as they were; a user referd that did
# not exist before is removed again.  Every wait is bounded.
#
# Needs root and the build dependencies (scripts/deps.sh).  Addresses:
# slot 120 (127.0.120.1).
cd "$(dirname "$0")/.."
top=$PWD
REFERD_SRCDIR=$top
. "$top/tests/lib/harness.sh"
h_init 120 package
ADDR=$H_ADDR
R=.1.3.6.1.4.1.8072.9999.9999.5060

# skip DESC REASON: a result skipped, and why.
skip() {
	H_N=$((H_N + 1))
	echo "ok $H_N - $1 # SKIP $2"
}

[ "$(id -u)" = 0 ] || h_skip "not root: the test installs packages"
for p in dpkg-buildpackage apt-get lintian snmpget setpriv; do
	command -v "$p" >/dev/null 2>&1 ||
		h_skip "$p not found (run scripts/deps.sh)"
done

# status: dpkg's state of referd (ii, rc, ...), empty when not installed.
status() {
	local s
	s=$(dpkg-query -W -f='${db:Status-Abbrev}' referd 2>/dev/null | tr -d ' ')
	case $s in un|pn) s= ;; esac
	echo "$s"
}

# ---- what the machine had before -------------------------------------------

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
before=$(status)
before_version=
before_deb=
case $before in
"") ;;
ii)
	before_version=$(dpkg-query -W -f='${Version}' referd)
	for f in "$top/build/deb/referd_${before_version}_$arch.deb" \
	    "/var/cache/apt/archives/referd_${before_version}_$arch.deb"; do
		[ -f "$f" ] && { before_deb=$f; break; }
	done
	[ -n "$before_deb" ] || h_skip "referd $before_version is installed" \
	    "and its .deb is not at hand to put it back"
	;;
*)	h_skip "referd's package is in state '$before' (left configuration?):" \
	    "the test would purge it" ;;
esac
user_before=no
getent passwd referd >/dev/null && user_before=yes
systemd=no
[ -d /run/systemd/system ] && systemd=yes
active_before=no
[ $systemd = yes ] && systemctl -q is-active referd 2>/dev/null && active_before=yes

work=$H_TMP
chmod 0755 "$work"

# A referd started by hand from the package (scripts/setup.sh without
# systemd) would lose its log and state files to the purge: it is stopped
# now and started again at the end the same way (its command line, user
# and persistent directory), as it daemonizes itself.
hand_pid=
if [ $systemd = no ] && [ -s /run/referd/referd.pid ]; then
	hand_pid=$(cat /run/referd/referd.pid)
	# (the binary may have been replaced since: "... (deleted)")
	if readlink "/proc/$hand_pid/exe" 2>/dev/null | grep -q '^/usr/sbin/referd' &&
	    ! tr '\0' '\n' <"/proc/$hand_pid/cmdline" | grep -qx -- -f; then
		cp "/proc/$hand_pid/cmdline" "$work/hand.cmdline"
		hand_user=$(ps -o user= -p "$hand_pid")
		hand_persist=$(tr '\0' '\n' <"/proc/$hand_pid/environ" |
			sed -n 's/^SNMP_PERSISTENT_DIR=//p')
		kill -TERM "$hand_pid"
		h_wait_for 15 sh -c "! kill -0 $hand_pid" ||
			h_bail "referd (pid $hand_pid, started by hand) did not stop"
		echo "# stopped referd started by hand (pid $hand_pid, user $hand_user): restarted at the end"
	else
		hand_pid=
	fi
fi
backup=$work/backup.tar
saved=
for p in /etc/referd /var/lib/referd /var/log/referd.log /var/log/referd-traps.log; do
	[ -e "$p" ] && saved="$saved ${p#/}"
done
# shellcheck disable=SC2086
[ -z "$saved" ] || tar -C / -cpf "$backup" $saved ||
	h_bail "cannot back up$saved"
echo "# before: referd package '${before:-none}' $before_version, user referd: $user_before, systemd: $systemd"

# restore: the machine as it was (every exit path, before the harness
# stops what it started and removes its temp dir).
restore() {
	local pid
	for pid in $H_PIDS; do
		h_stop "$pid"
	done
	if [ -n "$(status)" ]; then
		[ $systemd = yes ] && systemctl stop referd >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq referd >/dev/null 2>&1
	fi
	if [ -n "$before_deb" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --allow-downgrades --no-install-recommends "$before_deb" >/dev/null 2>&1 ||
			echo "# could not reinstall $before_deb" >&2
	fi
	if [ -f "$backup" ]; then
		rm -rf /etc/referd /var/lib/referd
		tar -C / -xpf "$backup" || echo "# could not restore from $backup" >&2
	fi
	if [ $user_before = no ] && getent passwd referd >/dev/null; then
		deluser --quiet --system referd >/dev/null 2>&1
		getent group referd >/dev/null && delgroup --quiet --system referd >/dev/null 2>&1
	fi
	[ $active_before = yes ] && systemctl start referd
	if [ -n "$hand_pid" ]; then
		install -d -o "$hand_user" -g "$hand_user" -m 0750 /run/referd
		SNMP_PERSISTENT_DIR=${hand_persist:-/var/lib/snmp} xargs -0 \
		    setpriv --reuid="$hand_user" --regid="$hand_user" --init-groups \
		    --inh-caps=+net_bind_service --ambient-caps=+net_bind_service \
		    <"$work/hand.cmdline" || echo "# could not restart referd by hand" >&2
	fi
	return 0
}
trap 'rc=$?; restore; (exit $rc); h_cleanup' EXIT
# The cycle starts from a machine without the package (saved above).
if [ -n "$before" ]; then
	[ $systemd = yes ] && systemctl stop referd >/dev/null 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq referd >/dev/null 2>&1 ||
		h_bail "could not purge the referd installed before"
fi

# ---- build ------------------------------------------------------------------

V=$(sed -n 's/^AC_INIT(\[referd\], \[\([^]]*\)\].*/\1/p' configure.ac)
# V+1: the last number of V plus one.
V1=$(echo "$V" | awk -F. -v OFS=. '{ $NF = $NF + 1; print }')
deb=$work/deb/referd_${V}_$arch.deb
deb1=$work/deb/referd_${V1}_$arch.deb
h_ok "the package of the tree's version $V builds" sh scripts/package.sh "$work/deb"
[ -f "$deb" ] || h_bail "no package"
out=$(lintian -I --pedantic "$work/deb/referd_${V}_$arch.changes" 2>&1 |
	grep -E '^[EWIPX]: ')
h_is "lintian -I --pedantic: no tag that is not overridden (with its reason)" "$out" ""
h_ok "the package with the version bumped to $V1 builds" \
	env VERSION="$V1" sh scripts/package.sh "$work/deb"
[ -f "$deb1" ] || h_bail "no package $V1"
missing=
for f in ./usr/sbin/referd ./usr/bin/referctl ./usr/bin/referd-trapfmt \
    ./usr/share/snmp/mibs/REFERD-MIB.txt ./etc/referd/referd.conf \
    ./usr/share/man/man8/referd.8.gz ./usr/share/man/man5/referd.conf.5.gz \
    ./usr/share/man/man5/referd-cdr.5.gz ./usr/share/man/man1/referctl.1.gz \
    ./usr/share/man/man1/referd-trapfmt.1.gz ./usr/share/man/man7/referd-mib.7.gz \
    ./lib/systemd/system/referd.service ./etc/logrotate.d/referd \
    ./usr/share/referd/dictionary.referd ./usr/share/referd/snmptt/referd.conf \
    ./usr/share/referd/snmpd.conf.d/referd.conf \
    ./usr/share/referd/snmptrapd.conf.d/referd.conf; do
	dpkg-deb -c "$deb" | awk '{ print $6 }' | grep -qx "$f" || missing="$missing $f"
done
h_is "the package holds the programs, MIB, man pages, conffile, unit and pieces" "$missing" ""

# ---- install ----------------------------------------------------------------

apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends "$@"
}
h_ok "apt-get install ./referd_${V}_$arch.deb" apt_install "$deb"
h_is "dpkg: referd $V installed" \
	"$(dpkg-query -W -f='${Status} ${Version}' referd 2>&1)" "install ok installed $V"
h_is "referd -V of the installed binary: the packaged version" \
	"$(/usr/sbin/referd -V 2>&1 | head -n 1)" "referd $V"
pw=$(getent passwd referd)
uid=$(echo "$pw" | cut -d: -f3)
h_ok "a system user referd exists (uid $uid, no login shell)" \
	sh -c "[ -n '$uid' ] && [ '$uid' -gt 0 ] && [ '$uid' -lt 1000 ] &&
	    echo '$pw' | grep -Eq ':/(usr/)?s?bin/(nologin|false)\$'"
h_is "/etc/referd/referd.conf is a conffile" \
	"$(dpkg-query -W -f='${Conffiles}\n' referd | awk '$1 == "/etc/referd/referd.conf" { print $1 }')" \
	/etc/referd/referd.conf
h_is "... root:referd, mode 640 (it may hold secrets)" \
	"$(stat -c '%U:%G %a' /etc/referd/referd.conf)" "root:referd 640"
h_is "/var/lib/referd is referd's, mode 750" \
	"$(stat -c '%U:%G %a' /var/lib/referd 2>&1)" "referd:referd 750"

# The installed daemon as the unit runs it (its user, its persistent
# directory), here as a master agent on the test's address.
cat >"$work/referd.conf" <<EOF
profile 1 package-test
signaling 1 $ADDR port 5060 transport udp profile 1
rocommunity public 127.0.0.0/8
rwcommunity private 127.0.0.0/8
EOF
chmod 0644 "$work/referd.conf"
# One referd per persistent directory: the unit's (started at install
# where systemd runs) is stopped meanwhile.
[ $systemd = yes ] && timeout 60 systemctl stop referd
SNMP_PERSISTENT_DIR=/var/lib/referd h_spawn_referd referd "$work/referd.log" \
    setpriv --reuid=referd --regid=referd --init-groups \
    /usr/sbin/referd -f -Lf "$work/referd.log" -c "$work/referd.conf" \
    -M "udp:$ADDR:1161"
daemon_pid=$H_PID
sget() {
	snmpget -v2c -c "$1" -Oqv -t 1 -r 0 "$ADDR:1161" "$2" 2>&1
}
h_ok "the installed referd runs as user referd and answers SNMP" \
	h_wait_for 10 sh -c "snmpget -v2c -c public -t 0.5 -r 0 $ADDR:1161 $R.1.1.1.0"
h_is "... as user referd" "$(ps -o user= -p "$daemon_pid" 2>&1)" referd
h_is "... its referdVersion is $V" "$(sget public "$R.1.1.1.0")" "\"$V\""
out=$(snmpset -v2c -c private -t 1 -r 0 "$ADDR:1161" "$R.1.2.1.2.1" s kept 2>&1)
h_is "... a SET is taken" "$?" 0
h_referd_check "$daemon_pid"
h_ok "... having kept the SET in /var/lib/referd/referd.conf, owned by referd" \
	sh -c "grep -q kept /var/lib/referd/referd.conf &&
	    [ \$(stat -c %U /var/lib/referd/referd.conf) = referd ]"

# ---- the unit -----------------------------------------------------------------

unit_cycle() {
	local why=$1
	if [ $systemd != yes ]; then
		skip "$why: the unit starts, reloads and stops" "no systemd as PID 1 (a container)"
		return
	fi
	timeout 60 systemctl restart referd
	h_ok "$why: referd.service is active (READY=1)" \
		h_wait_for 10 systemctl -q is-active referd
	h_is "$why: ... as user referd" \
		"$(ps -o user= -p "$(systemctl show -P MainPID referd)" 2>&1)" referd
	since=$(date '+%Y-%m-%d %H:%M:%S')
	h_ok "$why: systemctl reload referd" timeout 30 systemctl reload referd
	h_ok "$why: ... referd re-read its file and is still active" \
		h_wait_for 10 sh -c "journalctl -u referd --since '$since' | grep -q 'SIGHUP: re-reading' &&
		    systemctl -q is-active referd"
	h_ok "$why: systemctl stop referd" timeout 60 systemctl stop referd
	h_is "$why: ... it stopped cleanly (Result=success, exit 0)" \
		"$(systemctl show -P Result referd) $(systemctl show -P ExecMainStatus referd)" \
		"success 0"
}
unit_cycle "after install"

# ---- upgrade --------------------------------------------------------------------

echo "# a local change, kept across upgrades ($$)" >>/etc/referd/referd.conf
h_ok "apt-get install ./referd_${V1}_$arch.deb (upgrade)" apt_install "$deb1"
h_is "dpkg: referd $V1 installed" \
	"$(dpkg-query -W -f='${Status} ${Version}' referd 2>&1)" "install ok installed $V1"
h_ok "the locally changed conffile survived the upgrade" \
	grep -qx "# a local change, kept across upgrades ($$)" /etc/referd/referd.conf
h_is "... still root:referd, mode 640" \
	"$(stat -c '%U:%G %a' /etc/referd/referd.conf)" "root:referd 640"
h_is "referd -V of the upgraded binary: $V1" \
	"$(/usr/sbin/referd -V 2>&1 | head -n 1)" "referd $V1"
h_ok "the SNMP state in /var/lib/referd survived the upgrade" \
	grep -q kept /var/lib/referd/referd.conf
unit_cycle "after upgrade"

# ---- remove, purge ----------------------------------------------------------------

dpkg-query -L referd >"$work/files"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q referd >"$work/remove.out" 2>&1
h_is "apt-get remove referd: its configuration is left" "$? $(status)" "0 rc"
h_ok "... the programs are gone, the conffile is there" \
	sh -c "[ ! -e /usr/sbin/referd ] && [ ! -e /usr/bin/referctl ] &&
	    [ -f /etc/referd/referd.conf ]"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q referd >"$work/purge.out" 2>&1
h_is "apt-get purge referd: the package is gone" "$? $(status)" "0 "
left=
while IFS= read -r f; do
	[ "$f" = /. ] && continue
	# Directories other packages share (/usr/share/doc ...) stay.
	[ -d "$f" ] && dpkg-query -S "$f" >/dev/null 2>&1 && continue
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done <"$work/files"
h_is "after purge no file or directory of the package is left" "$left" ""
left=
for f in /etc/referd /var/lib/referd /var/log/referd.log /var/log/referd-traps.log \
    /etc/systemd/system/multi-user.target.wants/referd.service \
    /var/lib/systemd/deb-systemd-helper-enabled/referd.service \
    /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/referd.service \
    /var/lib/systemd/deb-systemd-helper-masked/referd.service; do
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done
dpkg-statoverride --list /etc/referd/referd.conf >/dev/null && left="$left statoverride"
h_is "... nor what it made at run time (state, logs, unit links, statoverride)" "$left" ""
h_ok "... the system user referd remains (Debian keeps system users)" \
	getent passwd referd

h_done
