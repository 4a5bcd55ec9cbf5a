#!/bin/sh
# sip-replaces-auth.sh: who may replace a dialog (issue 15, 3; RFC 3891
# 6.1; referd(8) SECURITY).  While A and B talk through referd, gateway C
# (configured, in no dialog of the call, named by no REFER) sends an
# INVITE whose Replaces names A's dialog with referd: 403, and the call is
# untouched (B gets no BYE, no INVITE; A's own BYE later reaches B);
# referdSgpReplacesRefused (column 13) counts it over SNMP and in
# `referctl stats`, referd logs it, and a referdReplacesRefused trap
# carries the profile, the call, the dialog's Call-ID, C's address:port
# and 403.  A host that is no gateway (X) gets 403 too, counted and
# reported the same way.  Then referdGwReplaces.3 is set enabled(2) over
# SNMP and the same INVITE from C takes A's place: 200, A gets referd's
# BYE, C talks to B and C's BYE reaches B.  (Before: C's INVITE got 200,
# A was sent BYE and C took the call.)
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
. "${REFERD_SRCDIR:-.}/tests/lib/sipforge.sh"
h_init 84 sip-replaces-auth
SC=${REFERD_SRCDIR:-.}/tests/scenarios
REFERCTL=${REFERCTL:-$REFERD_BUILDDIR/cli/referctl}
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
X=$H_NET.9
RTP_LO=$((20000 + H_SLOT * 100))
RTP_HI=$((RTP_LO + 99))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $RTP_HI
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
gateway 3 c-side $C port 5060
route 1 555 2
EOF2
h_referd_subagent "$conf"

# refused NAME FROM REPLACES: FROM's INVITE with Replaces REPLACES gets 403.
refused() {
	sed -e "s|@REPLACES_HEADERS@|      Replaces: $3|" \
	    "$SC/uac-replaces-reject.xml.in" >"$H_TMP/$1.xml"
	h_sipp "$1" "$2" 5060 -sf "$H_TMP/$1.xml" -set expect_code 403 \
	    -s 5551000 -m 1 "$H_ADDR:5060"
	h_wait_exit "$H_PID" 20
}
# trap_of N: the Nth referdReplacesRefused trap snmptrapd logged.
trap_of() {
	grep "$R.0.5\b" "$H_TRAPLOG" | sed -n "$1p"
}

# 1. Not entitled.  A holds the call 9 s and hangs up itself.
call_up 9000
# call_listed: the call's row is in referdCallTable (within half a second
# of the call's start); its index in $call.
call_listed() {
	call=$(snmpwalk -v2c -c public -On -t 3 -r 0 "$H_AGENT" "$CALLS.2" |
	    sed -n "s/^$CALLS\.2\.\([0-9][0-9]*\) = .*/\1/p")
	[ -n "$call" ]
}
h_wait_for 5 call_listed
h_ok "the call's index is known ($call)" test -n "$call"
rep="$acid;to-tag=$rtag;from-tag=$atag"

refused c1 "$C" "$rep"
h_is "C (a gateway not in the call) replacing A's dialog: 403" "$H_RC" 0
h_is "referdSgpReplacesRefused counts it" "$(sget "$STATS.13.1")" 1
h_is "referdSgpReplacesReceived counts it" "$(sget "$STATS.6.1")" 1
h_is "... referdSgpReplacesCompleted does not" "$(sget "$STATS.7.1")" 0
"$REFERCTL" -v2c -c public -t 3 -r 0 "$H_AGENT" stats 1 >"$H_TMP/stats" 2>&1
h_grep "referctl stats 1 shows it" "$H_TMP/stats" \
	'^ *INVITE with Replaces refused \(not entitled\) +1$'
h_grep "referd logs who was refused and why" "$H_TMP/referd.log" \
	"call $call: INVITE with Replaces from $C:5060 refused 403: not the party of the dialog .*\\(dialog $acid\\)"
h_ok "a referdReplacesRefused trap reaches snmptrapd" \
	h_wait_for 5 sh -c "grep -q '$R.0.5\\b' '$H_TRAPLOG'"
