#!/bin/sh
# snmp-rowstatus.sh: every RowStatus transition of RFC 2579 on every
# writable table of REFERD-MIB, through a real snmpd master and snmpset,
# and the engine receiving each committed change.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 7 snmp-rowstatus
conf=$H_TMP/referd.conf
printf 'profile 1 base\n' >"$conf"
h_referd_subagent "$conf"

NISV=2; NRDY=3; CAG=4; CAW=5; DESTROY=6; ACTIVE=1

# lifecycle NAME RS-OID COMPLETE-ARGS...: walk one table's row 9 through
# every transition.  COMPLETE-ARGS are the varbinds that make it complete.
lifecycle() {
	local name=$1 rs=$2 idx=9
	shift 2
	h_set_err "$name: active on a missing row is inconsistentValue" \
		inconsistentValue "$rs.$idx" "$rs.$idx" i $ACTIVE
	h_set_err "$name: notInService on a missing row is inconsistentValue" \
		inconsistentValue "$rs.$idx" "$rs.$idx" i $NISV
	h_set_err "$name: notReady is never writable (wrongValue)" \
		wrongValue "$rs.$idx" "$rs.$idx" i $NRDY
	h_set_ok "$name: destroy of a missing row succeeds" "$rs.$idx" i $DESTROY
	if [ "$name" != refer ]; then
		h_set_err "$name: createAndGo without its required columns is inconsistentValue" \
			inconsistentValue "$rs.$idx" "$rs.$idx" i $CAG
		h_is "$name: ... and creates nothing" "$(sget "$rs.$idx")" \
			"No Such Instance currently exists at this OID"
		h_set_ok "$name: createAndWait" "$rs.$idx" i $CAW
		h_is "$name: an incomplete row is notReady" "$(sget "$rs.$idx")" 3
		h_set_err "$name: active on a notReady row is inconsistentValue" \
			inconsistentValue "$rs.$idx" "$rs.$idx" i $ACTIVE
		h_set_err "$name: notInService on a notReady row is inconsistentValue" \
			inconsistentValue "$rs.$idx" "$rs.$idx" i $NISV
		h_set_ok "$name: the required columns are written" "$@"
		h_is "$name: a completed row becomes notInService" "$(sget "$rs.$idx")" 2
	else
		h_set_ok "$name: createAndWait" "$rs.$idx" i $CAW
		h_is "$name: a row with only defaults is complete: notInService" \
			"$(sget "$rs.$idx")" 2
	fi
	h_set_err "$name: createAndWait on an existing row is inconsistentValue" \
		inconsistentValue "$rs.$idx" "$rs.$idx" i $CAW
	h_set_err "$name: createAndGo on an existing row is inconsistentValue" \
		inconsistentValue "$rs.$idx" "$rs.$idx" i $CAG
	h_set_ok "$name: notInService -> active" "$rs.$idx" i $ACTIVE
	h_is "$name: the row is active" "$(sget "$rs.$idx")" 1
	h_set_ok "$name: active -> notInService" "$rs.$idx" i $NISV
	h_is "$name: the row is notInService" "$(sget "$rs.$idx")" 2
	h_set_ok "$name: notInService -> destroy" "$rs.$idx" i $DESTROY
	h_is "$name: a destroyed row is gone" "$(sget "$rs.$idx")" \
		"No Such Instance currently exists at this OID"
	h_set_ok "$name: createAndGo with its columns in the same PDU" \
		"$rs.$idx" i $CAG "$@"
	h_is "$name: ... is active at once" "$(sget "$rs.$idx")" 1
	h_set_ok "$name: active -> destroy" "$rs.$idx" i $DESTROY
	h_is "$name: ... is gone" "$(sget "$rs.$idx")" \
		"No Such Instance currently exists at this OID"
}

lifecycle sgp "$SGP.4" "$SGP.2.9" s nine
h_set_ok "a profile for the refer row" "$SGP.4.9" i $CAG "$SGP.2.9" s nine
lifecycle refer "$REFER.7"
lifecycle signaling "$SIG.7" "$SIG.2.9" s "$H_NET.9"
lifecycle gateway "$GW.8" "$GW.2.9" s gw-nine "$GW.3.9" s "$H_NET.9"
h_set_ok "a gateway for the route" "$GW.8.8" i $CAG "$GW.2.8" s gw8 "$GW.3.8" s "$H_NET.8"
lifecycle route "$ROUTE.5" "$ROUTE.3.9" u 8

# createAndGo takes the MIB's DEFVALs for what the PDU leaves out.
h_set_ok "a gateway from name and address only" \
	"$GW.8.7" i $CAG "$GW.2.7" s gw7 "$GW.3.7" s "$H_NET.7"
h_is "its port defaults to 5060" "$(sget "$GW.4.7")" 5060
h_is "its transport defaults to udp(1)" "$(sget "$GW.5.7")" 1
h_is "its profile defaults to 0" "$(sget "$GW.6.7")" 0
h_is "its storage type defaults to nonVolatile(3)" "$(sget "$GW.7.7")" 3
h_set_ok "a Refer Support row from createAndGo alone" "$REFER.7.9" i $CAG
h_is "Refer Support defaults to disabled(1)" "$(sget "$REFER.1.9")" 1
h_is "From Header defaults to referredBy(1)" "$(sget "$REFER.2.9")" 1
h_is "Delayed Answer defaults to disabled(1)" "$(sget "$REFER.3.9")" 1
h_is "the timer defaults to 1 minute" "$(sget "$REFER.4.9")" 1
h_is "Release REFER Session defaults to disabled(1)" "$(sget "$REFER.5.9")" 1

# Every committed change reached the engine thread as a new snapshot.
n=$(grep -c 'engine: configuration [0-9]* applied' "$H_TMP/referd.log")
h_ok "the engine applied a snapshot for each committed SET ($n)" test "$n" -ge 40
h_grep "the last snapshot has the gateways and the route" "$H_TMP/referd.log" \
	'applied: 2 profiles, 1 refer support, 0 signaling, 2 gateways, 0 routes active'
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
