#!/bin/sh
# service-notify.sh: referd tells its service manager where it stands
# (sd_notify, for the Type=notify systemd unit of the Debian package): a
# listener on NOTIFY_SOCKET, as systemd's, gets READY=1 once referd's SIP
# endpoint answers, a STATUS= that follows the AgentX session (master
# absent at start, then started), RELOADING=1 then READY=1 around SIGHUP,
# STOPPING=1 at SIGTERM.  Skipped in a build without libsystemd.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 121 service-notify
grep -q '^#define HAVE_LIBSYSTEMD 1' "${REFERD_BUILDDIR:-.}/referd-build.h" ||
	h_skip "referd built without libsystemd (configure --without-systemd)"
h_need socat
# notes: the assignments received so far, one a line, in order (the
# listener writes the datagrams back to back; each starts with one of
# these names, and within one they are separated by newlines).
notes() {
	sed -e 's/\(READY=\|RELOADING=\|STOPPING=\|STATUS=\)/\n\1/g' \
	    "$H_TMP/notify.out" | sed '/^$/d'
}
# seen REGEX: an assignment matching REGEX has arrived.
seen() {
	notes | grep -q "$1"
}
h_spawn notify socat -u UNIX-RECV:"$H_TMP/notify.sock" STDOUT
h_wait_for 5 test -S "$H_TMP/notify.sock" || h_bail "socat did not listen"

conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
profile 1 base
signaling 1 $H_ADDR port 5060 transport udp profile 1
agentxPingInterval 1
EOF2
# No master yet: referd is ready for calls all the same, and says so.
H_AGENTX=$H_TMP/agentx.sock
mkdir -p "$H_TMP/referd-persist"
NOTIFY_SOCKET=$H_TMP/notify.sock
export NOTIFY_SOCKET
SNMP_PERSISTENT_DIR=$H_TMP/referd-persist h_referd_start "$conf" -x "$H_AGENTX"
unset NOTIFY_SOCKET
h_ok "READY=1 arrives" h_wait_for 10 seen '^READY=1$'
out=$(printf '%s\r\n' "OPTIONS sip:$H_ADDR SIP/2.0" \
	"Via: SIP/2.0/UDP $H_NET.2:5060;branch=z9hG4bK-notify-1" "Max-Forwards: 70" \
	"From: <sip:probe@$H_NET.2>;tag=n1" "To: <sip:$H_ADDR>" \
	"Call-ID: notify-1@$H_NET.2" "CSeq: 1 OPTIONS" "Content-Length: 0" "" |
	"$REFERD_BUILDDIR/tests/tools/sipsend" "$H_NET.2" "$H_ADDR" 5060 2000 2>&1)
h_like "... and the SIP endpoint it announced answers" "$out" '^SIP/2.0 [1-6][0-9][0-9] '
h_ok "STATUS= says the AgentX master is not reachable yet" \
	seen '^STATUS=SIP endpoints bound; AgentX master not reachable, retrying$'

h_snmpd_start
h_ok "once snmpd runs, STATUS= says the master is connected" \
	h_wait_for 10 seen '^STATUS=SIP endpoints bound; AgentX master connected$'
h_is "READY=1 was sent once so far" "$(notes | grep -c '^READY=1$')" 1

kill -HUP "$H_REFERD_PID"
h_ok "SIGHUP: the reload is logged" h_wait_for 5 grep -q 'SIGHUP: re-reading' "$H_TMP/referd.log"
ready_twice() {
	[ "$(notes | grep -c '^READY=1$')" = 2 ]
}
h_ok "... and READY=1 comes again" h_wait_for 5 ready_twice
h_is "... after RELOADING=1" \
	"$(notes | grep -E '^(READY|RELOADING)=1$' | tr '\n' ' ')" \
	"READY=1 RELOADING=1 READY=1 "

h_referd_check "$H_REFERD_PID"
h_is "SIGTERM: STOPPING=1 is the last message" \
	"$(notes | grep -E '^[A-Z]+=1$' | tail -n 1)" STOPPING=1
h_done