t=$(trap_of 1)
h_like "... profile 1" "$t" "$RO\\.9\\.1\\.0 = Gauge32: 1\\b"
h_like "... the call" "$t" "$RO\\.9\\.2\\.0 = Gauge32: $call\\b"
h_like "... the Call-ID of A's dialog" "$t" "$RO\\.9\\.3\\.0 = STRING: \"$acid\""
h_like "... C's address and port" "$t" "$RO\\.9\\.8\\.0 = STRING: \"$C:5060\""
h_like "... status 403" "$t" "$RO\\.9\\.5\\.0 = Gauge32: 403\\b"

refused x1 "$X" "$rep"
h_is "X (no gateway) replacing A's dialog: 403" "$H_RC" 0
h_is "referdSgpReplacesRefused counts it (the endpoint's profile)" \
	"$(sget "$STATS.13.1")" 2
h_ok "... and reports it" \
	h_wait_for 5 sh -c "[ \$(grep -c '$R.0.5\\b' '$H_TRAPLOG') = 2 ]"
h_like "... from X" "$(trap_of 2)" "$RO\\.9\\.8\\.0 = STRING: \"$X:5060\""

sleep 0.5
h_is "B got no BYE and no second INVITE" \
	"$(grep -c '^BYE ' "$H_TMP/b.msg") $(grep -c '^INVITE ' "$H_TMP/b.msg")" "0 1"
h_is "the call is still up" "$(sget "$RO.1.3.0")" 1
h_wait_exit "$apid" 30
h_is "A stayed in the call (no BYE from referd) and its own BYE got 200" \
	"$H_RC" 0
h_wait_exit "$bpid" 30
h_is "A's BYE reached B, the only BYE B got" "$H_RC" 0
h_ok "no call is left" h_wait_for 10 calls_idle

# 2. referdGwReplaces enabled for C: the same INVITE replaces A's dialog.
h_is "referdGwReplaces.3 is disabled(1) by default" "$(sget "$GW.9.3")" 1
h_set_ok "referdGwReplaces.3 set enabled(2)" "$GW.9.3" i 2
h_is "... and reads back enabled(2)" "$(sget "$GW.9.3")" 2
h_sipp b2 "$B" 5060 -sf "$SC/uas-answer.xml" -set peer_ip "$H_ADDR" \
	-set max_fwd 69 -set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -m 1 \
	-trace_msg -message_file "$H_TMP/b2.msg"
bpid=$H_PID
h_sipp a2 "$A" 5060 -sf "$SC/uac-call-wait-bye.xml" -s 5551000 -m 1 \
	-trace_msg -message_file "$H_TMP/a2.msg" "$H_ADDR:5060"
apid=$H_PID
h_ok "the second call A-B is up" h_wait_for 10 grep -q '^ACK ' "$H_TMP/b2.msg"
acid=$(sed -n 's/^Call-ID: *//p' "$H_TMP/a2.msg" | head -n 1 | tr -d '\r')
atag=$(sed -n 's/^From:.*;tag=\([^;]*\).*/\1/p' "$H_TMP/a2.msg" | head -n 1 | tr -d '\r')
rtag=$(awk '/^SIP\/2.0 200/ { m = 1 } m && /^To:/ { print; exit }' \
	"$H_TMP/a2.msg" | sed 's/.*;tag=\([^;]*\).*/\1/' | tr -d '\r')
h_ok "A's dialog identifiers were read ($acid $atag $rtag)" \
	test -n "$acid" -a -n "$atag" -a -n "$rtag"
h_sipp c2 "$C" 5060 -sf "$SC/uac-replaces.xml" -s 5551000 -m 1 \
	-set replaces "$acid;to-tag=$rtag;from-tag=$atag" -set peer_ip "$H_ADDR" \
	-trace_msg -message_file "$H_TMP/c2.msg" "$H_ADDR:5060"
cpid=$H_PID
h_wait_exit "$apid" 20
h_is "A's dialog is replaced: A gets referd's BYE" "$H_RC" 0
h_wait_exit "$cpid" 20
h_is "C gets 200, ACKs, talks to B and hangs up" "$H_RC" 0
h_wait_exit "$bpid" 20
h_is "C's BYE reaches B (B completes)" "$H_RC" 0
h_is "referdSgpReplacesCompleted counts it" "$(sget "$STATS.7.1")" 1
h_is "referdSgpReplacesRefused is still 2" "$(sget "$STATS.13.1")" 2
h_is "no more referdReplacesRefused traps" \
	"$(grep -c "$R.0.5\b" "$H_TRAPLOG")" 2
h_ok "no call is left" h_wait_for 10 calls_idle
h_done
