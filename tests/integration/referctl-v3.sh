#!/bin/sh
# referctl-v3.sh: referctl over SNMPv3 (authPriv) against referd -M, its
# own agent with no snmpd: reads, a change checked with snmpget, a
# refusal, a wrong pass phrase, and a user without write access.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 41 referctl-v3
h_need jq
h_snmptrapd_start
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
profile 1 base
refer 1 support enabled
rocommunity public 127.0.0.0/8
createUser opuser SHA "auth-secret-1" AES "priv-secret-1"
createUser viewer SHA "view-secret-1" AES "view-secret-2"
rwuser opuser priv
rouser viewer priv
trap2sink udp:$H_ADDR:$H_TRAP_PORT public
EOF2
mkdir -p "$H_TMP/referd-persist"
SNMP_PERSISTENT_DIR=$H_TMP/referd-persist h_referd_start "$conf" \
	-M "udp:$H_ADDR:$H_SNMP_PORT"
H_AGENT=$H_ADDR:$H_SNMP_PORT
h_ok "referd -M answers" h_wait_for 10 h_answers

REFERCTL=${REFERCTL:-$REFERD_BUILDDIR/cli/referctl}
V3="-v3 -l authPriv -u opuser -a SHA -A auth-secret-1 -x AES -X priv-secret-1 -t 3 -r 0"
RO3="-v3 -l authPriv -u viewer -a SHA -A view-secret-1 -x AES -X view-secret-2 -t 3 -r 0"
# v3 ARGS...: referctl as opuser; ROUT, RERR, RRC.
v3() {
	RRC=0
	# shellcheck disable=SC2086
	ROUT=$("$REFERCTL" $V3 "$H_AGENT" "$@" 2>"$H_TMP/rerr") || RRC=$?
	RERR=$(cat "$H_TMP/rerr")
}

v3 profile show 1
h_is "profile show over SNMPv3 authPriv: exit 0" "$RRC" 0
h_like "... the Refer Support pane" "$ROUT" "Refer Support +Enabled"
v3 -o json profile add 2 name=via-v3 support=enabled release=enabled
h_is "profile add over SNMPv3: exit 0" "$RRC" 0
h_is "... JSON says added" "$(printf '%s' "$ROUT" | jq -r .result)" added
h_is "... snmpget sees the name" "$(sget "$SGP.2.2")" via-v3
h_is "... and Release REFER Session enabled" "$(sget "$REFER.5.2")" 2
v3 profile set 2 delayed-answer=enabled timer=0
h_is "a refused change over SNMPv3: exit 3" "$RRC" 3
h_like "... names the rule and field" "$RERR" \
	"rule delayed-answer-timer-range\\): profile 2, field timer"
h_is "... Delayed Answer still disabled" "$(sget "$REFER.3.2")" 1

RRC=0
"$REFERCTL" -v3 -l authPriv -u opuser -a SHA -A wrong-secret-9 -x AES \
	-X priv-secret-1 -t 2 -r 0 "$H_AGENT" show >/dev/null 2>"$H_TMP/rerr" ||
	RRC=$?
h_is "a wrong pass phrase: exit 2" "$RRC" 2
h_like "... says why" "$(cat "$H_TMP/rerr")" "Authentication failure|authorizationError|no answer"

RRC=0
# shellcheck disable=SC2086
"$REFERCTL" $RO3 "$H_AGENT" profile show 2 >"$H_TMP/rout" 2>"$H_TMP/rerr" || RRC=$?
h_is "a read-only user reads: exit 0" "$RRC" 0
RRC=0
# shellcheck disable=SC2086
"$REFERCTL" $RO3 "$H_AGENT" profile set 2 name=renamed >/dev/null \
	2>"$H_TMP/rerr" || RRC=$?
h_is "a read-only user's change: exit 3" "$RRC" 3
h_like "... explained" "$(cat "$H_TMP/rerr")" "may not write"
h_is "... the name is unchanged" "$(sget "$SGP.2.2")" via-v3
h_done
