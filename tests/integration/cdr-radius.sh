#!/bin/sh
# cdr-radius.sh: RADIUS accounting (RFC 2866) to a real FreeRADIUS,
# started here on loopback with its own configuration (tests/lib/radius.sh),
# whose detail file shows what arrived.
#   1. a basic call: Start at the answer, Stop at the end, the standard
#      attributes and referd's own (Call-IDs, times) as on the wire;
#   2. a blind transfer during Delayed Answer: Start at C's answer, an
#      Interim-Update with the transfer (index 1, target, 200), Stop;
#   3. the server down while calls end, referd restarted meanwhile, then
#      the server back: referdRadiusServerStatus down(2) and the trap,
#      requests spooled, then every request arrives, none twice, and the
#      trap says up(1) again.
# Peers: A $H_NET.2, B $H_NET.3 (Delayed Answer), C $H_NET.4, B2 $H_NET.5.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
. "${REFERD_SRCDIR:-.}/tests/lib/cdr.sh"
. "${REFERD_SRCDIR:-.}/tests/lib/radius.sh"
h_init 17 cdr-radius
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
B2=$H_NET.5
RTP_LO=$((20000 + H_SLOT * 100))
RPORT=11813
SECRET=t0ps3cret
AC=$RO.10
CDR=$H_TMP/cdr
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
cdrDirectory $CDR
cdrSyncInterval 200
radiusServer $H_ADDR
radiusPort $RPORT
radiusSecret $SECRET
radiusSpoolDirectory $H_TMP/spool
radiusTimeout 1
radiusRetryInterval 2
radiusInterimInterval 2
profile 1 a-side
profile 2 da
refer 2 support enabled delayedAnswer enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-da $B port 0 profile 2
gateway 3 c-side $C port 0 profile 1
gateway 4 b-plain $B2 port 0 profile 1
route 1 5551 4
route 2 5553 2
EOF2
h_radius_start $RPORT $SECRET
h_referd_subagent "$conf"

# sess CALL-ID: the session_id of that call's record (Acct-Session-Id).
sess() {
	cdr_field "$CDR" caller_call_id "$1" session_id
}
# basic NAME: one basic call A to B2 of 1 s; its Call-ID in CID.
basic() {
	cdr_call "$1" "$A" "$B2" 5551000 1000
}

h_is "referdRadiusSecret reads as an empty string" "$(sget "$AC.10.0")" ""
h_set_ok "referdRadiusSecret is writable (the same secret again)" \
	"$AC.10.0" s "$SECRET"
h_is "... and still reads as an empty string" "$(sget "$AC.10.0")" ""
h_set_err "a secret with ':' is wrongValue" wrongValue "$AC.10.0" \
	"$AC.10.0" s "a:b"
h_is "referdRadiusServerStatus is up(1) at start" "$(sget "$AC.21.0")" 1

# 1. A basic call.
basic t1
h_ok "t1: its record is written" h_wait_for 5 cdr_has "$CDR" "$CID"
S=$(sess "$CID")
stopped() {
	radius_requests | grep -q "^$1 Stop"
}
h_ok "t1: FreeRADIUS got Start and Stop for session $S" h_wait_for 5 stopped "$S"
h_is "t1: exactly Start then Stop" "$(radius_requests | grep "^$S " | tr '\n' ';')" \
	"$S Start -;$S Stop -;"
h_is "t1: Calling-Station-Id and Called-Station-Id: From and Request-URI users" \
	"$(radius_attr "$S" Start Calling-Station-Id) $(radius_attr "$S" Start Called-Station-Id)" \
	"sipp 5551000"
h_is "t1: Referd-Caller-Call-Id and Referd-Called-Call-Id are the legs'" \
	"$(radius_attr "$S" Stop Referd-Caller-Call-Id) $(radius_attr "$S" Stop Referd-Called-Call-Id)" \
	"$CID $(cdr_field "$CDR" caller_call_id "$CID" called_call_id)"
h_is "t1: Referd-Answer-Time is the record's answer_time" \
	"$(radius_attr "$S" Start Referd-Answer-Time)" \
	"$(cdr_field "$CDR" caller_call_id "$CID" answer_time)"
h_is "t1: Stop: Acct-Session-Time 1 s, User-Request, ended by the caller" \
	"$(radius_attr "$S" Stop Acct-Session-Time) $(radius_attr "$S" Stop Acct-Terminate-Cause) $(radius_attr "$S" Stop Referd-Ended-By)" \
	"1 User-Request caller"
h_is "referdRadiusRequestsSent counts 2" "$(sget "$AC.17.0")" 2

# 2. Blind transfer during Delayed Answer.
h_sipp t2-c "$C" 5060 -sn uas -m 1 -trace_msg -message_file "$H_TMP/t2-c.msg"
cpid=$H_PID
h_sipp t2-b "$B" 5060 -sf "$SC/uas-refer.xml" -set target "sip:carol@$C:5060" \
	-m 1
bpid=$H_PID
h_sipp t2-a "$A" 5060 -sf "$SC/uac-delayed.xml" -s 5553000 -m 1 \
	-trace_msg -message_file "$H_TMP/t2-a.msg" "$H_ADDR:5060"
