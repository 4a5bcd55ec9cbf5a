#!/bin/sh
# snmp-traps.sh: referdConfigChange reaches snmptrapd through the master
# for each committed change, with the right varbinds (the instance's name
# last), and the rate limit discards (and counts) the excess.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 12 snmp-traps
conf=$H_TMP/referd.conf
printf 'profile 1 base\nnotifyRateLimit 100\ninstanceName traps-12\n' >"$conf"
h_referd_subagent "$conf"
traps=$H_TRAPLOG
TRAP=$R.0.4
PTR=$RO.9.6.0
RST=$RO.9.7.0

h_set_ok "a profile is created" "$SGP.4.5" i 4 "$SGP.2.5" s five
h_ok "snmptrapd receives referdConfigChange" \
	h_wait_for 5 grep -q "$TRAP" "$traps"
h_grep "the trap names the row by its RowStatus instance" "$traps" \
	"$PTR = OID: $SGP.4.5"
h_grep "... and carries its new status, active(1)" "$traps" \
	"$PTR = OID: $SGP.4.5\\|$RST = INTEGER: 1"
h_grep "... and, last, referdInstanceName.0 with the configured name" "$traps" \
	"$PTR = OID: $SGP.4.5\\|$RST = INTEGER: 1\\|$RO.1.6.0 = STRING: \"traps-12\"\$"
h_set_ok "the profile is destroyed" "$SGP.4.5" i 6
h_ok "a trap with destroyed(6) follows" \
	h_wait_for 5 grep -q "$PTR = OID: $SGP.4.5|$RST = INTEGER: 6" "$traps"
h_set_ok "a notInService gateway" "$GW.8.3" i 5 "$GW.2.3" s g3 "$GW.3.3" s "$H_NET.30"
h_ok "its trap says notInService(2)" \
	h_wait_for 5 grep -q "$PTR = OID: $GW.8.3|$RST = INTEGER: 2" "$traps"
h_set_ok "referdMaxCalls is changed" "$RO.1.2.0" u 40
h_ok "the scalar's trap points at referdMaxCalls.0" \
	h_wait_for 5 grep -q "$PTR = OID: $RO.1.2.0|$RST = INTEGER: 1" "$traps"
h_set_ok "referdInstanceName is changed" "$RO.1.6.0" s traps-b
h_ok "its trap points at referdInstanceName.0 and carries the new name" \
	h_wait_for 5 grep -q "$PTR = OID: $RO.1.6.0|$RST = INTEGER: 1|$RO.1.6.0 = STRING: \"traps-b\"" "$traps"
before=$(grep -c "$TRAP" "$traps")
h_set_err "a refused SET" inconsistentValue "$SGP.4.1" "$SGP.4.1" i 6
sleep 1
h_is "a refused SET sends no trap" "$(grep -c "$TRAP" "$traps")" "$before"

# The rate limit: 2 per second; one SET changing 6 rows sends 2 traps.
h_set_ok "referdNotifyRateLimit 2" "$RO.1.4.0" u 2
sleep 1.1
before=$(grep -c "$TRAP" "$traps")
h_set_ok "six profiles in one SET" \
	"$SGP.4.11" i 4 "$SGP.2.11" s a "$SGP.4.12" i 4 "$SGP.2.12" s b \
	"$SGP.4.13" i 4 "$SGP.2.13" s c "$SGP.4.14" i 4 "$SGP.2.14" s d \
	"$SGP.4.15" i 4 "$SGP.2.15" s e "$SGP.4.16" i 4 "$SGP.2.16" s f
sleep 1
h_is "only 2 of 6 traps go out" "$(( $(grep -c "$TRAP" "$traps") - before ))" 2
h_is "referdNotifyDropped counts the 4 others" "$(sget "$RO.1.5.0")" 4
h_ok "the drop is logged" h_wait_for 5 grep -q \
	'notifications: the rate limit of 2 per second is reached' "$H_TMP/referd.log"
h_done
