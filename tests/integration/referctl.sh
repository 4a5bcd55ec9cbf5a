#!/bin/sh
# referctl.sh: every referctl command against referd behind a private
# snmpd (SNMPv2c): the views, each kind of change checked with snmpget,
# refusals that name the rule, the field and the row (and change nothing),
# JSON parsed with jq, the exit statuses, and the call and counter views
# while a SIPp call is up.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 40 referctl
h_need jq
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 in
profile 2 out
profile 5 spare
refer 2 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060 profile 2
route 1 555 2
EOF2
h_referd_subagent "$conf"

REFERCTL=${REFERCTL:-$REFERD_BUILDDIR/cli/referctl}
# rctl ARGS...: referctl with the write community; ROUT, RERR, RRC.
rctl() {
	RRC=0
	ROUT=$("$REFERCTL" -v2c -c private -t 3 -r 0 "$@" 2>"$H_TMP/rerr") ||
		RRC=$?
	RERR=$(cat "$H_TMP/rerr")
}
# ok DESC ARGS...: the command succeeds.
ok() {
	local desc=$1
	shift
	rctl "$H_AGENT" "$@"
	h_is "$desc (exit 0)" "$RRC" 0
	[ "$RRC" = 0 ] || printf '#   %s\n' "$RERR"
}
# refused DESC RULE PATTERN ARGS...: exit 3, stderr names the rule and
# matches PATTERN (the field and the row).
refused() {
	local desc=$1 rule=$2 pat=$3
	shift 3
	rctl "$H_AGENT" "$@"
	h_is "$desc: exit 3" "$RRC" 3
	h_like "$desc: names rule $rule" "$RERR" "refused \\(rule $rule\\)"
	h_like "$desc: names the row and field" "$RERR" "$pat"
}

# ---- views ----------------------------------------------------------------
ok "show" show
h_like "show lists profile 1 as permanent and active (from the file)" \
	"$ROUT" "^1 +in +- +- +- +- +- +permanent +active"
h_like "show lists gateway 2" "$ROUT" "^2 +b-side +$B +5060 +udp +2 "
h_like "show lists the route with its prefix" "$ROUT" "^1 +555 +2 +permanent"
h_like "show lists the signaling endpoint, up" "$ROUT" "^1 +$H_ADDR +5060 +udp +1 .* up$"
ok "profile show 2" profile show 2
h_like "the Refer Support pane, as in the seed" "$ROUT" \
	"^SIP Refer Support
  Refer Support +Enabled
  From Header in Invite triggered by REFER +Referred-By header
  Delayed Answer Support +Disabled
  Delayed Answer Timer \\(mins\\) +1
  Release REFER Session +Disabled"
h_like "... and who uses the profile" "$ROUT" "Gateways using it +2"
ok "global" global
h_like "global shows the version" "$ROUT" "^Version +[0-9]"

# ---- changes, each checked with snmpget -----------------------------------
ok "profile add with every Refer Support field" profile add 3 name=carrier \
	support=enabled from=original-caller delayed-answer=enabled timer=4 \
	release=enabled
h_is "... referdSgpName.3" "$(sget "$SGP.2.3")" carrier
h_is "... referdSgpRowStatus.3 active" "$(sget "$SGP.4.3")" 1
h_is "... referdReferRowStatus.3 active" "$(sget "$REFER.7.3")" 1
h_is "... referdReferSupport.3 enabled" "$(sget "$REFER.1.3")" 2
h_is "... referdReferFromHeader.3 originalCaller" "$(sget "$REFER.2.3")" 2
h_is "... referdReferDelayedAnswer.3 enabled" "$(sget "$REFER.3.3")" 2
h_is "... referdReferDelayedAnswerTimer.3 4" "$(sget "$REFER.4.3")" 4
h_is "... referdReferReleaseSession.3 enabled" "$(sget "$REFER.5.3")" 2
ok "profile set timer" profile set 3 timer=7
h_is "... referdReferDelayedAnswerTimer.3 7" "$(sget "$REFER.4.3")" 7
ok "profile set on a profile without a Refer Support row creates it" \
	profile set 1 support=enabled release=enabled
h_is "... referdReferRowStatus.1 active" "$(sget "$REFER.7.1")" 1
h_is "... referdReferReleaseSession.1 enabled" "$(sget "$REFER.5.1")" 2
ok "signaling add" signaling add 2 address="$H_ADDR" port=5070 transport=tcp profile=3
h_is "... referdSigPort.2" "$(sget "$SIG.3.2")" 5070
h_is "... referdSigTransport.2 tcp" "$(sget "$SIG.4.2")" 2
h_ok "... the endpoint comes up (referctl shows oper up)" h_wait_for 5 \
	sh -c "'$REFERCTL' -v2c -c public -t 2 -r 0 $H_AGENT signaling show 2 | grep -q 'Operational status  *up'"
