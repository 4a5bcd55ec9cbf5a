#!/bin/sh
# snmp-errors.sh: every error status of a SET where it applies, each rule
# of SPEC section 4 as the agent enforces it, and all-or-nothing PDUs:
# a refused SET changes nothing.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 8 snmp-errors
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
profile 1 base
profile 2 locked readOnly
refer 1 support enabled
gateway 1 gw1 $H_NET.21
route 1 default 1
EOF2
h_referd_subagent "$conf"

# --- noCreation, notWritable ---------------------------------------------
h_set_err "a column of a missing row: noCreation" noCreation "$SGP.2.50" \
	"$SGP.2.50" s x
h_set_err "an object that does not exist: noCreation" noCreation "$RO.1.9.0" \
	"$RO.1.9.0" u 1
h_set_err "a scalar with a wrong instance: noCreation" noCreation "$RO.1.2.1" \
	"$RO.1.2.1" u 1
h_set_err "referdVersion is read-only: notWritable" notWritable "$RO.1.1.0" \
	"$RO.1.1.0" s x
h_set_err "referdActiveCalls is read-only: notWritable" notWritable "$RO.1.3.0" \
	"$RO.1.3.0" u 1
h_set_err "referdSigOperStatus is read-only: notWritable" notWritable "$SIG.8.1" \
	"$SIG.8.1" i 1
h_set_err "a counter is read-only: notWritable" notWritable "$STATS.1.1" \
	"$STATS.1.1" u 1
h_set_err "a readOnly row's column: notWritable" notWritable "$SGP.2.2" \
	"$SGP.2.2" s other

# --- wrongType, wrongLength, wrongValue -----------------------------------
h_set_err "referdMaxCalls as INTEGER: wrongType" wrongType "$RO.1.2.0" \
	"$RO.1.2.0" i 5
h_set_err "a name as INTEGER: wrongType" wrongType "$SGP.2.1" "$SGP.2.1" i 5
h_set_err "a RowStatus as a string: wrongType" wrongType "$SGP.4.3" \
	"$SGP.4.3" s active
h_set_err "an empty profile name: wrongLength" wrongLength "$SGP.2.1" \
	"$SGP.2.1" s ''
h_set_err "a 33-character profile name: wrongLength" wrongLength "$SGP.2.1" \
	"$SGP.2.1" s abcdefghijklmnopqrstuvwxyz0123456
h_set_err "a 33-character route prefix: wrongLength" wrongLength "$ROUTE.2.1" \
	"$ROUTE.2.1" s 123456789012345678901234567890123
h_set_err "referdReferSupport 3: wrongValue" wrongValue "$REFER.1.1" \
	"$REFER.1.1" i 3
h_set_err "the Delayed Answer Timer 11: wrongValue" wrongValue "$REFER.4.1" \
	"$REFER.4.1" u 11
h_set_err "the Delayed Answer Timer 0: wrongValue" wrongValue "$REFER.4.1" \
	"$REFER.4.1" u 0
h_set_err "a signaling port 0: wrongValue" wrongValue "$SIG.3.5" \
	"$SIG.7.5" i 5 "$SIG.3.5" u 0
h_set_err "a gateway port 65536: wrongValue" wrongValue "$GW.4.1" \
	"$GW.4.1" u 65536
h_set_err "transport 3: wrongValue" wrongValue "$GW.5.1" "$GW.5.1" i 3
h_set_err "a host name as address: wrongValue" wrongValue "$GW.3.1" \
	"$GW.3.1" s pbx.example.net
h_set_err "an IPv6 address in brackets: wrongValue" wrongValue "$GW.3.1" \
	"$GW.3.1" s '[::1]'
h_set_err "a prefix with letters: wrongValue" wrongValue "$ROUTE.2.1" \
	"$ROUTE.2.1" s 12ab
h_set_err "a name with a control character: wrongValue" wrongValue "$SGP.2.1" \
	"$SGP.2.1" x 410A42
# referdInstanceName: none configured, so the host's name up to its
# first dot, other characters than A-Z a-z 0-9 - made '-', cut to 32.
host=$(hostname | cut -d. -f1 | sed 's/[^A-Za-z0-9-]/-/g' | cut -c1-32)
h_is "referdInstanceName defaults to the short host name ($host)" \
	"$(sget "$RO.1.6.0")" "${host:-referd}"
h_set_err "an instance name with a dot: wrongValue" wrongValue "$RO.1.6.0" \
	"$RO.1.6.0" s a.b
h_set_err "an instance name with '~': wrongValue" wrongValue "$RO.1.6.0" \
	"$RO.1.6.0" s 'a~b'