h_wait_exit "$H_PID" 30
h_is "t2: A is answered at C's answer and hangs up" "$H_RC" 0
h_wait_exit "$bpid" 20
h_wait_exit "$cpid" 20
CID=$(msg_hdr "$H_TMP/t2-a.msg" '^INVITE ' Call-ID)
h_ok "t2: its record is written" h_wait_for 5 cdr_has "$CDR" "$CID"
S=$(sess "$CID")
h_ok "t2: the Stop arrives" h_wait_for 5 stopped "$S"
h_is "t2: Start, Interim-Update of transfer 1, Stop" \
	"$(radius_requests | grep "^$S " | tr '\n' ';')" \
	"$S Start -;$S Interim-Update 1;$S Stop -;"
h_is "t2: the Start's answer time is C's answer (the record's)" \
	"$(radius_attr "$S" Start Referd-Answer-Time)" \
	"$(cdr_field "$CDR" caller_call_id "$CID" answer_time)"
h_is "t2: the Interim-Update: by called, blind, the target, 200, C's leg" \
	"$(radius_attr "$S" Interim-Update Referd-Transfer-By) $(radius_attr "$S" Interim-Update Referd-Transfer-Kind) $(radius_attr "$S" Interim-Update Referd-Transfer-Target) $(radius_attr "$S" Interim-Update Referd-Transfer-Code) $(radius_attr "$S" Interim-Update Referd-Transfer-Call-Id)" \
	"called blind sip:carol@$C:5060 200 $(msg_hdr "$H_TMP/t2-c.msg" '^INVITE ' Call-ID)"

# 3. The server goes away while calls end; referd restarts meanwhile.
h_stop "$H_RADIUS_PID"
basic t3
C3=$CID
h_ok "t3: referdRadiusServerStatus becomes down(2)" h_wait_for 10 sh -c \
	"[ \"\$(snmpget -v2c -c public -Oqv -t 3 -r 0 '$H_AGENT' '$AC.21.0')\" = 2 ]"
TRAP=$R.0.6
h_ok "referdAccountingServerStatus says down(2)" h_wait_for 5 grep -q \
	"$TRAP.*|.*$AC.21.0 = INTEGER: 2" "$H_TRAPLOG"
basic t4
C4=$CID
h_ok "requests are spooled" h_wait_for 5 sh -c \
	"[ \$(ls '$H_TMP/spool' | grep -c '\\.req\$') -ge 3 ]"
h_ok "referdRadiusRequestsSpooled counts them" test "$(sget "$AC.19.0")" -ge 3
h_referd_check "$H_REFERD_PID"
h_referd_subagent "$conf"
basic t5
C5=$CID
h_ok "after the restart, the spool still holds every request (6)" \
	h_wait_for 5 sh -c "[ \$(ls '$H_TMP/spool' | grep -c '\\.req\$') -ge 6 ]"
h_radius_start $RPORT $SECRET
h_ok "the server is back: the spool empties" h_wait_for 20 sh -c \
	"[ \$(ls '$H_TMP/spool' | grep -c '\\.req\$') = 0 ]"
h_ok "referdRadiusServerStatus is up(1) again" h_wait_for 5 sh -c \
	"[ \"\$(snmpget -v2c -c public -Oqv -t 3 -r 0 '$H_AGENT' '$AC.21.0')\" = 1 ]"
h_ok "referdAccountingServerStatus says up(1)" h_wait_for 5 grep -q \
	"$TRAP.*|.*$AC.21.0 = INTEGER: 1" "$H_TRAPLOG"
for c in "$C3" "$C4" "$C5"; do
	S=$(sess "$c")
	h_is "session $S arrived: Start and Stop, in order" \
		"$(radius_requests | grep "^$S " | tr '\n' ';')" \
		"$S Start -;$S Stop -;"
done
h_is "no request arrived twice" "$(radius_requests | sort | uniq -d)" ""
h_ok "referdRadiusRequestsRetried counts the spooled ones sent" \
	test "$(sget "$AC.18.0")" -ge 6

# 4. Periodic Interim-Updates: every 2 s after the answer of a 5 s call.
cdr_call t6 "$A" "$B2" 5551000 5000
S=$(sess "$CID")
h_ok "t6: the Stop arrives" h_wait_for 5 stopped "$S"
h_is "t6: Start, two periodic Interim-Updates (no transfer), Stop" \
	"$(radius_requests | grep "^$S " | tr '\n' ';')" \
	"$S Start -;$S Interim-Update -;$S Interim-Update -;$S Stop -;"
h_is "t6: their Acct-Session-Time (none in the Start): 2 and 4 s, the Stop's 5" \
	"$(awk -v s="\"$S\"" '/^[A-Z][a-z][a-z] /{n++} $1 == "Acct-Session-Id" && $3 == s {hit[n] = 1} $1 == "Acct-Session-Time" {t[n] = $3} END {for (i = 1; i <= n; i++) if (hit[i] && t[i] != "") printf "%s ", t[i]}' "$H_TMP/radius/detail")" \
	"2 4 5 "
h_stop "$H_RADIUS_PID"
h_done