ok "signaling set status=notInService" signaling set 2 status=notInService
h_is "... referdSigRowStatus.2 notInService" "$(sget "$SIG.7.2")" 2
ok "signaling delete" signaling delete 2
h_like "... the row is gone" "$(sget "$SIG.7.2")" "No Such Instance"
ok "gateway add" gateway add 3 name=c-side address="$H_NET.4" port=5080 profile=3
h_is "... referdGwAddress.3" "$(sget "$GW.3.3")" "$H_NET.4"
h_is "... referdGwSgpIndex.3" "$(sget "$GW.6.3")" 3
ok "gateway set transport" gateway set 3 transport=tcp
h_is "... referdGwTransport.3 tcp" "$(sget "$GW.5.3")" 2
ok "route add" route add 2 prefix=777 gateway=3
h_is "... referdRoutePrefix.2" "$(sget "$ROUTE.2.2")" 777
h_is "... referdRouteGatewayIndex.2" "$(sget "$ROUTE.3.2")" 3
ok "route set prefix" route set 2 prefix=778
h_is "... referdRoutePrefix.2 changed" "$(sget "$ROUTE.2.2")" 778
ok "global set" global set max-calls=50 notify-rate-limit=20
h_is "... referdMaxCalls" "$(sget "$RO.1.2.0")" 50
h_is "... referdNotifyRateLimit" "$(sget "$RO.1.4.0")" 20
ok "a change to the value it already has" gateway set 3 transport=tcp
h_is "... sends nothing" "$ROUT" "nothing to change"

# ---- refusals: the rule, the field, the row; nothing changes ---------------
refused "Delayed Answer Timer out of range" delayed-answer-timer-range \
	"profile 3, field timer \\(Delayed Answer Timer \\(mins\\)\\)" \
	profile set 3 timer=11
h_is "... the timer is still 7" "$(sget "$REFER.4.3")" 7
refused "Refer Support disabled under Delayed Answer" \
	delayed-answer-needs-refer-support "profile 3, field delayed-answer" \
	profile set 3 support=disabled
h_is "... Refer Support still enabled" "$(sget "$REFER.1.3")" 2
refused "the timer written while Delayed Answer is disabled" \
	delayed-answer-timer-needs-delayed-answer "profile 2, field timer" \
	profile set 2 timer=5
h_is "... profile 2's timer still 1" "$(sget "$REFER.4.2")" 1
refused "a profile name used twice" name-unique "profile 4, field name" \
	profile add 4 name=carrier
h_like "... no profile 4" "$(sget "$SGP.4.4")" "No Such Instance"
refused "a name longer than 32 characters" name-length "profile 4, field name" \
	profile add 4 name=abcdefghijklmnopqrstuvwxyz0123456789
refused "a gateway address that is not an IP literal" address-literal \
	"gateway 5, field address" gateway add 5 name=g5 address=gw.example.net
h_like "... no gateway 5" "$(sget "$GW.8.5")" "No Such Instance"
refused "a port out of range" port-range "gateway 3, field port" \
	gateway set 3 port=70000
h_is "... the port is still 5080" "$(sget "$GW.4.3")" 5080
refused "a prefix with letters" prefix-chars "route 5, field prefix" \
	route add 5 prefix=12a gateway=2
refused "a route to a missing gateway" gateway-must-exist \
	"route 6, field gateway" route add 6 prefix=9 gateway=99
refused "a gateway on a missing profile" profile-must-exist \
	"gateway 3, field profile" gateway set 3 profile=9
refused "deleting a profile a gateway uses names the gateway" \
	profile-must-exist "gateway 3, field profile" profile delete 3
h_is "... profile 3 is still there" "$(sget "$SGP.4.3")" 1
refused "deleting a profile from the configuration file" \
	permanent-not-destroyable "profile 5" profile delete 5
refused "two endpoints on one address, port and transport" \
	signaling-unique "signaling 3" signaling add 3 address="$H_ADDR" port=5060
refused "a word that is not one of the field's values" enum-value \
	"profile 3, field support \\(Refer Support\\): 'maybe' is not one of: disabled, enabled" \
	profile set 3 support=maybe
refused "a port that is not a number" not-a-number "gateway 3, field port" \
	gateway set 3 port=5o60
refused "a rate limit out of range" notify-rate-limit-range \
	"global settings, field notify-rate-limit" global set notify-rate-limit=20000
h_is "... the limit is still 20" "$(sget "$RO.1.4.0")" 20
refused "adding a row that exists" exists "profile 3" profile add 3 name=x

# ---- JSON, parsed ------------------------------------------------------------
rctl -o json "$H_AGENT" show
h_is "show -o json: exit 0" "$RRC" 0
h_is "... parses; profile 3's timer" \
	"$(printf '%s' "$ROUT" | jq -r '.profiles[] | select(.index==3) | .timer')" 7