h_set_err "an instance name with '_': wrongValue" wrongValue "$RO.1.6.0" \
	"$RO.1.6.0" s a_b
h_set_err "an empty instance name: wrongLength" wrongLength "$RO.1.6.0" \
	"$RO.1.6.0" s ''
h_set_err "a 33-character instance name: wrongLength" wrongLength "$RO.1.6.0" \
	"$RO.1.6.0" s 123456789012345678901234567890123
h_set_err "a refused name in a PDU refuses all of it" wrongValue "$RO.1.6.0" \
	"$RO.1.2.0" u 77 "$RO.1.6.0" s 'x y'
h_is "... referdInstanceName unchanged" "$(sget "$RO.1.6.0")" "${host:-referd}"
h_is "... referdMaxCalls unchanged" "$(sget "$RO.1.2.0")" 0
h_set_ok "a 32-character name of every allowed kind of character" \
	"$RO.1.6.0" s Ab-9-12345678901234567890123456z
h_is "... is read back" "$(sget "$RO.1.6.0")" Ab-9-12345678901234567890123456z
h_set_err "StorageType permanent cannot be written: wrongValue" wrongValue \
	"$SGP.3.1" "$SGP.3.1" i 4
h_set_err "StorageType readOnly cannot be written: wrongValue" wrongValue \
	"$SGP.3.1" "$SGP.3.1" i 5
h_set_err "referdNotifyRateLimit 10001: wrongValue" wrongValue "$RO.1.4.0" \
	"$RO.1.4.0" u 10001
h_set_err "RowStatus 7: wrongValue" wrongValue "$SGP.4.3" "$SGP.4.3" i 7

# --- inconsistentName: bad index, Refer Support without its profile -------
h_set_err "profile index 0: inconsistentName" inconsistentName "$SGP.4.0" \
	"$SGP.4.0" i 4
h_set_err "profile index 1025: inconsistentName" inconsistentName "$SGP.4.1025" \
	"$SGP.4.1025" i 4
h_set_err "signaling index 65: inconsistentName" inconsistentName "$SIG.7.65" \
	"$SIG.7.65" i 4
h_set_err "gateway index 4097: inconsistentName" inconsistentName "$GW.8.4097" \
	"$GW.8.4097" i 4
h_set_err "route index 65536: inconsistentName" inconsistentName "$ROUTE.5.65536" \
	"$ROUTE.5.65536" i 4
h_set_err "a Refer Support row without its profile: inconsistentName" \
	inconsistentName "$REFER.7.7" "$REFER.7.7" i 4
h_set_ok "a Refer Support row with its profile created in the same PDU" \
	"$SGP.4.7" i 4 "$SGP.2.7" s seven "$REFER.7.7" i 4

# --- inconsistentValue: the rules of SPEC section 4 ------------------------
h_set_err "a profile used by a Refer Support row cannot be destroyed" \
	inconsistentValue "$SGP.4.1" "$SGP.4.1" i 6
h_set_ok "a signaling endpoint using profile 7" \
	"$SIG.7.3" i 4 "$SIG.2.3" s "$H_NET.3" "$SIG.5.3" u 7
h_set_ok "profile 7's refer row can go" "$REFER.7.7" i 6
h_set_err "a profile used by a signaling endpoint cannot be destroyed" \
	inconsistentValue "$SGP.4.7" "$SGP.4.7" i 6
h_set_ok "a gateway using profile 7 (the endpoint moved off it)" \
	"$SIG.5.3" u 0 "$GW.8.2" i 4 "$GW.2.2" s gw2 "$GW.3.2" s "$H_NET.22" \
	"$GW.6.2" u 7
h_set_err "a profile used by a gateway cannot be destroyed" \
	inconsistentValue "$SGP.4.7" "$SGP.4.7" i 6
h_set_ok "the gateway leaves profile 7, which can then be destroyed" \
	"$GW.6.2" u 0 "$SGP.4.7" i 6
h_set_ok "a route to gateway 2" "$ROUTE.5.2" i 4 "$ROUTE.2.2" s 44 "$ROUTE.3.2" u 2
h_set_err "a gateway used by a route cannot be destroyed" \
	inconsistentValue "$GW.8.2" "$GW.8.2" i 6
h_set_err "a route to a missing gateway" inconsistentValue "$ROUTE.3.2" \
	"$ROUTE.3.2" u 99
h_set_err "a profile naming a missing profile on an endpoint" \
	inconsistentValue "$SIG.5.3" "$SIG.5.3" u 99
h_set_err "Delayed Answer without Refer Support" inconsistentValue \
	"$REFER.3.9" "$SGP.4.9" i 4 "$SGP.2.9" s nine "$REFER.7.9" i 4 \
	"$REFER.3.9" i 2