h_is "... profile 3's from header" \
	"$(printf '%s' "$ROUT" | jq -r '.profiles[] | select(.index==3) | .from')" original-caller
h_is "... three gateways" "$(printf '%s' "$ROUT" | jq '.gateways | length')" 3
h_is "... the route prefix" \
	"$(printf '%s' "$ROUT" | jq -r '.routes[] | select(.index==2) | .prefix')" 778
h_is "... the global max-calls" "$(printf '%s' "$ROUT" | jq '.global["max-calls"]')" 50
h_is "... endpoint 1 up" \
	"$(printf '%s' "$ROUT" | jq -r '.endpoints[] | select(.index==1) | .oper')" up
rctl -o json "$H_AGENT" profile set 3 timer=11
h_is "a refusal in JSON: exit 3" "$RRC" 3
h_is "... rule" "$(printf '%s' "$ROUT" | jq -r .rule)" delayed-answer-timer-range
h_is "... object and row" "$(printf '%s' "$ROUT" | jq -r '.object + " " + (.index|tostring)')" "profile 3"
h_is "... field and MIB column" "$(printf '%s' "$ROUT" | jq -r '.field + " " + .column')" \
	"timer referdReferDelayedAnswerTimer"
rctl -o json "$H_AGENT" gateway set 3 port=5090
h_is "a change in JSON" "$(printf '%s' "$ROUT" | jq -r '.result + " " + .object + " " + (.index|tostring)')" \
	"changed gateway 3"

# ---- deletes ----------------------------------------------------------------
ok "route delete" route delete 2
h_like "... the route is gone" "$(sget "$ROUTE.5.2")" "No Such Instance"
ok "gateway delete" gateway delete 3
ok "profile delete removes the profile and its Refer Support row" profile delete 3
h_like "... no referdSgpRowStatus.3" "$(sget "$SGP.4.3")" "No Such Instance"
h_like "... no referdReferRowStatus.3" "$(sget "$REFER.7.3")" "No Such Instance"

# ---- exit statuses ----------------------------------------------------------
rctl "$H_AGENT" profile show 9
h_is "a missing row: exit 4" "$RRC" 4
h_like "... says so" "$RERR" "there is no profile 9"
rctl "$H_AGENT" frobnicate
h_is "an unknown command: exit 1" "$RRC" 1
rctl "$H_AGENT" profile set 2 colour=blue
h_is "an unknown field: exit 1" "$RRC" 1
h_like "... lists the fields" "$RERR" "one of: name support from delayed-answer timer release storage status"
rctl -o xml "$H_AGENT" show
h_is "an unknown output format: exit 1" "$RRC" 1
RRC=0
"$REFERCTL" -v2c -c private -t 1 -r 0 "$H_NET.9:1" show >/dev/null 2>"$H_TMP/rerr" || RRC=$?
h_is "no agent there: exit 2" "$RRC" 2
h_like "... says no answer came" "$(cat "$H_TMP/rerr")" "no answer"
RRC=0
"$REFERCTL" -v2c -c public -t 3 -r 0 "$H_AGENT" global set max-calls=7 \
	>/dev/null 2>"$H_TMP/rerr" || RRC=$?
h_is "a read-only community's change: exit 3" "$RRC" 3
h_like "... the agent's refusal, explained" "$(cat "$H_TMP/rerr")" \
	"the agent answered (noAccess|notWritable|authorizationError).*may not write"
h_is "... max-calls still 50" "$(sget "$RO.1.2.0")" 50

# ---- calls and counters while a call is up ----------------------------------
h_sipp b "$B" 5060 -sn uas
h_sipp a "$A" 5060 -sn uac -s 5551234 -m 1 -d 4000 "$H_ADDR:5060"
apid=$H_PID
h_ok "the call shows in referctl calls, connected" h_wait_for 5 \
	sh -c "'$REFERCTL' -v2c -c public -t 2 -r 0 $H_AGENT calls | grep -q ' connected '"
rctl "$H_AGENT" calls
h_like "... with the caller and the dialled number" "$ROUT" \
	"connected .*sip:sipp@$A.*sip:5551234@"
rctl -o json "$H_AGENT" calls
h_is "calls -o json: one call, connected, profile 1 in, 2 out" \
	"$(printf '%s' "$ROUT" | jq -r '.[0] | .state + " " + (.["profile-in"]|tostring) + " " + (.["profile-out"]|tostring)')" \
	"connected 1 2"
h_wait_exit "$apid" 20
h_is "the call completes" "$H_RC" 0
ok "stats 1" stats 1
h_like "... Calls in 1" "$ROUT" "Calls in +1$"
rctl -o json "$H_AGENT" stats
h_is "stats -o json: profile 2 counts the call out" \
	"$(printf '%s' "$ROUT" | jq '.[] | select(.profile==2) | .["calls-out"]')" 1
rctl "$H_AGENT" stats 99
h_is "stats of a missing profile: exit 4" "$RRC" 4
h_done