h_set_ok "Delayed Answer enabled with Refer Support in the same PDU" \
	"$SGP.4.9" i 4 "$SGP.2.9" s nine "$REFER.7.9" i 4 "$REFER.1.9" i 2 \
	"$REFER.3.9" i 2
h_is "... and the timer starts at 1 minute" "$(sget "$REFER.4.9")" 1
h_set_err "Refer Support disabled while Delayed Answer stays enabled" \
	inconsistentValue "$REFER.1.9" "$REFER.1.9" i 1
h_set_ok "the timer written while Delayed Answer is enabled" "$REFER.4.9" u 7
h_set_ok "Delayed Answer and Refer Support disabled together" \
	"$REFER.3.9" i 1 "$REFER.1.9" i 1
h_is "... the timer keeps its value" "$(sget "$REFER.4.9")" 7
h_set_err "the timer written while Delayed Answer is disabled" \
	inconsistentValue "$REFER.4.9" "$REFER.4.9" u 3
h_set_err "the timer written, even unchanged, while Delayed Answer is disabled" \
	inconsistentValue "$REFER.4.9" "$REFER.4.9" u 7
h_set_ok "the timer written in the PDU that enables Delayed Answer" \
	"$REFER.1.9" i 2 "$REFER.3.9" i 2 "$REFER.4.9" u 4
h_is "... keeps the written value" "$(sget "$REFER.4.9")" 4
h_set_ok "Delayed Answer off, then on again" "$REFER.3.9" i 1
h_set_ok "... enabled again" "$REFER.3.9" i 2
h_is "... the timer is back to 1 minute when Delayed Answer is enabled again" \
	"$(sget "$REFER.4.9")" 1
h_set_err "two profiles with one name" inconsistentValue "$SGP.2.9" \
	"$SGP.2.9" s base
h_set_err "two signaling endpoints on one address/port/transport" \
	inconsistentValue "$SIG.2.4" "$SIG.7.4" i 4 "$SIG.2.4" s "$H_NET.3"
h_set_ok "the same address and port over tcp is another endpoint" \
	"$SIG.7.4" i 4 "$SIG.2.4" s "$H_NET.3" "$SIG.4.4" i 2
h_set_err "a permanent row cannot be destroyed" inconsistentValue "$GW.8.1" \
	"$ROUTE.5.1" i 6 "$GW.8.1" i 6
h_set_ok "a permanent row's columns can be changed" "$GW.2.1" s renamed
h_set_err "a readOnly row cannot be destroyed" inconsistentValue "$SGP.4.2" \
	"$SGP.4.2" i 6

# --- all or nothing ----------------------------------------------------------
before=$(h_walk "$RO" | grep -v '\.1\.1\.[35]\.0 ')
h_set_err "a PDU of five with a bad fifth varbind is refused" \
	inconsistentValue "$ROUTE.3.30" \
	"$RO.1.2.0" u 77 "$SGP.4.30" i 4 "$SGP.2.30" s thirty \
	"$GW.2.1" s changed "$ROUTE.5.30" i 4 "$ROUTE.3.30" u 999
h_set_err "a PDU of five with a bad first varbind is refused" \
	wrongValue "$RO.1.4.0" \
	"$RO.1.4.0" u 99999 "$SGP.4.31" i 4 "$SGP.2.31" s x31 \
	"$GW.2.1" s changed "$RO.1.2.0" u 78
h_set_err "a PDU of five with a bad middle varbind (wrongType) is refused" \
	wrongType "$GW.2.1" \
	"$RO.1.2.0" u 79 "$SGP.4.32" i 4 "$GW.2.1" i 1 "$SGP.2.32" s x32 \
	"$ROUTE.5.1" i 2
after=$(h_walk "$RO" | grep -v '\.1\.1\.[35]\.0 ')
h_is "after three refused PDUs the MIB is exactly as before" "$after" "$before"
h_set_ok "the same PDU of five, corrected, succeeds" \
	"$RO.1.2.0" u 77 "$SGP.4.30" i 4 "$SGP.2.30" s thirty \
	"$GW.2.1" s changed "$ROUTE.5.30" i 4 "$ROUTE.3.30" u 2
h_is "... and all five took effect (maxCalls)" "$(sget "$RO.1.2.0")" 77
h_is "... (new profile)" "$(sget "$SGP.2.30")" thirty
h_is "... (gateway name)" "$(sget "$GW.2.1")" changed
h_is "... (new route)" "$(sget "$ROUTE.3.30")" 2
h_grep "refusals are logged with the rule" "$H_TMP/referd.log" \
	'SET refused: rule gateway-must-exist: referdRouteTable row 30: gateway 999 does not exist'
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
